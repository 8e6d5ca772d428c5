# Helpers shared by the benchmark scripts (bench/agent.sh, broker.sh,
# proxy.sh, db.sh), which source this file once they know their directory:
# prerequisite checks, free loopback ports, stopping the servers they start,
# their temporary directory, and the hyperfine runs and goals of the check
# benchmarks. Messages name the script ($0); failures exit as the scripts
# document (2 for something missing, 1 for a run that fails).
# The variables set here are for the scripts, the others are theirs:
# shellcheck shell=bash disable=SC2034,SC2154

# set_builddir [BUILDDIR]: set builddir to BUILDDIR made absolute (default:
# the repository root above the script's directory, $here, for an in-tree
# build); exit 2 if there is no such directory.
set_builddir() {
	if ! builddir=$(cd "${1:-$here/..}" 2>/dev/null && pwd); then
		echo "$0: no such build directory: $1" >&2
		exit 2
	fi
}

# The need* checks set missing to 1 and go on, so that one run names every
# package to install; the script exits 2 after the last of them.
missing=0

need() { # need PROGRAM PACKAGE
	if ! command -v "$1" >/dev/null 2>&1; then
		echo "$0: $1 not found: apt-get install $2" >&2
		missing=1
	fi
}

need_file() { # need_file PATH WHAT: PATH must be executable, WHAT says how
	if [ ! -x "$1" ]; then
		echo "$0: $1 not found: $2" >&2
		missing=1
	fi
}

need_perl() { # need_perl MODULE PACKAGE
	if ! perl -M"$1" -e 1 2>/dev/null; then
		echo "$0: perl module $1 not found: apt-get install $2" >&2
		missing=1
	fi
}

# The ports free_port has handed out, each between spaces: a server started
# on one may not listen yet when the next is asked for.
ports_taken=" "

# free_port VAR...: set each VAR to a loopback port nobody listens on and
# that was not handed out before; fails if 200 tries find none. It sets
# variables rather than printing, because $(free_port) would record the
# port in a subshell and the next call could return it again.
free_port() {
	local var_ port_
	for var_; do
		for _ in $(seq 200); do
			port_=$((20000 + RANDOM % 40000))
			case $ports_taken in *" $port_ "*) continue ;; esac
			if ! (: </dev/tcp/127.0.0.1/"$port_") 2>/dev/null; then
				ports_taken+="$port_ "
				printf -v "$var_" %s "$port_"
				continue 2
			fi
		done
		echo "$0: no free port found" >&2
		return 1
	done
}

alive() { # alive PID: it runs (kill -0 also succeeds on a zombie)
	[ "$(sed 's/.*) //; s/ .*//' "/proc/$1/stat" 2>/dev/null || echo Z)" != Z ]
}

# stop PID: TERM, then wait until it is gone (or a zombie, which only its
# parent or init can reap), KILL after 10 s.
stop() {
	kill "$1" 2>/dev/null || return 0
	for _ in $(seq 100); do
		alive "$1" || return 0
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null || true
}

# drop_tmp DIR: the end of every cleanup; remove DIR, or with KEEP=1 say
# where it is.
drop_tmp() {
	if [ "${KEEP:-0}" = 1 ]; then
		echo "logs kept in $1" >&2
	else
		rm -rf "$1"
	fi
}

# stop_pids: the EXIT trap of a script that keeps the pids of the servers
# it started in the array pids and its files in $tmp: stop each, then
# drop_tmp.
# shellcheck disable=SC2317 # called by the EXIT trap
stop_pids() {
	local p
	for p in "${pids[@]}"; do
		stop "$p"
	done
	drop_tmp "$tmp"
}

ratio() { # ratio A B [FORMAT]: A / B in printf FORMAT (default %.1f), - if B is 0
	awk -v a="$1" -v b="$2" -v f="${3:-%.1f}" 'BEGIN { if (b == 0) print "-"; else printf f, a / b }'
}

# add KIND NAME ARGV...: a command of the check benchmarks: kinds[i] (ref,
# vakt or peer), names[i], cmds[i] (the argv %q-quoted, so that hyperfine
# -N, which splits words like a shell, and eval both see the same
# arguments) and shows[i] (the same for people).
add() {
	kinds+=("$1")
	names+=("$2")
	shift 2
	cmds+=("$(printf '%q ' "$@")")
	shows+=("$*")
}

# run_first I PATTERN WANT: run cmds[I] once, its output in $tmp/first.
# Unless it exits 0 and the output matches the extended regular expression
# PATTERN (any output if PATTERN is empty), show the output, saying that
# we want 0 and WANT, and set failed to 1.
run_first() {
	local rc=0
	eval "${cmds[$1]}" >"$tmp/first" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ] || { [ -n "$2" ] && ! grep -Eq "$2" "$tmp/first"; }; then
		echo "$0: ${names[$1]} exited $rc (want 0, $3):" >&2
		sed 's/^/  /' "$tmp/first" >&2
		failed=1
	fi
}

# measure PEER_KIND: time each command of the check benchmarks with
# hyperfine -N, after $warmup unmeasured runs: cmds[i] (named names[i]),
# $peer_runs times where kinds[i] is PEER_KIND, else $runs times. Sets
# wall[i] and sd[i] (mean and standard deviation, ms), nruns[i], outliers
# (how many saw outliers), load_start and load_end; the output of each
# command's last run is in $tmp/out/i. Exits 1 if hyperfine fails.
measure() {
	local i r
	load_start=$(cut -d' ' -f1-3 /proc/loadavg)
	wall=() sd=() nruns=() outliers=0
	for ((i = 0; i < ${#cmds[@]}; i++)); do
		r=$runs
		[ "${kinds[i]}" != "$1" ] || r=$peer_runs
		nruns+=("$r")
		echo "measuring ${names[i]} ($warmup warmup + $r runs)..." >&2
		# -i because a plugin exits 1 or 2 when a threshold is crossed; the
		# output of the last run is kept to show below.
		if ! hyperfine -N -i --style none --warmup "$warmup" --runs "$r" \
			--output "$tmp/out/$i" --export-json "$tmp/hf.$i.json" \
			-n "${names[i]}" "${cmds[i]}" >/dev/null 2>"$tmp/hf.$i.err"; then
			cat "$tmp/hf.$i.err" >&2
			exit 1
		fi
		if grep -q 'outliers were detected' "$tmp/hf.$i.err"; then
			outliers=$((outliers + 1))
		fi
		# hyperfine pretty-prints its JSON, one key a line.
		wall+=("$(awk -F': *' '/"mean":/ { sub(/,$/, "", $2); print $2 * 1000; exit }' "$tmp/hf.$i.json")")
		sd+=("$(awk -F': *' '/"stddev":/ { sub(/,$/, "", $2); print $2 * 1000; exit }' "$tmp/hf.$i.json")")
	done
	load_end=$(cut -d' ' -f1-3 /proc/loadavg)
}

# judge A OP GOAL B: is A >= GOAL x B (OP is >=) or A <= GOAL x B (OP is <=)?
# Sets verdict to met or missed and counts the goal in total, and in met
# when it is met.
judge() {
	total=$((total + 1))
	if awk -v a="$1" -v op="$2" -v g="$3" -v b="$4" \
		'BEGIN { exit !(op == ">=" ? (a >= g * b) : (a <= g * b)) }'; then
		verdict=met met=$((met + 1))
	else
		verdict=missed
	fi
}

# show_outputs: for each command but the references (kinds[i] ref), its
# command line and the output of its last measured run, with $tmp for the
# temporary directory.
show_outputs() {
	local i
	for ((i = 0; i < ${#cmds[@]}; i++)); do
		[ "${kinds[i]}" != ref ] || continue
		echo
		echo "\$ ${shows[i]//$tmp/\$tmp}"
		sed "s|$tmp|\$tmp|g" "$tmp/out/$i"
	done
}
