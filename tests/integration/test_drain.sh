#!/bin/sh
# Queues that stop draining, with a real Celery 5 (Debian's python3-celery)
# on a real Redis and a real RabbitMQ: tasks queued while no worker runs make
# a queue "not draining" once its threshold passes (check_redis and
# check_rabbitmq from their state files, vaktd from its previous
# collections); a worker that consumes it makes it drain; a task that sleeps
# past the threshold is the oldest unacknowledged one, by name. Outcomes are
# polled with deadlines: the state file or the previous collection decides.
. "$(dirname "$0")/lib.sh"
require_built "$plugins/check_redis"
require_tools redis-server redis-cli python3
if ! /usr/bin/python3 -c 'import celery, redis' 2> /dev/null; then
	echo "python3-celery and python3-redis are needed (scripts/install-deps --test)"
	[ "${VAKT_REQUIRE_ALL:-0}" = 1 ] && exit 1
	exit 77
fi

check=$plugins/check_redis
start_redis
rport=$redis_port
redis-cli -p "$rport" ping | grep -q PONG || fail "redis does not answer PING"

# The Celery app: add() is quick; slow() acknowledges only when done
# (acks_late), so while it runs it stays in unacked/unacked_index.
cat > "$tmp/tasks.py" << 'EOF'
import os
import time

from celery import Celery

app = Celery("tasks", broker=os.environ["BROKER"])
app.conf.broker_connection_retry_on_startup = True


@app.task
def add(x, y):
    return x + y


@app.task(acks_late=True)
def slow(seconds):
    time.sleep(seconds)
EOF
celery_py() {
	(cd "$tmp" && BROKER=$broker /usr/bin/python3 -c "from tasks import add, slow; $1")
}
worker_pids=""
start_worker() {
	(cd "$tmp" && BROKER=$broker exec /usr/bin/python3 -m celery -A tasks worker --pool solo \
		-n "w$1@%h" --without-gossip --without-mingle -l WARNING) >> "$tmp/worker.log" 2>&1 &
	worker_pids="$worker_pids $!"
	peers="$peers $!"
}
stop_workers() {
	for p in $worker_pids; do
		kill -TERM "$p" 2> /dev/null
		wait "$p" 2> /dev/null
	done
	worker_pids=""
}

# poll WHAT DEADLINE STATUS REGEX CMD...: run CMD until its status is STATUS
# and its output matches REGEX, for up to DEADLINE seconds.
poll() {
	local what=$1 secs=$2 want=$3 re=$4 out rc end
	shift 4
	end=$(($(date +%s) + secs))
	while :; do
		out=$("$@" 2>&1)
		rc=$?
		if [ "$rc" = "$want" ] && printf '%s\n' "$out" | grep -Eq "$re"; then
			echo "ok: $what"
			return 0
		fi
		if [ "$(date +%s)" -ge "$end" ]; then
			printf 'FAIL: %s\n  command: %s\n  status %s (want %s)\n  output: %s\n' \
				"$what" "$*" "$rc" "$want" "$out"
			failures=$((failures + 1))
			return 1
		fi
		sleep 0.3
	done
}

broker="redis://127.0.0.1:$rport/0"
mkdir "$tmp/state"
nd="--state-dir $tmp/state --queue celery -w queue_not_draining_seconds=2 -c queue_not_draining_seconds=600"

# The agent watches the same queue from the start.
agent=no
if [ -x "$vaktd_bin" ] && [ -x "$plugins/check_vakt" ]; then
	printf '%s\n' "[redis jobs]" "address = 127.0.0.1:$rport" "queues = celery" "interval = 1" \
		> "$tmp/vaktd.conf"
	start_vaktd "$tmp/vaktd.conf"
	agent=yes
fi

# No worker: five tasks wait, and the depth never falls.
celery_py '[add.delay(i, i) for i in range(5)]'
expect "five tasks queued, no worker" 0 "^REDIS OK - queue celery has 5 messages" "$check" -p "$rport" --queue celery
# shellcheck disable=SC2086 # $nd is a list of words
poll "no worker: not draining past its threshold" 30 1 \
	"^REDIS WARNING - queue celery has not drained for [0-9]+ s \(> 2\).* queue_not_draining_seconds_celery=[0-9.]+s;2;600;0" \
	"$check" -p "$rport" $nd
# shellcheck disable=SC2086
expect "no worker: the long output says so" 1 "^queue celery: 5 messages, not draining for [0-9]+ s$" \
	"$check" -p "$rport" $nd
if [ "$agent" = yes ]; then
	poll "agent: queue_not_draining_seconds in /metrics" 30 0 \
		'^vakt_queue_not_draining_seconds\{broker="redis",queue="celery",target="jobs",vhost="db0"\} ([3-9]|[1-9][0-9]+)(\.[0-9]+)?$' \
		curl -s "$url/metrics"
	poll "agent: the check endpoint gives the same verdict" 30 1 \
		"^REDIS WARNING - queue celery has not drained for [0-9]+ s \(> 2\)" \
		"$plugins/check_vakt" -H 127.0.0.1 -p "$port" --check redis --instance jobs \
		--option queue=celery -w queue_not_draining_seconds=2
fi

# A worker takes them: the depth falls to 0 and the queue drains.
start_worker 1
# shellcheck disable=SC2086
poll "worker: the queue drains" 60 0 \
	"^REDIS OK - queue celery has 0 messages.* queue_not_draining_seconds_celery=0s;2;600;0" \
	"$check" -p "$rport" $nd
if [ "$agent" = yes ]; then
	poll "agent: drained" 30 0 \
		'^vakt_queue_not_draining_seconds\{broker="redis",queue="celery",target="jobs",vhost="db0"\} 0$' \
		curl -s "$url/metrics"
fi

# A task that sleeps past the threshold: the oldest unacknowledged task, by name.
celery_py 'slow.delay(120)'
poll "a task stuck on a worker: the oldest unacknowledged, named" 60 1 \
	"^REDIS WARNING - oldest unacknowledged Celery task tasks\.slow was delivered [0-9]+ s ago \(> 2\)" \
	"$check" -p "$rport" --queue celery -w celery_oldest_unacked_age_seconds=2
expect "its name and id in the long output" 1 \
	"^oldest unacknowledged Celery task: tasks\.slow \(id [0-9a-f-]{36}\), delivered to a worker [0-9]+ s ago$" \
	"$check" -p "$rport" --queue celery -w celery_oldest_unacked_age_seconds=2
if [ "$agent" = yes ]; then
	poll "agent: the oldest unacknowledged task in /metrics" 30 0 \
		'^vakt_celery_oldest_unacked_task\{broker="redis",target="jobs",task="tasks\.slow",task_id="[0-9a-f-]{36}",vhost="db0"\} 1$' \
		curl -s "$url/metrics"
	poll "agent: the check endpoint names it" 30 1 \
		"oldest unacknowledged Celery task tasks\.slow was delivered [0-9]+ s ago \(> 2\)" \
		"$plugins/check_vakt" -H 127.0.0.1 -p "$port" --check redis --instance jobs \
		-w celery_oldest_unacked_age_seconds=2
fi
stop_workers

# RabbitMQ: messages published with the AMQP timestamp and nobody consuming:
# the oldest message's age, and not draining (no consumers at all, which
# queue_stalled leaves alone).
if [ -x "$plugins/check_rabbitmq" ] && command -v rabbitmq-server > /dev/null &&
	/usr/bin/python3 -c 'import pika' 2> /dev/null; then
	start_rabbitmq
	curl -fsS -u guest:guest "http://127.0.0.1:$rabbit_http/api/overview" > /dev/null ||
		fail "rabbitmq's management API does not answer"
	/usr/bin/python3 - "$rabbit_port" << 'EOF'
import sys
import time

import pika

conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", int(sys.argv[1])))
ch = conn.channel()
ch.queue_declare("jobs")
for i in range(4):
    ch.basic_publish("", "jobs", b"x", pika.BasicProperties(timestamp=int(time.time()) - 100))
conn.close()
EOF
	mq="$plugins/check_rabbitmq -p $rabbit_http --queue jobs --state-dir $tmp/state"
	# An agent of its own for the broker, from its previous collections.
	if [ "$agent" = yes ]; then
		kill "$vaktd_pid" && wait "$vaktd_pid" 2> /dev/null
		printf '%s\n' "[rabbitmq mq]" "url = http://127.0.0.1:$rabbit_http" "queues = jobs" \
			"interval = 1" > "$tmp/vaktd.conf"
		start_vaktd "$tmp/vaktd.conf"
	fi
	# shellcheck disable=SC2086
	poll "rabbitmq: the oldest message's age from head_message_timestamp" 30 1 \
		"^RABBITMQ WARNING - queue jobs has a message published (1[0-9][0-9] s|[0-9] min) ago" \
		$mq -w queue_oldest_age_seconds=60
	# shellcheck disable=SC2086
	poll "rabbitmq: no consumers, not draining past its threshold" 30 1 \
		"^RABBITMQ WARNING - queue jobs has not drained for [0-9]+ s \(> 2\)" \
		$mq -w queue_not_draining_seconds=2
	# shellcheck disable=SC2086
	expect "rabbitmq: the long output" 1 "^queue jobs: 4 messages .*, oldest message .* old, not draining for [0-9]+ s$" \
		$mq -w queue_not_draining_seconds=2
	if [ "$agent" = yes ]; then
		poll "rabbitmq agent: queue_not_draining_seconds in /metrics" 30 0 \
			'^vakt_queue_not_draining_seconds\{broker="rabbitmq",queue="jobs",target="mq",vhost="/"\} ([3-9]|[1-9][0-9]+)(\.[0-9]+)?$' \
			curl -s "$url/metrics"
		curl -s "$url/metrics" > "$tmp/metrics"
		expect "rabbitmq agent: queue_oldest_age_seconds in /metrics" 0 \
			'^vakt_queue_oldest_age_seconds\{broker="rabbitmq",queue="jobs",target="mq",vhost="/"\} [0-9]{3}$' \
			grep '^vakt_queue_oldest_age_seconds' "$tmp/metrics"
		poll "rabbitmq agent: the check endpoint gives the same verdict" 30 1 \
			"^RABBITMQ WARNING - queue jobs has not drained for [0-9]+ s \(> 2\)" \
			"$plugins/check_vakt" -H 127.0.0.1 -p "$port" --check rabbitmq --instance mq \
			--option queue=jobs -w queue_not_draining_seconds=2
	fi
	# A consumer takes them all: drained.
	/usr/bin/python3 - "$rabbit_port" << 'EOF'
import sys

import pika

conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", int(sys.argv[1])))
ch = conn.channel()
while True:
    method, _, _ = ch.basic_get("jobs", auto_ack=True)
    if method is None:
        break
conn.close()
EOF
	# shellcheck disable=SC2086
	poll "rabbitmq: consumed, drained" 30 0 "^RABBITMQ OK - queue jobs has 0 messages" \
		$mq -w queue_not_draining_seconds=2
	if [ "$agent" = yes ]; then
		poll "rabbitmq agent: drained" 30 0 "^RABBITMQ OK - queue jobs has 0 messages" \
			"$plugins/check_vakt" -H 127.0.0.1 -p "$port" --check rabbitmq --instance mq \
			--option queue=jobs -w queue_not_draining_seconds=2
	fi
else
	echo "rabbitmq-server, check_rabbitmq or python3-pika missing: RabbitMQ's part is left out"
fi

finish
