#!/bin/sh
# check_mysql_locks against a real mariadbd on loopback: row-lock waits of
# known length held by real sessions, an idle blocker, a chain (A blocks B
# blocks C), a metadata-lock wait that must not catch the check itself, a
# real deadlock that moves the counter, every way to log in, and servers
# that are down, refuse the login, lack a privilege or never answer.
. "$(dirname "$0")/lib.sh"
require_built "$plugins/check_mysql_locks"
require_tools mariadbd mariadb mariadb-install-db

check=$plugins/check_mysql_locks
start_mariadb
port=$mariadb_port

mariadb_sql "create database t; create table t.a (id int primary key, v int) engine=innodb;
	insert into t.a values (1, 0), (2, 0), (3, 0);
	create user nagios@'127.0.0.1' identified by 's3cret';
	grant process on *.* to nagios@'127.0.0.1';
	create user noproc@'127.0.0.1' identified by 's3cret';"
printf 's3cret\n' > "$tmp/pw"
chmod 600 "$tmp/pw"
login="-H 127.0.0.1 -p $port --user nagios --password-file $tmp/pw"

# shellcheck disable=SC2086 # $login is a list of words
expect "no lock waits: OK" 0 \
	"^MYSQL-LOCKS OK - no lock waits \| lock_wait_longest=0s;10;60;0 lock_waiters=0;;;0 lock_blockers=0;;;0 lock_blocked_most=0;;;0 lock_blocker_idle=0s;;;0 lock_deadlocks=0c;;;0 lock_row_waits=0c;;;0 lock_row_wait_time=0s;;;0 lock_table_waits=0c;;;0$" \
	"$check" $login -w 10 -c 60 --state-dir "$tmp"

# A row-lock wait behind a session idle in its open transaction.
hold_mysql a "begin;" "select * from t.a where id = 1 for update;"
a=$hold_id
hold_mysql b "update t.a set v = 2 where id = 1;"
wait_mysql_waiters 1
sleep 2
# shellcheck disable=SC2086
expect "a row-lock wait: WARNING, the idle blocker named" 1 \
	"^MYSQL-LOCKS WARNING - 1 session waiting, longest [2-9] s \(> 1\), blocked by thread $a \(root@localhost, idle [0-9.]+ s in an open transaction\) \| lock_wait_longest=[2-9]s;1;60;0 lock_waiters=1;;;0 lock_blockers=1;;;0 lock_blocked_most=1;;;0 lock_blocker_idle=[0-9.]+s;;;0" \
	"$check" $login -w 1 -c 60
# shellcheck disable=SC2086
expect "a row-lock wait: CRITICAL at -c" 2 "^MYSQL-LOCKS CRITICAL - 1 session waiting, longest [2-9] s \(> 1\)" \
	"$check" $login -w 0.5 -c 1
# shellcheck disable=SC2086
expect "the long output names the waiter, the lock and the query" 1 \
	"thread [0-9]+ \(root@localhost, transaction open [0-9.]+ s\) waits [0-9.]+ s for the row lock on .t.\..a., blocked by thread $a: update t\.a set v = 2 where id = 1" \
	"$check" $login -w 1
# shellcheck disable=SC2086
expect "the long output says how to end the blocker" 1 "^to end thread $a and roll back its transaction: KILL $a$" \
	"$check" $login -w 1
# shellcheck disable=SC2086
expect "the long output names the blocker" 1 \
	"thread $a \(root@localhost, idle [0-9.]+ s in an open transaction\) holds up 1 session \(1 directly\)" \
	"$check" $login -w 1
# shellcheck disable=SC2086
expect "idle blocker threshold" 2 "^MYSQL-LOCKS CRITICAL - a blocker idle in its transaction for [0-9.]+ s \(> 1\)" \
	"$check" $login -c lock_blocker_idle=1
# shellcheck disable=SC2086
expect "waiters threshold" 1 "^MYSQL-LOCKS WARNING - sessions waiting: 1 \(> 0\)" \
	"$check" $login -w lock_waiters=0
release b
release a
wait_mysql_waiters 0

# Text a hostile client chose: a table named with an escape sequence, '|'
# and ';', and a query with an escape sequence, a C1 CSI and a bidi
# override in a string. expect's outcheck reads every byte of the output;
# none of them gets through as it is.
esc=$(printf '\033')
hostile_table="\`h${esc}[2J|x;y\`"
mariadb_sql "create table t.$hostile_table (id int primary key, v varchar(64)) engine=innodb;
	insert into t.$hostile_table values (1, '');"
hold_mysql a "begin;" "select * from t.$hostile_table where id = 1 for update;"
a=$hold_id
hold_mysql b "update t.$hostile_table set v = '${esc}[31mred $(printf '\302\233')31m c1 $(printf '\342\200\256')rlo' where id = 1;"
wait_mysql_waiters 1
# shellcheck disable=SC2086
expect "hostile text: the table's name and the query without their controls" 1 \
	"waits [0-9.]+ s for the row lock on .t.\..h\?\[2Jx,y., blocked by thread $a: update t\..h\?\[2Jx,y. set v = '\?\[31mred \?31m c1 \?rlo' where id = 1$" \
	"$check" $login -w lock_waiters=0
release b
release a
wait_mysql_waiters 0

# A chain: a holds row 1; b holds row 2 and waits for row 1; c waits for row 2.
hold_mysql a "begin;" "select * from t.a where id = 1 for update;"
a=$hold_id
hold_mysql b "begin;" "select * from t.a where id = 2 for update;" "update t.a set v = 3 where id = 1;"
wait_mysql_waiters 1
hold_mysql c "update t.a set v = 4 where id = 2;"
wait_mysql_waiters 2
# shellcheck disable=SC2086
expect "a chain: the head is named" 0 \
	"^MYSQL-LOCKS OK - 2 sessions waiting, longest [0-9.]+ s, blocked by thread $a \(root@localhost, idle [0-9.]+ s in an open transaction\) .* lock_waiters=2;;;0 lock_blockers=2;;;0 lock_blocked_most=2;;;0" \
	"$check" $login
# shellcheck disable=SC2086
expect "a chain: the head holds up both" 0 "thread $a \(root@localhost, idle [0-9.]+ s in an open transaction\) holds up 2 sessions \(1 directly\)" \
	"$check" $login
# shellcheck disable=SC2086
expect "a chain: the middle both waits and blocks" 0 \
	"thread [0-9]+ \(root@localhost, transaction open [0-9.]+ s\) holds up 1 session \(1 directly\) and waits [0-9.]+ s for the row lock on .t.\..a., blocked by thread $a" \
	"$check" $login
# shellcheck disable=SC2086
expect "a chain: held-up threshold" 2 "^MYSQL-LOCKS CRITICAL - sessions held up by one blocker: 2 \(> 1\)" \
	"$check" $login -c lock_blocked_most=1
release c
release b
release a
wait_mysql_waiters 0

# A metadata-lock wait: the ALTER waits for a's open read; the check reads
# no application table, so it is not caught behind the ALTER.
hold_mysql a "begin;" "select * from t.a;"
hold_mysql b "alter table t.a add column z int;"
wait_mysql_waiters 1
hold_mysql c "select * from t.a;"
wait_mysql_waiters 2
# shellcheck disable=SC2086
expect "metadata-lock waits are counted and do not hang the check" 0 \
	"^MYSQL-LOCKS OK - 2 sessions waiting, longest [0-9.]+ s" "$check" $login -t 5
# shellcheck disable=SC2086
expect "the long output says which lock" 0 \
	"thread [0-9]+ \(root@localhost[^)]*\) waits [0-9.]+ s for the metadata lock \(table and holder unknown without performance_schema\): alter table t\.a add column z int" \
	"$check" $login -t 5
release c
release b
release a
wait_mysql_waiters 0

# A real deadlock: the counter moves and so does its rate.
state=$tmp/state
mkdir "$state"
# shellcheck disable=SC2086
expect "first run keeps the counters" 0 "lock_deadlocks: first run, no rate yet|lock_deadlocks[^ ]*: " \
	"$check" $login --state-dir "$state"
# Both sessions take their first row, then each wants the other's.
mariadb_sql "begin; update t.a set v = 5 where id = 1; do sleep(1); update t.a set v = 5 where id = 2; commit;" \
	> /dev/null 2>&1 &
deadlock_a=$!
mariadb_sql "begin; update t.a set v = 6 where id = 2; do sleep(1); update t.a set v = 6 where id = 1; commit;" \
	> /dev/null 2>&1 &
wait $! $deadlock_a
for _ in $(seq 50); do
	[ "$(mariadb_sql "show global status like 'Innodb_deadlocks'" | cut -f2)" -gt 0 ] && break
	sleep 0.2
done
sleep 1
# shellcheck disable=SC2086
expect "a deadlock: counter and rate" 1 \
	"^MYSQL-LOCKS WARNING - [0-9.]+ deadlocks/s \(> 0\).* lock_deadlocks=1c;;;0 .*lock_deadlocks_rate=[0-9.]+;0;;0" \
	"$check" $login --state-dir "$state" -w lock_deadlocks_rate=0

# Ways to log in: MYSQL_PWD, a defaults file, the socket.
# shellcheck disable=SC2086
expect "password from MYSQL_PWD" 0 "^MYSQL-LOCKS OK - no lock waits" \
	env MYSQL_PWD=s3cret "$check" -H 127.0.0.1 -p "$port" --user nagios
printf '[client]\nhost=127.0.0.1\nport=%s\nuser=nagios\npassword=s3cret\n' "$port" > "$tmp/my.cnf"
chmod 600 "$tmp/my.cnf"
expect "login from --defaults-file" 0 "^MYSQL-LOCKS OK - no lock waits" \
	"$check" --defaults-file "$tmp/my.cnf"
expect "a missing --defaults-file is UNKNOWN" 3 "^MYSQL-LOCKS UNKNOWN - .*$tmp/nope\.cnf" \
	"$check" --defaults-file "$tmp/nope.cnf"
expect "the unix socket" 0 "^MYSQL-LOCKS OK - no lock waits" \
	"$check" -H "$mariadb_sock" --user root

# What goes wrong: each with its state and words, inside -t.
expect "without PROCESS: UNKNOWN naming the grant" 3 \
	"^MYSQL-LOCKS UNKNOWN - .*PROCESS.*GRANT PROCESS ON \*\.\* TO 'noproc'@'127\.0\.0\.1'" \
	env MYSQL_PWD=s3cret "$check" -H 127.0.0.1 -p "$port" --user noproc
printf 'wrong\n' > "$tmp/bad"
chmod 600 "$tmp/bad"
expect "wrong password: CRITICAL" 2 "^MYSQL-LOCKS CRITICAL - .*Access denied for user 'nagios'" \
	"$check" -H 127.0.0.1 -p "$port" --user nagios --password-file "$tmp/bad"
out=$("$check" -H 127.0.0.1 -p "$port" --user nagios --password-file "$tmp/pw" -vvv 2>&1)
case $out in
*s3cret*) fail "the password appears in the output: $out" ;;
*) echo "ok: the password never appears in the output" ;;
esac
closed=$(pick_port)
expect "nothing listening: CRITICAL, saying why" 2 "^MYSQL-LOCKS CRITICAL - cannot connect to 127\.0\.0\.1:$closed: Connection refused$" \
	"$check" -H 127.0.0.1 -p "$closed" --user nagios --password-file "$tmp/pw"
expect "no such socket: CRITICAL, saying why" 2 "^MYSQL-LOCKS CRITICAL - cannot connect to $tmp/no\.sock: No such file or directory$" \
	"$check" -H "$tmp/no.sock" --user nagios --password-file "$tmp/pw"
start_peer listen 127.0.0.1 16 0
expect "a server that never answers: CRITICAL within -t" 2 \
	"^MYSQL-LOCKS CRITICAL - timed out after 2 s: 127\.0\.0\.1:$peer_value did not complete the connection and login$" \
	timeout 5 "$check" -H 127.0.0.1 -p "$peer_value" --user nagios --password-file "$tmp/pw" -t 2
expect "a server that never answers: -t SECONDS:STATE" 3 \
	"^MYSQL-LOCKS UNKNOWN - timed out after 1 s: 127\.0\.0\.1:$peer_value did not complete the connection and login$" \
	timeout 5 "$check" -H 127.0.0.1 -p "$peer_value" --user nagios --password-file "$tmp/pw" -t 1:unknown
expect "a rate threshold without a state directory is UNKNOWN" 3 \
	"^MYSQL-LOCKS UNKNOWN - no lock_deadlocks_rate: " \
	"$check" -H 127.0.0.1 -p "$port" --user nagios --password-file "$tmp/pw" --state-dir /nonexistent/dir \
	-w lock_deadlocks_rate=1

# The agent: the same numbers and the blocker in detail, over a kept
# connection; a database that stops answering makes only its own series
# stale while the rest stay fresh.
if [ -x "$top_builddir/agent/vaktd" ]; then
	hold_mysql a "begin;" "select * from t.a where id = 1 for update;"
	a=$hold_id
	hold_mysql b "update t.a set v = 7 where id = 1;"
	cat > "$tmp/vaktd.conf" << EOF
[load]
interval = 1
[mysql db]
address = 127.0.0.1:$mariadb_port
user = nagios
password_file = $tmp/pw
interval = 1
timeout = 1
EOF
	start_vaktd "$tmp/vaktd.conf"
	sleep 1.5
	curl -s "$url/metrics" > "$tmp/metrics"
	expect_lines "vaktd /metrics" "$tmp/metrics" \
		'^vakt_lock_waiters\{dbms="mysql",target="db"\} 1$' \
		'^vakt_lock_wait_longest_seconds\{dbms="mysql",target="db"\} [0-9.]+$' \
		"^vakt_lock_blocker_sessions\\{[^}]*id=\"$a\"[^}]*\\} 1\$" \
		'^vakt_lock_deadlocks_total\{dbms="mysql",target="db"\} [0-9]+$' \
		'^vakt_collector_up\{collector="mysql db",target="db"\} 1$'
	expect "vaktd check endpoint on the longest wait" 0 \
		"^VAKT CRITICAL - lock_wait_longest\\{[^}]*target=db[^}]*\\} is [0-9.]+ s \\(> 0\\.5\\)" \
		curl -s "$url/api/v1/check/lock_wait_longest?target=db&critical=0.5&format=nagios"
	kill -STOP "$mariadb_pid"
	stale=""
	for _ in $(seq 40); do
		stale=$(curl -s "$url/api/v1/check/lock_waiters?target=db&format=nagios")
		case $stale in *"is failing"*) break ;; esac
		sleep 0.25
	done
	case $stale in
	"VAKT CRITICAL - collector mysql db is failing: "*", since "*) echo "ok: a mariadbd that stopped answering: the collector's own failure, CRITICAL" ;;
	*) fail "a stopped mariadbd: $stale" ;;
	esac
	expect "the other collectors stay fresh" 0 "^VAKT OK - load1" \
		curl -s "$url/api/v1/check/load1?format=nagios"
	kill -CONT "$mariadb_pid"
	release b
	release a
fi

# The check endpoint's mysql_locks verdict answers what the plugin answers,
# byte for byte but for the seconds and rates two reads a moment apart do
# not share: no waits, an idle blocker named with how to end it, a chain.
if [ -x "$top_builddir/agent/vaktd" ] && [ -x "$plugins/check_vakt" ]; then
	wait_mysql_waiters 0
	cat > "$tmp/vaktd-verdict.conf" << EOF
[mysql db]
address = 127.0.0.1:$mariadb_port
user = nagios
password_file = $tmp/pw
interval = 1
timeout = 1
EOF
	start_vaktd "$tmp/vaktd-verdict.conf"
	mkdir "$tmp/vstate"
	n='s/[0-9]+(\.[0-9]+)? s([^a-z]|$)/N s\2/g; s/=[0-9.]+s;/=Ns;/g; s/_rate=[0-9.]+/_rate=N/g'
	# shellcheck disable=SC2086 # $login is a list of words
	"$check" $login --state-dir "$tmp/vstate" > /dev/null
	# shellcheck disable=SC2086
	same_verdict "agent: no lock waits" "$n" mysql_locks db -- "$check" $login \
		--state-dir "$tmp/vstate" -- -w 10 -c 60
	hold_mysql a "begin;" "select * from t.a where id = 1 for update;"
	hold_mysql b "begin;" "select * from t.a where id = 2 for update;" "update t.a set v = 3 where id = 1;"
	wait_mysql_waiters 1
	# shellcheck disable=SC2086
	same_verdict "agent: the idle blocker named, WARNING" "$n" mysql_locks db -- "$check" $login \
		--state-dir "$tmp/vstate" -- -w lock_waiters=0 -c 60 -v
	# shellcheck disable=SC2086
	same_verdict "agent: a blocker over a threshold, CRITICAL" "$n" mysql_locks db -- "$check" \
		$login --state-dir "$tmp/vstate" -- -c lock_blockers=0 -w lock_blocker_idle=0
	hold_mysql c "update t.a set v = 4 where id = 2;"
	wait_mysql_waiters 2
	# shellcheck disable=SC2086
	same_verdict "agent: a chain, its head named" "$n" mysql_locks db -- "$check" $login \
		--state-dir "$tmp/vstate" -- -c lock_blocked_most=1
	expect "agent: where to connect is not the agent's to take" 3 \
		"^VAKT UNKNOWN - unknown option 'database'" \
		"$plugins/check_vakt" -H 127.0.0.1 -p "$port" --check mysql_locks --instance db \
		--option database=postgres
	release c
	release b
	release a
fi

# With performance_schema on (MariaDB's default is off), a metadata-lock
# wait names its table and its holder, and how to end the holder.
start_mariadb --performance-schema=ON --performance-schema-instrument='wait/lock/metadata/sql/mdl=ON'
mariadb_sql "create database t; create table t.a (id int primary key, v int) engine=innodb;
	insert into t.a values (1, 0);
	create user nagios@'127.0.0.1' identified by 's3cret';
	grant process on *.* to nagios@'127.0.0.1';
	grant select on performance_schema.* to nagios@'127.0.0.1';"
login="-H 127.0.0.1 -p $mariadb_port --user nagios --password-file $tmp/pw"
hold_mysql a "begin;" "select * from t.a;"
a=$hold_id
hold_mysql b "alter table t.a add column z int;"
wait_mysql_waiters 1
# shellcheck disable=SC2086
expect "performance_schema: the metadata lock names its table and holder" 0 \
	"thread [0-9]+ \(root@localhost[^)]*\) waits [0-9.]+ s for the metadata lock on .t.\..a., blocked by thread $a: alter table t\.a add column z int" \
	"$check" $login -t 5
# shellcheck disable=SC2086
expect "performance_schema: how to end the holder" 0 "^to end thread $a and roll back its transaction: KILL $a$" \
	"$check" $login -t 5
release b
release a

finish
