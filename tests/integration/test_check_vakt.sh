#!/bin/bash
# check_vakt against a real vaktd on a loopback port: its output and exit
# status are the check endpoint's, byte for byte, for OK, WARNING, CRITICAL
# and an unknown metric (a peer holds exactly 40 descriptors); a bad range
# is a usage error before any request; a closed port, an agent that never
# answers, the bearer token (none, wrong, right) and TLS (trusted with --ca,
# refused without it); with python3, a fake agent for the answers vaktd never
# gives (garbage, JSON that is not a check result, too much, HTTP 500).
. "$(dirname "$0")/lib.sh"
vaktd=$top_builddir/agent/vaktd
check_vakt=$plugins/check_vakt

require_tools curl jq openssl ss
require_built "$vaktd" "$check_vakt"

# wait_collected [CURL-ARGS...]: until the agent has the holder's descriptors.
wait_collected() {
	for _ in $(seq 50); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' "$@" "$url/api/v1/check/process_fds_open?pid=$holder")" = 200 ] && return 0
		sleep 0.1
	done
	fail "vaktd did not collect the holder's descriptors"
}

stop_vaktd() {
	kill "$vaktd_pid" 2> /dev/null
	wait "$vaktd_pid" 2> /dev/null
}

# same WHAT STATE QUERY [CURL-ARGS...] -- CHECK_VAKT-ARGS...: the agent's
# check endpoint for QUERY (its "output" and "exit_code") and check_vakt
# with the given arguments must answer the same, and be in STATE.
same() {
	local what=$1 state=$2 query=$3 want_rc rc
	local -a curl_args=()
	shift 3
	while [ "$1" != -- ]; do
		curl_args+=("$1")
		shift
	done
	shift
	curl -s "${curl_args[@]}" "$url/api/v1/check/$query" > "$tmp/agent.json"
	jq -j .output "$tmp/agent.json" > "$tmp/agent.out"
	want_rc=$(jq -r .exit_code "$tmp/agent.json")
	timeout 30 "$check_vakt" -H 127.0.0.1 -p "$port" "$@" > "$tmp/plugin.out" 2>&1
	rc=$?
	if [ "$want_rc" != "$state" ]; then
		fail "$what: the agent answered exit code $want_rc, not $state: $(cat "$tmp/agent.out")"
	elif [ "$rc" != "$want_rc" ] || ! cmp -s "$tmp/agent.out" "$tmp/plugin.out"; then
		fail "$what: check_vakt $*"
		printf '  agent (%s): %s\n  plugin (%s): %s\n' "$want_rc" "$(cat "$tmp/agent.out")" \
			"$rc" "$(cat "$tmp/plugin.out")"
	else
		echo "ok: $what ($(head -1 "$tmp/plugin.out" | cut -c1-60))"
	fi
}

start_peer fds 37 100
holder=$peer_value
cat > "$tmp/vaktd.conf" << CONF
[collect]
interval = 1

[process holder]
name = vakt-fdholder
CONF
start_vaktd "$tmp/vaktd.conf"
wait_collected

sel="--label process=vakt-fdholder --label pid=$holder"
q="process_fds_open?process=vakt-fdholder&pid=$holder"
# shellcheck disable=SC2086
{
	same "OK: 40 descriptors, -w 50 -c 60" 0 "$q&warning=50&critical=60" -- -m process_fds_open $sel -w 50 -c 60
	same "WARNING: -w 30" 1 "$q&warning=30" -- -m process_fds_open $sel -w 30
	same "CRITICAL: -c 39" 2 "$q&critical=39" -- -m process_fds_open $sel -c 39
	same "CRITICAL before WARNING, '@' and '~' ranges" 2 "$q&warning=%7E:30&critical=%4035:45" -- \
		-m process_fds_open $sel -w '~:30' -c '@35:45'
	same "no thresholds: OK" 0 "$q" -- -m process_fds_open $sel
	same "unknown metric: UNKNOWN" 3 "no_such_metric" -- -m no_such_metric
	same "no series with that label: UNKNOWN" 3 "process_fds_open?process=nosuch" -- \
		-m process_fds_open --label process=nosuch
}
expect "unknown metric: the agent's message" 3 "^VAKT UNKNOWN - no metric no_such_metric$" \
	"$check_vakt" -H 127.0.0.1 -p "$port" -m no_such_metric
expect "-v names the request" 3 "^request: GET http://127\.0\.0\.1:$port/api/v1/check/no_such_metric\?warning=5$" \
	"$check_vakt" -H 127.0.0.1 -p "$port" -m no_such_metric -w 5 -v
expect "reserved label name" 3 "^VAKT UNKNOWN - invalid --label 'warning=1'" \
	"$check_vakt" -H 127.0.0.1 -p "$port" -m load1 --label warning=1
expect "missing -m" 3 "^VAKT UNKNOWN - which metric\? give -m NAME \(or --check NAME\)$" "$check_vakt" -H 127.0.0.1
expect "missing -H" 3 "^VAKT UNKNOWN - which agent\? give -H HOST$" "$check_vakt" -m load1
expect "METRIC=RANGE is refused" 3 "^VAKT UNKNOWN - unknown metric 'load1' in a threshold" \
	"$check_vakt" -H 127.0.0.1 -m load1 -w load1=5
expect "--ca-file without --tls" 3 "^VAKT UNKNOWN - --ca-file is for --tls" \
	"$check_vakt" -H 127.0.0.1 -m load1 --ca-file /dev/null
stop_vaktd

# The agent is gone now: a bad range must not even try to reach it.
expect "malformed range: usage error, no request" 3 "^VAKT UNKNOWN - invalid range '2:1': start is greater than end$" \
	"$check_vakt" -H 127.0.0.1 -p "$port" -m process_fds_open -w 2:1
expect "malformed critical range" 3 "^VAKT UNKNOWN - invalid range '10:~'" \
	"$check_vakt" -H 127.0.0.1 -p "$port" -m process_fds_open -c 10:~
# Refused is tried again while half of -t lasts (an agent restarting), then CRITICAL.
expect "agent unreachable: CRITICAL after retries" 2 \
	"^VAKT CRITICAL - cannot connect to 127\.0\.0\.1:$port: Connection refused \(tried [0-9]+ times in [0-9.]+ s\)$" \
	"$check_vakt" -H 127.0.0.1 -p "$port" -m process_fds_open -t 2
expect "IPv6 literal in brackets" 2 "^VAKT CRITICAL - cannot connect to \[::1\]:$port: " \
	"$check_vakt" -H ::1 -p "$port" -m load1 -t 1

# A port that accepts connections and never answers.
start_peer listen 127.0.0.1 16 0
hung=$peer_value
expect "agent hung: CRITICAL within -t" 2 "^VAKT CRITICAL - timed out after 2 s: 127\.0\.0\.1:$hung did not answer the HTTP request$" \
	"$check_vakt" -H 127.0.0.1 -p "$hung" -m load1 -t 2
expect "agent hung: -t SECONDS:STATE" 3 "^VAKT UNKNOWN - timed out after 1 s: 127\.0\.0\.1:$hung did not answer the HTTP request$" \
	"$check_vakt" -H 127.0.0.1 -p "$hung" -m load1 -t 1:unknown

# A fake agent for what vaktd never answers: garbage, JSON that is not a
# check result, a huge answer, a server error. Needs python3.
if command -v python3 > /dev/null; then
	good='{"state": "WARNING", "exit_code": 1, "status_line": "VAKT WARNING - x is 7 (> 5)",
	       "perfdata": "x=7;5", "output": "VAKT WARNING - x is 7 (> 5) | x=7;5\nline two\n"}'
	# answer FILTER: the good answer through the jq FILTER, as a Python string.
	answer() { jq -c "$1" <<< "$good" | jq -R .; }
	json="{'Content-Type': 'application/json'}"
	start_fake_http "{
		'good': (200, $(answer .), $json),
		'garbage': (200, 'hello', $json),
		'html': (200, '<html><body>It works</body></html>', $json),
		'missing': (200, $(answer 'del(.output)'), $json),
		'range': (200, $(answer '.exit_code = 7'), $json),
		'mismatch': (200, $(answer '.exit_code = 0'), $json),
		'trailing': (200, $(answer .) + ' trailing', $json),
		'array': (200, $(answer '[.]'), $json),
		'big': (200, $(answer '.output = ("x" * 100000)'), $json),
		'escape': (200, $(answer '.output += "\u001b[2J\n"'), $json),
		'c1': (200, $(answer '.output += "\u009b31m\n"'), $json),
		'bidi': (200, $(answer '.output += "\u202eevil\n"'), $json),
		'broken': (500, 'the agent is broken\\n', $json),
		'notfound': (404, 'not found\\n', $json),
		'busy': (503, 'busy: more than 1 connection at once from 127.0.0.1, retry in a second\\n',
			 {'Retry-After': '1', 'Content-Type': 'text/plain; charset=utf-8'}),
	}"
	fake=$fake_port
	nacr="^VAKT UNKNOWN - the agent answered something that is not a check result"
	"$check_vakt" -H 127.0.0.1 -p "$fake" -m good > "$tmp/good.out"
	rc=$?
	if [ "$rc" = 1 ] && [ "$(cat "$tmp/good.out")" = "$(printf 'VAKT WARNING - x is 7 (> 5) | x=7;5\nline two')" ]; then
		echo "ok: a check result with long output is relayed as it is"
	else
		fail "a check result with long output: status $rc: $(cat "$tmp/good.out")"
	fi
	# An agent that is not vaktd, or an old one, must not get an escape
	# sequence or a bidi override onto the console through check_vakt.
	for case in garbage html missing range mismatch trailing array escape c1 bidi; do
		expect "fake agent: $case is UNKNOWN" 3 "$nacr\$" "$check_vakt" -H 127.0.0.1 -p "$fake" -m "$case"
	done
	expect "fake agent: more than 64 KiB is UNKNOWN" 3 "$nacr \(more than 65536 bytes\)$" \
		"$check_vakt" -H 127.0.0.1 -p "$fake" -m big
	expect "fake agent: HTTP 500 is CRITICAL" 2 "^VAKT CRITICAL - the agent answered HTTP 500: the agent is broken$" \
		"$check_vakt" -H 127.0.0.1 -p "$fake" -m broken
	expect "fake agent: a 404 that is not a check result" 3 "^VAKT UNKNOWN - the agent answered HTTP 404: not found$" \
		"$check_vakt" -H 127.0.0.1 -p "$fake" -m notfound
	# vaktd answers 503 only while a client's other connections are being
	# answered, too briefly to hold in a test: the fake agent stays busy.
	expect "busy agent, -t too short to wait: CRITICAL, says 503 and the tries" 2 \
		"^VAKT CRITICAL - the agent answered HTTP 503: busy: more than 1 connection at once from 127\.0\.0\.1, retry in a second \(tried [0-9]+ times in [0-9.]+ s\)$" \
		"$check_vakt" -H 127.0.0.1 -p "$fake" -m busy -t 1
elif [ "${VAKT_REQUIRE_ALL:-0}" = 1 ]; then
	echo "FAIL: python3 is needed for the fake agent"
	failures=$((failures + 1))
else
	echo "skip: python3 not installed, no fake agent"
fi

# A burst, as a Nagios server runs checks: 40 at once against a default
# agent all get their answer, none is reset.
start_vaktd "$tmp/vaktd.conf"
wait_collected
burst=""
for i in $(seq 40); do
	"$check_vakt" -H 127.0.0.1 -p "$port" -m process_fds_open --label "pid=$holder" -w 50 \
		> "$tmp/burst.$i" 2>&1 &
	burst="$burst $!"
done
# shellcheck disable=SC2086
wait $burst
check_burst() {
	local i bad=0
	for i in $(seq 40); do
		grep -q "^VAKT OK - process_fds_open" "$tmp/burst.$i" && continue
		bad=$((bad + 1))
		echo "  check $i: $(cat "$tmp/burst.$i")"
	done
	[ "$bad" -eq 0 ] && echo "ok: 40 checks at once are all OK" || fail "$bad of 40 checks at once are not OK"
}
check_burst
stop_vaktd

# One connection per client: an idle connection holding the slot gives it
# up to a check (the agent closes it), and a burst of checks, answered 503
# while another is being answered, all ask again and are OK.
printf '[agent]\nmax_connections_per_client = 1\nconnection_timeout = 60\n' > "$tmp/one.conf"
cat "$tmp/vaktd.conf" >> "$tmp/one.conf"
start_vaktd "$tmp/one.conf"
wait_collected
wait_reaped "$port"
exec 7<> "/dev/tcp/127.0.0.1/$port"
printf 'GET /health HTTP/1.1\r\nHost: vakt\r\n\r\n' >&7
read -r -t 10 line <&7
if [ "${line%$'\r'}" = "HTTP/1.1 200 OK" ]; then
	echo "ok: the agent answers the connection that holds the only slot"
else
	fail "the held connection got '$line'"
fi
expect "an idle connection gives up the client's only slot to a check" 0 "^VAKT OK - load1 is " \
	"$check_vakt" -H 127.0.0.1 -p "$port" -m load1 -w 1000 -t 10
# The held connection was closed: reading it ends (the rest of its answer, then end of file).
if timeout 10 cat <&7 > /dev/null; then
	echo "ok: the idle connection was closed to make room"
else
	fail "the idle connection is still open"
fi
exec 7>&-
burst=""
for i in $(seq 20); do
	"$check_vakt" -H 127.0.0.1 -p "$port" -m process_fds_open --label "pid=$holder" -w 50 -t 30 \
		> "$tmp/one.$i" 2>&1 &
	burst="$burst $!"
done
# shellcheck disable=SC2086
wait $burst
bad=0
for i in $(seq 20); do
	grep -q "^VAKT OK - process_fds_open" "$tmp/one.$i" || { bad=$((bad + 1)); echo "  check $i: $(cat "$tmp/one.$i")"; }
done
[ "$bad" -eq 0 ] && echo "ok: 20 checks at once through one slot are all OK" ||
	fail "$bad of 20 checks at once through one slot are not OK"
stop_vaktd

# The bearer token: none, wrong, right (from a file and from VAKT_TOKEN).
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$token" > "$tmp/token"
printf 'wrong\n' > "$tmp/wrong"
chmod 600 "$tmp/token" "$tmp/wrong"
# Every answer compared is the holder's: a value that cannot change between
# the agent's answer and check_vakt's (the load average could).
{ cat "$tmp/vaktd.conf"; printf '[agent]\ntoken_file = %s\n' "$tmp/token"; } > "$tmp/token.conf"
start_vaktd "$tmp/token.conf" http -H "Authorization: Bearer $token"
wait_collected -H "Authorization: Bearer $token"
expect "no token: UNKNOWN" 3 "^VAKT UNKNOWN - the agent wants a valid token \(--token-file\)$" \
	env -u VAKT_TOKEN "$check_vakt" -H 127.0.0.1 -p "$port" -m load1
expect "wrong token: UNKNOWN" 3 "^VAKT UNKNOWN - the agent wants a valid token \(--token-file\)$" \
	"$check_vakt" -H 127.0.0.1 -p "$port" -m load1 --token-file "$tmp/wrong"
# shellcheck disable=SC2086
{
	same "right token from --token-file" 1 "$q&warning=30" -H "Authorization: Bearer $token" -- \
		-m process_fds_open $sel -w 30 --token-file "$tmp/token"
	VAKT_TOKEN=$token same "right token from VAKT_TOKEN" 1 "$q&warning=30" \
		-H "Authorization: Bearer $token" -- -m process_fds_open $sel -w 30
}
expect "--token-file wins over VAKT_TOKEN" 3 "wants a valid token" \
	env VAKT_TOKEN="$token" "$check_vakt" -H 127.0.0.1 -p "$port" -m load1 --token-file "$tmp/wrong"
expect "unreadable token file: usage error, the path not repeated" 3 "^VAKT UNKNOWN - cannot read --token-file: No such file or directory$" \
	"$check_vakt" -H 127.0.0.1 -p "$port" -m load1 --token-file "$tmp/nosuch"
if "$check_vakt" -H 127.0.0.1 -p "$port" -m nosuch --token-file "$tmp/token" -vvv 2>&1 | grep -q "$token"; then
	fail "the token appears in the output"
else
	echo "ok: the token is never printed"
fi
stop_vaktd

# TLS with a self-signed certificate for 127.0.0.1.
if ! openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
	-days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 > "$tmp/openssl.log" 2>&1; then
	fail "openssl cannot make a certificate"
	cat "$tmp/openssl.log"
	finish
fi
chmod 600 "$tmp/key.pem"
{
	cat "$tmp/vaktd.conf"
	printf '[agent]\ntls_cert = %s\ntls_key = %s\n' "$tmp/cert.pem" "$tmp/key.pem"
} > "$tmp/tls.conf"
start_vaktd "$tmp/tls.conf" https --cacert "$tmp/cert.pem"
wait_collected --cacert "$tmp/cert.pem"
# shellcheck disable=SC2086
same "TLS with --ca-file" 2 "$q&critical=39" --cacert "$tmp/cert.pem" -- \
	-m process_fds_open $sel -c 39 --tls --ca-file "$tmp/cert.pem"
# shellcheck disable=SC2086
same "TLS with the old spelling --ca" 2 "$q&critical=39" --cacert "$tmp/cert.pem" -- \
	-m process_fds_open $sel -c 39 --tls --ca "$tmp/cert.pem"
same "TLS with --ca-file: unknown metric" 3 "no_such_metric" --cacert "$tmp/cert.pem" -- \
	-m no_such_metric --tls --ca-file "$tmp/cert.pem"
expect "TLS without --ca-file: CRITICAL, certificate not trusted" 2 \
	"^VAKT CRITICAL - the TLS certificate of 127\.0\.0\.1:$port is not trusted: .*certificate" \
	"$check_vakt" -H 127.0.0.1 -p "$port" -m load1 --tls
expect "TLS with an unusable --ca: UNKNOWN" 3 "^VAKT UNKNOWN - cannot use the CA file $tmp/nosuch.pem" \
	"$check_vakt" -H 127.0.0.1 -p "$port" -m load1 --tls --ca-file "$tmp/nosuch.pem"
expect "plain HTTP to a TLS agent: CRITICAL" 2 "^VAKT CRITICAL - " \
	"$check_vakt" -H 127.0.0.1 -p "$port" -m load1 -t 3
stop_vaktd
start_vaktd "$tmp/vaktd.conf"
expect "TLS to a plain agent: CRITICAL" 2 "^VAKT CRITICAL - TLS handshake with 127\.0\.0\.1:$port failed" \
	"$check_vakt" -H 127.0.0.1 -p "$port" -m load1 --tls --ca-file "$tmp/cert.pem"
stop_vaktd
finish
