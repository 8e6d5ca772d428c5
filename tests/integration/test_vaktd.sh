#!/bin/bash
# vaktd on a loopback port: every endpoint, the JSON schema, promtool, the
# check endpoint against a peer holding exactly 40 descriptors, a collector
# that hangs, bad requests, the bearer token, the allow-list, reloads with a
# good and a broken file, and a clean stop.
. "$(dirname "$0")/lib.sh"
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
vaktd=$top_builddir/agent/vaktd

require_tools curl jq promtool
require_built "$vaktd"

# check WHAT WANT GOT: a plain comparison with a readable failure.
check() {
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		printf 'FAIL: %s\n  want: %s\n  got:  %s\n' "$1" "$2" "$3"
		failures=$((failures + 1))
	fi
}

# settle PATH WANT: poll PATH for up to 10 s until it answers WANT.
settle() {
	for _ in $(seq 100); do
		[ "$(status "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	curl -s "$url$1"
}

# status PATH [CURL-ARGS...]: the HTTP status of a GET.
status() {
	local path=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' "$@" "$url$path"
}

start_peer fds 37 100
holder=$peer_value
mkfifo "$tmp/hung.pid"

cat > "$tmp/vaktd.conf" << CONF
[collect]
interval = 1
timeout = 1

[process holder]
name = vakt-fdholder

# A pidfile on a FIFO blocks the collector forever.
[process hung]
pidfile = $tmp/hung.pid
CONF

expect "--check-config accepts a good file" 0 "configuration OK" "$vaktd" --check-config -c "$tmp/vaktd.conf"
expect "--check-config accepts the shipped example" 0 "configuration OK" \
	"$vaktd" --check-config -c "$top_srcdir/templates/vaktd.conf"
printf '[agent]\nlisten = nowhere\n[load]\nintervall = 3\n[nosuch]\n' > "$tmp/bad.conf"
expect "--check-config reports the first error with its line" 1 "bad.conf:2: .*listen" \
	"$vaktd" --check-config -c "$tmp/bad.conf"
expect "--check-config reports the second" 1 "bad.conf:4: .*intervall" \
	"$vaktd" --check-config -c "$tmp/bad.conf"
expect "--check-config reports the third" 1 "bad.conf:5: " "$vaktd" --check-config -c "$tmp/bad.conf"
expect "-l is checked" 1 "-l nowhere" "$vaktd" --check-config -l nowhere

start_vaktd "$tmp/vaktd.conf"
sleep 2.5 # let every collector run, and the hung one pass its limit

check "/metrics answers" 200 "$(status /metrics)"
check "/metrics content type" "text/plain; version=0.0.4; charset=utf-8" \
	"$(curl -s -o /dev/null -w '%{content_type}' "$url/metrics")"
curl -s "$url/metrics" > "$tmp/metrics.txt"
if promtool check metrics < "$tmp/metrics.txt" > "$tmp/promtool.out" 2>&1; then
	echo "ok: promtool check metrics"
else
	echo "FAIL: promtool check metrics"
	cat "$tmp/promtool.out"
	failures=$((failures + 1))
fi
check "exact descriptors in Prometheus" 1 \
	"$(grep -c "^vakt_process_fds_open{pid=\"$holder\",process=\"vakt-fdholder\"} 40$" "$tmp/metrics.txt")"
check "counters end in _total" 0 "$(grep '^# TYPE .* counter$' "$tmp/metrics.txt" | grep -vc '_total counter$')"
check "self metrics: requests served" 1 "$(grep -c '^vakt_http_requests_total ' "$tmp/metrics.txt")"
check "self metrics: resident memory" 1 "$(grep -c '^vakt_resident_memory_bytes ' "$tmp/metrics.txt")"

curl -s "$url/api/v1/metrics" > "$tmp/all.json"
check "JSON content type" "application/json" "$(curl -s -o /dev/null -w '%{content_type}' "$url/api/v1/metrics")"
check "JSON schema: every metric has its fields" 0 \
	"$(jq '[.metrics[] | select((.name|type) != "string" or (.labels|type) != "object" or (.kind|test("^(gauge|counter)$")|not) or (.unit|type) != "string" or (.age_seconds|type) != "number" or (.stale|type) != "boolean")] | length' "$tmp/all.json")"
check "one family by name" 40 \
	"$(curl -s "$url/api/v1/metrics/process_fds_open" | jq ".metrics[] | select(.labels.pid == \"$holder\") | .value")"
check "unknown family is 404" 404 "$(status /api/v1/metrics/no_such_metric)"

# The hung collector is reported, and nothing waits for it.
check "hung collector named in its error" "true" \
	"$(jq '.collectors[] | select(.name == "process hung") | .last_error | test("still running")' "$tmp/all.json")"
check "/health is 503 while a collector is stale" 503 "$(status /health)"
expect "/health names the stale collector" 0 "^stale: process hung" curl -s "$url/health"
check "answers at once with a hung collector" 200 "$(status /metrics --max-time 1)"

# The check endpoint answers what a plugin would.
# The pid too: other tests (make check -j) run holders of the same name.
c="/api/v1/check/process_fds_open?process=vakt-fdholder&pid=$holder"
expect "check OK as a Nagios line" 0 \
	"^VAKT OK - process_fds_open\{pid=$holder,process=vakt-fdholder\} is 40 \| process_fds_open_${holder}_vakt-fdholder=40;50;60$" \
	curl -s "$url$c&warning=50&critical=60&format=nagios"
expect "check WARNING with Accept: text/plain" 0 "^VAKT WARNING - .* is 40 \(> 30\)" \
	curl -s -H 'Accept: text/plain' "$url$c&warning=30&critical=60"
check "check CRITICAL as JSON" "2 CRITICAL" \
	"$(curl -s "$url$c&warning=30&critical=39" | jq -r '"\(.exit_code) \(.state)"')"
check "check of an unknown metric is 404" 404 "$(status '/api/v1/check/process_fds_open?process=nosuch')"
expect "check of an unknown metric is UNKNOWN" 0 "^VAKT UNKNOWN - no metric process_fds_open with those labels" \
	curl -s "$url/api/v1/check/process_fds_open?process=nosuch&format=nagios"
check "malformed range is 400" 400 "$(status "$c&warning=2:1")"
expect "malformed range says why" 0 "invalid range '2:1'" curl -s "$url$c&warning=2:1&format=nagios"

# Bad requests.
check "unknown path is 404" 404 "$(status /nope)"
check "POST is 405" 405 "$(status /metrics -X POST)"
check "DELETE is 405" 405 "$(status /metrics -X DELETE)"
check "a body is refused" 413 "$(status /metrics -X GET --data-binary 'x')"
big=$(head -c 40000 /dev/zero | tr '\0' 'a')
code=$(status /metrics -H "X-Big: $big")
case $code in
4*) echo "ok: an oversized request is refused ($code)" ;;
*)
	echo "FAIL: an oversized request got '$code'"
	failures=$((failures + 1))
	;;
esac

# Reload: a broken file keeps the running configuration; a good one applies.
printf '[load]\nintervall = 1\n' >> "$tmp/vaktd.conf"
kill -HUP "$vaktd_pid"
sleep 0.5
check "broken reload keeps serving" 200 "$(status /metrics)"
expect "broken reload is logged with its line" 0 "vaktd.conf:12: .*intervall" cat "$tmp/vaktd.log"
printf '[collect]\ninterval = 1\n[fds]\nenabled = no\n' > "$tmp/vaktd.conf"
kill -HUP "$vaktd_pid"
settle /health 200
check "good reload applies (fds collector gone)" 0 \
	"$(curl -s "$url/api/v1/metrics" | jq '[.collectors[] | select(.name == "fds")] | length')"
check "good reload keeps serving" 200 "$(status /health)"
kill -TERM "$vaktd_pid"
wait "$vaktd_pid"
check "SIGTERM stops cleanly" 0 "$?"

# The bearer token: none, wrong, right; never in the URL.
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$token" > "$tmp/token"
chmod 600 "$tmp/token"
printf '[agent]\ntoken_file = %s\n' "$tmp/token" > "$tmp/token.conf"
start_vaktd "$tmp/token.conf" http -H "Authorization: Bearer $token"
check "no token is 401" 401 "$(status /metrics)"
check "wrong token is 401" 401 "$(status /metrics -H 'Authorization: Bearer wrong')"
check "right token is 200" 200 "$(status /metrics -H "Authorization: Bearer $token")"
check "token in the URL does not count" 401 "$(status "/metrics?token=$token")"
kill "$vaktd_pid"
wait "$vaktd_pid" 2> /dev/null
if grep -q "$token" "$tmp/vaktd.log"; then
	echo "FAIL: the token appears in the log"
	failures=$((failures + 1))
fi
chmod 644 "$tmp/token"
expect "a token file others can read is refused" 1 "readable by others" \
	"$vaktd" --check-config -c "$tmp/token.conf"
: > "$tmp/token"
chmod 600 "$tmp/token"
expect "an empty token file is refused" 1 "token_file $tmp/token is empty" \
	"$vaktd" --check-config -c "$tmp/token.conf"
token=

# Connection limits: idle clients cannot hold the agent.
# The timeout leaves the third attempt a few seconds on a loaded machine:
# with 1 s, a slow curl start let the idle two time out first.
printf '[agent]\nmax_connections_per_client = 2\nconnection_timeout = 3\n' > "$tmp/limits.conf"
start_vaktd "$tmp/limits.conf"
exec 7<> "/dev/tcp/127.0.0.1/$port" 8<> "/dev/tcp/127.0.0.1/$port"
check "a third connection from one client is refused" 000 "$(status /metrics --max-time 2)"
sleep 4 # the two idle connections time out
check "idle connections time out and free their slots" 200 "$(status /metrics --max-time 2)"
exec 7>&- 8>&-
kill "$vaktd_pid"
wait "$vaktd_pid" 2> /dev/null

# Privileges are dropped after binding.
if [ "$(id -u)" -eq 0 ]; then
	printf '[agent]\nuser = nobody\n' > "$tmp/user.conf"
	start_vaktd "$tmp/user.conf"
	check "runs as the configured user" "$(id -u nobody)" \
		"$(awk '/^Uid:/ { print $2 }' "/proc/$vaktd_pid/status")"
	check "and still serves" 200 "$(status /metrics)"
	kill "$vaktd_pid"
	wait "$vaktd_pid" 2> /dev/null
fi

# Detached, vaktd still tells the starting command whether it started.
start_peer listen 127.0.0.1 4 0
busy=$peer_value
expect "detached start on a busy port fails loudly" 1 "cannot listen on 127.0.0.1:$busy" \
	"$vaktd" -l "127.0.0.1:$busy"
expect "detached start succeeds quietly" 0 "^$" "$vaktd" -l "127.0.0.1:$port"
check "the detached agent serves" 200 "$(status /health)"
detached=$(pgrep -f "vaktd -l 127.0.0.1:$port\$")
peers="$peers $detached"
kill $detached

# The allow-list is checked before a byte is read.
printf '[agent]\nallow = 10.0.0.0/8\n' > "$tmp/allow.conf"
"$vaktd" -f -c "$tmp/allow.conf" -l "127.0.0.1:$port" 2> "$tmp/vaktd.log" &
vaktd_pid=$!
peers="$peers $vaktd_pid"
sleep 0.5
check "a client outside the allow-list gets no answer" 000 "$(status /metrics --max-time 2)"
kill "$vaktd_pid"
finish
