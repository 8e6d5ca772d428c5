#!/usr/bin/env bash
# Usage: bench/agent.sh [BUILDDIR]
#
# Serves the same body three ways and loads each with wrk, same settings:
#   vaktd          GET /metrics, rendered from its snapshot on every request
#   nginx          a copy of that /metrics body as a static file (same size)
#   node_exporter  prometheus-node-exporter's /metrics, collected per scrape
# and reports requests per second and p50/p99 latency, with vaktd's ratios
# to the other two. Then it sends vaktd at least a million more requests and
# compares its resident memory (VmRSS) before and after.
#
# Goals (from the issue): at least 0.5x nginx's throughput, at least 100x
# node_exporter's, resident memory under 8 MiB and flat (see FLAT_KIB).
#
# BUILDDIR is where agent/vaktd was built (default: the repository root, for
# an in-tree build). Environment knobs:
#   THREADS, CONNECTIONS  wrk -t and -c (default: 2, 8)
#   DURATION              wrk -d for each measured run (default: 10s)
#   WARMUP                wrk -d of an unmeasured run first (default: 2s)
#   ROUNDS                measured runs per server, interleaved; the median
#                         run by requests/s is reported (default: 3)
#   REQUESTS              requests for the memory run (default: 1000000)
#   FLAT_KIB              most VmRSS may grow over them (default: 256)
#   NGINX_WORKERS         nginx worker_processes (default: 2, the size of
#                         vaktd's thread pool)
#   NODE_EXPORTER         the node_exporter program
#                         (default: prometheus-node-exporter)
#   KEEP                  set to 1 to keep the temporary directory (logs)
#
# With more than 32 connections (vaktd's default max_connections_per_client)
# vaktd gets a configuration file setting max_connections_per_client to
# CONNECTIONS and max_connections to CONNECTIONS or 128, whichever is more;
# otherwise wrk's extra connections would be answered 503.
#
# This is a benchmark, not a test: it exits 0 whether or not the goals are
# met, 1 if a server fails to start or a run fails, 2 if a tool or program is
# missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
set_builddir "$@"
threads=${THREADS:-2}
connections=${CONNECTIONS:-8}
duration=${DURATION:-10s}
warmup=${WARMUP:-2s}
rounds=${ROUNDS:-3}
requests=${REQUESTS:-1000000}
flat_kib=${FLAT_KIB:-256}
nginx_workers=${NGINX_WORKERS:-2}
node_exporter=${NODE_EXPORTER:-prometheus-node-exporter}
vaktd=$builddir/agent/vaktd

# --- Prerequisites: say which Debian package provides what is missing. ------
need wrk wrk
need curl curl
need awk gawk
need "$node_exporter" prometheus-node-exporter
# nginx is in /usr/sbin, which a non-root PATH may lack.
nginx=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$nginx" ]; then
	echo "$0: nginx not found: apt-get install nginx" >&2
	missing=1
fi
need_file "$vaktd" "run make first (or pass BUILDDIR)"
[ "$missing" = 0 ] || exit 2

# --- Servers: started here, on free loopback ports, stopped on any exit. ----
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vakt-bench-agent.XXXXXX")
# nginx's workers drop to an unprivileged user and must reach the file.
chmod 755 "$tmp"
pids=()
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	drop_tmp "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_http() { # wait_http URL PID NAME: until URL answers 200, at most 10 s
	for _ in $(seq 100); do
		if curl -sf -o /dev/null "$1"; then
			return 0
		fi
		if ! kill -0 "$2" 2>/dev/null; then
			echo "$0: $3 exited at start; its log:" >&2
			cat "$tmp/$3.log" >&2
			exit 1
		fi
		sleep 0.1
	done
	echo "$0: $3 does not answer on $1" >&2
	exit 1
}

vport="" nport="" eport=""
free_port vport nport eport

vargs=(-f -l "127.0.0.1:$vport")
if [ "$connections" -gt 32 ]; then
	max=$((connections > 128 ? connections : 128))
	printf '[agent]\nmax_connections = %s\nmax_connections_per_client = %s\n' \
		"$max" "$connections" > "$tmp/vaktd.conf"
	vargs+=(-c "$tmp/vaktd.conf")
fi
"$vaktd" "${vargs[@]}" 2> "$tmp/vaktd.log" &
vpid=$!
pids+=("$vpid")
wait_http "http://127.0.0.1:$vport/health" "$vpid" vaktd
rss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$vpid/status"; }
hwm() { awk '$1 == "VmHWM:" { print $2 }' "/proc/$vpid/status"; }
rss_start=$(rss)

mkdir -p "$tmp/www" "$tmp/nginx"
curl -sf -o "$tmp/www/metrics" "http://127.0.0.1:$vport/metrics"
body=$(wc -c < "$tmp/www/metrics")
cat > "$tmp/nginx.conf" <<EOF
daemon off;
worker_processes $nginx_workers;
pid $tmp/nginx.pid;
error_log $tmp/nginx.log;
events { worker_connections 1024; }
http {
	access_log off;
	default_type "text/plain; version=0.0.4; charset=utf-8";
	client_body_temp_path $tmp/nginx/body;
	proxy_temp_path $tmp/nginx/proxy;
	fastcgi_temp_path $tmp/nginx/fastcgi;
	uwsgi_temp_path $tmp/nginx/uwsgi;
	scgi_temp_path $tmp/nginx/scgi;
	server {
		listen 127.0.0.1:$nport;
		root $tmp/www;
	}
}
EOF
"$nginx" -e "$tmp/nginx.log" -p "$tmp/nginx" -c "$tmp/nginx.conf" 2> "$tmp/nginx.stderr" &
pids+=($!)
wait_http "http://127.0.0.1:$nport/metrics" $! nginx

"$node_exporter" --web.listen-address="127.0.0.1:$eport" > "$tmp/node_exporter.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$eport/metrics" $! node_exporter

# --- Measure. ----------------------------------------------------------------
# Other work on the machine skews every number; the load average says so.
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
names=(vaktd nginx node_exporter)
urls=("http://127.0.0.1:$vport/metrics" "http://127.0.0.1:$nport/metrics"
	"http://127.0.0.1:$eport/metrics")

# One wrk run; prints "REQUESTS RPS P50_US P99_US ERRORS", or fails.
run_wrk() { # run_wrk DURATION URL
	local out
	out=$(wrk -t"$threads" -c"$connections" -d"$1" --latency "$2") || {
		echo "$0: wrk failed on $2" >&2
		return 1
	}
	awk '
	function us(t) { # "324.00us", "3.34ms", "1.02s", "1.50m" in microseconds
		if (t ~ /us$/) return t + 0
		if (t ~ /ms$/) return t * 1000
		if (t ~ /m$/) return t * 60000000
		if (t ~ /s$/) return t * 1000000
		return t + 0
	}
	$1 == "50%" { p50 = us($2) }
	$1 == "99%" { p99 = us($2) }
	/ requests in / { n = $1 }
	$1 == "Requests/sec:" { rps = $2 }
	/Socket errors:/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
	/Non-2xx or 3xx responses:/ { err += $NF }
	END {
		if (n == "" || rps == "") exit 1
		printf "%d %.2f %.0f %.0f %d\n", n, rps, p50, p99, err
	}' <<< "$out" || {
		echo "$0: cannot read wrk output for $2:" >&2
		echo "$out" >&2
		return 1
	}
}

echo "warming up ($warmup each)..." >&2
for i in 0 1 2; do
	run_wrk "$warmup" "${urls[$i]}" > /dev/null
done
rss_before=$(rss)

declare -A res
for r in $(seq "$rounds"); do
	for i in 0 1 2; do
		echo "round $r/$rounds: ${names[$i]} ($duration)..." >&2
		res[$i,$r]=$(run_wrk "$duration" "${urls[$i]}")
	done
done

# The median round by requests/s, for each server.
median() { # median INDEX
	local r
	for r in $(seq "$rounds"); do
		echo "${res[$1,$r]}"
	done | sort -k2,2g | awk -v m=$(((rounds + 1) / 2)) 'NR == m'
}
read -r _ v_rps v_p50 v_p99 v_err <<< "$(median 0)"
read -r _ n_rps n_p50 n_p99 n_err <<< "$(median 1)"
read -r _ e_rps e_p50 e_p99 e_err <<< "$(median 2)"

# The memory run: a million requests (or REQUESTS), in as many wrk runs as it
# takes, each sized by the throughput just measured.
rss_before_million=$(rss)
done_requests=0
m_err=0
while [ "$done_requests" -lt "$requests" ]; do
	left=$((requests - done_requests))
	secs=$(awk -v l="$left" -v r="$v_rps" 'BEGIN { s = int(l / r * 1.05) + 1; print s < 2 ? 2 : s }')
	echo "memory run: $left requests to go, ${secs}s..." >&2
	out=$(run_wrk "${secs}s" "${urls[0]}")
	read -r n _ _ _ err <<< "$out"
	done_requests=$((done_requests + n))
	m_err=$((m_err + err))
done
rss_after=$(rss)
rss_peak=$(hwm)
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# --- Report. -----------------------------------------------------------------
ms() { awk -v u="$1" 'BEGIN { printf "%.3f", u / 1000 }'; }
verdict() { [ "$1" = 1 ] && echo PASS || echo FAIL; }

echo
echo "vakt agent benchmark, $(date -u +%Y-%m-%d), $(uname -sr), $(nproc) CPUs"
echo "wrk -t$threads -c$connections -d$duration --latency, median of $rounds round(s);" \
	"body: vaktd's /metrics, $body bytes (node_exporter's is its own)"
echo "load average before: $load_start, after: $load_end (a busy machine skews the ratios)"
echo
echo "Ratios are vaktd's value over the other's: above 1 is more requests/s, or a longer latency."
printf '%-22s %10s %10s %10s %8s\n' "" "req/s" "p50 ms" "p99 ms" "errors"
printf '%-22s %10.0f %10s %10s %8s\n' "vaktd /metrics" "$v_rps" "$(ms "$v_p50")" "$(ms "$v_p99")" "$v_err"
printf '%-22s %10.0f %10s %10s %8s\n' "nginx static file" "$n_rps" "$(ms "$n_p50")" "$(ms "$n_p99")" "$n_err"
printf '%-22s %10.0f %10s %10s %8s\n' "node_exporter" "$e_rps" "$(ms "$e_p50")" "$(ms "$e_p99")" "$e_err"
printf '%-22s %10s %10s %10s\n' "vaktd / nginx" "$(ratio "$v_rps" "$n_rps" %.3g)" \
	"$(ratio "$v_p50" "$n_p50" %.3g)" "$(ratio "$v_p99" "$n_p99" %.3g)"
printf '%-22s %10s %10s %10s\n' "vaktd / node_exporter" "$(ratio "$v_rps" "$e_rps" %.3g)" \
	"$(ratio "$v_p50" "$e_p50" %.3g)" "$(ratio "$v_p99" "$e_p99" %.3g)"
for i in 0 1 2; do
	printf "%s" "${names[$i]} req/s by round:"
	for r in $(seq "$rounds"); do
		printf " %.0f" "$(awk '{ print $2 }' <<< "${res[$i,$r]}")"
	done
	echo
done
echo
echo "vaktd VmRSS: $rss_start KiB at start, $rss_before KiB after warm-up," \
	"$rss_before_million KiB before and $rss_after KiB after $done_requests requests" \
	"(peak VmHWM $rss_peak KiB; $m_err errors)"
echo
x_nginx=$(ratio "$v_rps" "$n_rps" %.3g)
x_exporter=$(ratio "$v_rps" "$e_rps" %.3g)
growth=$((rss_after - rss_before_million))
printf '%-50s %-16s %s\n' "goal" "measured" "result"
printf '%-50s %-16s %s\n' "throughput >= 0.5 x nginx" "${x_nginx}x" \
	"$(verdict "$(awk -v a="$v_rps" -v b="$n_rps" 'BEGIN { print (a >= 0.5 * b) }')")"
printf '%-50s %-16s %s\n' "throughput >= 100 x node_exporter" "${x_exporter}x" \
	"$(verdict "$(awk -v a="$v_rps" -v b="$e_rps" 'BEGIN { print (a >= 100 * b) }')")"
printf '%-50s %-16s %s\n' "VmRSS < 8 MiB (after, and peak)" "$rss_after/$rss_peak KiB" \
	"$(verdict "$((rss_after < 8192 && rss_peak < 8192))")"
printf '%-50s %-16s %s\n' "VmRSS flat: +<= $flat_kib KiB over $done_requests requests" \
	"$(printf '%+d KiB' "$growth")" "$(verdict "$((growth <= flat_kib))")"
exit 0
