#!/bin/bash
# vaktd as an AgentX subagent of a real, private snmpd (lib.sh's
# start_snmpd): it registers; snmpwalk, snmptable and snmpget with
# -m +VAKT-MIB give the values /metrics and /api/v1/metrics give for load,
# fds, listen queues and a Celery queue in a real Redis, each row at the
# OID its key's hash names, the collectors in the collector table;
# check_snmp run as the Nagios template's vakt_check_snmp_metric runs it
# gives OK, WARNING and CRITICAL on the queue's depth by its thresholds,
# and UNKNOWN for a row that is not there; counters are Counter64; the
# OIDs stay across a restart and a reload that adds a section; a hung
# collector's rows turn stale while SNMP answers, and a notification says
# so, and another when it is fresh again; snmpd absent at start, killed
# and restarted: vaktd registers when it comes, HTTP never notices.
. "$(dirname "$0")/lib.sh"
vaktd=$top_builddir/agent/vaktd
nagios_cfg=$top_builddir/templates/nagios/vakt-commands.cfg
check_snmp=${CHECK_SNMP:-/usr/lib/nagios/plugins/check_snmp}

require_tools curl jq python3 ss snmpd snmpget snmpwalk snmpbulkwalk snmptable redis-server redis-cli
require_built "$vaktd"
printf '[snmp]\nenabled = yes\n' > "$tmp/probe.conf"
if "$vaktd" --check-config -c "$tmp/probe.conf" 2>&1 | grep -q "built without net-snmp"; then
	echo "vaktd was built without net-snmp"
	[ "${VAKT_REQUIRE_ALL:-0}" = 1 ] && exit 1
	exit 77
fi
if [ ! -x "$check_snmp" ]; then
	echo "$check_snmp not installed (Debian: monitoring-plugins-standard)"
	[ "${VAKT_REQUIRE_ALL:-0}" = 1 ] && exit 1
	exit 77
fi
# SNMPv2-SMI and the rest VAKT-MIB imports: $mibdirs, for named.
require_mibs
# Numeric OIDs, and no MIB file read but VAKT-MIB where named asks for it.
export MIBS= MIBDIRS=$tmp/no-mibs
base=.1.3.6.1.4.1.8072.9999.9999.5638
metrics=$base.1.1.1
collectors=$base.1.2.1

# snmpd_again: start_snmpd's snmpd again on its port, after stop_snmpd.
snmpd_again() {
	snmpd_on "$snmpd_port" && return 0
	echo "FAIL: snmpd did not start again on port $snmpd_port"
	tail -20 "$snmpd_dir/snmpd.log"
	exit 1
}

# snmp get|walk OID...: ask the private snmpd, numeric OIDs, one retry.
snmp() {
	local cmd=snmp$1
	shift
	"$cmd" -v2c -c public -On -t 1 -r 1 "127.0.0.1:$snmpd_port" "$@"
}

# named get|walk|table ARG...: the same with VAKT-MIB loaded as a user
# loads it (-m +VAKT-MIB); net-snmp's complaints about the default MIBs
# Debian lacks go to $tmp/named.err.
named() {
	local cmd=snmp$1
	shift
	"$cmd" -v2c -c public -t 1 -r 1 -M "+$mibdirs" -m +VAKT-MIB "127.0.0.1:$snmpd_port" "$@" 2> "$tmp/named.err"
}

# wait_log PATTERN COUNT: until vaktd's log holds COUNT lines matching
# PATTERN, up to 20 s; a failure, with the log, when it does not.
wait_log() {
	wait_lines "$tmp/vaktd.log" "$1" "$2" 20 && return 0
	fail "vaktd's log did not say '$1' $2 time(s) within 20 s"
	cat "$tmp/vaktd.log"
	return 1
}

# wait_rows: until a walk of the metric table's key column gives rows, up to 20 s.
wait_rows() {
	for _ in $(seq 100); do
		[ -n "$(snmp walk "$metrics.3" 2> /dev/null | grep STRING)" ] && return 0
		sleep 0.2
	done
	fail "no vakt rows in snmpd within 20 s"
	return 1
}

# keys FILE: walk the key column into FILE as "INDEX KEY" lines, sorted.
keys() {
	snmp bulkwalk "$metrics.3" | sed -n "s/^$metrics\.3\.\([0-9]*\.[0-9]*\) = STRING: \"\(.*\)\"$/\1 \2/p" |
		sed 's/\\"/"/g' | sort > "$1"
}

# trap_sink: a UDP port that keeps every datagram snmpd sends it in
# $tmp/traps, one hex line each; sets $trap_port.
trap_sink() {
	python3 -u -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print("port", s.getsockname()[1], flush=True)
with open(sys.argv[1], "a") as out:
    while True:
        out.write(s.recv(65536).hex() + "\n")
        out.flush()
' "$tmp/traps" > "$tmp/trap_sink.out" &
	peers="$peers $!"
	trap_port=$(started "$tmp/trap_sink.out" "the trap sink") || exit 1
}

# wait_trap N: until a notification base.0.N is in $tmp/traps, up to 20 s.
wait_trap() {
	local want
	want=$(python3 -c '
import sys
def arc(n):
    b = [n & 0x7f]
    n >>= 7
    while n:
        b.insert(0, 0x80 | (n & 0x7f))
        n >>= 7
    return bytes(b)
arcs = [int(a) for a in sys.argv[1].strip(".").split(".")]
print((bytes([40 * arcs[0] + arcs[1]]) + b"".join(arc(a) for a in arcs[2:])).hex())
' "$base.0.$1")
	for _ in $(seq 200); do
		grep -q "$want" "$tmp/traps" 2> /dev/null && return 0
		sleep 0.1
	done
	return 1
}

# log_clean WHEN: the log of the vaktd that just stopped (start_vaktd starts
# a new one) has only vaktd's lines: no net-snmp line of its own, no error
# of net-snmp's passed on, no sanitizer report.
log_clean() {
	check "nothing on stderr but vaktd's log lines, $1" 0 "$(grep -vc '^vaktd: ' "$tmp/vaktd.log")"
	check "no net-snmp error was logged, $1" 0 "$(grep -c 'snmp: net-snmp:' "$tmp/vaktd.log")"
}

start_peer fds 37 100
holder=$peer_value
echo "$holder" > "$tmp/flip.pid"
# A Celery queue as kombu leaves it in Redis, 1204 messages deep (the
# templates' example).
start_redis
redis-cli -p "$redis_port" eval "for i = 1, 1204 do redis.call('rpush', 'celery', '{}') end" 0 > /dev/null
check "the Celery queue holds 1204 messages" 1204 "$(redis-cli -p "$redis_port" llen celery)"
trap_sink
start_snmpd "trap2sink 127.0.0.1:$trap_port public"
# For expect, which runs a command rather than a function.
sget="snmpget -v2c -c public -On -t 1 -r 1 127.0.0.1:$snmpd_port"

# The host's collectors and Redis once an hour, so /metrics,
# /api/v1/metrics and SNMP read the same collection; [process flip] every
# second, to hang later.
cat > "$tmp/vaktd.conf" << CONF
[collect]
interval = 3600

[snmp]
enabled = yes
agentx_socket = $agentx_socket
ping_interval = 1
notifications = yes

[redis jobs]
address = 127.0.0.1:$redis_port
queues = celery

[process flip]
pidfile = $tmp/flip.pid
interval = 1
timeout = 1
CONF
expect "--check-config accepts [snmp]" 0 "configuration OK" "$vaktd" --check-config -c "$tmp/vaktd.conf"
printf '[snmp]\nagentx_socket = relative/path\nbase_oid = 1.3.x\nping_interval = 0\n' > "$tmp/bad.conf"
expect "--check-config refuses a relative socket" 1 "bad.conf:2: .*agentx_socket" \
	"$vaktd" --check-config -c "$tmp/bad.conf"
expect "--check-config refuses a bad OID" 1 "bad.conf:3: .*base_oid" "$vaktd" --check-config -c "$tmp/bad.conf"
expect "--check-config refuses ping_interval 0" 1 "bad.conf:4: .*ping_interval" \
	"$vaktd" --check-config -c "$tmp/bad.conf"

start_vaktd "$tmp/vaktd.conf"
wait_log "registered with the AgentX master at $agentx_socket" 1
wait_rows
# Until every collector has run once.
for _ in $(seq 100); do
	curl -s "$url/api/v1/metrics" | jq -e '[.collectors[] | select(.runs == 0)] | length == 0' \
		> /dev/null 2>&1 && break
	sleep 0.1
done

# The metric table by name against /metrics and /api/v1/metrics: every row
# of load, fds, listen and redis jobs; each at the OID of its key's FNV-1a
# 64, with the value /metrics prints for that key and the JSON value.
for col in Key Value Collector; do named walk "vaktMetric$col" > "$tmp/col$col.txt"; done
check "snmpwalk -m +VAKT-MIB loads VAKT-MIB without a complaint" "" "$(grep -E 'VAKT|SNMPv2-(SMI|TC|CONF)|NET-SNMP-MIB' "$tmp/named.err")"
curl -s "$url/metrics" > "$tmp/all.txt"
curl -s "$url/api/v1/metrics" > "$tmp/all.json"
python3 - "$tmp" > "$tmp/compare.out" << 'PY'
import json, re, sys
tmp = sys.argv[1]
def column(n):
    rows = {}
    for line in open(f"{tmp}/col{n}.txt"):
        m = re.match(rf"VAKT-MIB::vaktMetric{n}\.(\d+\.\d+) = (?:STRING: (.*)|\"\")$", line.rstrip("\n"))
        if m:
            rows[m.group(1)] = m.group(2) or ""
    return rows
def fnv(s):
    h = 14695981039346656037
    for b in s.encode():
        h = ((h ^ b) * 1099511628211) % 2**64
    return f"{h >> 32}.{h & 0xffffffff}"
keys, values, sources = column("Key"), column("Value"), column("Collector")
bad = [k for i, k in keys.items() if fnv(k) != i]
print(f"rows {len(keys)} misindexed {len(bad)} {bad[:3]}")
exposed = {}
for line in open(f"{tmp}/all.txt"):
    if not line.startswith("#") and " " in line:
        key, value = line.rstrip("\n").rsplit(" ", 1)
        exposed[key] = value
by_key = {k: i for i, k in keys.items()}
checked = {"load": 0, "fds": 0, "listen": 0, "redis jobs": 0}
wrong = []
# Every row of these collectors: the value /metrics prints for its key.
for i, k in keys.items():
    if sources.get(i) in checked:
        checked[sources[i]] += 1
        if exposed.get(k) != values.get(i):
            wrong.append((k, values.get(i), exposed.get(k)))
# Every series of theirs in /api/v1/metrics is a row (the key built as
# /metrics builds it for a series without a unit), with its value.
counts = {c: 0 for c in checked}
for m in json.load(open(f"{tmp}/all.json"))["metrics"]:
    if m["collector"] not in checked:
        continue
    counts[m["collector"]] += 1
    if m["unit"] != "":
        continue
    name = "vakt_" + m["name"] + ("_total" if m["kind"] == "counter" else "")
    labels = ",".join(f'{k}="{v}"' for k, v in sorted(m["labels"].items()))
    key = name + ("{" + labels + "}" if labels else "")
    i = by_key.get(key)
    # JSON has null where /metrics and the row say NaN (a value not known yet).
    same = values.get(i) == "NaN" if m["value"] is None else i is not None and float(values[i]) == float(m["value"])
    if i is None or not same or sources[i] != m["collector"]:
        wrong.append((key, i and values[i], m["value"]))
print("checked " + " ".join(f"{k.split()[0]}={v}" for k, v in sorted(checked.items())))
print("json " + " ".join(f"{k.split()[0]}={v}" for k, v in sorted(counts.items())))
print(f"wrong {len(wrong)} {wrong[:3]}")
PY
cat "$tmp/compare.out"
check "every row at its key's hash" 0 "$(sed -n 's/^rows [0-9]* misindexed \([0-9]*\).*/\1/p' "$tmp/compare.out")"
check "every load, fds, listen and redis value as /metrics and /api/v1/metrics give it" 0 \
	"$(sed -n 's/^wrong \([0-9]*\).*/\1/p' "$tmp/compare.out")"
expect "load, fds, listen and redis rows were compared" 0 \
	"checked fds=[1-9][0-9]* listen=[1-9][0-9]* load=[1-9][0-9]* redis=[1-9][0-9]*" cat "$tmp/compare.out"
check "as many rows as /api/v1/metrics has series" "$(sed -n 's/^checked //p' "$tmp/compare.out")" \
	"$(sed -n 's/^json //p' "$tmp/compare.out")"

# The Celery queue's row: the walk line the Nagios template shows, and its
# value and thousandths by name.
queue_key='vakt_queue_depth{broker="redis",queue="celery",target="jobs",vhost="db0"}'
shown=$(grep -m1 -oE "VAKT-MIB::vaktMetricKey\.[0-9]+\.[0-9]+ = STRING: vakt_queue_depth.*celery.*" "$nagios_cfg")
[ -n "$shown" ] || fail "$nagios_cfg shows no walk line of the Celery queue's row"
check "the Celery queue's row is where the Nagios template shows it" "$shown" "$(grep -xF "$shown" "$tmp/colKey.txt")"
queue=$(grep -F " = STRING: $queue_key" "$tmp/colKey.txt" | sed -E 's/^VAKT-MIB::vaktMetricKey\.([0-9.]+) = .*/\1/')
check "its /metrics line" "$queue_key 1204" "$(grep -F "$queue_key " "$tmp/all.txt")"
check "snmpget -m +VAKT-MIB vaktMetricValue gives its depth" \
	"VAKT-MIB::vaktMetricValue.$queue = STRING: 1204" "$(named get "VAKT-MIB::vaktMetricValue.$queue")"
check "vaktMetricGauge shows it with its DISPLAY-HINT" \
	"VAKT-MIB::vaktMetricGauge.$queue = INTEGER: 1204.000" "$(named get "VAKT-MIB::vaktMetricGauge.$queue")"

# snmptable of the collector table: every collector of /api/v1/metrics,
# indexed by its name, up and not stale.
named table -Ci -CH -Cf '|' vaktCollectorTable > "$tmp/table.txt"
check "snmptable lists the collectors, up and fresh" \
	"$(jq -r '.collectors[] | "'"'"'\(.name)'"'"'|\(.name)|true|false"' "$tmp/all.json" | sort)" \
	"$(grep '|' "$tmp/table.txt" | awk -F'|' '{ print $1 "|" $2 "|" $3 "|" $7 }' | sort)"

# ------------------------------------------------------------- check_snmp

# nagios_line COMMAND ARG...: COMMAND's command line from the built Nagios
# template, as Nagios would run it for a service that uses vakt-service,
# against $snmpd_port: $USER1$ as Debian's resource.cfg sets it.
nagios_line() {
	local cmd=$1 line var value i=1
	shift
	line=$(awk -v c="$cmd" '$1 == "command_name" { name = $2 }
		$1 == "command_line" && name == c { sub(/^[ \t]*command_line[ \t]+/, ""); print }' "$nagios_cfg")
	line=${line//\$USER1\$/$(dirname "$check_snmp")}
	line=${line//\$HOSTADDRESS\$/127.0.0.1}
	# The service variables, as vakt-service sets them.
	for var in $(printf '%s\n' "$line" | grep -o '\$_SERVICE[A-Z_]*\$' | sort -u); do
		var=${var#\$_SERVICE}
		var=${var%\$}
		value=$(awk -v v="_$var" '$1 == v { $1 = ""; sub(/^ /, ""); print; exit }' "$nagios_cfg")
		[ "$var" = VAKT_SNMP_OPTS ] && value="-p $snmpd_port"
		line=${line//\$_SERVICE$var\$/$value}
	done
	for value in "$@"; do
		line=${line//\$ARG$i\$/$value}
		i=$((i + 1))
	done
	printf '%s\n' "$line" | sed 's/\$ARG[0-9]*\$//g'
}

# run_check WHAT STATUS PATTERN COMMAND...: as expect, without vakt's
# output contract: check_snmp is Monitoring Plugins' and ends its
# perfdata with a blank.
run_check() {
	local what=$1 want=$2 pattern=$3 out rc
	shift 3
	out=$(timeout 60 "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq "$want" ] && printf '%s\n' "$out" | grep -Eq -- "$pattern"; then
		echo "ok: $what"
	else
		fail "$what: status $rc (want $want), output '$out', want /$pattern/; command: $*"
	fi
}

# metric_check WHAT STATUS PATTERN ROW WARNING CRITICAL [OPTIONS]: the
# Nagios command vakt_check_snmp_metric on ROW, community public, against
# $snmpd_port.
metric_check() {
	local what=$1 want=$2 pattern=$3
	shift 3
	run_check "vakt_check_snmp_metric: $what" "$want" "$pattern" \
		sh -c "$(nagios_line vakt_check_snmp_metric "$1" "$2" "$3" public "${4:-}")"
}

line=$(nagios_line vakt_check_snmp_metric "$queue" 1000 5000 public "-l queue_depth")
case $line in
"$check_snmp "*"-o $base.1.1.1.6.$queue "*) echo "ok: vakt_check_snmp_metric runs: $line" ;;
*) fail "vakt_check_snmp_metric runs: $line" ;;
esac
# vaktd's row of the Celery queue, 1204 deep.
metric_check "a depth of 1204 over 1000 is WARNING" 1 \
	"^SNMP WARNING - queue_depth \*1204\* \| queue_depth=1204;1000;5000" "$queue" 1000 5000 "-l queue_depth"
metric_check "under both thresholds is OK" 0 \
	"^SNMP OK - queue_depth 1204 \| queue_depth=1204;2000;5000" "$queue" 2000 5000 "-l queue_depth"
metric_check "over critical is CRITICAL" 2 \
	"^SNMP CRITICAL - queue_depth \*1204\* \| queue_depth=1204;500;1000" "$queue" 500 1000 "-l queue_depth"
metric_check "a row that is not there is UNKNOWN" 3 "No Such (Instance|Object)" 1.2 10 20
# A fraction is compared as it is: a load average with a fractional part,
# over its whole part. The collection is an hour's, so it stays put.
for name in load1 load5 load15; do
	frac=$(sed -n "s/^vakt_$name \([0-9]*\.[0-9]*\)$/\1/p" "$tmp/all.txt")
	[ -n "$frac" ] && break
done
if [ -z "$frac" ]; then
	fail "no load average with a fractional part in /metrics: $(grep '^vakt_load' "$tmp/all.txt" | tr '\n' ' ')"
else
	row=$(grep -F " = STRING: vakt_$name" "$tmp/colKey.txt" | grep -x ".* vakt_$name" |
		sed -E 's/^VAKT-MIB::vaktMetricKey\.([0-9.]+) = .*/\1/')
	whole=${frac%.*}
	metric_check "a fraction is compared as it is ($frac > $whole)" 1 \
		"^SNMP WARNING - $name \*${frac//./\\.}\* \| $name=${frac//./\\.};$whole;$((whole + 1))" \
		"$row" "$whole" "$((whole + 1))" "-l $name"
	# vaktMetricGauge holds the value times 1000.
	milli=$(LC_ALL=C printf '%.3f' "$frac")
	run_check "vaktMetricGauge with -M 0.001 -f %.3f: $milli > $whole is WARNING" 1 "^SNMP WARNING - \*${milli//./\\.}\*" \
		"$check_snmp" -H 127.0.0.1 -p "$snmpd_port" -P 2c -C public -o "$metrics.8.$row" \
		-M 0.001 -f %.3f -w "$whole" -c "$((whole + 1))"
	run_check "vaktMetricGauge with -M 0.001 -f %.3f: $milli < $((whole + 1)) is OK" 0 "^SNMP OK - ${milli//./\\.}" \
		"$check_snmp" -H 127.0.0.1 -p "$snmpd_port" -P 2c -C public -o "$metrics.8.$row" \
		-M 0.001 -f %.3f -w "$((whole + 1))" -c "$((whole + 2))"
fi

# GETBULK (net-snmp turns it into GETNEXTs for the subagent) walks the same rows.
check "a bulk walk gives the rows a walk gives" "$(snmp walk "$metrics.3" | wc -l)" \
	"$(snmpbulkwalk -v2c -c public -On -t 1 -r 1 "127.0.0.1:$snmpd_port" "$metrics.3" | wc -l)"

# Types: a counter is Counter64, a gauge has none; both have the x1000 gauge.
keys "$tmp/keys1.txt"
counter=$(grep -m1 ' vakt_listen_overflows_total$' "$tmp/keys1.txt" | cut -d' ' -f1)
gauge=$(grep -m1 ' vakt_load1$' "$tmp/keys1.txt" | cut -d' ' -f1)
expect "a counter is a Counter64" 0 "= Counter64: [0-9]+$" $sget "$metrics.7.$counter"
expect "its type is counter(2)" 0 "= INTEGER: 2$" $sget "$metrics.9.$counter"
expect "a gauge has no Counter64" 0 "No Such Instance" $sget "$metrics.7.$gauge"
load1=$(jq '.metrics[] | select(.name == "load1") | .value' "$tmp/all.json")
expect "a gauge in thousandths" 0 "= INTEGER: $(python3 -c "print(round($load1 * 1000))")$" \
	$sget "$metrics.8.$gauge"
# The unit column names the unit of the value columns, /metrics' base unit.
memory=$(grep -m1 ' vakt_resident_memory_bytes$' "$tmp/keys1.txt" | cut -d' ' -f1)
expect "a size is in bytes" 0 "= STRING: \"bytes\"$" $sget "$metrics.10.$memory"
expect "a load has no unit" 0 "= \"\"$" $sget "$metrics.10.$gauge"
expect "an unknown row is noSuchInstance" 0 "No Such Instance" $sget "$metrics.6.1.2"
# The collector table, IMPLIED name: "load" is 4.108.111.97.100.
expect "the collector table names load" 0 "= STRING: \"load\"$" $sget "$collectors.2.108.111.97.100"
expect "load is up" 0 "= INTEGER: 1$" $sget "$collectors.3.108.111.97.100"

# A collector that hangs: its rows turn stale, SNMP and HTTP answer on.
flip_rows=$(grep -c "process_.*pid=\"$holder\"" "$tmp/keys1.txt")
check "the flip collector has rows" 1 "$([ "$flip_rows" -gt 0 ] && echo 1)"
flip=$(grep -m1 "process_.*pid=\"$holder\"" "$tmp/keys1.txt" | cut -d' ' -f1)
expect "its rows are fresh" 0 "= INTEGER: 2$" $sget "$metrics.11.$flip"
rm "$tmp/flip.pid"
mkfifo "$tmp/flip.pid"
for _ in $(seq 100); do
	snmp get "$metrics.11.$flip" 2> /dev/null | grep -q "= INTEGER: 1$" && break
	sleep 0.2
done
expect "a hung collector's rows turn stale" 0 "= INTEGER: 1$" $sget "$metrics.11.$flip"
expect "SNMP answers with a hung collector" 0 "= STRING: \"load\"$" $sget "$collectors.2.108.111.97.100"
check "HTTP answers with a hung collector" true \
	"$(curl -s --max-time 2 "$url/api/v1/metrics" | jq '[.metrics[] | select(.collector == "process flip") | .stale] | all')"
# "process flip": its collector row is stale too.
flipname=$(printf 'process flip' | od -An -tu1 | tr -s ' \n' '..' | sed 's/^\.//; s/\.$//')
expect "the hung collector's row is stale" 0 "= INTEGER: 1$" $sget "$collectors.7.$flipname"
expect "and not up" 0 "= INTEGER: 2$" $sget "$collectors.3.$flipname"
wait_trap 1
check "vaktCollectorStale sent through snmpd" 0 "$?"
wait_log "sent vaktCollectorStale about process flip" 1
# The pidfile a file again, and the hung read given its pid: fresh again.
mv "$tmp/flip.pid" "$tmp/flip.fifo"
echo "$holder" > "$tmp/flip.pid"
echo "$holder" > "$tmp/flip.fifo"
wait_trap 2
check "vaktCollectorFresh sent through snmpd" 0 "$?"
wait_log "sent vaktCollectorFresh about process flip" 1

# snmpd killed and started again: vaktd registers again, HTTP never stops.
stop_snmpd
wait_log "AgentX master at $agentx_socket not reachable; retrying every 1 s" 1
check "HTTP serves without snmpd" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$url/metrics")"
snmpd_again
wait_log "registered with the AgentX master" 2
wait_rows

# vaktd restarted, snmpd not there at its start: HTTP serves, vaktd
# registers once snmpd comes, and every row is at the OID it had.
stop_snmpd
kill "$vaktd_pid"
wait "$vaktd_pid" 2> /dev/null
log_clean "before a restart"
start_vaktd "$tmp/vaktd.conf"
wait_log "AgentX master at $agentx_socket not reachable" 1
snmpd_again
wait_log "registered with the AgentX master" 1
wait_rows
# Until every collector has run once: [process flip] too.
for _ in $(seq 100); do
	keys "$tmp/keys2.txt"
	[ "$(grep -c ' vakt_process_' "$tmp/keys2.txt")" = "$(grep -c ' vakt_process_' "$tmp/keys1.txt")" ] && break
	sleep 0.1
done
# The host's listeners come and go with other tests: compare load, fds,
# the Celery queue and the flip collector's.
same_rows() {
	grep -E " (vakt_load|vakt_cpus|vakt_fds|vakt_procs|vakt_process_|vakt_queue_)" "$1"
}
check "the same rows at the same OIDs after a restart" "" \
	"$(diff <(same_rows "$tmp/keys1.txt") <(same_rows "$tmp/keys2.txt"))"

# A reload that adds a section: the old rows keep their OIDs, the new ones come.
cat >> "$tmp/vaktd.conf" << CONF

[process snmpd]
name = snmpd
CONF
kill -HUP "$vaktd_pid"
wait_log "configuration reloaded" 1
for _ in $(seq 100); do
	snmp walk "$metrics.13" 2> /dev/null | grep -q '"process snmpd"' && break
	sleep 0.2
done
keys "$tmp/keys3.txt"
check "the same rows at the same OIDs after a reload" "" \
	"$(diff <(same_rows "$tmp/keys1.txt") <(same_rows "$tmp/keys3.txt" | grep -v 'process="snmpd"'))"
expect "the added section's rows are there" 0 "process=\"snmpd\"" grep -F 'process="snmpd"' "$tmp/keys3.txt"

# A large snapshot, 2,500 listeners (5,000 rows), walked while HTTP is
# asked without a pause: every row comes, every HTTP answer is a 200.
start_peer listeners "$(pick_port)" 2500
kill -HUP "$vaktd_pid"
wait_log "configuration reloaded" 2
( while :; do curl -s -o /dev/null -w '%{http_code}\n' "$url/api/v1/metrics"; done ) > "$tmp/http.codes" &
http_load=$!
peers="$peers $http_load"
# The load is on before the walk starts.
for _ in $(seq 100); do
	[ -s "$tmp/http.codes" ] && break
	sleep 0.1
done
snmp bulkwalk "$metrics.13" > "$tmp/big.txt"
kill "$http_load"
wait "$http_load" 2> /dev/null
check "a walk of a large snapshot gives every listen row" \
	"$(curl -s "$url/api/v1/metrics" | jq '[.metrics[] | select(.collector == "listen")] | length')" \
	"$(grep -c 'STRING: "listen"' "$tmp/big.txt")"
check "and that is thousands" 1 "$([ "$(grep -c 'STRING: "listen"' "$tmp/big.txt")" -gt 5000 ] && echo 1)"
check "HTTP under load meanwhile: only 200s" "200" "$(sort -u "$tmp/http.codes" | tr -d '\n')"

# A reload that turns [snmp] off: that takes a restart, says the log, and
# SNMP answers on.
sed -i 's/^enabled = yes$/enabled = no/' "$tmp/vaktd.conf"
kill -HUP "$vaktd_pid"
wait_log "configuration reloaded" 3
expect "a reload cannot turn SNMP off" 0 \
	"reload: \[snmp\] enabled, agentx_socket, base_oid and ping_interval change only on restart" \
	cat "$tmp/vaktd.log"
expect "SNMP answers on after it" 0 "= STRING: \"load\"$" $sget "$collectors.2.108.111.97.100"

# AgentX over TCP, and the tree moved by base_oid.
stop_snmpd
kill "$vaktd_pid"
wait "$vaktd_pid" 2> /dev/null
log_clean "after the reloads"
agentx_socket=tcp:127.0.0.1:$(pick_port)
snmpd_again
cat > "$tmp/tcp.conf" << CONF
[snmp]
enabled = yes
agentx_socket = $agentx_socket
base_oid = 1.3.6.1.4.1.8072.9999.9999.77
ping_interval = 1
CONF
start_vaktd "$tmp/tcp.conf"
wait_log "registered with the AgentX master at $agentx_socket" 1
for _ in $(seq 100); do
	snmp get .1.3.6.1.4.1.8072.9999.9999.77.1.2.1.2.108.111.97.100 2> /dev/null | grep -q STRING && break
	sleep 0.2
done
expect "over tcp: and under another base_oid" 0 "= STRING: \"load\"$" \
	$sget .1.3.6.1.4.1.8072.9999.9999.77.1.2.1.2.108.111.97.100
expect "nothing left under the default one" 0 "No Such Object" $sget "$collectors.2.108.111.97.100"

# A clean stop, and net-snmp said nothing of its own on stderr.
kill "$vaktd_pid"
wait "$vaktd_pid"
check "vaktd stops cleanly" 0 "$?"
log_clean "at the end"
finish
