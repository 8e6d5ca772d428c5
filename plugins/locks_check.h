/*
 * What check_mysql_locks and check_pgsql_locks do alike once connected:
 * the probe's report into the lock metrics (probe/locks.h), the counters'
 * rates kept in the state file, and the verdict (probe/locks_verdict.c)
 * that the agent's check endpoint gives too. Both plugins differ only in
 * how they connect; the verdict is all the rest.
 */
#ifndef VAKT_LOCKS_CHECK_H
#define VAKT_LOCKS_CHECK_H

#include "plugin.h"
#include "probe/locks.h"
#include "verdict.h"

/*
 * End the run with what the probe returned: why (0 or an enum fail) and
 * err, or the report rep judged by v under a and opts, the rates kept
 * under target (the server and how it was found). Frees rep.
 */
void locks_check_finish(const struct verdict *v, const struct plugin_args *a, const void *opts,
			struct lock_report *rep, int why, const char *err, const char *target)
    __attribute__((noreturn));
/*
 * Exit with the state a probe failure deserves (enum fail why): a
 * server that is down or refuses the login is CRITICAL, one we cannot
 * read is UNKNOWN.
 */
void locks_check_fail(int why, const char *err) __attribute__((noreturn));

#endif
