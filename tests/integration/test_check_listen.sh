#!/bin/bash
# check_listen against real listening sockets with a known number of
# connections completed but never accepted.
. "$(dirname "$0")/lib.sh"
c=$plugins/check_listen
num='[0-9]+(\.[0-9]+)?'
state=$tmp/state
mkdir "$state" "$state/first" "$state/first2"

start_peer listen 127.0.0.1 16 5
port=$peer_value
ep="127.0.0.1:$port"

expect "exact queue length, no rate on the first run" 0 "^LISTEN OK - $ep accept queue 5 of 16 \(31.2%\) \| listen_queue_$ep=5;;;0;16 listen_queue_pct_$ep=31.25%;;;0;100$" \
	"$c" -p "$port" -H 127.0.0.1 --state-dir "$state/first"
expect "the first run says why there is no rate" 0 "^listen_overflows_rate: no value yet, first sample, the next run will have one$" \
	"$c" -p "$port" -H 127.0.0.1 --state-dir "$state/first2"
"$c" -p "$port" -H 127.0.0.1 --state-dir "$state" > /dev/null
rate_gap
expect "rates on the second run" 0 "listen_overflows_rate=$num;;;0 listen_drops_rate=$num;;;0$" \
	"$c" -p "$port" -H 127.0.0.1 --state-dir "$state"
expect "long output per listener" 0 "^$ep: 5 of 16 waiting \(31.2%\)$" "$c" -p "$port" --state-dir "$state"
expect "queue at the threshold is OK" 0 "listen_queue_$ep=5;5;;0;16" "$c" -p "$port" -w 5 --state-dir "$state"
expect "queue over warning" 1 "^LISTEN WARNING - $ep has 5 connections waiting to be accepted \(> 4\)" \
	"$c" -p "$port" -w 4 -c 10 --state-dir "$state"
expect "queue over critical" 2 "^LISTEN CRITICAL - $ep has 5 connections waiting to be accepted \(> 3\)" \
	"$c" -p "$port" -w 2 -c 3 --state-dir "$state"
expect "fill in percent" 1 "^LISTEN WARNING - $ep accept queue is 31.2% full \(> 30\)" \
	"$c" -p "$port" --percent -w 30 -c 90 --state-dir "$state"
rate_gap
expect "rate threshold by name" 2 "connections/s overflowed a full accept queue \(< 1000\)" \
	"$c" -p "$port" -c listen_overflows_rate=1000: --state-dir "$state"
expect "--all finds it" 0 "^$ep: 5 of 16 waiting" "$c" --all --state-dir "$state"
expect "-H another address does not match" 2 "^LISTEN CRITICAL - nothing listens on TCP port $port at 127.0.0.2$" \
	"$c" -p "$port" -H 127.0.0.2 --state-dir "$state"

# IPv6, and a full queue: backlog 2 holds 3 (the kernel allows backlog + 1).
if [ -e /proc/net/if_inet6 ]; then
	start_peer listen ::1 2 3
	port6=$peer_value
	expect "IPv6 listener" 2 "^LISTEN CRITICAL - \[::1\]:$port6 accept queue is 150.0% full \(> 90\)" \
		"$c" -p "$port6" -H ::1 --percent -c 90 --state-dir "$state"
fi

kill "$peer_pid"
expect "nothing listening is CRITICAL" 2 "^LISTEN CRITICAL - nothing listens on TCP port 1$" "$c" -p 1 --state-dir "$state"
expect "neither -p nor --all" 3 "^LISTEN UNKNOWN - give either -p PORT or --all" "$c"
expect "-H must be an address" 3 "^LISTEN UNKNOWN - -H must be an IPv4 or IPv6 address" "$c" -p 80 -H localhost
expect "unusable state dir without rate thresholds" 0 "^no rates: cannot use state directory /nonexistent" \
	"$c" -p "$port" -H 127.0.0.1 --state-dir /nonexistent -w 100 || true
# The same verdicts through the agent (check_vakt --check listen): the rates
# are since the plugin's last run and since the agent's last collection, so
# their values are compared as N, the rest byte for byte.
if [ -x "$plugins/check_vakt" ]; then
	printf '[collect]\ninterval = 2\n[listen]\n' > "$tmp/vaktd.conf"
	lport=$port
	start_vaktd "$tmp/vaktd.conf"
	n='s/_rate=[0-9.]+/_rate=N/g; s/[0-9.]+ connections\/s/N connections\/s/'
	same_verdict "agent: one port" "$n" listen "" -- "$c" --state-dir "$state" -- --port="$lport"
	same_verdict "agent: over thresholds, by percent, with rates" "$n" listen "" -- \
		"$c" --state-dir "$state" -- --port="$lport" --hostname=127.0.0.1 --percent -w 30 \
		-c listen_drops_rate=@0:
	same_verdict "agent: another address" "$n" listen "" -- "$c" --state-dir "$state" -- \
		--port="$lport" --hostname=127.0.0.2
	expect "agent: neither port nor all" 0 "^LISTEN UNKNOWN - give either -p PORT or --all" \
		curl -s "$url/api/v1/check/listen?format=nagios"
fi
finish
