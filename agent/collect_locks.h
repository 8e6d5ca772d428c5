/*
 * What the collectors of a database's locks ([mysql], [postgresql]) share
 * in collect(): the kept connection, the lock report as lock_ metrics,
 * and the labels that keep one section's series apart from another's.
 */
#ifndef VAKT_COLLECT_LOCKS_H
#define VAKT_COLLECT_LOCKS_H

#include <stddef.h>

#include "backoff.h"
#include "metric.h"
#include "probe/locks.h"

/* Fill rep from conn, the collector's connection (state is its own); 0, or a probe error with err.
 */
typedef int collect_locks_probe(void *conn, void *state, struct lock_report *rep, char *err,
				size_t errlen);

/*
 * One collection: the connection from link (see backoff_conn_get), probe's
 * report into set labelled target=section and dbms=dbms; a failure drops
 * the connection (backoff_conn_failed). 0, or -1 with err.
 */
int collect_locks(struct backoff_conn *link, void *state, collect_locks_probe *probe,
		  const char *section, const char *dbms, struct metric_set *set, char *err,
		  size_t errlen);

#endif
