#!/usr/bin/env bash
# Usage: bench/supervisor.sh [BUILDDIR]
#
# Times check_supervisor against what users run today to watch Supervisor
# and against the floor, on a real supervisord it starts with a private
# unix socket: a group of PROCS celery-worker processes (sleep), all
# RUNNING, the healthy case a monitoring server sees almost always.
#   check_supervisor       getState and getAllProcessInfo (one
#                          system.multicall), parsed with expat, judged
#   supervisorctl status   parsed by a shell script (a non-RUNNING line is
#                          CRITICAL), what sites wrap in NRPE; Debian has
#                          no check_supervisord (apt-cache search: none)
#   floor                  bench/supervisor_floor.c: one POST of
#                          getAllProcessInfo over the socket, the answer read
#                          to the end and not parsed
# Each command is a whole process, timed with hyperfine -N (no shell; the
# supervisorctl script through bash, as NRPE would run it); the table shows
# the mean wall time and the ratio to the floor. Goal (from the issue):
# check_supervisor within 1.3x of the floor.
#
# Environment knobs:
#   RUNS      measured runs of each command (default: 100)
#   WARMUP    unmeasured runs of each first (default: 5)
#   PROCS     processes in the group (default: 20)
#   GOAL      the ratio to the floor to stay within (default: 1.3)
#   CC        compiler for the floor (default: cc)
#   KEEP      set to 1 to keep the temporary directory
#
# This is a benchmark, not a test: it exits 0 whether or not the goal is
# met, 1 if supervisord does not start or a check fails, 2 if a tool or
# program is missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
set_builddir "$@"
runs=${RUNS:-100}
peer_runs=$runs
warmup=${WARMUP:-5}
procs=${PROCS:-20}
goal=${GOAL:-1.3}
cc=${CC:-cc}
vakt=$builddir/plugins/check_supervisor

need hyperfine hyperfine
need "$cc" gcc
need supervisord supervisor
need supervisorctl supervisor
need_file "$vakt" "run make first (or pass BUILDDIR)"
[ "$missing" = 0 ] || exit 2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vakt-bench-supervisor.XXXXXX")
mkdir "$tmp/state" "$tmp/out"
sup_pid=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	[ -z "$sup_pid" ] || stop "$sup_pid"
	drop_tmp "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$tmp/supervisord.conf" <<CONF
[unix_http_server]
file=$tmp/sock
[supervisord]
logfile=$tmp/supervisord.log
pidfile=$tmp/supervisord.pid
childlogdir=$tmp
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl=unix://$tmp/sock
[program:celery-worker]
command=sleep 36000
process_name=%(program_name)s_%(process_num)02d
numprocs=$procs
CONF
echo "starting supervisord with $procs processes..." >&2
supervisord -c "$tmp/supervisord.conf"
for _ in $(seq 300); do
	[ "$(supervisorctl -c "$tmp/supervisord.conf" status 2>/dev/null | grep -c ' RUNNING ')" = "$procs" ] && break
	sleep 0.1
done
sup_pid=$(cat "$tmp/supervisord.pid")
if [ "$(supervisorctl -c "$tmp/supervisord.conf" status | grep -c ' RUNNING ')" != "$procs" ]; then
	echo "$0: supervisord did not start its $procs processes:" >&2
	tail -n 20 "$tmp/supervisord.log" >&2
	exit 1
fi

# What a site wraps in NRPE: supervisorctl status, every line not RUNNING
# named, CRITICAL when there is one.
cat >"$tmp/supervisorctl-check" <<'SH'
#!/bin/bash
out=$(supervisorctl -c "$1" status 2>&1)
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
	echo "SUPERVISOR CRITICAL - supervisorctl: $out"
	exit 2
fi
bad=$(printf '%s\n' "$out" | awk '$2 != "RUNNING" { printf "%s%s %s", sep, $1, $2; sep = ", " }')
total=$(printf '%s\n' "$out" | grep -c .)
if [ -n "$bad" ]; then
	echo "SUPERVISOR CRITICAL - $bad"
	exit 2
fi
echo "SUPERVISOR OK - $total programs running"
SH
chmod +x "$tmp/supervisorctl-check"
"$cc" -O2 -o "$tmp/floor" "$here/supervisor_floor.c"
"$cc" -O2 -o "$tmp/empty" "$here/empty.c"

kinds=() names=() cmds=() shows=()
add ref "empty program" "$tmp/empty"
add ref "floor: one round trip" "$tmp/floor" "$tmp/sock"
add vakt "check_supervisor" "$vakt" -s "$tmp/sock" --state-dir "$tmp/state"
add peer "supervisorctl + sh" "$tmp/supervisorctl-check" "$tmp/supervisord.conf"
n=${#cmds[@]}

failed=0
run_first 1 "" "the floor's round trip"
run_first 2 "^SUPERVISOR OK - $procs programs running" "OK with $procs programs"
run_first 3 "^SUPERVISOR OK - $procs programs running" "OK with $procs programs"
[ "$failed" = 0 ] || exit 1

measure none

echo
echo "check_supervisor vs supervisorctl and the bare XML-RPC round trip, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "$(uname -srm), $(nproc) CPUs; supervisord $(supervisord --version), $procs processes RUNNING"
echo "hyperfine -N, mean of $runs runs after $warmup warmup"
echo "load average before: $load_start, after: $load_end (a busy machine skews the ratios)"
echo
row() { printf '%-24s %5s %9s %7s %9s\n' "$@"; }
row "command" "runs" "wall ms" "+- ms" "x floor"
row "-------" "----" "-------" "-----" "-------"
for ((i = 0; i < n; i++)); do
	row "${names[i]}" "${nruns[i]}" "$(printf %.3f "${wall[i]}")" "$(printf %.3f "${sd[i]}")" \
		"$(ratio "${wall[i]}" "${wall[1]}" %.2f)"
done
echo
met=0 total=0
judge "${wall[2]}" "<=" "$goal" "${wall[1]}"
echo "Goal: check_supervisor within ${goal}x of the floor: $verdict ($(ratio "${wall[2]}" "${wall[1]}" %.2f)x)."
echo "check_supervisor is $(ratio "${wall[3]}" "${wall[2]}")x faster than supervisorctl status + sh."
if [ "$outliers" -gt 0 ]; then
	echo "note: hyperfine saw timing outliers for $outliers of $n commands (other load on the machine?)."
fi
echo
echo "Output of each check (its last measured run):"
show_outputs
exit 0
