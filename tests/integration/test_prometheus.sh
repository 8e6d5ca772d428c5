#!/bin/sh
# vakt as a Prometheus user meets it: the shipped rules pass promtool and
# their unit tests, and a real Prometheus, configured by the shipped scrape
# example (only the port, the intervals and the rules' path changed) and
# loading the shipped rules unchanged, scrapes a real vaktd watching a real
# Redis. Healthy: the target is up, the series carry target="jobs" (not
# exported_instance) and no vakt alert is pending or firing. Redis hung
# (SIGSTOP): the queue's series vanish and VaktCollectorDown goes pending
# for that collector, read back from Prometheus's own API.
. "$(dirname "$0")/lib.sh"
require_built "$top_builddir/agent/vaktd"
require_tools prometheus promtool redis-server redis-cli curl jq

rules=$top_srcdir/templates/prometheus/vakt-rules.yml
scrape=$top_builddir/templates/prometheus/vakt-scrape.yml
[ -f "$scrape" ] || { echo "FAIL: $scrape is not built"; exit 1; }

expect "promtool check rules" 0 "SUCCESS: [0-9]+ rules found" promtool check rules "$rules"
# promtool reads the rules relative to the test file.
cp "$rules" "$top_srcdir/tests/data/prometheus/vakt-rules.test.yml" "$tmp/"
expect "promtool test rules" 0 "SUCCESS" sh -c "cd '$tmp' && promtool test rules vakt-rules.test.yml"

# Every vakt_ name a rule uses is one vaktd serves (metricdoc's names, with
# their Prometheus suffixes); the list is checked against a real /metrics
# below for the collectors this test runs, and against the unit tests'.
used=$(grep -oE 'vakt_[a-z0-9_]*[a-z0-9]' "$rules" | sort -u)

start_redis
redis_pid_jobs=$redis_pid
jobs_port=$redis_port
resume_redis() { kill -CONT "$redis_pid_jobs" 2>/dev/null; }
cleanup_hooks="$cleanup_hooks resume_redis"
redis-cli -p "$jobs_port" rpush celery a b c > /dev/null
# A task a Celery worker holds unacknowledged, as kombu keeps it: its
# message under its delivery tag, and when it was delivered.
redis-cli -p "$jobs_port" hset unacked tag1 \
	'[{"headers": {"task": "tasks.slow", "id": "0b4c"}}, "", "celery"]' > /dev/null
redis-cli -p "$jobs_port" zadd unacked_index "$(($(date +%s) - 60))" tag1 > /dev/null

cat > "$tmp/vaktd.conf" << CONF
[redis jobs]
address = 127.0.0.1:$jobs_port
queues = celery
interval = 1
timeout = 1
[process redis]
name = redis-server
CONF
start_vaktd "$tmp/vaktd.conf"
agent_port=$port
for _ in $(seq 50); do
	curl -s "$url/metrics" > "$tmp/metrics"
	grep -q '^vakt_queue_depth{' "$tmp/metrics" && break
	sleep 0.1
done
expect_lines "vaktd /metrics" "$tmp/metrics" \
	'^vakt_queue_depth\{broker="redis",queue="celery",target="jobs",vhost="db0"\} 3$' \
	'^vakt_collector_up\{collector="redis jobs",target="jobs"\} 1$' \
	'^vakt_celery_oldest_unacked_task\{broker="redis",target="jobs",task="tasks\.slow",task_id="0b4c",vhost="db0"\} 1$'
for name in $used; do
	case $name in
	# Collectors this test does not run: their names come from metricdoc
	# and are exercised by the rules' unit tests.
	vakt_rabbitmq_* | vakt_haproxy_* | vakt_lock_* | vakt_nginx_* | vakt_queue_consumers | \
		vakt_queue_stalled_seconds | vakt_supervisor_* | \
		vakt_redis_master_link_up | vakt_redis_aof_write_ok) continue ;;
	esac
	grep -q "^$name[{ ]" "$tmp/metrics" || fail "a rule uses $name, which vaktd does not serve"
done

# The shipped example, adapted in port, intervals and the rules' path only.
prom_port=$(pick_port)
sed -e "s|127\.0\.0\.1:9333|127.0.0.1:$agent_port|" \
	-e 's|_interval: 15s|_interval: 1s|' \
	-e "s|^  - .*/prometheus/vakt-rules\.yml$|  - $rules|" "$scrape" > "$tmp/prometheus.yml"
grep -q "127.0.0.1:$agent_port" "$tmp/prometheus.yml" && grep -q -- "- $rules" "$tmp/prometheus.yml" ||
	{ echo "FAIL: could not adapt $scrape"; cat "$tmp/prometheus.yml"; exit 1; }
expect "promtool check config on the adapted example" 0 "SUCCESS" promtool check config "$tmp/prometheus.yml"
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
	--web.listen-address="127.0.0.1:$prom_port" > "$tmp/prometheus.log" 2>&1 &
peers="$peers $!"
prom=http://127.0.0.1:$prom_port

# wait_for WHAT JQ-FILTER PATH: poll Prometheus until the filter is true.
wait_for() {
	for _ in $(seq 600); do
		curl -s "$prom$3" 2> /dev/null | jq -e "$2" > /dev/null 2>&1 && { echo "ok: $1"; return 0; }
		sleep 0.1
	done
	fail "$1: $(curl -s "$prom$3" 2>&1 | head -c 2000)"
	tail -20 "$tmp/prometheus.log"
	return 1
}
# Alerts on conditions of this host, not of vakt or of the services here.
host_alerts='["VaktLoadHigh","VaktListenQueueOverflow","VaktSystemFdsHigh","VaktProcessFdsHigh"]'

wait_for "the vaktd target is up" \
	'.data.activeTargets | map(select(.labels.job == "vakt" and .health == "up")) | length == 1' \
	/api/v1/targets
wait_for "the queue's series arrives with target=\"jobs\"" \
	'.data.result | map(select(.metric.target == "jobs" and .metric.queue == "celery" and .value[1] == "3")) | length == 1' \
	'/api/v1/query?query=vakt_queue_depth'
# An answer, not a 503 of a server that is still busy: the series above are in.
wait_for "no exported_instance label" '.status == "success" and (.data.result | length == 0)' \
	'/api/v1/query?query=%7Bexported_instance%3D~%22.%2B%22%7D'
wait_for "the rules are loaded" \
	'.data.groups | map(.rules[]) | map(select(.name == "VaktCollectorDown" and .health == "ok")) | length == 1' \
	/api/v1/rules
expect "healthy: no vakt alert pending or firing" 0 '^0$' \
	sh -c "curl -s '$prom/api/v1/alerts' | jq '.data.alerts | map(select(.labels.alertname as \$a | $host_alerts | index(\$a) | not)) | length'"

# Redis hangs: the collector times out, its series vanish, the alert goes pending.
kill -STOP "$redis_pid_jobs"
wait_for "Redis hung: VaktCollectorDown pending or firing for redis jobs" \
	'.data.alerts | map(select(.labels.alertname == "VaktCollectorDown" and .labels.collector == "redis jobs" and .labels.target == "jobs" and (.state == "pending" or .state == "firing"))) | length == 1' \
	/api/v1/alerts
# The alert tells the on-call engineer where to ask why; that answer is the collector's.
why=$(curl -s "$prom/api/v1/alerts" | jq -r '.data.alerts[] | select(.labels.alertname == "VaktCollectorDown" and .labels.collector == "redis jobs") | .annotations.description' |
	grep -o "http://[^']*" | head -1)
expect "Redis hung: the URL in the alert's description says why" 0 \
	"^VAKT CRITICAL - collector redis jobs .*is failing: .*, since [0-9]+ s" curl -s "$why"
expect "Redis hung: the queue's series are gone from /metrics" 1 '^0$' \
	sh -c "curl -s '$url/metrics' | grep -c '^vakt_queue_depth'"
expect "Redis hung: the check endpoint says why" 0 \
	"^VAKT CRITICAL - collector redis jobs .*is failing: .*, since [0-9]+ s" \
	curl -s "$url/api/v1/check/queue_depth?target=jobs&critical=1000&format=nagios"
kill -CONT "$redis_pid_jobs"
finish
