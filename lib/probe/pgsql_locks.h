/*
 * The PostgreSQL lock probe, over libpq: connect with a time limit and a
 * session that cannot itself be caught by the locks it measures
 * (lock_timeout, statement_timeout set at connection start), then fill a
 * lock_report (probe/locks.h):
 *   - waiters: pg_stat_activity where wait_event_type = 'Lock', with what
 *     they wait for from pg_locks (not granted);
 *   - how long: pg_locks.waitstart (14+); before 14, or while waitstart is
 *     still NULL, the start of the waiting statement (state_change);
 *   - blockers: pg_blocking_pids(pid), with their user, address, query,
 *     transaction age and how long they have been idle in transaction;
 *   - deadlocks: the sum of pg_stat_database.deadlocks.
 * PostgreSQL counts no lock waits over time, so lock_row_waits,
 * lock_row_wait_time and lock_table_waits stay NAN. Other users' sessions
 * are only visible to a superuser or a member of pg_read_all_stats
 * (pg_monitor); without that the probe is FAIL_PRIVILEGE naming the GRANT.
 * Every query is sent without blocking and waited for under the time limit;
 * on expiry the call fails (the session's statement_timeout ends the query
 * on the server) and the connection should be dropped.
 */
#ifndef VAKT_PROBE_PGSQL_LOCKS_H
#define VAKT_PROBE_PGSQL_LOCKS_H

#include <stddef.h>

#include <libpq-fe.h>

#include "probe/locks.h"

struct pgsql_target {
	const char *host;     /* name, IP literal or socket directory; NULL: libpq's default */
	long port;	      /* 0: libpq's default */
	const char *user;     /* NULL: libpq's default (PGUSER, the login name) */
	const char *password; /* NULL: libpq's (PGPASSWORD, PGPASSFILE, ~/.pgpass) */
	const char *database; /* NULL: libpq's default */
	const char *service;  /* a pg_service.conf service, NULL: none */
	const char *sslmode;  /* libpq sslmode, NULL: libpq's default (prefer) */
	const char *sslrootcert, *sslcert, *sslkey; /* NULL: libpq's defaults */
	double timeout; /* seconds for the connection and for each query */
};

/* "HOST:PORT", the socket directory, or "the default server" for messages. */
void probe_pgsql_describe(const struct pgsql_target *t, char *out, size_t outlen);
/* A connection to t; NULL with *why (enum fail) and err on failure. */
PGconn *probe_pgsql_connect(const struct pgsql_target *t, int *why, char *err, size_t errlen);
/*
 * Fill r (from locks_init) with the server's current lock waits, their
 * blockers and its deadlock counter, each query limited to timeout
 * seconds, and run locks_analyse(). 0, or an enum fail with err.
 */
int probe_pgsql_locks(PGconn *c, double timeout, struct lock_report *r, char *err, size_t errlen);

#endif
