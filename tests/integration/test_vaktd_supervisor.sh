#!/bin/sh
# vaktd's [supervisor NAME] against a real supervisord, over its unix
# socket and over its inet_http_server with a login: the metrics it
# publishes, and its check endpoint, which must say what check_supervisor
# says (check_vakt --check supervisor against the plugin, byte for byte but
# for the time in a state); then supervisord gone.
. "$(dirname "$0")/lib.sh"
require_built "$plugins/check_supervisor" "$plugins/check_vakt" "$vaktd_bin"
require_tools supervisord supervisorctl curl

http_port=$(pick_port) || exit 1
start_supervisord "$(sup_programs "$http_port")"
printf 'right-password\n' > "$tmp/pw"
chmod 600 "$tmp/pw"
sup_wait dies FATAL || fail "dies did not reach FATAL"
for i in 0 1 2 3; do
	sup_wait "celery-worker:celery-worker_0$i" RUNNING || fail "celery-worker_0$i did not start"
done

cat > "$tmp/vaktd.conf" << CONF
[supervisor workers]
socket = $sup_sock
interval = 1
timeout = 1
[supervisor web]
url = http://127.0.0.1:$http_port/RPC2
user = vakt
password_file = $tmp/pw
flap_window = 5
interval = 1
timeout = 1
CONF
start_vaktd "$tmp/vaktd.conf"
for _ in $(seq 100); do
	curl -s "$url/metrics" > "$tmp/metrics"
	grep -q '^vakt_supervisor_up{target="web"} 1$' "$tmp/metrics" &&
		grep -q '^vakt_supervisor_up{target="workers"} 1$' "$tmp/metrics" && break
	sleep 0.1
done
expect_lines "vaktd /metrics" "$tmp/metrics" \
	'^vakt_supervisor_up\{target="workers"\} 1$' \
	'^vakt_supervisor_state\{state="RUNNING",target="workers"\} 1$' \
	'^vakt_supervisor_process_running\{group="healthy",name="healthy",target="workers"\} 1$' \
	'^vakt_supervisor_process_state_seconds\{group="dies",name="dies",state="FATAL",target="workers"\} [0-9]+$' \
	'^vakt_supervisor_process_log\{group="dies",name="dies",spawnerr="Exited too quickly \(process log may have details\)",tail="",target="workers"\} 1$' \
	'^vakt_supervisor_process_start_time_seconds\{group="healthy",name="healthy",target="workers"\} [0-9]{10}$' \
	'^vakt_supervisor_process_exit_status\{group="healthy",name="healthy",target="workers"\} 0$' \
	'^vakt_supervisor_process_restarts\{group="healthy",name="healthy",target="workers"\} 1$' \
	'^vakt_supervisor_flap_window_seconds\{target="workers"\} 600$' \
	'^vakt_supervisor_group_running\{group="celery-worker",target="workers"\} 4$' \
	'^vakt_supervisor_group_running_pct_ratio\{group="celery-worker",target="workers"\} 1$' \
	'^vakt_supervisor_group_processes\{group="celery-worker",target="workers"\} 4$' \
	'^vakt_supervisor_process_running\{group="healthy",name="healthy",target="web"\} 1$' \
	'^vakt_supervisor_flap_window_seconds\{target="web"\} 300$'

# The check endpoint judges as the plugin does. The time in a state and the
# restarts counted (the plugin's state file, the agent's memory) may differ.
norm='s/ for [0-9]+ (s|min)/ for N/g; s/(supervisor_process_restarts_[^=]*)=[0-9]+/\1=N/g'
same_verdict "every process: dies FATAL" "$norm" supervisor workers -- \
	"$plugins/check_supervisor" -s "$sup_sock" --state-dir "$tmp" --
same_verdict "--program healthy" "$norm" supervisor workers -- \
	"$plugins/check_supervisor" -s "$sup_sock" --state-dir "$tmp" -- --program=healthy
same_verdict "--group celery-worker --min-running 2, all running" "$norm" supervisor workers -- \
	"$plugins/check_supervisor" -s "$sup_sock" --state-dir "$tmp" -- --group=celery-worker --min-running=2
sup_ctl stop celery-worker:celery-worker_01 > /dev/null
sup_wait celery-worker:celery-worker_01 STOPPED || fail "celery-worker_01 did not stop"
same_verdict "3 of 4 running: WARNING" "$norm" supervisor workers -- \
	"$plugins/check_supervisor" -s "$sup_sock" --state-dir "$tmp" -- --group=celery-worker --min-running=2
same_verdict "--expect-running: CRITICAL" "$norm" supervisor workers -- \
	"$plugins/check_supervisor" -s "$sup_sock" --state-dir "$tmp" -- --group=celery-worker '--expect-running=celery-worker:*'
same_verdict "over http with a login" "$norm" supervisor web -- \
	"$plugins/check_supervisor" -u "http://127.0.0.1:$http_port/RPC2" --user vakt --password-file "$tmp/pw" --state-dir "$tmp" -- --program=healthy -w 5
expect "the endpoint: 3 of 4 running is WARNING" 1 \
	"^SUPERVISOR WARNING - celery-worker processes running: 75% \(< 100\), 3 of 4 running \|" \
	"$plugins/check_vakt" -H 127.0.0.1 -p "$port" --check supervisor --instance workers \
	--option group=celery-worker --option min-running=2
expect "the endpoint: the section says where supervisord is, not the client" 3 "socket" \
	"$plugins/check_vakt" -H 127.0.0.1 -p "$port" --check supervisor --instance workers \
	--option socket=/tmp/x

# supervisord gone: the collector fails, and the endpoint says why.
stop_pid "$sup_pid"
gone=""
for _ in $(seq 100); do
	out=$("$plugins/check_vakt" -H 127.0.0.1 -p "$port" --check supervisor --instance workers 2>&1)
	case $out in
	*"cannot connect to $sup_sock"*)
		gone=1
		break
		;;
	esac
	sleep 0.2
done
if [ -n "$gone" ]; then
	echo "ok: supervisord gone: $(printf '%s\n' "$out" | head -1)"
else
	fail "the endpoint never said supervisord is gone: $out"
fi

# It stops cleanly: in a sanitizer build, what the collector leaked or
# misread would show here.
vaktd_stops_cleanly
finish
