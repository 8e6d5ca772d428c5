#!/bin/bash
# The shipped Nagios 4 and Icinga 2 templates load in the real nagios4 and
# icinga2, the command lines they build are the ones their comments promise
# and are accepted by the plugins, and every built plugin has both a Nagios
# command and an Icinga CheckCommand.
# A daemon that is not installed is a SKIP (exit 77), or a failure with
# VAKT_REQUIRE_ALL=1, so CI cannot pass without having validated anything.
# NAGIOS and ICINGA2 name the programs when they are not found by name.
. "$(dirname "$0")/lib.sh"
nagios_cfg=$top_builddir/templates/nagios/vakt-commands.cfg
icinga_conf=$top_builddir/templates/icinga2/vakt-commands.conf
missing=""
icinga_pid=""

# Arguments for every Nagios command, as a service's check_command gives them
# after the command name. Realistic values, because the same arguments are
# also run through the built plugin.
declare -A nagios_args=(
	[vakt_check_load]='5,4,3!10,8,6'
	[vakt_check_load_percpu]='1.5,1.2,1!3,2.5,2'
	[vakt_check_pressure]='io!10,5,2!20,10,5'
	[vakt_check_fds]='80!95'
	[vakt_check_fds_process]='nginx!70!90'
	[vakt_check_fds_pidfile]='/run/haproxy.pid!70!90'
	[vakt_check_listen]='80!10!100'
	[vakt_check_redis]='80!95'
	[vakt_check_redis_queue]='celery!1000!5000'
	[vakt_check_redis_resque]='100!1000!50'
	[vakt_check_rabbitmq_queue]='celery!1000!5000'
	[vakt_check_rabbitmq_node]='80!90'
	[vakt_check_rabbitmq_health]=''
	[vakt_check_nginx]='/nginx_status!800!1000'
	[vakt_check_haproxy]='/run/haproxy/admin.sock!50%!80!95'
	[vakt_check_haproxy_backend]='/run/haproxy/admin.sock!db_read!1!80!95'
	[vakt_check_mysql_locks]='10!30'
	[vakt_check_mysql_locks_idle]='10!30!120'
	[vakt_check_pgsql_locks]='10!60'
	[vakt_check_vakt]='load1!4!8'
	[vakt_check_vakt_label]='process_fds_open!process=nginx!5000!8000'
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
	'vakt_rabbitmq|celery on rabbitmq|vars.vakt_rabbitmq_queue = [ "celery", "mail" ]; vars.vakt_rabbitmq_vhost = "jobs"; vars.vakt_rabbitmq_user = "nagios"; vars.vakt_rabbitmq_password_file = "@tmp@/redis-pass"; vars.vakt_rabbitmq_port = 15673; vars.vakt_rabbitmq_warning = "1000"; vars.vakt_rabbitmq_critical = [ "5000", "queue_consumers=1:" ]; vars.vakt_timeout = 5|check_rabbitmq --password-file @tmp@/redis-pass --queue celery --queue mail --user nagios --vhost jobs -H 127.0.0.1 -c 5000 -c queue_consumers=1: -p 15673 -t 5 -w 1000'
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
	'vakt_mysql_locks|mysql locks over tls|vars.vakt_mysql_locks_port = 3307; vars.vakt_mysql_locks_user = "nagios"; vars.vakt_mysql_locks_password_file = "@tmp@/redis-pass"; vars.vakt_mysql_locks_database = "shop"; vars.vakt_mysql_locks_ssl = true; vars.vakt_mysql_locks_ssl_ca = "@tmp@/vakt-ca.pem"; vars.vakt_mysql_locks_ssl_cert = "@tmp@/client.pem"; vars.vakt_mysql_locks_ssl_key = "@tmp@/client.key"; vars.vakt_mysql_locks_state_dir = "@tmp@"; vars.vakt_mysql_locks_critical = [ "60", "lock_blocker_idle=120" ]; vars.vakt_timeout = 5|check_mysql_locks --database shop --password-file @tmp@/redis-pass --ssl --ssl-ca @tmp@/vakt-ca.pem --ssl-cert @tmp@/client.pem --ssl-key @tmp@/client.key --state-dir @tmp@ --user nagios -H 127.0.0.1 -c 60 -c lock_blocker_idle=120 -p 3307 -t 5 -w 10'
	'vakt_mysql_locks|mysql locks on a socket|vars.vakt_mysql_locks_address = "@tmp@/mysql.sock"; vars.vakt_mysql_locks_warning = [ "10", "lock_waiters=5" ]|check_mysql_locks -H @tmp@/mysql.sock -c 30 -w 10 -w lock_waiters=5'
	'vakt_mysql_locks|mysql locks from a defaults file|vars.vakt_mysql_locks_address = ""; vars.vakt_mysql_locks_defaults_file = "@tmp@/my.cnf"; vars.vakt_mysql_locks_timeout = "3:unknown"; vars.vakt_timeout = 7|check_mysql_locks --defaults-file @tmp@/my.cnf -c 30 -t 3:unknown -w 10'
	'vakt_pgsql_locks|pgsql locks||check_pgsql_locks --database postgres -H 127.0.0.1 -c 60 -w 10'
	'vakt_pgsql_locks|pgsql locks over tls|vars.vakt_pgsql_locks_port = 5433; vars.vakt_pgsql_locks_user = "nagios"; vars.vakt_pgsql_locks_password_file = "@tmp@/redis-pass"; vars.vakt_pgsql_locks_database = "shop"; vars.vakt_pgsql_locks_sslmode = "verify-full"; vars.vakt_pgsql_locks_sslrootcert = "@tmp@/vakt-ca.pem"; vars.vakt_pgsql_locks_sslcert = "@tmp@/client.pem"; vars.vakt_pgsql_locks_sslkey = "@tmp@/client.key"; vars.vakt_pgsql_locks_state_dir = "@tmp@"; vars.vakt_pgsql_locks_warning = [ "10", "lock_deadlocks_rate=0" ]; vars.vakt_timeout = 5|check_pgsql_locks --database shop --password-file @tmp@/redis-pass --sslcert @tmp@/client.pem --sslkey @tmp@/client.key --sslmode verify-full --sslrootcert @tmp@/vakt-ca.pem --state-dir @tmp@ --user nagios -H 127.0.0.1 -c 60 -p 5433 -t 5 -w 10 -w lock_deadlocks_rate=0'
	'vakt_pgsql_locks|pgsql locks on a socket|vars.vakt_pgsql_locks_address = "@tmp@"; vars.vakt_pgsql_locks_critical = [ "60", "lock_blocker_idle=300" ]|check_pgsql_locks --database postgres -H @tmp@ -c 60 -c lock_blocker_idle=300 -w 10'
	'vakt_pgsql_locks|pgsql locks from a service|vars.vakt_pgsql_locks_address = ""; vars.vakt_pgsql_locks_database = ""; vars.vakt_pgsql_locks_service = "monitoring"; vars.vakt_pgsql_locks_timeout = "3:unknown"; vars.vakt_timeout = 7|check_pgsql_locks --service monitoring -c 60 -t 3:unknown -w 10'
	'vakt_vakt|agent load|vars.vakt_vakt_metric = "load1"; vars.vakt_vakt_warning = "4"; vars.vakt_vakt_critical = "8"|check_vakt -H 127.0.0.1 -c 8 -m load1 -w 4'
	'vakt_vakt|agent nginx fds|vars.vakt_vakt_metric = "process_fds_open"; vars.vakt_vakt_label = [ "process=nginx", "pid=1" ]; vars.vakt_vakt_port = 9334; vars.vakt_vakt_ipv4 = true; vars.vakt_vakt_critical = "8000"; vars.vakt_timeout = 5|check_vakt --label process=nginx --label pid=1 -4 -H 127.0.0.1 -c 8000 -m process_fds_open -p 9334 -t 5'
	'vakt_vakt|agent tls|vars.vakt_vakt_address = "::1"; vars.vakt_vakt_ipv6 = true; vars.vakt_vakt_tls = true; vars.vakt_vakt_ca = "@tmp@/vakt-ca.pem"; vars.vakt_vakt_token_file = "@tmp@/vakt-token"; vars.vakt_vakt_metric = "listen_queue"; vars.vakt_vakt_label = "port=443"; vars.vakt_vakt_timeout = "3:unknown"|check_vakt --ca @tmp@/vakt-ca.pem --label port=443 --tls --token-file @tmp@/vakt-token -6 -H ::1 -m listen_queue -t 3:unknown'
)

# Files the services name: check_vakt reads its token file, check_redis its
# password file and check_mysql_locks its defaults file before connecting.
printf 'not-the-token\n' > "$tmp/vakt-token"
printf 'not-the-password\n' > "$tmp/redis-pass"
printf '[client]\nuser=nagios\npassword=not-the-password\n' > "$tmp/my.cnf"
chmod 600 "$tmp/vakt-token" "$tmp/redis-pass" "$tmp/my.cnf"

fail() {
	printf 'FAIL: %s\n' "$1"
	failures=$((failures + 1))
}

# A daemon killed with the test would keep running checks forever.
stop_icinga() {
	[ -n "$icinga_pid" ] || return 0
	stop_group "$icinga_pid"
	icinga_pid=""
}

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

# Everything nagios4 -v needs, all inside $tmp so nothing under /etc or /var
# is read or written, plus one service per command in the template.
write_nagios_config() {
	local dir=$tmp/nagios cmd
	mkdir -p "$dir/checkresults"
	cat > "$dir/nagios.cfg" <<-EOF
		log_file=$dir/nagios.log
		cfg_file=$nagios_cfg
		cfg_file=$dir/objects.cfg
		object_cache_file=$dir/objects.cache
		precached_object_file=$dir/objects.precache
		resource_file=$dir/resource.cfg
		status_file=$dir/status.dat
		state_retention_file=$dir/retention.dat
		temp_file=$dir/nagios.tmp
		temp_path=$dir
		lock_file=$dir/nagios.lock
		command_file=$dir/nagios.cmd
		check_result_path=$dir/checkresults
		nagios_user=$(id -un)
		nagios_group=$(id -gn)
		check_external_commands=0
		illegal_macro_output_chars=\`~\$&|'"<>
	EOF
	: > "$dir/resource.cfg"
	# generic-service stands in for the template of a real site, which
	# supplies what vakt-service leaves out (periods, contacts).
	cat > "$dir/objects.cfg" <<-EOF
		define timeperiod {
		    timeperiod_name   24x7
		    alias             always
		    monday            00:00-24:00
		    tuesday           00:00-24:00
		    wednesday         00:00-24:00
		    thursday          00:00-24:00
		    friday            00:00-24:00
		    saturday          00:00-24:00
		    sunday            00:00-24:00
		}
		define command {
		    command_name      vakt_test_notify
		    command_line      /bin/true
		}
		define contact {
		    contact_name                    admin
		    host_notification_period        24x7
		    service_notification_period     24x7
		    host_notification_options       d,u,r
		    service_notification_options    w,u,c,r
		    host_notification_commands      vakt_test_notify
		    service_notification_commands   vakt_test_notify
		}
		define host {
		    host_name               web1
		    address                 127.0.0.1
		    check_command           vakt_check_load!5,4,3!10,8,6
		    max_check_attempts      3
		    check_period            24x7
		    contacts                admin
		    notification_interval   60
		    notification_period     24x7
		}
		define service {
		    name                    generic-service
		    check_period            24x7
		    contacts                admin
		    notification_interval   60
		    notification_period     24x7
		    register                0
		}
	EOF
	for cmd in $nagios_commands; do
		if [ -z "${nagios_args[$cmd]+set}" ]; then
			fail "no test arguments for Nagios command $cmd: add them to nagios_args"
			continue
		fi
		cat >> "$dir/objects.cfg" <<-EOF
			define service {
			    use                     vakt-service,generic-service
			    host_name               web1
			    service_description     $cmd
			    check_command           $cmd!${nagios_args[$cmd]}
			}
		EOF
	done
}

# The command line Nagios would run for CMD with ARGS ('!'-separated) on
# web1, whose address is 127.0.0.1.
nagios_command_line() {
	local cmd=$1 line i
	local -a args
	IFS='!' read -ra args <<< "$2"
	line=$(awk -v c="$cmd" '
		$1 == "define" && $2 ~ /^command/ { name = ""; cl = "" }
		$1 == "command_name" { name = $2 }
		$1 == "command_line" { $1 = ""; cl = substr($0, 2) }
		$1 == "}" && name == c { print cl; exit }' "$nagios_cfg")
	for i in "${!args[@]}"; do
		line=${line//\$ARG$((i + 1))\$/${args[$i]}}
	done
	line=${line//\$HOSTADDRESS\$/127.0.0.1}
	# $$ is how a command line writes a literal $.
	line=${line//\$\$/\$}
	printf '%s\n' "$line"
}

test_nagios() {
	local nagios out rc cmd
	nagios=${NAGIOS:-$(find_daemon nagios4 nagios)}
	if [ ! -x "$nagios" ]; then
		missing="$missing nagios4"
		return
	fi
	write_nagios_config
	out=$("$nagios" -v "$tmp/nagios/nagios.cfg" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] || ! printf '%s\n' "$out" | grep -Eq '^Total Errors: +0$' ||
		! printf '%s\n' "$out" | grep -Eq '^Total Warnings: +0$'; then
		fail "$nagios -v rejects the Nagios templates (status $rc)"
		printf '%s\n' "$out"
		return
	fi
	echo "ok: $nagios -v accepts $(echo $nagios_commands | wc -w) commands and vakt-service"
	for cmd in $nagios_commands; do
		[ -n "${nagios_args[$cmd]+set}" ] || continue
		run_plugin "nagios $cmd" "$(nagios_command_line "$cmd" "${nagios_args[$cmd]}")"
	done
}

# write_icinga_config DIR TEMPLATE [EXTRA]: a whole Icinga 2 configuration in
# DIR/icinga2.conf: the ITL and the plugin libraries a stock icinga2.conf
# includes (so a name clash with an ITL command is caught), TEMPLATE, one
# host, the services above and EXTRA.
write_icinga_config() {
	local dir=$1 template=$2 extra=${3:-} entry cmd name attrs
	mkdir -p "$dir/cache" "$dir/lib" "$dir/log" "$dir/run" "$dir/spool" "$dir/zones.d"
	cat > "$dir/icinga2.conf" <<-EOF
		const PluginDir = "/usr/lib/nagios/plugins"
		const PluginContribDir = "/usr/lib/nagios/plugins"
		const ManubulonPluginDir = "/usr/lib/nagios/plugins"
		include <itl>
		include <plugins>
		include <plugins-contrib>
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

# icinga2_args DIR: set icinga_args to run icinga2 on DIR/icinga2.conf with
# every path it would read or write outside the configuration, and the user
# it would switch to as root, pointing into DIR.
icinga2_args() {
	local dir=$1
	icinga_args=(daemon -c "$dir/icinga2.conf"
		-DRunAsUser="$(id -un)" -DRunAsGroup="$(id -gn)"
		-DConfigDir="$dir" -DZonesDir="$dir/zones.d"
		-DDataDir="$dir/lib" -DCacheDir="$dir/cache" -DLogDir="$dir/log"
		-DSpoolDir="$dir/spool" -DInitRunDir="$dir/run"
		-DPidPath="$dir/run/icinga2.pid")
}

# Runs the checks in a real icinga2 against stand-ins for the plugins that
# log their arguments, because only a running daemon resolves set_if,
# repeat_key, defaults and nested macros; daemon -C checks none of them.
test_icinga_arguments() {
	local dir=$tmp/icinga2-run calls=$tmp/icinga2-run/calls entry cmd name want prog pending
	mkdir -p "$dir/plugins"
	: > "$calls"
	for prog in $(sed -n 's|^[[:space:]]*command[[:space:]]*=[[:space:]]*\[[[:space:]]*"[^"]*/\(check_[^"/]*\)".*|\1|p' "$icinga_conf"); do
		cat > "$dir/plugins/$prog" <<-EOF
			#!/bin/sh
			printf '%s\n' "$prog \$*" >> "$calls"
			exit 0
		EOF
		chmod +x "$dir/plugins/$prog"
	done
	sed "s|^\([[:space:]]*command[[:space:]]*=[[:space:]]*\[[[:space:]]*\"\)[^\"]*/\(check_[^\"/]*\"\)|\1$dir/plugins/\2|" \
		"$icinga_conf" > "$dir/vakt-commands.conf"
	write_icinga_config "$dir" "$dir/vakt-commands.conf" 'object CheckerComponent "checker" { }'
	icinga2_args "$dir"
	# In a process group of its own, which stop_icinga kills whole:
	# icinga2 forks helpers that outlive a plain kill.
	start_group icinga2-run "$icinga" "${icinga_args[@]}"
	icinga_pid=$group_pid
	# Each service runs within a second or two of the start.
	for _ in $(seq 300); do
		pending=0
		for entry in "${icinga_services[@]}"; do
			IFS='|' read -r _ _ _ want <<< "$entry"
			grep -qxF -- "${want//@tmp@/$tmp}" "$calls" || pending=1
		done
		[ "$pending" -eq 0 ] && break
		kill -0 "$icinga_pid" 2>/dev/null || break
		sleep 0.1
	done
	stop_icinga
	for entry in "${icinga_services[@]}"; do
		IFS='|' read -r cmd name _ want <<< "$entry"
		want=${want//@tmp@/$tmp}
		if grep -qxF -- "$want" "$calls"; then
			echo "ok: icinga2 runs $cmd for \"$name\" as: $want"
			run_plugin "icinga2 $cmd \"$name\"" "$want"
		else
			fail "icinga2 $cmd for \"$name\": no call '$want'; the calls of ${want%% *} were:"
			grep "^${want%% *} " "$calls" | sort -u
		fi
	done
	if [ "$pending" -ne 0 ]; then
		echo "icinga2 output:"
		cat "$tmp/icinga2-run.out"
	fi
}

test_icinga() {
	local icinga dir=$tmp/icinga2 out rc entry cmd
	icinga=${ICINGA2:-$(find_daemon icinga2)}
	if [ ! -x "$icinga" ]; then
		missing="$missing icinga2"
		return
	fi
	for cmd in $icinga_commands; do
		printf '%s\n' "${icinga_services[@]}" | grep -q "^$cmd|" ||
			fail "no test service for Icinga CheckCommand $cmd: add one to icinga_services"
	done
	write_icinga_config "$dir" "$icinga_conf"
	icinga2_args "$dir"
	out=$("$icinga" "${icinga_args[@]}" -C 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] || printf '%s\n' "$out" | grep -Eq '(warning|critical)/'; then
		fail "$icinga daemon -C rejects the Icinga 2 templates (status $rc)"
		printf '%s\n' "$out"
		return
	fi
	echo "ok: $icinga daemon -C accepts $(echo $icinga_commands | wc -w) CheckCommands and ${#icinga_services[@]} services"
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

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
if [ -n "$missing" ]; then
	if [ "${VAKT_REQUIRE_ALL:-0}" = 1 ]; then
		echo "FAIL: not installed:$missing (VAKT_REQUIRE_ALL=1)"
		exit 1
	fi
	echo "SKIP: not installed:$missing"
	exit 77
fi
exit 0
