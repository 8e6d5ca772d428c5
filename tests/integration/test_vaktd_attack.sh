#!/bin/bash
# vaktd under attack on loopback, in a bounded form (seconds): a connection
# trickling its request is cut at connection_timeout; a slowloris from many
# loopback addresses, bursts of half-sent requests and idle connections
# leave /health answered 200 to a legitimate client during and after them,
# with nothing left in the accept queue; slow connections from the checks'
# own address do not lock the checks out. The attacker is bench/attack.py,
# the same script the benchmark runs at full size.
. "$(dirname "$0")/lib.sh"
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
attack=$top_srcdir/bench/attack.py
check_vakt=$top_builddir/plugins/check_vakt

require_tools python3 curl ss
require_built "$top_builddir/agent/vaktd" "$check_vakt"

# A short deadline so that the test can watch it; the listen collector off,
# since other tests may hold thousands of listeners on this host.
cat > "$tmp/vaktd.conf" << 'EOF'
[agent]
connection_timeout = 2
max_connections_per_client = 4
[collect]
interval = 1
[listen]
enabled = no
EOF
start_vaktd "$tmp/vaktd.conf"
if [ "$(curl -s "$url/health")" = ok ]; then
	echo "ok: the agent answers /health before the attacks"
else
	fail "the agent does not answer /health: $(curl -s "$url/health")"
	finish
fi

# run_attack NAME ARGS...: bench/attack.py --check with ARGS against the agent.
run_attack() {
	local name=$1
	shift
	if python3 "$attack" --port "$port" --check --before 0.5 --after 2 --period 0.1 "$@" \
		> "$tmp/attack.out" 2>&1; then
		echo "ok: $name: every request answered 200 during and after"
	else
		fail "$name: $(cat "$tmp/attack.out")"
	fi
	sed 's/^/  /' "$tmp/attack.out"
}

# accept_queue_empty: the listener's accept queue drains within 10 s.
accept_queue_empty() {
	for _ in $(seq 100); do
		[ "$(ss -Htln "( sport = :$port )" | awk '{print $2}')" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# A connection that sends a byte every half second never finishes its
# request: it is cut at the deadline (before the fix, never).
python3 - "$port" << 'PY' > "$tmp/trickle.out"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(0.5)
t0 = time.monotonic()
for b in b"GET /health HTTP/1.1\r\nHost: vakt\r\nX-Slow: " + b"a" * 100:
    try:
        s.send(bytes([b]))
        if s.recv(1) == b"":
            break
    except socket.timeout:
        pass
    except OSError:
        break
    if time.monotonic() - t0 > 20:
        break
print("closed after %.0f s" % (time.monotonic() - t0))
PY
case "$(cat "$tmp/trickle.out")" in
"closed after "[2-9]" s") echo "ok: a trickling request is cut at connection_timeout ($(cat "$tmp/trickle.out"))" ;;
*) fail "a trickling request: $(cat "$tmp/trickle.out") (want at 2 s, within 10)" ;;
esac

run_attack "slowloris, 600 connections from 100 addresses" \
	--mode slowloris --conns 600 --addrs 100 --interval 1 --duration 4
run_attack "bursts of 300 half-sent requests from 50 addresses" \
	--mode halfsent --conns 300 --addrs 50 --interval 0.2 --duration 4
run_attack "400 idle connections from 100 addresses" \
	--mode idle --conns 400 --addrs 100 --duration 3
if accept_queue_empty; then
	echo "ok: nothing is left in the accept queue"
else
	fail "the accept queue holds $(ss -Htln "( sport = :$port )" | awk '{print $2}') connections"
fi

# Eight slow connections from the checks' own address (twice its limit of
# four): the checks still get through, by taking the place of a slow one or
# by asking again after a 503.
python3 "$attack" --port "$port" --mode slowloris --first 1 --addrs 1 --conns 8 --interval 1 \
	--before 0 --duration 8 --after 0 > "$tmp/same.out" 2>&1 &
same=$!
peers="$peers $same"
for _ in $(seq 100); do
	[ "$(ss -Htn state established "( dport = :$port and src 127.0.0.1 )" | wc -l)" -ge 8 ] && break
	sleep 0.05
done
bad=0
for i in $(seq 5); do
	"$check_vakt" -H 127.0.0.1 -p "$port" -m load1 -w 1000 -t 10 > "$tmp/same.$i" 2>&1 ||
		{ bad=$((bad + 1)); echo "  check $i: $(cat "$tmp/same.$i")"; }
done
[ "$bad" -eq 0 ] && echo "ok: 8 slow connections from the checks' address: 5 checks of 5 OK" ||
	fail "8 slow connections from the checks' address: $bad of 5 checks not OK"
wait "$same"

# The agent counts what it closed, by reason, once its self collector has
# run again (every second here).
for _ in $(seq 300); do
	metrics=$(curl -s "$url/metrics")
	grep -q '^vakt_http_connections_closed_total{reason="deadline"} [1-9]' <<< "$metrics" &&
		grep -q '^vakt_http_connections_closed_total{reason="made_room"} [1-9]' <<< "$metrics" && break
	sleep 0.1
done
for reason in deadline made_room; do
	if grep -q "^vakt_http_connections_closed_total{reason=\"$reason\"} [1-9]" <<< "$metrics"; then
		echo "ok: /metrics counts connections closed for $reason"
	else
		fail "/metrics does not count connections closed for $reason: $(grep http_conn <<< "$metrics")"
	fi
done

# The agent said what it did, by reason.
for what in "had not sent a whole request" "to make room for new ones"; do
	if grep -q "closed [0-9]* connections\? .*$what" "$tmp/vaktd.log"; then
		echo "ok: the log says why it closed connections: $what"
	else
		fail "the log does not say '$what': $(cat "$tmp/vaktd.log")"
	fi
done
finish
