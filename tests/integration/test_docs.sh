#!/bin/bash
# Every example of README.md, of the man pages (their .EX blocks) and of the
# plugins' --help is run, so that none can drift from what the programs do.
#
# The convention the documents follow (doc_blocks.py sorts the blocks):
# - A line that starts with "$ " is a command a user types, continued by a
#   trailing backslash; the lines up to the next "$ " are what it prints.
#   - check_*: run with the built plugin. It must accept the command line
#     (no usage error, exit 0 to 3) and print the status line of the
#     documented service ("REDIS ..." where the document shows "REDIS OK").
#     Host names become 127.0.0.1, and files under /etc (password, token,
#     defaults files) are made, holding "not-the-secret", in a scratch
#     directory that stands in for /etc. check_redis, check_nginx,
#     check_haproxy and check_vakt examples are pointed at a real Redis
#     (open, and one whose password is not-the-secret), nginx, HAProxy and
#     vaktd started here, and must reach them, unless the document shows a
#     failure to connect or they use TLS; the others have no server.
#   - vaktd --check-config -c FILE: run on FILE as a "$ cat FILE" before it
#     in the same block shows it; "configuration OK" must then be the
#     answer. Other vaktd command lines: the options must parse.
#   - curl: run against a vaktd started for this test (127.0.0.1:9333 and
#     localhost:9333 are its address); it must answer, and not with 400.
#   - cat FILE: the lines after it are FILE's content.
#   - anything else (kill, setcap) is shown, not run.
# - A ```sh block of README.md: one command per line, # starts a comment;
#   vaktd lines as above, scripts (scripts/, packaging/) must exist.
# - A ```ini block, or a block whose section headers are all vaktd.conf
#   sections: vaktd --check-config must accept it without a warning (files
#   it names made as above).
# - A block with Nagios object definitions: nagios4 -v must accept it with
#   the built vakt-commands.cfg. A block with Icinga 2 objects: icinga2
#   daemon -C, with the built vakt-commands.conf in place of the installed
#   one.
# - Anything else (sample output, SQL, JSON) is not run.
# The plugins' --help Examples are commands as above, without "$ ".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/monitors.sh"
src=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
vaktd=$top_builddir/agent/vaktd
nagios_cfg=$top_builddir/templates/nagios/vakt-commands.cfg
icinga_conf=$top_builddir/templates/icinga2/vakt-commands.conf
etc=$tmp/etc
blocks=$tmp/blocks
missing=""
vaktd_up=""
# A status line that says the server was not reached.
unreached='cannot connect|[Cc]onnection refused|timed out|cannot resolve|not known'
args=()
ran=0
require_tools python3

# The file FILE stands for in the scratch /etc (a path under /etc/ moves
# under $etc; others stay).
sandbox_path() {
	case $1 in
	/etc/*) printf '%s\n' "$etc/${1#/etc/}" ;;
	*) printf '%s\n' "$1" ;;
	esac
}

# make_file PATH: create the scratch file PATH stands for, unless a block
# made it: a password, token or key file (mode 600) or a [client] file.
make_file() {
	local f
	f=$(sandbox_path "$1")
	[ "$f" != "$1" ] || return 0
	[ -e "$f" ] && return 0
	mkdir -p "$(dirname "$f")"
	case $f in
	*.cnf) printf '[client]\nuser = nagios\n' > "$f" ;;
	*) printf 'not-the-secret\n' > "$f" ;;
	esac
	chmod 600 "$f"
}

# split_words LINE: print the words of a shell command line, one per line,
# quotes removed and nothing expanded, up to the first |, ; or &&.
split_words() {
	python3 -c '
import shlex, sys
lex = shlex.shlex(sys.argv[1], posix=True, punctuation_chars=True)
lex.whitespace_split = True
for w in lex:
    if w in ("|", "||", ";", "&&", "&", ">", "<", ">>"):
        break
    print(w)
' "$1"
}

# live PROG: start, once, the real server the examples of PROG talk to,
# where one starts in a second (Redis, nginx, HAProxy, and the agent), and
# say whether there is one. Redis runs twice: open, and with the password
# the example password files hold.
live() {
	case $1 in
	check_redis)
		command -v redis-server > /dev/null || return 1
		if [ -z "${redis_open:-}" ]; then
			start_redis --unixsocket "$tmp/redis-open.sock"
			redis_open=$redis_port
			start_redis --unixsocket "$tmp/redis-pw.sock" --requirepass not-the-secret
			redis_pw=$redis_port
		fi
		;;
	check_nginx)
		command -v nginx > /dev/null || return 1
		[ -n "${nginx_port:-}" ] || start_nginx
		;;
	check_haproxy)
		command -v haproxy > /dev/null && command -v nginx > /dev/null || return 1
		[ -n "${nginx_port:-}" ] || start_nginx
		[ -n "${haproxy_sock:-}" ] || start_haproxy "backend app
	server app1 127.0.0.1:$nginx_port check"
		;;
	check_vakt)
		[ -x "$vaktd" ] || return 1
		start_doc_vaktd
		;;
	*) return 1 ;;
	esac
}

# retarget PROG: rewrite args (set by run_check) to talk to the live server
# of PROG instead of the example's: its host, port, socket or URL. Returns 1
# when the example cannot be pointed there (TLS, which the live servers do
# not speak).
retarget() {
	local prog=$1 w prev="" addr=0 port_given=0 pw=0
	local -a out=()
	case " ${args[*]} " in *" --tls "* | *" https://"* | *"=https://"*) return 1 ;; esac
	case " ${args[*]} " in *" --password-file "* | *" --password-file="*) pw=1 ;; esac
	for w in "${args[@]}"; do
		case $prev in
		-H | --hostname)
			case $w in /*) addr=1 ;; esac
			case $prog:$w in
			check_redis:/*) [ "$pw" = 1 ] && w=$tmp/redis-pw.sock || w=$tmp/redis-open.sock ;;
			check_haproxy:/*) w=$haproxy_sock ;;
			*) w=127.0.0.1 ;;
			esac
			;;
		-p | --port)
			w=$(live_port "$prog" "$pw")
			port_given=1
			;;
		-u | --url)
			w=$(printf '%s\n' "$w" | sed -E "s#^http://[^/]*#http://127.0.0.1:$(live_port "$prog" "$pw")#")
			addr=1
			;;
		esac
		out+=("$w")
		prev=$w
	done
	# No socket, URL or port in the example: the plugin's default port or
	# socket, which is ours here.
	if [ "$addr" = 0 ] && [ "$port_given" = 0 ]; then
		case $prog in
		check_haproxy) out+=(-H "$haproxy_sock") ;;
		*) out+=(-p "$(live_port "$prog" "$pw")") ;;
		esac
	fi
	args=("${out[@]}")
}

# live_port PROG PASSWORD: the port of PROG's live server (Redis: the one
# with a password when PASSWORD is 1).
live_port() {
	case $1 in
	check_redis) [ "$2" = 1 ] && echo "$redis_pw" || echo "$redis_open" ;;
	check_nginx) echo "$nginx_port" ;;
	check_haproxy) echo "$haproxy_http" ;;
	check_vakt) echo "$port" ;;
	esac
}

# run_check WHERE OUTPUT WORD...: run an example command line of a plugin.
run_check() {
	local where=$1 doc=$2 prog out rc want w prev="" reach
	shift 2
	args=()
	prog=$(basename "$1")
	shift
	if [ ! -x "$plugins/$prog" ]; then
		echo "skip: $where: $prog is not built"
		return
	fi
	for w in "$@"; do
		case $prev in
		-H | --hostname)
			# A name of the example's world is 127.0.0.1 here.
			case $w in
			/* | *[0-9].[0-9]* | *:*) ;;
			*) w=127.0.0.1 ;;
			esac
			;;
		-u | --url)
			w=$(printf '%s\n' "$w" | sed -E 's#^(https?://)[A-Za-z][A-Za-z0-9.-]*#\1127.0.0.1#')
			;;
		esac
		case $w in
		/etc/*)
			make_file "$w"
			w=$(sandbox_path "$w")
			;;
		--*=/etc/*)
			make_file "${w#*=}"
			w=${w%%=*}=$(sandbox_path "${w#*=}")
			;;
		esac
		args+=("$w")
		prev=$w
	done
	# Where a real server is at hand and the document does not show a
	# failure to reach one, the example must reach it.
	reach=""
	if ! printf '%s\n' "$doc" | grep -Eq "$unreached" && live "$prog" && retarget "$prog"; then
		reach=" (live)"
	fi
	out=$(TMPDIR=$tmp timeout 60 "$plugins/$prog" -t 5 "${args[@]}" 2>&1)
	rc=$?
	ran=$((ran + 1))
	if [ -n "$reach" ] && printf '%s\n' "$out" | head -1 | grep -Eq "$unreached"; then
		fail "$where: $prog ${args[*]} does not reach the live server: ${out%%$'\n'*}"
		return
	fi
	if [ "$rc" -gt 3 ] || { printf '%s\n' "$out" | grep -q '^Usage: ' &&
		! printf '%s\n' "$doc" | grep -q '^Usage: '; }; then
		fail "$where: $prog ${args[*]} is not accepted (status $rc):"
		printf '%s\n' "$out" | head -5
		return
	fi
	want=$(printf '%s\n' "$doc" | sed -n '1s/^\([A-Z][A-Z0-9-]*\) \(OK\|WARNING\|CRITICAL\|UNKNOWN\) - .*/\1/p')
	if [ -n "$want" ] && [ "${out%% *}" != "$want" ]; then
		fail "$where: $prog ${args[*]} prints '${out%%$'\n'*}', the document a $want status line"
		return
	fi
	echo "ok: $where: $prog ${args[*]}$reach (${out:0:60})"
}

# snmp_ready: whether the SNMP examples can run here: snmpd and net-snmp's
# tools, a vaktd built with net-snmp, and the MIB files VAKT-MIB needs
# (find_mibs sets $mibdirs).
snmp_ready() {
	command -v snmpd > /dev/null && command -v snmpget > /dev/null || return 1
	printf '[snmp]\nenabled = yes\n' > "$tmp/snmp-probe.conf"
	"$vaktd" --check-config -c "$tmp/snmp-probe.conf" > /dev/null 2>&1 || return 1
	find_mibs
}

# start_doc_vaktd: the agent the curl and SNMP examples talk to, with its
# defaults, and, where snmp_ready, registered with a private snmpd
# (start_snmpd; snmp_on is then 1).
start_doc_vaktd() {
	[ -n "$vaktd_up" ] && return 0
	: > "$tmp/doc-vaktd.conf"
	snmp_on=""
	if snmp_ready; then
		start_snmpd
		printf '[snmp]\nenabled = yes\nagentx_socket = %s\n' "$agentx_socket" > "$tmp/doc-vaktd.conf"
		snmp_on=1
	fi
	start_vaktd "$tmp/doc-vaktd.conf"
	vaktd_up=1
	if [ -n "$snmp_on" ] && ! wait_lines "$tmp/vaktd.log" 'registered with the AgentX master' 1 20; then
		fail "the agent of the examples did not register with snmpd:"
		cat "$tmp/vaktd.log"
		snmp_on=""
	fi
	return 0
}

# snmp_skip WHERE WHAT: 0 and say why when the SNMP examples cannot run.
snmp_skip() {
	[ -x "$vaktd" ] && start_doc_vaktd && [ -n "$snmp_on" ] && return 1
	missing="$missing snmp(d)/VAKT-MIB's-imports"
	echo "skip: $1: $2 needs snmpd, net-snmp's tools, a vaktd with net-snmp and the MIB files"
	return 0
}

# run_snmp WHERE OUTPUT WORD...: an example of net-snmp's tools, asking the
# private snmpd (for localhost) with the MIB files found. It must succeed,
# and every "NAME = TYPE: VALUE" line the document shows must be in its
# answer with the same NAME and TYPE (values change; the rows of a walk
# piped to grep are a subset), whole for a vaktMetricKey; another line
# (snmptranslate's) whole.
run_snmp() {
	local where=$1 doc=$2 tool=$3 out line w
	shift 3
	local -a args=()
	snmp_skip "$where" "$tool" && return
	for w in "$@"; do
		[ "$w" = localhost ] && w=127.0.0.1:$snmpd_port
		args+=("$w")
	done
	ran=$((ran + 1))
	if ! out=$(MIBDIRS="+$mibdirs" timeout 30 "$tool" "${args[@]}" 2> "$tmp/snmp.err"); then
		fail "$where: $tool ${args[*]} fails:"
		cat "$tmp/snmp.err"
		return
	fi
	while IFS= read -r line; do
		case $line in
		'') continue ;;
		*::vaktMetricKey.*) w=$line ;;
		*' = '*': '*) w="${line%%: *}: " ;;
		*) w=$line ;;
		esac
		if ! printf '%s\n' "$out" | grep -qxF -- "$line" && ! printf '%s\n' "$out" | grep -qF -- "$w"; then
			fail "$where: $tool ${args[*]} does not answer '$line'; it says:"
			printf '%s\n' "$out" | head -5
			return
		fi
	done <<< "$doc"
	echo "ok: $where: $tool ${args[*]} ($(printf '%s\n' "$out" | wc -l) lines)"
}

# run_check_snmp WHERE OUTPUT WORD...: Monitoring Plugins' check_snmp, as
# the document runs it, asking the private snmpd (for -H localhost): the
# same status word as the document's.
run_check_snmp() {
	local where=$1 doc=$2 out w check_snmp=${CHECK_SNMP:-/usr/lib/nagios/plugins/check_snmp}
	shift 3
	local -a args=()
	snmp_skip "$where" check_snmp && return
	if [ ! -x "$check_snmp" ]; then
		missing="$missing monitoring-plugins-standard"
		echo "skip: $where: $check_snmp is not installed"
		return
	fi
	for w in "$@"; do
		[ "$w" = localhost ] && w=127.0.0.1
		args+=("$w")
	done
	ran=$((ran + 1))
	out=$(timeout 30 "$check_snmp" "${args[@]}" -p "$snmpd_port" 2>&1)
	if [ "${out%% - *}" != "${doc%% - *}" ]; then
		fail "$where: check_snmp ${args[*]} says '${out%%$'\n'*}', the document '${doc%%$'\n'*}'"
		return
	fi
	echo "ok: $where: check_snmp ${args[*]} (${out:0:60})"
}

# run_curl WHERE WORD...: an example request to the agent.
run_curl() {
	local where=$1 code w
	shift
	local -a args=()
	if [ ! -x "$vaktd" ]; then
		echo "skip: $where: vaktd is not built"
		return
	fi
	start_doc_vaktd
	for w in "$@"; do
		w=${w//127.0.0.1:9333/127.0.0.1:$port}
		w=${w//localhost:9333/127.0.0.1:$port}
		args+=("$w")
	done
	code=$(timeout 30 "${args[@]}" -s -o /dev/null -w '%{http_code}' 2>&1)
	ran=$((ran + 1))
	case $code in
	000 | 400 | "")
		fail "$where: ${args[*]} gets $code from the agent"
		;;
	*) echo "ok: $where: ${args[*]} ($code)" ;;
	esac
}

# run_vaktd WHERE OUTPUT WORD...: an example vaktd command line.
run_vaktd() {
	local where=$1 doc=$2 out rc w check=0 conf=""
	shift 3
	local -a args=()
	for w in "$@"; do
		case $w in
		--check-config) check=1 ;;
		esac
		case $w in
		/*) w=$(sandbox_path "$w") ;;
		esac
		args+=("$w")
	done
	for ((i = 0; i < ${#args[@]}; i++)); do
		case ${args[$i]} in
		-c | --config) conf=${args[$((i + 1))]:-} ;;
		esac
	done
	ran=$((ran + 1))
	if [ "$check" = 1 ] && [ -n "$conf" ] && [ -e "$conf" ]; then
		out=$(timeout 30 "$vaktd" "${args[@]}" 2>&1)
		rc=$?
		if printf '%s\n' "$doc" | grep -q 'configuration OK' && [ "$rc" -ne 0 ]; then
			fail "$where: vaktd ${args[*]} does not say the file is OK:"
			printf '%s\n' "$out"
			return
		fi
		echo "ok: $where: vaktd ${args[*]} ($rc)"
		return
	fi
	# The options must parse: -V, last, prints the version once they have.
	out=$(timeout 30 "$vaktd" "${args[@]}" -V 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ]; then
		fail "$where: vaktd does not take the options ${args[*]}:"
		printf '%s\n' "$out" | head -3
		return
	fi
	echo "ok: $where: vaktd ${args[*]} parses"
}

# run_command WHERE OUTPUT LINE: one example command line and what the
# document says it prints.
run_command() {
	local where=$1 doc=$2 line=$3 first f
	local -a words
	mapfile -t words < <(split_words "$line")
	[ "${#words[@]}" -gt 0 ] || return 0
	first=${words[0]}
	case $first in
	*/check_snmp) run_check_snmp "$where" "$doc" "${words[@]}" ;;
	check_* | */check_*) run_check "$where" "$doc" "${words[@]}" ;;
	snmpwalk | snmpget | snmptranslate) run_snmp "$where" "$doc" "${words[@]}" ;;
	vaktd | */vaktd) run_vaktd "$where" "$doc" "${words[@]}" ;;
	curl) run_curl "$where" "${words[@]}" ;;
	cat)
		f=$(sandbox_path "${words[1]}")
		mkdir -p "$(dirname "$f")"
		printf '%s\n' "$doc" > "$f.doc"
		prepare_conf "$f.doc" "$f"
		;;
	scripts/* | packaging/* | ./autogen.sh)
		if [ -x "$src/$first" ]; then
			echo "ok: $where: $first exists"
		else
			fail "$where: $first is not an executable file of the source tree"
		fi
		;;
	*) echo "skip: $where: $first is not run" ;;
	esac
}

# session FILE WHERE: the "$ " commands of a block, each with its output.
session() {
	local file=$1 where=$2 cmd="" doc="" line cont=0
	while IFS= read -r line || [ -n "$line" ]; do
		if [ "$cont" = 1 ]; then
			cmd="${cmd% \\} ${line#"${line%%[! ]*}"}"
			case $line in *\\) ;; *) cont=0 ;; esac
			continue
		fi
		case $line in
		'$ '*)
			[ -z "$cmd" ] || run_command "$where" "$doc" "$cmd"
			cmd=${line#\$ }
			doc=""
			case $cmd in *\\) cont=1 ;; esac
			;;
		*) doc=${doc:+$doc$'\n'}$line ;;
		esac
	done < "$file"
	[ -z "$cmd" ] || run_command "$where" "$doc" "$cmd"
}

# sh_block FILE WHERE: one command per line, comments after #.
sh_block() {
	local line
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%%#*}
		[ -n "${line// /}" ] || continue
		run_command "$2" "" "$line"
	done < "$1"
}

# prepare_conf SRC DEST: a vaktd.conf example as DEST, its paths under /etc
# moved to the scratch /etc, and the files it names made there: secrets, and
# a TLS certificate and key.
prepare_conf() {
	local key path cert key_file
	sed -E "s#(^|[ =])/etc/#\\1$etc/#g" "$1" > "$2"
	chmod 600 "$2"
	# The agent's user is one a package creates (vakt): --check-config
	# checks that it exists, so run as nobody where it does not.
	awk '/^\[/ { agent = ($0 ~ /^\[agent\]/) }
		agent && /^user *=/ { split($0, kv, "="); u = kv[2]; gsub(/[ \t]/, "", u)
			if (system("getent passwd " u " > /dev/null") != 0) $0 = "user = nobody" }
		{ print }' "$2" > "$2.user" && cat "$2.user" > "$2" && rm "$2.user"
	while IFS='=' read -r key path; do
		key=${key// /}
		# A '#' or ';' after a blank starts a comment, as vaktd reads it.
		path=$(printf '%s\n' "$path" | sed -E 's/[[:blank:]]+[#;].*//; s/^[[:blank:]]+//; s/[[:blank:]]+$//')
		case $key in
		\#*) ;;
		*_file) make_file "$path" ;;
		esac
	done < "$1"
	if grep -Eq '^tls_(cert|key) *=' "$2"; then
		cert=$(sed -nE '/^tls_cert *=/{s/^tls_cert *= *//; s/[[:blank:]]+[#;].*//; p}' "$2")
		key_file=$(sed -nE '/^tls_key *=/{s/^tls_key *= *//; s/[[:blank:]]+[#;].*//; p}' "$2")
		mkdir -p "$(dirname "$cert")" "$(dirname "$key_file")"
		openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 \
			-keyout "$key_file" -out "$cert" > /dev/null 2>&1
		chmod 600 "$key_file"
	fi
}

# ini_block FILE WHERE: a vaktd.conf example must pass --check-config.
ini_block() {
	local conf=$tmp/doc.conf out
	prepare_conf "$1" "$conf"
	ran=$((ran + 1))
	if [ ! -x "$vaktd" ]; then
		echo "skip: $2: vaktd is not built"
		return
	fi
	if out=$("$vaktd" --check-config -c "$conf" 2>&1) && ! printf '%s\n' "$out" | grep -qi 'warn'; then
		echo "ok: $2: vaktd --check-config accepts it"
	else
		fail "$2: vaktd --check-config rejects the example:"
		printf '%s\n' "$out"
	fi
}

# nagios_block FILE WHERE: the definitions with the built commands.
nagios_block() {
	local dir=$tmp/nagios.${2//[^A-Za-z0-9]/_} nagios out cfg
	nagios=${NAGIOS:-$(find_daemon nagios4 nagios)}
	if [ ! -x "$nagios" ]; then
		missing="$missing nagios4"
		return
	fi
	cfg=$(sed -n 's/^cfg_file=//p' "$1")
	case $cfg in
	"" | */vakt/nagios/vakt-commands.cfg) ;;
	*) fail "$2: cfg_file=$cfg is not where make install puts vakt-commands.cfg" ;;
	esac
	mkdir -p "$dir"
	grep -v '^cfg_file=' "$1" > "$dir/doc.cfg"
	nagios_skeleton "$dir" "$nagios_cfg" "$dir/doc.cfg"
	nagios_hosts "$dir" "$dir/doc.cfg"
	ran=$((ran + 1))
	out=$("$nagios" -v "$dir/nagios.cfg" 2>&1)
	if printf '%s\n' "$out" | grep -Eq '^Total Errors: +0$' &&
		printf '%s\n' "$out" | grep -Eq '^Total Warnings: +0$'; then
		echo "ok: $2: nagios4 -v accepts it"
	else
		fail "$2: nagios4 -v rejects it:"
		printf '%s\n' "$out" | grep -E 'Error|Warning' | head -10
	fi
}

# icinga_block FILE WHERE: the objects with the built CheckCommands, and a
# host every apply rule in it matches.
icinga_block() {
	local dir=$tmp/icinga.${2//[^A-Za-z0-9]/_} icinga out roles
	icinga=${ICINGA2:-$(find_daemon icinga2)}
	if [ ! -x "$icinga" ]; then
		missing="$missing icinga2"
		return
	fi
	mkdir -p "$dir"
	roles=$(grep -o '"[^"]*" in host.vars.roles' "$1" | cut -d'"' -f2 | sort -u |
		sed 's/.*/"&"/' | paste -sd, -)
	{
		icinga2_constants
		sed "s#^include \"[^\"]*/vakt-commands.conf\"#include \"$icinga_conf\"#" "$1"
		printf 'object Host "doc" {\n  check_command = "dummy"\n  address = "127.0.0.1"\n'
		printf '  enable_active_checks = false\n  vars.os = "Linux"\n  vars.roles = [ %s ]\n}\n' "$roles"
	} > "$dir/icinga2.conf"
	icinga2_args "$dir"
	ran=$((ran + 1))
	if out=$("$icinga" "${icinga_args[@]}" -C 2>&1) &&
		! printf '%s\n' "$out" | grep -Eq '(warning|critical)/'; then
		echo "ok: $2: icinga2 daemon -C accepts it"
	else
		fail "$2: icinga2 daemon -C rejects it:"
		printf '%s\n' "$out" | grep -E '(warning|critical)/' | head -10
	fi
}

# help_examples: the Examples of every built plugin's --help.
help_examples() {
	local p
	for p in "$plugins"/check_*; do
		[ -x "$p" ] && [ -f "$p" ] || continue
		case $p in *.*) continue ;; esac
		# "  check_..." lines, and the lines a trailing \ continues them on.
		"$p" --help | awk '
			/^Examples:/ { e = 1; next }
			e && /^[^ ]/ { e = 0 }
			e && c { print; c = /\\$/; next }
			e && /^  check_/ { sub(/^  /, ""); print "$ " $0; c = /\\$/ }' \
			> "$tmp/help.$(basename "$p")"
		session "$tmp/help.$(basename "$p")" "$(basename "$p") --help"
	done
}

mkdir -p "$blocks" "$etc"
sections=$(sed -n 's/^\.S[HS] .*\[\([a-z]*\).*/\1/p' "$src/man/vaktd.conf.5" | sort -u | tr '\n' ' ')
SECTIONS=$sections python3 "$(dirname "$0")/doc_blocks.py" "$blocks" "$src/README.md" \
	"$src"/man/*.1 "$src"/man/*.5 "$src"/man/*.8 || exit 1
for f in "$blocks"/*; do
	case $f in *.origin) continue ;; esac
	where=$(cat "${f%.*}.origin")
	case $f in
	*.session) session "$f" "$where" ;;
	*.sh) sh_block "$f" "$where" ;;
	*.ini) ini_block "$f" "$where" ;;
	*.nagios) nagios_block "$f" "$where" ;;
	*.icinga) icinga_block "$f" "$where" ;;
	esac
done
help_examples
echo "$ran examples run, $(ls "$blocks"/*.other 2> /dev/null | wc -l) blocks of output, SQL or JSON not run"
[ "$ran" -gt 50 ] || fail "only $ran examples run: did the extraction break?"

# Most examples ran without the missing daemons: not a skip.
monitors_finish 0
