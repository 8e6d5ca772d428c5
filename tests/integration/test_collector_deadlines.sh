#!/bin/bash
# Every collector of a peer keeps its section's time-out whatever the peer
# does: against servers that accept and then answer one byte a second,
# forever (trickle.py), each collection ends, failed, before twice its 2 s
# time-out, where a time-out for each read would wait for ever. The
# databases trickle once while connecting, and once in answer to the first
# query after a quick login. The agent is polled with a deadline; nothing
# here asserts an exact duration.
. "$(dirname "$0")/lib.sh"
vaktd=$top_builddir/agent/vaktd
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}

require_tools python3 curl jq
require_built "$vaktd"

# trickle NAME [--mysql-login|--pg-login] PREFIX: a trickling server that
# sends PREFIX first (after a login); sets $trickle_port.
trickle() {
	local name=$1
	shift
	"$top_srcdir/tests/integration/trickle.py" "$@" > "$tmp/trickle.$name" &
	peers="$peers $!"
	trickle_port=$(started "$tmp/trickle.$name" "the trickling $name server") || exit 1
}

conf=$tmp/vaktd.conf
printf '[collect]\ninterval = 600\ntimeout = 2\n[load]\nenabled = no\n[fds]\nenabled = no\n[listen]\nenabled = no\n' > "$conf"
sections=""
# add KIND MACRO SECTION-LINES...: a section [KIND slowN] when vaktd was
# built with the collector (config.h defines MACRO).
add() {
	local kind=$1 macro=$2
	shift 2
	if ! grep -q "^#define $macro 1" "$top_builddir/config.h"; then
		echo "skip: vaktd has no [$kind] collector ($macro)"
		return
	fi
	n=$((${n:-0} + 1))
	printf '[%s slow%s]\n' "$kind" "$n" >> "$conf"
	printf '%s\n' "$@" >> "$conf"
	sections="$sections $kind:slow$n"
}

# What each needs to start waiting: a MySQL packet header (32 bytes or 64
# KiB to come), a PostgreSQL message 1 MiB long, a Redis status line
# without its end, HTTP headers without their end.
trickle mysql '\x20\x00\x00\x00'
add mysql HAVE_LIBMARIADB "address = 127.0.0.1:$trickle_port" "user = nagios"
trickle mysql-query --mysql-login '\x00\x00\x01\x00'
add mysql HAVE_LIBMARIADB "address = 127.0.0.1:$trickle_port" "user = nagios"
trickle postgresql 'E\x00\x10\x00\x00'
add postgresql HAVE_LIBPQ "address = 127.0.0.1:$trickle_port" "user = nagios" "sslmode = disable"
trickle postgresql-query --pg-login 'T\x00\x10\x00\x00'
add postgresql HAVE_LIBPQ "address = 127.0.0.1:$trickle_port" "user = nagios" "sslmode = disable"
trickle redis '+'
add redis HAVE_HIREDIS "address = 127.0.0.1:$trickle_port"
trickle http 'HTTP/1.1 200 OK\r\nX-Slow: '
add nginx HAVE_LIBCURL "url = http://127.0.0.1:$trickle_port/nginx_status"
add haproxy HAVE_LIBCURL "address = 127.0.0.1:$trickle_port"
add rabbitmq HAVE_LIBCURL "url = http://127.0.0.1:$trickle_port" "user = nagios" "password_file = $tmp/pw"
printf 'not-the-password\n' > "$tmp/pw"
chmod 600 "$tmp/pw" "$conf"
[ -n "$sections" ] || { echo "vaktd has no collector of a peer"; exit 77; }

start_vaktd "$conf"
# Until every slow collector has ended its first run, for up to 30 s.
for _ in $(seq 300); do
	curl -s "$url/api/v1/metrics" > "$tmp/all.json"
	jq -e '[.collectors[] | select((.name | test(" slow[0-9]+$")) and .runs == 0)] | length == 0' \
		"$tmp/all.json" > /dev/null 2>&1 && break
	sleep 0.1
done
for sec in $sections; do
	name="${sec%%:*} ${sec#*:}"
	c=$(jq -c ".collectors[] | select(.name == \"$name\") | {runs, duration_seconds, last_error}" "$tmp/all.json")
	if jq -e '.runs >= 1 and .duration_seconds < 4 and .last_error != null' <<< "$c" > /dev/null 2>&1; then
		echo "ok: [$name] against a trickling peer failed within twice its 2 s time-out: $c"
	else
		fail "[$name] against a trickling peer: $c"
	fi
done
finish
