/*
 * check_pgsql_locks: lock waits in PostgreSQL. Who waits, for how long,
 * and who holds them up, read from pg_stat_activity and pg_locks by
 * probe/pgsql_locks.c; the options and the verdict are verdict_pgsql_locks'
 * (lib/probe/locks_verdict.c), which check_mysql_locks shares.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "locks_check.h"
#include "probe/locks_verdict.h"
#include "probe/pgsql_locks.h"

int main(int argc, char **argv)
{
	struct pgsql_locks_opts o;
	struct pgsql_target t;
	struct plugin_args a;
	struct lock_report rep;
	char who[300], err[512];
	PGconn *c;
	int why;

	verdict_start(&verdict_pgsql_locks, argc, argv, &o, &a);
	if (o.sslkey != NULL && o.sslcert == NULL)
		plugin_usage_error("--key needs --cert");
	t = (struct pgsql_target){
	    .host = a.host,
	    .port = a.port,
	    .user = a.user,
	    .password = a.password,
	    .database = o.database,
	    .service = o.service,
	    .sslmode = o.sslmode,
	    .sslrootcert = o.sslrootcert,
	    .sslcert = o.sslcert,
	    .sslkey = o.sslkey,
	    .timeout = a.timeout,
	};
	probe_pgsql_describe(&t, who, sizeof(who));
	/* Rates from two servers found through two services must not mix. */
	if (t.service != NULL)
		snprintf(who + strlen(who), sizeof(who) - strlen(who), " (service %s)", t.service);
	c = probe_pgsql_connect(&t, &why, err, sizeof(err));
	if (c == NULL)
		locks_check_fail(why, err);
	locks_init(&rep);
	why = probe_pgsql_locks(c, t.timeout, &rep, err, sizeof(err));
	PQfinish(c);
	locks_check_finish(&verdict_pgsql_locks, &a, &o, &rep, why, err, who);
}
