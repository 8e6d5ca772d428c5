#!/bin/sh
# check_haproxy against a real HAProxy on loopback, read through its unix
# stats socket, a TCP stats socket and the CSV stats page: an active server
# DOWN, a backup server DOWN, a server put in MAINT and DRAIN over the admin
# socket, a backend with every server down, servers on their way down and
# back up, a replica quorum, sessions near their limit, 5xx responses per
# second; and sockets and pages that are missing, hung or not HAProxy.
. "$(dirname "$0")/lib.sh"
require_built "$plugins/check_haproxy"
require_tools haproxy nginx curl python3

check=$plugins/check_haproxy
state=$tmp/state
mkdir -p "$state"
start_nginx
app=$nginx_port
fe=$(pick_port)
fe_dead=$(pick_port)
auth=$(pick_port)
tcp=$(pick_port)
start_haproxy "
frontend web
	bind 127.0.0.1:$fe
	maxconn 10
	default_backend app
frontend web_dead
	bind 127.0.0.1:$fe_dead
	default_backend dead
listen stats_auth
	bind 127.0.0.1:$auth
	stats enable
	stats uri /stats
	stats auth nagios:secret
backend app
	server app1 127.0.0.1:$app check
	server app2 127.0.0.1:1 check
	server app3 127.0.0.1:$app check
	server spare 127.0.0.1:1 check backup
backend dead
	server d1 127.0.0.1:1 check
	server d2 127.0.0.1:1 check
backend db_read
	mode tcp
	server replica1 127.0.0.1:$app check
	server replica2 127.0.0.1:$app check
backend flap
	server away 127.0.0.1:$app check fall 60 rise 1
	server back 127.0.0.1:1 check fall 1 rise 60" "	stats socket ipv4@127.0.0.1:$tcp level user"
sock=$haproxy_sock
haproxy_wait app app2 DOWN
haproxy_wait app spare DOWN
haproxy_wait dead BACKEND DOWN
haproxy_wait db_read replica2 UP
haproxy_wait flap away UP

# Everything: two active servers down and a dead backend are CRITICAL.
expect "the whole balancer: CRITICAL, naming the servers and the check" 2 \
	"^HAPROXY CRITICAL - app/app2 is DOWN \(L4CON: [^)]+\) for [0-9]+ s, .*backend dead is DOWN: no server up" \
	"$check" -H "$sock"
expect "a backup server DOWN is a WARNING" 1 "^HAPROXY WARNING - backup app/spare is DOWN \(L4CON: [^)]+\)" \
	"$check" -H "$sock" --proxy '^app$' --exclude '^app/app2$'
expect "filters leave out what is excluded" 0 "^HAPROXY OK - 1 backend, 2 of 2 servers up \|" \
	"$check" -H "$sock" --proxy '^app$' --exclude '^app/(app2|spare)$'
expect "--server selects servers" 0 "^HAPROXY OK - 1 backend, 1 of 1 server up \|" \
	"$check" -H "$sock" --proxy '^app$' --server '^app1$'
expect "filters that match nothing: UNKNOWN" 3 "^HAPROXY UNKNOWN - no proxy or server matches the filters" \
	"$check" -H "$sock" --proxy '^nothing$'
expect "perfdata per proxy and server, stable labels" 2 \
	"haproxy_sessions_app/app1=0;;;0 .*haproxy_servers_up_app/BACKEND=2;;;0 .*haproxy_servers_up_pct_app/BACKEND=66\.6+7%;;;0;100" \
	"$check" -H "$sock"
expect "long output lists each non-OK object on its own line" 2 "
app/app2 is DOWN" "$check" -H "$sock"

# MAINT and DRAIN, set over the admin socket: reported, alerting only when asked.
ok_app="--proxy ^app\$ --exclude ^app/(app2|spare)\$"
haproxy_cmd "set server app/app3 state maint" > /dev/null
haproxy_wait app app3 MAINT
# shellcheck disable=SC2086
expect "MAINT is reported, OK" 0 "^HAPROXY OK - app/app3 is MAINT" "$check" -H "$sock" $ok_app
# shellcheck disable=SC2086
expect "MAINT with --maint warning" 1 "^HAPROXY WARNING - app/app3 is MAINT" "$check" -H "$sock" $ok_app --maint warning
# shellcheck disable=SC2086
expect "MAINT with --maint critical" 2 "^HAPROXY CRITICAL - app/app3 is MAINT" "$check" -H "$sock" $ok_app --maint critical
# shellcheck disable=SC2086
expect "a server in MAINT is not counted among the servers" 0 "haproxy_servers_up_app/BACKEND=1;;;0 " \
	"$check" -H "$sock" $ok_app
haproxy_cmd "set server app/app3 state drain" > /dev/null
haproxy_wait app app3 DRAIN
# shellcheck disable=SC2086
expect "DRAIN with --maint warning" 1 "^HAPROXY WARNING - app/app3 is DRAIN" "$check" -H "$sock" $ok_app --maint warning
haproxy_cmd "set server app/app3 state ready" > /dev/null
haproxy_wait app app3 UP

# A quorum of read replicas.
expect "--min-up 2 of 2 up: OK" 0 "^HAPROXY OK - 1 backend, 2 of 2 servers up" "$check" -H "$sock" --proxy db_read --min-up 2
expect "--min-up 3: CRITICAL" 2 "^HAPROXY CRITICAL - backend db_read has 2 of 2 servers up, below --min-up 3" \
	"$check" -H "$sock" --proxy db_read --min-up 3
haproxy_cmd "set server db_read/replica2 addr 127.0.0.1 port 1" > /dev/null
haproxy_wait db_read replica2 DOWN
expect "one replica down, --min-up 2: CRITICAL" 2 "backend db_read has 1 of 2 servers up, below --min-up 2" \
	"$check" -H "$sock" --proxy db_read --min-up 2
expect "one replica down, --min-up 50%: only the server" 2 "^HAPROXY CRITICAL - db_read/replica2 is DOWN [^,]*, 1 backend, 1 of 2 servers up \|" \
	"$check" -H "$sock" --proxy db_read --min-up 50%
expect "the same as a threshold on haproxy_servers_up_pct" 2 "db_read/BACKEND servers up: 50% \(< 60\)" \
	"$check" -H "$sock" --proxy db_read -w haproxy_servers_up_pct=60:

# Servers on their way down and back up.
haproxy_cmd "set server flap/away addr 127.0.0.1 port 1" > /dev/null
start_peer listen 127.0.0.1 64 0
listener=$peer_value
haproxy_cmd "set server flap/back addr 127.0.0.1 port $listener" > /dev/null
haproxy_wait flap away "UP [0-9]+/60"
haproxy_wait flap back "DOWN [0-9]+/60"
expect "going down is reported, the server still serves" 2 "flap/away is going down: UP [0-9]+/60 \(L4CON: [^)]+\)" \
	"$check" -H "$sock" --proxy flap
expect "coming back is still down: CRITICAL" 2 "^HAPROXY CRITICAL - flap/back is coming back: DOWN [0-9]+/60 \(L4OK" \
	"$check" -H "$sock" --proxy flap

# Sessions against the frontend's maxconn of 10.
python3 -c '
import socket, sys, time
held = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(8)]
time.sleep(3)
' "$fe" &
holder=$!
peers="$peers $holder"
sleep 0.5
expect "sessions at 80% of maxconn: WARNING by the bare -w" 1 "^HAPROXY WARNING - web/FRONTEND sessions at 80% \(> 50\)" \
	"$check" -H "$sock" --proxy '^web$' -w 50 -c 90
wait "$holder" 2> /dev/null

# 5xx responses per second, through a frontend whose servers are all down.
"$check" -H "$sock" --proxy web_dead --state-dir "$state" > /dev/null
for _ in $(seq 10); do curl -s -o /dev/null "http://127.0.0.1:$fe_dead/"; done
rate_gap
expect "5xx per second: CRITICAL, with perfdata" 2 \
	"web_dead/FRONTEND 5xx responses per second: [0-9.]+ \(> 0\).* haproxy_responses_5xx_rate_web_dead/FRONTEND=[0-9.]+;;0;0" \
	"$check" -H "$sock" --proxy web_dead --state-dir "$state" -c haproxy_responses_5xx_rate=0

# Rates are kept per option set: two services on one HAProxy with different
# --proxy, run in turn, each get a rate on their second run.
mkdir -p "$state/split"
"$check" -H "$sock" --proxy web_dead --state-dir "$state/split" > /dev/null
"$check" -H "$sock" --proxy '^app$' --state-dir "$state/split" > /dev/null
curl -s -o /dev/null "http://127.0.0.1:$fe_dead/"
rate_gap
expect "--proxy web_dead after a run with --proxy app: a 5xx rate" 0 \
	" haproxy_responses_5xx_rate_web_dead/FRONTEND=[0-9.]+;;;0" \
	"$check" -H "$sock" --proxy web_dead --state-dir "$state/split"
expect "--proxy app after a run with --proxy web_dead: a 5xx rate" 2 \
	" haproxy_responses_5xx_rate_app/BACKEND=[0-9.]+;;;0" \
	"$check" -H "$sock" --proxy '^app$' --state-dir "$state/split"
expect "a frontend alone: no server counts" 0 "^HAPROXY OK - 1 frontend \|" \
	"$check" -H "$sock" --proxy web_dead
expect "the first run has no rate, and says so" 0 \
	"^haproxy_responses_5xx_rate_web_dead/FRONTEND( and [0-9]+ more)?: no value yet, first sample, the next run will have one$" \
	"$check" -H "$sock" --proxy web_dead --state-dir "$state/split" --exclude nothing

# show info: connections against maxconn, idle time.
expect "show info metrics" 2 "haproxy_conns_pct=[0-9.]+%;;;0;100 haproxy_idle_pct=[0-9.]+%;;;0;100" "$check" -H "$sock"
expect "idle threshold" 2 "idle [0-9.]+% \(< 200\)" "$check" -H "$sock" -c haproxy_idle_pct=200:

# The same through a TCP stats socket and the CSV page.
expect "TCP stats socket" 2 "^HAPROXY CRITICAL - app/app2 is DOWN \(L4CON: [^)]+\)" \
	"$check" -H 127.0.0.1 -p "$tcp"
csv="http://127.0.0.1:$haproxy_http/stats;csv"
expect "CSV page" 2 "^HAPROXY CRITICAL - app/app2 is DOWN \(L4CON: [^)]+\)" "$check" -u "$csv"
expect "CSV page with a login" 0 "^HAPROXY OK - 1 backend, 1 of 1 server up" \
	env HAPROXY_STATS_PASSWORD=secret "$check" -u "http://127.0.0.1:$auth/stats;csv" --user nagios \
	--proxy '^db_read$' --exclude replica2
expect "CSV page, no login: CRITICAL 401" 2 "^HAPROXY CRITICAL - http://127\.0\.0\.1:$auth/stats,csv answered HTTP 401, not HAProxy's statistics \(check --user and --password-file\)$" \
	"$check" -u "http://127.0.0.1:$auth/stats;csv"
expect "the HTML page instead of the CSV: UNKNOWN" 3 "is not HAProxy's CSV statistics \(.*\): \".*\", the stats URL must end in a semicolon and csv$" \
	"$check" -u "http://127.0.0.1:$haproxy_http/stats"
expect "a page that is not there: CRITICAL" 2 "answered HTTP 404" "$check" -u "http://127.0.0.1:$app/stats;csv"

# Missing, hung and garbage sources.
expect "no such socket: CRITICAL" 2 "^HAPROXY CRITICAL - cannot connect to $tmp/none\.sock: No such file or directory$" \
	"$check" -H "$tmp/none.sock"
expect "TCP stats socket down: CRITICAL" 2 "^HAPROXY CRITICAL - cannot connect to 127\.0\.0\.1:1: Connection refused$" \
	"$check" -H 127.0.0.1 -p 1
start_peer listen 127.0.0.1 16 0
hung=$peer_value
start=$(date +%s)
expect "hung stats socket: CRITICAL within -t" 2 "^HAPROXY CRITICAL - timed out after 2 s: 127\.0\.0\.1:$hung did not answer show stat$" "$check" -H 127.0.0.1 -p "$hung" -t 2
[ $(($(date +%s) - start)) -le 3 ] || fail "the hung socket took more than -t"
expect "hung CSV page: -t SECONDS:STATE" 3 "^HAPROXY UNKNOWN - timed out after 1 s: 127\.0\.0\.1:$hung did not answer the HTTP request$" \
	"$check" -u "http://127.0.0.1:$hung/stats;csv" -t 1:unknown
expect "not HAProxy on the TCP port: UNKNOWN" 3 "^HAPROXY UNKNOWN - 127\.0\.0\.1:$app did not answer with HAProxy statistics" \
	"$check" -H 127.0.0.1 -p "$app"
start_fake_http '{"garbage": (200, "hello"), "notype": (200, "# pxname,svname\n"),
	"header": (200, "# pxname,svname,type,status\n")}'
expect "garbage CSV: UNKNOWN" 3 "^HAPROXY UNKNOWN - http://127\.0\.0\.1:$fake_port/garbage,csv is not HAProxy's CSV statistics" \
	"$check" -u "http://127.0.0.1:$fake_port/garbage;csv"
expect "CSV without a type column: UNKNOWN" 3 "is not HAProxy's CSV statistics \(no type column\)" \
	"$check" -u "http://127.0.0.1:$fake_port/notype;csv"
expect "a header without rows: UNKNOWN" 3 "^HAPROXY UNKNOWN - http://127\.0\.0\.1:$fake_port/header,csv lists no frontend, backend or server" \
	"$check" -u "http://127.0.0.1:$fake_port/header;csv"

# The agent: server states as labelled gauges from the socket and the page,
# the check endpoint; a hung stats socket only makes its own collector stale.
if [ -x "$top_builddir/agent/vaktd" ]; then
	cat > "$tmp/vaktd.conf" << EOF
[haproxy lb]
address = $sock
interval = 1
[haproxy page]
url = $csv
interval = 1
[haproxy hung]
address = 127.0.0.1:$hung
interval = 1
timeout = 1
EOF
	start_vaktd "$tmp/vaktd.conf"
	sleep 1.5
	curl -s "$url/metrics" > "$tmp/metrics"
	expect_lines "vaktd /metrics" "$tmp/metrics" \
		'^vakt_haproxy_up\{proxy="app",server="app1",target="lb"\} 1' \
		'^vakt_haproxy_up\{proxy="app",server="app2",target="lb"\} 0' \
		'^vakt_haproxy_state\{proxy="db_read",server="replica2",target="lb"\} 2' \
		'^vakt_haproxy_status_seconds\{backup="0",check="L4CON",check_reason="Connection refused",proxy="app",server="app2",status="DOWN",target="lb",type="server"\} [0-9]' \
		'^vakt_haproxy_status_seconds\{proxy="web",server="FRONTEND",status="OPEN",target="lb",type="frontend"\} NaN' \
		'^vakt_haproxy_servers_up\{proxy="dead",server="BACKEND",target="lb"\} 0' \
		'^vakt_haproxy_responses_5xx_total\{proxy="web_dead",server="FRONTEND",target="lb"\} [1-9]' \
		'^vakt_haproxy_conns\{target="lb"\} [0-9]' \
		'^vakt_haproxy_up\{proxy="app",server="app2",target="page"\} 0' \
		'^vakt_collector_up\{collector="haproxy lb",target="lb"\} 1' \
		'^vakt_collector_up\{collector="haproxy page",target="page"\} 1' \
		'^vakt_collector_up\{collector="haproxy hung",target="hung"\} 0'
	if grep -q '^vakt_haproxy_servers_up{proxy="stats"' "$tmp/metrics"; then
		fail "vaktd /metrics has server counts for the stats section, which has no servers"
	else
		echo "ok: vaktd /metrics has no server counts for the stats section"
	fi
	expect "vaktd check endpoint on a server's state" 0 "^VAKT CRITICAL - haproxy_up\{[^}]*server=app2[^}]*\} is 0 \(< 1\)" \
		curl -s "$url/api/v1/check/haproxy_up?target=lb&proxy=app&server=app2&critical=1:&format=nagios"
	# The same verdicts through the agent (check_vakt --check haproxy), from
	# the socket and the page. How long a server has been in its state, how
	# far its checks are, idle time, connections, the stats sections'
	# sessions (the page's collector reads them) and rates move between two
	# reads, so they are compared as N. Each option set the plugin is run
	# with has its counters from a run before, as the agent has from its
	# collection before.
	if [ -x "$plugins/check_vakt" ]; then
		n='s/ for [0-9][0-9a-z ]*/ for N/g; s/(UP|DOWN) [0-9]+\/[0-9]+/\1 N/g
			s/(_rate[^=]*|_idle_pct|_conns_pct|_sessions[^=]*stats[^=]*)=[0-9.]+/\1=N/g
			s/per second: [0-9.]+/per second: N/g'
		mkdir -p "$state/agent"
		for opts in "" "--proxy ^app\$ --exclude ^app/app2\$" "--proxy ^app\$ --server ^app1\$" \
			"--proxy db_read --min-up 2"; do
			# shellcheck disable=SC2086
			"$check" -H "$sock" --state-dir "$state/agent" $opts > /dev/null
		done
		"$check" -u "$csv" --state-dir "$state/agent" --proxy '^(app|web_dead)$' > /dev/null
		rate_gap
		same_verdict "agent: the whole balancer" "$n" haproxy lb -- "$check" -H "$sock" \
			--state-dir "$state/agent" --
		same_verdict "agent: a backup server DOWN" "$n" haproxy lb -- "$check" -H "$sock" \
			--state-dir "$state/agent" -- --proxy='^app$' --exclude='^app/app2$'
		same_verdict "agent: --server, servers counted again" "$n" haproxy lb -- "$check" -H "$sock" \
			--state-dir "$state/agent" -- --proxy='^app$' --server='^app1$'
		same_verdict "agent: --min-up" "$n" haproxy lb -- "$check" -H "$sock" \
			--state-dir "$state/agent" -- --proxy=db_read --min-up=2
		same_verdict "agent: filters that match nothing" "$n" haproxy lb -- "$check" -H "$sock" \
			--state-dir "$state/agent" -- --proxy='^nothing$'
		same_verdict "agent: the stats page" "$n" haproxy page -- "$check" -u "$csv" \
			--state-dir "$state/agent" -- --proxy='^(app|web_dead)$'
		expect "agent: the stats page is not the check's to choose" 3 "UNKNOWN - unknown option 'url'" \
			"$plugins/check_vakt" -H 127.0.0.1 -p "$port" --check haproxy --instance lb \
			--option "url=http://127.0.0.1:$app/stats;csv"
	fi
fi

# A healthy HAProxy whose stats page is a listen section without servers,
# as in the README's Nagios example: OK, and nothing reads "0 of 0 servers".
start_haproxy "
frontend shop
	bind 127.0.0.1:$(pick_port)
	default_backend pool
backend pool
	server p1 127.0.0.1:$app check
	server p2 127.0.0.1:$app check"
haproxy_wait pool p1 UP
haproxy_wait pool p2 UP
haproxy_wait stats BACKEND UP
expect "healthy, with listen stats: --min-up 1 is OK" 0 \
	"^HAPROXY OK - 2 backends, 2 of 2 servers up \|" "$check" -H "$haproxy_sock" --min-up 1 -w 80 -c 95
expect "healthy, with listen stats: --min-up 100% is OK" 0 "^HAPROXY OK" \
	"$check" -H "$haproxy_sock" --min-up 100%
expect_absent "a section without servers has no server counts" 0 "haproxy_servers_up_stats" \
	"$check" -H "$haproxy_sock" --min-up 1
expect_absent "nothing reads 0 of 0" 0 "0 of 0" "$check" -H "$haproxy_sock" --min-up 1 -v
haproxy_cmd "set server pool/p2 addr 127.0.0.1 port 1" > /dev/null
haproxy_wait pool p2 DOWN
expect "one server down, --min-up 2: CRITICAL on the backend with servers" 2 \
	"^HAPROXY CRITICAL - pool/p2 is DOWN .*backend pool has 1 of 2 servers up, below --min-up 2" \
	"$check" -H "$haproxy_sock" --min-up 2
haproxy_cmd "set server pool/p1 addr 127.0.0.1 port 1" > /dev/null
haproxy_wait pool p1 DOWN
expect "every server down: CRITICAL" 2 "^HAPROXY CRITICAL - .*backend pool is DOWN: no server up" \
	"$check" -H "$haproxy_sock" --min-up 1 -w 80 -c 95

# A server whose health check answers with a hostile reason phrase: HAProxy
# passes it on in the check's description, which check_haproxy prints
# without the escape sequence, the C1 CSI or the bidi override
# (expect's outcheck reads every byte).
start_fake_tcp 'b"HTTP/1.0 500 \x1b[31mevil\xc2\x9b31m \xe2\x80\xaerlo|x;y\r\nContent-Length: 0\r\n\r\n"'
start_haproxy "
backend hostile
	option httpchk
	server h1 127.0.0.1:$fake_port check"
haproxy_wait hostile h1 DOWN
expect "a hostile check description is cleaned" 2 \
	"^HAPROXY CRITICAL - hostile/h1 is DOWN \(L7STS: [^)]*\?\[31mevil\?31m \?rlox,y" \
	"$check" -H "$haproxy_sock" --proxy '^hostile$'

# Usage errors.
expect "--maint bogus" 3 "^HAPROXY UNKNOWN - invalid --maint 'bogus'" "$check" --maint bogus
expect "--min-up x" 3 "^HAPROXY UNKNOWN - invalid --min-up 'x'" "$check" --min-up x
expect "--min-up over 100%" 3 "^HAPROXY UNKNOWN - invalid --min-up '200%': expected a whole number of servers N, or N% from 0 to 100$" \
	"$check" --min-up 200%
expect "--min-up part of a server" 3 "^HAPROXY UNKNOWN - invalid --min-up '1\.5'" "$check" --min-up 1.5
expect "bad --proxy regex" 3 "^HAPROXY UNKNOWN - invalid --proxy '\(': " "$check" --proxy '('
expect "-u and -p together" 3 "^HAPROXY UNKNOWN - give either -u URL or -H HOST -p PORT" "$check" -u "$csv" -p 1
# The Nagios commands always pass -H SOCKET; a -u after it replaces it.
expect "-u replaces -H" 0 "^HAPROXY OK" "$check" -H "$tmp/no-such.sock" -u "$csv" --proxy '^web$'
finish
