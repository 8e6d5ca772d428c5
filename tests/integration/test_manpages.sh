#!/bin/bash
# The man pages are generated from each plugin's --help (help2man, plus the
# man/*.h2m sections --help does not have) and committed. This test
# regenerates them from the programs just built and fails when a committed
# page says something the program no longer does: run "make man-pages".
. "$(dirname "$0")/lib.sh"
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}

if ! command -v help2man > /dev/null; then
	echo "help2man not installed (apt-get install help2man)"
	[ "${VAKT_REQUIRE_ALL:-0}" = 1 ] && exit 1
	exit 77
fi

# The .TH line carries the month of generation; nothing else may differ.
strip_date() { grep -v '^\.TH ' "$1"; }

for c in "$plugins"/check_*; do
	[ -x "$c" ] || continue
	name=$(basename "$c")
	page=$top_srcdir/man/$name.1
	if [ ! -f "$page" ]; then
		echo "FAIL: $name has no man page ($page)"
		failures=$((failures + 1))
		continue
	fi
	"$top_srcdir/man/generate" "$c" "$top_srcdir/man/$name.h2m" "$tmp/$name.1"
	if diff -u <(strip_date "$page") <(strip_date "$tmp/$name.1"); then
		echo "ok: man/$name.1 matches $name --help"
	else
		echo "FAIL: man/$name.1 is out of date: run make man-pages"
		failures=$((failures + 1))
	fi
done
finish
