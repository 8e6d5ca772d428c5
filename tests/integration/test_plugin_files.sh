#!/bin/bash
# The files a plugin is told to read: a FIFO (which would wait for a writer
# for good), /dev/zero (which never ends) and a directory are refused at
# once as UNKNOWN, well within -t, by every plugin that takes
# --password-file, by check_vakt's --token-file and check_mysql_locks'
# --defaults-file; a password or token file every user may read is refused
# with the fix (chmod o-r), one its group may read is used.
. "$(dirname "$0")/lib.sh"

mkfifo -m 600 "$tmp/fifo"
mkdir -m 700 "$tmp/dir"

# refused WHAT PATTERN COMMAND...: UNKNOWN with PATTERN, and long before -t 60
# (timeout 10 kills what waits; exit 124 then).
refused() {
	local what=$1 pattern=$2 out rc
	shift 2
	out=$(timeout 10 "$@" -t 60 2>&1)
	rc=$?
	if [ "$rc" -ne 3 ] || ! printf '%s\n' "$out" | head -1 | grep -Eq -- "$pattern"; then
		fail "$what: status $rc (want 3 at once), output: $(printf '%s' "$out" | head -1)"
	else
		echo "ok: $what"
	fi
}

for p in check_haproxy check_mysql_locks check_nginx check_pgsql_locks check_rabbitmq check_redis check_supervisor; do
	[ -x "$plugins/$p" ] || continue
	refused "$p --password-file FIFO" "UNKNOWN - cannot read --password-file: it is a FIFO, not a regular file$" \
		"$plugins/$p" --password-file "$tmp/fifo"
	refused "$p --password-file /dev/zero" "UNKNOWN - cannot read --password-file: it is a character device, not a regular file$" \
		"$plugins/$p" --password-file /dev/zero
	refused "$p --password-file DIR" "UNKNOWN - cannot read --password-file: it is a directory, not a regular file$" \
		"$plugins/$p" --password-file "$tmp/dir"
done
if [ -x "$plugins/check_vakt" ]; then
	refused "check_vakt --token-file FIFO" "^VAKT UNKNOWN - cannot read --token-file: it is a FIFO, not a regular file$" \
		"$plugins/check_vakt" -H 127.0.0.1 -m load1 --token-file "$tmp/fifo"
	refused "check_vakt --token-file /dev/zero" "^VAKT UNKNOWN - cannot read --token-file: it is a character device" \
		"$plugins/check_vakt" -H 127.0.0.1 -m load1 --token-file /dev/zero
fi
if [ -x "$plugins/check_mysql_locks" ]; then
	refused "check_mysql_locks --defaults-file FIFO" "^MYSQL-LOCKS UNKNOWN - cannot read option file $tmp/fifo: it is a FIFO, not a regular file$" \
		"$plugins/check_mysql_locks" --defaults-file "$tmp/fifo"
	refused "check_mysql_locks --defaults-file /dev/zero" "^MYSQL-LOCKS UNKNOWN - cannot read option file /dev/zero: it is a character device, not a regular file$" \
		"$plugins/check_mysql_locks" --defaults-file /dev/zero
fi

# A secret every user may read is no secret: refused, with the fix.
printf 's3cret\n' > "$tmp/pw"
chmod 644 "$tmp/pw"
for p in check_haproxy check_mysql_locks check_nginx check_pgsql_locks check_rabbitmq check_redis check_supervisor; do
	[ -x "$plugins/$p" ] || continue
	refused "$p: a password file every user may read" \
		"UNKNOWN - --password-file is readable by every user \(mode 0644\): chmod o-r it$" \
		"$plugins/$p" --password-file "$tmp/pw"
done
if [ -x "$plugins/check_vakt" ]; then
	refused "check_vakt: a token file every user may read" \
		"^VAKT UNKNOWN - --token-file is readable by every user \(mode 0644\): chmod o-r it$" \
		"$plugins/check_vakt" -H 127.0.0.1 -m load1 --token-file "$tmp/pw"
fi
# Readable by its group (root:nagios 0640 is the usual way): used. A closed
# port then gives CRITICAL, which a refused file never reaches.
if [ -x "$plugins/check_redis" ]; then
	chmod 640 "$tmp/pw"
	closed=$(pick_port) || exit 1
	expect "a password file its group may read is used" 2 "^REDIS CRITICAL - .*refused" \
		"$plugins/check_redis" -H 127.0.0.1 -p "$closed" --password-file "$tmp/pw"
fi
finish
