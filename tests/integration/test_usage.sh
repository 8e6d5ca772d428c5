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
done
finish
