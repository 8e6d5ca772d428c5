#!/usr/bin/env bash
# Build the libFuzzer targets in tests/fuzz/ and run each for SECONDS
# (default 60) on a copy of its seed corpus. Exits 1 when a target crashes,
# leaks or breaks an invariant, printing the reproducing input in hex.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
#
# The targets are built by make (their sources are listed in Makefile.am) in
# a build directory configured with CC=clang --enable-fuzzing: $VAKT_BUILD_DIR
# when it is one, else $FUZZ_BUILD_DIR (default: build-fuzz at the top of the
# source tree), which this script configures when it has no Makefile yet
# (with $CC_FUZZ, default clang). The copies of the corpus, the inputs that
# failed and the logs go to tests/fuzz/run/ in that build directory.
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

# netstat is ~5 KB and the probe reads up to 16 KB; the others guess from the corpus.
# fuzz_vaktd_http: past 32 KiB libmicrohttpd answers 414 or 431 to anything.
declare -A extra=([fuzz_proc]="-max_len=16384" [fuzz_vaktd_http]="-max_len=40000")

# A build directory is a fuzzing one when configure was given --enable-fuzzing.
is_fuzzing_build() {
	[ -x "$1/config.status" ] && "$1/config.status" --config | grep -q -- "--enable-fuzzing"
}
if [ -n "${VAKT_BUILD_DIR:-}" ] && is_fuzzing_build "$VAKT_BUILD_DIR"; then
	build=$(cd "$VAKT_BUILD_DIR" && pwd)
else
	build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
	if [ ! -f "$build/Makefile" ]; then
		echo "== configure $build with CC=${CC_FUZZ:-clang} --enable-fuzzing"
		[ -x "$root/configure" ] || (cd "$root" && ./autogen.sh >/dev/null)
		mkdir -p "$build"
		(cd "$build" && "$root/configure" CC="${CC_FUZZ:-clang}" CFLAGS="-g -O1" \
			--enable-fuzzing >configure.log 2>&1) || {
			tail -n 5 "$build/configure.log" >&2
			echo "configuring $build failed: see $build/configure.log" >&2
			exit 2
		}
	fi
	build=$(cd "$build" && pwd)
	is_fuzzing_build "$build" || {
		echo "$build was not configured with --enable-fuzzing" >&2
		exit 2
	}
fi

# The targets this build has (Makefile.am's fuzz_targets), once make has
# brought the Makefile up to date (it says so on stdout).
make -s -C "$build" Makefile >/dev/null
known=$(make -s -C "$build" print-fuzz-targets)
if [ $# -gt 0 ]; then
	targets=("$@")
else
	targets=()
	for t in $known; do
		targets+=("${t##*/}")
	done
fi
for t in "${targets[@]}"; do
	case " $known " in
	*" tests/fuzz/$t "*) ;;
	*)
		echo "unknown target $t (known: $known)" >&2
		exit 2
		;;
	esac
done

echo "== build ${targets[*]} in $build"
make -s -C "$build" -j"$(nproc)" "${targets[@]/#/tests/fuzz/}"

work=$build/tests/fuzz/run
# Sanitizer reports must end the run so libFuzzer saves the input.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=()
for t in "${targets[@]}"; do
	bin=$build/tests/fuzz/$t
	rm -rf "$work/corpus/$t" "$work/artifacts/$t"
	mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
	cp "$fuzz/corpus/$t/"* "$work/corpus/$t/"

	echo "== $t: fuzz for ${seconds}s"
	rc=0
	# shellcheck disable=SC2086 # the extra options split on purpose
	"$bin" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$work/artifacts/$t/" ${extra[$t]:-} \
		"$work/corpus/$t" >"$work/$t.log" 2>&1 || rc=$?
	grep -E '^(Done|stat::number_of_executed_runs|stat::peak_rss_mb)|INFO: .*corpus' \
		"$work/$t.log" | tail -n 4 || true
	grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$work/$t.log" | tail -n 1 || true

	shopt -s nullglob
	crashes=("$work/artifacts/$t/"*)
	shopt -u nullglob
	if [ "$rc" -ne 0 ] || [ ${#crashes[@]} -gt 0 ]; then
		failed+=("$t")
		echo "!! $t FAILED (exit $rc); log: $work/$t.log"
		grep -E 'ERROR: |invariant violated|runtime error|SUMMARY' "$work/$t.log" | head -n 5 || true
		for c in "${crashes[@]}"; do
			echo "   input $c ($(wc -c <"$c") bytes), hex:"
			od -An -tx1 -v "$c" | head -n 16
			echo "   reproduce: $bin $c"
		done
	else
		echo "== $t: ok"
	fi
done

if [ ${#failed[@]} -gt 0 ]; then
	echo "FAILED: ${failed[*]} (inputs and logs: $work)"
	exit 1
fi
echo "all fuzz targets passed (${seconds}s each)"
