/*
 * What the collectors of a database's locks ([mysql], [postgresql]) share:
 * the copies of their section's server and login, the kept connection,
 * the lock report as lock_ metrics, and the labels that keep one
 * section's series apart from another's.
 */
#ifndef VAKT_COLLECT_LOCKS_H
#define VAKT_COLLECT_LOCKS_H

#include <stddef.h>

#include "backoff.h"
#include "collector.h"
#include "confkeys.h"
#include "metric.h"
#include "probe/locks.h"

/* A section's server and login as the collector keeps them, and its connection. */
struct collect_db {
	char host[256]; /* of the address; empty without one */
	/* owned copies, NULL when the section has none */
	char *user, *password, *dbname, *ca_file, *section_name;
	struct backoff_conn link;
};

/*
 * Fill d (zeroed) from section cc: address, if any, into host and *port,
 * the login's user and the password of its file, dbname, tls's ca_file and
 * the section's NAME. 0, or -1 with err (collect_db_free frees what was filled).
 */
int collect_db_start(struct collect_db *d, const struct config_collector *cc, const char *address,
		     const struct conf_login *login, const char *dbname, const struct conf_tls *tls,
		     long *port, char *err, size_t errlen);
/* Close d's connection and free what it holds. */
void collect_db_free(struct collect_db *d);

/* Fill rep from conn, the collector's connection (state is its own); 0, or a probe error with err.
 */
typedef int collect_locks_probe(void *conn, void *state, struct lock_report *rep, char *err,
				size_t errlen);

/*
 * One collection: the connection from d's link (see backoff_conn_get),
 * probe's report into set labelled target=NAME and dbms=dbms; a failure
 * drops the connection (backoff_conn_failed). 0, or -1 with err.
 */
int collect_locks(struct collect_db *d, void *state, collect_locks_probe *probe, const char *dbms,
		  struct metric_set *set, char *err, size_t errlen);

#endif
