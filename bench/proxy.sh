#!/usr/bin/env bash
# Usage: bench/proxy.sh [BUILDDIR]
#
# Times vakt's web and proxy checks against the plugins they replace, on the
# same real servers, which it starts on free loopback ports: one nginx (its
# stub_status page, and the app and database servers behind HAProxy) and
# one HAProxy (4 app servers, 2 database replicas, all UP):
#   check_haproxy -H SOCKET  vs check_haproxy_stats -s SOCKET (Perl, socket)
#   check_haproxy -u URL;csv vs check_haproxy -u URL (Perl, LWP) and
#                            check_haproxy_stats -U URL (Perl, LWP::Simple);
#                            the Perl plugins are from Debian's
#                            monitoring-plugins-contrib
#   check_nginx              vs check_http from Monitoring Plugins, and the
#                            floor: bench/curl_get.c, one libcurl GET of the
#                            same page
# Each command is a whole process, as a monitoring server runs it, timed
# with hyperfine -N (no shell); the table shows the mean wall time and the
# ratio peer / vakt. Goals (from the issue): each HAProxy check at least 30x
# faster than each Perl plugin it replaces, and check_nginx within 1.2x of
# the libcurl floor. Three reference rows: an empty program (bench/empty.c),
# the same linked with libcurl, and curl_get. vakt's checks speak plain http
# themselves (lib/http1.c) and load libcurl only for https, so over http
# they come in under that floor; the row "empty + libcurl" shows why.
#
# BUILDDIR is where plugins/ was built (default: the repository root, for
# an in-tree build). Environment knobs:
#   RUNS              measured runs of each vakt check and reference (default: 50)
#   PEER_RUNS         measured runs of each Perl check (default: 20)
#   WARMUP            unmeasured runs of each first (default: 3)
#   GOAL              the ratio Perl / vakt to reach (default: 30)
#   FLOOR_GOAL        the ratio check_nginx / curl_get to stay within (default: 1.2)
#   CC                compiler for the floors (default: cc)
#   PERL_CHECK_HAPROXY   (default: /usr/lib/nagios/plugins/check_haproxy)
#   CHECK_HAPROXY_STATS  (default: /usr/lib/nagios/plugins/check_haproxy_stats)
#   CHECK_HTTP           (default: /usr/lib/nagios/plugins/check_http)
#   KEEP              set to 1 to keep the temporary directory (configurations, logs)
#
# This is a benchmark, not a test: it exits 0 whether or not the goals are
# met, 1 if a server does not start or a check fails (anything but OK), 2
# if a tool or program is missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
set_builddir "$@"
runs=${RUNS:-50}
peer_runs=${PEER_RUNS:-20}
warmup=${WARMUP:-3}
goal=${GOAL:-30}
floor_goal=${FLOOR_GOAL:-1.2}
cc=${CC:-cc}
perl_check_haproxy=${PERL_CHECK_HAPROXY:-/usr/lib/nagios/plugins/check_haproxy}
check_haproxy_stats=${CHECK_HAPROXY_STATS:-/usr/lib/nagios/plugins/check_haproxy_stats}
check_http=${CHECK_HTTP:-/usr/lib/nagios/plugins/check_http}
vakt_haproxy=$builddir/plugins/check_haproxy
vakt_nginx=$builddir/plugins/check_nginx

# --- Prerequisites: say which Debian package provides what is missing. ------
need hyperfine hyperfine
need "$cc" gcc
need curl curl
need perl perl
# nginx and haproxy are in /usr/sbin, which a PATH may lack.
PATH=$PATH:/usr/sbin
need nginx nginx
need haproxy haproxy
need_file "$perl_check_haproxy" "apt-get install monitoring-plugins-contrib"
need_file "$check_haproxy_stats" "apt-get install monitoring-plugins-contrib"
need_file "$check_http" "apt-get install monitoring-plugins-basic"
# monitoring-plugins-contrib only recommends the modules its check_haproxy
# cannot start without; check_haproxy_stats -U uses LWP::Simple when it is
# there (and runs the curl program otherwise).
if command -v perl >/dev/null 2>&1; then
	need_perl LWP::UserAgent libwww-perl
	need_perl Monitoring::Plugin libmonitoring-plugin-perl
	need_perl Locale::gettext liblocale-gettext-perl
fi
if command -v "$cc" >/dev/null 2>&1 && ! echo '#include <curl/curl.h>' | "$cc" -E -x c - >/dev/null 2>&1; then
	echo "$0: curl/curl.h not found: apt-get install libcurl4-openssl-dev" >&2
	missing=1
fi
need_file "$vakt_haproxy" "run make first (or pass BUILDDIR)"
need_file "$vakt_nginx" "run make first (or pass BUILDDIR)"
[ "$missing" = 0 ] || exit 2

# A proxy in the environment would take the Perl plugins' requests (LWP
# reads http_proxy and ignores no_proxy in check_haproxy) elsewhere; vakt's
# checks ignore it. Everything here talks to loopback.
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY

# --- Servers: started here, on free loopback ports, stopped on any exit. ----
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vakt-bench-proxy.XXXXXX")
ndir=$tmp/nginx hdir=$tmp/haproxy
mkdir "$tmp/state" "$tmp/out" "$ndir" "$hdir"
nginx_pid="" haproxy_pid=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	# A daemon may have written its pid file after we last looked.
	[ -n "$haproxy_pid" ] || haproxy_pid=$(cat "$hdir/haproxy.pid" 2>/dev/null || true)
	[ -n "$nginx_pid" ] || nginx_pid=$(cat "$ndir/nginx.pid" 2>/dev/null || true)
	[ -z "$haproxy_pid" ] || stop "$haproxy_pid"
	# nginx's master stops its workers before it exits.
	[ -z "$nginx_pid" ] || stop "$nginx_pid"
	drop_tmp "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

nport="" stats="" web="" db=""
free_port nport stats web db

# nginx (NOTES-services.md): stub_status, and "ok" at / for HAProxy's health
# checks. Everything it writes is in its directory; run as root its workers
# must stay root to reach it (mktemp's directory is 0700).
cat >"$ndir/nginx.conf" <<CONF
$([ "$(id -u)" = 0 ] && echo "user root;")
worker_processes 1;
daemon on;
pid $ndir/nginx.pid;
error_log $ndir/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $ndir/body;
	proxy_temp_path $ndir/proxy;
	fastcgi_temp_path $ndir/fastcgi;
	uwsgi_temp_path $ndir/uwsgi;
	scgi_temp_path $ndir/scgi;
	server {
		listen 127.0.0.1:$nport;
		location = /nginx_status { stub_status; }
		location = / { return 200 "ok\\n"; }
	}
}
CONF
echo "starting nginx on port $nport and haproxy (stats page on $stats)..." >&2
if ! nginx -q -p "$ndir" -e "$ndir/error.log" -c "$ndir/nginx.conf" >"$ndir/start.log" 2>&1; then
	echo "$0: nginx did not start:" >&2
	cat "$ndir/start.log" "$ndir/error.log" >&2 2>/dev/null || true
	exit 1
fi
for _ in $(seq 50); do
	[ -s "$ndir/nginx.pid" ] && curl -sf -o /dev/null "http://127.0.0.1:$nport/nginx_status" && break
	sleep 0.1
done
nginx_pid=$(cat "$ndir/nginx.pid" 2>/dev/null || true)
if [ -z "$nginx_pid" ] || ! curl -sf -o /dev/null "http://127.0.0.1:$nport/nginx_status"; then
	echo "$0: nginx does not answer on port $nport; its log:" >&2
	cat "$ndir/error.log" >&2 2>/dev/null || true
	exit 1
fi

# HAProxy: a web frontend with 4 app servers (HTTP health checks of /) and a
# TCP frontend with 2 database replicas (connect checks), all of them the
# nginx above, checked every second.
sock=$hdir/admin.sock
cat >"$hdir/haproxy.cfg" <<CONF
global
	stats socket $sock mode 600 level admin
	pidfile $hdir/haproxy.pid
	daemon
defaults
	mode http
	timeout connect 1s
	timeout client 10s
	timeout server 10s
listen stats
	bind 127.0.0.1:$stats
	stats enable
	stats uri /stats
frontend web
	bind 127.0.0.1:$web
	default_backend app
frontend db
	mode tcp
	bind 127.0.0.1:$db
	default_backend db_read
backend app
	option httpchk GET /
	server app1 127.0.0.1:$nport check inter 1s
	server app2 127.0.0.1:$nport check inter 1s
	server app3 127.0.0.1:$nport check inter 1s
	server app4 127.0.0.1:$nport check inter 1s
backend db_read
	mode tcp
	server replica1 127.0.0.1:$nport check inter 1s
	server replica2 127.0.0.1:$nport check inter 1s
CONF
if ! haproxy -q -f "$hdir/haproxy.cfg" >"$hdir/start.log" 2>&1; then
	echo "$0: haproxy did not start:" >&2
	cat "$hdir/start.log" >&2
	exit 1
fi
for _ in $(seq 50); do
	[ -s "$hdir/haproxy.pid" ] && [ -S "$sock" ] && break
	sleep 0.1
done
haproxy_pid=$(cat "$hdir/haproxy.pid" 2>/dev/null || true)
if [ -z "$haproxy_pid" ] || [ ! -S "$sock" ]; then
	echo "$0: haproxy made no stats socket; its output:" >&2
	cat "$hdir/start.log" >&2
	exit 1
fi

# show stat on the socket (perl's IO::Socket::UNIX, no socat needed).
show_stat() {
	perl -MIO::Socket::UNIX -e '
		my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "$ARGV[0]: $!\n";
		print $s "show stat\n";
		print while <$s>;' "$sock"
}
# Measure only once all six servers are UP with a passed health check: the
# Perl checks say CRITICAL for anything else, and vakt names servers on
# their way up.
up=0
for _ in $(seq 100); do
	up=$(show_stat 2>/dev/null | awk -F, '
		NR == 1 { sub(/^# /, ""); for (i = 1; i <= NF; i++) col[$i] = i; next }
		$col["type"] == 2 && $col["status"] == "UP" && $col["check_status"] ~ /^L[47]OK$/ { n++ }
		END { print n + 0 }')
	[ "$up" != 6 ] || break
	sleep 0.2
done
if [ "$up" != 6 ]; then
	echo "$0: $up of 6 servers UP after 20 s; show stat:" >&2
	show_stat >&2 || true
	exit 1
fi

# --- The commands. ------------------------------------------------------------
# The floors, built the way the plugins are (optimised, dynamically linked):
# an empty program, the same linked with libcurl (which vakt's checks load
# only for https, and which brings some thirty shared libraries with it in
# Debian), and one libcurl GET of nginx's status page.
"$cc" -O2 -o "$tmp/empty" "$here/empty.c"
"$cc" -O2 -o "$tmp/empty-libcurl" "$here/empty.c" -Wl,--no-as-needed -lcurl
"$cc" -O2 -o "$tmp/curl_get" "$here/curl_get.c" -lcurl

status_url=http://127.0.0.1:$nport/nginx_status
# kinds[i] is ref, vakt, perl (a Perl plugin: fewer runs, and a goal) or mp
# (Monitoring Plugins' check_http: compared, no goal); bases[i] is, for perl
# and mp rows, the row of the vakt check they are compared with. cmds[i] is the argv, %q-quoted so that
# hyperfine -N (which splits words like a shell) and eval both see the same
# arguments; shows[i] is the same for people.
kinds=() bases=() names=() cmds=() shows=()
last_vakt=""
add() { # add KIND NAME ARGV...
	kinds+=("$1")
	[ "$1" != vakt ] || last_vakt=${#kinds[@]}
	bases+=("$((${last_vakt:-1} - 1))")
	names+=("$2")
	shift 2
	cmds+=("$(printf '%q ' "$@")")
	shows+=("$*")
}
add ref "empty program" "$tmp/empty"
add ref "empty + libcurl" "$tmp/empty-libcurl"
add ref "curl_get nginx_status" "$tmp/curl_get" "$status_url"
floor=2
add vakt "vakt check_haproxy -H" "$vakt_haproxy" -H "$sock" -t 10 --state-dir "$tmp/state"
add perl "check_haproxy_stats -s" "$check_haproxy_stats" -s "$sock"
page_row=${#kinds[@]}
add vakt "vakt check_haproxy -u" "$vakt_haproxy" -u "http://127.0.0.1:$stats/stats;csv" -t 10 \
	--state-dir "$tmp/state"
add perl "Perl check_haproxy -u" "$perl_check_haproxy" -u "http://127.0.0.1:$stats/stats;csv" -t 10
# check_haproxy_stats adds ";csv" to the URL itself.
add perl "check_haproxy_stats -U" "$check_haproxy_stats" -U "http://127.0.0.1:$stats/stats"
add vakt "vakt check_nginx" "$vakt_nginx" -p "$nport" -t 10 --state-dir "$tmp/state"
nginx_row=$((${#kinds[@]} - 1))
add mp "MP check_http" "$check_http" -H 127.0.0.1 -p "$nport" -u /nginx_status -t 10
n=${#cmds[@]}

# --- Run each once first. ---------------------------------------------------
# A check that fails (a usage error, a refused connection) takes a shorter
# path than the real one and would flatter itself; all must exit 0, and the
# checks say OK. This also gives vakt's checks their previous sample, so
# the measured runs compute rates like every run after the first.
failed=0
for ((i = 0; i < n; i++)); do
	want=OK
	[ "${kinds[i]}" != ref ] || want=""
	run_first "$i" "$want" "and OK"
done
[ "$failed" = 0 ] || exit 1

# --- Wall time: hyperfine per command (the Perl checks get fewer runs). -------
measure perl

# --- Report. ----------------------------------------------------------------
echo
echo "vakt proxy checks vs the plugins they replace, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "$(uname -srm), $(nproc) CPUs; $(nginx -v 2>&1 | sed 's/^nginx version: //')," \
	"HAProxy $(haproxy -v | sed -n '1s/^HA-\{0,1\}Proxy version \([^ ]*\).*/\1/p')"
echo "6 servers UP behind HAProxy; hyperfine -N, mean of $runs runs ($peer_runs for the Perl checks) after $warmup warmup"
echo "load average before: $load_start, after: $load_end (a busy machine skews the ratios)"
echo
row() { printf '%-24s %5s %9s %7s %8s %12s\n' "$@"; }
row "command" "runs" "wall ms" "+- ms" "x empty" "peer / vakt"
row "-------" "----" "-------" "-----" "-------" "-----------"
for ((i = 0; i < n; i++)); do
	vs=""
	[ "${kinds[i]}" != perl ] && [ "${kinds[i]}" != mp ] || vs=$(ratio "${wall[i]}" "${wall[bases[i]]}")
	row "${names[i]}" "${nruns[i]}" "$(printf %.3f "${wall[i]}")" "$(printf %.3f "${sd[i]}")" \
		"$(ratio "${wall[i]}" "${wall[0]}")" "$vs"
done

echo
echo "Goals: each HAProxy check at least ${goal}x faster than each Perl plugin it replaces;"
echo "check_nginx within ${floor_goal}x of one libcurl GET of the same page."
met=0 total=0
for ((i = 0; i < n; i++)); do
	[ "${kinds[i]}" = perl ] || continue
	b=${bases[i]}
	judge "${wall[i]}" ">=" "$goal" "${wall[b]}"
	printf '%-7s %-22s %5sx faster than %s\n' "$verdict" "${names[b]}" \
		"$(ratio "${wall[i]}" "${wall[b]}")" "${names[i]}"
done
judge "${wall[nginx_row]}" "<=" "$floor_goal" "${wall[floor]}"
printf '%-7s %-22s %5sx the time of %s\n' "$verdict" "${names[nginx_row]}" \
	"$(ratio "${wall[nginx_row]}" "${wall[floor]}" %.2f)" "${names[floor]}"
echo "$met of $total goals met."
# The faster of the two Perl checks of the stats page.
fastest=$(for ((i = 0; i < n; i++)); do
	[ "${kinds[i]}" != perl ] || [ "${bases[i]}" != "$page_row" ] || echo "${wall[i]}"
done | sort -g | head -1)
echo "note: loading libcurl alone takes $(printf %.3f "${wall[1]}") ms here, so a check that loaded it" \
	"would be at most $(ratio "$fastest" "${wall[1]}")x faster than the faster Perl check of the stats page."
echo "      vakt's checks load it only for https; over http they send HTTP/1.0 themselves (lib/http1.c)."
echo "note: check_http (its own HTTP code, no libcurl) takes $(printf %.3f "${wall[nginx_row + 1]}") ms," \
	"$(ratio "${wall[nginx_row + 1]}" "${wall[nginx_row]}" %.2f)x the time of vakt check_nginx."
if [ "$outliers" -gt 0 ]; then
	echo "note: hyperfine saw timing outliers for $outliers of $n commands (other load on the machine?)."
fi

# What each check looked at: the output of its last measured run.
echo
echo "Output of each check (its last measured run):"
show_outputs
exit 0
