#!/usr/bin/env bash
# Build the libFuzzer targets in tests/fuzz/ and run each for SECONDS
# (default 60) on a copy of its seed corpus. Exits 1 when a target crashes,
# leaks or breaks an invariant, printing the reproducing input in hex.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
#
# Needs clang with libFuzzer (clang -fsanitize=fuzzer) and config.h from
# ./configure, found in $VAKT_BUILD_DIR (default: the repo root, for an
# in-tree build). Builds in $FUZZ_BUILD_DIR, or in a temporary directory
# that is removed when everything passed.
set -euo pipefail

seconds=${1:-60}
shift || true
case $seconds in
'' | *[!0-9]*)
	echo "usage: $0 [SECONDS] [TARGET...]" >&2
	exit 2
	;;
esac

root=$(cd "$(dirname "$0")/../.." && pwd)
fuzz=$root/tests/fuzz
cc=${CC_FUZZ:-clang}

# The library sources each target links (lib/ files are compiled directly).
declare -A srcs=(
	[fuzz_range]="lib/range.c lib/num.c lib/xalloc.c lib/state.c"
	[fuzz_num]="lib/num.c"
	[fuzz_proc]="lib/probe/load.c lib/probe/fds.c lib/probe/netstat.c lib/num.c lib/fileio.c
		     lib/metric.c lib/xalloc.c"
	[fuzz_output]="lib/output.c lib/perfdata.c lib/range.c lib/buf.c lib/num.c lib/state.c
		       lib/xalloc.c"
	[fuzz_redis_info]="lib/probe/redis_info.c lib/metric.c lib/num.c lib/xalloc.c"
	[fuzz_rabbitmq]="lib/probe/rabbitmq_json.c lib/metric.c lib/xalloc.c -ljson-c"
	[fuzz_haproxy_stat]="lib/probe/haproxy_stat.c lib/metric.c lib/num.c lib/xalloc.c"
	[fuzz_stub_status]="lib/probe/stub_status.c lib/metric.c lib/num.c lib/xalloc.c"
	[fuzz_http1]="lib/http1.c lib/buf.c lib/xalloc.c"
	[fuzz_checkwire]="lib/checkwire.c lib/buf.c lib/state.c lib/xalloc.c -ljson-c"
	[fuzz_vaktd_http]="agent/http.c agent/httpguard.c agent/conns.c agent/check.c agent/expose.c agent/snapshot.c
			   agent/conf.c agent/address.c agent/allow.c agent/log.c agent/stats.c agent/ratelog.c lib/buf.c lib/fileio.c
			   lib/http1.c lib/metric.c lib/metricdoc.c lib/num.c lib/output.c lib/perfdata.c
			   lib/range.c lib/sslmode.c lib/state.c lib/statefile.c lib/clock.c lib/xalloc.c
			   -lmicrohttpd -ljson-c"
)
# netstat is ~5 KB and the probe reads up to 16 KB; the others guess from the corpus.
# fuzz_vaktd_http: past 32 KiB libmicrohttpd answers 414 or 431 to anything.
declare -A extra=([fuzz_proc]="-max_len=16384" [fuzz_vaktd_http]="-max_len=40000")

if [ $# -gt 0 ]; then
	targets=("$@")
else
	targets=(fuzz_range fuzz_num fuzz_proc fuzz_output fuzz_redis_info fuzz_rabbitmq fuzz_haproxy_stat fuzz_stub_status fuzz_http1
		fuzz_vaktd_http fuzz_checkwire)
fi

configdir=$(cd "${VAKT_BUILD_DIR:-$root}" && pwd)
if [ ! -f "$configdir/config.h" ]; then
	echo "$configdir/config.h is missing: run ./autogen.sh && ./configure first" >&2
	exit 2
fi

if [ -n "${FUZZ_BUILD_DIR:-}" ]; then
	build=$FUZZ_BUILD_DIR
	keep=1
else
	build=$(mktemp -d "${TMPDIR:-/tmp}/vakt-fuzz.XXXXXX")
	keep=${FUZZ_KEEP:-0}
fi
mkdir -p "$build"

# Sanitizer reports must end the run so libFuzzer saves the input.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=()
cd "$root"
for t in "${targets[@]}"; do
	if [ -z "${srcs[$t]+set}" ]; then
		echo "unknown target $t" >&2
		exit 2
	fi
	echo "== $t: build"
	# shellcheck disable=SC2086 # the source lists split on purpose
	"$cc" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-I lib -I agent -I "$configdir" -I tests/fuzz -o "$build/$t" "tests/fuzz/$t.c" ${srcs[$t]} -lm -lpthread

	rm -rf "$build/corpus/$t" "$build/artifacts/$t"
	mkdir -p "$build/corpus/$t" "$build/artifacts/$t"
	cp "$fuzz/corpus/$t/"* "$build/corpus/$t/"

	echo "== $t: fuzz for ${seconds}s"
	rc=0
	# shellcheck disable=SC2086
	"$build/$t" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$build/artifacts/$t/" ${extra[$t]:-} \
		"$build/corpus/$t" >"$build/$t.log" 2>&1 || rc=$?
	grep -E '^(Done|stat::number_of_executed_runs|stat::peak_rss_mb)|INFO: .*corpus' \
		"$build/$t.log" | tail -n 4 || true
	grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$build/$t.log" | tail -n 1 || true

	shopt -s nullglob
	crashes=("$build/artifacts/$t/"*)
	shopt -u nullglob
	if [ "$rc" -ne 0 ] || [ ${#crashes[@]} -gt 0 ]; then
		failed+=("$t")
		echo "!! $t FAILED (exit $rc); log: $build/$t.log"
		grep -E 'ERROR: |invariant violated|runtime error|SUMMARY' "$build/$t.log" | head -n 5 || true
		for c in "${crashes[@]}"; do
			echo "   input $c ($(wc -c <"$c") bytes), hex:"
			od -An -tx1 -v "$c" | head -n 16
			echo "   reproduce: $build/$t $c"
		done
	else
		echo "== $t: ok"
	fi
done

if [ ${#failed[@]} -gt 0 ]; then
	echo "FAILED: ${failed[*]} (build dir kept: $build)"
	exit 1
fi
echo "all fuzz targets passed (${seconds}s each)"
if [ "$keep" = 0 ]; then
	rm -rf "$build"
fi
