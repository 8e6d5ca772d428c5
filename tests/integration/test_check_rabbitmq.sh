#!/bin/bash
# check_rabbitmq against a real RabbitMQ on loopback ports: exact queue
# depths after publishing known messages (the default vhost, and a vhost and
# a queue whose names need percent-encoding), a queue without consumers made
# CRITICAL, a missing queue, --queue-regex, the overview, node and health
# modes with and without a disk alarm, the login (right, wrong), and what
# goes wrong around a broker: down, hung, and a server that is not
# RabbitMQ's management API.
. "$(dirname "$0")/lib.sh"
check=$plugins/check_rabbitmq

require_tools rabbitmq-server rabbitmqctl curl python3
require_built "$check"

# The broker, named as the patterns below expect; plain rabbitmqctl talks
# to it through the environment start_rabbitmq wrote.
start_rabbitmq "vakt$$@localhost"
http=$rabbit_http
amqp=$rabbit_port
set -a
. "$rabbit_dir/env"
set +a
stop_rabbit() {
	stop_rabbitmq "$rabbit_dir"
}
api=http://127.0.0.1:$http/api
for _ in $(seq 100); do
	curl -sf -u guest:guest "$api/overview" > /dev/null && break
	sleep 0.2
done

# api METHOD PATH [JSON]: one call to the management API as guest.
api() {
	curl -sf -u guest:guest -X "$1" -H 'content-type: application/json' \
		${3:+-d "$3"} "$api/$2" > /dev/null || fail "$1 $2"
}
# publish VHOST QUEUE N: N messages through the default exchange.
publish() {
	for _ in $(seq "$3"); do
		api POST "exchanges/$1/amq.default/publish" \
			"{\"properties\":{},\"routing_key\":\"$2\",\"payload\":\"x\",\"payload_encoding\":\"string\"}"
	done
}
# wait_depth N ARGS...: until check_rabbitmq ARGS reports depth N (statistics lag).
wait_depth() {
	local n=$1
	shift
	for _ in $(seq 50); do
		"$check" -p "$http" "$@" | grep -q "has $n messages" && return 0
		sleep 0.2
	done
	fail "depth $n never showed for $*"
}

api PUT queues/%2F/celery '{"durable":true}'
api PUT queues/%2F/celery.priority '{"durable":true}'
api PUT vhosts/my%20v%C3%A4rd
api PUT permissions/my%20v%C3%A4rd/guest '{"configure":".*","write":".*","read":".*"}'
api PUT queues/my%20v%C3%A4rd/a%20b%2Fc '{"durable":false}'
api PUT users/nagios '{"password":"s3cret","tags":"monitoring"}'
api PUT permissions/%2F/nagios '{"configure":"","write":"","read":".*"}'
publish %2F celery 3
publish %2F celery.priority 1
publish my%20v%C3%A4rd "a b/c" 2
wait_depth 3 --queue celery
wait_depth 2 --vhost 'my värd' --queue 'a b/c'

expect "queue depth after 3 messages" 0 "^RABBITMQ OK - queue celery has 3 messages \| queue_depth_celery=3;;;0 " \
	"$check" -p "$http" --queue celery
expect "long output: one line per queue" 0 "^queue celery: 3 messages \(3 ready, 0 unacknowledged\), 0 consumers" \
	"$check" -p "$http" --queue celery
expect "-w on the depth: WARNING" 1 "^RABBITMQ WARNING - queue celery has 3 messages \(> 2\) \| queue_depth_celery=3;2;10;0 " \
	"$check" -p "$http" --queue celery -w 2 -c 10
expect "-c on the depth: CRITICAL" 2 "^RABBITMQ CRITICAL - queue celery has 3 messages \(> 1\)" \
	"$check" -p "$http" -H 127.0.0.1 --queue celery -w 0 -c 1
expect "no consumers: CRITICAL with -c queue_consumers=1:" 2 \
	"^RABBITMQ CRITICAL - queue celery has no consumers \(< 1\).* queue_consumers_celery=0;;1:;0 " \
	"$check" -p "$http" --queue celery -c queue_consumers=1:
expect "a missing queue is CRITICAL" 2 "^RABBITMQ CRITICAL - queue nosuch not found in vhost /" \
	"$check" -p "$http" --queue celery --queue nosuch
expect "a missing vhost is CRITICAL" 2 "^RABBITMQ CRITICAL - queue celery not found in vhost nosuch" \
	"$check" -p "$http" --queue celery --vhost nosuch
expect "vhost and queue names with spaces, / and UTF-8" 0 \
	"^RABBITMQ OK - queue a b/c has 2 messages \| 'queue_depth_my värd/a b/c'=2;;;0 " \
	"$check" -u "http://127.0.0.1:$http/" --vhost 'my värd' --queue 'a b/c'
# Queues a hostile client named, in a vhost of their own: expect's outcheck
# reads every byte of the output (no control characters, perfdata by the
# grammar), and the labels say the names in the characters a label allows.
api PUT vhosts/hostile
api PUT permissions/hostile/guest '{"configure":".*","write":".*","read":".*"}'
# Each name percent-encoded for the URL, then escaped for JSON (the API
# drops a line break from the name in its path: none here).
set -- a%7Cb%3D1%3B2%3B3 'a|b=1;2;3' e%1B%5B31mred 'e\u001b[31mred' \
	c1%C2%9Bm 'c1\u009bm' rlo%E2%80%AEtxt 'rlo\u202etxt'
while [ $# -gt 0 ]; do
	api PUT "queues/hostile/$1" '{"durable":false}'
	publish hostile "$2" 1
	shift 2
done
# Statistics lag: until every queue shows its message.
for _ in $(seq 50); do
	[ "$("$check" -p "$http" --vhost hostile | head -1 | grep -o ' queue_depth_[^ ]*=1;' | wc -l)" = 4 ] && break
	sleep 0.2
done
for l in a_b_1_2_3 'e_\[31mred' c1_m rlo_txt; do
	expect "hostile queue names: $l" 1 " queue_depth_hostile/$l=1;0;;0( |$)" \
		"$check" -p "$http" --vhost hostile -w 0
done
expect "hostile queue names: in words, '|' dropped and ';' a ','" 1 "^queue ab=1,2,3: 1 message" \
	"$check" -p "$http" --vhost hostile -w 0
expect "--queue-regex: only the matching queues" 0 "^RABBITMQ OK - queue celery has 3 messages \|" \
	"$check" -p "$http" --queue-regex '^cel+ery$'
expect "--queue-regex: the deepest of several" 1 \
	"^RABBITMQ WARNING - queue celery has 3 messages \(> 2\), 2 queues \|.* queue_depth_celery.priority=1;2;;0" \
	"$check" -p "$http" --queue-regex '^celery' -w 2
expect "--queue-regex matching nothing" 0 "^RABBITMQ OK - no queues match \\^zzz in vhost /$" \
	"$check" -p "$http" --queue-regex '^zzz'
expect "overview" 0 "^RABBITMQ OK - [0-9]+ messages .*RabbitMQ [0-9.]+ \| rabbitmq_messages=[0-9]+;;;0 .*rabbitmq_queues=" \
	"$check" -p "$http" --mode overview
expect "overview with a threshold" 2 "^RABBITMQ CRITICAL - [0-9]+ messages queued \(> 1\)" \
	"$check" -p "$http" -c 1
expect "node" 0 "^RABBITMQ OK - 1 node \| rabbitmq_mem_pct_vakt$$@localhost=[0-9.]+%;;;0;100 " \
	"$check" -p "$http" --mode node
expect "node: memory over a bare -w" 1 "^RABBITMQ WARNING - node vakt$$@localhost uses [0-9.]+% of its memory limit \(> 0.0001\)" \
	"$check" -p "$http" --mode node -w 0.0001
expect "node: --node names a node not in the cluster" 2 "^RABBITMQ CRITICAL - no node rabbit@nowhere in the cluster$" \
	"$check" -p "$http" --mode node --node rabbit@nowhere
expect "health: every check passes" 0 "^RABBITMQ OK - [0-9]+ health checks passed" \
	"$check" -p "$http" --mode health
expect "health: the aliveness test before 4.0" 0 "^aliveness-test/%2F: ok$" \
	"$check" -p "$http" --mode health
# The aliveness test declared its queue; it is ours, not one to report.
api GET queues/%2F/aliveness-test
expect "the aliveness test's queue is left out of the listing" 0 \
	"^RABBITMQ OK - 2 queues, deepest celery with 3 messages \| queue_depth_celery=3;;;0 (.* )?queue_depth_celery\.priority=1;;;0 " \
	"$check" -p "$http" --vhost /

# A consumer that takes its prefetch of 2 and never acknowledges: 3 of 5
# messages stay ready and nothing is delivered or acknowledged any more.
pika_python=""
for py in python3 /usr/bin/python3; do
	if "$py" -c 'import pika' 2> /dev/null; then
		pika_python=$py
		break
	fi
done
if [ -n "$pika_python" ]; then
	api PUT queues/%2F/stall '{"durable":false}'
	"$pika_python" "$(dirname "$0")/stall_consumer.py" "$amqp" stall > "$tmp/stall.out" 2>&1 &
	peers="$peers $!"
	for _ in $(seq 100); do
		grep -q consuming "$tmp/stall.out" && break
		sleep 0.1
	done
	publish %2F stall 5
	# The statistics lag: wait until the samples show a stall.
	for _ in $(seq 100); do
		"$check" -p "$http" --queue stall -c queue_stalled=1 | grep -q "is stalled" && break
		sleep 0.2
	done
	expect "a stalled consumer: CRITICAL past -c, in words" 2 \
		"^RABBITMQ CRITICAL - queue stall is stalled: 3 messages ready, 1 consumer holding 2 unacknowledged, nothing delivered or acknowledged for [0-9]+ s \(> 1\) \|.* queue_stalled_stall=[0-9]+s;;1;0" \
		"$check" -p "$http" --queue stall -c queue_stalled=1
	expect "a stalled consumer: WARNING past -w" 1 \
		"^RABBITMQ WARNING - queue stall is stalled: 3 messages ready, .* \(> 1\)" \
		"$check" -p "$http" --queue stall -w queue_stalled=1
	expect "a stalled consumer: the long output says so" 2 \
		"^queue stall: 5 messages \(3 ready, 2 unacknowledged\), 1 consumer, .*, stalled for [0-9]+ s$" \
		"$check" -p "$http" --queue stall -c queue_stalled=1
	# Its state depends on how long it has been stalled; the thresholds do not.
	expect "a stalled consumer: WARNING at 60 s and CRITICAL at 300 s by default" 0 \
		"queue_stalled_stall=[0-9]+s;60;300;0" sh -c '"$@" || true' sh "$check" -p "$http" --queue stall
	expect "a stalled consumer: -c queue_stalled=~: alone turns it off" 0 \
		"^RABBITMQ OK - queue stall has 5 messages \|.* queue_stalled_stall=[0-9]+s;;~:;0" \
		"$check" -p "$http" --queue stall -c 'queue_stalled=~:'
	expect "a queue without consumers is not stalled" 0 "queue_stalled_celery=0s;60;300;0" \
		"$check" -p "$http" --queue celery
	api DELETE queues/%2F/stall
else
	echo "python3-pika not installed"
	[ "${VAKT_REQUIRE_ALL:-0}" = 1 ] && fail "python3-pika is needed for the stalled-consumer test"
fi

# A disk alarm: publishers blocked, the health checks answer 503.
rabbitmqctl set_disk_free_limit 100000GB > /dev/null
for _ in $(seq 50); do
	"$check" -p "$http" --mode node | grep -q "disk free alarm" && break
	sleep 0.2
done
expect "health: a disk alarm is CRITICAL with the server's reason" 2 \
	"^RABBITMQ CRITICAL - health/checks/alarms: There are alarms in effect in the cluster: disk space on vakt$$@localhost" \
	"$check" -p "$http" --mode health
expect "node: a disk alarm is CRITICAL" 2 "^RABBITMQ CRITICAL - node vakt$$@localhost has a disk free alarm" \
	"$check" -p "$http" --mode node
rabbitmqctl set_disk_free_limit 50MB > /dev/null

printf 's3cret\n' > "$tmp/password"
printf 'wrong\n' > "$tmp/wrong"
chmod 600 "$tmp/password" "$tmp/wrong"
expect "login from --password-file" 0 "^RABBITMQ OK - queue celery has 3 messages" \
	"$check" -p "$http" --user nagios --password-file "$tmp/password" --queue celery
expect "login from RABBITMQ_PASSWORD" 0 "^RABBITMQ OK - queue celery has 3 messages" \
	env RABBITMQ_PASSWORD=s3cret "$check" -p "$http" --user nagios --queue celery
expect "wrong password: CRITICAL, HTTP 401" 2 "^RABBITMQ CRITICAL - login as nagios refused: HTTP 401" \
	"$check" -p "$http" --user nagios --password-file "$tmp/wrong" --queue celery
if "$check" -p "$http" --user nagios --password-file "$tmp/password" --queue nosuch -vvv | grep -q s3cret; then
	fail "the password appears in the output"
else
	echo "ok: the password is never printed"
fi
expect "health takes no bare threshold" 3 "^RABBITMQ UNKNOWN - --mode health takes no bare -w/-c" \
	"$check" -p "$http" --mode health -w 1
expect "a threshold of another mode" 3 "^RABBITMQ UNKNOWN - queue_depth is not a metric of --mode node" \
	"$check" -p "$http" --mode node -w queue_depth=1
expect "-u and -p together" 3 "^RABBITMQ UNKNOWN - give either -u URL or -p PORT" \
	"$check" -p "$http" -u "http://127.0.0.1:$http"
expect "a bad --queue-regex" 3 "^RABBITMQ UNKNOWN - invalid --queue-regex '\('" \
	"$check" -p "$http" --queue-regex '('

# vaktd's [rabbitmq NAME] collector serves the same queue metrics.
vaktd=$top_builddir/agent/vaktd
if [ -x "$vaktd" ] && ! grep -aq "vaktd was built without libcurl" "$vaktd"; then
	printf '%s\n' "[collect]" "interval = 1" "[rabbitmq main]" "url = http://127.0.0.1:$http" \
		"queues = celery, nosuch" "[rabbitmq all]" "url = http://127.0.0.1:$http" \
		"[rabbitmq ro]" "url = http://127.0.0.1:$http" "user = nagios" \
		"password_file = $tmp/password" > "$tmp/vaktd.conf"
	start_vaktd "$tmp/vaktd.conf"
	for _ in $(seq 50); do
		curl -s "$url/metrics" | grep -q '^vakt_queue_depth{' && break
		sleep 0.1
	done
	curl -s "$url/metrics" > "$tmp/metrics"
	expect "vaktd: queue_depth of celery" 0 \
		'^vakt_queue_depth\{broker="rabbitmq",queue="celery",target="main",vhost="/"\} 3$' \
		grep '^vakt_queue_depth{' "$tmp/metrics"
	for _ in $(seq 50); do
		grep -q '^vakt_queue_depth{broker="rabbitmq",queue="celery",target="all"' "$tmp/metrics" && break
		sleep 0.1
		curl -s "$url/metrics" > "$tmp/metrics"
	done
	expect "vaktd: discovery finds celery" 0 \
		'^vakt_queue_depth\{broker="rabbitmq",queue="celery",target="all",vhost="/"\} 3$' \
		grep '^vakt_queue_depth{' "$tmp/metrics"
	if grep -q 'queue="aliveness-test"' "$tmp/metrics"; then
		fail "vaktd: the aliveness test's queue shows up in /metrics"
	else
		echo "ok: vaktd: the aliveness test's queue is left out"
	fi
	expect "vaktd: queue_stalled of celery" 0 \
		'^vakt_queue_stalled_seconds\{broker="rabbitmq",queue="celery",target="main",vhost="/"\} 0$' \
		grep '^vakt_queue_stalled' "$tmp/metrics"
	expect "vaktd: node metrics" 0 "^vakt_rabbitmq_running\\{.*node=\"vakt$$@localhost\",target=\"main\"\\} 1$" \
		grep '^vakt_rabbitmq_running{' "$tmp/metrics"
	expect "vaktd: check endpoint on the depth" 0 '"exit_code":1,.*queue=celery\} is 3 \(> 2\)' \
		curl -s "$url/api/v1/check/queue_depth?queue=celery&warning=2"
	# The same verdicts through the agent (check_vakt --check rabbitmq):
	# queues byte for byte but their idle time and rates; the overview and
	# the nodes, whose numbers move between two reads, with numbers as N.
	if [ -x "$plugins/check_vakt" ]; then
		q='s/idle [0-9.]+ s/idle N s/g; s/queue_idle_([^=]*)=[^ ]*/queue_idle_\1=N/g; s/[0-9.]+ (published|delivered|acks)\/s/N \1\/s/g; s/no message rates \(the server keeps none for it\)/N published\/s, N delivered\/s, N acks\/s/g; s/_rate_([^=]*)=[^ ]*/_rate_\1=N/g; s/queue_not_draining_seconds_([^=]*)=[^ ]*/queue_not_draining_seconds_\1=N/g; s/, (not draining for|empty in about|growing by) .*$//'
		n='s/[0-9]+(\.[0-9]+)?/N/g'
		same_verdict "agent: the section's queues, one missing" "$q" rabbitmq main -- \
			"$check" -p "$http" --queue celery --queue nosuch -- --mode=queue
		same_verdict "agent: one queue of a section, past -w" "$q" rabbitmq all -- \
			"$check" -p "$http" -- --queue=celery -w 2 -v
		same_verdict "agent: queues by a regex, no consumers" "$q" rabbitmq all -- \
			"$check" -p "$http" -- --queue-regex=^celery -c queue_consumers=1:
		same_verdict "agent: a regex matching nothing" "$q" rabbitmq all -- \
			"$check" -p "$http" -- --queue-regex=^zzz
		same_verdict "agent: overview" "$n" rabbitmq all -- "$check" -p "$http" --
		same_verdict "agent: overview past -c" "$n" rabbitmq all -- "$check" -p "$http" -- -c 1
		same_verdict "agent: node" "$n" rabbitmq all -- "$check" -p "$http" -- --mode=node
		same_verdict "agent: health" "$n" rabbitmq all -- "$check" -p "$http" -- --mode=health -v
		rabbitmqctl set_disk_free_limit 100000GB > /dev/null
		for _ in $(seq 50); do
			"$check" -p "$http" --mode node | grep -q "disk free alarm" && break
			sleep 0.2
		done
		same_verdict "agent: node with a disk alarm" "$n" rabbitmq all -- \
			"$check" -p "$http" -- --mode=node --node="vakt$$@localhost"
		same_verdict "agent: health with a disk alarm" "$n" rabbitmq all -- \
			"$check" -p "$http" -- --mode=health
		rabbitmqctl set_disk_free_limit 50MB > /dev/null
		# nagios may read, not declare: the aliveness test is refused.
		same_verdict "agent: health as a user who may only read" "$n" rabbitmq ro -- \
			"$check" -p "$http" --user nagios --password-file "$tmp/password" -- --mode=health
		same_verdict "agent: the queues as that user" "$q" rabbitmq ro -- \
			"$check" -p "$http" --user nagios --password-file "$tmp/password" -- --queue=celery
		expect "agent: a node not in the cluster" 2 "^RABBITMQ CRITICAL - no node rabbit@nowhere in the cluster$" \
			"$plugins/check_vakt" -H 127.0.0.1 -p "$port" --check rabbitmq --instance all \
			--option mode=node --option node=rabbit@nowhere
		expect "agent: the URL is the section's to say" 3 "^VAKT UNKNOWN - unknown option 'url'" \
			"$plugins/check_vakt" -H 127.0.0.1 -p "$port" --check rabbitmq --instance all \
			--option url=http://127.0.0.1:1
	fi
	kill "$vaktd_pid" 2> /dev/null
	wait "$vaktd_pid" 2> /dev/null
else
	echo "skip: vaktd is not built with the RabbitMQ collector"
fi

stop_rabbit
expect "broker down: CRITICAL" 2 "^RABBITMQ CRITICAL - cannot connect to 127\.0\.0\.1:$http: Connection refused$" \
	"$check" -p "$http" --queue celery

# A port that accepts connections and never answers.
start_peer listen 127.0.0.1 16 0
hung=$peer_value
start=$(date +%s)
expect "broker hung: CRITICAL within -t" 2 "^RABBITMQ CRITICAL - timed out after 2 s: 127\.0\.0\.1:$hung did not answer the HTTP request$" \
	"$check" -p "$hung" --queue celery -t 2
[ $(($(date +%s) - start)) -le 3 ] || fail "the hung broker took more than -t"
expect "broker hung: -t SECONDS:STATE" 3 "^RABBITMQ UNKNOWN - timed out after 1 s: 127\.0\.0\.1:$hung did not answer the HTTP request$" \
	"$check" -p "$hung" --mode health -t 1:unknown

# Servers that are not RabbitMQ's management API, one per answer (a Python
# tuple), which each gives to a queue (.../celery), the overview and the nodes.
declare -A answer=(
	[garbage]='(200, "hello")'
	[html]='(200, "<html><body>It works</body></html>")'
	[shape]="(200, '{\"state\": \"OK\", \"exit_code\": 0}')"
	[missing]='(404, "<h1>Not Found</h1>")'
	[big]='(200, "[" + " " * (17 << 20) + "]")'
	[broken]='(500, "internal error")'
)
# fake CASE: start the server of answer[CASE]; sets $fake.
fake() {
	start_fake_http "{'celery': ${answer[$1]}, 'overview': ${answer[$1]}, 'nodes': ${answer[$1]}}"
	fake=$fake_port
}
na="^RABBITMQ UNKNOWN - the server answered something that is not RabbitMQ's management API"
for case in garbage html shape missing; do
	fake "$case"
	expect "fake server: $case is UNKNOWN" 3 "$na" "$check" -u "http://127.0.0.1:$fake/$case" --queue celery
	expect "fake server: $case, overview" 3 "$na" "$check" -u "http://127.0.0.1:$fake/$case" --mode overview
done
fake big
expect "fake server: more than 16 MiB is UNKNOWN" 3 "$na \(more than 16777216 bytes\)$" \
	"$check" -u "http://127.0.0.1:$fake/big" --mode node
fake broken
expect "fake server: HTTP 500 is CRITICAL" 2 "^RABBITMQ CRITICAL - the server answered HTTP 500: internal error$" \
	"$check" -u "http://127.0.0.1:$fake/broken" --mode node
finish
