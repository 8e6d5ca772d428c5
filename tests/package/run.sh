#!/bin/bash
# tests/package/run.sh TARBALL BUILDDIR: the packages, tested as installed.
#
# Builds the Debian packages from TARBALL (make dist's) with lintian
# (packaging/build-deb) and the RPMs with rpmbuild (packaging/build-rpm),
# compares their contents, installs the Debian packages on this machine with
# dpkg -i, and then, with the installed files only: every plugin answers
# --version, the nagios user keeps rates in the state directory, the unit
# passes systemd-analyze verify and its exposure is the README's, vaktd runs
# the way the unit runs it (its user, its capabilities, its notify socket)
# and under a real supervisord with the shipped program (started, reloaded,
# killed and restarted, stopped), reads another user's descriptors and
# secrets kept root:vakt 0640, the installed Nagios and Icinga 2 objects
# pass nagios4 -v and icinga2 daemon -C unedited, the end-to-end suite runs
# against the installed files, an upgrade keeps an edited configuration, and
# dpkg --purge leaves nothing behind but the system users.
#
# It changes the machine (packages, users, /etc): run it as root on a CI or
# throwaway machine, where no vakt package is installed. BUILDDIR is a
# configured build tree, for the test helpers of the end-to-end suite.
. "$(dirname "$0")/../integration/lib.sh"
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
tarball=$(realpath "$1")
top_builddir=$(realpath "$2")
export top_srcdir top_builddir

[ "$(id -u)" = 0 ] || { echo "FAIL: run as root (it installs packages)"; exit 1; }
require_tools dpkg-buildpackage lintian rpmbuild supervisord supervisorctl systemd-analyze \
	nagios4 icinga2 setpriv curl jq python3 ss snmpd snmpget
for p in vaktd vakt-plugins; do
	if dpkg-query -W -f '${Status}' "$p" 2> /dev/null | grep -q 'installed'; then
		echo "FAIL: $p is installed already; this test installs and purges it"
		exit 1
	fi
done
pkgs="vaktd vakt-plugins"
plugindir=/usr/lib/nagios/plugins/vakt
etc=/etc/vakt
agent=127.0.0.1:9333
version=$(sed -n 's/^AC_INIT(\[vakt\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")

# supervisord stopped: before a purge too, as its program runs the packaged vaktd.
supervisor_stop() {
	[ -z "${sup_pid:-}" ] || stop_pid "$sup_pid"
	sup_pid=""
}
# Whatever happens, the machine is left without the packages and the test's files.
purge_all() {
	supervisor_stop
	dpkg --purge $pkgs > /dev/null 2>&1
	rm -f /etc/nagios4/conf.d/vakt-pkgtest.cfg /etc/icinga2/conf.d/vakt-pkgtest.conf
}
cleanup_hooks="purge_all $cleanup_hooks"
chmod o+x "$tmp"

# ------------------------------------------------------------ build

mkdir "$tmp/deb" "$tmp/rpm"
if "$top_srcdir/packaging/build-deb" "$tarball" "$tmp/deb" > "$tmp/build-deb.log" 2>&1; then
	echo "ok: the Debian packages build from $(basename "$tarball"), lintian clean"
else
	tail -40 "$tmp/build-deb.log"
	fail "packaging/build-deb failed"
	finish
fi
if "$top_srcdir/packaging/build-rpm" "$tarball" "$tmp/rpm" > "$tmp/build-rpm.log" 2>&1; then
	echo "ok: the RPMs build from $(basename "$tarball") with rpmbuild -bb"
else
	tail -40 "$tmp/build-rpm.log"
	fail "packaging/build-rpm failed"
fi
expect "the RPMs hold what the Debian packages hold" 0 "" \
	"$top_srcdir/packaging/compare-packages" "$tmp/deb" "$tmp/rpm"

# ------------------------------------------------------------ install

if dpkg -i "$tmp"/deb/*.deb > "$tmp/dpkg.log" 2>&1; then
	echo "ok: dpkg -i installs both packages"
else
	cat "$tmp/dpkg.log"
	fail "dpkg -i failed"
	finish
fi

for p in check_load check_fds check_listen check_redis check_rabbitmq check_supervisor check_nginx \
	check_haproxy check_mysql_locks check_pgsql_locks check_vakt; do
	# The plugin contract: --version exits 3 (UNKNOWN), as --help does.
	expect "installed $p --version" 3 "^$p v$version \(vakt $version\)$" "$plugindir/$p" --version
done
expect "installed vaktd --version" 0 "$version" /usr/sbin/vaktd --version
check "every installed plugin was tried" 11 "$(dpkg -L vakt-plugins | grep -c "^$plugindir/check_")"
for f in "$tmp"/deb/*.deb; do dpkg-deb -c "$f"; done > "$tmp/deb-contents"
for page in man1/check_load.1 man1/check_vakt.1 man8/vaktd.8 man5/vaktd.conf.5; do
	grep -q "/usr/share/man/$page\.gz$" "$tmp/deb-contents" || fail "the packages lack $page"
done

# The state directory: the nagios user keeps rates there, nobody else may write.
check "the plugins' state directory is nagios's" "nagios:nagios 770" "$(stat -c '%U:%G %a' /var/lib/vakt)"
rm -f /var/lib/vakt/*
runuser -u nagios -- "$plugindir/check_listen" --all > "$tmp/listen.out" 2>&1
if [ -n "$(find /var/lib/vakt -type f -user nagios)" ]; then
	echo "ok: check_listen run by nagios keeps its counters in /var/lib/vakt"
else
	fail "no state file of nagios in /var/lib/vakt: $(cat "$tmp/listen.out")"
fi
check "nothing the packages installed is world-writable" "" \
	"$(dpkg -L $pkgs | while read -r f; do [ -e "$f" ] && [ ! -L "$f" ] && find "$f" -maxdepth 0 -perm -o+w; done)"
check "vaktd has a system user of its own" "vakt:/usr/sbin/nologin" \
	"$(getent passwd vakt | awk -F: '$3 < 1000 { print $1 ":" $7 }')"
check "the configuration is a conffile" "$etc/vaktd.conf" "$(dpkg-query -W -f '${Conffiles}' vaktd | awk '{ print $1 }' | grep vaktd.conf)"
expect "the installed configuration is valid" 0 "configuration OK" /usr/sbin/vaktd --check-config -c "$etc/vaktd.conf"

# ------------------------------------------------------------ systemd

unit=$(dpkg -L vaktd | grep '/systemd/system/vaktd\.service$')
check "the unit is installed" 1 "$(printf '%s\n' "$unit" | grep -c .)"
if out=$(systemd-analyze verify "$unit" 2>&1) && [ -z "$out" ]; then
	echo "ok: systemd-analyze verify $unit is clean"
else
	fail "systemd-analyze verify $unit: $out"
fi
exposure=$(systemd-analyze security --offline=yes "$unit" 2>&1 | sed -n 's/.*Overall exposure level for vaktd.service: \([0-9.]*\) .*/\1/p')
for doc in README.md packaging/README.md; do
	said=$(sed -n 's/.*`systemd-analyze security[^`]*` rates it \([0-9.]*\) .*/\1/p' "$top_srcdir/$doc" | head -1)
	check "the unit's exposure is what $doc says" "$said" "$exposure"
done
if awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.0) }'; then
	echo "ok: exposure $exposure is OK (2.0 or below)"
else
	fail "exposure '$exposure' is above 2.0"
fi
if [ -e /etc/systemd/system/multi-user.target.wants/vaktd.service ]; then
	echo "ok: the unit is enabled"
else
	fail "the unit is not enabled in multi-user.target"
fi

# Another user's process, for [process] sections to count.
cp /bin/sleep "$tmp/vakt-sleeper"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$tmp/vakt-sleeper" 600 &
sleeper=$!
peers="$peers $sleeper"
# The user's edits: a token kept as the packages keep secrets, and the sleeper.
cp "$etc/vaktd.conf" "$tmp/vaktd.conf.shipped"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$etc/token"
chown root:vakt "$etc/token"
chmod 640 "$etc/token"
sed -i "s|^#token_file = .*|token_file = $etc/token|" "$etc/vaktd.conf"
printf '\n[process vakt-sleeper]\n' >> "$etc/vaktd.conf"
# snmpd as README and vaktd(8) say to run it for the packaged agent, its
# AgentX socket in a directory it makes: the socket for root and group vakt
# only, the directory one that others pass through.
perms=$(grep -o 'agentXPerms 0[0-7]* 0[0-7]* root vakt' "$top_srcdir/README.md" | head -1)
check "vaktd(8) gives README's agentXPerms line" 1 "$(grep -cx "$perms" "$top_srcdir/man/vaktd.8")"
start_snmpd "$perms"
stop_snmpd
agentx_socket=$tmp/agentx/master
snmpd_on "$snmpd_port" || { fail "snmpd with '$perms' did not start"; finish; }
check "with it, snmpd's AgentX directory is 711 root root, the socket 660 root vakt" \
	"711 root root 660 root vakt" \
	"$(stat -c '%a %U %G' "$tmp/agentx" "$agentx_socket" | tr '\n' ' ' | sed 's/ $//')"
printf '[snmp]\nenabled = yes\nagentx_socket = %s\n' "$agentx_socket" >> "$etc/vaktd.conf"
expect "the edited configuration is valid" 0 "configuration OK" /usr/sbin/vaktd --check-config -c "$etc/vaktd.conf"
auth=(-H "Authorization: Bearer $(cat "$etc/token")")

# agent_up: until vaktd answers /health on its shipped address, up to 10 s.
agent_up() {
	for _ in $(seq 100); do
		curl -sf -o /dev/null "${auth[@]}" "http://$agent/health" && return 0
		sleep 0.1
	done
	return 1
}
# sleeper_fds WHAT: what vaktd says of the sleeper's descriptors, asked by
# the installed check_vakt, must come to FDS OK within 30 s (the first
# collection).
sleeper_fds() {
	local out
	for _ in $(seq 300); do
		out=$("$plugindir/check_vakt" -H 127.0.0.1 -p 9333 --token-file "$etc/token" \
			--check fds --option process=vakt-sleeper 2>&1)
		case $out in "FDS OK - "*) break ;; esac
		sleep 0.1
	done
	case $out in
	"FDS OK - "*) echo "ok: $1: $(printf '%s\n' "$out" | head -1)" ;;
	*) fail "$1: $out" ;;
	esac
}
[ -z "$(ss -Htln "sport = :9333")" ] || { fail "port 9333 is taken; the shipped configuration listens there"; finish; }

# The unit's way, without a systemd to run it: its ExecStart, as its User
# and Group, with its AmbientCapabilities and bounding set, under
# NoNewPrivileges, telling a notify socket.
unit_get() { sed -n "s/^$1=//p" "$unit" | tail -1; }
caps=$(unit_get AmbientCapabilities | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
check "the unit names its user" vakt "$(unit_get User)"
python3 "$top_srcdir/tests/integration/notify_listen.py" "$tmp/notify.sock" "$tmp/notify.log" &
peers="$peers $!"
wait_lines "$tmp/notify.log" '^listening$' || fail "notify_listen.py did not start"
# shellcheck disable=SC2046
NOTIFY_SOCKET=$tmp/notify.sock setpriv --reuid="$(unit_get User)" --regid="$(unit_get Group)" \
	--init-groups --inh-caps="$caps" --ambient-caps="$caps" --bounding-set="-all,$caps" \
	--no-new-privs $(unit_get ExecStart) > "$tmp/unit.log" 2>&1 &
unit_pid=$!
peers="$peers $unit_pid"
if agent_up && wait_lines "$tmp/notify.log" '^READY=1'; then
	echo "ok: vaktd started as the unit starts it serves and says READY=1"
else
	fail "vaktd as the unit starts it: $(cat "$tmp/unit.log" "$tmp/notify.log")"
fi
sleeper_fds "as the unit runs it, vaktd counts another user's descriptors"
check "and runs as vakt" vakt "$(ps -o user= -p "$unit_pid")"
if wait_lines "$tmp/unit.log" "registered with the AgentX master at $agentx_socket" 1 20; then
	echo "ok: as vakt it registers with snmpd through the root:vakt socket"
else
	fail "vaktd as vakt did not register with snmpd: $(cat "$tmp/unit.log")"
fi
# The load collector's row: vaktCollectorDescr."load".
expect "and snmpd answers for it" 0 '= STRING: "load"$' \
	snmpget -v2c -c public -On -t 1 -r 2 "127.0.0.1:$snmpd_port" .1.3.6.1.4.1.8072.9999.9999.5638.1.2.1.2.108.111.97.100
kill -HUP "$unit_pid"
wait_lines "$tmp/notify.log" '^READY=1' 2
check "a reload as the unit's user rereads the root:vakt 0640 secrets" 1 \
	"$(grep -c 'configuration reloaded' "$tmp/unit.log")"
kill "$unit_pid"
wait "$unit_pid"
check "and it stops cleanly" 0 $?

# ------------------------------------------------------------ Supervisor

# sv_pid: vaktd's pid as supervisord reports it while RUNNING, up to 20 s.
sv_pid() {
	local s
	for _ in $(seq 200); do
		s=$(sup_ctl status vaktd 2> /dev/null)
		case $s in
		*RUNNING*pid*)
			printf '%s\n' "$s" | sed 's/.*pid \([0-9]*\),.*/\1/'
			return 0
			;;
		esac
		sleep 0.1
	done
	echo "$s" >&2
	return 1
}
sv_log=$(sed -n 's/^stdout_logfile=//p' /usr/share/vakt/supervisor/vaktd.conf)
mkdir -p "$(dirname "$sv_log")"
: > "$sv_log"
# lib.sh's private supervisord, with the shipped program included as
# /etc/supervisor/supervisord.conf includes conf.d.
start_supervisord "[include]
files = /usr/share/vakt/supervisor/vaktd.conf"
if pid=$(sv_pid) && agent_up; then
	echo "ok: supervisord starts vaktd with the shipped program, and it serves"
else
	fail "vaktd under supervisord: $(cat "$sup_dir/supervisord.log" "$sv_log")"
fi
check "under Supervisor vaktd drops root for the configured user" vakt "$(ps -o user= -p "$pid")"
sleeper_fds "under Supervisor vaktd counts another user's descriptors"
sup_ctl signal HUP vaktd > /dev/null
wait_lines "$sv_log" 'configuration reloaded'
check "supervisorctl signal HUP reloads it, in Supervisor's log" 1 "$(grep -c 'configuration reloaded' "$sv_log")"
check "and the same process serves on" "$pid" "$(sv_pid)"
agent_up || fail "vaktd does not serve after the reload"
kill -KILL "$pid"
for _ in $(seq 200); do
	new=$(sv_pid 2> /dev/null) && [ "$new" != "$pid" ] && break
	sleep 0.1
done
if [ -n "${new:-}" ] && [ "$new" != "$pid" ] && agent_up; then
	echo "ok: vaktd killed is restarted by Supervisor, and serves"
else
	fail "vaktd was not restarted: $(sup_ctl status vaktd)"
fi
sup_ctl stop vaktd > "$tmp/stop.out" 2>&1
check "supervisorctl stop stops it" STOPPED "$(sup_ctl status vaktd | awk '{ print $2 }')"
# Supervisor's own word for a clean stop: "stopped: vaktd (exit status 0)".
if wait_lines "$sv_log" 'stopping on signal 15' && grep -q 'stopped: vaktd (exit status 0)' "$sup_dir/supervisord.log"; then
	echo "ok: cleanly, on TERM, exit status 0"
else
	fail "vaktd did not stop cleanly: $(cat "$tmp/stop.out" "$sup_dir/supervisord.log")"
fi
supervisor_stop

# ------------------------------------------------------------ Nagios, Icinga 2

# A service of each: the commands are loaded where the packages put them.
cat > /etc/nagios4/conf.d/vakt-pkgtest.cfg << 'EOF'
define service {
	use                 vakt-service,generic-service
	host_name           localhost
	service_description vakt package test
	check_command       vakt_check_load!1,1,1!2,2,2
}
EOF
expect "nagios4 -v accepts the installed objects, unedited" 0 "Things look okay" \
	nagios4 -v /etc/nagios4/nagios.cfg
cat > /etc/icinga2/conf.d/vakt-pkgtest.conf << 'EOF'
object Service "vakt package test" {
	host_name = NodeName
	check_command = "vakt_load"
}
EOF
expect "icinga2 daemon -C accepts the installed CheckCommands, unedited" 0 "Finished validating" \
	icinga2 daemon -C
rm -f /etc/nagios4/conf.d/vakt-pkgtest.cfg /etc/icinga2/conf.d/vakt-pkgtest.conf

# ------------------------------------------------------------ end to end

if VAKT_E2E_INSTALLED=1 VAKT_REQUIRE_ALL=1 "$top_srcdir/tests/integration/test_e2e.sh" > "$tmp/e2e.log" 2>&1; then
	echo "ok: the end-to-end suite passes against the installed packages ($(grep -c '^ok:' "$tmp/e2e.log") checks)"
else
	grep -E '^FAIL' "$tmp/e2e.log" | head -40
	fail "the end-to-end suite against the installed packages"
fi

# ------------------------------------------------------------ upgrade, purge

dpkg -i "$tmp"/deb/*.deb > "$tmp/dpkg2.log" 2>&1 || fail "reinstalling: $(cat "$tmp/dpkg2.log")"
check "an upgrade keeps the edited configuration" 1 "$(grep -c '^\[process vakt-sleeper\]' "$etc/vaktd.conf")"
check "and the user's secret" "root:vakt 640" "$(stat -c '%U:%G %a' "$etc/token")"
rm -f "$etc/token"
files=$(dpkg -L $pkgs | grep -v '^/\.$')
dpkg --purge $pkgs > "$tmp/purge.log" 2>&1 || fail "dpkg --purge: $(cat "$tmp/purge.log")"
left=""
for f in $files /etc/vakt /var/lib/vakt; do
	[ -e "$f" ] || [ -L "$f" ] || continue
	# Directories other packages share (/usr/lib/nagios/plugins, /etc/nagios-plugins/config).
	[ -d "$f" ] && [ -n "$(dpkg -S "$f" 2> /dev/null)" ] && continue
	left="$left $f"
done
check "dpkg --purge leaves nothing of the packages behind" "" "$left"
getent passwd vakt > /dev/null && echo "ok: the vakt user stays (policy: system users are not removed)"

finish
