#!/bin/sh
# check_pgsql_locks against a real PostgreSQL 15 on loopback: row-lock waits
# of known length held by real sessions, an idle-in-transaction blocker, a
# chain (A blocks B blocks C), an ACCESS EXCLUSIVE lock on a table that must
# not catch the check itself, a real deadlock that moves the counter, every
# way to log in, a password set by a waiting statement that must not show,
# and servers that are down, refuse the login, lack pg_monitor or never
# answer.
. "$(dirname "$0")/lib.sh"
require_built "$plugins/check_pgsql_locks"
require_tools psql

check=$plugins/check_pgsql_locks
start_postgres
port=$pg_port

pg_sql "create table a (id int primary key, v int);
	insert into a values (1, 0), (2, 0), (3, 0);
	create role nagios login password 's3cret';
	grant pg_monitor to nagios;
	create role nomon login password 's3cret';"
printf 's3cret\n' > "$tmp/pw"
chmod 600 "$tmp/pw"
login="-H 127.0.0.1 -p $port --user nagios --password-file $tmp/pw --database postgres"

# shellcheck disable=SC2086 # $login is a list of words
expect "no lock waits: OK" 0 \
	"^PGSQL-LOCKS OK - no lock waits \| lock_wait_longest=0s;10;60;0 lock_waiters=0;;;0 lock_blockers=0;;;0 lock_blocked_most=0;;;0 lock_blocker_idle=0s;;;0 lock_deadlocks=0c;;;0$" \
	"$check" $login -w 10 -c 60 --state-dir "$tmp"

# A row-lock wait behind a session idle in its open transaction.
hold_pg a "begin;" "select * from a where id = 1 for update;"
a=$hold_id
hold_pg b "update a set v = 2 where id = 1;"
wait_pg_waiters 1
sleep 2
# shellcheck disable=SC2086
expect "a row-lock wait: WARNING, the idle blocker named" 1 \
	"^PGSQL-LOCKS WARNING - 1 session waiting, longest [2-9]\.[0-9] s \(> 1\), blocked by pid $a \(postgres@local, idle [0-9.]+ s in an open transaction\) \| lock_wait_longest=[2-9][0-9.]*s;1;60;0 lock_waiters=1;;;0 lock_blockers=1;;;0 lock_blocked_most=1;;;0 lock_blocker_idle=[0-9.]+s;;;0" \
	"$check" $login -w 1 -c 60
# shellcheck disable=SC2086
expect "a row-lock wait: CRITICAL at -c" 2 "^PGSQL-LOCKS CRITICAL - 1 session waiting, longest [2-9]\.[0-9] s \(> 1\)" \
	"$check" $login -w 0.5 -c 1
# shellcheck disable=SC2086
expect "the long output names the waiter, the lock and the query" 1 \
	"pid [0-9]+ \(postgres@local, transaction open [0-9.]+ s\) waits [0-9.]+ s for [^:]+, blocked by pid $a: update a set v = 2 where id = 1" \
	"$check" $login -w 1
# shellcheck disable=SC2086
expect "a row lock names its table, not only the transaction" 1 \
	"pid [0-9]+ \(postgres@local, transaction open [0-9.]+ s\) waits [0-9.]+ s for the row lock on table public\.a \(transaction [0-9]+\), blocked by pid $a: update a set v = 2 where id = 1" \
	"$check" $login -w 1
# shellcheck disable=SC2086
expect "the long output says how to end the blocker" 1 \
	"^to end pid $a and roll back its transaction: SELECT pg_terminate_backend\($a\)$" \
	"$check" $login -w 1
# shellcheck disable=SC2086
expect "the long output names the blocker and its last statement" 1 \
	"pid $a \(postgres@local, idle [0-9.]+ s in an open transaction\) holds up 1 session \(1 directly\): select 'vakt-hold-ready'" \
	"$check" $login -w 1
# shellcheck disable=SC2086
expect "idle blocker threshold" 2 "^PGSQL-LOCKS CRITICAL - a blocker idle in its transaction for [0-9.]+ s \(> 1\)" \
	"$check" $login -c lock_blocker_idle=1
# shellcheck disable=SC2086
expect "waiters threshold" 1 "^PGSQL-LOCKS WARNING - sessions waiting: 1 \(> 0\)" \
	"$check" $login -w lock_waiters=0
# shellcheck disable=SC2086
expect "PostgreSQL counts no row-lock waits: a threshold on them is a usage error" 3 \
	"^PGSQL-LOCKS UNKNOWN - .*lock_row_waits_rate" \
	"$check" $login --state-dir "$tmp" -w lock_row_waits_rate=1
release b
release a
wait_pg_waiters 0

# A chain: a holds row 1; b holds row 2 and waits for row 1; c waits for row 2.
hold_pg a "begin;" "select * from a where id = 1 for update;"
a=$hold_id
hold_pg b "begin;" "select * from a where id = 2 for update;" "update a set v = 3 where id = 1;"
wait_pg_waiters 1
hold_pg c "update a set v = 4 where id = 2;"
wait_pg_waiters 2
# shellcheck disable=SC2086
expect "a chain: the head is named" 0 \
	"^PGSQL-LOCKS OK - 2 sessions waiting, longest [0-9.]+ s, blocked by pid $a \(postgres@local, idle [0-9.]+ s in an open transaction\) .* lock_waiters=2;;;0 lock_blockers=2;;;0 lock_blocked_most=2;;;0" \
	"$check" $login
# shellcheck disable=SC2086
expect "a chain: the head holds up both" 0 "pid $a \(postgres@local, idle [0-9.]+ s in an open transaction\) holds up 2 sessions \(1 directly\)" \
	"$check" $login
# shellcheck disable=SC2086
expect "a chain: the middle both waits and blocks" 0 \
	"pid [0-9]+ \(postgres@local, transaction open [0-9.]+ s\) holds up 1 session \(1 directly\) and waits [0-9.]+ s for [^:]+, blocked by pid $a" \
	"$check" $login
# shellcheck disable=SC2086
expect "a chain: the head is the one to end" 0 \
	"^to end pid $a and roll back its transaction: SELECT pg_terminate_backend\($a\)$" \
	"$check" $login
# shellcheck disable=SC2086
expect "a chain: only the head gets a remedy, not the middle that waits" 0 "^1$" \
	sh -c '"$@" | grep -c "^to end "' sh "$check" $login
# shellcheck disable=SC2086
expect "a chain: held-up threshold" 2 "^PGSQL-LOCKS CRITICAL - sessions held up by one blocker: 2 \(> 1\)" \
	"$check" $login -c lock_blocked_most=1
release c
release b
release a
wait_pg_waiters 0

# An ACCESS EXCLUSIVE lock on the application's table: readers queue behind
# it, and the check, which reads no application table, is not caught.
hold_pg a "begin;" "lock table a in access exclusive mode;"
hold_pg b "select * from a;"
wait_pg_waiters 1
# shellcheck disable=SC2086
expect "a table lock does not hang the check" 0 \
	"^PGSQL-LOCKS OK - 1 session waiting, longest [0-9.]+ s, blocked by pid [0-9]+ \(postgres@local, idle [0-9.]+ s in an open transaction\)" \
	"$check" $login -t 5
release b
release a
wait_pg_waiters 0

# Text a hostile client chose: a table named with an escape sequence, '|',
# ';', a C1 CSI and a bidi override, a query with the same in a comment,
# and one with bytes that are not UTF-8 (a SQL_ASCII database stores them
# as sent, and pg_stat_activity hands them on). expect's outcheck reads
# every byte of the output; none of them gets through as it is.
esc=$(printf '\033')
c1=$(printf '\302\233')
rlo=$(printf '\342\200\256')
pg_sql "create table U&\"h\\001b[2J|x;y\\009b\\202e\" (id int primary key);
	insert into U&\"h\\001b[2J|x;y\\009b\\202e\" values (1);
	create database raw encoding 'SQL_ASCII' locale 'C' template template0;" > /dev/null
pg_sql '\c raw' "create table r (id int primary key); insert into r values (1);" > /dev/null
hold_pg a "begin;" "select * from U&\"h\\001b[2J|x;y\\009b\\202e\" where id = 1 for update;"
a=$hold_id
hold_pg b "update U&\"h\\001b[2J|x;y\\009b\\202e\" set id = 1 where id = 1 /* ${esc}[31mred ${c1}31m c1 ${rlo}rlo */;"
hold_pg c '\c raw' "begin;" "select * from r for update;"
# A waiter in raw, by hand: hold_pg names the session it started in.
(printf '%s\n' "set client_encoding = 'SQL_ASCII';" \
	"update r set id = 1 where id = 1 /* raw$(printf '\377\376')bytes */;" |
	psql -X -q -h "$pg_sock_dir" -p "$pg_port" -U postgres -d raw > "$tmp/raw.log" 2>&1) &
peers="$peers $!"
wait_pg_waiters 2
# shellcheck disable=SC2086
expect "hostile text: the table's name without its controls" 1 \
	"waits [0-9.]+ s for the row lock on table public\.\"h\?\[2Jx,y\?\?\" \(transaction [0-9]+\), blocked by pid $a: " \
	"$check" $login -w 0
# shellcheck disable=SC2086
expect "hostile text: the query without its controls" 1 \
	": update .* set id = 1 where id = 1 /\* \?\[31mred \?31m c1 \?rlo \*/,$" "$check" $login -w 0
# shellcheck disable=SC2086
expect "hostile text: bytes that are not UTF-8" 1 \
	"waits [0-9.]+ s for [^:]*: update r set id = 1 where id = 1 /\* raw\?\?bytes \*/,$" "$check" $login -w 0
release c
release b
release a
wait_pg_waiters 0

# A password a waiting statement sets: the role's row is locked by an open
# transaction that changed it, so ALTER ROLE ... PASSWORD waits behind it.
# The statement is named, the password never.
pg_sql "create role pwtest login password 'first';"
hold_pg a "begin;" "alter role pwtest connection limit 5;"
a=$hold_id
hold_pg b "begin;" "alter role pwtest password 'hunter2-secret';"
wait_pg_waiters 1
# shellcheck disable=SC2086
expect "a password in a waiting statement is not shown" 1 \
	"waits [0-9.]+ s for [^:]*, blocked by pid $a: alter role pwtest password '\*\*\*',$" "$check" $login -w 0
# shellcheck disable=SC2086
out=$("$check" $login -w 0 2>&1)
case $out in
*hunter2*) fail "the statement's password appears in the output: $out" ;;
*"password '***'"*) echo "ok: the statement's password never appears in the output" ;;
*) fail "no waiting ALTER ROLE in the output: $out" ;;
esac
release b
release a
wait_pg_waiters 0

# A real deadlock: the counter moves and so does its rate.
state=$tmp/state
mkdir "$state"
# shellcheck disable=SC2086
expect "first run keeps the counters" 0 "^PGSQL-LOCKS OK" "$check" $login --state-dir "$state"
# Both sessions take their first row, then each wants the other's.
pg_sql "begin; update a set v = 5 where id = 1; select pg_sleep(1); update a set v = 5 where id = 2; commit;" \
	> /dev/null 2>&1 &
deadlock_a=$!
pg_sql "begin; update a set v = 6 where id = 2; select pg_sleep(1); update a set v = 6 where id = 1; commit;" \
	> /dev/null 2>&1 &
wait $! $deadlock_a
for _ in $(seq 50); do
	[ "$(pg_sql "select sum(deadlocks) from pg_stat_database")" -gt 0 ] && break
	sleep 0.2
done
# shellcheck disable=SC2086
expect "a deadlock: counter and rate" 1 \
	"^PGSQL-LOCKS WARNING - [0-9.]+ deadlocks/s \(> 0\).* lock_deadlocks=1c;;;0 .*lock_deadlocks_rate=[0-9.]+;0;;0" \
	"$check" $login --state-dir "$state" -w lock_deadlocks_rate=0

# Ways to log in: PGPASSWORD, a password file, a service, the socket.
expect "password from PGPASSWORD" 0 "^PGSQL-LOCKS OK - no lock waits" \
	env PGPASSWORD=s3cret "$check" -H 127.0.0.1 -p "$port" --user nagios --database postgres
printf '127.0.0.1:%s:*:nagios:s3cret\n' "$port" > "$tmp/pgpass"
chmod 600 "$tmp/pgpass"
expect "password from PGPASSFILE" 0 "^PGSQL-LOCKS OK - no lock waits" \
	env PGPASSFILE="$tmp/pgpass" "$check" -H 127.0.0.1 -p "$port" --user nagios --database postgres
printf '[monitoring]\nhost=127.0.0.1\nport=%s\nuser=nagios\ndbname=postgres\n' "$port" > "$tmp/pg_service.conf"
expect "everything from a --service" 0 "^PGSQL-LOCKS OK - no lock waits" \
	env PGSERVICEFILE="$tmp/pg_service.conf" PGPASSFILE="$tmp/pgpass" "$check" --service monitoring
expect "the unix socket directory" 0 "^PGSQL-LOCKS OK - no lock waits" \
	"$check" -H "$pg_sock_dir" -p "$port" --user postgres --database postgres

# What goes wrong: each with its state and words, inside -t.
expect "without pg_monitor: UNKNOWN naming the grant" 3 \
	"^PGSQL-LOCKS UNKNOWN - .*GRANT pg_monitor TO nomon" \
	env PGPASSWORD=s3cret "$check" -H 127.0.0.1 -p "$port" --user nomon --database postgres
printf 'wrong\n' > "$tmp/bad"
chmod 600 "$tmp/bad"
expect "wrong password: CRITICAL" 2 "^PGSQL-LOCKS CRITICAL - .*password authentication failed for user \"nagios\"" \
	"$check" -H 127.0.0.1 -p "$port" --user nagios --password-file "$tmp/bad" --database postgres
out=$("$check" -H 127.0.0.1 -p "$port" --user nagios --password-file "$tmp/pw" --database postgres -vvv 2>&1)
case $out in
*s3cret*) fail "the password appears in the output: $out" ;;
*) echo "ok: the password never appears in the output" ;;
esac
closed=$(pick_port)
expect "nothing listening: CRITICAL" 2 "^PGSQL-LOCKS CRITICAL - cannot connect to 127\.0\.0\.1:$closed" \
	"$check" -H 127.0.0.1 -p "$closed" --user nagios --password-file "$tmp/pw"
start_peer listen 127.0.0.1 16 0
# libpq asks for TLS first (sslmode prefer), then logs in.
expect "a server that never answers: CRITICAL within -t" 2 \
	"^PGSQL-LOCKS CRITICAL - timed out after 2 s: 127\.0\.0\.1:$peer_value did not finish the TLS handshake$" \
	timeout 5 "$check" -H 127.0.0.1 -p "$peer_value" --user nagios --password-file "$tmp/pw" -t 2
expect "a server that never answers the login: -t SECONDS:STATE" 3 \
	"^PGSQL-LOCKS UNKNOWN - timed out after 1 s: 127\.0\.0\.1:$peer_value did not answer the login$" \
	timeout 5 "$check" -H 127.0.0.1 -p "$peer_value" --user nagios --password-file "$tmp/pw" --sslmode disable -t 1:unknown
expect "a bad --sslmode is a usage error" 3 "^PGSQL-LOCKS UNKNOWN - invalid --sslmode 'sometimes'" \
	"$check" --sslmode sometimes

# The agent: the same numbers and the blocker in detail, over a kept
# connection; a database that stops answering makes only its own series
# stale while the rest stay fresh.
if [ -x "$top_builddir/agent/vaktd" ]; then
	hold_pg a "begin;" "select * from a where id = 1 for update;"
	a=$hold_id
	hold_pg b "update a set v = 7 where id = 1;"
	cat > "$tmp/vaktd.conf" << EOF
[load]
interval = 1
[postgresql db]
address = 127.0.0.1:$pg_port
user = nagios
password_file = $tmp/pw
database = postgres
interval = 1
timeout = 1
EOF
	start_vaktd "$tmp/vaktd.conf"
	sleep 1.5
	curl -s "$url/metrics" > "$tmp/metrics"
	expect_lines "vaktd /metrics" "$tmp/metrics" \
		'^vakt_lock_waiters\{dbms="postgresql",target="db"\} 1$' \
		'^vakt_lock_wait_longest_seconds\{dbms="postgresql",target="db"\} [0-9.]+$' \
		"^vakt_lock_blocker_sessions\\{[^}]*id=\"$a\"[^}]*\\} 1\$" \
		'^vakt_lock_deadlocks_total\{dbms="postgresql",target="db"\} [0-9]+$' \
		'^vakt_collector_up\{collector="postgresql db",target="db"\} 1$'
	expect "vaktd check endpoint on the longest wait" 0 \
		"^VAKT CRITICAL - lock_wait_longest\\{[^}]*target=db[^}]*\\} is [0-9.]+ s \\(> 0\\.5\\)" \
		curl -s "$url/api/v1/check/lock_wait_longest?target=db&critical=0.5&format=nagios"
	# The postmaster and every backend, the collector's among them.
	pg_all="$(head -1 "$pg_dir/data/postmaster.pid") $(pgrep -P "$(head -1 "$pg_dir/data/postmaster.pid")")"
	# shellcheck disable=SC2086 # a list of pids
	kill -STOP $pg_all
	stale=""
	for _ in $(seq 40); do
		stale=$(curl -s "$url/api/v1/check/lock_waiters?target=db&format=nagios")
		case $stale in *"is failing"*) break ;; esac
		sleep 0.25
	done
	case $stale in
	"VAKT CRITICAL - collector postgresql db is failing: "*", since "*) echo "ok: a postgres that stopped answering: the collector's own failure, CRITICAL" ;;
	*) fail "a stopped postgres: $stale" ;;
	esac
	expect "the other collectors stay fresh" 0 "^VAKT OK - load1" \
		curl -s "$url/api/v1/check/load1?format=nagios"
	# shellcheck disable=SC2086
	kill -CONT $pg_all
	release b
	release a
fi

# The check endpoint's pgsql_locks verdict answers what the plugin answers,
# byte for byte but for the seconds and rates two reads a moment apart do
# not share: no waits, an idle blocker named with how to end it, a chain.
if [ -x "$top_builddir/agent/vaktd" ] && [ -x "$plugins/check_vakt" ]; then
	wait_pg_waiters 0
	cat > "$tmp/vaktd-verdict.conf" << EOF
[postgresql db]
address = 127.0.0.1:$pg_port
user = nagios
password_file = $tmp/pw
database = postgres
interval = 1
timeout = 1
EOF
	start_vaktd "$tmp/vaktd-verdict.conf"
	mkdir "$tmp/vstate"
	n='s/[0-9]+(\.[0-9]+)? s([^a-z]|$)/N s\2/g; s/=[0-9.]+s;/=Ns;/g; s/_rate=[0-9.]+/_rate=N/g'
	# shellcheck disable=SC2086 # $login is a list of words
	"$check" $login --state-dir "$tmp/vstate" > /dev/null
	# shellcheck disable=SC2086
	same_verdict "agent: no lock waits" "$n" pgsql_locks db -- "$check" $login \
		--state-dir "$tmp/vstate" -- -w 10 -c 60
	hold_pg a "begin;" "select * from a where id = 1 for update;"
	hold_pg b "begin;" "select * from a where id = 2 for update;" "update a set v = 3 where id = 1;"
	wait_pg_waiters 1
	# shellcheck disable=SC2086
	same_verdict "agent: the idle blocker named, WARNING" "$n" pgsql_locks db -- "$check" $login \
		--state-dir "$tmp/vstate" -- -w lock_waiters=0 -c 60 -v
	# shellcheck disable=SC2086
	same_verdict "agent: a blocker over a threshold, CRITICAL" "$n" pgsql_locks db -- "$check" \
		$login --state-dir "$tmp/vstate" -- -c lock_blockers=0 -w lock_blocker_idle=0
	hold_pg c "update a set v = 4 where id = 2;"
	wait_pg_waiters 2
	# shellcheck disable=SC2086
	same_verdict "agent: a chain, its head named" "$n" pgsql_locks db -- "$check" $login \
		--state-dir "$tmp/vstate" -- -c lock_blocked_most=1
	expect "agent: where to connect is not the agent's to take" 3 \
		"^VAKT UNKNOWN - unknown option 'database'" \
		"$plugins/check_vakt" -H 127.0.0.1 -p "$port" --check pgsql_locks --instance db \
		--option database=postgres
	release c
	release b
	release a
fi

finish
