#!/bin/bash
# Every plugin answers bad arguments, --help and --version the way the
# contract says: exit 3, a status line naming the problem, a short usage.
. "$(dirname "$0")/lib.sh"

for c in "$plugins"/check_*; do
	[ -x "$c" ] || continue
	name=$(basename "$c")
	svc=$("$c" -t abc | head -1 | cut -d' ' -f1)
	expect "$name --help" 3 "^Usage: $name " "$c" --help
	expect "$name --help lists examples" 3 "^Examples:" "$c" --help
	expect "$name --version" 3 "^$name v[0-9]+\.[0-9]+\.[0-9]+ \(vakt [0-9]+\.[0-9]+\.[0-9]+\)$" "$c" --version
	expect "$name unknown option" 3 "^$svc UNKNOWN - unknown option '--bogus'$" "$c" --bogus
	expect "$name unknown short option" 3 "^$svc UNKNOWN - unknown option '-Z'" "$c" -Z
	expect "$name usage follows the error" 3 "^Usage: $name .*" "$c" --bogus
	expect "$name missing argument" 3 "^$svc UNKNOWN - option '-w' needs an argument$" "$c" -w
	expect "$name positional argument" 3 "^$svc UNKNOWN - unexpected argument 'extra'$" "$c" extra
	expect "$name timeout zero" 3 "^$svc UNKNOWN - invalid timeout '0'" "$c" -t 0
	expect "$name timeout negative" 3 "^$svc UNKNOWN - invalid timeout '-5'" "$c" -t -5
	expect "$name timeout state" 3 "^$svc UNKNOWN - invalid timeout '5:later'" "$c" -t 5:later
	expect "$name inverted range" 3 "^$svc UNKNOWN - invalid range '2:1': start is greater than end$" "$c" -w 2:1
	expect "$name range words" 3 "^$svc UNKNOWN - invalid range 'high'" "$c" -c high
	expect "$name range with ~ as end" 3 "^$svc UNKNOWN - invalid range '10:~'" "$c" -c 10:~
	expect "$name range colon" 3 "^$svc UNKNOWN - invalid range ':'" "$c" -w :
	expect "$name unknown metric" 3 "^$svc UNKNOWN - unknown metric 'nosuch'" "$c" -w nosuch=5
	# A range is repeated in the perfdata as written: only numbers every
	# parser reads (what strtod would also take is refused).
	for r in 1. +5 .5 -.5 1:2. @+1:2; do
		expect "$name range $r" 3 "^$svc UNKNOWN - invalid range '$(printf '%s' "$r" | sed 's/[.+]/\\&/g')': " \
			"$c" -c "$r"
	done
	expect "$name range with decimals" 3 "^$svc UNKNOWN - unknown metric 'nosuch'" "$c" -w -0.5:10.25 -w nosuch=1
	# No option gives an empty argument a meaning: every one, as listed
	# in --help, refuses it, written either way, before anything else.
	opts=$("$c" --help | sed -n 's/^ *\(-[A-Za-z0-9], \)\{0,1\}--\([a-z0-9-]*\)=.*/\2/p')
	[ -n "$opts" ] || fail "$name --help lists no option with an argument"
	for opt in $opts; do
		expect "$name --$opt ''" 3 "^$svc UNKNOWN - option '--$opt' needs a non-empty argument$" \
			"$c" "--$opt" ''
		expect "$name --$opt=" 3 "^$svc UNKNOWN - option '--$opt' needs a non-empty argument$" \
			"$c" "--$opt="
	done
	for opt in $("$c" --help | sed -n 's/^ *--\([a-z0-9-]*\)\[=.*/\1/p'); do
		expect "$name --$opt= (optional argument)" 3 \
			"^$svc UNKNOWN - option '--$opt' needs a non-empty argument$" "$c" "--$opt="
	done
	expect "$name -w ''" 3 "^$svc UNKNOWN - option '-w' needs a non-empty argument$" "$c" -w ''
	# An option for a secret is never reached by an abbreviation, and what
	# was typed after it (the password itself, likely) is never shown.
	for opt in password-file token-file; do
		"$c" --help | grep -q -- "--$opt=" || continue
		short=${opt%%-*}
		for typed in "--$short s3cr3tw0rd" "--${short%??} s3cr3tw0rd" "--${opt%?} s3cr3tw0rd" \
			"--$short=s3cr3tw0rd"; do
			# shellcheck disable=SC2086
			expect "$name $typed: not taken for --$opt" 3 \
				"^$svc UNKNOWN - unknown option '--[a-z-]+' \(an option for a secret must be given in full, as --$opt\)$" \
				"$c" $typed
			# shellcheck disable=SC2086
			expect_absent "$name $typed: the argument is not shown" 3 s3cr3tw0rd "$c" $typed
		done
		expect_absent "$name --$opt naming no file: the argument is not shown" 3 s3cr3tw0rd \
			"$c" "--$opt" s3cr3tw0rd
		# check_vakt wants its agent and metric before it reads the token.
		extra=
		[ "$name" = check_vakt ] && extra="-H 127.0.0.1 -m load1"
		# shellcheck disable=SC2086
		expect "$name --$opt naming no file: a usage error" 3 \
			"^$svc UNKNOWN - cannot read --$opt: No such file or directory$" "$c" $extra "--$opt" s3cr3tw0rd
	done
done
# TLS is spelled alike in every check; the older spellings still work and
# --help names them.
for c in "$plugins"/check_*; do
	[ -x "$c" ] || continue
	name=$(basename "$c")
	help=$("$c" --help | tr -s '\n ' '  ')
	for old in ca-file:ca cert:ssl-cert key:ssl-key ca-file:ssl-ca ca-file:sslrootcert cert:sslcert key:sslkey; do
		new=${old%%:*}
		old=${old#*:}
		"$c" --help | grep -q -- "^ *--$old=" && fail "$name --help lists --$old as an option of its own"
		if grep -q -- "Also [-a-z, ]*--$old\b" <<< "$help"; then
			grep -q -- "--$new=FILE" <<< "$help" || fail "$name names --$old but has no --$new"
			echo "ok: $name --$old is another spelling of --$new"
		fi
	done
done
expect "check_mysql_locks --help names the mysql client's spellings" 3 "Also --ssl-ca\." \
	"$plugins/check_mysql_locks" --help
expect "check_pgsql_locks --help names libpq's spellings" 3 "^ +--sslrootcert\." \
	"$plugins/check_pgsql_locks" --help
expect "an old spelling is parsed as the new one" 3 "^MYSQL-LOCKS UNKNOWN - --key needs --cert$" \
	"$plugins/check_mysql_locks" --ssl-key /dev/null
finish
