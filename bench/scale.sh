#!/usr/bin/env bash
# Usage: bench/scale.sh [BUILDDIR]
#
# What vaktd costs per series: for each size in SERIES it opens half as many
# TCP listeners (tests/integration/holdsock, on 127.77.0.0/16; the [listen]
# collector gives two series each, listen_queue and listen_backlog), runs
# vaktd over them with the default collectors every INTERVAL seconds, and
# scrapes /metrics and /api/v1/metrics once a second for DURATION seconds,
# as a Prometheus and a dashboard would. It reports:
#   rss MiB      vaktd's resident memory (VmRSS) at the end
#   peak MiB     its high-water mark (VmHWM) over the run
#   B/series     (rss - rss with no listeners) / series: what a series costs
#   cpu %        of one core over the run (collections and scrapes)
#   collect s    the last [listen] collection's duration
#   /metrics s   median time to render and fetch /metrics (a new rendering
#                each second: the body is cached for one second only)
#   json s       the same for /api/v1/metrics
#   MiB          the size of each document
# Everything runs in a network namespace of its own (unshare -rn), so the
# host's other listeners neither count nor see the benchmark's.
#
# Goal (from the issue): memory and CPU grow with the data, well under 1 KB
# of memory per series.
#
# Environment knobs:
#   SERIES    sizes to measure (default: "10000 50000")
#   INTERVAL  collection interval, seconds (default: 5)
#   DURATION  seconds of scraping per size (default: 30)
#   VAKTD     another vaktd to measure (default: BUILDDIR/agent/vaktd), to
#             compare two builds
#   KEEP      set to 1 to keep the temporary directory (logs)
#
# This is a benchmark, not a test: it exits 0 whether or not the goal is met,
# 1 if vaktd fails to start or a scrape fails, 2 if a tool or program is
# missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
set_builddir "$@"
series=${SERIES:-10000 50000}
interval=${INTERVAL:-5}
duration=${DURATION:-30}
vaktd=${VAKTD:-$builddir/agent/vaktd}
holdsock=$builddir/tests/integration/holdsock

need curl curl
need awk gawk
need unshare util-linux
need ip iproute2
need_file "$vaktd" "run make first (or pass BUILDDIR)"
need_file "$holdsock" "run make check (or make tests/integration/holdsock) first"
[ "$missing" = 0 ] || exit 2

if [ -z "${VAKT_NETNS:-}" ]; then
	if ! unshare -rn true 2>/dev/null; then
		echo "$0: cannot make a network namespace (unshare -rn)" >&2
		exit 2
	fi
	VAKT_NETNS=1 exec unshare -rn "$0" "$@"
fi
ip link set lo up

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vakt-bench-scale.XXXXXX")
pids=()
trap stop_pids EXIT

cat >"$tmp/vaktd.conf" <<CONF
[collect]
interval = $interval
timeout = $interval
CONF

status_kib() { # status_kib PID FIELD: a VmRSS-like field of /proc/PID/status, in KiB
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

cpu_ticks() { # cpu_ticks PID: user + system clock ticks used so far
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

median() { # median: of the numbers on stdin, one a line
	sort -g | awk '{ v[NR] = $1 } END { print NR == 0 ? "-" : v[int((NR + 1) / 2)] }'
}

# start_vaktd: on a free port, until /health answers; sets vpid and url.
start_vaktd() {
	local port
	free_port port
	"$vaktd" -f -c "$tmp/vaktd.conf" -l "127.0.0.1:$port" 2>>"$tmp/vaktd.log" &
	vpid=$!
	pids+=("$vpid")
	url=http://127.0.0.1:$port
	for _ in $(seq 100); do
		curl -s -o /dev/null "$url/health" && return 0
		alive "$vpid" || break
		sleep 0.1
	done
	echo "$0: vaktd did not start; its log:" >&2
	cat "$tmp/vaktd.log" >&2
	exit 1
}

# listen_runs: how many [listen] collections have finished.
listen_runs() {
	curl -s "$url/metrics" | awk -F' ' '/^vakt_collector_runs_total\{collector="listen"\}/ { print $2 }'
}

# measure N: one size; appends a row to $tmp/rows.
measure() {
	local n=$1 hold=() t0 c0 c1 t1 rss hwm runs metrics_s json_s mb jb dur
	if [ "$n" -gt 0 ]; then
		"$holdsock" listeners 40000 $((n / 2)) >"$tmp/hold.$n" &
		hold=($!)
		pids+=("${hold[0]}")
		for _ in $(seq 600); do
			[ -s "$tmp/hold.$n" ] && break
			sleep 0.1
		done
		[ -s "$tmp/hold.$n" ] || {
			echo "$0: holdsock did not open $((n / 2)) listeners" >&2
			exit 1
		}
	fi
	start_vaktd
	# Two collections over the listeners, so that the run starts steady.
	runs=$(listen_runs)
	for _ in $(seq $((interval * 40))); do
		[ "$(listen_runs)" -ge $((runs + 2)) ] && break
		sleep 0.25
	done
	echo "measuring $n series for ${duration}s..." >&2
	: >"$tmp/metrics.$n"
	: >"$tmp/json.$n"
	c0=$(cpu_ticks "$vpid")
	t0=$(date +%s.%N)
	for _ in $(seq "$duration"); do
		curl -sf -o "$tmp/body.txt" -w '%{time_total} %{size_download}\n' "$url/metrics" \
			>>"$tmp/metrics.$n" || { echo "$0: /metrics failed" >&2; exit 1; }
		curl -sf -o "$tmp/body.json" -w '%{time_total} %{size_download}\n' "$url/api/v1/metrics" \
			>>"$tmp/json.$n" || { echo "$0: /api/v1/metrics failed" >&2; exit 1; }
		sleep 1
	done
	t1=$(date +%s.%N)
	c1=$(cpu_ticks "$vpid")
	rss=$(status_kib "$vpid" VmRSS)
	hwm=$(status_kib "$vpid" VmHWM)
	dur=$(curl -s "$url/metrics" |
		awk '/^vakt_collector_duration_seconds\{collector="listen"\}/ { print $2 }')
	metrics_s=$(cut -d' ' -f1 "$tmp/metrics.$n" | median)
	json_s=$(cut -d' ' -f1 "$tmp/json.$n" | median)
	mb=$(tail -n 1 "$tmp/metrics.$n" | awk '{ printf "%.1f", $2 / 1048576 }')
	jb=$(tail -n 1 "$tmp/json.$n" | awk '{ printf "%.1f", $2 / 1048576 }')
	echo "$n $rss $hwm $((c1 - c0)) $t0 $t1 $dur $metrics_s $json_s $mb $jb" >>"$tmp/rows"
	stop "$vpid"
	[ "${#hold[@]}" -eq 0 ] || stop "${hold[0]}"
}

: >"$tmp/rows"
measure 0
for n in $series; do
	measure "$n"
done

hz=$(getconf CLK_TCK)
printf 'vakt agent per series, %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
printf '%s, %s CPUs, %s\n' "$(uname -srm)" "$(nproc)" "$("$vaktd" -V)"
printf 'collectors: load, fds, listen, self every %ss; /metrics and /api/v1/metrics once a second\n\n' "$interval"
awk -v hz="$hz" '
	NR == 1 { base = $2 }
	BEGIN {
		printf "%8s %8s %8s %9s %6s %10s %10s %8s %9s %8s\n", "series", "rss MiB", "peak MiB",
			"B/series", "cpu %", "collect s", "/metrics s", "json s", "metrics MiB", "json MiB"
	}
	{
		per = $1 > 0 ? sprintf("%.0f", ($2 - base) * 1024 / $1) : "-"
		printf "%8d %8.1f %8.1f %9s %6.1f %10.3f %10.3f %8.3f %11s %8s\n", $1, $2 / 1024,
			$3 / 1024, per, 100 * $4 / hz / ($6 - $5), $7, $8, $9, $10, $11
	}' "$tmp/rows"
