#!/bin/bash
# check_fds against a peer process holding a known number of descriptors
# (exactly 3 + 37) under a known limit (100), and the system-wide count.
. "$(dirname "$0")/lib.sh"
c=$plugins/check_fds
num='[0-9]+(\.[0-9]+)?'

start_peer fds 37 100 vakt-fdscheck
pid=$peer_value
echo "$pid" > "$tmp/peer.pid"

expect "exact count of a process" 0 "^FDS OK - vakt-fdscheck\[$pid\] has 40 of 100 descriptors open \(40.0%\) \| fds=40;;;0;100 fds_pct=40%;;;0;100$" \
	"$c" --pid "$pid"
expect "pidfile" 0 "has 40 of 100 descriptors open" "$c" --pidfile "$tmp/peer.pid"
expect "process by name" 0 "^FDS OK - vakt-fdscheck\[$pid\] has 40 of 100 .* processes=1;;;0$" \
	"$c" --process vakt-fdscheck
expect "count at the threshold is OK (inclusive)" 0 "fds=40;40;;0;100" "$c" --pid "$pid" -w 40
expect "count above the threshold" 1 "^FDS WARNING - vakt-fdscheck\[$pid\] has 40 descriptors open \(> 39\)" \
	"$c" --pid "$pid" -w 39
expect "critical on the count" 2 "^FDS CRITICAL - .* \(> 30\)" "$c" --pid "$pid" -w 20 -c 30
expect "percent thresholds" 1 "^FDS WARNING - vakt-fdscheck\[$pid\] uses 40.0% of its limit \(> 30\)" \
	"$c" --pid "$pid" --percent -w 30 -c 50
expect "percent below thresholds" 0 "fds_pct=40%;50;90;0;100" "$c" --pid "$pid" --percent -w 50 -c 90
expect "named threshold on the percentage" 2 "uses 40.0% of its limit \(> 39.5\)" "$c" --pid "$pid" -c fds_pct=39.5
expect "no such process name" 2 "^FDS CRITICAL - no process named no-such-daemon$" "$c" --process no-such-daemon
expect "dead pid" 2 "^FDS CRITICAL - process 2147483646 does not exist$" "$c" --pid 2147483646
expect "missing pidfile" 2 "^FDS CRITICAL - cannot read pidfile $tmp/none.pid: No such file" "$c" --pidfile "$tmp/none.pid"
echo "garbage" > "$tmp/bad.pid"
expect "pidfile without a pid" 2 "^FDS CRITICAL - pidfile $tmp/bad.pid does not hold a process id$" "$c" --pidfile "$tmp/bad.pid"
expect "two selectors" 3 "^FDS UNKNOWN - give only one of --pid, --pidfile and --process" "$c" --pid 1 --process x
expect "system wide" 0 "^FDS OK - [0-9]+ of [0-9]+ file handles allocated \($num%\) \| fds=[0-9]+;;;0;[0-9]+ fds_pct=$num%;;;0;100$" "$c"
expect "system wide percent threshold" 1 "^FDS WARNING - the system uses $num% of its limit \(inside 0:\)" "$c" --percent -w @0:

# Without permission to look, the answer is UNKNOWN and says why.
if [ "$(id -u)" -eq 0 ] && command -v setpriv > /dev/null; then
	chmod 755 "$tmp"
	expect "no permission is UNKNOWN" 3 "^FDS UNKNOWN - no permission to read /proc/$pid/fd \(vakt-fdscheck\): it takes root, the process.s user or CAP_DAC_READ_SEARCH" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$c" --pid "$pid"
	# The remedy the man page and the Nagios template give: the capability
	# CAP_DAC_READ_SEARCH on the plugin, and nothing more (no CAP_SYS_PTRACE).
	# Only where file capabilities work (not on every file system): CI has them.
	setcap=$(command -v setcap || echo /sbin/setcap)
	cp "$c" "$tmp/check_fds" && chmod 755 "$tmp/check_fds"
	if [ -x "$setcap" ] && "$setcap" cap_dac_read_search+ep "$tmp/check_fds" 2> /dev/null; then
		expect "setcap cap_dac_read_search+ep check_fds reads another user's descriptors" 0 "^FDS OK - " \
			setpriv --reuid=65534 --regid=65534 --clear-groups "$tmp/check_fds" --pid "$pid"
	elif [ "${VAKT_REQUIRE_ALL:-0}" = 1 ]; then
		fail "setcap cap_dac_read_search+ep did not work (libcap2-bin, file capabilities)"
	else
		echo "skip: setcap does not work here"
	fi
fi

# The same verdicts through the agent (check_vakt --check fds): [fds] for
# the system (its counts move between two reads: numbers compared as N) and
# [process vakt-fdscheck] for the peer, byte for byte.
if [ -x "$plugins/check_vakt" ]; then
	printf '[collect]\ninterval = 1\n[fds]\n[process vakt-fdscheck]\n' > "$tmp/vaktd.conf"
	start_vaktd "$tmp/vaktd.conf"
	n='s/[0-9]+(\.[0-9]+)?/N/g'
	same_verdict "agent: system wide" "$n" fds "" -- "$c" -- -w 100000000
	same_verdict "agent: system wide percent" "$n" fds "" -- "$c" -- --percent -w @0:
	same_verdict "agent: the peer by name" "" fds "" -- "$c" -- --process=vakt-fdscheck
	same_verdict "agent: the peer over a threshold, verbose" "" fds "" -- "$c" -- \
		--process=vakt-fdscheck -v -w 20 -c processes=2:
	same_verdict "agent: the peer, percent" "" fds "" -- "$c" -- --process=vakt-fdscheck --percent -w 30 -c 50
	expect "agent: a process without a section" 3 "^FDS UNKNOWN - no \[process nginx\] section" \
		"$plugins/check_vakt" -H 127.0.0.1 -p "$port" --check fds --option process=nginx
	expect "agent: --pidfile is not the agent's to take" 3 "^VAKT UNKNOWN - unknown option 'pidfile'" \
		"$plugins/check_vakt" -H 127.0.0.1 -p "$port" --check fds --option pidfile=/etc/shadow
fi

# A pidfile that blocks (a FIFO with no writer) must not outlive -t.
mkfifo "$tmp/fifo"
expect "-t ends a hung read" 2 "^FDS CRITICAL - timed out after 1 s$" "$c" --pidfile "$tmp/fifo" -t 1
expect "-t with a state" 3 "^FDS UNKNOWN - timed out after 0.5 s$" "$c" --pidfile "$tmp/fifo" -t 0.5:unknown
finish
