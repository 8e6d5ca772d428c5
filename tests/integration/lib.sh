# Shared by the integration tests: run a built program and check its exit
# status and output. Source it; it defines $plugins, $tmp and the helpers.
set -u
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}
plugins=$top_builddir/plugins
tmp=$(mktemp -d)
failures=0
peers=""
cleanup() {
	for p in $peers; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# expect WHAT STATUS PATTERN COMMAND...: COMMAND must exit with STATUS and its
# output must match the extended regular expression PATTERN. Output is always
# checked for the contract's size limit and exit codes 0..3.
expect() {
	local what=$1 want=$2 pattern=$3 out rc
	shift 3
	out=$(timeout 30 "$@" 2>&1)
	rc=$?
	if [ "$rc" -ne "$want" ] || ! printf '%s\n' "$out" | grep -Eq -- "$pattern"; then
		printf 'FAIL: %s\n  command: %s\n  status %s (want %s)\n  output: %s\n  want:   /%s/\n' \
			"$what" "$*" "$rc" "$want" "$out" "$pattern"
		failures=$((failures + 1))
		return
	fi
	if [ "${#out}" -gt 8192 ]; then
		printf 'FAIL: %s: output is %s bytes\n' "$what" "${#out}"
		failures=$((failures + 1))
		return
	fi
	printf 'ok: %s\n' "$what"
}

# start_peer NAME ARGS...: run holdsock in the background, wait for its line,
# and set $peer_pid and $peer_value (the port or pid it printed).
start_peer() {
	local out=$tmp/peer.$RANDOM
	"$top_builddir/tests/integration/holdsock" "$@" > "$out" &
	peer_pid=$!
	peers="$peers $peer_pid"
	for _ in $(seq 100); do
		[ -s "$out" ] && break
		sleep 0.05
	done
	peer_value=$(cut -d' ' -f2 < "$out")
	[ -n "$peer_value" ] || { echo "FAIL: holdsock $* did not start"; exit 1; }
}

# require_tools TOOL...: skip (77) without them, fail when VAKT_REQUIRE_ALL=1.
require_tools() {
	for tool in "$@"; do
		command -v "$tool" > /dev/null && continue
		echo "$tool not installed"
		[ "${VAKT_REQUIRE_ALL:-0}" = 1 ] && exit 1
		exit 77
	done
}

# require_built PROGRAM...: the same for programs configure did not build.
require_built() {
	for prog in "$@"; do
		[ -x "$prog" ] && continue
		echo "$prog is not built"
		[ "${VAKT_REQUIRE_ALL:-0}" = 1 ] && exit 1
		exit 77
	done
}

fail() {
	printf 'FAIL: %s\n' "$1"
	failures=$((failures + 1))
}

# start_vaktd CONFIG [SCHEME [CURL-ARGS...]]: run $top_builddir/agent/vaktd
# in the foreground on a free loopback port until /health answers (asked
# with CURL-ARGS, e.g. a token); set $port, $url and $vaktd_pid.
start_vaktd() {
	local conf=$1 scheme=${2:-http}
	shift
	[ $# -eq 0 ] || shift
	for _ in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 40000))
		"$top_builddir/agent/vaktd" -f -c "$conf" -l "127.0.0.1:$port" 2> "$tmp/vaktd.log" &
		vaktd_pid=$!
		peers="$peers $vaktd_pid"
		url="$scheme://127.0.0.1:$port"
		for _ in $(seq 50); do
			curl -s -o /dev/null "$@" "$url/health" && return 0
			kill -0 "$vaktd_pid" 2> /dev/null || break
			sleep 0.1
		done
		kill "$vaktd_pid" 2> /dev/null
		wait "$vaktd_pid" 2> /dev/null
	done
	echo "FAIL: vaktd did not start"
	cat "$tmp/vaktd.log"
	exit 1
}

finish() {
	[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
	exit 0
}
