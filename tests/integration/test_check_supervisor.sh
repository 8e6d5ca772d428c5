#!/bin/sh
# check_supervisor against a real supervisord on loopback: a healthy
# program, one that exits at once (BACKOFF, then FATAL), one in a restart
# loop (flapping), one that logs to stderr and exits 3 (its log tail
# shown), and a group of four celery workers stopped one by one
# (--min-running 2 with 4, 3 and 1 running, --expect-running); its unix
# socket and its inet_http_server with basic authentication and a wrong
# password; supervisord gone, and a server that never answers.
. "$(dirname "$0")/lib.sh"
require_built "$plugins/check_supervisor"
require_tools supervisord supervisorctl

check=$plugins/check_supervisor
http_port=$(pick_port) || exit 1
mkdir -p "$tmp/bin" "$tmp/state"
printf '#!/bin/sh\nsleep 2\nexit 1\n' > "$tmp/bin/loop"
printf '#!/bin/sh\necho "starting noisy" >&2\necho "line | two; <tag> & \\"q\\"" >&2\necho "fatal: cannot open /nonexistent" >&2\nexit 3\n' > "$tmp/bin/noisy"
chmod +x "$tmp/bin/loop" "$tmp/bin/noisy"
start_supervisord "$(sup_programs "$http_port")
[program:loop]
command=$tmp/bin/loop
startsecs=1
autorestart=true
[program:noisy]
command=$tmp/bin/noisy
startsecs=0
autorestart=false"
sock="-s $sup_sock"

# The service is alive and answers first.
sup_wait healthy RUNNING || fail "healthy did not reach RUNNING"
expect "one healthy program: OK" 0 "^SUPERVISOR OK - 1 program running \| supervisor_process_restarts_healthy/healthy=1;3;;0 supervisor_group_running_healthy=1;;;0 supervisor_group_running_pct_healthy=100%;;;0;100$" \
	"$check" $sock --program healthy --state-dir "$tmp/state"
expect "long output: how long it runs" 0 "^healthy: RUNNING for [0-9]+ s$" \
	"$check" $sock --program healthy --state-dir "$tmp/state"

# A program that exits at once: BACKOFF, then FATAL, with supervisord's words.
sup_wait dies FATAL || fail "dies did not reach FATAL"
expect "FATAL: CRITICAL, named with supervisord's words" 2 \
	"^SUPERVISOR CRITICAL - dies FATAL for [0-9]+ s \(Exited too quickly \(process log may have details\)\), 0 of 1 running \|" \
	"$check" $sock --program dies --state-dir "$tmp/state"

# An unexpected exit: CRITICAL, with the last lines it wrote to stderr, cleaned.
sup_wait noisy EXITED || fail "noisy did not reach EXITED"
expect "EXITED with status 3: CRITICAL" 2 "^SUPERVISOR CRITICAL - noisy EXITED for [0-9]+ s \(Bad exit code 3\)" \
	"$check" $sock --program noisy --state-dir "$tmp/state"
expect "the log tail, three lines" 2 "^  noisy log: starting noisy$" \
	"$check" $sock --program noisy --state-dir "$tmp/state"
expect "the log tail: '|' and ';' cleaned" 2 "^  noisy log: line  two, <tag> & \"q\"$" \
	"$check" $sock --program noisy --state-dir "$tmp/state"
expect "the log tail: the last line" 2 "^  noisy log: fatal: cannot open /nonexistent$" \
	"$check" $sock --program noisy --state-dir "$tmp/state"

# Everything: the bad ones first, then the count.
expect "every program: CRITICAL, dies and noisy named" 2 \
	"^SUPERVISOR CRITICAL - dies FATAL .*noisy EXITED .*, [0-9] of 8 running \|" \
	"$check" $sock --state-dir "$tmp/state"
expect "a pattern that matches nothing: UNKNOWN" 3 "^SUPERVISOR UNKNOWN - no program matches 'nosuch'" \
	"$check" $sock --program nosuch --state-dir "$tmp/state"
expect "a group that matches nothing: UNKNOWN" 3 "^SUPERVISOR UNKNOWN - no group matches 'nosuch'" \
	"$check" $sock --group nosuch --state-dir "$tmp/state"

# The group of four: --min-running 2 with 4, 3 and 1 running.
for i in 0 1 2 3; do
	sup_wait "celery-worker:celery-worker_0$i" RUNNING || fail "celery-worker_0$i did not start"
done
expect "4 of 4 running: OK" 0 "^SUPERVISOR OK - 4 programs running \|.* supervisor_group_running_celery-worker=4;;2:;0 supervisor_group_running_pct_celery-worker=100%;100:;;0;100$" \
	"$check" $sock --group celery-worker --min-running 2 --state-dir "$tmp/state"
sup_ctl stop celery-worker:celery-worker_01 > /dev/null
sup_wait celery-worker:celery-worker_01 STOPPED || fail "celery-worker_01 did not stop"
expect "3 of 4 running: WARNING" 1 "^SUPERVISOR WARNING - celery-worker processes running: 75% \(< 100\), 3 of 4 running \|" \
	"$check" $sock --group celery-worker --min-running 2 --state-dir "$tmp/state"
expect "a STOPPED process is reported" 1 "^celery-worker:celery-worker_01: STOPPED for [0-9]+ s$" \
	"$check" $sock --group celery-worker --min-running 2 --state-dir "$tmp/state"
expect "a STOPPED process alone: OK" 0 "^SUPERVISOR OK - 3 of 4 running \|" \
	"$check" $sock --group celery-worker --state-dir "$tmp/state"
expect "--expect-running: a STOPPED process is CRITICAL" 2 \
	"^SUPERVISOR CRITICAL - celery-worker:celery-worker_01 STOPPED for [0-9]+ s, expected to run, 3 of 4 running \|" \
	"$check" $sock --group celery-worker --expect-running 'celery-worker:*' --state-dir "$tmp/state"
expect "--expect-running on another program: OK" 0 "^SUPERVISOR OK - 3 of 4 running" \
	"$check" $sock --group celery-worker --expect-running healthy --state-dir "$tmp/state"
expect "--min-running 75%: 3 of 4 is no CRITICAL" 1 "^SUPERVISOR WARNING - celery-worker processes running: 75% \(< 100\)" \
	"$check" $sock --group celery-worker --min-running 75% --state-dir "$tmp/state"
sup_ctl stop celery-worker:celery-worker_02 celery-worker:celery-worker_03 > /dev/null
sup_wait celery-worker:celery-worker_03 STOPPED || fail "celery-worker_03 did not stop"
expect "1 of 4 running: CRITICAL" 2 "^SUPERVISOR CRITICAL - celery-worker processes running: 1 \(< 2\), celery-worker processes running: 25% \(< 100\), 1 of 4 running \|" \
	"$check" $sock --group celery-worker --min-running 2 --state-dir "$tmp/state"
expect "an explicit -c replaces --min-running's" 1 "^SUPERVISOR WARNING - celery-worker processes running: 25% \(< 100\)" \
	"$check" $sock --group celery-worker --min-running 2 -c supervisor_group_running=1: --state-dir "$tmp/state"
expect "--program on GROUP:NAME" 0 "^SUPERVISOR OK - 1 program running \|" \
	"$check" $sock --program 'celery-worker:celery-worker_00' --state-dir "$tmp/state"

# The restart loop: each run sees its latest start time; the state file
# gathers them until more than --flap are within the window.
flapped=""
for _ in $(seq 60); do
	out=$("$check" $sock --program loop --flap 2 --state-dir "$tmp/state" 2>&1)
	if printf '%s\n' "$out" | head -1 | grep -Eq '^SUPERVISOR (WARNING|CRITICAL) - (.*, )?loop restarted [3-9] times in 10 min'; then
		flapped=1
		break
	fi
	sleep 1
done
if [ -n "$flapped" ]; then
	echo "ok: the restart loop is named: $(printf '%s\n' "$out" | head -1 | cut -d'|' -f1)"
else
	fail "the restart loop was never named; last output: $out"
fi
expect "without a state directory, restarts are not counted, and it says why" 0 \
	"^restarts: .*state directory" \
	"$check" $sock --program healthy --state-dir "$tmp/nonexistent"

# HTTP with basic authentication: the right password, and a wrong one, never shown.
printf 'right-password\n' > "$tmp/pw"
printf 'wrong-password\n' > "$tmp/badpw"
chmod 600 "$tmp/pw" "$tmp/badpw"
url=http://127.0.0.1:$http_port/RPC2
expect "http with the right password: OK" 0 "^SUPERVISOR OK - 1 program running" \
	"$check" -u "$url" --user vakt --password-file "$tmp/pw" --program healthy --state-dir "$tmp/state"
expect "http with a wrong password: CRITICAL, in words" 2 \
	"^SUPERVISOR CRITICAL - supervisord at 127\.0\.0\.1:$http_port refused the login \(HTTP 401\): check --user and --password-file$" \
	"$check" -u "$url" --user vakt --password-file "$tmp/badpw" --state-dir "$tmp/state"
expect_absent "the wrong password is not shown" 2 "wrong-password" \
	"$check" -u "$url" --user vakt --password-file "$tmp/badpw" --state-dir "$tmp/state"
expect "http without a login: CRITICAL" 2 "refused the login \(HTTP 401\)" \
	"$check" -u "$url" --state-dir "$tmp/state"
expect "--user without --url: usage error" 3 "--user goes with --url" \
	"$check" $sock --user vakt --password-file "$tmp/pw"
expect "https: usage error" 3 "supervisord serves only http://" "$check" -u https://127.0.0.1:9001/RPC2
expect "--socket and --url: usage error" 3 "exclude each other" "$check" $sock -u "$url"

# A server that accepts and never answers: CRITICAL within -t.
start_peer listen 127.0.0.1 16 0
hung=$peer_value
expect "hung server: CRITICAL within -t" 2 "^SUPERVISOR CRITICAL - timed out after 2 s: 127\.0\.0\.1:$hung did not answer supervisor\.getState$" \
	"$check" -u "http://127.0.0.1:$hung/RPC2" -t 2
expect "hung server: -t SECONDS:STATE" 3 "^SUPERVISOR UNKNOWN - timed out after 1 s" \
	"$check" -u "http://127.0.0.1:$hung/RPC2" -t 1:unknown

# supervisord gone: cannot connect, CRITICAL.
stop_pid "$sup_pid"
expect "supervisord stopped: the socket is gone, CRITICAL" 2 "^SUPERVISOR CRITICAL - cannot connect to $sup_sock: " \
	"$check" $sock
expect "supervisord stopped: connection refused over http, CRITICAL" 2 \
	"^SUPERVISOR CRITICAL - cannot connect to 127\.0\.0\.1:$http_port: Connection refused$" \
	"$check" -u "$url" --user vakt --password-file "$tmp/pw"
finish
