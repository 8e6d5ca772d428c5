/*
 * check_mysql_locks' and check_pgsql_locks' verdict (verdict_mysql_locks and
 * verdict_pgsql_locks in verdict.h): one judgement of the lock metrics
 * (probe/locks.h), the two differing only in how they name a session and
 * how one is ended. Their options all pick the server, so the agent takes
 * none of them: its [mysql]/[postgresql] section says where to connect.
 */
#ifndef VAKT_PROBE_LOCKS_VERDICT_H
#define VAKT_PROBE_LOCKS_VERDICT_H

#include <stdbool.h>

/* check_mysql_locks' own options; the plugin copies them into its mysql_target. */
struct mysql_locks_opts {
	const char *database;
	const char *option_file; /* --defaults-file */
	bool ssl;
	const char *ssl_ca, *ssl_cert, *ssl_key;
};

/* check_pgsql_locks' own options; the plugin copies them into its pgsql_target. */
struct pgsql_locks_opts {
	const char *database;
	const char *service;
	const char *sslmode;
	const char *sslrootcert, *sslcert, *sslkey;
};

#endif
