#!/usr/bin/env bash
# Usage: bench/broker.sh [BUILDDIR]
#
# Times vakt's queue checks against the Perl plugins they replace, on the
# same real servers, which it starts on free loopback ports with queues of a
# known depth:
#   check_redis     vs check_redis from Debian's monitoring-plugins-contrib
#                   (queue length, memory, clients, hit rate, persistence)
#   check_rabbitmq  vs check_rabbitmq_queue from nagios-plugins-rabbitmq
#                   (one queue through the management API)
# Each command is a whole process, as a monitoring server runs it, timed
# with hyperfine -N (no shell); the table shows the mean wall time and the
# ratio peer / vakt. Goal (from the issue): vakt at least 30x faster.
# Three reference rows show the floors: an empty program (bench/empty.c),
# the same linked with libcurl, and curl's own GET of the queue's API page.
# check_rabbitmq speaks plain http itself (lib/http1.c) and loads libcurl
# only for https, so it comes in under those libcurl rows.
#
# BUILDDIR is where plugins/ was built (default: the repository root, for
# an in-tree build). Environment knobs:
#   RUNS              measured runs of each vakt check (default: 50)
#   PEER_RUNS         measured runs of each Perl check (default: 20)
#   WARMUP            unmeasured runs of each first (default: 3)
#   MESSAGES          depth of the queue in each broker (default: 1000)
#   GOAL              the ratio to reach (default: 30)
#   CC                compiler for the floors (default: cc)
#   PERL_CHECK_REDIS  (default: /usr/lib/nagios/plugins/check_redis)
#   CHECK_RABBITMQ_QUEUE (default: /usr/bin/check_rabbitmq_queue)
#   KEEP              set to 1 to keep the temporary directory (logs)
#
# It must run as root: Debian's rabbitmq-server wrapper runs the server as
# user rabbitmq. This is a benchmark, not a test: it exits 0 whether or not
# the goal is met, 1 if a server does not start or a check fails (anything
# but OK), 2 if a tool or program is missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
set_builddir "$@"
runs=${RUNS:-50}
peer_runs=${PEER_RUNS:-20}
warmup=${WARMUP:-3}
messages=${MESSAGES:-1000}
goal=${GOAL:-30}
cc=${CC:-cc}
perl_check_redis=${PERL_CHECK_REDIS:-/usr/lib/nagios/plugins/check_redis}
check_rabbitmq_queue=${CHECK_RABBITMQ_QUEUE:-/usr/bin/check_rabbitmq_queue}
vakt_redis=$builddir/plugins/check_redis
vakt_rabbitmq=$builddir/plugins/check_rabbitmq

# --- Prerequisites: say which Debian package provides what is missing. ------
need hyperfine hyperfine
need "$cc" gcc
need curl curl
need perl perl
need redis-server redis-server
need redis-cli redis-tools
# rabbitmq-server and rabbitmqctl are in /usr/sbin, which a PATH may lack.
PATH=$PATH:/usr/sbin
need rabbitmq-server rabbitmq-server
need rabbitmqctl rabbitmq-server
need_file "$perl_check_redis" "apt-get install monitoring-plugins-contrib"
need_file "$check_rabbitmq_queue" "apt-get install nagios-plugins-rabbitmq"
# monitoring-plugins-contrib only recommends the Redis module its check_redis
# cannot start without.
need_perl Redis libredis-perl
need_file "$vakt_redis" "run make first (or pass BUILDDIR)"
need_file "$vakt_rabbitmq" "run make first (or pass BUILDDIR)"
if [ "$(id -u)" -ne 0 ]; then
	echo "$0: run as root (rabbitmq-server runs its server as user rabbitmq)" >&2
	missing=1
fi
[ "$missing" = 0 ] || exit 2

# --- Servers: started here, on free loopback ports, stopped on any exit. ----
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vakt-bench-broker.XXXXXX")
# The rabbitmq user must pass through to its directory.
chmod 711 "$tmp"
mkdir "$tmp/state" "$tmp/out"
redis_pid="" rabbit_wrapper=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	if [ -n "$rabbit_wrapper" ]; then
		# stop with the pid file waits until the node has exited.
		rabbit timeout 60 rabbitmqctl stop "$rdir/pid" >/dev/null 2>&1 || kill "$(cat "$rdir/pid" 2>/dev/null)" 2>/dev/null || true
		kill "$rabbit_wrapper" 2>/dev/null || true
	fi
	# Redis logs until it exits (opening its log file for each line), so
	# wait for it before removing $tmp.
	[ -z "$redis_pid" ] || stop "$redis_pid"
	drop_tmp "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rport="" amqp="" http="" dist=""
free_port rport amqp http dist

# Redis: no persistence, daemonized; its pid file appears once it listens.
redis-server --port "$rport" --bind 127.0.0.1 --daemonize yes --save '' \
	--dir "$tmp" --pidfile "$tmp/redis.pid" --logfile "$tmp/redis.log" >"$tmp/redis.out" 2>&1 || {
	echo "$0: redis-server did not start:" >&2
	cat "$tmp/redis.out" >&2
	exit 1
}
for _ in $(seq 50); do
	[ -s "$tmp/redis.pid" ] && [ "$(redis-cli -p "$rport" ping 2>/dev/null)" = PONG ] && break
	sleep 0.1
done
if [ ! -s "$tmp/redis.pid" ]; then
	echo "$0: redis-server does not answer on port $rport; its log:" >&2
	cat "$tmp/redis.log" >&2
	exit 1
fi
redis_pid=$(cat "$tmp/redis.pid")

# RabbitMQ with the management plugin (NOTES-services.md); statistics every
# 0.5 s so that the published messages show in the API soon.
rdir=$tmp/rabbit
mkdir "$rdir"
echo '[rabbitmq_management].' >"$rdir/enabled_plugins"
printf '%s\n' "listeners.tcp.default = 127.0.0.1:$amqp" "management.tcp.ip = 127.0.0.1" \
	"management.tcp.port = $http" "loopback_users = none" \
	"collect_statistics_interval = 500" >"$rdir/rabbitmq.conf"
chown -R rabbitmq:rabbitmq "$rdir"
node=vaktbench$dist@localhost
rabbit() { # rabbit PROGRAM ARGS...: rabbitmq-server or rabbitmqctl, for our node
	HOME=$rdir RABBITMQ_NODENAME=$node RABBITMQ_DIST_PORT=$dist \
		RABBITMQ_MNESIA_BASE=$rdir/mnesia RABBITMQ_LOG_BASE=$rdir/log \
		RABBITMQ_ENABLED_PLUGINS_FILE=$rdir/enabled_plugins RABBITMQ_PID_FILE=$rdir/pid \
		RABBITMQ_CONFIG_FILE=$rdir/rabbitmq "$@"
}
echo "starting redis-server on port $rport and rabbitmq-server on $amqp (API $http)..." >&2
rabbit rabbitmq-server >"$rdir/server.log" 2>&1 &
rabbit_wrapper=$!
api=http://127.0.0.1:$http/api
# The API must name our node: another server could have taken the port.
started=0
for _ in $(seq 450); do
	kill -0 "$rabbit_wrapper" 2>/dev/null || break
	if curl -sf -m 2 -u guest:guest "$api/overview" 2>/dev/null | grep -qF "\"node\":\"$node\""; then
		started=1
		break
	fi
	sleep 0.2
done
if [ "$started" = 0 ] || ! rabbit rabbitmqctl await_startup --timeout 60 >"$rdir/await.log" 2>&1; then
	echo "$0: rabbitmq-server did not start; its logs:" >&2
	tail -n 20 "$rdir/server.log" "$rdir"/log/*.log >&2 2>/dev/null || true
	exit 1
fi

# --- The queues: MESSAGES jobs in each. --------------------------------------
echo "filling the queues with $messages messages each..." >&2
seq "$messages" | awk '{ print "RPUSH celery " $1 }' | redis-cli -p "$rport" >/dev/null
depth=$(redis-cli -p "$rport" llen celery)
if [ "$depth" != "$messages" ]; then
	echo "$0: redis queue celery has $depth messages, not $messages" >&2
	exit 1
fi

curl -sf -u guest:guest -X PUT -H 'content-type: application/json' \
	-d '{"durable":true}' "$api/queues/%2F/celery" >/dev/null
# One curl for all the publishes: a config file with one url per message,
# each sent the same body over one kept-alive connection.
for _ in $(seq "$messages"); do
	echo "url = \"$api/exchanges/%2F/amq.default/publish\""
done >"$tmp/publish.curl"
routed=$(curl -sf -u guest:guest -H 'content-type: application/json' \
	-d '{"properties":{},"routing_key":"celery","payload":"job","payload_encoding":"string"}' \
	-K "$tmp/publish.curl" | grep -o '"routed":true' | wc -l)
if [ "$routed" != "$messages" ]; then
	echo "$0: rabbitmq routed $routed of $messages messages" >&2
	exit 1
fi
# Queue statistics lag the publishes; measure only once the API has them.
for _ in $(seq 100); do
	curl -sf -u guest:guest "$api/queues/%2F/celery" | grep -q "\"messages\":$messages," && break
	sleep 0.2
done

# --- The commands. ------------------------------------------------------------
printf 'guest\n' >"$tmp/password"
chmod 600 "$tmp/password"
# The Perl check_redis compares used memory with a total it is told (-M);
# give it the machine's, the nearest it has to vakt's maxmemory check. Its
# -q cannot do without thresholds; they are far above the depth.
memtotal=$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)

# The floors, built the way the plugins are (optimised, dynamically linked):
# an empty program, and the same linked with libcurl, which check_rabbitmq
# loads for https only and which brings some thirty shared libraries with it
# in Debian.
"$cc" -O2 -o "$tmp/empty" "$here/empty.c"
"$cc" -O2 -o "$tmp/empty-libcurl" "$here/empty.c" -Wl,--no-as-needed -lcurl

# kinds[i] is ref, vakt or peer; each peer row follows the vakt row it is
# compared with. cmds[i] is the argv, %q-quoted so that hyperfine -N (which
# splits words like a shell) and eval both see the same arguments; shows[i]
# is the same for people.
kinds=() names=() cmds=() shows=()
add ref "empty program" "$tmp/empty"
add ref "empty + libcurl" "$tmp/empty-libcurl"
add ref "curl GET queue" curl -sf -o /dev/null -u guest:guest "$api/queues/%2F/celery"
add vakt "vakt check_redis" "$vakt_redis" -H 127.0.0.1 -p "$rport" --queue celery -t 10 \
	--state-dir "$tmp/state"
add peer "Perl check_redis" "$perl_check_redis" -H 127.0.0.1 -p "$rport" -D 0 -t 10 \
	-q "LLEN,celery,WARN:$((messages * 10)),CRIT:$((messages * 100))" -T -R -m -M "${memtotal}K" -f \
	-a connected_clients,blocked_clients,rejected_connections,evicted_keys,rdb_last_bgsave_status,aof_last_write_status,role \
	-w '~,~,~,~,!ok,!ok,~' -c '~,~,~,~,!ok,!ok,~'
add vakt "vakt check_rabbitmq" "$vakt_rabbitmq" -H 127.0.0.1 -p "$http" --user guest \
	--password-file "$tmp/password" --queue celery -t 10
add peer "check_rabbitmq_queue" "$check_rabbitmq_queue" -H 127.0.0.1 --port "$http" \
	-u guest -p guest --queue celery -t 10
n=${#cmds[@]}

# --- Run each once first. ---------------------------------------------------
# A check that fails (a usage error, a refused login) takes a shorter path
# than the real one and would flatter itself; all must say OK, and with the
# queue's depth. This also gives vakt's check_redis its previous sample, so
# the measured runs compute rates like every run after the first.
failed=0
for ((i = 0; i < n; i++)); do
	[ "${kinds[i]}" != ref ] || continue
	run_first "$i" "$messages" "OK with $messages messages"
done
[ "$failed" = 0 ] || exit 1

# --- Wall time: hyperfine per command (the Perl checks get fewer runs). -------
measure peer

# --- Report. ----------------------------------------------------------------
echo
echo "vakt queue checks vs the Perl plugins, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "$(uname -srm), $(nproc) CPUs; redis-server $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/')," \
	"RabbitMQ $(curl -sf -u guest:guest "$api/overview" | sed 's/.*"rabbitmq_version":"\([^"]*\)".*/\1/')"
echo "queues of $messages messages; hyperfine -N, mean of $runs runs ($peer_runs for the Perl checks) after $warmup warmup"
echo "load average before: $load_start, after: $load_end (a busy machine skews the ratios)"
echo
row() { printf '%-22s %5s %9s %7s %8s %12s\n' "$@"; }
row "command" "runs" "wall ms" "+- ms" "x empty" "peer / vakt"
row "-------" "----" "-------" "-----" "-------" "-----------"
for ((i = 0; i < n; i++)); do
	vs=""
	[ "${kinds[i]}" != peer ] || vs=$(ratio "${wall[i]}" "${wall[i - 1]}")
	row "${names[i]}" "${nruns[i]}" "$(printf %.3f "${wall[i]}")" "$(printf %.3f "${sd[i]}")" \
		"$(ratio "${wall[i]}" "${wall[0]}")" "$vs"
done

echo
echo "Goal: each vakt check at least ${goal}x faster than the Perl plugin it replaces."
met=0 total=0
for ((i = 0; i < n; i++)); do
	[ "${kinds[i]}" = peer ] || continue
	judge "${wall[i]}" ">=" "$goal" "${wall[i - 1]}"
	printf '%-7s %-22s %sx faster than %s\n' "$verdict" "${names[i - 1]}" \
		"$(ratio "${wall[i]}" "${wall[i - 1]}")" "${names[i]}"
done
echo "$met of $total vakt checks meet the goal."
# Rows 1 and 6: the libcurl floor and check_rabbitmq_queue.
echo "note: loading libcurl alone takes $(printf %.3f "${wall[1]}") ms here, so a check that loaded" \
	"it would be at most $(ratio "${wall[6]}" "${wall[1]}")x faster than check_rabbitmq_queue;" \
	"check_rabbitmq loads it only for https."
if [ "$outliers" -gt 0 ]; then
	echo "note: hyperfine saw timing outliers for $outliers of $n commands (other load on the machine?)."
fi

# What each check looked at: the output of its last measured run.
echo
echo "Output of each check (its last measured run):"
show_outputs
exit 0
