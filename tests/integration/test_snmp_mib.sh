#!/bin/bash
# VAKT-MIB (templates/snmp/VAKT-MIB.txt) as SNMP tools read it, and the
# SNMP side of the templates:
# - smilint -l 6 finds nothing to say about it (and does report a broken
#   copy, so its silence means something);
# - net-snmp's snmptranslate resolves every object it defines to the OID,
#   type and index the design fixed, under the default base;
# - the row index of the templates' examples is the FNV-1a hash of the key
#   they show;
# - the private snmpd of lib.sh (start_snmpd) answers, walks IF-MIB, and
#   comes back on its port after stop_snmpd;
# - check_snmp, run with the Nagios template's command line, gives OK,
#   WARNING and CRITICAL as its thresholds say, on rows snmpd serves where
#   and as vaktd will (vaktMetricValue; vaktMetricGauge with -M 0.001).
# A tool that is not installed is a SKIP (77), or a failure with
# VAKT_REQUIRE_ALL=1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/monitors.sh"
require_tools smilint snmptranslate snmpd snmpget snmpwalk ss python3
src=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
mib=$src/templates/snmp/VAKT-MIB.txt
nagios_cfg=$top_builddir/templates/nagios/vakt-commands.cfg
icinga_conf=$top_builddir/templates/icinga2/vakt-commands.conf
base=.1.3.6.1.4.1.8072.9999.9999.5638
check_snmp=${CHECK_SNMP:-/usr/lib/nagios/plugins/check_snmp}
missing=""

# The IETF's SMIv2 modules VAKT-MIB imports from (SNMPv2-SMI, SNMPv2-TC,
# SNMPv2-CONF): Debian's smitools and snmp ship none of them (they are in
# the non-free snmp-mibs-downloader); Debian's erlang-snmp has them.
# NET-SNMP-MIB (netSnmpPlaypen) comes with net-snmp (libsnmp-base).
smi_dir=""
for d in ${VAKT_SMI_DIR:-} /usr/share/snmp/mibs/ietf /usr/share/mibs/ietf /usr/lib/erlang/lib/snmp-*/mibs; do
	if ls "$d"/SNMPv2-SMI* "$d"/SNMPv2-TC* "$d"/SNMPv2-CONF* > /dev/null 2>&1; then
		smi_dir=$d
		break
	fi
done
netsnmp_dir=""
for d in /usr/share/snmp/mibs /usr/local/share/snmp/mibs; do
	[ -r "$d/NET-SNMP-MIB.txt" ] && netsnmp_dir=$d && break
done
if [ -z "$smi_dir" ] || [ -z "$netsnmp_dir" ]; then
	echo "SNMPv2-SMI, SNMPv2-TC, SNMPv2-CONF or NET-SNMP-MIB not found (Debian: erlang-snmp, libsnmp-base)"
	[ "${VAKT_REQUIRE_ALL:-0}" = 1 ] && exit 1
	exit 77
fi
mibdirs=$smi_dir:$src/templates/snmp:$netsnmp_dir

# ------------------------------------------------------------------ smilint

# lint FILE: what smilint -l 6 says of FILE (it exits 0 whatever it finds).
lint() {
	SMIPATH=$smi_dir:$netsnmp_dir smilint -l 6 -s -p "$netsnmp_dir/NET-SNMP-MIB.txt" "$1" 2>&1
}

out=$(lint "$mib")
if [ -n "$out" ]; then
	fail "smilint -l 6 reports on VAKT-MIB:"
	printf '%s\n' "$out"
else
	echo "ok: smilint -l 6 reports no error and no warning on VAKT-MIB"
fi
# A copy whose row lacks a column in its SEQUENCE: smilint must say so.
mkdir -p "$tmp/broken"
sed '/^    vaktMetricAge  *Unsigned32,$/d' "$mib" > "$tmp/broken/VAKT-MIB.txt"
cmp -s "$mib" "$tmp/broken/VAKT-MIB.txt" && fail "could not break the copy of VAKT-MIB"
if lint "$tmp/broken/VAKT-MIB.txt" | grep -q 'vaktMetricAge'; then
	echo "ok: smilint reports a column missing from a broken copy"
else
	fail "smilint says nothing of a broken copy: $(lint "$tmp/broken/VAKT-MIB.txt")"
fi

# ------------------------------------------------------------- snmptranslate

# The OID of every object VAKT-MIB defines, below the default base.
oids=(
	vaktMIB= vaktNotifications=.0 vaktCollectorWentStale=.0.1 vaktCollectorFreshAgain=.0.2
	vaktObjects=.1 vaktMetricTable=.1.1 vaktMetricEntry=.1.1.1
	vaktMetricKeyHigh=.1.1.1.1 vaktMetricKeyLow=.1.1.1.2 vaktMetricKey=.1.1.1.3
	vaktMetricName=.1.1.1.4 vaktMetricLabels=.1.1.1.5 vaktMetricValue=.1.1.1.6
	vaktMetricCounter=.1.1.1.7 vaktMetricGauge=.1.1.1.8 vaktMetricType=.1.1.1.9
	vaktMetricUnit=.1.1.1.10 vaktMetricStale=.1.1.1.11 vaktMetricAge=.1.1.1.12
	vaktMetricCollector=.1.1.1.13
	vaktCollectorTable=.1.2 vaktCollectorEntry=.1.2.1 vaktCollectorName=.1.2.1.1
	vaktCollectorDescr=.1.2.1.2 vaktCollectorUp=.1.2.1.3 vaktCollectorLastError=.1.2.1.4
	vaktCollectorDuration=.1.2.1.5 vaktCollectorAge=.1.2.1.6 vaktCollectorStale=.1.2.1.7
	vaktConformance=.2 vaktGroups=.2.1 vaktCompliances=.2.2 vaktMetricGroup=.2.1.1
	vaktCollectorGroup=.2.1.2 vaktNotificationGroup=.2.1.3 vaktCompliance=.2.2.1
)
# translate ARG...: snmptranslate with VAKT-MIB alone loaded; its error
# output (a module not found, a name not resolved) goes to $tmp/xlate.err.
translate() {
	snmptranslate -M "$mibdirs" -m VAKT-MIB "$@" 2> "$tmp/xlate.err"
}

defined=$(grep -Eo '^[a-z][A-Za-z0-9]* +(OBJECT-TYPE|OBJECT IDENTIFIER|NOTIFICATION-TYPE|OBJECT-GROUP|NOTIFICATION-GROUP|MODULE-COMPLIANCE|MODULE-IDENTITY)' "$mib" |
	awk '{ print $1 }' | sort)
listed=$(printf '%s\n' "${oids[@]}" | cut -d= -f1 | sort)
[ "$defined" = "$listed" ] || fail "the objects VAKT-MIB defines and those this test knows differ: $(diff <(echo "$defined") <(echo "$listed") | grep '^[<>]' | tr '\n' ' ')"
bad=0
for entry in "${oids[@]}"; do
	name=${entry%%=*}
	want=$base${entry#*=}
	got=$(translate -IR -On "$name")
	if [ "$got" != "$want" ] || [ -s "$tmp/xlate.err" ]; then
		fail "snmptranslate -IR -On $name gives '$got', not $want: $(head -3 "$tmp/xlate.err")"
		bad=1
	fi
done
[ "$bad" = 1 ] || echo "ok: snmptranslate resolves all ${#oids[@]} objects of VAKT-MIB to their OIDs under $base"
# The way a user adds it to net-snmp's default MIBs.
got=$(snmptranslate -M "+$mibdirs" -m +VAKT-MIB -IR -On vaktMetricTable 2> /dev/null)
if [ "$got" = "$base.1.1" ]; then
	echo "ok: snmptranslate -M +DIR -m +VAKT-MIB -IR -On vaktMetricTable gives $got"
else
	fail "snmptranslate -m +VAKT-MIB -IR -On vaktMetricTable gives '$got'"
fi

# What snmptranslate -Td says of an object must match an extended regular
# expression: the types, access, units and indexes of the design.
defs=(
	'vaktMetricEntry|INDEX[[:space:]]+\{ vaktMetricKeyHigh, vaktMetricKeyLow \}'
	'vaktMetricKeyHigh|SYNTAX[[:space:]]+Unsigned32.*MAX-ACCESS[[:space:]]+not-accessible'
	'vaktMetricKeyLow|SYNTAX[[:space:]]+Unsigned32.*MAX-ACCESS[[:space:]]+not-accessible'
	'vaktMetricKey|TEXTUAL CONVENTION VaktText.*SYNTAX[[:space:]]+OCTET STRING \(0\.\.1024\).*DISPLAY-HINT[[:space:]]+"1024t".*read-only'
	'vaktMetricName|TEXTUAL CONVENTION DisplayString.*read-only'
	'vaktMetricLabels|TEXTUAL CONVENTION VaktText.*read-only'
	'vaktMetricValue|TEXTUAL CONVENTION DisplayString.*read-only'
	'vaktMetricCounter|SYNTAX[[:space:]]+Counter64.*read-only'
	'vaktMetricGauge|TEXTUAL CONVENTION VaktMilli.*SYNTAX[[:space:]]+Integer32.*DISPLAY-HINT[[:space:]]+"d-3".*read-only.*times 1000'
	'vaktMetricType|SYNTAX[[:space:]]+INTEGER \{gauge\(1\), counter\(2\)\}.*read-only'
	'vaktMetricUnit|TEXTUAL CONVENTION DisplayString.*read-only'
	'vaktMetricStale|TEXTUAL CONVENTION TruthValue.*read-only'
	'vaktMetricAge|SYNTAX[[:space:]]+Unsigned32.*UNITS[[:space:]]+"seconds".*read-only'
	'vaktMetricCollector|TEXTUAL CONVENTION DisplayString.*read-only'
	'vaktCollectorEntry|INDEX[[:space:]]+\{ IMPLIED vaktCollectorName \}'
	'vaktCollectorName|SYNTAX[[:space:]]+OCTET STRING \(1\.\.64\).*not-accessible'
	'vaktCollectorDescr|SYNTAX[[:space:]]+OCTET STRING \(1\.\.64\).*read-only'
	'vaktCollectorUp|TEXTUAL CONVENTION TruthValue.*read-only'
	'vaktCollectorLastError|TEXTUAL CONVENTION VaktText.*read-only'
	'vaktCollectorDuration|SYNTAX[[:space:]]+Unsigned32.*UNITS[[:space:]]+"milliseconds".*read-only'
	'vaktCollectorAge|SYNTAX[[:space:]]+Unsigned32.*UNITS[[:space:]]+"seconds".*read-only.*4294967295'
	'vaktCollectorStale|TEXTUAL CONVENTION TruthValue.*read-only'
	'vaktCollectorWentStale|OBJECTS[[:space:]]+\{ vaktCollectorDescr, vaktCollectorAge, vaktCollectorLastError \}'
	'vaktCollectorFreshAgain|OBJECTS[[:space:]]+\{ vaktCollectorDescr, vaktCollectorAge \}'
)
bad=0
for entry in "${defs[@]}"; do
	name=${entry%%|*}
	re=${entry#*|}
	if ! translate -Td -IR "$name" | tr '\n' ' ' | grep -Eq -- "$re"; then
		fail "snmptranslate -Td $name does not match /$re/: $(translate -Td -IR "$name" | head -8 | tr '\n' ' ')"
		bad=1
	fi
done
[ "$bad" = 1 ] || echo "ok: snmptranslate -Td shows the types, access, units and indexes of ${#defs[@]} objects"

# Index encodings: the metric row by two numbers, the collector row by its
# name with no length before it (IMPLIED).
expect_xlate() {
	local what=$1 want=$2 got
	shift 2
	got=$(translate "$@")
	if [ "$got" = "$want" ]; then
		echo "ok: $what: $got"
	else
		fail "$what: snmptranslate $* gives '$got', not '$want' $(head -2 "$tmp/xlate.err")"
	fi
}
expect_xlate "a metric row by name" "$base.1.1.1.6.169542363.1367218777" \
	-On VAKT-MIB::vaktMetricValue.169542363.1367218777
expect_xlate "a metric row by number" "VAKT-MIB::vaktMetricValue.169542363.1367218777" \
	"$base.1.1.1.6.169542363.1367218777"
expect_xlate "a collector row (IMPLIED name)" "$base.1.2.1.3.108.111.97.100" \
	-On "VAKT-MIB::vaktCollectorUp.'load'"

# ------------------------------------------------------- the examples' index

# fnv KEY: the metric row index of KEY, HIGH.LOW of its 64-bit FNV-1a hash.
fnv() {
	python3 -c '
import sys
h = 0xcbf29ce484222325
for b in sys.argv[1].encode():
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
print("%d.%d" % (h >> 32, h & 0xffffffff))' "$1"
}
# The published test vectors of FNV-1a 64: "" and "a".
[ "$(fnv '')" = "$((0xcbf29ce4)).$((0x84222325))" ] && [ "$(fnv a)" = "$((0xaf63dc4c)).$((0x8601ec8c))" ] ||
	fail "fnv does not compute FNV-1a 64"
for f in "$nagios_cfg" "$icinga_conf"; do
	[ -r "$f" ] || { fail "$f is missing; run make first"; continue; }
	n=0
	# Each example walk line shows a row and its key; every ROW the file
	# uses must be the hash of the key shown for it.
	while IFS= read -r line; do
		row=$(printf '%s\n' "$line" | sed -E 's/.*vaktMetricKey\.([0-9]+\.[0-9]+) = STRING: .*/\1/')
		key=$(printf '%s\n' "$line" | sed -E 's/.*vaktMetricKey\.[0-9]+\.[0-9]+ = STRING: //')
		n=$((n + 1))
		if [ "$(fnv "$key")" = "$row" ]; then
			echo "ok: $(basename "$f"): the row of $key is $row"
		else
			fail "$(basename "$f"): the row of $key is $(fnv "$key"), not $row"
		fi
		grep -q "\.6\.$row\"\|!$row!" "$f" || fail "$(basename "$f"): no example reads the row $row"
	done < <(grep -E 'vaktMetricKey\.[0-9]+\.[0-9]+ = STRING: ' "$f")
	[ "$n" -gt 0 ] || fail "$(basename "$f") shows no row of snmpwalk ... vaktMetricKey"
done

# ----------------------------------------------------------------- the snmpd

# Rows where and as vaktd serves them: the Celery queue of the templates'
# examples, a load of 0.57, as vaktMetricKey, vaktMetricValue and
# vaktMetricGauge.
queue_key='vakt_queue_depth{broker="redis",queue="celery",target="jobs",vhost="db0"}'
queue=$(fnv "$queue_key")
load=$(fnv vakt_load1)
start_snmpd "override $base.1.1.1.3.$queue octet_str '$queue_key'" \
	"override $base.1.1.1.6.$queue octet_str 1204" \
	"override $base.1.1.1.8.$queue integer 1204000" \
	"override $base.1.1.1.3.$load octet_str vakt_load1" \
	"override $base.1.1.1.6.$load octet_str 0.57" \
	"override $base.1.1.1.8.$load integer 570"
snmp=(-v2c -c public -t 2 -r 1)
check "snmpd runs as the current user" "$(id -un)" "$(ps -o user= -p "$snmpd_pid" | tr -d ' ')"
if [ -S "$agentx_socket" ]; then
	echo "ok: the AgentX socket $agentx_socket is there"
else
	fail "no AgentX socket at $agentx_socket"
fi
out=$(snmpget "${snmp[@]}" -On "127.0.0.1:$snmpd_port" .1.3.6.1.2.1.1.3.0 2>&1)
case $out in
*'.1.3.6.1.2.1.1.3.0 = Timeticks: '*) echo "ok: snmpd answers sysUpTime.0: $out" ;;
*) fail "snmpd does not answer sysUpTime.0: $out" ;;
esac
# IF-MIB's ifDescr, by number: this host's interfaces, loopback among them.
out=$(snmpwalk "${snmp[@]}" -On "127.0.0.1:$snmpd_port" .1.3.6.1.2.1.2.2.1.2 2>&1)
if printf '%s\n' "$out" | grep -q '^\.1\.3\.6\.1\.2\.1\.2\.2\.1\.2\.[0-9]* = STRING: "\?lo"\?$'; then
	echo "ok: an IF-MIB walk lists $(printf '%s\n' "$out" | wc -l) interfaces, lo among them"
else
	fail "an IF-MIB walk does not list lo: $out"
fi
# The walk a user does to find a row, with the MIB.
out=$(snmpwalk "${snmp[@]}" -M "+$mibdirs" -m +VAKT-MIB "127.0.0.1:$snmpd_port" vaktMetricKey 2> /dev/null)
if printf '%s\n' "$out" | grep -qxF "VAKT-MIB::vaktMetricKey.$queue = STRING: $queue_key"; then
	echo "ok: snmpwalk -m +VAKT-MIB vaktMetricKey shows the Celery queue's row as the templates say"
else
	fail "snmpwalk -m +VAKT-MIB vaktMetricKey says: $out"
fi
out=$(snmpget "${snmp[@]}" -M "+$mibdirs" -m +VAKT-MIB "127.0.0.1:$snmpd_port" \
	"VAKT-MIB::vaktMetricGauge.$load" 2> /dev/null)
# net-snmp writes "d-3" of 570 without the 0 before the point.
check "the DISPLAY-HINT of vaktMetricGauge shows the value" \
	"VAKT-MIB::vaktMetricGauge.$load = INTEGER: .570" "$out"

stop_snmpd
if snmpget -v2c -c public -t 1 -r 0 -On "127.0.0.1:$snmpd_port" .1.3.6.1.2.1.1.3.0 > /dev/null 2>&1; then
	fail "something still answers on port $snmpd_port after stop_snmpd"
else
	echo "ok: nothing answers on port $snmpd_port after stop_snmpd"
fi
if snmpd_on "$snmpd_port"; then
	echo "ok: snmpd_on starts snmpd again on port $snmpd_port"
else
	fail "snmpd_on does not start snmpd again on port $snmpd_port"
fi

# ---------------------------------------------------------------- check_snmp

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

if [ ! -x "$check_snmp" ]; then
	missing="$missing check_snmp(monitoring-plugins-standard)"
elif [ -r "$nagios_cfg" ]; then
	line=$(nagios_line vakt_check_snmp_metric "$queue" 1000 5000 public "-l queue_depth")
	case $line in
	"$check_snmp "*"-o $base.1.1.1.6.$queue "*) echo "ok: vakt_check_snmp_metric runs: $line" ;;
	*) fail "vakt_check_snmp_metric runs: $line" ;;
	esac
	# The Celery queue at 1204, and a load of 0.57.
	metric_check "a depth of 1204 over 1000 is WARNING" 1 \
		"^SNMP WARNING - queue_depth \*1204\* \| queue_depth=1204;1000;5000" "$queue" 1000 5000 "-l queue_depth"
	metric_check "under both thresholds is OK" 0 \
		"^SNMP OK - queue_depth 1204 \| queue_depth=1204;2000;5000" "$queue" 2000 5000 "-l queue_depth"
	metric_check "over critical is CRITICAL" 2 \
		"^SNMP CRITICAL - queue_depth \*1204\* \| queue_depth=1204;500;1000" "$queue" 500 1000 "-l queue_depth"
	metric_check "a fraction is compared as it is (0.57 > 0.5)" 1 \
		"^SNMP WARNING - load1 \*0\.57\* \| load1=0\.57;0\.5;1" "$load" 0.5 1 "-l load1"
	metric_check "a row that is not there is UNKNOWN" 3 "No Such (Instance|Object)" 1.2 10 20
	# vaktMetricGauge holds the value times 1000.
	run_check "vaktMetricGauge with -M 0.001 -f %.3f: 0.570 > 0.5 is WARNING" 1 "^SNMP WARNING - \*0\.570\*" \
		"$check_snmp" -H 127.0.0.1 -p "$snmpd_port" -P 2c -C public -o "$base.1.1.1.8.$load" \
		-M 0.001 -f %.3f -w 0.5 -c 1
	run_check "vaktMetricGauge with -M 0.001 -f %.3f: 0.570 < 0.6 is OK" 0 "^SNMP OK - 0\.570" \
		"$check_snmp" -H 127.0.0.1 -p "$snmpd_port" -P 2c -C public -o "$base.1.1.1.8.$load" \
		-M 0.001 -f %.3f -w 0.6 -c 1
fi

# The Icinga example uses the ITL's CheckCommand "snmp": each variable it
# sets must be one that command reads (Icinga ignores any other).
itl=/usr/share/icinga2/include/command-plugins.conf
if [ ! -r "$itl" ]; then
	missing="$missing icinga2(ITL)"
elif [ -r "$icinga_conf" ]; then
	cmd_block=$(sed -n '/^object CheckCommand "snmp" {/,/^}/p' "$itl")
	vars=$(sed -n '/apply Service "celery-redis-snmp"/,/^ \* }/p' "$icinga_conf" | grep -o 'vars\.snmp_[a-z_]*' | sort -u)
	[ -n "$vars" ] || fail "no example of the ITL's snmp CheckCommand in $icinga_conf"
	for v in $vars; do
		printf '%s\n' "$cmd_block" | grep -q "\\\$${v#vars.}\\\$" ||
			fail "the ITL's CheckCommand snmp has no \$${v#vars.}\$"
	done
	echo "ok: the ITL's CheckCommand snmp reads every variable of the example:" $vars
fi

monitors_finish 77
