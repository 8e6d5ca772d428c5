#!/bin/sh
# check_redis and vaktd's [redis NAME] against real redis-server instances on
# loopback: exact queue depths (Celery priority lists, Resque namespaces,
# every key type, names that need quoting), passwords and ACL users, memory,
# persistence and replication failures, and servers that are down, hung or
# not Redis at all.
. "$(dirname "$0")/lib.sh"
require_built "$plugins/check_redis"
require_tools redis-server redis-cli python3

check=$plugins/check_redis
start_redis
port=$redis_port
port_pid=$redis_pid
cli() { redis-cli -p "$port" "$@" > /dev/null; }

expect "empty server: OK" 0 "^REDIS OK - [0-9.]+ [KM]iB used \(no maxmemory\), 1 client \| redis_ping=" \
	"$check" -p "$port"

# Celery: the plain list plus priority steps 3 and 9, and its unacked hash.
cli rpush celery a b c
cli rpush "$(printf 'celery\006\0263')" d e
cli rpush "$(printf 'celery\006\0269')" f
cli hset unacked t1 x t2 y
expect "celery depth sums the priority lists" 0 \
	"^REDIS OK - queue celery has 6 messages, .* \| queue_depth_celery=6;;;0 celery_unacked=2;;;0 " \
	"$check" -p "$port" --queue celery
expect "queue threshold: WARNING" 1 "^REDIS WARNING - queue celery has 6 messages \(> 5\)" \
	"$check" -p "$port" --queue celery -w 5 -c 10
expect "queue threshold: CRITICAL, the queue named once" 2 \
	"^REDIS CRITICAL - queue celery has 6 messages \(> 4\), [0-9.]+ [KM]iB used" \
	"$check" -p "$port" --queue celery -w 2 -c 4
expect "two queues, the deepest past its threshold: not named twice" 2 \
	"^REDIS CRITICAL - queue celery has 6 messages \(> 4\), 2 queues, [0-9.]+ [KM]iB used" \
	"$check" -p "$port" --queue celery --queue unacked -c 4
expect "unacked threshold" 2 "^REDIS CRITICAL - unacknowledged Celery tasks: 2 \(> 1\)" \
	"$check" -p "$port" --queue celery -c celery_unacked=1

# A missing queue is an empty one, unless it is required.
expect "missing queue: depth 0, OK" 0 "queue_depth_nope=0;;;0" "$check" -p "$port" --queue nope
expect "missing queue with --require-queue: CRITICAL, said once" 2 \
	"^REDIS CRITICAL - queue nope does not exist, [0-9.]+ [KM]iB used" \
	"$check" -p "$port" --queue nope --require-queue
expect "missing queue with --require-queue: long output" 2 "^queue nope: does not exist$" \
	"$check" -p "$port" --queue nope --require-queue

# Every type a queue can be; a string is not a queue.
cli sadd s 1 2
cli zadd z 1 a 2 b 3 c
cli hset h k v
cli xadd x '*' k v
cli set str v
expect "set, sorted set, hash, stream" 0 \
	"queue_depth_s=2;;;0 queue_depth_z=3;;;0 queue_depth_h=1;;;0 queue_depth_x=1;;;0" \
	"$check" -p "$port" --queue s --queue z --queue h --queue x
expect "a string key: UNKNOWN" 3 "^REDIS UNKNOWN - key str \(a string\) is not a queue" \
	"$check" -p "$port" --queue str

# Names with spaces and unicode become quoted perfdata labels; a quote, which
# the plugin guidelines forbid in a label, becomes '_'.
cli rpush "jobs été" 1
cli rpush "it's" 1 2
expect "names that need quoting" 0 "'queue_depth_jobs été'=1;;;0 queue_depth_it_s=2;;;0" \
	"$check" -p "$port" --queue "jobs été" --queue "it's"

# Names a hostile client gave its keys, found by discovery (in a database
# of their own): expect's outcheck reads the output as a strict consumer
# (valid UTF-8, no control characters, perfdata by the grammar, unique
# labels), and the labels say the names in the characters a label allows.
long=$(printf 'L%.0s' $(seq 3000))
for k in 'a|b=1;2;3' "$(printf 'e\033[31mred\033[0m')" "$(printf 'n\nl\r;x')" \
	"$(printf 'c1\302\233m')" "$(printf 'bad\377\300utf8')" "$(printf 'rlo\342\200\256txt')" \
	"${long}1" "${long}2"; do
	redis-cli -p "$port" -n 5 rpush "$k" 1 > /dev/null
done
[ "$(redis-cli -p "$port" -n 5 dbsize)" = 8 ] || fail "the hostile keys were not all made"
hostile="$check -p $port --database 5 --queue-regex . -w 0"
# shellcheck disable=SC2086 # $hostile is a list of words
expect "hostile names: a|b=1;2;3 is a label without = ; |" 1 \
	"^REDIS WARNING - .*\| (.* )?queue_depth_a_b_1_2_3=1;0;;0( |$)" $hostile
# In SCAN's order, which is not the order of the keys.
for l in 'e_\[31mred_\[0m' n_l__x c1_m bad__utf8 rlo_txt; do
	# shellcheck disable=SC2086
	expect "hostile names: $l (ESC, line breaks, C1 and bidi controls, invalid UTF-8)" 1 \
		" queue_depth_$l=1;0;;0( |$)" $hostile
done
# shellcheck disable=SC2086
expect "hostile names: in words, '|' dropped and ';' a ','" 1 "^queue ab=1,2,3: 1 message$" $hostile
# shellcheck disable=SC2086
expect "hostile names: a 3000-byte name is cut to 200 bytes with a hash" 1 \
	" queue_depth_L{179}_[0-9a-f]{8}=1;0;;0 .*queue_depth_L{179}_[0-9a-f]{8}=1;0;;0" $hostile
# shellcheck disable=SC2086
expect "hostile names: in words, a 3000-byte name loses its middle" 1 \
	"^queue L{600,}\.\.\.L{300,}[12]: 1 message$" $hostile

# Discovery: a regular expression, Celery's bindings, a Resque namespace.
expect "--queue-regex folds priority lists into their queue" 0 \
	"^REDIS OK - queue celery has 6 messages.* queue_depth_celery=6;;;0" \
	"$check" -p "$port" --queue-regex '^cel'
cli sadd _kombu.binding.celery "$(printf 'celery\006\026\006\026celery')" "$(printf 'video\006\026\006\026video')"
cli rpush video v1
expect "--celery finds the bound queues" 0 "queue_depth_(celery=6;;;0 queue_depth_video=1|video=1;;;0 queue_depth_celery=6);;;0" \
	"$check" -p "$port" --celery
cli sadd myapp:queues high low
cli rpush myapp:queue:high 1 2 3 4
cli rpush myapp:failed f1 f2
cli sadd myapp:workers w1
expect "--resque=NAMESPACE" 0 \
	"^REDIS OK - 2 queues, deepest high with 4 messages.*resque_failed=2;;;0 resque_workers=1;;;0" \
	"$check" -p "$port" --resque=myapp
expect "failed Resque jobs: CRITICAL" 2 "^REDIS CRITICAL - failed Resque jobs: 2 \(> 1\)" \
	"$check" -p "$port" --resque=myapp -c resque_failed=1
expect "a namespace without queues: UNKNOWN" 3 "^REDIS UNKNOWN - no Resque queues in resque:queues" "$check" -p "$port" --resque
expect "--celery in a database without Celery: UNKNOWN" 3 "^REDIS UNKNOWN - no Celery bindings" \
	"$check" -p "$port" --celery --database 5
# Discovery is bounded: with more keys than the limit lets SCAN visit, say so.
redis-cli -p "$port" debug populate 3000 filler > /dev/null
expect "--scan-limit cuts discovery: UNKNOWN" 3 "^REDIS UNKNOWN - discovery stopped after --scan-limit keys" \
	"$check" -p "$port" --queue-regex '^cel' --scan-limit 10

# Databases.
redis-cli -p "$port" -n 3 rpush other 1 2 > /dev/null
expect "--database 3" 0 "queue_depth_other=2;;;0" "$check" -p "$port" --database 3 --queue other
expect "a database that does not exist: UNKNOWN" 3 "^REDIS UNKNOWN - 127\.0\.0\.1:$port refused SELECT: ERR DB index is out of range" \
	"$check" -p "$port" --database 999

# Rates need two runs; the second has numbers.
mkdir -p "$tmp/state"
"$check" -p "$port" --state-dir "$tmp/state" > /dev/null
rate_gap
expect "rates on the second run" 0 "redis_rejected_connections_rate=0;;;0 redis_evicted_keys_rate=0;;;0" \
	"$check" -p "$port" --state-dir "$tmp/state"

printf 'x' > "$tmp/notadir"
expect "a rate threshold without a state directory: UNKNOWN" 3 \
	"^REDIS UNKNOWN - no redis_evicted_keys_rate: no usable state directory" \
	env TMPDIR="$tmp/notadir" "$check" -p "$port" --state-dir "$tmp/notadir/x" -c redis_evicted_keys_rate=1

# Memory against maxmemory.
cli config set maxmemory 100mb
expect "memory as % of maxmemory" 2 "^REDIS CRITICAL - memory used [0-9.]+% \(> 0\.01\).*redis_memory_pct=[0-9.]+%;;0\.01;0;100" \
	"$check" -p "$port" -c redis_memory_pct=0.01
cli config set maxmemory 0

# A failed RDB save: its directory vanishes under it.
mkdir "$tmp/rdb"
cli config set dir "$tmp/rdb"
rmdir "$tmp/rdb"
cli bgsave
for _ in $(seq 50); do
	redis-cli -p "$port" info persistence | grep -q 'rdb_last_bgsave_status:err' && break
	sleep 0.1
done
expect "failed RDB save: CRITICAL" 2 "^REDIS CRITICAL - the last RDB save failed" "$check" -p "$port"

# Passwords: from a file, from REDISCLI_AUTH, and an ACL user.
start_redis --requirepass s3cret
auth=$redis_port
printf 's3cret\n' > "$tmp/pw"
printf 'wrong\n' > "$tmp/bad"
chmod 600 "$tmp/pw" "$tmp/bad"
expect "no password: CRITICAL" 2 "^REDIS CRITICAL - 127\.0\.0\.1:$auth requires a password \(NOAUTH" \
	"$check" -p "$auth"
expect "wrong password: CRITICAL, never echoed" 2 "^REDIS CRITICAL - 127\.0\.0\.1:$auth refused AUTH: WRONGPASS[^|]*$" \
	"$check" -p "$auth" --password-file "$tmp/bad"
expect "password from a file" 0 "^REDIS OK" "$check" -p "$auth" --password-file "$tmp/pw"
expect "password from REDISCLI_AUTH" 0 "^REDIS OK" env REDISCLI_AUTH=s3cret "$check" -p "$auth"
redis-cli -p "$auth" -a s3cret --no-auth-warning acl setuser mon on '>monpw' '~*' +ping +info +type +llen +scard +zcard +hlen +xlen > /dev/null
redis-cli -p "$auth" -a s3cret --no-auth-warning acl setuser blind on '>blindpw' '~*' +ping > /dev/null
printf 'monpw\n' > "$tmp/mon"
printf 'blindpw\n' > "$tmp/blind"
chmod 600 "$tmp/mon" "$tmp/blind"
expect "ACL user" 0 "^REDIS OK - queue q has 0 messages" "$check" -p "$auth" --user mon --password-file "$tmp/mon" --queue q
expect "ACL user without INFO: UNKNOWN naming it" 3 "^REDIS UNKNOWN - 127\.0\.0\.1:$auth does not allow INFO to this user \(NOPERM" \
	"$check" -p "$auth" --user blind --password-file "$tmp/blind"

# A unix socket.
start_redis --unixsocket "$tmp/redis.sock" --unixsocketperm 700
expect "unix socket" 0 "^REDIS OK" "$check" -H "$tmp/redis.sock"

# A replica that never reached its master.
start_redis --replicaof 127.0.0.1 1
expect "replica without its master: CRITICAL" 2 "^REDIS CRITICAL - replica never reached its master 127\.0\.0\.1:1" \
	"$check" -p "$redis_port"

# Down, hung, not Redis.
expect "server down: CRITICAL" 2 "^REDIS CRITICAL - cannot connect to 127\.0\.0\.1:1: Connection refused$" \
	"$check" -p 1
start_peer listen 127.0.0.1 16 0
hung=$peer_value
expect "hung server: CRITICAL within -t" 2 "^REDIS CRITICAL - timed out after 2 s: 127\.0\.0\.1:$hung did not answer PING$" "$check" -p "$hung" -t 2
expect "hung server: -t SECONDS:STATE, the same words" 3 \
	"^REDIS UNKNOWN - timed out after 1 s: 127\.0\.0\.1:$hung did not answer PING$" \
	"$check" -p "$hung" -t 1:unknown
# An HTTP server, as a wrong port often is: it answers PING with an error page.
start_fake_http "{}"
garbage=$fake_port
expect "a server that is not Redis: UNKNOWN" 3 "^REDIS UNKNOWN - 127\.0\.0\.1:$garbage answered something that is not Redis" \
	"$check" -p "$garbage"

# Usage errors.
expect "queue thresholds without queues" 3 "^REDIS UNKNOWN - queue thresholds need --queue" "$check" -p "$port" -w 5
expect "bad regex" 3 "^REDIS UNKNOWN - invalid --queue-regex '\(': " "$check" -p "$port" --queue-regex '('

# The agent: exact depths in /metrics and the check endpoint; a broker that
# goes away or hangs only makes its own collector stale.
if [ -x "$top_builddir/agent/vaktd" ]; then
	jobs_port=$port
	cat > "$tmp/vaktd.conf" << EOF
[redis jobs]
address = 127.0.0.1:$port
queues = celery, nope
resque = myapp
interval = 1
[redis hung]
address = 127.0.0.1:$hung
interval = 1
timeout = 1
[redis bare]
address = 127.0.0.1:$port
interval = 1
EOF
	start_vaktd "$tmp/vaktd.conf"
	sleep 1.5
	curl -s "$url/metrics" > "$tmp/metrics"
	for line in \
		'vakt_queue_depth{broker="redis",queue="celery",target="jobs",vhost="db0"} 6' \
		'vakt_queue_depth{broker="redis",queue="nope",target="jobs",vhost="db0"} 0' \
		'vakt_queue_depth{broker="redis",queue="high",target="jobs",vhost="db0"} 4' \
		'vakt_celery_unacked{broker="redis",target="jobs",vhost="db0"} 2' \
		'vakt_resque_failed{broker="redis",target="jobs",vhost="db0"} 2' \
		'vakt_collector_up{collector="redis jobs",target="jobs"} 1' \
		'vakt_collector_up{collector="redis hung",target="hung"} 0'; do
		if grep -qF "$line" "$tmp/metrics"; then
			echo "ok: vaktd /metrics has $line"
		else
			fail "vaktd /metrics lacks $line"
		fi
	done
	grep -q '^vakt_redis_clients{target="jobs"} [0-9]' "$tmp/metrics" ||
		fail "vaktd: server metrics carry the target label"
	expect "vaktd check endpoint on a queue" 0 "^VAKT CRITICAL - queue_depth\{.*queue=celery\} is 6 \(> 5\)" \
		curl -s "$url/api/v1/check/queue_depth?queue=celery&critical=5&format=nagios"
	# A collector that never succeeded answers with its own failure, not 404.
	failing=""
	for _ in $(seq 100); do
		failing=$(curl -s "$url/api/v1/check/queue_depth?target=hung&queue=celery&critical=5&format=nagios")
		case $failing in *"is failing"*) break ;; esac
		sleep 0.1
	done
	expect "a hung broker's queue: the collector's own failure, not 404" 0 \
		"^VAKT CRITICAL - collector redis hung( \(127\.0\.0\.1:$hung\))? is failing: .+, since [0-9]+ s$" \
		printf '%s\n' "$failing"
	# check_vakt is built only with libcurl and json-c: without it, vaktd's part stands alone.
	vakt=$top_builddir/plugins/check_vakt
	[ -x "$vakt" ] || echo "check_vakt is not built: its checks against vaktd are left out"
	if [ -x "$vakt" ]; then
		expect "check_vakt on every collector names the failing one" 2 \
			"^VAKT CRITICAL - collector redis hung .*is failing: .*since [0-9]+ s, collector_up" \
			"$vakt" -H 127.0.0.1 -p "$port" -m collector_up -c 1:
		expect "check_vakt on one collector by its target label" 0 \
			"^VAKT OK - collector_up\{collector=redis jobs,target=jobs\} is 1 \| 'collector_up_redis jobs_jobs'=1;;1:$" \
			"$vakt" -H 127.0.0.1 -p "$port" -m collector_up --label target=jobs -c 1:
	fi
	# The same verdicts through the agent (check_vakt --check redis): what
	# two reads a moment apart cannot share (PING time, memory, clients,
	# rates) compared as N, the rest byte for byte. The server's last save
	# failed above: CRITICAL, then OK once a save works again.
	if [ -x "$vakt" ]; then
		n='s/redis_(ping|memory_used|clients|clients_pct)=[^ ]*/redis_\1=N/g; s/[0-9.]+ [KMG]?i?B used/N used/; s/[0-9]+ clients?\b/N clients/; / no value yet/d; /^no rates:/d; s/ redis_(rejected_connections|evicted_keys)_rate=[^ ]*//g; s/ redis_hit_ratio=[^ ]*//; s/, (not draining for|empty in about|growing by) .*$//'
		jobs="$check -p $jobs_port --state-dir $tmp/state --queue celery --queue nope --resque=myapp"
		# shellcheck disable=SC2086 # $jobs is a list of words
		same_verdict "agent: a failed RDB save" "$n" redis jobs -- $jobs --
		redis-cli -p "$jobs_port" config set dir "$tmp" > /dev/null
		redis-cli -p "$jobs_port" bgsave > /dev/null
		for _ in $(seq 50); do
			redis-cli -p "$jobs_port" info persistence | grep -q 'rdb_last_bgsave_status:ok' && break
			sleep 0.1
		done
		# shellcheck disable=SC2086
		same_verdict "agent: healthy, verbose" "$n" redis jobs -- $jobs -- -v
		# shellcheck disable=SC2086
		same_verdict "agent: queue thresholds" "$n" redis jobs -- $jobs -- -w 2 -c 5
		# shellcheck disable=SC2086
		same_verdict "agent: --require-queue" "$n" redis jobs -- $jobs -- --require-queue
		same_verdict "agent: one queue of the section" "$n" redis jobs -- \
			"$check" -p "$jobs_port" --state-dir "$tmp/state" -- --queue=celery -w 5
		same_verdict "agent: one missing queue of the section, required" "$n" redis jobs -- \
			"$check" -p "$jobs_port" --state-dir "$tmp/state" -- --queue=nope --require-queue
		expect "agent: a queue the section does not watch" 3 "^REDIS UNKNOWN - queue other is not watched here" \
			"$vakt" -H 127.0.0.1 -p "$port" --check redis --instance jobs --option queue=other
		same_verdict "agent: a section without queues" "$n" redis bare -- \
			"$check" -p "$jobs_port" --state-dir "$tmp/state" --
		expect "agent: queue thresholds on a section without queues" 3 \
			"^REDIS UNKNOWN - queue thresholds, but no queues are watched here" \
			"$vakt" -H 127.0.0.1 -p "$port" --check redis --instance bare -w 5
		expect "agent: --resque is the section's to say" 3 "^VAKT UNKNOWN - unknown option 'resque'" \
			"$vakt" -H 127.0.0.1 -p "$port" --check redis --instance jobs --option resque=x
	fi
	kill -9 "$port_pid"
	# Metrics turn stale once the collector misses its interval a few times.
	for _ in $(seq 100); do
		curl -s "$url/metrics" | grep -qF 'vakt_collector_up{collector="redis jobs",target="jobs"} 0' && break
		sleep 0.1
	done
	# Only its collector_up lines: the whole of /metrics is more than a plugin's output may be.
	expect "vaktd keeps serving with its broker gone" 0 'vakt_collector_up\{collector="redis jobs",target="jobs"\} 0' \
		sh -c "curl -s '$url/metrics' | grep '^vakt_collector_up'"
	curl -s "$url/metrics" | grep -q '^vakt_queue_depth' &&
		fail "vaktd: a failing collector's series vanish from /metrics"
	if [ -x "$vakt" ]; then
		expect "a queue of a broker gone: CRITICAL, the collector's failure, not a vanished metric" 2 \
			"^VAKT CRITICAL - collector redis jobs( \([^)]*\))? is failing: .*127\.0\.0\.1:$jobs_port.*, since [0-9]+ s$" \
			"$vakt" -H 127.0.0.1 -p "$port" -m queue_depth --label target=jobs --label queue=celery -c 5
		expect "check_vakt -m collector_up on the broker gone" 2 \
			"^VAKT CRITICAL - collector redis jobs .*is failing: " \
			"$vakt" -H 127.0.0.1 -p "$port" -m collector_up --label target=jobs -c 1:
	fi
fi
finish
