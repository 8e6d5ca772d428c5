#!/bin/bash
# vaktd on a loopback port: every endpoint, the JSON schema, promtool, the
# check endpoint against a peer holding exactly 40 descriptors, a collector
# that hangs, bad requests, the bearer token, the allow-list, reloads with a
# good and a broken file, and a clean stop.
. "$(dirname "$0")/lib.sh"
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
vaktd=$top_builddir/agent/vaktd

require_tools curl jq promtool ss
require_built "$vaktd"

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
# In the sanitizer build, LeakSanitizer reports what a rejected file leaks
# (it keeps the exit status 1, so only its words tell).
expect_absent "a rejected configuration leaks nothing" 1 "LeakSanitizer" \
	"$vaktd" --check-config -c "$tmp/bad.conf"
expect "-l is checked" 1 "-l nowhere" "$vaktd" --check-config -l nowhere

start_vaktd "$tmp/vaktd.conf"
# Until every collector has run and the hung one has passed its limit.
for _ in $(seq 100); do
	curl -s "$url/api/v1/metrics" | jq -e '(.collectors[] | select(.name == "process hung") |
		.last_error // "" | test("still running")) and
		([.collectors[] | select(.name != "process hung" and .runs == 0)] | length == 0)' \
		> /dev/null 2>&1 && break
	sleep 0.1
done

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
for _ in $(seq 100); do
	grep -q "reload failed" "$tmp/vaktd.log" && break
	sleep 0.1
done
check "broken reload keeps serving" 200 "$(status /metrics)"
expect "broken reload is logged with its line" 0 "vaktd.conf:12: .*intervall" cat "$tmp/vaktd.log"
printf '[collect]\ninterval = 1\n[fds]\nenabled = no\n' > "$tmp/vaktd.conf"
kill -HUP "$vaktd_pid"
settle /health 200
check "good reload applies (fds collector gone)" 0 \
	"$(curl -s "$url/api/v1/metrics" | jq '[.collectors[] | select(.name == "fds")] | length')"
check "good reload keeps serving" 200 "$(status /health)"
# A configuration replaced by a FIFO: refused at once, not read until a
# writer comes (which blocked the main thread, and SIGTERM with it).
mv "$tmp/vaktd.conf" "$tmp/vaktd.conf.good"
mkfifo -m 600 "$tmp/vaktd.conf"
kill -HUP "$vaktd_pid"
for _ in $(seq 100); do
	grep -q "vaktd.conf: cannot read the file: it is a FIFO" "$tmp/vaktd.log" && break
	sleep 0.1
done
expect "a FIFO on reload is refused and logged" 0 \
	"vaktd.conf: cannot read the file: it is a FIFO, not a regular file" cat "$tmp/vaktd.log"
check "a FIFO on reload keeps serving" 200 "$(status /health)"
kill -TERM "$vaktd_pid"
for _ in $(seq 100); do
	kill -0 "$vaktd_pid" 2> /dev/null || break
	sleep 0.1
done
if kill -0 "$vaktd_pid" 2> /dev/null; then
	fail "SIGTERM after a FIFO reload did not stop vaktd within 10 s"
	kill -KILL "$vaktd_pid"
fi
wait "$vaktd_pid"
check "SIGTERM stops cleanly" 0 "$?"
expect "--check-config -c FIFO is an error at once" 1 \
	"vaktd.conf: cannot read the file: it is a FIFO, not a regular file" \
	"$vaktd" --check-config -c "$tmp/vaktd.conf"
rm "$tmp/vaktd.conf"
mv "$tmp/vaktd.conf.good" "$tmp/vaktd.conf"
printf '[agent]\nuser = vakt-no-such-user\n' > "$tmp/nouser.conf"
expect "--check-config checks that user names a user" 1 "no such user 'vakt-no-such-user' to run as" \
	"$vaktd" --check-config -c "$tmp/nouser.conf"
printf '[agent]\nuser = nobody\n' > "$tmp/nobody.conf"
expect "--check-config accepts a user that exists" 0 "configuration OK" \
	"$vaktd" --check-config -c "$tmp/nobody.conf"

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
printf '\nsecond line\n' > "$tmp/token"
expect "a token file whose first line is empty is refused, as at start" 1 \
	"token_file $tmp/token is empty" "$vaktd" --check-config -c "$tmp/token.conf"
rm "$tmp/token"
mkfifo -m 600 "$tmp/token"
expect "a FIFO as token file is refused" 1 "token_file $tmp/token is not a regular file" \
	"$vaktd" --check-config -c "$tmp/token.conf"
rm "$tmp/token"
token=

# Connection limits. Over max_connections_per_client a client is told to
# come back (503, Retry-After), not reset; every step waits for a condition.
printf '[agent]\nmax_connections_per_client = 2\nconnection_timeout = 60\n' > "$tmp/limits.conf"
start_vaktd "$tmp/limits.conf"
# hold FD: a keep-alive connection on FD that the agent has answered, so it
# counts against the limit for sure (and the agent is alive).
hold() {
	local line=
	eval "exec $1<> /dev/tcp/127.0.0.1/$port"
	printf 'GET /health HTTP/1.1\r\nHost: vakt\r\n\r\n' >&"$1"
	read -r -t 10 line <&"$1"
	check "held connection $1 is answered" "HTTP/1.1 200 OK" "${line%$'\r'}"
}
# A held connection that has waited 50 ms for its next request gives up its
# slot to a newcomer instead (the connection table's grace; test_conns and
# test_http cover both ways exactly): on a busy machine curl may come that
# late, so the 503 is asked for again on fresh connections until it comes.
for _ in $(seq 20); do
	wait_reaped "$port"
	hold 7
	hold 8
	curl -s -D "$tmp/busy.head" -o "$tmp/busy.body" -w '%{http_code}' "$url/metrics" > "$tmp/busy.code"
	[ "$(cat "$tmp/busy.code")" = 503 ] && break
	exec 7>&- 8>&-
done
check "a third connection from one client is answered 503" 503 "$(cat "$tmp/busy.code")"
expect "with Retry-After: 1" 0 "^Retry-After: 1" tr -d '\r' < "$tmp/busy.head"
expect "and a body that says why" 0 "^busy: more than 2 connections at once from 127\.0\.0\.1" cat "$tmp/busy.body"
expect "the 503 is logged" 0 "answered 503 \(more than max_connections_per_client 2 at once\) to 127\.0\.0\.1" \
	cat "$tmp/vaktd.log"
exec 7>&-
settle /health 200
check "a closed connection frees its slot" 200 "$(status /health)"
exec 8>&-
kill "$vaktd_pid"
wait "$vaktd_pid" 2> /dev/null

# Idle connections time out: the agent closes one that sends nothing.
printf '[agent]\nconnection_timeout = 1\n' > "$tmp/idle.conf"
start_vaktd "$tmp/idle.conf"
exec 7<> "/dev/tcp/127.0.0.1/$port"
if timeout 20 cat <&7 > /dev/null; then
	echo "ok: an idle connection is closed by the agent"
else
	fail "an idle connection was not closed within 20 s"
fi
exec 7>&-
check "and the agent serves on" 200 "$(status /health)"
kill "$vaktd_pid"
wait "$vaktd_pid" 2> /dev/null

# A flood from one client: 500 connections at once against the defaults.
# At most 64 (twice max_connections_per_client) stay open, answered or told
# to come back; the rest are closed at once, never left waiting in the
# kernel's accept queue. Which ones stay depends on timing: a connection
# that has waited for its request makes room for a newcomer of its client.
# Another client is served meanwhile, and this one after.
: > "$tmp/empty.conf"
start_vaktd "$tmp/empty.conf"
wait_reaped "$port"
"$top_builddir/tests/integration/holdsock" flood 127.0.0.1 "$port" 500 64 > "$tmp/flood.out" &
flood_pid=$!
peers="$peers $flood_pid"
for _ in $(seq 600); do
	[ -s "$tmp/flood.out" ] && break
	sleep 0.05
done
flood=$(sed -n 's/^flood closed=\([0-9]*\),200=\([0-9]*\),503=\([0-9]*\),other=\([0-9]*\)$/\1 \2 \3 \4/p' "$tmp/flood.out")
# shellcheck disable=SC2086
set -- $flood
if [ $# -eq 4 ] && [ "$4" -eq 0 ] && [ $(($1 + $2 + $3)) -eq 500 ] && [ "$2" -ge 1 ] &&
	[ $(($2 + $3)) -le 64 ] && [ -z "$(ss -Htln "( sport = :$port )" | awk '$2 != 0')" ]; then
	echo "ok: a flood of 500: at most 64 stay, answered or told 503, the rest closed at once"
else
	fail "a flood of 500: $(cat "$tmp/flood.out"), accept queue: $(ss -Htln "( sport = :$port )")"
fi
check "another client is served during the flood" 200 "$(status /health --interface 127.0.0.2)"
kill "$flood_pid"
settle /health 200
check "after the flood the client is served again" 200 "$(status /health)"
kill "$vaktd_pid"
wait "$vaktd_pid" 2> /dev/null

# Privileges: vaktd binds and reads its files as root, then becomes its
# user with only the capabilities its collectors need, before a thread
# starts. So from the first answer on, every thread runs as nobody: with a
# [process] section keeping CAP_DAC_READ_SEARCH alone (bit 2, 0x4), enough
# to count a root process's descriptors; without one, no capability at all.
# identity PID: each thread's "Uid Gid CapEff CapPrm CapInh CapAmb", one
# line per distinct answer.
identity() {
	for status in /proc/"$1"/task/*/status; do
		awk '/^Uid:/ { u = $2 } /^Gid:/ { g = $2 } /^CapEff:/ { e = $2 } /^CapPrm:/ { p = $2 }
			/^CapInh:/ { i = $2 } /^CapAmb:/ { a = $2 } /^NoNewPrivs:/ { n = $2 }
			END { print u, g, e, p, i, a, n }' "$status"
	done | sort -u
}
if [ "$(id -u)" -eq 0 ]; then
	nobody="$(id -u nobody) $(id -g nobody)"
	cat > "$tmp/user.conf" << CONF
[agent]
user = nobody
[collect]
interval = 1
timeout = 1
[process holder]
name = vakt-fdholder
CONF
	start_vaktd "$tmp/user.conf"
	check "from the first answer, every thread is nobody with CAP_DAC_READ_SEARCH only" \
		"$nobody 0000000000000004 0000000000000004 0000000000000000 0000000000000000 1" \
		"$(identity "$vaktd_pid")"
	check "and counts the descriptors of root's holder" 1 \
		"$(curl -s "$url/metrics" | grep -c "^vakt_process_fds_open{pid=\"$holder\",process=\"vakt-fdholder\"} 40$")"
	expect "the log says who it runs as" 0 "running as user nobody, capabilities: CAP_DAC_READ_SEARCH" \
		cat "$tmp/vaktd.log"
	kill "$vaktd_pid"
	wait "$vaktd_pid" 2> /dev/null

	printf '[agent]\nuser = nobody\n' > "$tmp/user.conf"
	start_vaktd "$tmp/user.conf"
	check "without [process], every thread is nobody without a capability" \
		"$nobody 0000000000000000 0000000000000000 0000000000000000 0000000000000000 1" \
		"$(identity "$vaktd_pid")"
	# $tmp is root's (mode 700): nobody cannot read the file again.
	kill -HUP "$vaktd_pid"
	for _ in $(seq 100); do
		grep -q "reload failed" "$tmp/vaktd.log" && break
		sleep 0.1
	done
	expect "a reload that cannot read the file as nobody says why" 0 \
		"reload: vaktd read its files as root at start and is user nobody, capabilities: none now: make the file readable by that user, or restart vaktd to read it as root" \
		cat "$tmp/vaktd.log"
	check "and keeps serving" 200 "$(status /health)"
	kill "$vaktd_pid"
	wait "$vaktd_pid" 2> /dev/null
fi

# Detached, vaktd still tells the starting command whether it started.
start_peer listen 127.0.0.1 4 0
busy=$peer_value
expect "detached start on a busy port fails loudly" 1 "cannot listen on 127.0.0.1:$busy: Address already in use" \
	"$vaktd" -l "127.0.0.1:$busy"
expect "detached start succeeds quietly" 0 "^$" "$vaktd" -l "127.0.0.1:$port"
check "the detached agent serves" 200 "$(status /health)"
detached=$(pgrep -f "vaktd -l 127.0.0.1:$port\$")
peers="$peers $detached"
kill $detached

# The allow-list is checked before a byte is read: 127.0.0.2 is let in
# (the agent is alive), 127.0.0.1 refused and logged once a minute.
printf '[agent]\nallow = 127.0.0.2, 10.0.0.0/8\n' > "$tmp/allow.conf"
start_vaktd "$tmp/allow.conf" http --interface 127.0.0.2
check "a client in the allow-list is served" 200 "$(status /health --interface 127.0.0.2)"
check "a client outside the allow-list gets no answer" 000 "$(status /metrics --max-time 5)"
check "a second time neither" 000 "$(status /metrics --max-time 5)"
expect "the refusal is logged with the client" 0 "refused a connection \(not in allow\) from 127\.0\.0\.1 \(logged at most once a minute per client\)" \
	cat "$tmp/vaktd.log"
check "once a minute per client" 1 "$(grep -c 'refused a connection' "$tmp/vaktd.log")"
kill "$vaktd_pid"
wait "$vaktd_pid" 2> /dev/null

# An allow-list that no client of a loopback address can pass is valid, but
# --check-config says it cannot work; the README's configuration is sound.
printf '[agent]\nlisten = 127.0.0.1:9333\nallow = 10.0.0.0/8, ::1/128\n' > "$tmp/nolocal.conf"
expect "--check-config: a warning, still OK" 0 "configuration OK \(with a warning on stderr\)" \
	"$vaktd" --check-config -c "$tmp/nolocal.conf"
expect "--check-config names what cannot work" 0 "warning: .*listen 127\.0\.0\.1:9333 is a loopback address.*allow admits no loopback client" \
	"$vaktd" --check-config -c "$tmp/nolocal.conf"
expect "no warning for an allow-list with loopback" 0 "^[^ ]+: configuration OK$" \
	"$vaktd" --check-config -c "$tmp/allow.conf"
# The README's agent example, its files made real.
mkdir "$tmp/etc"
for f in token redis.pass mysql.pass pgsql.pass; do
	echo secret > "$tmp/etc/$f"
	chmod 600 "$tmp/etc/$f"
done
sed -n '/^## The agent/,/^### /p' "$top_srcdir/README.md" | sed -n '/^```ini$/,/^```$/p' | sed '1d;$d' |
	sed "s|/etc/vakt/|$tmp/etc/|g" > "$tmp/readme.conf"
check "the README has an agent example" 1 "$(grep -c '^\[agent\]' "$tmp/readme.conf")"
# A vaktd built without a collector's library refuses its sections, and says why.
if grep -aq "this vaktd was built without" "$vaktd"; then
	expect "the README's agent example names what this vaktd lacks" 1 \
		": \[[a-z]+ [a-z]+\]: this vaktd was built without " "$vaktd" --check-config -c "$tmp/readme.conf"
else
	expect "the README's agent example parses, without a warning" 0 "^[^ ]+: configuration OK$" \
		"$vaktd" --check-config -c "$tmp/readme.conf"
fi

# Type=notify: vaktd tells the service manager at $NOTIFY_SOCKET when it
# serves, reloads and stops, as sd_notify(3) does; here the manager's end is
# notify_listen.py. Both a socket path and an abstract name (systemd's own).
# notices: the first word of each notice received, in order.
notices() {
	grep -v '^listening$' "$tmp/notify.log" | cut -d'|' -f1 | tr '\n' ' ' | sed 's/ $//'
}
for sock in "$tmp/notify.sock" "@vakt-test-notify-$$"; do
	: > "$tmp/notify.log"
	python3 "$top_srcdir/tests/integration/notify_listen.py" "$sock" "$tmp/notify.log" &
	peers="$peers $!"
	wait_lines "$tmp/notify.log" '^listening$' || fail "notify_listen.py did not start"
	printf '[collect]\ninterval = 1\n' > "$tmp/notify.conf"
	NOTIFY_SOCKET=$sock start_vaktd "$tmp/notify.conf"
	if wait_lines "$tmp/notify.log" "^READY=1\|STATUS=serving on 127\.0\.0\.1:$port$"; then
		echo "ok: vaktd says READY=1 to \$NOTIFY_SOCKET $sock once it serves"
	else
		fail "no READY=1 on $sock: $(cat "$tmp/notify.log")"
	fi
	kill -HUP "$vaktd_pid"
	wait_lines "$tmp/notify.log" '^READY=1' 2
	check "a reload is RELOADING=1, then READY=1 again" "READY=1 RELOADING=1 READY=1" \
		"$(notices)"
	if grep -Eq '^RELOADING=1\|MONOTONIC_USEC=[0-9]+$' "$tmp/notify.log"; then
		echo "ok: RELOADING=1 comes with its MONOTONIC_USEC"
	else
		fail "RELOADING=1 without MONOTONIC_USEC: $(cat "$tmp/notify.log")"
	fi
	kill "$vaktd_pid"
	wait "$vaktd_pid"
	check "vaktd stopped by TERM exits 0" 0 $?
	check "a stop is STOPPING=1" "READY=1 RELOADING=1 READY=1 STOPPING=1" "$(notices)"
done
NOTIFY_SOCKET=$tmp/nobody-listens.sock start_vaktd "$tmp/notify.conf"
check "a \$NOTIFY_SOCKET nobody listens on does not stop vaktd" 200 "$(status /health)"
kill "$vaktd_pid"
wait "$vaktd_pid"
if grep -q "warning: cannot notify the service manager at \$NOTIFY_SOCKET: No such file or directory" "$tmp/vaktd.log" &&
	[ "$(grep -c 'cannot notify' "$tmp/vaktd.log")" -eq 1 ]; then
	echo "ok: and it says so once"
else
	fail "a failed notification is not logged once: $(cat "$tmp/vaktd.log")"
fi

# Start-up failures reach the terminal, also when vaktd would detach.
expect "a missing file is reported on stderr" 1 "^vaktd: $tmp/nosuch.conf: No such file or directory$" \
	"$vaktd" -c "$tmp/nosuch.conf"
printf '[agent\n' > "$tmp/broken.conf"
expect "a broken file is reported on stderr" 1 "broken.conf:1: section header '\[agent' lacks its closing '\]'" \
	"$vaktd" -c "$tmp/broken.conf"
expect_absent "a configuration rejected at start leaks nothing" 1 "LeakSanitizer" \
	"$vaktd" -c "$tmp/broken.conf"
expect "in the foreground, a busy port is named" 1 "cannot listen on 127\.0\.0\.1:$busy: Address already in use" \
	"$vaktd" -f -l "127.0.0.1:$busy"
finish
