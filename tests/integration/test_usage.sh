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
finish
