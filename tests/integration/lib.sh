# Shared by the integration tests: run a built program and check its exit
# status and output. Source it; it defines $plugins, $tmp and the helpers.
set -u
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}
plugins=$top_builddir/plugins
# The agent start_vaktd runs; the end-to-end suite may point it at an installed one.
vaktd_bin=$top_builddir/agent/vaktd
tmp=$(mktemp -d)
failures=0
peers=""
# cleanup_hooks: names of functions cleanup runs first, for peers that a
# kill does not stop (start_rabbitmq adds one).
cleanup_hooks=""
cleanup() {
	local alive
	for h in $cleanup_hooks; do "$h"; done
	# CONT: a test may have stopped one (SIGSTOP) to make it hang.
	for p in $peers; do kill "$p" 2>/dev/null; kill -CONT "$p" 2>/dev/null; done
	# Up to 5 s for them to go: a server that writes its log on the way
	# out (redis-server) would recreate a file in $tmp behind rm.
	for _ in $(seq 50); do
		alive=""
		for p in $peers; do proc_alive "$p" && alive=1; done
		[ -z "$alive" ] && break
		sleep 0.1
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
# An interrupted test exits through cleanup too (dash runs the EXIT trap
# only on exit), or a RabbitMQ it started would outlive it.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

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
	if ! contract_output "$out"; then
		printf 'FAIL: %s: %s\n  output: %s\n' "$what" "$contract_why" "$out"
		failures=$((failures + 1))
		return
	fi
	printf 'ok: %s\n' "$what"
}

# contract_output OUTPUT: when OUTPUT is a plugin's answer ("NAME STATE - ..."),
# check what Nagios and Icinga 2 would choke on: a perfdata value U (Icinga
# rejects it), nan or inf in the text, "; " (Nagios turns ';' into ':'),
# and what outcheck finds (invalid UTF-8, control characters, perfdata
# a strict parser cannot read). Sets $contract_why and fails when one is
# there.
contract_output() {
	printf '%s\n' "$1" | head -1 | grep -Eq '^[A-Z0-9_-]+ (OK|WARNING|CRITICAL|UNKNOWN)( |$)' || return 0
	if ! contract_why=$(printf '%s\n' "$1" | "$top_builddir/tests/integration/outcheck"); then
		contract_why="outcheck: $contract_why"
	elif printf '%s\n' "$1" | head -1 | grep -Eq "=U(;| |\$)"; then
		contract_why="a perfdata value U"
	elif printf '%s\n' "$1" | grep -Eiq '(^|[^a-z0-9_])-?(nan|inf)([^a-z0-9_]|$)'; then
		contract_why="nan or inf in the text"
	elif printf '%s\n' "$1" | sed 's/ | .*//' | grep -q '; '; then
		contract_why="'; ' in the text, which Nagios shows as ': '"
	else
		return 0
	fi
	return 1
}

# check WHAT WANT GOT: a plain comparison with a readable failure.
check() {
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		printf 'FAIL: %s\n  want: %s\n  got:  %s\n' "$1" "$2" "$3"
		failures=$((failures + 1))
	fi
}

# expect_absent WHAT STATUS TEXT COMMAND...: COMMAND exits STATUS and its
# output does not hold TEXT (a secret, say); one ok or FAIL line.
expect_absent() {
	local what=$1 want=$2 text=$3 out rc
	shift 3
	out=$(timeout 30 "$@" 2>&1)
	rc=$?
	if [ "$rc" -ne "$want" ] || printf '%s\n' "$out" | grep -Fq -- "$text"; then
		printf 'FAIL: %s\n  status %s (want %s)\n  output: %s\n  must not hold: %s\n' \
			"$what" "$rc" "$want" "$out" "$text"
		failures=$((failures + 1))
		return
	fi
	printf 'ok: %s\n' "$what"
}

# expect_lines WHAT FILE ERE...: every extended regular expression must match
# a line of FILE (the agent's /metrics, say); one ok or FAIL line each.
expect_lines() {
	local what=$1 file=$2 re
	shift 2
	for re in "$@"; do
		if grep -Eq -- "$re" "$file"; then
			printf 'ok: %s matches %s\n' "$what" "$re"
		else
			fail "$what does not match $re"
		fi
	done
}

# rate_gap: let a rate's minimum interval (1 s, STATEFILE_MIN_INTERVAL in
# lib/statefile.h) pass since the last run kept its counters, so that the
# next run has a rate rather than "less than 1 s ago". Time passing is the
# condition itself here, not a guess at how long something takes.
rate_gap() {
	sleep 1
}

# start_peer NAME ARGS...: run holdsock in the background, wait for its line,
# and set $peer_pid and $peer_value (the port or pid it printed).
start_peer() {
	local out
	# A counter, not $RANDOM: /bin/sh scripts source this file too.
	peer_seq=$((${peer_seq:-0} + 1))
	out=$tmp/peer.$peer_seq
	"$top_builddir/tests/integration/holdsock" "$@" > "$out" &
	peer_pid=$!
	peers="$peers $peer_pid"
	peer_value=$(started "$out" "holdsock $*") || exit 1
}

# started FILE WHAT: wait up to 5 s for the "port P" or "pid P" line a test
# server writes to FILE when it is ready, and print P; fail naming WHAT.
started() {
	for _ in $(seq 100); do
		[ -s "$1" ] && break
		sleep 0.05
	done
	cut -d' ' -f2 < "$1" | grep . || { echo "FAIL: $2 did not start" >&2; return 1; }
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

# start_group NAME COMMAND...: run COMMAND in the background in a process
# group of its own, its output in $tmp/NAME.out, and set $group_pid; the
# group is stopped in cleanup. For daemons that fork helpers a kill of the
# daemon alone would leave running (nagios4's workers, icinga2's).
start_group() {
	local name=$1
	shift
	setsid "$@" > "$tmp/$name.out" 2>&1 < /dev/null &
	group_pid=$!
	groups="${groups:-} $group_pid"
	case " $cleanup_hooks " in
	*" stop_groups "*) ;;
	*) cleanup_hooks="stop_groups $cleanup_hooks" ;;
	esac
}

# stop_group PID: stop the process group PID leads (start_group's, or a
# daemon started with setsid): TERM (and CONT, for one a test stopped), and
# KILL what is left after 10 s.
stop_group() {
	[ -n "$1" ] || return 0
	kill -CONT -- "-$1" 2> /dev/null
	kill -- "-$1" 2> /dev/null
	for _ in $(seq 100); do
		kill -0 -- "-$1" 2> /dev/null || break
		sleep 0.1
	done
	kill -KILL -- "-$1" 2> /dev/null
	wait "$1" 2> /dev/null
	return 0
}

# stop_groups: cleanup's hook, for every start_group.
stop_groups() {
	local g
	for g in ${groups:-}; do
		stop_group "$g"
	done
}

fail() {
	printf 'FAIL: %s\n' "$1"
	failures=$((failures + 1))
}

# wait_lines FILE PATTERN [COUNT [SECONDS]]: until FILE holds COUNT
# (default 1) lines matching the extended regular expression PATTERN, for
# up to SECONDS (default 10); 1 when it does not (a FILE not there yet
# holds none).
wait_lines() {
	local n
	for _ in $(seq $((${4:-10} * 10))); do
		n=$(grep -Ec -- "$2" "$1" 2> /dev/null)
		[ "${n:-0}" -ge "${3:-1}" ] && return 0
		sleep 0.1
	done
	return 1
}

# start_vaktd CONFIG [SCHEME [CURL-ARGS...]]: run $vaktd_bin
# in the foreground on a free loopback port until /health answers (asked
# with CURL-ARGS, e.g. a token); set $port, $url and $vaktd_pid.
start_vaktd() {
	local conf=$1 scheme=${2:-http}
	shift
	[ $# -eq 0 ] || shift
	: > "$tmp/vaktd.log"
	for _ in 1 2 3 4 5; do
		port=$(pick_port) || break
		vaktd_on "$conf" "$port" "$scheme" "$@" && return 0
	done
	echo "FAIL: vaktd did not start"
	cat "$tmp/vaktd.log"
	exit 1
}

# wait_reaped PORT: until the server on loopback PORT holds no connection
# open or half-closed (every earlier client reaped), for up to 10 s; for
# tests that count a server's connections.
wait_reaped() {
	for _ in $(seq 100); do
		[ -z "$(ss -Htn state established state close-wait "( sport = :$1 )" 2> /dev/null)" ] && return 0
		sleep 0.1
	done
	fail "the server on port $1 still holds connections after 10 s"
}

# vaktd_on CONFIG PORT SCHEME [CURL-ARGS...]: run the agent as start_vaktd
# does on PORT (again, after a test stopped it); 1 when it does not answer.
vaktd_on() {
	local conf=$1
	port=$2
	url="$3://127.0.0.1:$port"
	shift 3
	"$vaktd_bin" -f -c "$conf" -l "127.0.0.1:$port" 2>> "$tmp/vaktd.log" &
	vaktd_pid=$!
	peers="$peers $vaktd_pid"
	for _ in $(seq 50); do
		curl -s -o /dev/null "$@" "$url/health" && return 0
		kill -0 "$vaktd_pid" 2> /dev/null || break
		sleep 0.1
	done
	kill "$vaktd_pid" 2> /dev/null
	wait "$vaktd_pid" 2> /dev/null
	return 1
}

# vaktd_stops_cleanly: SIGTERM the agent start_vaktd ran; it must exit 0
# with no sanitizer report in its log (in a sanitizer build, what it
# leaked or misread shows here); one ok or FAIL line.
vaktd_stops_cleanly() {
	local rc
	kill -TERM "$vaktd_pid"
	wait "$vaktd_pid"
	rc=$?
	if [ "$rc" -eq 0 ] && ! grep -q Sanitizer "$tmp/vaktd.log"; then
		echo "ok: SIGTERM stops cleanly"
	else
		fail "vaktd exited $rc"
		cat "$tmp/vaktd.log"
	fi
}

# sq ARG: ARG single-quoted, for a command line built for eval.
sq() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# same_verdict WHAT SED CHECK INSTANCE -- PLUGIN [CONNECT-ARGS...] -- [JUDGE-ARGS...]:
# the plugin run with CONNECT-ARGS and JUDGE-ARGS, and check_vakt --check
# CHECK [--instance INSTANCE] asking the agent on $port with the same
# JUDGE-ARGS (-w X, -c X, -v as they are, --NAME[=VALUE] as --option
# NAME[=VALUE]), give the same exit status and the same output, byte for
# byte after sed -E SED on both (for what two reads a moment apart cannot
# share: timing, rates, task counts; "" for nothing). The agent's metrics
# are up to an interval older than the plugin's read, so both are asked
# again until they agree, for up to 30 s.
same_verdict() {
	local what=$1 norm=$2 check=$3 instance=$4 pcmd="" vcmd p_raw p_out v_out p_rc v_rc deadline
	shift 4
	[ "${1:-}" = -- ] && shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		pcmd="$pcmd $(sq "$1")"
		shift
	done
	[ $# -gt 0 ] && shift
	vcmd="$(sq "$plugins/check_vakt") -H 127.0.0.1 -p $port --check $check"
	[ -n "$instance" ] && vcmd="$vcmd --instance $(sq "$instance")"
	while [ $# -gt 0 ]; do
		case $1 in
		-w | -c)
			pcmd="$pcmd $1 $(sq "$2")"
			vcmd="$vcmd $1 $(sq "$2")"
			shift
			;;
		-v) pcmd="$pcmd -v" vcmd="$vcmd -v" ;;
		--*)
			pcmd="$pcmd $(sq "$1")"
			vcmd="$vcmd --option $(sq "${1#--}")"
			;;
		*)
			fail "$what: same_verdict takes -w X, -c X, -v or --NAME[=VALUE], not '$1'"
			return
			;;
		esac
		shift
	done
	deadline=$(($(date +%s) + 30))
	while :; do
		p_raw=$(eval "timeout 30 $pcmd" 2>&1; echo "status $?")
		p_rc=${p_raw##*status }
		p_raw=${p_raw%status *}
		p_out=$(printf '%s\n' "$p_raw" | sed -E "$norm")
		v_out=$(eval "timeout 30 $vcmd" 2>&1; echo "status $?")
		v_rc=${v_out##*status }
		v_out=$(printf '%s\n' "${v_out%status *}" | sed -E "$norm")
		if [ "$p_rc" = "$v_rc" ] && [ "$p_out" = "$v_out" ] && contract_output "$p_raw"; then
			printf 'ok: %s (both: %s)\n' "$what" "$(printf '%s\n' "$p_out" | head -n 1)"
			return
		fi
		if [ "$(date +%s)" -ge "$deadline" ]; then
			printf 'FAIL: %s\n  plugin:     %s\n  status %s, output:\n%s\n  check_vakt: %s\n  status %s, output:\n%s\n' \
				"$what" "$pcmd" "$p_rc" "$p_out" "$vcmd" "$v_rc" "$v_out"
			failures=$((failures + 1))
			return
		fi
		sleep 0.3
	done
}

finish() {
	[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
	exit 0
}

# pick_port: print a random loopback port in 20000..59999 that no TCP
# socket uses, as far as ss(8) can tell; starters retry when they lose a race.
# No $RANDOM: lib.sh is also sourced by /bin/sh scripts.
pick_port() {
	local p
	for _ in $(seq 50); do
		p=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
		p=$((20000 + p % 40000))
		# Any TCP socket on it, not only a listener: a client port in
		# TIME_WAIT makes a server's bind fail as well (HAProxy's does).
		if command -v ss > /dev/null && [ -n "$(ss -Htan "sport = :$p" 2> /dev/null)" ]; then
			continue
		fi
		echo "$p"
		return 0
	done
	echo "FAIL: no free port found" >&2
	return 1
}

# fake_start WHAT FIRST-LINE: run the Python server whose first line is
# FIRST-LINE and the rest on stdin, on a free loopback port it prints as
# "port P"; sets $fake_port, and the server is killed in cleanup.
fake_start() {
	fake_seq=$((${fake_seq:-0} + 1))
	local py=$tmp/fake.$fake_seq.py
	{
		printf '%s\n' "$2"
		cat
	} > "$py"
	python3 "$py" > "$py.port" &
	peers="$peers $!"
	fake_port=$(started "$py.port" "the fake $1 server") || exit 1
}

# fake_tcp_start WHAT FIRST-LINE: fake_start for a TCP server whose stdin
# defines serve(c), called in a thread of its own for each connection c.
fake_tcp_start() {
	local body=$tmp/fake.tcp.$$.py
	{
		echo 'import socket, threading'
		cat
		cat << 'PY'
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
print("port", s.getsockname()[1], flush=True)
while True:
    threading.Thread(target=serve, args=(s.accept()[0],), daemon=True).start()
PY
	} > "$body"
	fake_start "$1" "$2" < "$body"
	rm -f "$body"
}

# start_fake_http ANSWERS: serve HTTP/1.1 on a free loopback port from
# python3 for answers no real server gives. ANSWERS is a Python dict
# {NAME: (STATUS, BODY[, {HEADER: VALUE}])}; a request is answered by the
# last segment of its path, before any "?" or ";" ("/x/garbage;csv" is
# "garbage"); other names get 404. Sets $fake_port; killed in cleanup.
start_fake_http() {
	fake_start HTTP "answers = $1" << 'PY'
import http.server
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        name = self.path.split("?")[0].split(";")[0].split("/")[-1]
        answer = answers.get(name, (404, "not found\n"))
        data = answer[1].encode()
        self.send_response(answer[0])
        for k, v in (answer[2] if len(answer) > 2 else {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *args):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print("port", s.server_address[1], flush=True)
s.serve_forever()
PY
}

# start_fake_tcp BYTES [HOLD]: a loopback server that reads what a client
# sends first, answers with BYTES (a Python bytes expression, b"-ERR x\r\n")
# and closes, after HOLD seconds (default 0): a service that is not the one
# a check expects, or one that keeps the connection open. Sets $fake_port.
start_fake_tcp() {
	fake_tcp_start TCP "answer, hold = $1, ${2:-0}" << 'PY'
import time
def serve(c):
    c.settimeout(1)
    try:
        c.recv(65536)
        c.sendall(answer)
        time.sleep(hold)
    except OSError:
        pass
    c.close()
PY
}

# start_nginx [SERVER-DIRECTIVES [HTTP-DIRECTIVES]]: start a private nginx (one
# worker, its files in a directory under $tmp) on a free loopback port, with
# stub_status at /nginx_status, "ok" at /, SERVER-DIRECTIVES added to its
# server block and HTTP-DIRECTIVES to its http block, "@PORT@" in them
# replaced by its port (worker_connections is $nginx_worker_connections,
# default 64); wait until it answers; set
# $nginx_port, $nginx_dir and $nginx_pid and stop it in cleanup.
start_nginx() {
	local d
	for _ in 1 2 3 4 5; do
		nginx_port=$(pick_port) || break
		d=$tmp/nginx.$nginx_port
		mkdir -p "$d"
		# Workers run as the tester (root in CI may give them its own files).
		cat > "$d/nginx.conf" << CONF
$([ "$(id -u)" = 0 ] && echo "user root;")
worker_processes 1;
daemon on;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections ${nginx_worker_connections:-64}; }
http {
	access_log off;
	client_body_temp_path $d/body;
	proxy_temp_path $d/proxy;
	fastcgi_temp_path $d/fastcgi;
	uwsgi_temp_path $d/uwsgi;
	scgi_temp_path $d/scgi;
	${2:-}
	server {
		listen 127.0.0.1:$nginx_port default_server;
		location = /nginx_status { stub_status; }
		location = / { return 200 "ok\\n"; }
		${1:-}
	}
}
CONF
		sed -i "s/@PORT@/$nginx_port/g" "$d/nginx.conf"
		nginx_on "$d"
		case $? in
		0) return 0 ;;
		2) continue ;;
		esac
		echo "FAIL: nginx did not start"
		cat "$d/start.log" "$d/error.log" 2> /dev/null
		exit 1
	done
	echo "FAIL: nginx did not start"
	exit 1
}

# nginx_on DIR: start the nginx of start_nginx's DIR (again, after a test
# stopped it) and wait until it answers on $nginx_port; set $nginx_pid and
# $nginx_dir. 2 when another port may do better (its port is taken, or it
# did not answer), 1 when it does not start.
nginx_on() {
	local d=$1
	rm -f "$d/nginx.pid"
	if ! nginx -q -c "$d/nginx.conf" -p "$d" > "$d/start.log" 2>&1; then
		grep -q 'Address already in use' "$d/start.log" "$d/error.log" 2> /dev/null && return 2
		return 1
	fi
	for _ in $(seq 50); do
		if [ -s "$d/nginx.pid" ] && curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/nginx_status"; then
			nginx_pid=$(cat "$d/nginx.pid")
			nginx_dir=$d
			peers="$peers $nginx_pid"
			return 0
		fi
		sleep 0.1
	done
	[ -s "$d/nginx.pid" ] && kill "$(cat "$d/nginx.pid")" 2> /dev/null
	return 2
}

# start_haproxy SECTIONS [GLOBAL]: start a private HAProxy (daemon) with an
# admin stats socket $haproxy_sock, GLOBAL lines added to its global section, a stats page on port $haproxy_http (/stats, and
# /stats;csv), health checks every 300 ms that change state at the first
# result, and SECTIONS (frontends and backends); wait until the socket
# answers; set $haproxy_dir and $haproxy_pid and stop it in cleanup.
start_haproxy() {
	local d deadline
	for _ in 1 2 3 4 5; do
		haproxy_http=$(pick_port) || break
		d=$tmp/haproxy.$haproxy_http
		mkdir -p "$d"
		haproxy_sock=$d/admin.sock
		cat > "$d/haproxy.cfg" << CONF
global
	stats socket $haproxy_sock mode 600 level admin
	pidfile $d/haproxy.pid
	daemon
${2:-}
defaults
	mode http
	timeout connect 1s
	timeout client 10s
	timeout server 10s
	default-server inter 300 fall 1 rise 1
listen stats
	bind 127.0.0.1:$haproxy_http
	stats enable
	stats uri /stats
$1
CONF
		# Not -q: it would hide the "cannot bind" of a port lost in a race.
		if ! haproxy -f "$d/haproxy.cfg" > "$d/start.log" 2>&1; then
			grep -Eq 'cannot bind|[Aa]ddress already in use' "$d/start.log" && continue
			echo "FAIL: haproxy did not start"
			cat "$d/start.log"
			exit 1
		fi
		# A deadline, not a count of tries: a loaded machine is slow to fork.
		deadline=$(($(date +%s) + 30))
		while [ "$(date +%s)" -lt "$deadline" ]; do
			if [ -s "$d/haproxy.pid" ] && [ -S "$haproxy_sock" ]; then
				haproxy_pid=$(cat "$d/haproxy.pid")
				haproxy_dir=$d
				peers="$peers $haproxy_pid"
				return 0
			fi
			sleep 0.1
		done
		echo "haproxy in $d: no pid file and stats socket after 30 s"
		cat "$d/start.log"
		[ -s "$d/haproxy.pid" ] && kill "$(cat "$d/haproxy.pid")" 2> /dev/null
	done
	echo "FAIL: haproxy did not start"
	exit 1
}

# haproxy_cmd COMMAND: run one command on the admin socket of start_haproxy
# and print its answer.
haproxy_cmd() {
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
while True:
    data = s.recv(65536)
    if not data:
        break
    sys.stdout.write(data.decode())
' "$haproxy_sock" "$1"
}

# haproxy_wait PROXY SERVER STATUS-RE: wait up to 10 s until the status of
# PROXY/SERVER in show stat matches STATUS-RE (extended, anchored).
haproxy_wait() {
	for _ in $(seq 100); do
		haproxy_cmd "show stat" | awk -F, -v p="$1" -v s="$2" \
			'$1 == p && $2 == s { print $18 }' | grep -Eq "^($3)\$" && return 0
		sleep 0.1
	done
	fail "$1/$2 never reached status /$3/: $(haproxy_cmd "show stat" | awk -F, -v p="$1" -v s="$2" '$1 == p && $2 == s { print $18 }')"
}

# start_redis [ARG...]: start a private redis-server without persistence on a
# free loopback port, its pid, log and dump files in $tmp and ARGs appended
# to its command line (e.g. --requirepass x; they override the defaults,
# which allow CONFIG SET dir and DEBUG from loopback); wait until it answers PING
# (PONG, or NOAUTH when it wants a password); set $redis_port and $redis_pid
# and kill it in cleanup. Exits 1 when it does not start.
start_redis() {
	local base
	for _ in 1 2 3 4 5; do
		redis_port=$(pick_port) || break
		base=$tmp/redis.$redis_port
		# redis-server checks its arguments before it daemonizes, so a
		# failure here is ours and no other port would help.
		# From loopback, protected configs (dir, dbfilename) may be set
		# and DEBUG used, so that a test can make a save fail under the
		# server or fill it with DEBUG POPULATE.
		if ! redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes \
			--save '' --appendonly no --dir "$tmp" --dbfilename "redis.$redis_port.rdb" \
			--enable-protected-configs local --enable-debug-command local \
			--pidfile "$base.pid" --logfile "$base.log" "$@" > "$base.out" 2>&1; then
			echo "FAIL: redis-server${*:+ $*} did not start"
			cat "$base.out"
			exit 1
		fi
		# The pid file appears only once the port is bound, so a PONG
		# after it comes from this server and not from another one that
		# already held the port.
		for _ in $(seq 50); do
			if [ -s "$base.pid" ]; then
				redis_pid=$(cat "$base.pid")
				case $(redis-cli -p "$redis_port" ping 2>&1) in
				PONG | NOAUTH*)
					peers="$peers $redis_pid"
					return 0
					;;
				esac
			fi
			grep -q 'Address already in use' "$base.log" 2> /dev/null && break
			sleep 0.1
		done
		[ -s "$base.pid" ] && kill "$(cat "$base.pid")" 2> /dev/null
	done
	echo "FAIL: redis-server${*:+ $*} did not start"
	cat "$tmp"/redis.*.log 2> /dev/null | tail -20
	exit 1
}

# start_rabbitmq [NODE]: start a private RabbitMQ with the management plugin
# on free loopback ports, named NODE (default vaktPORT@localhost), and wait
# until it has booted (3 to 10 s; on a loaded machine up to
# $VAKT_RABBITMQ_START seconds, default 180); set $rabbit_port (AMQP),
# $rabbit_http (the management API; user guest, password guest),
# $rabbit_node and $rabbit_dir, and stop it in cleanup. Statistics refresh
# every 0.5 s, so a depth shows soon after a publish. Run rabbitmqctl
# against it as rabbit_ctl ARGS, or with the variables of $rabbit_dir/env.
# Needs root (Debian's wrapper runs the server as user rabbitmq); skips
# (77) otherwise. When it does not start, print why (its own logs, which
# cleanup removes) and exit 1.
start_rabbitmq() {
	local dist dir
	if [ "$(id -u)" -ne 0 ]; then
		echo "start_rabbitmq needs root"
		[ "${VAKT_REQUIRE_ALL:-0}" = 1 ] && exit 1
		exit 77
	fi
	# mktemp made $tmp private; the rabbitmq user must pass through it.
	chmod o+x "$tmp"
	case " $cleanup_hooks " in
	*" stop_rabbitmqs "*) ;;
	*) cleanup_hooks="stop_rabbitmqs $cleanup_hooks" ;;
	esac
	for _ in 1 2 3; do
		if ! rabbit_port=$(pick_port) || ! rabbit_http=$(pick_port) || ! dist=$(pick_port); then
			break
		fi
		if [ "$rabbit_port" = "$rabbit_http" ] || [ "$dist" = "$rabbit_port" ] ||
			[ "$dist" = "$rabbit_http" ]; then
			continue
		fi
		dir=$tmp/rabbit.$dist
		mkdir "$dir"
		echo '[rabbitmq_management].' > "$dir/enabled_plugins"
		printf '%s\n' "listeners.tcp.default = 127.0.0.1:$rabbit_port" \
			"management.tcp.ip = 127.0.0.1" "management.tcp.port = $rabbit_http" \
			"loopback_users = none" "collect_statistics_interval = 500" > "$dir/rabbitmq.conf"
		rabbit_node=${1:-vakt$dist@localhost}
		printf '%s\n' "HOME='$dir'" "RABBITMQ_NODENAME='$rabbit_node'" \
			"RABBITMQ_DIST_PORT='$dist'" "RABBITMQ_MNESIA_BASE='$dir/mnesia'" \
			"RABBITMQ_LOG_BASE='$dir/log'" "RABBITMQ_ENABLED_PLUGINS_FILE='$dir/enabled_plugins'" \
			"RABBITMQ_PID_FILE='$dir/pid'" "RABBITMQ_CONFIG_FILE='$dir/rabbitmq'" > "$dir/env"
		chown -R rabbitmq:rabbitmq "$dir"
		rabbit_dir=$dir
		rabbit_dirs="${rabbit_dirs:-} $dir"
		rabbitmq_on && return 0
		stop_rabbitmq "$dir"
		# Other ports help only when one was taken (the AMQP, HTTP or distribution port).
		grep -qsi 'eaddrinuse\|address already in use\|dist_port_already_used' \
			"$dir/server.log" "$dir"/log/*.log || break
	done
	echo "FAIL: rabbitmq-server did not start"
	rabbit_logs
	exit 1
}

# rabbitmq_on: boot the node of the last start_rabbitmq (again, after a test
# stopped it) and wait until it runs, at most $VAKT_RABBITMQ_START seconds
# (default 180); 1 when it does not, with the reason in $rabbit_dir/await.log.
rabbitmq_on() {
	local wrapper ok=0 deadline left
	(
		set -a
		. "$rabbit_dir/env"
		exec rabbitmq-server
	) >> "$rabbit_dir/server.log" 2>&1 &
	wrapper=$!
	peers="$peers $wrapper"
	# The management API answers before the AMQP listener is up
	# (RabbitMQ starts client listeners last); await_startup covers
	# the rest. Asking for our node name rules out another server
	# that held the port first. A deadline, not a count of tries:
	# under load each curl may take its whole -m.
	deadline=$(($(date +%s) + ${VAKT_RABBITMQ_START:-180}))
	while [ "$(date +%s)" -lt "$deadline" ]; do
		kill -0 "$wrapper" 2> /dev/null || break
		# Erlang may linger over its crash dump: a failed start is over when it says so.
		grep -qs 'Kernel pid terminated' "$rabbit_dir/server.log" && break
		if curl -sf -m 2 -u guest:guest "http://127.0.0.1:$rabbit_http/api/overview" 2> /dev/null |
			grep -qF "\"node\":\"$rabbit_node\""; then
			ok=1
			break
		fi
		sleep 0.2
	done
	left=$((deadline - $(date +%s)))
	[ "$left" -ge 10 ] || left=10
	if [ "$ok" = 1 ] && rabbit_ctl await_startup --timeout "$left" > "$rabbit_dir/await.log" 2>&1; then
		return 0
	fi
	[ "$ok" = 1 ] || echo "rabbitmq-server did not answer on port $rabbit_http within ${VAKT_RABBITMQ_START:-180} s" > "$rabbit_dir/await.log"
	return 1
}

# rabbit_logs: print the tail of every log of every start_rabbitmq, for a
# start that failed (cleanup deletes them).
rabbit_logs() {
	local f
	for f in "$tmp"/rabbit.*/await.log "$tmp"/rabbit.*/server.log "$tmp"/rabbit.*/log/*.log; do
		[ -s "$f" ] || continue
		echo "--- ${f#"$tmp"/}:"
		tail -n 40 "$f"
	done
}

# rabbit_ctl ARG...: rabbitmqctl against the last start_rabbitmq's node.
rabbit_ctl() {
	(
		set -a
		. "$rabbit_dir/env"
		rabbitmqctl "$@"
	)
}

# stop_rabbitmq DIR: stop the node started in DIR and wait until it is gone;
# kill it when it does not answer.
stop_rabbitmq() {
	local pid
	(
		set -a
		. "$1/env"
		timeout 60 rabbitmqctl stop "$1/pid"
	) > /dev/null 2>&1 && return 0
	pid=$(cat "$1/pid" 2> /dev/null) || return 0
	kill "$pid" 2> /dev/null
	for _ in $(seq 50); do
		kill -0 "$pid" 2> /dev/null || return 0
		sleep 0.1
	done
	kill -9 "$pid" 2> /dev/null
}

# stop_rabbitmqs: cleanup's hook, for every start_rabbitmq.
stop_rabbitmqs() {
	local d
	for d in ${rabbit_dirs:-}; do
		[ -e "$d/pid" ] && stop_rabbitmq "$d"
	done
}

# proc_alive PID: true while PID runs (not gone, not a zombie waiting to be
# reaped: kill -0 succeeds on those).
proc_alive() {
	[ "$(sed 's/.*) //; s/ .*//' "/proc/$1/stat" 2> /dev/null || echo Z)" != Z ]
}

# sql_lines STATEMENT...: print each statement on a line of its own, ended
# by exactly one ";" (client commands such as "\c db" are left as they are).
sql_lines() {
	local s
	for s in "$@"; do
		case $s in
		\\*) printf '%s\n' "$s" ;;
		*) printf '%s;\n' "${s%;}" ;;
		esac
	done
}

# start_mariadb [OPTION...]: start a private mariadbd (with the OPTIONs
# given, e.g. --performance-schema=ON) on a free loopback port, its data
# directory, socket, pid file and error log in a directory under $tmp:
# InnoDB with a 16 MiB buffer pool and an 8 MiB redo log, no binary log, no
# name resolution, at most 50 connections, and row-lock waits that give up
# only after 120 s. root has no password (root@localhost over the socket,
# root@127.0.0.1 over TCP). Wait up to 30 s until it answers over its
# socket; set $mariadb_port, $mariadb_sock, $mariadb_dir and $mariadb_pid
# and stop it in cleanup. Run SQL in it as mariadb_sql. Exits 1 when it
# does not start.
start_mariadb() {
	local d user pid n
	mariadb_seq=$((${mariadb_seq:-0} + 1))
	d=$tmp/mariadb.$mariadb_seq
	mkdir -p "$d"
	# mariadbd refuses to run as root unless told to.
	user=""
	[ "$(id -u)" -ne 0 ] || user=--user=root
	# shellcheck disable=SC2086 # $user is one word or none
	if ! mariadb-install-db --no-defaults --datadir="$d/data" $user \
		--auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
		--innodb-buffer-pool-size=16M --innodb-log-file-size=8M > "$d/install.log" 2>&1; then
		echo "FAIL: mariadb-install-db did not make a data directory"
		tail -n 20 "$d/install.log"
		exit 1
	fi
	case " $cleanup_hooks " in
	*" stop_mariadbs "*) ;;
	*) cleanup_hooks="stop_mariadbs $cleanup_hooks" ;;
	esac
	n=0
	while [ "$n" -lt 5 ]; do
		n=$((n + 1))
		mariadb_port=$(pick_port) || break
		# shellcheck disable=SC2086
		mariadbd --no-defaults --datadir="$d/data" $user --socket="$d/sock" \
			--port="$mariadb_port" --bind-address=127.0.0.1 --pid-file="$d/pid" \
			--log-error="$d/error.log" --tmpdir="$d" --skip-name-resolve --skip-log-bin \
			--innodb-buffer-pool-size=16M --innodb-log-file-size=8M \
			--innodb-lock-wait-timeout=120 --innodb-flush-log-at-trx-commit=0 \
			--skip-innodb-doublewrite --innodb-temp-data-file-path=ibtmp1:1M:autoextend \
			--max-connections=50 "$@" > "$d/out" 2>&1 &
		pid=$!
		mariadb_pids="${mariadb_pids:-} $pid"
		# The socket is ours by its path, and mariadbd makes it only
		# after it has bound the TCP port.
		for _ in $(seq 300); do
			if mariadb --no-defaults -S "$d/sock" -uroot -e 'select 1' > /dev/null 2>&1; then
				mariadb_sock=$d/sock
				mariadb_dir=$d
				mariadb_pid=$pid
				return 0
			fi
			proc_alive "$pid" || break
			sleep 0.1
		done
		stop_mariadb "$pid"
		grep -q 'Address already in use' "$d/error.log" 2> /dev/null || break
		mv "$d/error.log" "$d/error.log.$mariadb_port"
	done
	echo "FAIL: mariadbd did not start"
	tail -n 20 "$d/error.log" "$d/out" 2> /dev/null
	exit 1
}

# mariadb_sql STATEMENT...: run the statements, one session, as root over
# the socket of the last start_mariadb, and print their results in batch
# mode without column names (-N -B). Stops at the first error and returns
# the client's exit status.
mariadb_sql() {
	sql_lines "$@" | mariadb --no-defaults -S "$mariadb_sock" -uroot -N -B
}

# stop_mariadb PID: ask a mariadbd to shut down and wait up to 10 s until it
# has; kill it when it has not.
stop_mariadb() {
	kill "$1" 2> /dev/null || return 0
	for _ in $(seq 100); do
		proc_alive "$1" || break
		sleep 0.1
	done
	proc_alive "$1" && kill -9 "$1" 2> /dev/null
	wait "$1" 2> /dev/null
	return 0
}

# stop_mariadbs: cleanup's hook, for every start_mariadb.
stop_mariadbs() {
	local p
	for p in ${mariadb_pids:-}; do
		stop_mariadb "$p"
	done
}

# pg_as_owner COMMAND...: run a PostgreSQL server program as the owner of
# its files: user postgres when we are root (initdb and postgres refuse to
# run as root), ourselves otherwise.
pg_as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		su -s /bin/sh -c 'cd / && exec "$@"' -- postgres pg_as_owner "$@"
	else
		"$@"
	fi
}

# start_postgres: start a private PostgreSQL 15 (/usr/lib/postgresql/15/bin)
# on a free loopback port, its data directory, log and socket in a
# directory of its own, with fsync off, 16 MB of shared buffers, at most
# 50 connections and log_lock_waits on. Connections over the socket are
# trusted; over TCP (127.0.0.1) they need a SCRAM password, and the
# superuser postgres has $pg_password. Wait until it accepts connections;
# set $pg_port, $pg_sock_dir (the socket's directory, for -H or psql -h)
# and $pg_dir, and stop it in cleanup. Run SQL in it as pg_sql. As root,
# the server runs as user postgres, which is let through $tmp. Exits 1 when
# it does not start.
start_postgres() {
	local bin=/usr/lib/postgresql/15/bin d n
	pg_seq=$((${pg_seq:-0} + 1))
	d=$tmp/pg.$pg_seq
	mkdir -p "$d"
	if [ "$(id -u)" -eq 0 ]; then
		# mktemp made $tmp private; postgres must reach its directory.
		chmod o+x "$tmp"
		chown postgres "$d"
		if ! pg_as_owner test -w "$d"; then
			# $tmp is below a directory postgres cannot pass (a
			# TMPDIR under /root, say): use one of its own in /tmp.
			rmdir "$d"
			d=$(mktemp -d /tmp/vakt-pg.XXXXXX) || exit 1
			chmod 755 "$d"
			chown postgres "$d"
			pg_outside="${pg_outside:-} $d"
		fi
	fi
	case " $cleanup_hooks " in
	*" stop_postgreses "*) ;;
	*) cleanup_hooks="stop_postgreses $cleanup_hooks" ;;
	esac
	pg_dirs="${pg_dirs:-} $d"
	if ! pg_as_owner "$bin/initdb" -D "$d/data" -A trust -U postgres --no-sync -E UTF8 \
		--locale=C > "$d/initdb.log" 2>&1; then
		echo "FAIL: initdb did not make a data directory"
		tail -n 20 "$d/initdb.log"
		exit 1
	fi
	# The file stays postgres's: > truncates it in place.
	printf '%s\n' 'local all all trust' 'host all all 127.0.0.1/32 scram-sha-256' \
		> "$d/data/pg_hba.conf"
	n=0
	while [ "$n" -lt 5 ]; do
		n=$((n + 1))
		pg_port=$(pick_port) || break
		if pg_as_owner "$bin/pg_ctl" -D "$d/data" -l "$d/log" -w -t 30 \
			-o "-k $d -p $pg_port -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=16MB -c max_connections=50 -c log_lock_waits=on" \
			start > "$d/start.log" 2>&1; then
			pg_sock_dir=$d
			pg_dir=$d
			pg_password=vakt-pg-$pg_port
			if ! pg_sql "alter role postgres password '$pg_password'" > /dev/null; then
				echo "FAIL: could not set the password of postgres"
				exit 1
			fi
			return 0
		fi
		stop_postgres "$d"
		grep -q 'Address already in use' "$d/log" 2> /dev/null || break
		mv "$d/log" "$d/log.$pg_port"
	done
	echo "FAIL: PostgreSQL did not start"
	tail -n 20 "$d/start.log" "$d/log" 2> /dev/null
	exit 1
}

# pg_sql STATEMENT...: run the statements, one session, as postgres over the
# socket of the last start_postgres, in database postgres (a "\c DB" among
# them changes that), and print their results unaligned without headers
# (psql -A -t). Stops at the first error and returns psql's exit status.
pg_sql() {
	sql_lines "$@" | psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$pg_sock_dir" -p "$pg_port" \
		-U postgres -d postgres
}

# stop_postgres DIR: stop the server of start_postgres's DIR at once
# (pg_ctl stop -m immediate) and wait until it is gone.
stop_postgres() {
	[ -e "$1/data/postmaster.pid" ] || return 0
	pg_as_owner /usr/lib/postgresql/15/bin/pg_ctl -D "$1/data" -m immediate -w -t 10 stop \
		> /dev/null 2>&1
	return 0
}

# stop_postgreses: cleanup's hook, for every start_postgres.
stop_postgreses() {
	local d
	for d in ${pg_dirs:-}; do
		stop_postgres "$d"
	done
	for d in ${pg_outside:-}; do
		rm -rf "$d"
	done
}

# hold_mysql NAME STATEMENT... / hold_pg NAME STATEMENT...: open a session
# as root (MariaDB, over the socket) or postgres (PostgreSQL, database
# postgres), run the statements in it and keep it open and idle, so that
# what it locks stays locked ("begin", "select * from t.a where id = 1 for
# update"). Return once the statements have run, or once the session waits
# for a lock (at most 10 s; otherwise a FAIL and 1). Set $hold_id to the
# session's MariaDB thread id or PostgreSQL backend pid. Its output goes
# to $tmp/hold.NAME.log. End it with release NAME; cleanup ends the rest.
hold_mysql() {
	local name=$1
	shift
	hold_prepare "$name" "select connection_id()" "$@" || return 1
	hold_run "$name" mysql_session_waits mariadb --no-defaults -S "$mariadb_sock" -uroot -N -B -n
}

hold_pg() {
	local name=$1
	shift
	hold_prepare "$name" "select pg_backend_pid()" "$@" || return 1
	hold_run "$name" pg_session_waits psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$pg_sock_dir" \
		-p "$pg_port" -U postgres -d postgres
}

# hold_prepare NAME STATEMENT...: write the input of a held session (the
# statements, then a marker that says they have run) to $tmp/hold.NAME.sql.
hold_prepare() {
	case $1 in
	"" | *[!A-Za-z0-9_.-]*)
		fail "hold: bad session name '$1'"
		return 1
		;;
	esac
	if [ -e "$tmp/hold.$1.pids" ]; then
		fail "hold: session $1 is already open"
		return 1
	fi
	local name=$1
	shift
	sql_lines "$@" "select 'vakt-hold-ready'" > "$tmp/hold.$name.sql"
}

# hold_run NAME WAITS CLIENT...: run CLIENT on the statements of hold_prepare
# fed through a FIFO that a sleep keeps open; wait until they have run or
# until WAITS ID says the session waits for a lock.
hold_run() {
	local h=$tmp/hold.$1 name=$1 waits=$2 feeder
	shift 2
	rm -f "$h.in" "$h.log"
	mkfifo "$h.in"
	"$@" < "$h.in" > "$h.log" 2>&1 &
	hold_pid=$!
	(
		cat "$h.sql"
		exec sleep 600
	) > "$h.in" &
	feeder=$!
	echo "$hold_pid $feeder" > "$h.pids"
	peers="$peers $hold_pid $feeder"
	case " $cleanup_hooks " in
	*" release_holds "*) ;;
	*) cleanup_hooks="release_holds $cleanup_hooks" ;;
	esac
	hold_id=""
	for _ in $(seq 100); do
		[ -n "$hold_id" ] || hold_id=$(sed -n '1{/^[0-9][0-9]*$/p;}' "$h.log")
		if grep -qx vakt-hold-ready "$h.log"; then
			# The id and the marker may both have come since the line above.
			hold_id=$(sed -n '1{/^[0-9][0-9]*$/p;}' "$h.log")
			return 0
		fi
		if [ -n "$hold_id" ] && "$waits" "$hold_id"; then
			return 0
		fi
		proc_alive "$hold_pid" || break
		sleep 0.1
	done
	fail "session $name neither ran its statements nor waits for a lock: $(cat "$h.log")"
	return 1
}

# mysql_session_waits ID / pg_session_waits PID: true when that session
# waits for a lock: InnoDB's LOCK WAIT, or a processlist state "Waiting
# for ... lock" (metadata and table locks); pg_stat_activity's Lock.
mysql_session_waits() {
	[ "$(mariadb_sql "select (select count(*) from information_schema.innodb_trx
		where trx_mysql_thread_id = $1 and trx_state = 'LOCK WAIT') +
		(select count(*) from information_schema.processlist
		where id = $1 and state like 'Waiting for%lock')" 2> /dev/null)" -gt 0 ] 2> /dev/null
}

pg_session_waits() {
	[ "$(pg_sql "select count(*) from pg_stat_activity where pid = $1 and
		wait_event_type = 'Lock'" 2> /dev/null)" -gt 0 ] 2> /dev/null
}

# release NAME: end the session of hold_mysql or hold_pg NAME (its client is
# killed, so the server rolls its transaction back and frees its locks; a
# test that needs them gone waits for that, e.g. wait_mysql_waiters 0).
release() {
	local h=$tmp/hold.$1 p pids rest
	if [ ! -e "$h.pids" ]; then
		fail "release: no session $1"
		return 1
	fi
	pids=$(cat "$h.pids")
	for p in $pids; do
		kill "$p" 2> /dev/null
	done
	for p in $pids; do
		wait "$p" 2> /dev/null
	done
	rest=""
	for p in $peers; do
		case " $pids " in
		*" $p "*) ;;
		*) rest="$rest $p" ;;
		esac
	done
	peers=$rest
	rm -f "$h.pids" "$h.in"
}

# release_holds: cleanup's hook, before the servers stop.
release_holds() {
	local f n
	for f in "$tmp"/hold.*.pids; do
		[ -e "$f" ] || continue
		n=${f#"$tmp"/hold.}
		release "${n%.pids}"
	done
}

# wait_mysql_waiters N / wait_pg_waiters N: wait up to 10 s until exactly N
# sessions wait for a lock (as mysql_session_waits and pg_session_waits
# count them); otherwise a FAIL naming what the server shows, and 1.
wait_mysql_waiters() {
	local n=""
	for _ in $(seq 100); do
		n=$(mariadb_sql "select (select count(*) from information_schema.innodb_trx
			where trx_state = 'LOCK WAIT') + (select count(*) from
			information_schema.processlist where state like 'Waiting for%lock')")
		[ "$n" = "$1" ] && return 0
		sleep 0.1
	done
	fail "MariaDB: $n sessions wait for a lock, not $1; sessions: $(mariadb_sql \
		"select id, user, command, time, state, info from information_schema.processlist where id <> connection_id()" |
		tr '\t\n' ' ;')"
	return 1
}

wait_pg_waiters() {
	local n=""
	for _ in $(seq 100); do
		n=$(pg_sql "select count(*) from pg_stat_activity where wait_event_type = 'Lock'")
		[ "$n" = "$1" ] && return 0
		sleep 0.1
	done
	fail "PostgreSQL: $n sessions wait for a lock, not $1; sessions: $(pg_sql \
		"select pid, state, wait_event_type, wait_event, query from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()" |
		tr '\n' ';')"
	return 1
}

# start_snmpd [LINE...]: start a private net-snmp snmpd as the AgentX
# master the tests register vaktd with, and wait until it answers. It runs
# as the current user in the foreground, with every file of its own in
# $tmp/snmpd: its snmpd.conf (LINEs appended, e.g. "agentXTimeout 5"), log,
# pid file, persistent state and the AgentX socket $agentx_socket. It
# serves SNMPv1/v2c, community public, to 127.0.0.1 on a free loopback UDP
# port, reads no configuration (-C) and no MIB file (-m '') of the host and
# writes nothing outside $tmp (SNMP_PERSISTENT_DIR). Sets $snmpd_port,
# $snmpd_pid and $agentx_socket; cleanup stops it. Exits 1 when it does not
# start. stop_snmpd stops it, snmpd_on "$snmpd_port" starts it again.
start_snmpd() {
	local line
	snmpd_dir=$tmp/snmpd
	agentx_socket=$snmpd_dir/agentx.sock
	mkdir -p "$snmpd_dir/state"
	: > "$snmpd_dir/extra.conf"
	for line in "$@"; do
		printf '%s\n' "$line" >> "$snmpd_dir/extra.conf"
	done
	for _ in 1 2 3 4 5; do
		snmpd_port=$(pick_port) || break
		# pick_port looks at TCP only.
		[ -z "$(ss -Huan "sport = :$snmpd_port" 2> /dev/null)" ] || continue
		snmpd_on "$snmpd_port" && return 0
	done
	echo "FAIL: snmpd did not start"
	tail -20 "$snmpd_dir/snmpd.log" "$snmpd_dir/snmpd.out" 2> /dev/null
	exit 1
}

# snmpd_on PORT: run the snmpd of start_snmpd on loopback UDP PORT (again,
# after stop_snmpd: a new process, AgentX on $agentx_socket, which a test
# may set before, e.g. to tcp:127.0.0.1:PORT) until it answers, for up to
# $VAKT_SNMPD_START seconds (default 30); 1 when it does not (the port was
# taken: it exits).
snmpd_on() {
	local deadline
	# agentXPerms: vaktd may run as another user than the test.
	# dontLogTCPWrappersConnects: no log line per request.
	cat > "$snmpd_dir/snmpd.conf" <<-EOC
		master agentx
		agentXSocket $agentx_socket
		agentXPerms 0777 0755
		agentaddress udp:127.0.0.1:$1
		rocommunity public 127.0.0.1
		dontLogTCPWrappersConnects yes
	EOC
	cat "$snmpd_dir/extra.conf" >> "$snmpd_dir/snmpd.conf"
	rm -f "$snmpd_dir/snmpd.pid"
	SNMP_PERSISTENT_DIR=$snmpd_dir/state snmpd -f -C -c "$snmpd_dir/snmpd.conf" -m '' -I -smux \
		-Lf "$snmpd_dir/snmpd.log" -p "$snmpd_dir/snmpd.pid" >> "$snmpd_dir/snmpd.out" 2>&1 &
	snmpd_pid=$!
	peers="$peers $snmpd_pid"
	deadline=$(($(date +%s) + ${VAKT_SNMPD_START:-30}))
	while [ "$(date +%s)" -lt "$deadline" ] && proc_alive "$snmpd_pid"; do
		# The pid file is written once the ports are open, so an answer
		# after it comes from this snmpd. sysUpTime.0, by number: Debian
		# ships no SNMPv2-MIB to name it.
		if [ -s "$snmpd_dir/snmpd.pid" ] && snmpget -v2c -c public -On -t 1 -r 0 \
			"127.0.0.1:$1" .1.3.6.1.2.1.1.3.0 2> /dev/null | grep -q 'Timeticks'; then
			return 0
		fi
		sleep 0.1
	done
	stop_snmpd
	return 1
}

# stop_snmpd: stop the snmpd of start_snmpd and wait until it is gone.
stop_snmpd() {
	[ -n "${snmpd_pid:-}" ] || return 0
	stop_pid "$snmpd_pid"
	snmpd_pid=""
}

# stop_pid PID: stop a process we started (TERM, and CONT for one a test
# stopped; KILL after 10 s) and wait until it is gone.
stop_pid() {
	kill -CONT "$1" 2> /dev/null
	kill "$1" 2> /dev/null
	for _ in $(seq 100); do
		proc_alive "$1" || break
		sleep 0.1
	done
	kill -KILL "$1" 2> /dev/null
	wait "$1" 2> /dev/null
	return 0
}

# find_mibs: find the MIB files net-snmp needs to read VAKT-MIB: the IETF's
# SMIv2 modules it imports from (SNMPv2-SMI, SNMPv2-TC, SNMPv2-CONF;
# Debian's smitools and snmp ship none of them, they are in the non-free
# snmp-mibs-downloader, but Debian's erlang-snmp has them; $VAKT_SMI_DIR
# names another directory) and NET-SNMP-MIB (netSnmpPlaypen; net-snmp's
# libsnmp-base). Sets $smi_dir and $netsnmp_dir to their directories and
# $mibdirs to those and templates/snmp, for the tools' -M "+$mibdirs"
# -m +VAKT-MIB; 1 when one is missing.
find_mibs() {
	local d src=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
	smi_dir=""
	for d in ${VAKT_SMI_DIR:-} /usr/share/snmp/mibs/ietf /usr/share/mibs/ietf /usr/lib/erlang/lib/snmp-*/mibs; do
		if ls "$d"/SNMPv2-SMI* "$d"/SNMPv2-TC* "$d"/SNMPv2-CONF* > /dev/null 2>&1; then
			smi_dir=$d
			break
		fi
	done
	netsnmp_dir=""
	for d in /usr/share/snmp/mibs /usr/local/share/snmp/mibs; do
		[ -r "$d/NET-SNMP-MIB.txt" ] && netsnmp_dir=$d && break
	done
	[ -n "$smi_dir" ] && [ -n "$netsnmp_dir" ] || return 1
	mibdirs=$smi_dir:$src/templates/snmp:$netsnmp_dir
}

# require_mibs: find_mibs, or skip (77) without them; fail when
# VAKT_REQUIRE_ALL=1.
require_mibs() {
	find_mibs && return 0
	echo "SNMPv2-SMI, SNMPv2-TC, SNMPv2-CONF or NET-SNMP-MIB not found (Debian: erlang-snmp, libsnmp-base)"
	[ "${VAKT_REQUIRE_ALL:-0}" = 1 ] && exit 1
	exit 77
}

# start_supervisord [CONF-LINES]: start a private supervisord (the
# supervisor package) with its unix socket $sup_sock and CONF-LINES (its
# [program:x] sections, an [inet_http_server]) after its own sections;
# wait until it answers; set $sup_dir, $sup_conf, $sup_sock and $sup_pid,
# and stop it in cleanup. The socket's mode is $sup_chmod (default 0700).
# Run supervisorctl against it as sup_ctl ARGS.
start_supervisord() {
	sup_dir=$tmp/supervisor
	sup_conf=$sup_dir/supervisord.conf
	sup_sock=$sup_dir/sock
	mkdir -p "$sup_dir"
	cat > "$sup_conf" <<-CONF
		[unix_http_server]
		file=$sup_sock
		chmod=${sup_chmod:-0700}
		[supervisord]
		logfile=$sup_dir/supervisord.log
		pidfile=$sup_dir/supervisord.pid
		childlogdir=$sup_dir
		[rpcinterface:supervisor]
		supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
		[supervisorctl]
		serverurl=unix://$sup_sock
		${1:-}
	CONF
	if ! supervisord -c "$sup_conf" > "$sup_dir/start.out" 2>&1; then
		echo "FAIL: supervisord did not start"
		cat "$sup_dir/start.out" "$sup_dir/supervisord.log" 2> /dev/null
		exit 1
	fi
	for _ in $(seq 100); do
		if [ -s "$sup_dir/supervisord.pid" ] && sup_ctl pid > /dev/null 2>&1; then
			sup_pid=$(cat "$sup_dir/supervisord.pid")
			peers="$peers $sup_pid"
			return 0
		fi
		sleep 0.1
	done
	echo "FAIL: supervisord did not answer"
	cat "$sup_dir/supervisord.log" 2> /dev/null | tail -20
	exit 1
}

# sup_programs PORT: the programs both Supervisor tests run, and an
# inet_http_server on loopback PORT with user vakt, password
# right-password: healthy (sleep), dies (/bin/false: BACKOFF, then FATAL)
# and a group celery-worker of four (sleep); for start_supervisord.
sup_programs() {
	cat <<-CONF
		[inet_http_server]
		port=127.0.0.1:$1
		username=vakt
		password=right-password
		[program:healthy]
		command=sleep 3600
		[program:dies]
		command=/bin/false
		startretries=1
		[program:celery-worker]
		command=sleep 3600
		process_name=%(program_name)s_%(process_num)02d
		numprocs=4
	CONF
}

sup_ctl() {
	supervisorctl -c "$sup_conf" "$@"
}

# sup_wait NAME STATE [SECONDS]: until supervisorctl says process NAME
# (GROUP:NAME) is in STATE, for up to SECONDS (default 20); 1 when not.
sup_wait() {
	for _ in $(seq $((${3:-20} * 10))); do
		sup_ctl status "$1" 2> /dev/null | grep -Eq "^$1 +$2( |$)" && return 0
		sleep 0.1
	done
	return 1
}
