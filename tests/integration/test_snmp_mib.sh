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
# - the Icinga example sets only variables the ITL's CheckCommand snmp reads.
# What snmpwalk -m +VAKT-MIB and check_snmp (with the Nagios template's
# command line) make of the rows of a real vaktd is test_vaktd_snmp.sh's.
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
missing=""

# SNMPv2-SMI, SNMPv2-TC, SNMPv2-CONF and NET-SNMP-MIB: $smi_dir, $netsnmp_dir, $mibdirs.
require_mibs

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

start_snmpd
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
