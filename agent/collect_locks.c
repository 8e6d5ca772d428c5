/* One collection of a database's locks (see collect_locks.h). */
#include "config.h"

#include "collect_locks.h"

int collect_locks(struct backoff_conn *link, void *state, collect_locks_probe *probe,
		  const char *section, const char *dbms, struct metric_set *set, char *err,
		  size_t errlen)
{
	void *conn = backoff_conn_get(link, state, err, errlen);
	struct lock_report rep;

	if (conn == NULL)
		return -1;
	locks_init(&rep);
	if (probe(conn, state, &rep, err, errlen) != 0) {
		locks_free(&rep);
		return backoff_conn_failed(link, err);
	}
	locks_metrics(&rep, set);
	locks_free(&rep);
	/* Two sections of a kind, or MySQL and PostgreSQL, must not give the same series. */
	metric_set_label_missing(set, "target", section);
	metric_set_label_missing(set, "dbms", dbms);
	backoff_ok(&link->backoff);
	return 0;
}
