/*
 * check_mysql_locks: lock waits in MySQL or MariaDB. Who waits, for how
 * long, and who holds them up, read from the server's own views by
 * probe/mysql_locks.c; the options and the verdict are verdict_mysql_locks'
 * (lib/probe/locks_verdict.c), which check_pgsql_locks shares.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "locks_check.h"
#include "probe/locks_verdict.h"
#include "probe/mysql_locks.h"

int main(int argc, char **argv)
{
	struct mysql_locks_opts o;
	struct mysql_target t;
	struct plugin_args a;
	struct lock_report rep;
	char who[300], err[512];
	MYSQL *m;
	int why;

	verdict_start(&verdict_mysql_locks, argc, argv, &o, &a);
	if (o.ssl_key != NULL && o.ssl_cert == NULL)
		plugin_usage_error("--key needs --cert");
	t = (struct mysql_target){
	    .host = a.host,
	    .port = a.port,
	    .user = a.user,
	    .password = a.password,
	    .database = o.database,
	    .option_file = o.option_file,
	    .ssl = o.ssl,
	    .ssl_ca = o.ssl_ca,
	    .ssl_cert = o.ssl_cert,
	    .ssl_key = o.ssl_key,
	    .timeout = a.timeout,
	};
	probe_mysql_describe(&t, who, sizeof(who));
	/* Rates from two servers found through two option files must not mix. */
	if (t.option_file != NULL)
		snprintf(who + strlen(who), sizeof(who) - strlen(who), " (%s)", t.option_file);
	m = probe_mysql_connect(&t, &why, err, sizeof(err));
	if (m == NULL)
		locks_check_fail(why, err);
	locks_init(&rep);
	why = probe_mysql_locks(m, &rep, err, sizeof(err));
	mysql_close(m);
	locks_check_finish(&verdict_mysql_locks, &a, &o, &rep, why, err, who);
}
