#!/bin/bash
# check_load against this machine's real /proc: output shape, thresholds that
# must and must not fire, per-CPU normalisation and pressure stall information.
. "$(dirname "$0")/lib.sh"
c=$plugins/check_load
num='[0-9]+(\.[0-9]+)?'
cpus=$(getconf _NPROCESSORS_ONLN)

expect "plain run is OK with load perfdata" 0 \
	"^LOAD OK - load average: $num, $num, $num \| load1=$num;;;0 load5=$num;;;0 load15=$num;;;0 procs_running=$num;;;0 procs=$num;;;0$" \
	"$c"
expect "thresholds repeated in perfdata" 0 "load1=$num;900;1000;0 load5=$num;800;900;0 load15=$num;700;800;0" \
	"$c" -w 900,800,700 -c 1000,900,800
expect "a range that always fires gives WARNING" 1 "^LOAD WARNING - load1 $num \(inside 0:\), load5 .*load15 .*load average" \
	"$c" -w @0:
expect "critical wins over warning" 2 "^LOAD CRITICAL - load1 .*\(inside 0:\)" "$c" -w @0: -c @0:
expect "per-metric threshold" 2 "^LOAD CRITICAL - procs $num \(< 1000000\)" "$c" -c procs=1000000:
expect "per CPU names the CPU count" 0 "^LOAD OK - load average per CPU \($cpus CPUs\)" "$c" -r -w 100 -c 200

if [ -r /proc/pressure/cpu ]; then
	expect "cpu pressure" 0 "^LOAD OK - cpu pressure $num%, $num%, $num% \(some tasks stalled, 10 s, 60 s, 300 s\) \| pressure_some_avg10=$num%;;;0;100 " \
		"$c" --pressure cpu
	expect "io pressure thresholds" 1 "^LOAD WARNING - pressure_some_avg10 $num% \(inside 0:\)" \
		"$c" --pressure io -w @0:,100,100
	expect "pressure full thresholds by name" 2 "pressure_full_avg60 $num% \(inside 0:100\)" \
		"$c" --pressure memory -c pressure_full_avg60=@0:100
else
	expect "kernel without PSI is UNKNOWN" 3 "^LOAD UNKNOWN - this kernel has no pressure stall information" \
		"$c" --pressure cpu
fi
expect "unknown pressure resource" 3 "^LOAD UNKNOWN - invalid --pressure 'gpu'" "$c" --pressure gpu
expect "two ranges where three are expected" 3 "^LOAD UNKNOWN - '5,4' has 2 comma-separated ranges" "$c" -w 5,4

# The same verdict through the agent's check endpoint (check_vakt --check
# load): the load moves between two reads, so numbers are compared as N;
# states, words, perfdata labels and thresholds byte for byte.
if [ -x "$plugins/check_vakt" ]; then
	pressure=""
	[ -r /proc/pressure/cpu ] && pressure="pressure = cpu, io, memory"
	printf '[collect]\ninterval = 1\n[load]\n%s\n' "$pressure" > "$tmp/vaktd.conf"
	start_vaktd "$tmp/vaktd.conf"
	n='s/[0-9]+(\.[0-9]+)?/N/g'
	same_verdict "agent: load average" "$n" load "" -- "$c" -- -w 1000 -c 2000
	same_verdict "agent: a range that always fires" "$n" load "" -- "$c" -- -w @0: -c procs=1000000:
	same_verdict "agent: per CPU, verbose" "$n" load "" -- "$c" -- --per-cpu -v -w 100,200,300
	if [ -n "$pressure" ]; then
		same_verdict "agent: io pressure" "$n" load "" -- "$c" -- --pressure=io -w @0:,100,100
		same_verdict "agent: full pressure by name" "$n" load "" -- "$c" -- \
			--pressure=memory -c pressure_full_avg60=@0:100
	fi
	expect "agent: an option that is not the judgement's is refused" 0 \
		"^LOAD UNKNOWN - unknown option 'timeout'" \
		curl -s "$url/api/v1/check/load?format=nagios&timeout=5"
	expect "agent: a threshold on the other mode's metric" 3 \
		"^VAKT UNKNOWN - a threshold on load1 needs load average mode" \
		"$plugins/check_vakt" -H 127.0.0.1 -p "$port" --check load --option pressure=cpu -w load1=5
fi
finish
