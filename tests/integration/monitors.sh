# Shared by the tests that load configuration into a real Nagios 4 or
# Icinga 2 (test_templates.sh, test_docs.sh, test_e2e.sh): where the daemons
# are, and a configuration around the objects under test that reads and
# writes nothing outside a test's directory. Bash only; source it after
# lib.sh.

# find_daemon NAME...: print the first NAME found in $PATH or in the sbin
# directories, which are not in every user's $PATH.
find_daemon() {
	local name dir
	for name in "$@"; do
		for dir in ${PATH//:/ } /usr/sbin /usr/local/sbin /sbin; do
			if [ -x "$dir/$name" ]; then
				echo "$dir/$name"
				return 0
			fi
		done
	done
	return 1
}

# nagios_skeleton DIR CFG...: write DIR/nagios.cfg, which loads the object
# files CFG... and DIR/base.cfg, keeps every file in DIR, runs checks at
# once and every second (interval_length 1), sends no notification and
# sets $USER1$ as Debian does; and
# DIR/base.cfg with what a real site supplies and vakt-service leaves out: a
# 24x7 period, a contact, and the templates linux-server (hosts) and
# generic-service. Append hosts and services to DIR/base.cfg.
nagios_skeleton() {
	local dir=$1 cfg
	shift
	mkdir -p "$dir/checkresults"
	{
		for cfg in "$@" "$dir/base.cfg"; do
			echo "cfg_file=$cfg"
		done
		cat <<-EOF
			log_file=$dir/nagios.log
			object_cache_file=$dir/objects.cache
			precached_object_file=$dir/objects.precache
			resource_file=$dir/resource.cfg
			status_file=$dir/status.dat
			status_update_interval=1
			state_retention_file=$dir/retention.dat
			retain_state_information=0
			temp_file=$dir/nagios.tmp
			temp_path=$dir
			lock_file=$dir/nagios.lock
			command_file=$dir/nagios.cmd
			check_result_path=$dir/checkresults
			check_result_reaper_frequency=1
			interval_length=1
			service_inter_check_delay_method=n
			max_service_check_spread=1
			host_inter_check_delay_method=n
			enable_notifications=0
			nagios_user=$(id -un)
			nagios_group=$(id -gn)
			check_external_commands=0
			illegal_macro_output_chars=\`~\$&|'"<>
		EOF
	} > "$dir/nagios.cfg"
	# $USER1$ as Debian's nagios4 sets it: Monitoring Plugins' directory.
	printf '%s\n' '$USER1$=/usr/lib/nagios/plugins' > "$dir/resource.cfg"
	cat > "$dir/base.cfg" <<-EOF
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
		    command_name      vakt_test_true
		    command_line      /bin/true
		}
		define contact {
		    contact_name                    admin
		    host_notification_period        24x7
		    service_notification_period     24x7
		    host_notification_options       d,u,r
		    service_notification_options    w,u,c,r
		    host_notification_commands      vakt_test_true
		    service_notification_commands   vakt_test_true
		}
		define host {
		    name                    linux-server
		    check_command           vakt_test_true
		    active_checks_enabled   0
		    max_check_attempts      3
		    check_period            24x7
		    contacts                admin
		    notification_interval   60
		    notification_period     24x7
		    register                0
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
}

# nagios_hosts DIR FILE...: add to DIR/base.cfg a host at 127.0.0.1 for
# every host_name the definitions in FILE... name but do not define.
nagios_hosts() {
	local dir=$1 host
	shift
	for host in $(sed -n 's/^[[:space:]]*host_name[[:space:]]*//p' "$@" | sort -u); do
		sed -n '/^[[:space:]]*define host[[:space:]]*{/,/}/p' "$@" |
			grep -Eq "^[[:space:]]*host_name[[:space:]]+$host[[:space:]]*$" && continue
		printf 'define host {\n  use linux-server\n  host_name %s\n  address 127.0.0.1\n}\n' \
			"$host" >> "$dir/base.cfg"
	done
}

# icinga2_args DIR: set icinga_args to run icinga2 on DIR/icinga2.conf with
# every path it would read or write outside the configuration, and the user
# it would switch to as root, pointing into DIR.
icinga2_args() {
	local dir=$1
	mkdir -p "$dir/cache" "$dir/lib" "$dir/log" "$dir/run" "$dir/spool" "$dir/zones.d"
	icinga_args=(daemon -c "$dir/icinga2.conf"
		-DRunAsUser="$(id -un)" -DRunAsGroup="$(id -gn)"
		-DConfigDir="$dir" -DZonesDir="$dir/zones.d"
		-DDataDir="$dir/lib" -DCacheDir="$dir/cache" -DLogDir="$dir/log"
		-DSpoolDir="$dir/spool" -DInitRunDir="$dir/run"
		-DPidPath="$dir/run/icinga2.pid")
}

# icinga2_constants: the constants a stock constants.conf defines, which the
# ITL's plugin commands need.
icinga2_constants() {
	cat <<-EOF
		const PluginDir = "/usr/lib/nagios/plugins"
		const PluginContribDir = "/usr/lib/nagios/plugins"
		const ManubulonPluginDir = "/usr/lib/nagios/plugins"
	EOF
}

# monitors_finish STATUS: exit 1 on failures; otherwise, when a daemon in
# $missing was not installed, fail with VAKT_REQUIRE_ALL=1 or exit STATUS
# (77 for a skip), and exit 0 when all ran.
monitors_finish() {
	[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
	if [ -n "$missing" ]; then
		if [ "${VAKT_REQUIRE_ALL:-0}" = 1 ]; then
			echo "FAIL: not installed:$missing (VAKT_REQUIRE_ALL=1)"
			exit 1
		fi
		echo "SKIP: not installed:$missing"
		exit "$1"
	fi
	exit 0
}
