#!/bin/bash
# The end-to-end suite: the shipped templates in the real consumers, against
# a real stack on loopback, with faults injected one at a time.
#
# nginx (stub_status) proxies to HAProxy, which balances two app servers with
# health checks, has a TCP listen over the two databases and a listen stats
# section; Redis carries a Celery and a Resque queue, RabbitMQ a queue with a
# real AMQP consumer; MariaDB and PostgreSQL; snmpd for the SNMP commands;
# vaktd runs every collector. A real Nagios 4 loads the Nagios commands as
# make install installs them (made by the same rule, with this build's
# plugins) and a service for every shipped
# command; a real Icinga 2 the CheckCommands, with the same services; a real
# Prometheus scrapes the agent and evaluates the shipped alerting rules.
# What they say is read back from them: Nagios' status.dat, Icinga's REST
# API, Prometheus' alerts API. Every service must be OK and no alert raised
# while all is well; then each fault must show the state and the words a
# user needs in all three, and everything must be healthy again once the
# fault is gone. Icinga's log must hold no perfdata warning.
#
# A daemon or client that is not installed is a SKIP (77), or a failure with
# VAKT_REQUIRE_ALL=1. E2E_TIMEOUT (seconds, default 90) bounds each wait.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/monitors.sh"
e2e_timeout=${E2E_TIMEOUT:-90}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
# VAKT_E2E_INSTALLED=1 runs the suite against the installed Debian packages
# instead of this build tree (tests/package/run.sh does, after dpkg -i): the
# plugins in /usr/lib/nagios/plugins/vakt, /usr/sbin/vaktd, the Nagios objects
# where the package puts them, the Icinga 2 CheckCommands as Icinga finds
# them (include <plugins-contrib>), and the installed Prometheus rules.
if [ "${VAKT_E2E_INSTALLED:-0}" = 1 ]; then
	plugins=/usr/lib/nagios/plugins/vakt
	vaktd_bin=/usr/sbin/vaktd
	nagios_cfg=/etc/nagios-plugins/config/vakt.cfg
	icinga_conf=/usr/share/icinga2/include/plugins-contrib.d/vakt.conf
	icinga_include="include <plugins-contrib>"
	rules_dir=/usr/share/vakt/prometheus
else
	nagios_cfg=$top_builddir/tests/e2e/nagios/vakt-commands.cfg
	icinga_conf=$top_builddir/tests/e2e/icinga2/vakt-commands.conf
	icinga_include="include \"$icinga_conf\""
	rules_dir=$top_srcdir/templates/prometheus
fi

# need_daemon VAR NAME...: set VAR to the program find_daemon finds, or skip
# (77), or fail with VAKT_REQUIRE_ALL=1.
need_daemon() {
	local var=$1 path
	shift
	if ! path=$(find_daemon "$@"); then
		echo "$1 not installed"
		[ "${VAKT_REQUIRE_ALL:-0}" = 1 ] && exit 1
		exit 77
	fi
	printf -v "$var" '%s' "$path"
}

need_daemon nagios "${NAGIOS:-nagios4}" nagios
need_daemon icinga "${ICINGA2:-icinga2}"
need_daemon prometheus prometheus
need_daemon mariadbd mariadbd
require_tools nginx haproxy redis-server redis-cli rabbitmq-server mariadb psql jq curl \
	openssl python3 setsid snmpd snmpget supervisord supervisorctl
# The SNMP commands run Monitoring Plugins' check_snmp ($USER1$, PluginDir).
if [ ! -x /usr/lib/nagios/plugins/check_snmp ]; then
	echo "check_snmp (monitoring-plugins-standard) not installed"
	[ "${VAKT_REQUIRE_ALL:-0}" = 1 ] && exit 1
	exit 77
fi
# Debian's python3-pika is for /usr/bin/python3, which may not be the
# python3 that comes first in PATH.
amqp_python=""
for py in python3 /usr/bin/python3; do
	"$py" -c 'import pika' 2> /dev/null && amqp_python=$py && break
done
if [ -z "$amqp_python" ]; then
	echo "python3-pika not installed"
	[ "${VAKT_REQUIRE_ALL:-0}" = 1 ] && exit 1
	exit 77
fi
for p in load fds listen redis rabbitmq nginx haproxy mysql_locks pgsql_locks supervisor vakt; do
	require_built "$plugins/check_$p"
done
require_built "$vaktd_bin"
for f in "$nagios_cfg" "$icinga_conf"; do
	[ -r "$f" ] || { echo "FAIL: $f is missing; run make check"; exit 1; }
done
# The rabbitmq and postgres users must reach their directories in $tmp.
chmod o+x "$tmp"

# ---------------------------------------------------------------- the stack

# app_on NAME: run app server NAME (python3's http.server) on port
# ${app_port[NAME]}, a free one the first time, and wait until it answers.
declare -A app_port app_pid
mkdir -p "$tmp/app"
echo app > "$tmp/app/index.html"
app_on() {
	local name=$1 p
	for _ in 1 2 3 4 5; do
		p=${app_port[$name]:-$(pick_port)} || break
		python3 -m http.server --bind 127.0.0.1 --directory "$tmp/app" "$p" \
			>> "$tmp/app.$name.log" 2>&1 &
		app_pid[$name]=$!
		peers="$peers ${app_pid[$name]}"
		for _ in $(seq 100); do
			if curl -sf -o /dev/null "http://127.0.0.1:$p/"; then
				app_port[$name]=$p
				return 0
			fi
			proc_alive "${app_pid[$name]}" || break
			sleep 0.1
		done
		kill "${app_pid[$name]}" 2> /dev/null
		[ -n "${app_port[$name]:-}" ] && break
	done
	echo "FAIL: app server $name did not start"
	cat "$tmp/app.$name.log"
	exit 1
}

# The AMQP clients: "consume" acknowledges every message, "stall" takes 20
# and acknowledges none; both reconnect when RabbitMQ goes away. "publish N"
# publishes N messages and exits.
cat > "$tmp/amqp.py" << 'PY'
import os, sys, time
import pika
mode, port = sys.argv[1], int(sys.argv[2])
params = pika.ConnectionParameters("127.0.0.1", port, connection_attempts=1, socket_timeout=2)

def channel():
    conn = pika.BlockingConnection(params)
    ch = conn.channel()
    ch.queue_declare("celery", durable=True)
    return conn, ch

if mode == "publish":
    conn, ch = channel()
    for _ in range(int(sys.argv[3])):
        ch.basic_publish("", "celery", b"{}")
    conn.close()
    sys.exit(0)
print("pid", os.getpid(), flush=True)

def on_message(ch, method, properties, body):
    if mode == "consume":
        ch.basic_ack(method.delivery_tag)

while True:
    try:
        conn, ch = channel()
        ch.basic_qos(prefetch_count=20)
        ch.basic_consume("celery", on_message)
        ch.start_consuming()
    except (pika.exceptions.AMQPError, OSError):
        time.sleep(0.5)
PY

# amqp MODE: start the AMQP client MODE in the background; set $amqp_pid.
amqp() {
	amqp_seq=$((${amqp_seq:-0} + 1))
	"$amqp_python" "$tmp/amqp.py" "$1" "$rabbit_port" > "$tmp/amqp.$amqp_seq.out" 2>&1 &
	amqp_pid=$!
	peers="$peers $amqp_pid"
	started "$tmp/amqp.$amqp_seq.out" "the AMQP client $1" > /dev/null || exit 1
}

# rabbit_queue FIELD: a field of queue celery in the management API.
rabbit_queue() {
	curl -sf -m 5 -u guest:guest "http://127.0.0.1:$rabbit_http/api/queues/%2F/celery" |
		jq -r ".$1 // 0"
}

echo "starting the stack"
app_on app1
app_on app2
start_mariadb
start_postgres
front_port=$(pick_port) || exit 1
db_port=$(pick_port) || exit 1
start_haproxy "
frontend web
	bind 127.0.0.1:$front_port
	default_backend app
backend app
	option httpchk GET /
	server app1 127.0.0.1:${app_port[app1]} check
	server app2 127.0.0.1:${app_port[app2]} check
listen db
	mode tcp
	bind 127.0.0.1:$db_port
	default-server inter 2s
	server mariadb 127.0.0.1:$mariadb_port check
	server postgres 127.0.0.1:$pg_port check"
haproxy_wait app app1 UP
haproxy_wait app app2 UP
haproxy_wait db mariadb UP
haproxy_wait db postgres UP
start_nginx "location /app/ { proxy_pass http://127.0.0.1:$front_port/; }"
curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/app/" ||
	fail "nginx does not pass /app/ through HAProxy to the app servers"
start_redis --unixsocket "$tmp/redis.sock" --unixsocketperm 700
# A Celery queue as kombu leaves it: the list and its binding.
redis-cli -p "$redis_port" rpush celery '{}' '{}' '{}' > /dev/null
redis-cli -p "$redis_port" sadd _kombu.binding.celery "$(printf 'celery\006\026\006\026celery')" > /dev/null
# And a Resque queue with a job waiting.
redis-cli -p "$redis_port" sadd resque:queues mail > /dev/null
redis-cli -p "$redis_port" rpush resque:queue:mail '{"class":"Mail"}' > /dev/null
# Supervisor runs the Celery workers (two processes), which the monitoring
# users (Nagios and Icinga may run as others) may ask over its socket.
sup_chmod=0777 start_supervisord "[program:celery-worker]
command=sleep 3600
process_name=%(program_name)s_%(process_num)02d
numprocs=2"
chmod o+rx "$sup_dir"
sup_wait celery-worker:celery-worker_01 RUNNING || fail "the celery workers did not start"
start_rabbitmq
amqp consume
consumer_pid=$amqp_pid
"$amqp_python" "$tmp/amqp.py" publish "$rabbit_port" 5 || fail "could not publish to RabbitMQ"
# snmpd, the host's master agent that the SNMP commands ask; vaktd registers
# with it over AgentX ([snmp] below) and serves VAKT-MIB there. The SNMP
# service reads vaktMetricValue of the row of the key vakt_load1.
snmp_row=2304144619.81723407
start_snmpd

# Nagios and Icinga log in to the databases as the user they run as, with
# the privileges the template comments ask for.
dbuser=$(id -un)
mariadb_sql "create user if not exists '$dbuser'@'localhost'" \
	"grant process on *.* to '$dbuser'@'localhost'" \
	"create database t" "create table t.orders (id int primary key, v int) engine=InnoDB" \
	"insert into t.orders values (1, 1)" || fail "could not prepare MariaDB"
[ "$dbuser" = postgres ] ||
	pg_sql "create role \"$dbuser\" login" "grant pg_monitor to \"$dbuser\"" > /dev/null ||
	fail "could not make the PostgreSQL role $dbuser"
pg_sql "create table orders (id int primary key, v int)" "insert into orders values (1, 1)" > /dev/null ||
	fail "could not prepare PostgreSQL"
printf '%s\n' "$pg_password" > "$tmp/pg.pass"
chmod 600 "$tmp/pg.pass"

cat > "$tmp/vaktd.conf" << EOF
[collect]
interval = 2
timeout = 1
[load]
[fds]
[listen]
[process nginx]
pidfile = $nginx_dir/nginx.pid
[redis jobs]
address = 127.0.0.1:$redis_port
celery = yes
[rabbitmq jobs]
url = http://127.0.0.1:$rabbit_http
[nginx web]
url = http://127.0.0.1:$nginx_port/nginx_status
[haproxy lb]
address = $haproxy_sock
[mysql shop]
address = $mariadb_sock
user = root
[postgresql main]
address = 127.0.0.1:$pg_port
user = postgres
password_file = $tmp/pg.pass
[supervisor workers]
socket = $sup_sock
[snmp]
enabled = yes
agentx_socket = $agentx_socket
ping_interval = 1
EOF
start_vaktd "$tmp/vaktd.conf"
agent_port=$port

# ------------------------------------------------------------- the services

# One service per line, the same in Nagios and Icinga 2, on the host e2e
# (127.0.0.1):
#   NAME|NAGIOS CHECK_COMMAND|NAGIOS VARIABLE|ICINGA CHECKCOMMAND|ICINGA ATTRIBUTES
# NAGIOS VARIABLE is the service's _VAKT_*_OPTS line, where the template
# comments say a site puts a server's port, socket or login. Between them
# they schedule every shipped Nagios command and Icinga CheckCommand.
# @NAME@ is replaced by the value of $NAME.
services=(
	'load|vakt_check_load!50,50,50!100,100,100||vakt_load|vars.vakt_load_warning = "50,50,50"; vars.vakt_load_critical = "100,100,100"'
	'load per cpu|vakt_check_load_percpu!25,25,25!50,50,50||vakt_load|vars.vakt_load_percpu = true; vars.vakt_load_warning = "25,25,25"; vars.vakt_load_critical = "50,50,50"'
	'io pressure|vakt_check_pressure!io!99,99,99!100,100,100||vakt_load|vars.vakt_load_pressure = "io"; vars.vakt_load_warning = "99,99,99"; vars.vakt_load_critical = "100,100,100"'
	'fds|vakt_check_fds!80!95||vakt_fds|'
	'nginx fds|vakt_check_fds_process!nginx!70!90||vakt_fds|vars.vakt_fds_process = "nginx"; vars.vakt_fds_warning = "70"; vars.vakt_fds_critical = "90"'
	'haproxy fds|vakt_check_fds_pidfile!@haproxy_dir@/haproxy.pid!70!90||vakt_fds|vars.vakt_fds_pidfile = "@haproxy_dir@/haproxy.pid"; vars.vakt_fds_warning = "70"; vars.vakt_fds_critical = "90"'
	'accept queue|vakt_check_listen!@front_port@!10!100||vakt_listen|vars.vakt_listen_port = @front_port@; vars.vakt_listen_warning = "10"; vars.vakt_listen_critical = "100"'
	'nginx|vakt_check_nginx!/nginx_status!800!1000|_VAKT_NGINX_OPTS -p @nginx_port@|vakt_nginx|vars.vakt_nginx_port = @nginx_port@; vars.vakt_nginx_warning = [ "800", "nginx_dropped_rate=0" ]; vars.vakt_nginx_critical = [ "1000", "nginx_dropped_rate=1" ]'
	'haproxy|vakt_check_haproxy!@haproxy_sock@!1!80!95||vakt_haproxy|vars.vakt_haproxy_address = "@haproxy_sock@"; vars.vakt_haproxy_min_up = 1'
	'haproxy app|vakt_check_haproxy_backend!@haproxy_sock@!app!1!80!95||vakt_haproxy|vars.vakt_haproxy_address = "@haproxy_sock@"; vars.vakt_haproxy_backend = "app"; vars.vakt_haproxy_min_up = 1; vars.vakt_haproxy_critical = [ "95", "haproxy_responses_5xx_rate=5" ]'
	'haproxy db|vakt_check_haproxy_backend!@haproxy_sock@!db!1!80!95||vakt_haproxy|vars.vakt_haproxy_address = "@haproxy_sock@"; vars.vakt_haproxy_backend = "db"; vars.vakt_haproxy_min_up = 1'
	'redis|vakt_check_redis!80!95|_VAKT_REDIS_OPTS -p @redis_port@|vakt_redis|vars.vakt_redis_port = @redis_port@'
	'celery on redis|vakt_check_redis_queue!celery!100!200|_VAKT_REDIS_OPTS -p @redis_port@|vakt_redis|vars.vakt_redis_port = @redis_port@; vars.vakt_redis_celery = true; vars.vakt_redis_warning = [ "100", "redis_memory_pct=80" ]; vars.vakt_redis_critical = [ "200", "redis_memory_pct=95" ]'
	'celery draining on redis|vakt_check_redis_drain!celery!3600!7200|_VAKT_REDIS_OPTS -p @redis_port@|vakt_redis|vars.vakt_redis_port = @redis_port@; vars.vakt_redis_queue = "celery"; vars.vakt_redis_warning = [ "queue_not_draining_seconds=3600", "celery_oldest_unacked_age_seconds=3600" ]; vars.vakt_redis_critical = "queue_not_draining_seconds=7200"'
	'resque on redis|vakt_check_redis_resque!100!1000!50|_VAKT_REDIS_OPTS -p @redis_port@|vakt_redis|vars.vakt_redis_port = @redis_port@; vars.vakt_redis_resque = true; vars.vakt_redis_warning = "100"; vars.vakt_redis_critical = [ "1000", "resque_failed=50" ]'
	'celery on rabbitmq|vakt_check_rabbitmq_queue!celery!100!200!-w queue_stalled=10|_VAKT_RABBITMQ_OPTS -p @rabbit_http@|vakt_rabbitmq|vars.vakt_rabbitmq_port = @rabbit_http@; vars.vakt_rabbitmq_queue = "celery"; vars.vakt_rabbitmq_warning = [ "100", "queue_stalled=10" ]; vars.vakt_rabbitmq_critical = [ "200", "queue_consumers=1:" ]'
	'celery draining on rabbitmq|vakt_check_rabbitmq_drain!celery!3600!7200|_VAKT_RABBITMQ_OPTS -p @rabbit_http@|vakt_rabbitmq|vars.vakt_rabbitmq_port = @rabbit_http@; vars.vakt_rabbitmq_queue = "celery"; vars.vakt_rabbitmq_warning = "queue_not_draining_seconds=3600"; vars.vakt_rabbitmq_critical = "queue_not_draining_seconds=7200"'
	'rabbitmq node|vakt_check_rabbitmq_node!80!90|_VAKT_RABBITMQ_OPTS -p @rabbit_http@|vakt_rabbitmq|vars.vakt_rabbitmq_port = @rabbit_http@; vars.vakt_rabbitmq_mode = "node"; vars.vakt_rabbitmq_warning = "80"; vars.vakt_rabbitmq_critical = "90"'
	'rabbitmq health|vakt_check_rabbitmq_health|_VAKT_RABBITMQ_OPTS -p @rabbit_http@|vakt_rabbitmq|vars.vakt_rabbitmq_port = @rabbit_http@; vars.vakt_rabbitmq_mode = "health"'
	'mysql locks|vakt_check_mysql_locks!2!4|_VAKT_MYSQL_LOCKS_OPTS -H @mariadb_sock@|vakt_mysql_locks|vars.vakt_mysql_locks_address = "@mariadb_sock@"; vars.vakt_mysql_locks_warning = "2"; vars.vakt_mysql_locks_critical = "4"'
	'mysql idle blocker|vakt_check_mysql_locks_idle!2!4!120|_VAKT_MYSQL_LOCKS_OPTS -H @mariadb_sock@|vakt_mysql_locks|vars.vakt_mysql_locks_address = "@mariadb_sock@"; vars.vakt_mysql_locks_warning = "2"; vars.vakt_mysql_locks_critical = [ "4", "lock_blocker_idle=120" ]'
	'pgsql locks|vakt_check_pgsql_locks!2!4|_VAKT_PGSQL_LOCKS_OPTS -H @pg_sock_dir@ -p @pg_port@|vakt_pgsql_locks|vars.vakt_pgsql_locks_address = "@pg_sock_dir@"; vars.vakt_pgsql_locks_port = @pg_port@; vars.vakt_pgsql_locks_warning = "2"; vars.vakt_pgsql_locks_critical = "4"'
	'supervisor|vakt_check_supervisor!--program celery-worker:*|_VAKT_SUPERVISOR_OPTS -s @sup_sock@|vakt_supervisor|vars.vakt_supervisor_socket = "@sup_sock@"; vars.vakt_supervisor_program = "celery-worker:*"'
	'celery workers under supervisor|vakt_check_supervisor_group!celery-worker!1|_VAKT_SUPERVISOR_OPTS -s @sup_sock@|vakt_supervisor|vars.vakt_supervisor_socket = "@sup_sock@"; vars.vakt_supervisor_group = "celery-worker"; vars.vakt_supervisor_min_running = "1"'
	'agent load|vakt_check_vakt!load1!50!100|_VAKT_VAKT_OPTS -p @agent_port@|vakt_vakt|vars.vakt_vakt_port = @agent_port@; vars.vakt_vakt_metric = "load1"; vars.vakt_vakt_warning = "50"; vars.vakt_vakt_critical = "100"'
	'agent nginx fds|vakt_check_vakt_label!process_fds_open!process=nginx!5000!8000|_VAKT_VAKT_OPTS -p @agent_port@|vakt_vakt|vars.vakt_vakt_port = @agent_port@; vars.vakt_vakt_metric = "process_fds_open"; vars.vakt_vakt_label = "process=nginx"; vars.vakt_vakt_warning = "5000"; vars.vakt_vakt_critical = "8000"'
	'agent celery queue|vakt_check_vakt_label!queue_depth!queue=celery!100!200|_VAKT_VAKT_OPTS -p @agent_port@|vakt_vakt|vars.vakt_vakt_port = @agent_port@; vars.vakt_vakt_metric = "queue_depth"; vars.vakt_vakt_label = "queue=celery"; vars.vakt_vakt_warning = "100"; vars.vakt_vakt_critical = "200"'
	'agent collectors|vakt_check_vakt_collectors|_VAKT_VAKT_OPTS -p @agent_port@|vakt_vakt|vars.vakt_vakt_port = @agent_port@; vars.vakt_vakt_metric = "collector_up"; vars.vakt_vakt_critical = "1:"'
	'agent load check|vakt_check_vakt_check!load!-w 50,50,50 -c 100,100,100|_VAKT_VAKT_OPTS -p @agent_port@|vakt_vakt|vars.vakt_vakt_port = @agent_port@; vars.vakt_vakt_check = "load"; vars.vakt_vakt_warning = "50,50,50"; vars.vakt_vakt_critical = "100,100,100"'
	'agent nginx fds check|vakt_check_vakt_check!fds!--option process=nginx --option percent -w 70 -c 90|_VAKT_VAKT_OPTS -p @agent_port@|vakt_vakt|vars.vakt_vakt_port = @agent_port@; vars.vakt_vakt_check = "fds"; vars.vakt_vakt_option = [ "process=nginx", "percent" ]; vars.vakt_vakt_warning = "70"; vars.vakt_vakt_critical = "90"'
	'agent accept queue check|vakt_check_vakt_check!listen!--option port=@front_port@ -w 10 -c 100|_VAKT_VAKT_OPTS -p @agent_port@|vakt_vakt|vars.vakt_vakt_port = @agent_port@; vars.vakt_vakt_check = "listen"; vars.vakt_vakt_option = "port=@front_port@"; vars.vakt_vakt_warning = "10"; vars.vakt_vakt_critical = "100"'
	'agent haproxy|vakt_check_vakt_check!haproxy!--instance lb --option min-up=1 -w 80 -c 95|_VAKT_VAKT_OPTS -p @agent_port@|vakt_vakt|vars.vakt_vakt_port = @agent_port@; vars.vakt_vakt_check = "haproxy"; vars.vakt_vakt_instance = "lb"; vars.vakt_vakt_option = "min-up=1"; vars.vakt_vakt_warning = "80"; vars.vakt_vakt_critical = "95"'
	'agent nginx|vakt_check_vakt_check!nginx!--instance web -w 800 -c 1000|_VAKT_VAKT_OPTS -p @agent_port@|vakt_vakt|vars.vakt_vakt_port = @agent_port@; vars.vakt_vakt_check = "nginx"; vars.vakt_vakt_instance = "web"; vars.vakt_vakt_warning = "800"; vars.vakt_vakt_critical = "1000"'
	'agent redis|vakt_check_vakt_check!redis!--instance jobs -w 100 -c 200|_VAKT_VAKT_OPTS -p @agent_port@|vakt_vakt|vars.vakt_vakt_port = @agent_port@; vars.vakt_vakt_check = "redis"; vars.vakt_vakt_instance = "jobs"; vars.vakt_vakt_warning = "100"; vars.vakt_vakt_critical = "200"'
	'agent rabbitmq health|vakt_check_vakt_check!rabbitmq!--instance jobs --option mode=health|_VAKT_VAKT_OPTS -p @agent_port@|vakt_vakt|vars.vakt_vakt_port = @agent_port@; vars.vakt_vakt_check = "rabbitmq"; vars.vakt_vakt_instance = "jobs"; vars.vakt_vakt_option = "mode=health"'
	'agent mysql locks|vakt_check_vakt_check!mysql_locks!--instance shop -w 2 -c 4|_VAKT_VAKT_OPTS -p @agent_port@|vakt_vakt|vars.vakt_vakt_port = @agent_port@; vars.vakt_vakt_check = "mysql_locks"; vars.vakt_vakt_instance = "shop"; vars.vakt_vakt_warning = "2"; vars.vakt_vakt_critical = "4"'
	'agent pgsql locks|vakt_check_vakt_check!pgsql_locks!--instance main -w 2 -c 4|_VAKT_VAKT_OPTS -p @agent_port@|vakt_vakt|vars.vakt_vakt_port = @agent_port@; vars.vakt_vakt_check = "pgsql_locks"; vars.vakt_vakt_instance = "main"; vars.vakt_vakt_warning = "2"; vars.vakt_vakt_critical = "4"'
	'agent supervisor|vakt_check_vakt_check!supervisor!--instance workers --option group=celery-worker --option min-running=1|_VAKT_VAKT_OPTS -p @agent_port@|vakt_vakt|vars.vakt_vakt_port = @agent_port@; vars.vakt_vakt_check = "supervisor"; vars.vakt_vakt_instance = "workers"; vars.vakt_vakt_option = [ "group=celery-worker", "min-running=1" ]'
	'load over snmp|vakt_check_snmp_metric!@snmp_row@!50!100!public!-l load1|_VAKT_SNMP_OPTS -p @snmpd_port@|snmp|vars.snmp_oid = ".1.3.6.1.4.1.8072.9999.9999.5638.1.1.1.6.@snmp_row@"; vars.snmp_version = "2c"; vars.snmp_port = @snmpd_port@; vars.snmp_label = "load1"; vars.snmp_warn = "50"; vars.snmp_crit = "100"'
)

# subst TEXT: TEXT with every @NAME@ replaced by the value of $NAME.
subst() {
	local text=$1 name
	for name in haproxy_dir haproxy_sock front_port nginx_port redis_port rabbit_http \
		mariadb_sock pg_sock_dir pg_port agent_port snmpd_port snmp_row sup_sock tmp; do
		text=${text//@$name@/${!name}}
	done
	printf '%s\n' "$text"
}

service_names() {
	local entry
	for entry in "${services[@]}"; do
		printf '%s\n' "${entry%%|*}"
	done
}

# Every shipped command must be scheduled.
for cmd in $(awk '$1 == "command_name" { print $2 }' "$nagios_cfg"); do
	printf '%s\n' "${services[@]}" | cut -d'|' -f2 | grep -q "^$cmd\(!\|$\)" ||
		fail "no end-to-end service runs the Nagios command $cmd"
done
for cmd in $(sed -n 's/^object CheckCommand "\([^"]*\)".*/\1/p' "$icinga_conf"); do
	printf '%s\n' "${services[@]}" | cut -d'|' -f4 | grep -qx "$cmd" ||
		fail "no end-to-end service runs the Icinga CheckCommand $cmd"
done

# ------------------------------------------------------------------ Nagios 4

nagios_dir=$tmp/nagios
nagios_write_config() {
	local d=$nagios_dir entry name cmd var
	nagios_skeleton "$d" "$nagios_cfg" "$d/services.cfg"
	# Later lines win: external commands force checks.
	cat >> "$d/nagios.cfg" <<- EOF
		check_external_commands=1
		query_socket=$d/nagios.qh
		use_syslog=0
		service_check_timeout=30
	EOF
	{
		printf 'define host {\n  use linux-server\n  host_name e2e\n  address 127.0.0.1\n}\n'
		for entry in "${services[@]}"; do
			IFS='|' read -r name cmd var _ <<< "$entry"
			# Checks every 3 s, a fault is a hard state at once.
			cat <<- EOF
				define service {
				    use                     vakt-service,generic-service
				    host_name               e2e
				    service_description     $name
				    check_command           $(subst "$cmd")
				    $(subst "$var")
				    check_interval          3
				    retry_interval          1
				    max_check_attempts      1
				}
			EOF
		done
	} > "$d/services.cfg"
}

nagios_start() {
	local out
	nagios_write_config
	if ! out=$("$nagios" -v "$nagios_dir/nagios.cfg" 2>&1); then
		fail "$nagios -v rejects the end-to-end configuration"
		printf '%s\n' "$out"
		return 1
	fi
	start_group nagios "$nagios" "$nagios_dir/nagios.cfg"
	nagios_pid=$group_pid
	for _ in $(seq 100); do
		[ -p "$nagios_dir/nagios.cmd" ] && [ -s "$nagios_dir/status.dat" ] && return 0
		kill -0 "$nagios_pid" 2> /dev/null || break
		sleep 0.1
	done
	fail "nagios did not start"
	cat "$tmp/nagios.out" "$nagios_dir/nagios.log" 2> /dev/null | tail -20
	return 1
}

# nagios_snapshot: every service as NAME<tab>STATE<tab>OUTPUT (its first
# line, \n, its long output) from status.dat.
nagios_snapshot() {
	awk '
		/^servicestatus \{/ { in_svc = 1; delete a; next }
		in_svc && /^\t\}/ {
			st = a["has_been_checked"] == "1" ? a["current_state"] : "PENDING"
			printf "%s\t%s\t%s\\n%s\n", a["service_description"], st, a["plugin_output"], a["long_plugin_output"]
			in_svc = 0
			next
		}
		in_svc {
			line = $0
			sub(/^\t/, "", line)
			i = index(line, "=")
			a[substr(line, 1, i - 1)] = substr(line, i + 1)
		}' "$nagios_dir/status.dat" 2> /dev/null
}

# nagios_force: check every service now.
nagios_force() {
	local name now
	now=$(date +%s)
	service_names | while IFS= read -r name; do
		printf '[%s] SCHEDULE_FORCED_SVC_CHECK;e2e;%s;%s\n' "$now" "$name" "$now"
	done | timeout 5 tee "$nagios_dir/nagios.cmd" > /dev/null
}

# ------------------------------------------------------------------ Icinga 2

icinga_dir=$tmp/icinga2
icinga_node=vakt-e2e
icinga_password=vakt-e2e-$$
icinga_start() {
	local d=$icinga_dir certs=$icinga_dir/lib/certs entry name cmd attrs
	icinga2_args "$d"
	icinga_args+=(-DNodeName="$icinga_node" -DZoneName="$icinga_node")
	mkdir -p "$certs"
	icinga_api=$(pick_port) || return 1
	graphite_sink
	graphite_port=$fake_port
	# The API listener wants a certificate for the node from a CA.
	if ! {
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=vakt-e2e-ca \
			-keyout "$certs/ca.key" -out "$certs/ca.crt" &&
			openssl req -newkey rsa:2048 -nodes -subj "/CN=$icinga_node" \
				-keyout "$certs/$icinga_node.key" -out "$certs/$icinga_node.csr" &&
			openssl x509 -req -days 2 -in "$certs/$icinga_node.csr" -CA "$certs/ca.crt" \
				-CAkey "$certs/ca.key" -CAcreateserial -out "$certs/$icinga_node.crt"
	} > "$d/openssl.log" 2>&1; then
		fail "could not make the Icinga 2 certificates"
		cat "$d/openssl.log"
		return 1
	fi
	icinga2_constants > "$d/icinga2.conf"
	cat >> "$d/icinga2.conf" <<- EOF
		include <itl>
		include <plugins>
		$icinga_include
		object FileLogger "e2e-log" {
		  path = "$d/log/icinga2.log"
		  severity = "information"
		}
		object CheckerComponent "checker" { }
		object ApiListener "api" {
		  bind_host = "127.0.0.1"
		  bind_port = $icinga_api
		}
		object ApiUser "e2e" {
		  password = "$icinga_password"
		  permissions = [ "*" ]
		}
		object Endpoint NodeName { }
		object Zone ZoneName { endpoints = [ NodeName ] }
		// Graphite reads the perfdata, and Icinga logs what it rejects.
		object GraphiteWriter "graphite" {
		  host = "127.0.0.1"
		  port = $graphite_port
		}
		object Host "e2e" {
		  check_command = "dummy"
		  address = "127.0.0.1"
		  enable_active_checks = false
		}
	EOF
	for entry in "${services[@]}"; do
		IFS='|' read -r name _ _ cmd attrs <<< "$entry"
		printf 'object Service "%s" {\n  host_name = "e2e"\n  check_command = "%s"\n  check_interval = 3s\n  retry_interval = 1s\n  max_check_attempts = 1\n  %s\n}\n' \
			"$name" "$cmd" "$(subst "$attrs")" >> "$d/icinga2.conf"
	done
	if ! "$icinga" "${icinga_args[@]}" -C > "$d/validate.log" 2>&1; then
		fail "icinga2 rejects the end-to-end configuration"
		cat "$d/validate.log"
		return 1
	fi
	start_group icinga2 "$icinga" "${icinga_args[@]}"
	icinga_pid=$group_pid
	for _ in $(seq 300); do
		icinga_get "v1/status/ApiListener" > /dev/null && return 0
		kill -0 "$icinga_pid" 2> /dev/null || break
		sleep 0.1
	done
	fail "icinga2 did not start"
	tail -20 "$tmp/icinga2.out" "$d/log/icinga2.log" 2> /dev/null
	return 1
}

# icinga_get PATH: GET the API's PATH.
icinga_get() {
	curl -sfk -m 10 -u "e2e:$icinga_password" -H 'Accept: application/json' \
		"https://127.0.0.1:$icinga_api/$1"
}

# graphite_sink: a loopback TCP server that reads and keeps what it is sent
# (in $tmp/graphite.txt); set $fake_port.
graphite_sink() {
	fake_tcp_start graphite "out = '$tmp/graphite.txt'" << 'PY'
def serve(c):
    with open(out, "ab") as f:
        while True:
            data = c.recv(65536)
            if not data:
                break
            f.write(data)
            f.flush()
    c.close()
PY
}

# icinga_snapshot: every service as nagios_snapshot prints them.
icinga_snapshot() {
	icinga_get "v1/objects/services?attrs=name&attrs=state&attrs=last_check_result" |
		jq -r '.results[].attrs | [.name,
			(if .last_check_result == null then "PENDING" else (.state | floor | tostring) end),
			(.last_check_result.output // "")] | @tsv'
}

icinga_force() {
	curl -sfk -m 10 -u "e2e:$icinga_password" -H 'Accept: application/json' -X POST \
		"https://127.0.0.1:$icinga_api/v1/actions/reschedule-check" \
		-d '{ "type": "Service", "filter": "host.name == \"e2e\"", "force": true }' > /dev/null
}

# ---------------------------------------------------------------- Prometheus

prom_dir=$tmp/prometheus
prom_start() {
	local f
	mkdir -p "$prom_dir/data"
	prom_port=$(pick_port) || return 1
	{
		printf 'global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n'
		printf 'rule_files:\n'
		for f in "$rules_dir"/*.yml; do
			[ -e "$f" ] || continue
			grep -q '^groups:' "$f" && printf '  - %s\n' "$f"
		done
		printf 'scrape_configs:\n  - job_name: vakt\n    static_configs:\n'
		printf "      - targets: ['127.0.0.1:%s']\n" "$agent_port"
	} > "$prom_dir/prometheus.yml"
	grep -q '^  - ' "$prom_dir/prometheus.yml" ||
		fail "no alerting rules in $rules_dir/*.yml"
	start_group prometheus "$prometheus" --config.file="$prom_dir/prometheus.yml" \
		--storage.tsdb.path="$prom_dir/data" --web.listen-address="127.0.0.1:$prom_port"
	prom_pid=$group_pid
	for _ in $(seq 300); do
		curl -sf -o /dev/null "http://127.0.0.1:$prom_port/-/ready" && return 0
		kill -0 "$prom_pid" 2> /dev/null || break
		sleep 0.1
	done
	fail "prometheus did not start"
	tail -20 "$tmp/prometheus.out"
	return 1
}

# prom_snapshot: every pending or firing alert as STATE NAME LABEL=VALUE...;
# and "target down: ERROR" when the last scrape of the agent failed. The
# load of the machine the suite runs on (a busy CI host) is not the health
# of the stack: VaktLoadHigh is left out.
prom_snapshot() {
	curl -sf -m 5 "http://127.0.0.1:$prom_port/api/v1/alerts" |
		jq -r '.data.alerts[] | select(.labels.alertname != "VaktLoadHigh") |
			"\(.state) \(.labels.alertname) " +
			([.labels | to_entries[] | select(.key != "alertname") | "\(.key)=\(.value)"] | join(" "))'
	curl -sf -m 5 "http://127.0.0.1:$prom_port/api/v1/targets" |
		jq -r '.data.activeTargets[] | select(.health != "up") | "target \(.health): \(.lastError)"'
}

# ------------------------------------------------------------- expectations

state_name() {
	case $1 in
	0) echo OK ;;
	1) echo WARNING ;;
	2) echo CRITICAL ;;
	3) echo UNKNOWN ;;
	*) echo "$1" ;;
	esac
}

# snapshot: read what the three consumers say now into $tmp/snap.*.
snapshot() {
	nagios_snapshot > "$tmp/snap.nagios"
	icinga_snapshot > "$tmp/snap.icinga" 2> /dev/null
	prom_snapshot > "$tmp/snap.prom" 2> /dev/null
}

# service_says CONSUMER NAME STATE-RE TEXT-RE: true when the snapshot of
# CONSUMER (nagios, icinga) has service NAME in a state (OK, WARNING, ...)
# that matches STATE-RE and an output that matches TEXT-RE (extended).
service_says() {
	local line st
	line=$(awk -F'\t' -v n="$2" '$1 == n' "$tmp/snap.$1")
	[ -n "$line" ] || return 1
	st=$(state_name "$(printf '%s\n' "$line" | cut -f2)")
	printf '%s\n' "$st" | grep -Eqx -- "$3" || return 1
	printf '%s\n' "$line" | cut -f3- | grep -Eq -- "$4"
}

# service_shows CONSUMER NAME: what the snapshot says of NAME, for a FAIL.
service_shows() {
	local line
	line=$(awk -F'\t' -v n="$2" '$1 == n' "$tmp/snap.$1")
	[ -n "$line" ] || { echo "no such service"; return; }
	printf '%s %s\n' "$(state_name "$(printf '%s\n' "$line" | cut -f2)")" \
		"$(printf '%s\n' "$line" | cut -f3- | cut -c1-400)"
}

# await [-q] [-t SECONDS] WHAT [SVC:NAME:STATE-RE:TEXT-RE | ALERT:RE |
# NOALERT:RE]...: poll all three consumers (forcing checks first) until
# every condition holds, within SECONDS (default $e2e_timeout): SVC must be so in Nagios and Icinga, an alert
# whose "STATE NAME LABEL=VALUE..." (STATE pending or firing) matches RE
# must be raised,
# none that matches a NOALERT RE may be. One ok line per condition (with
# -q, one for all), and a FAIL for each that never held, naming what the
# consumer said last.
await() {
	local quiet=0 limit=$e2e_timeout what deadline cond kind rest name st re c pending
	[ "$1" = -q ] && quiet=1 && shift
	[ "$1" = -t ] && limit=$2 && shift 2
	what=$1
	shift
	deadline=$(($(date +%s) + limit))
	nagios_force
	icinga_force
	while :; do
		snapshot
		pending=""
		for cond in "$@"; do
			cond_holds "$cond" || pending="$pending x"
		done
		[ -z "$pending" ] && break
		[ "$(date +%s)" -ge "$deadline" ] && break
		sleep 1
	done
	output_flaws
	if [ "$quiet" = 1 ] && [ -z "$pending" ]; then
		echo "ok: $what: $# conditions hold in Nagios, Icinga and Prometheus"
		return
	fi
	for cond in "$@"; do
		kind=${cond%%:*}
		rest=${cond#*:}
		case $kind in
		SVC)
			IFS=: read -r name st re <<< "$rest"
			for c in nagios icinga; do
				if service_says "$c" "$name" "$st" "$re"; then
					[ "$quiet" = 1 ] || echo "ok: $what: $c '$name' is $st /$re/"
				else
					fail "$what: $c '$name' is not $st /$re/; it says: $(service_shows "$c" "$name")"
				fi
			done
			;;
		ALERT)
			if grep -Eq -- "$rest" "$tmp/snap.prom"; then
				echo "ok: $what: prometheus raises /$rest/: $(grep -E -- "$rest" "$tmp/snap.prom" | head -1)"
			else
				fail "$what: prometheus raises no alert /$rest/; it has: $(tr '\n' ';' < "$tmp/snap.prom")"
			fi
			;;
		NOALERT)
			if grep -Eq -- "$rest" "$tmp/snap.prom"; then
				fail "$what: prometheus raises $(grep -E -- "$rest" "$tmp/snap.prom" | tr '\n' ';')"
			else
				[ "$quiet" = 1 ] || echo "ok: $what: prometheus raises nothing /$rest/"
			fi
			;;
		esac
	done
}

# output_flaws: a FAIL, once a service, for an output in Icinga whose
# status line carries a ';' (Nagios shows it as ':'), or that carries a nan
# or inf anywhere, which no reader can use. The long output may quote a
# session's SQL, semicolons and all.
declare -A flawed
output_flaws() {
	local name out
	while IFS=$'\t' read -r name _ out; do
		[ -n "$name" ] && [ -z "${flawed[$name]:-}" ] || continue
		if printf '%s\n' "${out%%\\n*}" | grep -q ';' ||
			printf '%s\n' "$out" | grep -Eqi '(^|[^a-z])(nan|inf)([^a-z]|$)'; then
			flawed[$name]=1
			fail "icinga '$name' says what Nagios mangles or nobody can read: $(printf '%s' "$out" | cut -c1-300)"
		fi
	done < "$tmp/snap.icinga"
}

cond_holds() {
	local kind=${1%%:*} rest=${1#*:} name st re
	case $kind in
	SVC)
		IFS=: read -r name st re <<< "$rest"
		service_says nagios "$name" "$st" "$re" && service_says icinga "$name" "$st" "$re"
		;;
	ALERT) grep -Eq -- "$rest" "$tmp/snap.prom" ;;
	NOALERT) ! grep -Eq -- "$rest" "$tmp/snap.prom" ;;
	esac
}

# healthy WHAT [NOALERT-RE]: every service OK in Nagios and Icinga, and no
# alert firing (or none that matches NOALERT-RE) and no failed scrape in
# Prometheus. A fault's alerts are only pending, as their "for" outlasts
# the suite; they must be gone too.
healthy() {
	local -a conds=()
	local name
	while IFS= read -r name; do
		conds+=("SVC:$name:OK:.")
	done < <(service_names)
	await -q "$1" "${conds[@]}" "NOALERT:${2:-.}"
}

# ------------------------------------------------------------------ the run

nagios_start || finish
icinga_start || finish
prom_start || finish

echo "waiting for the first checks"
healthy "all is well"
# The false alarm of the issue: a healthy HAProxy with a listen stats
# section is OK, and says nothing like "0 of 0 servers up".
for c in nagios icinga; do
	service_says "$c" haproxy 'OK' '0 of 0' && fail "$c: haproxy says '0 of 0': $(service_shows "$c" haproxy)"
done

echo "fault: one app server down"
stop_pid "${app_pid[app1]}"
await "app1 down" 'SVC:haproxy app:WARNING|CRITICAL:app1' 'SVC:haproxy:WARNING|CRITICAL:app1' \
	'SVC:agent haproxy:WARNING|CRITICAL:app1' \
	'ALERT:VaktHaproxyServerDown .*proxy=app'
app_on app1
healthy "app1 back"

echo "fault: every app server down"
stop_pid "${app_pid[app1]}"
stop_pid "${app_pid[app2]}"
await "app servers down" 'SVC:haproxy app:CRITICAL:app' 'SVC:haproxy:CRITICAL:app' \
	'SVC:agent haproxy:CRITICAL:backend app' \
	'ALERT:VaktHaproxyBackendDown .*proxy=app'
app_on app1
app_on app2
healthy "app servers back"

echo "fault: nginx stopped"
stop_pid "$nginx_pid"
await "nginx stopped" "SVC:nginx:CRITICAL:$nginx_port" 'ALERT:VaktCollectorDown .*collector=nginx' \
	'SVC:agent collectors:CRITICAL:collector nginx web.* is failing' \
	'SVC:agent nginx:CRITICAL:collector nginx web.* is failing'
nginx_on "$nginx_dir" || fail "nginx did not start again"
healthy "nginx back"

echo "fault: a Celery worker stopped under Supervisor"
sup_ctl stop celery-worker:celery-worker_01 > /dev/null
await "celery worker stopped" \
	'SVC:celery workers under supervisor:WARNING:celery-worker processes running: 50% \(< 100\), 1 of 2 running' \
	'SVC:agent supervisor:WARNING:celery-worker processes running: 50% \(< 100\), 1 of 2 running'
sup_ctl start celery-worker:celery-worker_01 > /dev/null
healthy "celery worker back"

echo "fault: Redis hung"
kill -STOP "$redis_pid"
await "redis hung" "SVC:redis:CRITICAL:(time|timed) out.*$redis_port|$redis_port.*(time|timed) out" \
	"SVC:celery on redis:CRITICAL:(time|timed) out" \
	'SVC:agent celery queue:CRITICAL:collector redis jobs.* is failing' \
	'SVC:agent redis:CRITICAL:collector redis jobs.* is failing' \
	'SVC:agent collectors:CRITICAL:collector redis jobs.* is failing' 'ALERT:VaktCollectorDown .*collector=redis'
for c in nagios icinga; do
	service_says "$c" 'agent celery queue' '.*' 'no metric' &&
		fail "$c: agent celery queue says: $(service_shows "$c" 'agent celery queue')"
done
kill -CONT "$redis_pid"
healthy "redis back"

echo "fault: a queue past its threshold"
redis-cli -p "$redis_port" eval "for i = 1, 10050 do redis.call('rpush', 'celery', '{}') end" 0 > /dev/null
await "celery queue deep" 'SVC:celery on redis:CRITICAL:celery' \
	'SVC:agent celery queue:CRITICAL:celery' 'ALERT:VaktQueueDepthHigh .*queue=celery'
redis-cli -p "$redis_port" ltrim celery 0 2 > /dev/null
healthy "celery queue drained"

# Fewer messages than the depth thresholds: the stall alone must alert
# (the services warn after 10 s of it).
echo "fault: a stalled consumer"
stop_pid "$consumer_pid"
amqp stall
stall_pid=$amqp_pid
"$amqp_python" "$tmp/amqp.py" publish "$rabbit_port" 50 || fail "could not publish to RabbitMQ"
# Prometheus alerts as check_rabbitmq does by default, after 60 s of the
# stall: more than the usual time to wait.
await -t 150 "consumer stalled" 'SVC:celery on rabbitmq:WARNING|CRITICAL:stalled' \
	'ALERT:VaktQueueStalled .*queue=celery'
stop_pid "$stall_pid"
amqp consume
consumer_pid=$amqp_pid
healthy "consumer back"

echo "fault: RabbitMQ stopped"
stop_rabbitmq "$rabbit_dir"
await "rabbitmq stopped" "SVC:celery on rabbitmq:CRITICAL:$rabbit_http" \
	"SVC:rabbitmq node:CRITICAL:$rabbit_http" "SVC:rabbitmq health:CRITICAL:$rabbit_http" \
	'SVC:agent rabbitmq health:CRITICAL:collector rabbitmq jobs.* is failing' \
	'ALERT:VaktCollectorDown .*collector=rabbitmq'
rabbitmq_on || fail "RabbitMQ did not start again"
healthy "rabbitmq back"

# VaktLockWaitLong wants a wait of more than 60 s: one fault for both, and
# over before start_mariadb's innodb_lock_wait_timeout (120 s) ends it.
echo "fault: a row lock with a waiter in MariaDB and in PostgreSQL"
hold_mysql blocker "begin" "select * from t.orders where id = 1 for update"
mysql_blocker=$hold_id
hold_mysql waiter "update t.orders set v = 2 where id = 1"
hold_pg pg_blocker "begin" "select * from orders where id = 1 for update"
pg_blocker=$hold_id
hold_pg pg_waiter "update orders set v = 2 where id = 1"
await -t 100 "lock waits" \
	"SVC:mysql locks:CRITICAL:KILL $mysql_blocker" 'SVC:mysql locks:CRITICAL:orders' \
	"SVC:mysql idle blocker:CRITICAL:KILL $mysql_blocker" \
	"SVC:agent mysql locks:CRITICAL:KILL $mysql_blocker" \
	"SVC:agent pgsql locks:CRITICAL:pg_terminate_backend\\($pg_blocker\\)" \
	"SVC:pgsql locks:CRITICAL:pg_terminate_backend\\($pg_blocker\\)" \
	'SVC:pgsql locks:CRITICAL:row lock on table (public\.)?orders' \
	'ALERT:VaktLockWaitLong .*dbms=mysql' 'ALERT:VaktLockWaitLong .*dbms=postgresql'
release waiter
release blocker
release pg_waiter
release pg_blocker
healthy "locks gone"

echo "fault: the agent stopped"
stop_pid "$vaktd_pid"
await "agent stopped" "SVC:agent load:CRITICAL:$agent_port" "ALERT:VaktAgentDown"
vaktd_on "$tmp/vaktd.conf" "$agent_port" http || fail "vaktd did not start again"
healthy "agent back"

echo "fault: the agent hung"
kill -STOP "$vaktd_pid"
await "agent hung" "SVC:agent load:CRITICAL:(time|timed) out" "ALERT:VaktAgentDown"
kill -CONT "$vaktd_pid"
healthy "agent running again"

# Icinga 2 must have taken every perfdata value it was given.
if grep -Ei 'perfdata|performance data' "$icinga_dir/log/icinga2.log" | grep -Eqi 'warning|critical'; then
	fail "icinga2 logs perfdata warnings: $(grep -Ei 'perfdata|performance data' "$icinga_dir/log/icinga2.log" |
		grep -Ei 'warning|critical' | sort | uniq -c | sort -rn | head -5)"
else
	echo "ok: icinga2 logs no perfdata warning"
fi
[ -s "$tmp/graphite.txt" ] || fail "icinga2 wrote no perfdata to Graphite"

finish
