#!/usr/bin/env bash
# Usage: bench/db.sh [BUILDDIR]
#
# Times vakt's database lock checks against the plugins sites run today, in
# one run against the same servers, which it starts on free loopback ports:
# one MariaDB and one PostgreSQL 15, each with one lock wait going on (a
# session holding a row lock, idle in its transaction, and a second one
# blocked updating that row):
#   check_mysql_locks  vs pmp-check-mysql-innodb (Percona's, in Debian's
#                      monitoring-plugins-contrib: sh around the mysql
#                      client), and the floor bench/db_floor_mysql.c
#   check_pgsql_locks  vs check_postgres --action=locks (Debian's
#                      check-postgres: Perl around psql), and the floor
#                      bench/db_floor_pgsql.c
# A floor is the least a check in C can cost: it links the same client
# library, connects over TCP as the same user and runs SELECT 1. Every
# command talks TCP to 127.0.0.1 as a monitoring user with a password, and
# is a whole process, as a monitoring server runs it, timed with hyperfine
# -N (no shell). Goals (from the issue): each vakt check within 1.3x of its
# floor, at least 4x faster than pmp-check-mysql-innodb and 20x faster
# than check_postgres. Three reference rows: an empty program
# (bench/empty.c) and the same linked with libmariadb and with libpq.
# Until the vakt checks are built their rows are skipped with a note.
#
# BUILDDIR is where plugins/ was built (default: the repository root, for
# an in-tree build). Environment knobs:
#   RUNS              measured runs of each vakt check, floor and reference (default: 50)
#   PEER_RUNS         measured runs of each peer (default: 20)
#   WARMUP            unmeasured runs of each first (default: 3)
#   FLOOR_GOAL        the ratio vakt / floor to stay within (default: 1.3)
#   MYSQL_GOAL        the ratio pmp-check-mysql-innodb / vakt to reach (default: 4)
#   PG_GOAL           the ratio check_postgres / vakt to reach (default: 20)
#   CC                compiler for the floors (default: cc)
#   PGBIN             PostgreSQL's server programs (default: /usr/lib/postgresql/15/bin)
#   PMP_CHECK_MYSQL_INNODB  (default: /usr/lib/nagios/plugins/pmp-check-mysql-innodb)
#   CHECK_POSTGRES    (default: /usr/bin/check_postgres)
#   KEEP              set to 1 to keep the temporary directory (logs)
#
# Run as root, PostgreSQL runs as user postgres and MariaDB as root. This is
# a benchmark, not a test: it exits 0 whether or not the goals are met, 1 if
# a server does not start or a command fails (anything but OK), 2 if a tool
# or program is missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
set_builddir "$@"
runs=${RUNS:-50}
peer_runs=${PEER_RUNS:-20}
warmup=${WARMUP:-3}
floor_goal=${FLOOR_GOAL:-1.3}
mysql_goal=${MYSQL_GOAL:-4}
pg_goal=${PG_GOAL:-20}
cc=${CC:-cc}
pgbin=${PGBIN:-/usr/lib/postgresql/15/bin}
pmp=${PMP_CHECK_MYSQL_INNODB:-/usr/lib/nagios/plugins/pmp-check-mysql-innodb}
check_postgres=${CHECK_POSTGRES:-/usr/bin/check_postgres}
vakt_mysql=$builddir/plugins/check_mysql_locks
vakt_pgsql=$builddir/plugins/check_pgsql_locks

# --- Prerequisites: say which Debian package provides what is missing. ------
need hyperfine hyperfine
need "$cc" gcc
need pkg-config pkg-config
need perl perl
# mariadbd is in /usr/sbin, which a PATH may lack.
PATH=$PATH:/usr/sbin
need mariadbd mariadb-server
need mariadb-install-db mariadb-server
need mariadb mariadb-client
# pmp-check-mysql-innodb runs "mysql", and its package does not depend on
# any client.
need mysql mariadb-client
need psql postgresql-client
for p in initdb pg_ctl postgres; do
	need_file "$pgbin/$p" "apt-get install postgresql-15 (or set PGBIN)"
done
need_file "$pmp" "apt-get install monitoring-plugins-contrib"
need_file "$check_postgres" "apt-get install check-postgres"
for lib in libmariadb:libmariadb-dev libpq:libpq-dev; do
	if command -v pkg-config >/dev/null 2>&1 && ! pkg-config --exists "${lib%%:*}"; then
		echo "$0: ${lib%%:*} not found by pkg-config: apt-get install ${lib#*:}" >&2
		missing=1
	fi
done
if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
	echo "$0: run as root, PostgreSQL needs the user postgres: apt-get install postgresql-15" >&2
	missing=1
fi
[ "$missing" = 0 ] || exit 2
# Not built yet is not fatal: their rows are skipped.
have_vakt_mysql=1 have_vakt_pgsql=1
[ -x "$vakt_mysql" ] || have_vakt_mysql=0
[ -x "$vakt_pgsql" ] || have_vakt_pgsql=0

# --- Servers: started here, on free loopback ports, stopped on any exit. ----
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vakt-bench-db.XXXXXX")
mdir=$tmp/mariadb pdir=$tmp/pg
mkdir "$tmp/out" "$tmp/state" "$mdir" "$pdir"
root=0
[ "$(id -u)" -ne 0 ] || root=1
if [ "$root" = 1 ]; then
	# The postgres user must pass through to its directory.
	chmod 711 "$tmp"
	chown postgres "$pdir"
fi
as_pg() { # as_pg COMMAND...: as the owner of PostgreSQL's files
	if [ "$root" = 1 ]; then
		su -s /bin/sh -c 'cd / && exec "$@"' -- postgres as_pg "$@"
	else
		"$@"
	fi
}
mariadb_pid="" pg_started=0 holders=() mport="" pport=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local p
	for p in "${holders[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	[ -z "$mariadb_pid" ] || stop "$mariadb_pid"
	if [ "$pg_started" = 1 ]; then
		as_pg "$pgbin/pg_ctl" -D "$pdir/data" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
	fi
	drop_tmp "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# MariaDB (NOTES-services.md), small and quick to start: a 16 MiB buffer
# pool, no binary log, no name resolution; root without a password on its
# socket. A row-lock wait gives up after a day, not after InnoDB's 50 s, so
# the wait lasts for the whole run.
muser=()
[ "$root" = 0 ] || muser=(--user=root)
if ! mariadb-install-db --no-defaults --datadir="$mdir/data" "${muser[@]}" \
	--auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
	--innodb-buffer-pool-size=16M --innodb-log-file-size=8M >"$mdir/install.log" 2>&1; then
	echo "$0: mariadb-install-db failed:" >&2
	tail -n 20 "$mdir/install.log" >&2
	exit 1
fi
msql() { # msql: the statements on stdin, as root (no password) over the socket
	env -u MYSQL_PWD mariadb --no-defaults -S "$mdir/sock" -uroot -N -B "$@"
}
# A port free when we looked may be taken before the server binds it: then
# try another (the log says "Address already in use").
for _ in 1 2 3 4 5; do
	free_port mport
	echo "starting mariadbd on port $mport..." >&2
	mariadbd --no-defaults --datadir="$mdir/data" "${muser[@]}" --socket="$mdir/sock" \
		--port="$mport" --bind-address=127.0.0.1 --pid-file="$mdir/pid" \
		--log-error="$mdir/error.log" --tmpdir="$mdir" --skip-name-resolve --skip-log-bin \
		--innodb-buffer-pool-size=16M --innodb-log-file-size=8M \
		--innodb-lock-wait-timeout=86400 --innodb-flush-log-at-trx-commit=0 \
		--skip-innodb-doublewrite --innodb-temp-data-file-path=ibtmp1:1M:autoextend \
		--max-connections=50 >"$mdir/out" 2>&1 &
	mariadb_pid=$!
	# The socket is ours by its path, and made after the TCP port is bound.
	for _ in $(seq 300); do
		msql -e 'select 1' >/dev/null 2>&1 && break 2
		alive "$mariadb_pid" || break
		sleep 0.1
	done
	stop "$mariadb_pid"
	mariadb_pid=""
	grep -q 'Address already in use' "$mdir/error.log" 2>/dev/null || break
	mv "$mdir/error.log" "$mdir/error.log.$mport"
done
if [ -z "$mariadb_pid" ]; then
	echo "$0: mariadbd did not start; its log:" >&2
	tail -n 20 "$mdir/error.log" "$mdir/out" >&2 2>/dev/null || true
	exit 1
fi

# PostgreSQL 15: trusted on its socket, SCRAM passwords over TCP.
if ! as_pg "$pgbin/initdb" -D "$pdir/data" -A trust -U postgres --no-sync -E UTF8 --locale=C \
	>"$pdir/initdb.log" 2>&1; then
	echo "$0: initdb failed:" >&2
	tail -n 20 "$pdir/initdb.log" >&2
	exit 1
fi
printf '%s\n' 'local all all trust' 'host all all 127.0.0.1/32 scram-sha-256' >"$pdir/data/pg_hba.conf"
pg_started=1
started=0
for _ in 1 2 3 4 5; do
	free_port pport
	echo "starting PostgreSQL on port $pport..." >&2
	if as_pg "$pgbin/pg_ctl" -D "$pdir/data" -l "$pdir/log" -w -t 30 \
		-o "-k $pdir -p $pport -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=16MB -c max_connections=50" \
		start >"$pdir/start.log" 2>&1; then
		started=1
		break
	fi
	as_pg "$pgbin/pg_ctl" -D "$pdir/data" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
	grep -q 'Address already in use' "$pdir/log" 2>/dev/null || break
	mv "$pdir/log" "$pdir/log.$pport"
done
if [ "$started" = 0 ]; then
	echo "$0: PostgreSQL did not start; its log:" >&2
	tail -n 20 "$pdir/start.log" "$pdir/log" >&2 2>/dev/null || true
	exit 1
fi
psql_() { # psql_: the statements on stdin, as postgres over the socket
	psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$pdir" -p "$pport" -U postgres -d postgres "$@"
}

# --- The monitoring users and one lock wait in each server. -----------------
password=vakt-bench-$RANDOM$RANDOM
printf '%s\n' "$password" >"$tmp/password"
chmod 600 "$tmp/password"
user=monitor
# The grants each check documents: PROCESS sees every session's
# transactions and locks in MariaDB, pg_monitor every session's activity
# in PostgreSQL.
msql <<SQL
create database t;
create table t.a (id int primary key, v int) engine = InnoDB;
insert into t.a values (1, 1), (2, 2), (3, 3);
create user '$user'@'127.0.0.1' identified by '$password';
grant process on *.* to '$user'@'127.0.0.1';
SQL
psql_ <<SQL
create table a (id int primary key, v int);
insert into a values (1, 1), (2, 2), (3, 3);
create role $user login password '$password';
grant pg_monitor to $user;
SQL

hold() { # hold NAME PROGRAM ARGS...: run it on $tmp/NAME.sql, then keep it open
	# A program, not a function: $! must be the client itself.
	mkfifo "$tmp/$1.in"
	"${@:2}" <"$tmp/$1.in" >"$tmp/$1.log" 2>&1 &
	holders+=("$!")
	(
		cat "$tmp/$1.sql"
		exec sleep 86400
	) >"$tmp/$1.in" &
	holders+=("$!")
}
# waiting KIND: how many sessions wait for a lock in MariaDB or PostgreSQL.
waiting() {
	if [ "$1" = mysql ]; then
		msql -e "select count(*) from information_schema.innodb_trx where trx_state = 'LOCK WAIT'"
	else
		psql_ -c "select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
	fi
}
await_one() { # await_one KIND: wait until one session waits for a lock there
	local n
	for _ in $(seq 100); do
		n=$(waiting "$1" 2>/dev/null || true)
		[ "$n" != 1 ] || return 0
		sleep 0.1
	done
	echo "$0: $1: $n sessions wait for a lock, not 1; the sessions said:" >&2
	cat "$tmp"/"$1"_*.log >&2
	exit 1
}
# The holder takes the row lock and sits idle in its transaction; the second
# session starts once it has the lock, and waits for it.
printf '%s\n' 'begin;' 'select * from t.a where id = 1 for update;' "select 'locked';" >"$tmp/mysql_holder.sql"
printf '%s\n' 'update t.a set v = 2 where id = 1;' >"$tmp/mysql_waiter.sql"
printf '%s\n' 'begin;' 'select * from a where id = 1 for update;' "select 'locked';" >"$tmp/pg_holder.sql"
printf '%s\n' 'update a set v = 2 where id = 1;' >"$tmp/pg_waiter.sql"
mclient=(mariadb --no-defaults -S "$mdir/sock" -uroot -N -B -n)
pclient=(psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$pdir" -p "$pport" -U postgres -d postgres)
hold mysql_holder "${mclient[@]}"
hold pg_holder "${pclient[@]}"
for _ in $(seq 100); do
	grep -qx locked "$tmp/mysql_holder.log" && grep -qx locked "$tmp/pg_holder.log" && break
	sleep 0.1
done
if ! grep -qx locked "$tmp/mysql_holder.log" || ! grep -qx locked "$tmp/pg_holder.log"; then
	echo "$0: the sessions did not take their row locks:" >&2
	cat "$tmp/mysql_holder.log" "$tmp/pg_holder.log" >&2
	exit 1
fi
hold mysql_waiter "${mclient[@]}"
hold pg_waiter "${pclient[@]}"
await_one mysql
await_one pg

# --- The commands. ------------------------------------------------------------
# The floors and references, built the way the plugins are (optimised,
# dynamically linked).
# shellcheck disable=SC2046 # pkg-config's flags are words
{
	"$cc" -O2 -o "$tmp/empty" "$here/empty.c"
	"$cc" -O2 -o "$tmp/empty-libmariadb" "$here/empty.c" -Wl,--no-as-needed $(pkg-config --libs libmariadb)
	"$cc" -O2 -o "$tmp/empty-libpq" "$here/empty.c" -Wl,--no-as-needed $(pkg-config --libs libpq)
	"$cc" -O2 $(pkg-config --cflags libmariadb) -o "$tmp/db_floor_mysql" "$here/db_floor_mysql.c" \
		$(pkg-config --libs libmariadb)
	"$cc" -O2 $(pkg-config --cflags libpq) -o "$tmp/db_floor_pgsql" "$here/db_floor_pgsql.c" \
		$(pkg-config --libs libpq)
}

# The floors and peers take the password from the environment, as the
# mysql client and libpq read it; vakt's checks from --password-file.
export MYSQL_PWD=$password PGPASSWORD=$password
# Thresholds far above the waits of a run: every check must say OK, and
# pmp-check-mysql-innodb would warn once the holder has idled 60 s.
far=86400
# kinds[i] is ref, floor, vakt or peer; floors[i] is the row of the floor
# of its database (-1 for the empty program), vakts[i] the row of the vakt
# check a peer is compared with (-1 when it is not built). cmds[i] is the
# argv, %q-quoted so that hyperfine -N (which splits words like a shell)
# and eval both see the same arguments; shows[i] is the same for people.
kinds=() floors=() vakts=() names=() cmds=() shows=()
floor_row=-1 vakt_row=-1
add() { # add KIND NAME ARGV...
	kinds+=("$1")
	[ "$1" != floor ] || floor_row=${#names[@]}
	[ "$1" != vakt ] || vakt_row=${#names[@]}
	floors+=("$floor_row")
	vakts+=("$vakt_row")
	names+=("$2")
	shift 2
	cmds+=("$(printf '%q ' "$@")")
	shows+=("$*")
}
skipped=()
add ref "empty program" "$tmp/empty"
add ref "empty + libmariadb" "$tmp/empty-libmariadb"
add floor "floor_mysql" "$tmp/db_floor_mysql" 127.0.0.1 "$mport" "$user"
mysql_floor=$floor_row
if [ "$have_vakt_mysql" = 1 ]; then
	add vakt "vakt check_mysql_locks" "$vakt_mysql" -H 127.0.0.1 -p "$mport" --user "$user" \
		--password-file "$tmp/password" -t 10 -w "$far" -c "$((far * 2))" --state-dir "$tmp/state"
else
	skipped+=("check_mysql_locks ($vakt_mysql is not built)")
fi
add peer "pmp-check-mysql-innodb" "$pmp" -H 127.0.0.1 -P "$mport" -l "$user" -w "$far" -c "$((far * 2))"
pmp_row=$((${#names[@]} - 1))
floor_row=-1 vakt_row=-1
add ref "empty + libpq" "$tmp/empty-libpq"
add floor "floor_pgsql" "$tmp/db_floor_pgsql" 127.0.0.1 "$pport" "$user"
pg_floor=$floor_row
if [ "$have_vakt_pgsql" = 1 ]; then
	add vakt "vakt check_pgsql_locks" "$vakt_pgsql" -H 127.0.0.1 -p "$pport" --user "$user" \
		--password-file "$tmp/password" --database postgres -t 10 -w "$far" -c "$((far * 2))" \
		--state-dir "$tmp/state"
else
	skipped+=("check_pgsql_locks ($vakt_pgsql is not built)")
fi
add peer "check_postgres locks" "$check_postgres" --action=locks --host=127.0.0.1 --port="$pport" \
	--dbuser="$user" --dbname=postgres --warning=waiting=5 --critical=waiting=10
cpg_row=$((${#names[@]} - 1))
n=${#cmds[@]}

# --- Run each once first. ---------------------------------------------------
# A check that fails (a refused login, a missing grant) takes a shorter path
# than the real one and would flatter itself: all must exit 0, the floors
# print 1 and the checks say OK (check_postgres also names the port it
# asked). This also gives vakt's checks their previous sample, so the
# measured runs compute rates (deadlocks and row-lock waits per second)
# like every run after the first. check_postgres counts no wait here: it
# counts the locks of pg_locks joined to pg_database, and the first
# session waiting for a row waits for the holder's transaction id, a lock
# of no database (a second waiter, queued on the row's tuple lock, would
# be counted).
failed=0
for ((i = 0; i < n; i++)); do
	[ "${kinds[i]}" != ref ] || continue
	case ${kinds[i]} in
	floor) want='^1$' ;;
	vakt) want='OK' ;;
	peer) want='^OK' ;;
	esac
	[ "$i" != "$cpg_row" ] || want="^POSTGRES_LOCKS OK: .*port=$pport"
	run_first "$i" "$want" "and /$want/"
done
[ "$failed" = 0 ] || exit 1
# vakt's checks name the metric lock_waiters in their perfdata (probe/locks.h).
for ((i = 0; i < n; i++)); do
	[ "${kinds[i]}" = vakt ] || continue
	eval "${cmds[i]}" 2>&1 | grep -q 'lock_waiters=1[^0-9.]' ||
		echo "$0: warning: ${names[i]} does not report lock_waiters=1; is it looking at the wait?" >&2
done

# --- Wall time: hyperfine per command (the peers get fewer runs). -------------
measure peer
# The waits must have lasted the whole run.
still=""
for kind in mysql pg; do
	[ "$(waiting "$kind" 2>/dev/null || true)" = 1 ] || still="$still $kind"
done

# --- Report. ----------------------------------------------------------------
echo
echo "vakt lock checks vs the plugins sites run, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "$(uname -srm), $(nproc) CPUs; MariaDB $(msql -e 'select version()')," \
	"PostgreSQL $(psql_ -c 'show server_version')"
echo "one lock wait in each (a row lock held by an idle transaction, one update waiting);" \
	"every command over TCP to 127.0.0.1"
echo "hyperfine -N, mean of $runs runs ($peer_runs for the peers) after $warmup warmup"
echo "load average before: $load_start, after: $load_end (a busy machine skews the ratios)"
echo
row() { printf '%-24s %5s %9s %7s %8s %12s\n' "$@"; }
row "command" "runs" "wall ms" "+- ms" "x floor" "peer / vakt"
row "-------" "----" "-------" "-----" "-------" "-----------"
for ((i = 0; i < n; i++)); do
	xf="" vs=""
	[ "${floors[i]}" -lt 0 ] || xf=$(ratio "${wall[i]}" "${wall[floors[i]]}" %.2f)
	if [ "${kinds[i]}" = peer ] && [ "${vakts[i]}" -ge 0 ]; then
		vs=$(ratio "${wall[i]}" "${wall[vakts[i]]}")
	fi
	row "${names[i]}" "${nruns[i]}" "$(printf %.3f "${wall[i]}")" "$(printf %.3f "${sd[i]}")" "$xf" "$vs"
done

echo
echo "Goals: each vakt check within ${floor_goal}x of its floor, at least ${mysql_goal}x faster than"
echo "pmp-check-mysql-innodb and ${pg_goal}x faster than check_postgres --action=locks."
met=0 total=0
for ((i = 0; i < n; i++)); do
	case ${kinds[i]} in
	vakt)
		f=${floors[i]}
		judge "${wall[i]}" "<=" "$floor_goal" "${wall[f]}"
		printf '%-7s %-24s %5sx the time of %s\n' "$verdict" "${names[i]}" \
			"$(ratio "${wall[i]}" "${wall[f]}" %.2f)" "${names[f]}"
		;;
	peer)
		v=${vakts[i]}
		goal=$mysql_goal
		[ "${floors[i]}" != "$pg_floor" ] || goal=$pg_goal
		if [ "$v" -lt 0 ]; then
			# What a check exactly at the floor goal would reach.
			echo "skip    (not built)                at ${floor_goal}x its floor a check would be" \
				"$(ratio "${wall[i]}" "$(awk -v a="${wall[floors[i]]}" -v g="$floor_goal" 'BEGIN { print a * g }')")x" \
				"faster than ${names[i]} (goal ${goal}x)"
			continue
		fi
		judge "${wall[i]}" ">=" "$goal" "${wall[v]}"
		printf '%-7s %-24s %5sx faster than %s (goal %sx)\n' "$verdict" "${names[v]}" \
			"$(ratio "${wall[i]}" "${wall[v]}")" "${names[i]}" "$goal"
		;;
	esac
done
echo "$met of $total goals met."
for s in "${skipped[@]}"; do
	echo "note: skipped $s: run make first (or pass BUILDDIR)."
done
echo "note: the floors are $(ratio "${wall[mysql_floor]}" "${wall[0]}" %.2f)x (MariaDB) and" \
	"$(ratio "${wall[pg_floor]}" "${wall[0]}" %.2f)x (PostgreSQL) the empty program;" \
	"pmp-check-mysql-innodb takes $(ratio "${wall[pmp_row]}" "${wall[mysql_floor]}")x" \
	"and check_postgres $(ratio "${wall[cpg_row]}" "${wall[pg_floor]}")x their floors."
if [ -n "$still" ]; then
	echo "note: the lock wait in$still was over before the end of the run; rerun."
fi
if [ "$outliers" -gt 0 ]; then
	echo "note: hyperfine saw timing outliers for $outliers of $n commands (other load on the machine?)."
fi

# What each command said: the output of its last measured run.
echo
echo "Output of each check and floor (its last measured run):"
show_outputs
exit 0
