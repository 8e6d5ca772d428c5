#!/bin/bash
# vaktd on a host with 40,000 listeners (80,000 series, as a busy proxy or a
# broker with thousands of queues has): /metrics and /api/v1/metrics are
# whole and valid, both over the 4 MiB at which they used to be cut; with a
# small max_answer_size each is an explicit 500 that the log explains, never
# a cut 200. The listeners live in a network namespace of this test's own,
# so that the tests running beside it do not see them.
if [ -z "${VAKT_NETNS:-}" ]; then
	if ! command -v unshare > /dev/null || ! unshare -rn true 2> /dev/null; then
		echo "no network namespace for this test (unshare -rn)"
		[ "${VAKT_REQUIRE_ALL:-0}" = 1 ] && exit 1
		exit 77
	fi
	VAKT_NETNS=1 exec unshare -rn "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
vaktd=$top_builddir/agent/vaktd
listeners=40000

require_tools curl promtool python3 ip ss
require_built "$vaktd" "$top_builddir/tests/integration/holdsock"
ip link set lo up || fail "cannot bring up the namespace's loopback"

# fetch PATH FILE: GET PATH into FILE; print the status and the size.
fetch() {
	curl -s --max-time 120 -o "$2" -w '%{http_code} %{size_download}' "$url$1"
}

# over_4mib WHAT BYTES: WHAT is larger than the 4 MiB answers used to be cut at.
over_4mib() {
	if [ "$2" -gt $((4 * 1024 * 1024)) ]; then
		echo "ok: $1 is over 4 MiB ($2 bytes)"
	else
		echo "FAIL: $1 is $2 bytes, not over 4 MiB: the test proves nothing"
		failures=$((failures + 1))
	fi
}

# json_count FILE NAME: how many NAME metrics of 127.77.0.0/16 the JSON
# document in FILE has; an error when it is not JSON.
json_count() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(sum(1 for m in d["metrics"] if m["name"] == sys.argv[2] and
          m["labels"]["address"].startswith("127.77.")))' "$1" "$2"
}

start_peer listeners "$(pick_port)" "$listeners"
check "the listeners are open" "$listeners" "$(ss -Hltn 'src 127.77.0.0/16' | wc -l)"

# A collection of 40,000 listeners takes a fraction of a second, but the
# sanitizer build is many times slower: a generous time-out.
cat > "$tmp/vaktd.conf" << 'CONF'
[collect]
interval = 30
timeout = 30
[load]
enabled = no
[fds]
enabled = no
CONF
start_vaktd "$tmp/vaktd.conf"
for _ in $(seq 600); do
	[ "$(grep -c '^vakt_listen_queue{address="127\.77\.' <(curl -s "$url/metrics"))" = "$listeners" ] && break
	sleep 0.1
done

read -r code size <<< "$(fetch /metrics "$tmp/metrics.txt")"
check "/metrics of $((2 * listeners)) series answers 200" 200 "$code"
over_4mib /metrics "$size"
if promtool check metrics < "$tmp/metrics.txt" > "$tmp/promtool.out" 2>&1; then
	echo "ok: promtool check metrics"
else
	echo "FAIL: promtool check metrics"
	head -5 "$tmp/promtool.out"
	failures=$((failures + 1))
fi
check "every listener's queue in /metrics" "$listeners" \
	"$(grep -c '^vakt_listen_queue{address="127\.77\.' "$tmp/metrics.txt")"
check "every listener's backlog in /metrics" "$listeners" \
	"$(grep -c '^vakt_listen_backlog{address="127\.77\..*} 8$' "$tmp/metrics.txt")"
check "/metrics ends with its last line whole" "vakt_uptime_seconds" \
	"$(tail -n 1 "$tmp/metrics.txt" | cut -d' ' -f1)"

read -r code size <<< "$(fetch /api/v1/metrics "$tmp/all.json")"
check "/api/v1/metrics answers 200" 200 "$code"
over_4mib /api/v1/metrics "$size"
check "/api/v1/metrics is JSON with every listener" "$listeners" \
	"$(json_count "$tmp/all.json" listen_queue 2>&1)"
read -r code size <<< "$(fetch /api/v1/metrics/listen_backlog "$tmp/family.json")"
check "one family of $listeners metrics answers 200" 200 "$code"
check "one family is JSON with every listener" "$listeners" \
	"$(json_count "$tmp/family.json" listen_backlog 2>&1)"

printf '[agent]\nmax_answer_size = 1K\n' > "$tmp/tiny.conf"
expect "--check-config refuses a max_answer_size under 64K" 1 \
	"tiny.conf:2: max_answer_size 1K is out of range \(64K to 1024M\)" \
	"$vaktd" --check-config -c "$tmp/tiny.conf"

# A small limit, set by a reload: the metrics are refused whole, and said why.
printf '[agent]\nmax_answer_size = 1M\n' >> "$tmp/vaktd.conf"
expect "--check-config accepts max_answer_size = 1M" 0 "configuration OK" \
	"$vaktd" --check-config -c "$tmp/vaktd.conf"
kill -HUP "$vaktd_pid"
for _ in $(seq 600); do
	grep -q "configuration reloaded" "$tmp/vaktd.log" && break
	sleep 0.1
done
check "/health still answers" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$url/health")"
read -r code size <<< "$(fetch /metrics "$tmp/cut.txt")"
check "/metrics over max_answer_size is 500" 500 "$code"
check "the 500 says why" \
	"answer too large: /metrics is over max_answer_size (1048576 bytes); raise it in vaktd.conf" \
	"$(cat "$tmp/cut.txt")"
read -r code size <<< "$(fetch /api/v1/metrics "$tmp/cut.json")"
check "/api/v1/metrics over max_answer_size is 500" 500 "$code"
expect "its 500 says why" 0 "^answer too large: /api/v1/metrics is over max_answer_size" \
	cat "$tmp/cut.json"
read -r code size <<< "$(fetch /api/v1/metrics/listen_queue "$tmp/cut.json")"
check "a family over max_answer_size is 500" 500 "$code"
check "a family under it is served" 200 \
	"$(curl -s -o /dev/null -w '%{http_code}' "$url/api/v1/metrics/http_requests")"
expect "the log says which answer was refused, and what to raise" 0 \
	"answered 500 \(answer too large: /metrics is over max_answer_size \(1048576 bytes\); raise it in vaktd.conf\)" \
	cat "$tmp/vaktd.log"
check "the log says it once a minute, not once a request" 1 \
	"$(grep -c "answered 500" "$tmp/vaktd.log")"

kill -TERM "$vaktd_pid"
wait "$vaktd_pid"
check "SIGTERM stops cleanly" 0 "$?"
finish
