#!/bin/sh
# check_nginx against a real nginx on loopback: exact counters after known
# traffic, rates that move and restart with nginx, connections dropped when
# worker_connections runs out, pages that are not stub_status, a virtual
# host, basic authentication, HTTPS, the accept queue, and servers that are
# down, hung or answering garbage.
. "$(dirname "$0")/lib.sh"
require_built "$plugins/check_nginx"
require_tools nginx curl openssl python3

check=$plugins/check_nginx
state=$tmp/state
mkdir -p "$state"

# A self-signed certificate for 127.0.0.1, a password file for nagios:secret.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2> /dev/null
printf 'nagios:%s\n' "$(openssl passwd -apr1 secret)" > "$tmp/htpasswd"
printf 'secret\n' > "$tmp/password"
printf 'wrong\n' > "$tmp/wrong"
chmod 600 "$tmp/password" "$tmp/wrong"
tls_port=$(pick_port)

nginx_worker_connections=8 start_nginx "
		location = /html { default_type text/html; return 200 '<html><body>It works</body></html>'; }
		location = /moved { return 301 http://127.0.0.1:1/elsewhere; }
		location = /moved_here { absolute_redirect off; return 302 /nginx_status; }
		location = /auth_status { auth_basic vakt; auth_basic_user_file $tmp/htpasswd; stub_status; }" "
	server {
		listen 127.0.0.1:@PORT@;
		server_name status.example;
		location = /vhost_status { stub_status; }
	}
	server {
		listen 127.0.0.1:$tls_port ssl;
		ssl_certificate $tmp/cert.pem;
		ssl_certificate_key $tmp/key.pem;
		location = /nginx_status { stub_status; }
	}"
port=$nginx_port
url=http://127.0.0.1:$port/nginx_status

# stub_status counts its own request: the check sees what curl saw, plus one.
requests() { curl -s "$url" | sed -n 3p | awk '{print $3}'; }
expect "a quiet nginx: OK" 0 "^NGINX OK - 1 active connection \| nginx_active=1;;;0 nginx_reading=0;;;0 nginx_writing=1;;;0 nginx_waiting=0;;;0 " \
	"$check" -p "$port" --state-dir "$state"
for _ in $(seq 20); do curl -s -o /dev/null "http://127.0.0.1:$port/"; done
seen=$(requests)
expect "counters after 20 requests are exact" 0 "nginx_requests=$((seen + 1))c;;;0 " \
	"$check" -p "$port" --state-dir "$state"
for _ in $(seq 30); do curl -s -o /dev/null "http://127.0.0.1:$port/"; done
rate_gap
expect "traffic gives a request rate above 0" 0 "nginx_requests_rate=([1-9][0-9.]*|0\.[0-9]*[1-9][0-9]*);;;0" \
	"$check" -p "$port" --state-dir "$state"
expect "-u gives the same check" 0 "^NGINX OK - 1 active connection \|" "$check" -u "$url" --state-dir "$state"
expect "bare -w is active connections: WARNING" 1 "^NGINX WARNING - active connections: 1 \(> 0\)" \
	"$check" -p "$port" -w 0 -c 5
expect "METRIC=RANGE: CRITICAL on requests per connection" 2 "^NGINX CRITICAL - requests per connection: [0-9.]+ \(> 0\.5\)" \
	"$check" -p "$port" -c nginx_requests_per_conn=0.5
expect "response time in perfdata" 0 "nginx_response_time=[0-9.]+s;;;0" "$check" -p "$port"

# worker_connections 8: half-sent requests fill it (nginx cannot reuse
# them, as it does idle ones), and nginx drops the connections after them.
"$check" -p "$port" --state-dir "$state" > /dev/null
python3 -c '
import socket, sys, time
def connect():
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    try:
        s.sendall(b"GET / HTTP/1.1\r\n")
    except OSError:
        pass  # dropped already
    return s
held = [connect() for _ in range(8)]
time.sleep(0.3)
held += [connect() for _ in range(8)]
time.sleep(0.3)
' "$port"
rate_gap
expect "dropped connections: CRITICAL on their rate" 2 "^NGINX CRITICAL - connections dropped per second: [0-9.]+ \(> 0\)" \
	"$check" -p "$port" --state-dir "$state" -c nginx_dropped_rate=0

# A restart starts the counters again: no rate this time, and no nonsense.
kill "$nginx_pid"
for _ in $(seq 50); do [ -e "$nginx_dir/nginx.pid" ] || break; sleep 0.1; done
nginx -q -c "$nginx_dir/nginx.conf" -p "$nginx_dir"
for _ in $(seq 50); do curl -sf -o /dev/null "$url" && break; sleep 0.1; done
peers="$peers $(cat "$nginx_dir/nginx.pid")"
rate_gap
cp -r "$state" "$tmp/state.before"
expect_absent "after a restart the rate starts again: left out of the perfdata" 0 "nginx_requests_rate=" \
	"$check" -p "$port" --state-dir "$state"
expect "after a restart, long output says why" 0 "^nginx_requests_rate: no value, the counter went backwards \(a restart\?\), the next run will have one$" \
	"$check" -p "$port" --state-dir "$tmp/state.before"
"$check" -p "$port" --state-dir "$state" > /dev/null
rate_gap
expect "after a restart, rates come back" 0 "nginx_requests_rate=[0-9.]+;;;0" \
	"$check" -p "$port" --state-dir "$state"

# Rates that cannot lie (issue 14), on an nginx of their own that has room
# for fifty checks at once. rate_in FILE: the requests rate in a check's
# output, or nothing when it has none.
nginx_worker_connections=256 start_nginx
rport=$nginx_port
rurl=http://127.0.0.1:$rport/nginx_status
rate_in() { head -1 "$1" | grep -o 'nginx_requests_rate=[0-9.]*' | cut -d= -f2; }
# A counter in the state file that is negative, not whole or not a number
# is no sample: no rate, rather than 72920714988474.5 requests/s. The file
# is in version 1 of the format, as the issue found it (still read).
mkdir "$tmp/planted"
"$check" -p "$rport" --state-dir "$tmp/planted" > /dev/null
planted=$(ls "$tmp/planted"/check_nginx-*.state)
plant() {
	printf 'vakt-state 1\n%s\ntime %s\nnginx_requests -72920714988474\nnginx_accepts 1.5\nnginx_handled nan\nnginx_dropped 99999999999999999999\n' \
		"$(sed -n 2p "$planted")" "$(($(date +%s) - 10))" > "$planted.new"
	mv "$planted.new" "$planted"
}
plant
expect_absent "a negative counter planted in the state file: no rate" 0 "_rate=" \
	"$check" -p "$rport" --state-dir "$tmp/planted"
plant
expect "a negative counter planted in the state file: a first sample" 0 "^nginx_requests_rate: no value yet, first sample" \
	"$check" -p "$rport" --state-dir "$tmp/planted"
# Two runs a moment apart: the second has no rate made of the first one's
# request, it waits for samples at least 1 s apart. Should the machine be
# so slow that a second passed, the rate is still that one request over it.
mkdir "$tmp/apart"
"$check" -p "$rport" --state-dir "$tmp/apart" > /dev/null
"$check" -p "$rport" --state-dir "$tmp/apart" > "$tmp/apart.out"
r=$(rate_in "$tmp/apart.out")
if [ -z "$r" ] && grep -q "^nginx_requests_rate: no value yet, the previous run was less than 1 s ago (a rate needs samples at least 1 s apart)$" "$tmp/apart.out"; then
	echo "ok: two runs a moment apart: no rate yet, saying why"
elif [ -n "$r" ] && awk -v r="$r" 'BEGIN { exit !(r <= 1) }'; then
	echo "ok: two runs a second apart: one request over a second"
else
	fail "two runs a moment apart: $(cat "$tmp/apart.out")"
fi
# Fifty runs at once sharing a state file, while curl sends requests: each
# rate is over at least 1 s since a sample in this window, so none can be
# above every request nginx counted in it (the checks' own included) per
# second. Without the lock and the minimum interval they gave thousands.
mkdir "$tmp/burst"
before=$(curl -s "$rurl" | sed -n 3p | awk '{print $3}')
"$check" -p "$rport" --state-dir "$tmp/burst" > /dev/null
rate_gap
(for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$rport/"; done) &
load=$!
for i in $(seq 50); do
	"$check" -p "$rport" --state-dir "$tmp/burst" > "$tmp/burst.$i" &
done
wait
after=$(curl -s "$rurl" | sed -n 3p | awk '{print $3}')
bound=$((after - before))
rated=0
bad=""
for i in $(seq 50); do
	r=$(rate_in "$tmp/burst.$i")
	head -1 "$tmp/burst.$i" | grep -q "^NGINX OK - " || bad="$bad run $i: $(head -1 "$tmp/burst.$i");"
	[ -z "$r" ] && continue
	rated=$((rated + 1))
	awk -v r="$r" -v b="$bound" 'BEGIN { exit !(r >= 0 && r <= b) }' || bad="$bad run $i: $r requests/s;"
done
if [ -z "$bad" ] && [ "$rated" -gt 0 ]; then
	echo "ok: 50 runs sharing a state file: $rated rates, none above the $bound requests nginx counted per second"
else
	fail "50 runs sharing a state file ($rated rates, at most $bound/s):$bad"
fi

# An HTTP error or a redirect is CRITICAL, naming the status; a 200 page
# that is not stub_status is UNKNOWN (fail_state: the check cannot tell).
expect "HTML page: UNKNOWN" 3 "^NGINX UNKNOWN - http://127\.0\.0\.1:$port/html answered HTTP 200 with a page that is not nginx's stub_status \(.*\): \"<html><body>It works" \
	"$check" -p "$port" --uri /html
expect "404: CRITICAL" 2 "^NGINX CRITICAL - http://127\.0\.0\.1:$port/missing answered HTTP 404, expected 200 with nginx's stub_status page$" \
	"$check" -p "$port" --uri /missing
expect "redirect: CRITICAL, saying where to" 2 "answered HTTP 301, a redirect to http://127\.0\.0\.1:1/elsewhere, expected 200" \
	"$check" -p "$port" --uri /moved
expect "a redirect to a path names this server" 2 "answered HTTP 302, a redirect to http://127\.0\.0\.1:$port/nginx_status, expected 200" \
	"$check" -p "$port" --uri /moved_here

# A status page inside a virtual host.
expect "virtual host with --host-header: OK" 0 "^NGINX OK - " \
	"$check" -p "$port" --uri /vhost_status --host-header status.example
expect "virtual host without it: 404" 2 "answered HTTP 404" "$check" -p "$port" --uri /vhost_status

# Basic authentication, the password from a file or the environment.
expect "basic auth from a file: OK" 0 "^NGINX OK - " \
	"$check" -p "$port" --uri /auth_status --user nagios --password-file "$tmp/password"
expect "basic auth from NGINX_STATUS_PASSWORD: OK" 0 "^NGINX OK - " \
	env NGINX_STATUS_PASSWORD=secret "$check" -p "$port" --uri /auth_status --user nagios
expect "wrong password: CRITICAL 401" 2 "answered HTTP 401" \
	"$check" -p "$port" --uri /auth_status --user nagios --password-file "$tmp/wrong"

# HTTPS: verified against a CA file, refused without it, or not verified when asked.
expect "https with --ca-file: OK" 0 "^NGINX OK - " "$check" -p "$tls_port" --tls --ca-file "$tmp/cert.pem"
expect "https, untrusted certificate: CRITICAL" 2 "^NGINX CRITICAL - the TLS certificate of 127\.0\.0\.1:$tls_port is not trusted: .*--ca-file FILE" \
	"$check" -u "https://127.0.0.1:$tls_port/nginx_status"
expect "https --insecure: OK" 0 "^NGINX OK - " "$check" -p "$tls_port" --tls --insecure

# The kernel's accept queue of nginx's port.
expect "--listen-queue" 0 "listen_queue_127\.0\.0\.1:$port=0;;;0 listen_queue_pct_127\.0\.0\.1:$port=0%;;;0;100" \
	"$check" -p "$port" --listen-queue

# Down, hung, garbage.
expect "nginx down: CRITICAL" 2 "^NGINX CRITICAL - cannot connect to 127\.0\.0\.1:1: Connection refused$" "$check" -p 1
start_peer listen 127.0.0.1 16 0
hung=$peer_value
start=$(date +%s)
expect "nginx hung: CRITICAL within -t" 2 "^NGINX CRITICAL - timed out after 2 s: 127\.0\.0\.1:$hung did not answer the HTTP request$" "$check" -p "$hung" -t 2
[ $(($(date +%s) - start)) -le 3 ] || fail "the hung nginx took more than -t"
expect "nginx hung over https: the TLS handshake is the step named" 2 \
	"^NGINX CRITICAL - timed out after 1 s: 127\.0\.0\.1:$hung did not finish the TLS handshake$" \
	"$check" -u "https://127.0.0.1:$hung/status" -t 1
start_fake_tcp 'b"HTTP/1.1 200 OK\\r\\nContent-Length: 100\\r\\n\\r\\nActive connections: 1"' 10
expect "an answer that stops half-way: the step named" 2 \
	"^NGINX CRITICAL - timed out after 1 s: 127\.0\.0\.1:$fake_port did not finish its answer$" \
	"$check" -p "$fake_port" -t 1
expect "nginx hung: -t SECONDS:STATE" 3 "^NGINX UNKNOWN - timed out after 1 s: 127\.0\.0\.1:$hung did not answer the HTTP request$" "$check" -p "$hung" -t 1:unknown
start_fake_http '{"garbage": (200, "hello"), "empty": (200, ""),
	"lying": (200, "Active connections: 1 \nserver accepts handled requests\n 1 5 1 \nReading: 0 Writing: 1 Waiting: 0 \n")}'
for case in garbage empty lying; do
	expect "a server answering $case: UNKNOWN" 3 "^NGINX UNKNOWN - http://127\.0\.0\.1:$fake_port/$case answered HTTP 200 with a page that is not nginx's stub_status" \
		"$check" -p "$fake_port" --uri "/$case"
done

# Over plain http the check speaks HTTP/1.0 itself. An answer in chunks (an
# HTTP/1.1 server may send one anyway) is put together; one that contradicts
# itself, or is not HTTP at all (a Redis on the wrong port), is CRITICAL.
start_fake_http '{"chunked": (200, "".join("%x\r\n%s\r\n" % (len(p), p) for p in
	["Active connections: 2 \nserver accepts handled requests\n", " 7 7 9 \nReading: 0 Writing: 1 Waiting: 1 \n", ""]),
	{"Transfer-Encoding": "chunked"}),
	"contradicting": (200, "Active connections: 1 \n", {"Content-Length": "999"})}'
expect "an answer in chunks: OK" 0 "^NGINX OK - 2 active connections \\| .*nginx_accepts=7c;;;0 nginx_handled=7c;;;0 nginx_requests=9c;;;0" \
	"$check" -p "$fake_port" --uri /chunked
expect "two Content-Lengths: CRITICAL" 2 "^NGINX CRITICAL - 127\.0\.0\.1:$fake_port sent two different Content-Lengths$" \
	"$check" -p "$fake_port" --uri /contradicting
start_fake_tcp 'b"-ERR unknown command \x27GET\x27\r\n"'
expect "a server that is not HTTP: CRITICAL" 2 "^NGINX CRITICAL - 127\.0\.0\.1:$fake_port answered something that is not HTTP$" \
	"$check" -p "$fake_port"
# A server that keeps the connection open after a whole answer is not
# waited for: the answer ends at its Content-Length, or at its last chunk.
page='b"Active connections: 1 \nserver accepts handled requests\n 3 3 4 \nReading: 0 Writing: 1 Waiting: 0 \n"'
start_fake_tcp "(lambda p: b\"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s\" % (len(p), p))($page)" 60
expect "a server that does not close, Content-Length: OK" 0 "^NGINX OK - 1 active connection " \
	"$check" -p "$fake_port" -t 5
start_fake_tcp "(lambda p: b\"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n\" % (len(p), p))($page)" 60
expect "a server that does not close, chunks: OK" 0 "^NGINX OK - 1 active connection " \
	"$check" -p "$fake_port" -t 5

# libcurl is loaded for https only: with one that cannot be loaded, http
# still works and https says why.
mkdir "$tmp/nocurl"
: > "$tmp/nocurl/libcurl.so.4"
expect "http without libcurl: OK" 0 "^NGINX OK - " env LD_LIBRARY_PATH="$tmp/nocurl" "$check" -p "$port"
expect "https without libcurl: UNKNOWN, saying why" 3 "^NGINX UNKNOWN - cannot initialise libcurl: cannot load libcurl: .*libcurl\.so\.4" \
	env LD_LIBRARY_PATH="$tmp/nocurl" "$check" -p "$tls_port" --tls --insecure

# The agent: the same counters in /metrics, a virtual host, the check
# endpoint; a hung nginx only makes its own collector stale.
if [ -x "$top_builddir/agent/vaktd" ]; then
	cat > "$tmp/vaktd.conf" << EOF
[nginx web]
url = http://127.0.0.1:$port/nginx_status
interval = 1
[nginx vhost]
url = http://127.0.0.1:$port/vhost_status
host_header = status.example
interval = 1
[nginx hung]
url = http://127.0.0.1:$hung/nginx_status
interval = 1
timeout = 1
EOF
	nport=$port
	start_vaktd "$tmp/vaktd.conf"
	sleep 1.5
	curl -s "$url/metrics" > "$tmp/metrics"
	expect_lines "vaktd /metrics" "$tmp/metrics" \
		'^vakt_nginx_active\{target="web"\} [1-9]' \
		'^vakt_nginx_requests_total\{target="web"\} [1-9][0-9]*' \
		'^vakt_nginx_dropped_total\{target="web"\} 0' \
		'^vakt_nginx_response_time_seconds\{target="web"\} 0\.' \
		'^vakt_nginx_accepts_total\{target="vhost"\} [1-9]' \
		'^vakt_collector_up\{collector="nginx web",target="web"\} 1' \
		'^vakt_collector_up\{collector="nginx vhost",target="vhost"\} 1' \
		'^vakt_collector_up\{collector="nginx hung",target="hung"\} 0'
	expect "vaktd check endpoint on nginx" 0 "^VAKT WARNING - nginx_active\{target=web\} is [0-9]+ \(> 0\)" \
		curl -s "$url/api/v1/check/nginx_active?target=web&warning=0&format=nagios"
	# The same verdicts through the agent (check_vakt --check nginx): every
	# read moves nginx's counters and connections, so numbers are compared
	# as N. Each option set the plugin is run with has its counters from a
	# run before, as the agent has from its collection before.
	if [ -x "$plugins/check_vakt" ]; then
		n='s/[0-9]+(\.[0-9]+)?/N/g; s/N active connections?/N active connection/'
		mkdir -p "$tmp/agent"
		"$check" -p "$nport" --state-dir "$tmp/agent" > /dev/null
		"$check" -p "$nport" --uri /vhost_status --host-header status.example \
			--state-dir "$tmp/agent" > /dev/null
		rate_gap
		same_verdict "agent: the page" "$n" nginx web -- "$check" -p "$nport" --state-dir "$tmp/agent" --
		same_verdict "agent: over a threshold" "$n" nginx web -- "$check" -p "$nport" \
			--state-dir "$tmp/agent" -- -w 0 -c nginx_dropped_rate=0
		same_verdict "agent: a virtual host" "$n" nginx vhost -- "$check" -p "$nport" \
			--uri /vhost_status --host-header status.example --state-dir "$tmp/agent" --
		expect "the plugin reads nginx's accept queue" 0 "^NGINX OK - .* listen_queue_127\.0\.0\.1:$nport=" \
			"$check" -p "$nport" --listen-queue
		expect "the agent does not, and says so" 3 "^NGINX UNKNOWN - no accept queue: vaktd's \[nginx\] collector reads the stub_status page only, the host's accept queues are its \[listen\] collector's, [0-9]+ active connections? \|" \
			"$plugins/check_vakt" -H 127.0.0.1 -p "$port" --check nginx --instance web --option listen-queue
		expect "agent: where the page is is not the check's to choose" 3 "UNKNOWN - unknown option 'url'" \
			"$plugins/check_vakt" -H 127.0.0.1 -p "$port" --check nginx --instance web \
			--option "url=http://127.0.0.1:$nport/nginx_status"
	fi
fi

# Usage errors.
expect "-u and -H together" 3 "^NGINX UNKNOWN - give either -u URL or -H" "$check" -u "$url" -H 127.0.0.1
expect "-u that is not http" 3 "^NGINX UNKNOWN - invalid -u 'ftp://x'" "$check" -u ftp://x
expect "--uri without a slash" 3 "^NGINX UNKNOWN - invalid --uri 'x'" "$check" --uri x
expect "credentials in -u: UNKNOWN, not repeated" 3 "^NGINX UNKNOWN - invalid -u: the URL holds credentials, which would show in the process list and in messages: give the user and password file as options$" \
	"$check" -u "http://nagios:secret@127.0.0.1:$port/nginx_status"
expect "credentials in a -u that is wrong anyway: not repeated" 3 "^NGINX UNKNOWN - invalid -u: the URL holds credentials" \
	"$check" -u "ftp://nagios:secret@127.0.0.1:99999/nginx_status"
expect "a port out of range in -u" 3 "^NGINX UNKNOWN - invalid -u 'http://127\.0\.0\.1:70000/': port 70000 is out of range$" \
	"$check" -u "http://127.0.0.1:70000/"
expect "a line break in --host-header" 3 "^NGINX UNKNOWN - invalid --host-header: it holds a control character" \
	"$check" -p "$port" --host-header "$(printf 'a\r\nX-Evil: 1')"
finish
