#!/bin/bash
# The shipped Nagios 4 and Icinga 2 templates load in the real nagios4 and
# icinga2, the command lines they build are the ones their comments promise
# and are accepted by the plugins, and every built plugin has both a Nagios
# command and an Icinga CheckCommand.
# A daemon that is not installed is a SKIP (exit 77), or a failure with
# VAKT_REQUIRE_ALL=1, so CI cannot pass without having validated anything.
# NAGIOS and ICINGA2 name the programs when they are not found by name.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/monitors.sh"
nagios_cfg=$top_builddir/templates/nagios/vakt-commands.cfg
icinga_conf=$top_builddir/templates/icinga2/vakt-commands.conf
missing=""
daemon_pid=""

# Nagios services, one line each:
#   COMMAND|ARGUMENTS|SERVICE OPTS|THE PLUGIN ARGUMENTS NAGIOS MUST RUN
# ARGUMENTS are what check_command gives after the command name ('!'-
# separated, with or without the optional OPTIONS last); SERVICE OPTS the
# value of the service's custom variable _VAKT_<PLUGIN>_OPTS (empty: left
# to vakt-service). Every command appears bare, and with options that give
# another port, socket or URL and a password file, as its comment promises. The hosts'
# address is 127.0.0.1; @tmp@ is this test's temporary directory. Realistic
# values, because the command lines are also run through the built plugins.
nagios_services=(
	'vakt_check_load|5,4,3!10,8,6||check_load -w 5,4,3 -c 10,8,6'
	'vakt_check_load|5,4,3!10,8,6!-t 5|-t 7:unknown|check_load -w 5,4,3 -c 10,8,6 -t 7:unknown -t 5'
	'vakt_check_load_percpu|1.5,1.2,1!3,2.5,2||check_load -r -w 1.5,1.2,1 -c 3,2.5,2'
	'vakt_check_pressure|io!10,5,2!20,10,5||check_load --pressure io -w 10,5,2 -c 20,10,5'
	'vakt_check_fds|80!95||check_fds --percent -w 80 -c 95'
	'vakt_check_fds_process|nginx!70!90||check_fds --process nginx --percent -w 70 -c 90'
	'vakt_check_fds_pidfile|/run/haproxy.pid!70!90|-t 5|check_fds --pidfile /run/haproxy.pid --percent -w 70 -c 90 -t 5'
	'vakt_check_listen|80!10!100||check_listen -p 80 -w 10 -c 100'
	'vakt_check_listen|80!10!100!-H 127.0.0.1|--state-dir @tmp@|check_listen -p 80 -w 10 -c 100 --state-dir @tmp@ -H 127.0.0.1'
	'vakt_check_redis|80!95||check_redis -H 127.0.0.1 -w redis_memory_pct=80 -c redis_memory_pct=95'
	'vakt_check_redis|80!95!-p 6380 --user vakt --password-file @tmp@/redis-pass|--database 2|check_redis -H 127.0.0.1 -w redis_memory_pct=80 -c redis_memory_pct=95 --database 2 -p 6380 --user vakt --password-file @tmp@/redis-pass'
	'vakt_check_redis_queue|celery!1000!5000||check_redis -H 127.0.0.1 --queue celery -w 1000 -c 5000'
	'vakt_check_redis_queue|celery!1000!5000!-H @tmp@/redis.sock|--key-prefix myapp:|check_redis -H 127.0.0.1 --queue celery -w 1000 -c 5000 --key-prefix myapp: -H @tmp@/redis.sock'
	'vakt_check_redis_drain|celery!300!900||check_redis -H 127.0.0.1 --queue celery -w queue_not_draining_seconds=300 -c queue_not_draining_seconds=900'
	'vakt_check_redis_drain|celery!300!900!-c celery_oldest_unacked_age_seconds=3600|--state-dir @tmp@|check_redis -H 127.0.0.1 --queue celery -w queue_not_draining_seconds=300 -c queue_not_draining_seconds=900 --state-dir @tmp@ -c celery_oldest_unacked_age_seconds=3600'
	'vakt_check_redis_resque|100!1000!50||check_redis -H 127.0.0.1 --resque -w 100 -c 1000 -c resque_failed=50'
	'vakt_check_rabbitmq_queue|celery!1000!5000||check_rabbitmq -H 127.0.0.1 --queue celery -w 1000 -c 5000 -c queue_consumers=1:'
	'vakt_check_rabbitmq_drain|celery!300!900||check_rabbitmq -H 127.0.0.1 --queue celery -w queue_not_draining_seconds=300 -c queue_not_draining_seconds=900'
	'vakt_check_rabbitmq_queue|celery!1000!5000!-p 15673 --user nagios --password-file @tmp@/redis-pass|--vhost jobs -c queue_consumers=0:|check_rabbitmq -H 127.0.0.1 --queue celery -w 1000 -c 5000 -c queue_consumers=1: --vhost jobs -c queue_consumers=0: -p 15673 --user nagios --password-file @tmp@/redis-pass'
	'vakt_check_rabbitmq_node|80!90||check_rabbitmq -H 127.0.0.1 --mode node -w 80 -c 90'
	'vakt_check_rabbitmq_node|80!90!-u https://127.0.0.1:15671 --ca-file @tmp@/vakt-ca.pem||check_rabbitmq -H 127.0.0.1 --mode node -w 80 -c 90 -u https://127.0.0.1:15671 --ca-file @tmp@/vakt-ca.pem'
	'vakt_check_rabbitmq_health|||check_rabbitmq -H 127.0.0.1 --mode health'
	'vakt_check_rabbitmq_health|-p 15673 --user nagios --password-file @tmp@/redis-pass||check_rabbitmq -H 127.0.0.1 --mode health -p 15673 --user nagios --password-file @tmp@/redis-pass'
	'vakt_check_nginx|/nginx_status!800!1000||check_nginx -H 127.0.0.1 --uri /nginx_status -w 800 -c 1000 -w nginx_dropped_rate=0 -c nginx_dropped_rate=1'
	'vakt_check_nginx|/status!800!1000!-p 8443 --tls --ca-file @tmp@/vakt-ca.pem|--host-header www.example.com --user nagios --password-file @tmp@/redis-pass|check_nginx -H 127.0.0.1 --uri /status -w 800 -c 1000 -w nginx_dropped_rate=0 -c nginx_dropped_rate=1 --host-header www.example.com --user nagios --password-file @tmp@/redis-pass -p 8443 --tls --ca-file @tmp@/vakt-ca.pem'
	'vakt_check_haproxy|/run/haproxy/admin.sock!50%!80!95||check_haproxy -H /run/haproxy/admin.sock --min-up 50% -w 80 -c 95'
	"vakt_check_haproxy|/run/haproxy/admin.sock!1!80!95!-u 'http://127.0.0.1:8404/stats\\;csv' --user nagios --password-file @tmp@/redis-pass|--maint warning|check_haproxy -H /run/haproxy/admin.sock --min-up 1 -w 80 -c 95 --maint warning -u http://127.0.0.1:8404/stats;csv --user nagios --password-file @tmp@/redis-pass"
	'vakt_check_haproxy_backend|/run/haproxy/admin.sock!db_read!1!80!95||check_haproxy -H /run/haproxy/admin.sock --proxy ^db_read$ --min-up 1 -w 80 -c 95'
	'vakt_check_mysql_locks|10!30||check_mysql_locks -H 127.0.0.1 -w 10 -c 30'
	'vakt_check_mysql_locks|10!30!-p 3307 --user nagios --password-file @tmp@/redis-pass|-H @tmp@/mysql.sock|check_mysql_locks -H 127.0.0.1 -w 10 -c 30 -H @tmp@/mysql.sock -p 3307 --user nagios --password-file @tmp@/redis-pass'
	'vakt_check_mysql_locks_idle|10!30!120|--defaults-file @tmp@/my.cnf|check_mysql_locks -H 127.0.0.1 -w 10 -c 30 -c lock_blocker_idle=120 --defaults-file @tmp@/my.cnf'
	'vakt_check_pgsql_locks|10!60||check_pgsql_locks -H 127.0.0.1 --database postgres -w 10 -c 60'
	'vakt_check_pgsql_locks|10!60!-p 5433 --user nagios --password-file @tmp@/redis-pass|-H @tmp@ --sslmode disable|check_pgsql_locks -H 127.0.0.1 --database postgres -w 10 -c 60 -H @tmp@ --sslmode disable -p 5433 --user nagios --password-file @tmp@/redis-pass'
	'vakt_check_vakt|load1!4!8||check_vakt -H 127.0.0.1 -m load1 -w 4 -c 8'
	'vakt_check_vakt|load1!4!8!-p 9334 --tls --ca-file @tmp@/vakt-ca.pem --token-file @tmp@/vakt-token||check_vakt -H 127.0.0.1 -m load1 -w 4 -c 8 -p 9334 --tls --ca-file @tmp@/vakt-ca.pem --token-file @tmp@/vakt-token'
	'vakt_check_vakt_label|process_fds_open!process=nginx!5000!8000||check_vakt -H 127.0.0.1 -m process_fds_open --label process=nginx -w 5000 -c 8000'
	'vakt_check_supervisor|--program celery-worker:*||check_supervisor --program celery-worker:*'
	"vakt_check_supervisor|--expect-running 'web*'|-s /run/supervisor.sock --state-dir @tmp@|check_supervisor -s /run/supervisor.sock --state-dir @tmp@ --expect-running web*"
	'vakt_check_supervisor_group|celery-worker!2!-u http://127.0.0.1:9001/RPC2 --user nagios --password-file @tmp@/redis-pass||check_supervisor --group celery-worker --min-running 2 -u http://127.0.0.1:9001/RPC2 --user nagios --password-file @tmp@/redis-pass'
	'vakt_check_vakt_check|listen!--option port=443 --option percent -w 50 -c listen_overflows_rate=1||check_vakt -H 127.0.0.1 --check listen --option port=443 --option percent -w 50 -c listen_overflows_rate=1'
	'vakt_check_vakt_check|load!--option per-cpu -w 1.5,1.2,1|-p 9334 --tls|check_vakt -H 127.0.0.1 --check load -p 9334 --tls --option per-cpu -w 1.5,1.2,1'
	'vakt_check_vakt_collectors|||check_vakt -H 127.0.0.1 -m collector_up -c 1:'
	'vakt_check_vakt_collectors|--label target=jobs||check_vakt -H 127.0.0.1 -m collector_up -c 1: --label target=jobs'
	'vakt_check_snmp_metric|169542363.1367218777!1000!5000!public||check_snmp -H 127.0.0.1 -P 2c -C public -o .1.3.6.1.4.1.8072.9999.9999.5638.1.1.1.6.169542363.1367218777 -w 1000 -c 5000'
	'vakt_check_snmp_metric|2304144619.81723407!4!8!s3cret!-l load1|-p 1161 -t 5|check_snmp -H 127.0.0.1 -P 2c -C s3cret -o .1.3.6.1.4.1.8072.9999.9999.5638.1.1.1.6.2304144619.81723407 -w 4 -c 8 -p 1161 -t 5 -l load1'
)

# Icinga 2 services, one line each:
#   CHECKCOMMAND|SERVICE NAME|ATTRIBUTES|THE PLUGIN ARGUMENTS ICINGA MUST BUILD
# Between them they set every custom variable of every command, in the forms
# the comments of vakt-commands.conf promise (arrays, booleans, numbers, the
# shared vakt_timeout), and pin down the defaults. Icinga orders arguments
# by key. @tmp@ is this test's temporary directory.
icinga_services=(
	'vakt_load|load||check_load -c 10,8,6 -w 5,4,3'
	'vakt_load|load per cpu|vars.vakt_load_percpu = true; vars.vakt_load_warning = "1.5,1.2,1"; vars.vakt_load_critical = [ "3,2.5,2", "procs=5000" ]; vars.vakt_timeout = 5|check_load -c 3,2.5,2 -c procs=5000 -r -t 5 -w 1.5,1.2,1'
	'vakt_load|io pressure|vars.vakt_load_pressure = "io"; vars.vakt_load_warning = "10,5,2"; vars.vakt_load_critical = "20,10,5"; vars.vakt_load_timeout = "5:unknown"; vars.vakt_timeout = 7|check_load --pressure io -c 20,10,5 -t 5:unknown -w 10,5,2'
	'vakt_fds|fds||check_fds --percent -c 95 -w 80'
	'vakt_fds|nginx fds|vars.vakt_fds_process = "nginx"; vars.vakt_fds_warning = "70"; vars.vakt_fds_critical = "90"|check_fds --percent --process nginx -c 90 -w 70'
	'vakt_fds|haproxy fds|vars.vakt_fds_pidfile = "/run/haproxy.pid"; vars.vakt_fds_percent = false; vars.vakt_fds_critical = "50000"|check_fds --pidfile /run/haproxy.pid -c 50000'
	'vakt_fds|init fds|vars.vakt_fds_pid = 1; vars.vakt_fds_timeout = 3|check_fds --percent --pid 1 -c 95 -t 3 -w 80'
	'vakt_listen|http accept queue|vars.vakt_listen_port = 80; vars.vakt_listen_address = "127.0.0.1"; vars.vakt_listen_warning = "10"; vars.vakt_listen_critical = "100"|check_listen -H 127.0.0.1 -c 100 -p 80 -w 10'
	'vakt_listen|all accept queues|vars.vakt_listen_all = true; vars.vakt_listen_percent = true; vars.vakt_listen_state_dir = "@tmp@"; vars.vakt_listen_warning = "50"; vars.vakt_listen_critical = [ "90", "listen_overflows_rate=1" ]|check_listen --all --percent --state-dir @tmp@ -c 90 -c listen_overflows_rate=1 -w 50'
	'vakt_rabbitmq|rabbitmq||check_rabbitmq -H 127.0.0.1'
	'vakt_rabbitmq|celery on rabbitmq|vars.vakt_rabbitmq_queue = [ "celery", "mail" ]; vars.vakt_rabbitmq_vhost = "jobs"; vars.vakt_rabbitmq_user = "nagios"; vars.vakt_rabbitmq_password_file = "@tmp@/redis-pass"; vars.vakt_rabbitmq_port = 15673; vars.vakt_rabbitmq_warning = "1000"; vars.vakt_rabbitmq_critical = "5000"; vars.vakt_timeout = 5|check_rabbitmq --critical queue_consumers=1: --password-file @tmp@/redis-pass --queue celery --queue mail --user nagios --vhost jobs -H 127.0.0.1 -c 5000 -p 15673 -t 5 -w 1000'
	'vakt_rabbitmq|celery on rabbitmq draining|vars.vakt_rabbitmq_queue = "celery"; vars.vakt_rabbitmq_state_dir = "@tmp@"; vars.vakt_rabbitmq_warning = [ "1000", "queue_not_draining_seconds=300" ]; vars.vakt_rabbitmq_critical = "queue_not_draining_seconds=900"|check_rabbitmq --critical queue_consumers=1: --queue celery --state-dir @tmp@ -H 127.0.0.1 -c queue_not_draining_seconds=900 -w 1000 -w queue_not_draining_seconds=300'
	'vakt_rabbitmq|queue that may go unread|vars.vakt_rabbitmq_queue = "reports"; vars.vakt_rabbitmq_min_consumers = 0; vars.vakt_rabbitmq_critical = "100"|check_rabbitmq --queue reports -H 127.0.0.1 -c 100'
	'vakt_rabbitmq|queues by regex, two consumers|vars.vakt_rabbitmq_queue_regex = "^celery"; vars.vakt_rabbitmq_min_consumers = 2|check_rabbitmq --critical queue_consumers=2: --queue-regex ^celery -H 127.0.0.1'
	'vakt_rabbitmq|queue in mode queue, consumers from critical|vars.vakt_rabbitmq_mode = "queue"; vars.vakt_rabbitmq_queue = "celery"; vars.vakt_rabbitmq_critical = [ "5000", "queue_consumers=0:" ]|check_rabbitmq --critical queue_consumers=1: --mode queue --queue celery -H 127.0.0.1 -c 5000 -c queue_consumers=0:'
	'vakt_rabbitmq|rabbitmq nodes over tls|vars.vakt_rabbitmq_url = "https://mq1:15671"; vars.vakt_rabbitmq_mode = "node"; vars.vakt_rabbitmq_node = "rabbit@mq1"; vars.vakt_rabbitmq_ca_file = "@tmp@/vakt-ca.pem"; vars.vakt_rabbitmq_warning = "80"; vars.vakt_rabbitmq_timeout = "3:unknown"|check_rabbitmq --ca-file @tmp@/vakt-ca.pem --mode node --node rabbit@mq1 -t 3:unknown -u https://mq1:15671 -w 80'
	'vakt_rabbitmq|rabbitmq health|vars.vakt_rabbitmq_mode = "health"; vars.vakt_rabbitmq_insecure = true|check_rabbitmq --insecure --mode health -H 127.0.0.1'
	'vakt_redis|redis||check_redis -H 127.0.0.1 -c redis_memory_pct=95 -w redis_memory_pct=80'
	'vakt_redis|celery on redis|vars.vakt_redis_queue = "celery"; vars.vakt_redis_celery = true; vars.vakt_redis_key_prefix = "myapp:"; vars.vakt_redis_warning = [ "1000", "redis_memory_pct=80" ]; vars.vakt_redis_critical = [ "5000", "celery_unacked=500" ]; vars.vakt_timeout = 5|check_redis --celery --key-prefix myapp: --queue celery -H 127.0.0.1 -c 5000 -c celery_unacked=500 -t 5 -w 1000 -w redis_memory_pct=80'
	'vakt_redis|resque on a socket|vars.vakt_redis_address = "@tmp@/redis.sock"; vars.vakt_redis_resque = true; vars.vakt_redis_warning = "100"; vars.vakt_redis_critical = [ "1000", "resque_failed=50" ]; vars.vakt_redis_timeout = "3:unknown"|check_redis --resque -H @tmp@/redis.sock -c 1000 -c resque_failed=50 -t 3:unknown -w 100'
	'vakt_redis|redis jobs with a password|vars.vakt_redis_port = 6380; vars.vakt_redis_user = "vakt"; vars.vakt_redis_password_file = "@tmp@/redis-pass"; vars.vakt_redis_database = 2; vars.vakt_redis_queue = [ "mail", "reports" ]; vars.vakt_redis_queue_regex = "^jobs"; vars.vakt_redis_require_queue = true; vars.vakt_redis_resque = "myapp"; vars.vakt_redis_scan_limit = 20000; vars.vakt_redis_state_dir = "@tmp@"; vars.vakt_redis_critical = "1000"|check_redis --database 2 --password-file @tmp@/redis-pass --queue mail --queue reports --queue-regex ^jobs --require-queue --resque=myapp --scan-limit 20000 --state-dir @tmp@ --user vakt -H 127.0.0.1 -c 1000 -p 6380 -w redis_memory_pct=80'
	'vakt_nginx|nginx||check_nginx -H 127.0.0.1 -c nginx_dropped_rate=1 -w nginx_dropped_rate=0'
	'vakt_nginx|nginx status on 8080|vars.vakt_nginx_port = 8080; vars.vakt_nginx_uri = "/status"; vars.vakt_nginx_listen_queue = true; vars.vakt_nginx_state_dir = "@tmp@"; vars.vakt_nginx_warning = [ "800", "nginx_dropped_rate=0", "listen_queue_pct=50" ]; vars.vakt_nginx_critical = [ "1000", "nginx_dropped_rate=1" ]; vars.vakt_timeout = 5|check_nginx --listen-queue --state-dir @tmp@ --uri /status -H 127.0.0.1 -c 1000 -c nginx_dropped_rate=1 -p 8080 -t 5 -w 800 -w nginx_dropped_rate=0 -w listen_queue_pct=50'
	'vakt_nginx|nginx in a virtual host|vars.vakt_nginx_url = "https://web1/status"; vars.vakt_nginx_host_header = "www.example.com"; vars.vakt_nginx_ca_file = "@tmp@/vakt-ca.pem"; vars.vakt_nginx_user = "nagios"; vars.vakt_nginx_password_file = "@tmp@/redis-pass"; vars.vakt_nginx_timeout = "3:unknown"|check_nginx --ca-file @tmp@/vakt-ca.pem --host-header www.example.com --password-file @tmp@/redis-pass --user nagios -c nginx_dropped_rate=1 -t 3:unknown -u https://web1/status -w nginx_dropped_rate=0'
	'vakt_nginx|nginx over tls|vars.vakt_nginx_tls = true; vars.vakt_nginx_insecure = true|check_nginx --insecure --tls -H 127.0.0.1 -c nginx_dropped_rate=1 -w nginx_dropped_rate=0'
	'vakt_haproxy|haproxy||check_haproxy -c 95 -w 80'
	'vakt_haproxy|haproxy app servers|vars.vakt_haproxy_backend = "app"; vars.vakt_haproxy_min_up = 1; vars.vakt_haproxy_state_dir = "@tmp@"; vars.vakt_haproxy_critical = [ "95", "haproxy_responses_5xx_rate=5" ]; vars.vakt_timeout = 5|check_haproxy --min-up 1 --proxy ^app$ --state-dir @tmp@ -c 95 -c haproxy_responses_5xx_rate=5 -t 5 -w 80'
	'vakt_haproxy|haproxy read replicas|vars.vakt_haproxy_address = "@tmp@/haproxy.sock"; vars.vakt_haproxy_backend = [ "db_read", "db.reports" ]; vars.vakt_haproxy_server = "^replica"; vars.vakt_haproxy_min_up = "50%"; vars.vakt_haproxy_maint = "warning"; vars.vakt_haproxy_timeout = "3:unknown"|check_haproxy --maint warning --min-up 50% --proxy ^(db_read|db\.reports)$ --server ^replica -H @tmp@/haproxy.sock -c 95 -t 3:unknown -w 80'
	'vakt_haproxy|haproxy tcp stats socket|vars.vakt_haproxy_address = "127.0.0.1"; vars.vakt_haproxy_port = 9999; vars.vakt_haproxy_exclude = "^app/"; vars.vakt_haproxy_warning = [ "80", "haproxy_idle_pct=20:" ]|check_haproxy --exclude ^app/ -H 127.0.0.1 -c 95 -p 9999 -w 80 -w haproxy_idle_pct=20:'
	'vakt_haproxy|haproxy stats page|vars.vakt_haproxy_url = "https://lb1:8404/stats;csv"; vars.vakt_haproxy_user = "nagios"; vars.vakt_haproxy_password_file = "@tmp@/redis-pass"; vars.vakt_haproxy_ca_file = "@tmp@/vakt-ca.pem"; vars.vakt_haproxy_proxy = "^db_read[0-9]*$$"|check_haproxy --ca-file @tmp@/vakt-ca.pem --password-file @tmp@/redis-pass --proxy ^db_read[0-9]*$ --user nagios -c 95 -u https://lb1:8404/stats;csv -w 80'
	'vakt_haproxy|haproxy stats page self-signed|vars.vakt_haproxy_url = "https://lb1:8404/stats;csv"; vars.vakt_haproxy_insecure = true; vars.vakt_haproxy_critical = [ "95", "haproxy_queue=10" ]|check_haproxy --insecure -c 95 -c haproxy_queue=10 -u https://lb1:8404/stats;csv -w 80'
	'vakt_mysql_locks|mysql locks||check_mysql_locks -H 127.0.0.1 -c 30 -w 10'
	'vakt_mysql_locks|mysql locks over tls|vars.vakt_mysql_locks_port = 3307; vars.vakt_mysql_locks_user = "nagios"; vars.vakt_mysql_locks_password_file = "@tmp@/redis-pass"; vars.vakt_mysql_locks_database = "shop"; vars.vakt_mysql_locks_ssl = true; vars.vakt_mysql_locks_ssl_ca = "@tmp@/vakt-ca.pem"; vars.vakt_mysql_locks_ssl_cert = "@tmp@/client.pem"; vars.vakt_mysql_locks_ssl_key = "@tmp@/client.key"; vars.vakt_mysql_locks_state_dir = "@tmp@"; vars.vakt_mysql_locks_critical = [ "60", "lock_blocker_idle=120" ]; vars.vakt_timeout = 5|check_mysql_locks --ca-file @tmp@/vakt-ca.pem --cert @tmp@/client.pem --database shop --key @tmp@/client.key --password-file @tmp@/redis-pass --ssl --state-dir @tmp@ --user nagios -H 127.0.0.1 -c 60 -c lock_blocker_idle=120 -p 3307 -t 5 -w 10'
	'vakt_mysql_locks|mysql locks on a socket|vars.vakt_mysql_locks_address = "@tmp@/mysql.sock"; vars.vakt_mysql_locks_warning = [ "10", "lock_waiters=5" ]|check_mysql_locks -H @tmp@/mysql.sock -c 30 -w 10 -w lock_waiters=5'
	'vakt_mysql_locks|mysql locks from a defaults file|vars.vakt_mysql_locks_address = ""; vars.vakt_mysql_locks_defaults_file = "@tmp@/my.cnf"; vars.vakt_mysql_locks_timeout = "3:unknown"; vars.vakt_timeout = 7|check_mysql_locks --defaults-file @tmp@/my.cnf -c 30 -t 3:unknown -w 10'
	'vakt_pgsql_locks|pgsql locks||check_pgsql_locks --database postgres -H 127.0.0.1 -c 60 -w 10'
	'vakt_pgsql_locks|pgsql locks over tls|vars.vakt_pgsql_locks_port = 5433; vars.vakt_pgsql_locks_user = "nagios"; vars.vakt_pgsql_locks_password_file = "@tmp@/redis-pass"; vars.vakt_pgsql_locks_database = "shop"; vars.vakt_pgsql_locks_sslmode = "verify-full"; vars.vakt_pgsql_locks_sslrootcert = "@tmp@/vakt-ca.pem"; vars.vakt_pgsql_locks_sslcert = "@tmp@/client.pem"; vars.vakt_pgsql_locks_sslkey = "@tmp@/client.key"; vars.vakt_pgsql_locks_state_dir = "@tmp@"; vars.vakt_pgsql_locks_warning = [ "10", "lock_deadlocks_rate=0" ]; vars.vakt_timeout = 5|check_pgsql_locks --ca-file @tmp@/vakt-ca.pem --cert @tmp@/client.pem --database shop --key @tmp@/client.key --password-file @tmp@/redis-pass --sslmode verify-full --state-dir @tmp@ --user nagios -H 127.0.0.1 -c 60 -p 5433 -t 5 -w 10 -w lock_deadlocks_rate=0'
	'vakt_pgsql_locks|pgsql locks on a socket|vars.vakt_pgsql_locks_address = "@tmp@"; vars.vakt_pgsql_locks_critical = [ "60", "lock_blocker_idle=300" ]|check_pgsql_locks --database postgres -H @tmp@ -c 60 -c lock_blocker_idle=300 -w 10'
	'vakt_pgsql_locks|pgsql locks from a service|vars.vakt_pgsql_locks_address = ""; vars.vakt_pgsql_locks_database = ""; vars.vakt_pgsql_locks_service = "monitoring"; vars.vakt_pgsql_locks_timeout = "3:unknown"; vars.vakt_timeout = 7|check_pgsql_locks --service monitoring -c 60 -t 3:unknown -w 10'
	'vakt_supervisor|supervisor|vars.vakt_timeout = 5|check_supervisor -t 5'
	'vakt_supervisor|celery workers over http|vars.vakt_supervisor_url = "http://127.0.0.1:9001/RPC2"; vars.vakt_supervisor_user = "nagios"; vars.vakt_supervisor_password_file = "@tmp@/redis-pass"; vars.vakt_supervisor_group = "celery-worker"; vars.vakt_supervisor_min_running = "2"; vars.vakt_supervisor_flap = 5; vars.vakt_supervisor_flap_window = 30; vars.vakt_supervisor_state_dir = "@tmp@"; vars.vakt_timeout = 5|check_supervisor --flap 5 --flap-window 30 --group celery-worker --min-running 2 --password-file @tmp@/redis-pass --state-dir @tmp@ --user nagios -t 5 -u http://127.0.0.1:9001/RPC2'
	'vakt_supervisor|web programs on a socket|vars.vakt_supervisor_socket = "/run/supervisor.sock"; vars.vakt_supervisor_program = [ "web*", "api" ]; vars.vakt_supervisor_expect_running = "web*"; vars.vakt_supervisor_warning = "5"; vars.vakt_supervisor_critical = "supervisor_group_running=1:"; vars.vakt_supervisor_timeout = "3:unknown"|check_supervisor --expect-running web* --program web* --program api -c supervisor_group_running=1: -s /run/supervisor.sock -t 3:unknown -w 5'
	'vakt_vakt|agent load|vars.vakt_vakt_metric = "load1"; vars.vakt_vakt_warning = "4"; vars.vakt_vakt_critical = "8"|check_vakt -H 127.0.0.1 -c 8 -m load1 -w 4'
	'vakt_vakt|agent nginx fds check|vars.vakt_vakt_check = "fds"; vars.vakt_vakt_instance = "web"; vars.vakt_vakt_option = [ "process=nginx", "percent" ]; vars.vakt_vakt_warning = "70"; vars.vakt_vakt_critical = [ "90", "processes=1:" ]|check_vakt --check fds --instance web --option process=nginx --option percent -H 127.0.0.1 -c 90 -c processes=1: -w 70'
	'vakt_vakt|agent nginx fds|vars.vakt_vakt_metric = "process_fds_open"; vars.vakt_vakt_label = [ "process=nginx", "pid=1" ]; vars.vakt_vakt_port = 9334; vars.vakt_vakt_ipv4 = true; vars.vakt_vakt_critical = "8000"; vars.vakt_timeout = 5|check_vakt --label process=nginx --label pid=1 -4 -H 127.0.0.1 -c 8000 -m process_fds_open -p 9334 -t 5'
	'vakt_vakt|agent tls|vars.vakt_vakt_address = "::1"; vars.vakt_vakt_ipv6 = true; vars.vakt_vakt_tls = true; vars.vakt_vakt_ca = "@tmp@/vakt-ca.pem"; vars.vakt_vakt_token_file = "@tmp@/vakt-token"; vars.vakt_vakt_metric = "listen_queue"; vars.vakt_vakt_label = "port=443"; vars.vakt_vakt_timeout = "3:unknown"|check_vakt --ca-file @tmp@/vakt-ca.pem --label port=443 --tls --token-file @tmp@/vakt-token -6 -H ::1 -m listen_queue -t 3:unknown'
)

# Files the services name: check_vakt reads its token file, check_redis its
# password file and check_mysql_locks its defaults file before connecting.
printf 'not-the-token\n' > "$tmp/vakt-token"
printf 'not-the-password\n' > "$tmp/redis-pass"
printf '[client]\nuser=nagios\npassword=not-the-password\n' > "$tmp/my.cnf"
chmod 600 "$tmp/vakt-token" "$tmp/redis-pass" "$tmp/my.cnf"

# A daemon killed with the test would keep running checks forever.
stop_daemon() {
	stop_group "$daemon_pid"
	daemon_pid=""
}
trap 'stop_daemon; cleanup' EXIT

# run_plugin WHAT COMMAND-LINE: run a template's command line with the built
# plugin instead of the installed one. Any state is fine, since the test host
# has no nginx or haproxy; a usage error means the template passes options
# the plugin does not take. TMPDIR keeps check_listen's state in $tmp.
run_plugin() {
	local what=$1 line=$2 out rc prog
	local -a words
	read -ra words <<< "$line"
	prog=$(basename "${words[0]}")
	if [ ! -x "$plugins/$prog" ]; then
		echo "skip: $what ($prog is not built)"
		return
	fi
	words[0]=$plugins/$prog
	out=$(TMPDIR=$tmp timeout 30 "${words[@]}" 2>&1)
	rc=$?
	if [ "$rc" -gt 3 ] || printf '%s\n' "$out" | grep -q '^Usage:'; then
		fail "$what: status $rc from: ${words[*]}"
		printf '%s\n' "$out"
		return
	fi
	echo "ok: $what runs ($(printf '%s\n' "$out" | head -1 | cut -c1-60))"
}

# stand_ins DIR CALLS PROG...: in DIR, a script for each PROG that appends
# its name and arguments to CALLS and says OK.
stand_ins() {
	local dir=$1 calls=$2 prog
	shift 2
	mkdir -p "$dir"
	: > "$calls"
	for prog in "$@"; do
		printf '#!/bin/sh\nprintf "%%s\\n" "%s $*" >> "%s"\necho "OK - logged"\n' \
			"$prog" "$calls" > "$dir/$prog"
		chmod +x "$dir/$prog"
	done
}

# check_calls DAEMON CALLS ENTRY...: wait up to 60 s, while the daemon of
# $daemon_pid runs, until CALLS holds what follows the third '|' of every
# ENTRY (@tmp@ for $tmp), the command line the daemon must run; stop the
# daemon; then one ok (and a run of the line with the built plugin) or FAIL
# per entry. Returns 1 when a call is missing.
check_calls() {
	local daemon=$1 calls=$2 entry want what rest deadline pending=1
	shift 2
	deadline=$(($(date +%s) + 60))
	while [ "$(date +%s)" -lt "$deadline" ]; do
		pending=0
		for entry in "$@"; do
			IFS='|' read -r _ _ _ want <<< "$entry"
			grep -qxF -- "${want//@tmp@/$tmp}" "$calls" || { pending=1; break; }
		done
		[ "$pending" -eq 0 ] && break
		kill -0 "$daemon_pid" 2> /dev/null || break
		sleep 0.1
	done
	stop_daemon
	for entry in "$@"; do
		IFS='|' read -r what rest _ want <<< "$entry"
		what="$what ($rest)"
		want=${want//@tmp@/$tmp}
		if grep -qxF -- "$want" "$calls"; then
			echo "ok: $daemon runs $what as: $want"
			run_plugin "$daemon $what" "$want"
		else
			fail "$daemon $what: no call '$want'; the calls of ${want%% *} were:"
			grep "^${want%% *} " "$calls" | sort -u
		fi
	done
	return "$pending"
}

# Adding a plugin without templates is a mistake this test exists to catch.
check_coverage() {
	local p name
	for p in "$plugins"/check_*; do
		name=$(basename "$p")
		[ -f "$p" ] && [ -x "$p" ] || continue
		case $name in *.*) continue ;; esac
		grep -Eq "^[[:space:]]*command_line[[:space:]]+[^[:space:]]*/$name([[:space:]]|$)" "$nagios_cfg" ||
			fail "no Nagios command in $nagios_cfg runs $name"
		grep -Eq "^[[:space:]]*command[[:space:]]*=[[:space:]]*\[[[:space:]]*\"[^\"]*/$name\"" "$icinga_conf" ||
			fail "no Icinga CheckCommand in $icinga_conf runs $name"
	done
	echo "ok: every built plugin has a Nagios command and an Icinga CheckCommand"
}

# write_nagios_config DIR CFG: everything nagios4 needs in DIR/nagios.cfg,
# all inside DIR so nothing under /etc or /var is read or written: CFG as the
# commands, the examples in CFG's comments (uncommented), the hosts they
# name, and one service per entry of nagios_services on a host vakt-test.
# Checks run at once and every second, for a daemon that runs them
# (test_nagios_run).
write_nagios_config() {
	local dir=$1 cfg=$2 entry cmd args sopts var n=0
	nagios_skeleton "$dir" "$cfg" "$dir/examples.cfg"
	# The examples, with the '# ' taken off: every commented definition.
	sed -n '/^# define [a-z]* {$/,/^# }$/s/^# //p' "$cfg" > "$dir/examples.cfg"
	nagios_hosts "$dir" "$dir/examples.cfg"
	printf 'define host {\n  use linux-server\n  host_name vakt-test\n  address 127.0.0.1\n}\n' \
		>> "$dir/base.cfg"
	for entry in "${nagios_services[@]}"; do
		IFS='|' read -r cmd args sopts _ <<< "$entry"
		n=$((n + 1))
		var=_VAKT_$(nagios_plugin "$cmd" | tr a-z A-Z)_OPTS
		args=${args//@tmp@/$tmp}
		{
			printf 'define service {\n  use vakt-service,generic-service\n  host_name vakt-test\n'
			printf '  service_description %s %s\n  check_command %s%s\n' "$n" "$cmd" "$cmd" "${args:+!$args}"
			printf '  check_interval 1\n  retry_interval 1\n'
			[ -z "$sopts" ] || printf '  %s %s\n' "$var" "${sopts//@tmp@/$tmp}"
			printf '}\n'
		} >> "$dir/base.cfg"
	done
}

# nagios_plugin COMMAND: the plugin COMMAND runs, without check_ (redis).
nagios_plugin() {
	awk -v c="$1" '
		$1 == "define" && $2 ~ /^command/ { name = "" }
		$1 == "command_name" { name = $2 }
		$1 == "command_line" && name == c { sub(/.*\/check_/, "", $2); print $2; exit }' \
		"$nagios_cfg"
}

# Every command must have a test service, and must end in the service
# variable of its plugin and the optional OPTIONS argument.
check_nagios_commands() {
	local cmd var line n
	for cmd in $nagios_commands; do
		printf '%s\n' "${nagios_services[@]}" | grep -q "^$cmd|" ||
			fail "no test service for Nagios command $cmd: add one to nagios_services"
		var=VAKT_$(nagios_plugin "$cmd" | tr a-z A-Z)_OPTS
		line=$(awk -v c="$cmd" '$1 == "command_name" { name = $2 }
			$1 == "command_line" && name == c { print }' "$nagios_cfg")
		n=$(printf '%s\n' "$line" | grep -o '\$ARG[0-9]*\$' | tr -dc '0-9\n' | sort -n | tail -1)
		case $line in
		*" \$_SERVICE$var\$ \$ARG$n\$") ;;
		*) fail "Nagios command $cmd does not end in \$_SERVICE$var\$ \$ARGn\$" ;;
		esac
		grep -Eq "^[[:space:]]*_$var\$" "$nagios_cfg" || fail "vakt-service does not set _$var"
	done
	echo "ok: every Nagios command ends in its plugin's service variable and OPTIONS"
}

# Runs every test service in a real nagios4 against stand-ins for the plugins
# that log their arguments, because only a running daemon expands the custom
# variables, $$ and the quoting; then runs each logged line with the built
# plugin.
test_nagios_run() {
	local nagios=$1 dir=$tmp/nagios-run calls=$tmp/nagios-run/calls
	stand_ins "$dir/plugins" "$calls" $(sed -n 's|^[[:space:]]*command_line[[:space:]]*[^[:space:]]*/\(check_[^[:space:]/]*\).*|\1|p' "$nagios_cfg" | sort -u)
	sed "s|^\([[:space:]]*command_line[[:space:]]*\)[^[:space:]]*/\(check_[^[:space:]/]*\)|\1$dir/plugins/\2|" \
		"$nagios_cfg" > "$dir/vakt-commands.cfg"
	write_nagios_config "$dir" "$dir/vakt-commands.cfg"
	# daemon_pid, so that stop_daemon stops it also when the test dies.
	setsid "$nagios" "$dir/nagios.cfg" > "$dir/nagios.out" 2>&1 < /dev/null &
	daemon_pid=$!
	if ! check_calls nagios4 "$calls" "${nagios_services[@]}"; then
		echo "nagios4 output:"
		cat "$dir/nagios.out" "$dir/nagios.log" 2> /dev/null | tail -n 40
	fi
}

test_nagios() {
	local nagios out rc
	nagios=${NAGIOS:-$(find_daemon nagios4 nagios)}
	if [ ! -x "$nagios" ]; then
		missing="$missing nagios4"
		return
	fi
	check_nagios_commands
	write_nagios_config "$tmp/nagios" "$nagios_cfg"
	out=$("$nagios" -v "$tmp/nagios/nagios.cfg" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] || ! printf '%s\n' "$out" | grep -Eq '^Total Errors: +0$' ||
		! printf '%s\n' "$out" | grep -Eq '^Total Warnings: +0$'; then
		fail "$nagios -v rejects the Nagios templates or their examples (status $rc)"
		printf '%s\n' "$out"
		return
	fi
	echo "ok: $nagios -v accepts $(echo $nagios_commands | wc -w) commands, vakt-service, $(grep -c '^define' "$tmp/nagios/examples.cfg") examples and ${#nagios_services[@]} services"
	test_nagios_run "$nagios"
}

# write_icinga_config DIR TEMPLATE [EXTRA]: a whole Icinga 2 configuration in
# DIR/icinga2.conf: the ITL and the plugin libraries a stock icinga2.conf
# includes (so a name clash with an ITL command is caught), TEMPLATE, one
# host, the services above and EXTRA. plugins-contrib is its files but
# vakt.conf: where the vakt-plugins package is installed, that is TEMPLATE
# again, and every command would clash with itself.
write_icinga_config() {
	local dir=$1 template=$2 extra=${3:-} entry cmd name attrs f
	mkdir -p "$dir"
	{
		icinga2_constants
		printf 'include <itl>\ninclude <plugins>\n'
		for f in /usr/share/icinga2/include/plugins-contrib.d/*.conf; do
			[ -e "$f" ] && [ "$(basename "$f")" != vakt.conf ] && printf 'include "%s"\n' "$f"
		done
	} > "$dir/icinga2.conf"
	cat >> "$dir/icinga2.conf" <<-EOF
		include <manubulon>
		include <windows-plugins>
		include <nscp>
		include "$template"
		object Host "web1" {
		  check_command = "dummy"
		  address = "127.0.0.1"
		  enable_active_checks = false
		}
		$extra
	EOF
	for entry in "${icinga_services[@]}"; do
		IFS='|' read -r cmd name attrs _ <<< "$entry"
		printf 'object Service "%s" {\n  host_name = "web1"\n  check_command = "%s"\n  check_interval = 1s\n  %s\n}\n' \
			"$name" "$cmd" "${attrs//@tmp@/$tmp}" >> "$dir/icinga2.conf"
	done
}

# Runs the checks in a real icinga2 against stand-ins for the plugins that
# log their arguments, because only a running daemon resolves set_if,
# repeat_key, defaults and nested macros; daemon -C checks none of them.
test_icinga_arguments() {
	local dir=$tmp/icinga2-run calls=$tmp/icinga2-run/calls
	stand_ins "$dir/plugins" "$calls" $(sed -n 's|^[[:space:]]*command[[:space:]]*=[[:space:]]*\[[[:space:]]*"[^"]*/\(check_[^"/]*\)".*|\1|p' "$icinga_conf")
	sed "s|^\([[:space:]]*command[[:space:]]*=[[:space:]]*\[[[:space:]]*\"\)[^\"]*/\(check_[^\"/]*\"\)|\1$dir/plugins/\2|" \
		"$icinga_conf" > "$dir/vakt-commands.conf"
	write_icinga_config "$dir" "$dir/vakt-commands.conf" 'object CheckerComponent "checker" { }'
	icinga2_args "$dir"
	# setsid gives the daemon its own process group, which stop_daemon
	# kills whole: icinga2 forks helpers that outlive a plain kill.
	setsid "$icinga" "${icinga_args[@]}" > "$dir/icinga2.out" 2>&1 < /dev/null &
	daemon_pid=$!
	if ! check_calls icinga2 "$calls" "${icinga_services[@]}"; then
		echo "icinga2 output:"
		cat "$dir/icinga2.out"
	fi
}

test_icinga() {
	local icinga dir=$tmp/icinga2 out rc entry cmd roles
	icinga=${ICINGA2:-$(find_daemon icinga2)}
	if [ ! -x "$icinga" ]; then
		missing="$missing icinga2"
		return
	fi
	for cmd in $icinga_commands; do
		printf '%s\n' "${icinga_services[@]}" | grep -q "^$cmd|" ||
			fail "no test service for Icinga CheckCommand $cmd: add one to icinga_services"
	done
	# The examples at the end of the file, without the comment markers.
	sed -n '/^ \* Examples/,/^ \*\//{/^ \* Examples/d;/^ \*\//d;s/^ \*\( \|$\)//p;}' "$icinga_conf" \
		> "$tmp/icinga-examples.conf"
	grep -q '^apply Service' "$tmp/icinga-examples.conf" ||
		fail "no example services found at the end of $icinga_conf"
	# A host every example applies to, so each one is instantiated, with
	# the agent endpoint the examples that run on the host name.
	printf '%s\n' 'object Endpoint NodeName { }' 'object Zone NodeName { endpoints = [ NodeName ] }' \
		'object Endpoint "examples" { }' \
		'object Zone "examples" { endpoints = [ "examples" ]; parent = NodeName }' \
		> "$tmp/icinga-examples.conf.tail"
	roles=$(grep -o '"[^"]*" in host.vars.roles' "$tmp/icinga-examples.conf" | cut -d'"' -f2 |
		sort -u | sed 's/.*/"&"/' | paste -sd, -)
	printf 'object Host "examples" {\n  check_command = "dummy"\n  address = "127.0.0.1"\n  enable_active_checks = false\n  vars.os = "Linux"\n  vars.roles = [ %s ]\n  zone = NodeName\n}\n' \
		"$roles" >> "$tmp/icinga-examples.conf"
	cat "$tmp/icinga-examples.conf.tail" >> "$tmp/icinga-examples.conf"
	write_icinga_config "$dir" "$icinga_conf" "include \"$tmp/icinga-examples.conf\""
	icinga2_args "$dir"
	out=$("$icinga" "${icinga_args[@]}" -C 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] || printf '%s\n' "$out" | grep -Eq '(warning|critical)/'; then
		fail "$icinga daemon -C rejects the Icinga 2 templates (status $rc)"
		printf '%s\n' "$out"
		return
	fi
	echo "ok: $icinga daemon -C accepts $(echo $icinga_commands | wc -w) CheckCommands, $(grep -c '^apply Service' "$tmp/icinga-examples.conf") examples and ${#icinga_services[@]} services"
	test_icinga_arguments
}

for f in "$nagios_cfg" "$icinga_conf"; do
	[ -r "$f" ] || { echo "FAIL: $f is missing; run make first"; exit 1; }
done
nagios_commands=$(awk '$1 == "command_name" { print $2 }' "$nagios_cfg")
icinga_commands=$(sed -n 's/^object CheckCommand "\([^"]*\)".*/\1/p' "$icinga_conf")
[ -n "$nagios_commands" ] || fail "no Nagios command in $nagios_cfg"
[ -n "$icinga_commands" ] || fail "no Icinga CheckCommand in $icinga_conf"

check_coverage
test_nagios
test_icinga

monitors_finish 77
