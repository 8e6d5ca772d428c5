/*
 * The MySQL/MariaDB lock probe, over libmariadb: connect with a time limit
 * and a session that cannot itself be caught by the locks it measures, then
 * fill a lock_report (probe/locks.h) from the right source for the server's
 * flavour and version:
 *   - MariaDB, MySQL 5.5-5.7: information_schema.innodb_lock_waits joined to
 *     innodb_trx and processlist;
 *   - MySQL 8.0+: performance_schema.data_lock_waits joined to innodb_trx
 *     and processlist;
 *   - everywhere: sessions in processlist waiting for a metadata or table
 *     lock, with their blocker from performance_schema.metadata_locks when
 *     that is enabled;
 *   - counters from SHOW GLOBAL STATUS: Innodb_row_lock_waits,
 *     Innodb_row_lock_time, Table_locks_waited, Innodb_deadlocks (MariaDB).
 * Only views that take no lock an application can hold are read. A missing
 * privilege is FAIL_PRIVILEGE with the GRANT that fixes it in err.
 */
#ifndef VAKT_PROBE_MYSQL_LOCKS_H
#define VAKT_PROBE_MYSQL_LOCKS_H

#include <stdbool.h>
#include <stddef.h>

#include <mysql.h>

#include "probe/locks.h"

#define PROBE_MYSQL_PORT 3306

struct mysql_target {
	const char *host;	 /* name, IP literal or absolute unix socket path; NULL: defaults */
	long port;		 /* 0: the default (or the option file's) */
	const char *user;	 /* NULL: the option file's, or the login name */
	const char *password;	 /* NULL: the option file's, or none */
	const char *database;	 /* NULL: none */
	const char *option_file; /* read its [client] group first; NULL: none */
	bool ssl;		 /* require TLS */
	const char *ssl_ca;	 /* CA file; verifies the server certificate; NULL: none */
	const char *ssl_cert;	 /* client certificate, NULL: none */
	const char *ssl_key;	 /* client key, NULL: none */
	double timeout;		 /* seconds for the connection and for each query */
};

/* "HOST:PORT", the socket path, or "the default server" for messages. */
void probe_mysql_describe(const struct mysql_target *t, char *out, size_t outlen);
/*
 * A connection to t, each read and write limited to t->timeout; NULL with
 * *why (enum fail) and err on failure.
 */
MYSQL *probe_mysql_connect(const struct mysql_target *t, int *why, char *err, size_t errlen);
/*
 * Fill r (from locks_init) with the server's current lock waits, their
 * blockers and its counters, and run locks_analyse(). Its statements run
 * in a session that gives up lock waits at once (lock_wait_timeout,
 * innodb_lock_wait_timeout) and statements after most of the connection's
 * time limit. 0, or an enum fail with err.
 */
int probe_mysql_locks(MYSQL *m, struct lock_report *r, char *err, size_t errlen);

#endif
