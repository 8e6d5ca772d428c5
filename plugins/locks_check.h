/*
 * What check_mysql_locks and check_pgsql_locks report, from the lock_report
 * their probe filled: the longest wait and who causes it in the summary, a
 * line per blocker and per waiting session in long output, thresholds on
 * every lock metric, and the lock counters as rates kept in the state file.
 * Both plugins differ only in how they connect; this is the rest.
 */
#ifndef VAKT_LOCKS_CHECK_H
#define VAKT_LOCKS_CHECK_H

#include "output.h"
#include "plugin.h"
#include "probe/locks.h"

/*
 * The metric names for -w/-c METRIC=RANGE; lock_wait_longest takes a bare
 * -w/-c. PostgreSQL counts deadlocks but no lock waits over time.
 */
extern const char *const locks_check_mysql_metrics[];
extern const char *const locks_check_pgsql_metrics[];
/* What a bare -w/-c applies to, for --help. */
extern const char locks_check_thresholds_help[];

/* How a plugin names its sessions and keeps its rates. */
struct locks_check_how {
	const struct plugin *plugin; /* its service starts the line */
	const char *target;	     /* the server and how it was found, part of the state key */
	const char *session;	     /* "thread" or "pid" */
	const char *end;	     /* the statement that ends a session, before its id: "KILL " */
	const char *end_close;	     /* and after it: "" or ")" */
};

/*
 * End the run with what the probe returned: why (0 or an enum fail)
 * and err, or the report rep under the thresholds of a. Frees rep.
 */
void locks_check_finish(const struct plugin_args *a, struct lock_report *rep, int why,
			const char *err, const struct locks_check_how *how)
    __attribute__((noreturn));
/*
 * Exit with the state a probe failure deserves (enum fail why): a
 * server that is down or refuses the login is CRITICAL, one we cannot
 * read is UNKNOWN.
 */
void locks_check_fail(int why, const char *err) __attribute__((noreturn));

#endif
