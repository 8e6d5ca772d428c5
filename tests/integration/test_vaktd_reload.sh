#!/bin/bash
# Reloads while a collector is stuck: a [nginx] collector waits on a server
# that accepts and never answers, and a reload takes its section away in
# the middle of a collection. The previous collectors cannot be freed at
# once; they must be freed when the stuck collection returns, each time
# (the log says both, and a sanitizer build finds no leak at exit).
. "$(dirname "$0")/lib.sh"
vaktd=$top_builddir/agent/vaktd
rounds=3

require_tools curl
require_built "$vaktd"
grep -q '^#define HAVE_LIBCURL 1' "$top_builddir/config.h" || {
	echo "vaktd is built without libcurl: no [nginx] collector"
	[ "${VAKT_REQUIRE_ALL:-0}" = 1 ] && exit 1
	exit 77
}

# wait_count FILE PATTERN N: until FILE has N lines matching PATTERN, for up to 30 s.
wait_count() {
	for _ in $(seq 300); do
		[ "$(grep -c -- "$2" "$1")" -ge "$3" ] && return 0
		sleep 0.1
	done
	fail "after 30 s, $1 has $(grep -c -- "$2" "$1") lines of '$2', not $3"
}

# A server that takes every connection, notes it, and never answers.
: > "$tmp/conns"
fake_tcp_start "silent" "log = '$tmp/conns'" << 'PY'
def serve(c):
    with open(log, "a") as f:
        f.write("connection\n")
    while c.recv(4096):
        pass
PY

# The collection hangs for its whole time-out (3 s), well past the second
# a stopped collector is given.
cat > "$tmp/hung.conf" << CONF
[load]
enabled = no
[fds]
enabled = no
[listen]
enabled = no
[nginx hung]
url = http://127.0.0.1:$fake_port/nginx_status
interval = 3
timeout = 3
CONF
printf '[load]\n[fds]\nenabled = no\n[listen]\nenabled = no\n' > "$tmp/calm.conf"
cp "$tmp/calm.conf" "$tmp/vaktd.conf"
start_vaktd "$tmp/vaktd.conf"

for round in $(seq "$rounds"); do
	# Put the hung collector in, and wait until it is inside a collection
	# after the reload has finished.
	cp "$tmp/hung.conf" "$tmp/vaktd.conf"
	kill -HUP "$vaktd_pid"
	wait_count "$tmp/vaktd.log" "configuration reloaded" $((2 * round - 1))
	seen=$(grep -c connection "$tmp/conns")
	wait_count "$tmp/conns" connection $((seen + 1))
	# Take it out while it hangs: the reload stops it and goes on.
	cp "$tmp/calm.conf" "$tmp/vaktd.conf"
	kill -HUP "$vaktd_pid"
	wait_count "$tmp/vaktd.log" "configuration reloaded" $((2 * round))
	wait_count "$tmp/vaktd.log" \
		"stopped collectors: \[nginx hung\] still in a collection; freed when it returns" "$round"
	wait_count "$tmp/vaktd.log" \
		"\[nginx hung\] of a stopped configuration returned; its collectors are freed" "$round"
	check "round $round: served while the old collector hangs" 200 \
		"$(curl -s -o /dev/null -w '%{http_code}' "$url/health")"
done
check "each stuck configuration was left once" "$rounds" \
	"$(grep -c 'still in a collection; freed when it returns' "$tmp/vaktd.log")"
check "and freed once its collection returned" "$rounds" \
	"$(grep -c 'of a stopped configuration returned; its collectors are freed' "$tmp/vaktd.log")"

# In a sanitizer build, a scheduler left behind is a leak at exit: the exit
# status says so.
kill -TERM "$vaktd_pid"
wait "$vaktd_pid"
check "SIGTERM stops cleanly, nothing leaked" 0 "$?"
check "no sanitizer report" 0 "$(grep -c 'Sanitizer' "$tmp/vaktd.log")"
finish
