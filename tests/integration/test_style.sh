#!/bin/bash
# The code reads one way, checked rather than hoped for: every C file laid
# out as .clang-format says, and none of the functions STYLE.md bans. In the
# whole tree: sprintf, vsprintf, strcpy, strcat, strtok, the ato* family,
# the scanf family, gets, tmpnam and mktemp (snprintf, strtol with an end
# check, bounded copies and mkstemp instead). In what users run (lib/,
# agent/, plugins/): anything that runs a command, since vakt never does.
. "$(dirname "$0")/lib.sh"
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}

require_tools clang-format

cd "$top_srcdir" || exit 1
mapfile -t sources < <(find lib agent plugins tests bench -name '*.[ch]' | sort)
[ "${#sources[@]}" -gt 50 ] || fail "found only ${#sources[@]} C files under $top_srcdir"

if out=$(clang-format --dry-run --Werror "${sources[@]}" 2>&1); then
	echo "ok: ${#sources[@]} C files are laid out as .clang-format says"
else
	echo "FAIL: not laid out as .clang-format says (run clang-format -i on them):"
	grep -o '^[^:]*\.[ch]' <<< "$out" | sort -u | sed 's/^/  /'
	failures=$((failures + 1))
fi

# calls REGEX FILE...: the lines of FILE... that call a function REGEX
# matches, comment lines left out.
calls() {
	local re=$1
	shift
	grep -nE "(^|[^A-Za-z0-9_])($re)[[:space:]]*\\(" "$@" /dev/null |
		grep -vE '^[^:]*:[0-9]+:[[:space:]]*(/?\*|//)'
}

# banned WHAT REGEX FILE...: no call of REGEX's functions in FILE....
banned() {
	local what=$1 re=$2
	shift 2
	local hits
	hits=$(calls "$re" "$@")
	if [ -z "$hits" ]; then
		echo "ok: no $what"
	else
		echo "FAIL: $what:"
		sed 's/^/  /' <<< "$hits"
		failures=$((failures + 1))
	fi
}
banned "unbounded or unchecked string function" \
	'sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|atoll|atof|sscanf|fscanf|scanf|vsscanf|gets|tmpnam|mktemp' \
	"${sources[@]}"
mapfile -t product < <(find lib agent plugins -name '*.[ch]' | sort)
banned "command execution in lib/, agent/ or plugins/" \
	'system|popen|execl|execlp|execle|execv|execvp|execvpe|execve|fexecve|posix_spawn|posix_spawnp' \
	"${product[@]}"

# The checks themselves work: a file with a banned call and a misplaced
# brace is found.
printf 'int f(void) {\n\tchar b[4];\n\treturn sprintf(b, "x");\n}\n' > "$tmp/bad.c"
check "a banned call is found, snprintf is not" 1 \
	"$(printf '\tsnprintf(b, 4, "x");\n' >> "$tmp/bad.c"; calls 'sprintf' "$tmp/bad.c" | wc -l)"
cp .clang-format "$tmp/"
expect "a misplaced brace is found" 1 "code should be clang-formatted" \
	clang-format --dry-run --Werror "$tmp/bad.c"
finish
