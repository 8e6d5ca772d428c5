#!/usr/bin/env bash
# Usage: bench/snmp.sh [BUILDDIR]
#
# What vaktd's AgentX subagent costs. It starts three private snmpd and
# vaktd: master a, with vaktd registered as its subagent serving about
# METRICS series (the default collectors plus the [listen] rows of
# tests/integration/holdsock's listeners); master b, without IF-MIB; and
# snmpd -X, an AgentX subagent of b serving IF-MIB: net-snmp's own code on
# the path vaktd's rows take. Then it times with hyperfine -N, each a
# whole client process:
#   snmpget       sysUpTime.0               the master's own single answer
#   snmpget       one vakt row              load1's value, through a to vaktd
#   curl          /api/v1/metrics/load1     the same value over HTTP
#   snmpwalk      IF-MIB interfaces         of a itself (IFACES bridges and
#                                           lo), and of b through snmpd -X
#   snmpwalk      the vakt subtree          every row of VAKT-MIB
#   snmpbulkwalk  the same three, GETBULK
#   curl          /api/v1/metrics           every vakt value over HTTP
# A walk's cost per varbind is (walk - the master's snmpget) / varbinds:
# what each further varbind costs, without the client's start-up.
# Then it walks the vakt subtree until vaktd has answered REQUESTS
# AgentX requests (one a varbind returned: net-snmp's master forwards a
# GETBULK to a subagent as one AgentX GetNext a repetition) while new
# snapshots arrive every 5 s, and compares vaktd's resident memory before
# and after.
#
# Goals (from the issue): the subagent adds no more than the master's own
# per-varbind cost (a vakt varbind costs at most twice one of the master's
# own IF-MIB), and vaktd's memory stays flat over 100,000 requests (grows
# at most FLAT_KIB). And, since every AgentX subagent pays the same round
# trips: a vakt varbind costs at most 1.3 x one from snmpd -X.
#
# It all runs in a network namespace of its own (unshare -rn): the
# listeners, the bridges and the servers neither see the host's nor are
# seen. BUILDDIR is where agent/vaktd was built (default: the repository
# root, for an in-tree build). Environment knobs:
#   METRICS      series to serve, about (default: 1000)
#   IFACES       bridges to add for the IF-MIB walks (default: 100)
#   RUNS         measured runs of each get and HTTP request (default: 200)
#   WALK_RUNS    measured runs of each walk (default: 5)
#   WARMUP       unmeasured runs of each first (default: 2)
#   REQUESTS     AgentX requests for the memory run (default: 100000)
#   FLAT_KIB     most VmRSS may grow over them (default: 256)
#   KEEP         set to 1 to keep the temporary directory (logs)
#
# This is a benchmark, not a test: it exits 0 whether or not the goals are
# met, 1 if a server does not start or a command fails, 2 if a tool or
# program is missing (or vaktd was built without net-snmp).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
set_builddir "$@"
metrics=${METRICS:-1000}
ifaces=${IFACES:-100}
runs=${RUNS:-200}
peer_runs=${WALK_RUNS:-5}
warmup=${WARMUP:-2}
requests=${REQUESTS:-100000}
flat_kib=${FLAT_KIB:-256}
vaktd=$builddir/agent/vaktd
holdsock=$builddir/tests/integration/holdsock

# --- Prerequisites: say which Debian package provides what is missing. ------
# snmpd is in /usr/sbin, which a non-root PATH may lack.
PATH=$PATH:/usr/sbin
need hyperfine hyperfine
need curl curl
need jq jq
need awk gawk
need unshare util-linux
need ip iproute2
need snmpd snmpd
need snmpget snmp
need snmpwalk snmp
need snmpbulkwalk snmp
need_file "$vaktd" "run make first (or pass BUILDDIR)"
need_file "$holdsock" "run make check (or make tests/integration/holdsock) first"
[ "$missing" = 0 ] || exit 2
printf '[snmp]\nenabled = yes\n' >"${TMPDIR:-/tmp}/vakt-bench-snmp.$$.conf"
if "$vaktd" --check-config -c "${TMPDIR:-/tmp}/vakt-bench-snmp.$$.conf" 2>&1 | grep -q 'without net-snmp'; then
	rm -f "${TMPDIR:-/tmp}/vakt-bench-snmp.$$.conf"
	echo "$0: $vaktd was built without net-snmp: apt-get install libsnmp-dev, configure again" >&2
	exit 2
fi
rm -f "${TMPDIR:-/tmp}/vakt-bench-snmp.$$.conf"

if [ -z "${VAKT_NETNS:-}" ]; then
	if ! unshare -rn true 2>/dev/null; then
		echo "$0: cannot make a network namespace (unshare -rn)" >&2
		exit 2
	fi
	VAKT_NETNS=1 exec unshare -rn "$0" "$@"
fi
ip link set lo up
for i in $(seq "$ifaces"); do
	if ! ip link add "vbr$i" type bridge 2>/dev/null; then
		echo "$0: cannot add bridge interfaces in the namespace (ip link add type bridge)" >&2
		exit 2
	fi
done

# --- Servers: started here, on free loopback ports, stopped on any exit. ----
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vakt-bench-snmp.XXXXXX")
mkdir "$tmp/out"
pids=()
trap stop_pids EXIT
trap 'exit 130' INT TERM

# The tools read no MIB file: every OID here is numeric.
export MIBS='' MIBDIRS=$tmp/no-mibs
base=.1.3.6.1.4.1.8072.9999.9999.5638
sport="" sport_b="" vport=""
free_port sport sport_b vport
snmp=(-v2c -c public -On -t 5 -r 0 "127.0.0.1:$sport")
snmp_b=(-v2c -c public -On -t 5 -r 0 "127.0.0.1:$sport_b")

# snmpd_start NAME PORT|of:MASTER SNMPD-ARGS...: an snmpd of its own, with
# its files in $tmp/NAME*: a master on udp 127.0.0.1:PORT and AgentX on
# $tmp/NAME.sock, or an AgentX subagent of the master called MASTER; until
# it answers (or says it connected).
snmpd_start() {
	local name=$1 port=$2 pid
	shift 2
	mkdir "$tmp/$name"
	if [ "${port#of:}" != "$port" ]; then
		echo "agentXSocket $tmp/${port#of:}.sock" >"$tmp/$name.conf"
	else
		cat >"$tmp/$name.conf" <<-EOF
			master agentx
			agentXSocket $tmp/$name.sock
			agentaddress udp:127.0.0.1:$port
			rocommunity public 127.0.0.1
			dontLogTCPWrappersConnects yes
		EOF
	fi
	SNMP_PERSISTENT_DIR=$tmp/$name snmpd -f -C -c "$tmp/$name.conf" -m '' "$@" \
		-Lf "$tmp/$name.log" -p "$tmp/$name.pid" >"$tmp/$name.out" 2>&1 &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 100); do
		if [ -s "$tmp/$name.pid" ]; then
			if [ "${port#of:}" != "$port" ]; then
				grep -q 'subagent connected' "$tmp/$name.log" && return 0
			elif snmpget -v2c -c public -t 1 -r 0 "127.0.0.1:$port" .1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; then
				return 0
			fi
		fi
		alive "$pid" || break
		sleep 0.1
	done
	echo "$0: snmpd ($name) did not start; its log:" >&2
	cat "$tmp/$name.log" "$tmp/$name.out" >&2
	exit 1
}

# a: the master vaktd registers with, and the reference: its own IF-MIB.
snmpd_start a "$sport" -I -smux
spid=$(cat "$tmp/a.pid")
# b: a master without IF-MIB, and c: snmpd as an AgentX subagent of b
# serving it, net-snmp's own code on the same path as vaktd's rows.
snmpd_start b "$sport_b" -I -smux,interfaces,ifTable,ifXTable
snmpd_start c of:b -X -I interfaces,ifTable,ifXTable

# A collection every 5 s: the memory run sees the rows rebuilt for new
# snapshots, not one generation served over and over.
cat >"$tmp/vaktd.conf" <<EOF
[collect]
interval = 5
[snmp]
enabled = yes
agentx_socket = $tmp/a.sock
EOF
"$vaktd" -f -c "$tmp/vaktd.conf" -l "127.0.0.1:$vport" 2>"$tmp/vaktd.log" &
vpid=$!
pids+=("$vpid")
url=http://127.0.0.1:$vport

# series: how many series vaktd serves now.
series() { curl -sf "$url/api/v1/metrics" | jq '.metrics | length'; }

for _ in $(seq 100); do
	grep -q 'registered with the AgentX master' "$tmp/vaktd.log" && [ -n "$(series 2>/dev/null)" ] && break
	alive "$vpid" || break
	sleep 0.1
done
if ! grep -q 'registered with the AgentX master' "$tmp/vaktd.log"; then
	echo "$0: vaktd did not start or register; its log:" >&2
	cat "$tmp/vaktd.log" >&2
	exit 1
fi

# The [listen] collector gives two series a listener.
have=$(series)
if [ "$metrics" -gt "$have" ]; then
	"$holdsock" listeners 40000 $(((metrics - have) / 2)) >"$tmp/hold.out" &
	pids+=($!)
	for _ in $(seq 600); do
		[ -s "$tmp/hold.out" ] && break
		sleep 0.1
	done
	[ -s "$tmp/hold.out" ] || {
		echo "$0: holdsock did not open its listeners" >&2
		exit 1
	}
	echo "waiting for vaktd's next collection of the listeners..." >&2
	for _ in $(seq 300); do
		[ "$(series)" -ge $((metrics - 1)) ] && break
		sleep 0.1
	done
fi
have=$(series)

# load1's row: its key column names it; the value column (6) is asked.
row=$(snmpwalk "${snmp[@]}" "$base.1.1.1.3" | awk -F' = ' '$2 == "STRING: \"vakt_load1\"" { print $1 }')
if [ -z "$row" ]; then
	echo "$0: no vakt_load1 row in the subtree" >&2
	exit 1
fi
value_oid=${row/$base.1.1.1.3./$base.1.1.1.6.}

# --- Measure. ----------------------------------------------------------------
# Each row: NAME, KIND (get, or walk: fewer runs), the answer to expect (an
# extended regular expression the output must match, or nothing), VARBINDS
# (which walk's count divides it: if, vakt, or nothing), and the command.
rows=(
	"snmpget sysUpTime.0 (master)|get||||snmpget ${snmp[*]} .1.3.6.1.2.1.1.3.0"
	"snmpget vakt load1 value|get|STRING: \"[0-9.e+-]+\"|||snmpget ${snmp[*]} $value_oid"
	"curl /api/v1/metrics/load1|get|\"name\":\"load1\"|||curl -sf $url/api/v1/metrics/load1"
	"snmpwalk IF-MIB (master)|walk|INTEGER|if|wif|snmpwalk ${snmp[*]} .1.3.6.1.2.1.2"
	"snmpwalk IF-MIB (snmpd -X subagent)|walk|INTEGER|if|wsub|snmpwalk ${snmp_b[*]} .1.3.6.1.2.1.2"
	"snmpwalk vakt subtree|walk|STRING: \"vakt_|vakt|wvakt|snmpwalk ${snmp[*]} $base"
	"snmpbulkwalk IF-MIB (master)|walk|INTEGER|if|bif|snmpbulkwalk ${snmp[*]} .1.3.6.1.2.1.2"
	"snmpbulkwalk IF-MIB (snmpd -X subagent)|walk|INTEGER|if|bsub|snmpbulkwalk ${snmp_b[*]} .1.3.6.1.2.1.2"
	"snmpbulkwalk vakt subtree|walk|STRING: \"vakt_|vakt|bvakt|snmpbulkwalk ${snmp[*]} $base"
	"curl /api/v1/metrics|get|\"name\":\"listen_queue\"|||curl -sf $url/api/v1/metrics"
)
names=() kinds=() cmds=() wants=() per_of=() tags=()
for r in "${rows[@]}"; do
	IFS='|' read -r n k w v t c <<<"$r"
	names+=("$n") kinds+=("$k") wants+=("$w") per_of+=("$v") tags+=("$t") cmds+=("$c")
done
failed=0
for i in "${!cmds[@]}"; do
	run_first "$i" "${wants[i]}" "an answer"
	cp "$tmp/first" "$tmp/first.$i"
done
[ "$failed" = 0 ] || exit 1
# Varbinds each walk returned (a walk of n of them asks n + 1 times); the
# two IF-MIB walks, through the master's own code and through the
# subagent, must see the same table.
vb_if=$(grep -c ' = ' "$tmp/first.3")
vb_vakt=$(grep -c ' = ' "$tmp/first.5")
if [ "$(grep -c ' = ' "$tmp/first.4")" != "$vb_if" ]; then
	echo "$0: IF-MIB through snmpd -X has $(grep -c ' = ' "$tmp/first.4") varbinds, through the master $vb_if" >&2
	exit 1
fi

rss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$vpid/status"; }
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_start=$(rss)
measure walk

# The memory run: whole walks until vaktd has answered $requests requests.
rss_before=$(rss)
asked=0 walks=0
c0=$(cpu "$vpid") s0=$(cpu "$spid")
t0=$(date +%s.%N)
echo "memory run: walks of the vakt subtree, $requests AgentX requests..." >&2
while [ "$asked" -lt "$requests" ]; do
	n=$(snmpbulkwalk "${snmp[@]}" "$base" | grep -c ' = ') || {
		echo "$0: a walk of the vakt subtree failed" >&2
		exit 1
	}
	asked=$((asked + n + 1)) walks=$((walks + 1))
done
t1=$(date +%s.%N)
c1=$(cpu "$vpid") s1=$(cpu "$spid")
rss_after=$(rss)
rss_peak=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$vpid/status")
hz=$(getconf CLK_TCK)

# --- Report. -----------------------------------------------------------------
# A walk's cost per varbind: (walk - the master's snmpget) / varbinds, in µs.
declare -A per
for i in "${!cmds[@]}"; do
	[ -n "${per_of[i]}" ] || continue
	vb=$vb_if
	[ "${per_of[i]}" = if ] || vb=$vb_vakt
	per[${tags[i]}]=$(awk -v w="${wall[i]}" -v g="${wall[0]}" -v n="$vb" \
		'BEGIN { printf "%.1f", (w - g) * 1000 / n }')
done
echo
echo "vakt SNMP subagent benchmark, $(date -u +%Y-%m-%d), $(uname -sr), $(nproc) CPUs, $("$vaktd" -V), $(snmpd -v | awk '/version:/ { print "net-snmp " $NF; exit }')"
echo "vaktd serves $have series: the vakt subtree walks to $vb_vakt varbinds;" \
	"IF-MIB interfaces ($ifaces bridges and lo) to $vb_if"
echo "hyperfine -N, $warmup warmup runs; $runs runs a get, $peer_runs a walk"
echo "load average before: $load_start, after: $load_end (a busy machine skews the numbers)"
[ "$outliers" = 0 ] || echo "hyperfine saw outliers in $outliers of the rows"
echo
printf '%-40s %11s %9s %13s\n' "" "mean ms" "sd ms" "µs / varbind"
for i in "${!cmds[@]}"; do
	printf '%-40s %11.3f %9.3f %13s\n' "${names[i]}" "${wall[i]}" "${sd[i]}" "${per[${tags[i]:-none}]:-}"
done
echo
echo "per varbind, vakt over the master's own IF-MIB: snmpwalk $(ratio "${per[wvakt]}" "${per[wif]}" %.2f)x," \
	"snmpbulkwalk $(ratio "${per[bvakt]}" "${per[bif]}" %.2f)x"
echo "per varbind, vakt over IF-MIB from snmpd -X: snmpwalk $(ratio "${per[wvakt]}" "${per[wsub]}" %.2f)x," \
	"snmpbulkwalk $(ratio "${per[bvakt]}" "${per[bsub]}" %.2f)x"
echo "one vakt value: snmpget $(ratio "${wall[1]}" "${wall[0]}" %.2f)x the master's own," \
	"$(ratio "${wall[1]}" "${wall[2]}" %.2f)x curl of the same value"
echo "every vakt value: snmpbulkwalk $(ratio "${wall[8]}" "${wall[9]}" %.1f)x curl /api/v1/metrics"
echo
awk -v v=$((c1 - c0)) -v s=$((s1 - s0)) -v hz="$hz" -v n="$asked" -v w="$walks" -v t0="$t0" -v t1="$t1" 'BEGIN {
	printf "memory run: %d walks, %d AgentX requests in %.1f s; CPU per request: vaktd %.1f µs, snmpd %.1f µs\n",
		w, n, t1 - t0, v / hz / n * 1e6, s / hz / n * 1e6
}'
echo "vaktd VmRSS: $rss_start KiB at start, $rss_before KiB before and $rss_after KiB after" \
	"the memory run (peak VmHWM $rss_peak KiB)"
echo
total=0 met=0
growth=$((rss_after - rss_before))
goal() { # goal TEXT MEASURED A OP G B: judge, and print a row
	judge "$3" "$4" "$5" "$6"
	printf '%-62s %-12s %s\n' "$1" "$2" "$verdict"
}
printf '%-62s %-12s %s\n' "goal" "measured" "result"
# The subagent adds (vakt - master) a varbind; at most the master's own
# cost means vakt at most twice the master's.
goal "snmpwalk: vakt a varbind <= 2 x the master's own" \
	"$(ratio "${per[wvakt]}" "${per[wif]}" %.2f)x" "${per[wvakt]}" "<=" 2 "${per[wif]}"
goal "snmpbulkwalk: vakt a varbind <= 2 x the master's own" \
	"$(ratio "${per[bvakt]}" "${per[bif]}" %.2f)x" "${per[bvakt]}" "<=" 2 "${per[bif]}"
goal "snmpwalk: vakt a varbind <= 1.3 x net-snmp's own subagent" \
	"$(ratio "${per[wvakt]}" "${per[wsub]}" %.2f)x" "${per[wvakt]}" "<=" 1.3 "${per[wsub]}"
goal "snmpbulkwalk: vakt a varbind <= 1.3 x net-snmp's own subagent" \
	"$(ratio "${per[bvakt]}" "${per[bsub]}" %.2f)x" "${per[bvakt]}" "<=" 1.3 "${per[bsub]}"
goal "VmRSS flat: +<= $flat_kib KiB over $asked requests" \
	"$(printf '%+d KiB' "$growth")" "$growth" "<=" 1 "$flat_kib"
echo "$met of $total goals met"
exit 0
