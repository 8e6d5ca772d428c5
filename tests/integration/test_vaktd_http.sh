#!/bin/bash
# What vaktd's HTTP front end accepts: each request below is sent raw on a
# connection of its own, followed by a good request (so a server that read
# on would answer twice), and must get exactly one answer with the status
# the rules give, after which the agent closes the connection by itself.
# libmicrohttpd 0.9.75 alone answered some of them twice in one answer,
# some never, and read the smuggled second request as a request.
. "$(dirname "$0")/lib.sh"
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
vaktd=$top_builddir/agent/vaktd

require_tools python3 curl
require_built "$vaktd"

printf '[collect]\ninterval = 1\n\n[load]\n' > "$tmp/vaktd.conf"
start_vaktd "$tmp/vaktd.conf"

# raw WANT REQUEST WHAT: rawhttp.py's line for REQUEST (a Python bytes
# literal) must be WANT.
raw() {
	local got
	got=$(python3 "$top_srcdir/tests/integration/rawhttp.py" "$port" "$2" 2>&1)
	if [ "$got" = "$1" ]; then
		echo "ok: $3"
	else
		fail "$3: want '$1', got '$got'"
	fi
}

good='GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'
# The last request of a good connection asks to close (a half-close would
# do, but libmicrohttpd 0.9.75 may miss it and wait for its time-out).
last='GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
# expect_refused WHAT STATUS HEAD: HEAD (the request line and fields, the
# empty line and any body), then a good request, gets STATUS and a close.
expect_refused() {
	raw "$2 eof" "b'$3$good'" "$1: $2, then closed"
}

# First the agent answers good requests, two on one connection.
raw "200 200 eof" "b'$good$last'" "two good requests on one connection"
raw "200 eof" "b'GET /metrics HTTP/1.0\r\n\r\n'" "HTTP/1.0 needs no Host"
raw "200 200 eof" "b'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n$last'" \
	"Content-Length: 0 is no body"
expect "the check endpoint decodes its query" 0 "^VAKT OK - load1 is" \
	curl -s "$url/api/v1/check/load1?warning=1%30000&critical=2000%30&format=nag%69os"

# Framing: the agent takes no body, so it never has to guess where one ends.
expect_refused "two different Content-Lengths" 400 \
	'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 40\r\n\r\n'
expect_refused "two equal Content-Lengths" 400 \
	'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n'
expect_refused "Content-Length with Transfer-Encoding" 400 \
	'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
expect_refused "an unknown Transfer-Encoding" 400 \
	'GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n'
expect_refused "Content-Length: -1" 400 'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n'
expect_refused "a huge Content-Length" 400 \
	'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n'
expect_refused "a space before the colon" 400 \
	'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\nhello'
expect_refused "a body" 413 'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello'
expect_refused "a chunked body" 413 \
	'GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'

# The request itself.
expect_refused "HTTP/1.1 without Host" 400 'GET /metrics HTTP/1.1\r\n\r\n'
expect_refused "two Hosts" 400 'GET /metrics HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n'
expect_refused "%00 in the path" 400 'GET /health%00junk HTTP/1.1\r\nHost: x\r\n\r\n'
expect_refused "%00 in the query" 400 \
	'GET /api/v1/check/load1?warning=10%005 HTTP/1.1\r\nHost: x\r\n\r\n'
# libmicrohttpd alone never answered from about 500 "a=1" (2 KB).
for n in 470 600; do
	params=$(printf 'a=1&%.0s' $(seq $n))
	expect_refused "$n query parameters" 400 "GET /health?${params}b=1 HTTP/1.1\r\nHost: x\r\n\r\n"
done
# libmicrohttpd runs out of its per-connection memory on these (431), and
# then sent its status line and headers twice.
cookies=$(printf 'a=1; %.0s' $(seq 600))
raw "200 200 eof" "b'GET /metrics HTTP/1.1\r\nHost: x\r\nCookie: ${cookies}b=1\r\n\r\n$last'" \
	"600 cookies are not read"
raw "431 eof" "b'GET /metrics HTTP/1.1\r\nHost: x\r\n$(printf 'a: b\\r\\n%.0s' $(seq 700))\r\n$good'" \
	"700 header fields: 431, then closed"

# Still serving, and it stops cleanly: in a sanitizer build a request it
# refused and did not free would fail the exit status here.
raw "200 eof" "b'$last'" "the agent still answers"
vaktd_stops_cleanly
finish
