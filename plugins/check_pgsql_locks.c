/*
 * check_pgsql_locks: lock waits in PostgreSQL. Who waits, for how long,
 * and who holds them up, read from pg_stat_activity and pg_locks by
 * probe/pgsql_locks.c; reported by locks_check.c as check_mysql_locks
 * reports MySQL's.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "locks_check.h"
#include "sslmode.h"
#include "probe/pgsql_locks.h"

enum {
	OPT_DATABASE = 256,
	OPT_SERVICE,
	OPT_SSLMODE,
	OPT_SSLROOTCERT,
	OPT_SSLCERT,
	OPT_SSLKEY,
};

static const struct plugin_option options[] = {
    {"database", OPT_DATABASE, "NAME",
     "Connect to database NAME (default: libpq's, PGDATABASE or the user\n"
     "name); locks are read server-wide."},
    {"service", OPT_SERVICE, "NAME",
     "Take connection settings from service NAME in pg_service.conf\n"
     "(PGSERVICEFILE, ~/.pg_service.conf); options given here win over it."},
    {"sslmode", OPT_SSLMODE, "MODE",
     "libpq's sslmode: disable, allow, prefer (default), require, verify-ca\n"
     "or verify-full."},
    {"ca-file", OPT_SSLROOTCERT, "FILE", "CA certificates to verify the server against."},
    {"sslrootcert", OPT_SSLROOTCERT, "FILE", NULL},
    {"cert", OPT_SSLCERT, "FILE", "Client certificate."},
    {"sslcert", OPT_SSLCERT, "FILE", NULL},
    {"key", OPT_SSLKEY, "FILE", "The key of --cert."},
    {"sslkey", OPT_SSLKEY, "FILE", NULL},
    {NULL, 0, NULL, NULL},
};

/* Take one of check_pgsql_locks' own options into the target at ctx. */
static int on_option(void *ctx, int val, const char *arg, char *err, size_t errlen)
{
	struct pgsql_target *t = ctx;

	switch (val) {
	case OPT_DATABASE:
		t->database = arg;
		return 0;
	case OPT_SERVICE:
		t->service = arg;
		return 0;
	case OPT_SSLROOTCERT:
		t->sslrootcert = arg;
		return 0;
	case OPT_SSLCERT:
		t->sslcert = arg;
		return 0;
	case OPT_SSLKEY:
		t->sslkey = arg;
		return 0;
	}
	if (!sslmode_valid(arg)) {
		snprintf(err, errlen, "invalid --sslmode '%s': expected " SSLMODE_WORDS, arg);
		return -1;
	}
	t->sslmode = arg;
	return 0;
}

static const struct plugin check_pgsql_locks = {
    .name = "check_pgsql_locks",
    .service = "PGSQL-LOCKS",
    .purpose = "Checks lock waits in a PostgreSQL server (9.6 or later): how many sessions\n"
	       "wait for a lock, the longest wait (from pg_locks.waitstart on 14 and\n"
	       "later, from the start of the waiting statement before), and who holds\n"
	       "them up (pg_blocking_pids), through chains, with the blocker's user,\n"
	       "address, transaction age, how long it has sat idle in an open\n"
	       "transaction and its query. Deadlocks are also reported per second. The\n"
	       "check's session sets lock_timeout and statement_timeout, so a locked-up\n"
	       "table cannot hang it. The user must see other sessions: a superuser or a\n"
	       "member of pg_monitor (GRANT pg_monitor TO USER); otherwise UNKNOWN.\n"
	       "Everything libpq reads from its environment works too: the password from\n"
	       "PGPASSWORD, PGPASSFILE or ~/.pgpass, settings from a --service.",
    .synopsis = "[-H HOST|SOCKET-DIR] [-p PORT] [--user USER] [--password-file FILE] "
		"[--database NAME] [--service NAME] [-w RANGE] [-c RANGE] "
		"[-t SECONDS[:STATE]]",
    .common = PLUGIN_HOST | PLUGIN_PORT | PLUGIN_STATE_DIR | PLUGIN_LOGIN,
    .options = options,
    .metrics = locks_check_pgsql_metrics,
    .nmain = 1,
    .thresholds_help = locks_check_thresholds_help,
    .host_help = "Server host name, address or unix socket directory (default:\n"
		 "  libpq's: PGHOST, the --service's, or the local socket).",
    .password_env = "PGPASSWORD",
    .examples = "  check_pgsql_locks -H db1 --user nagios --database postgres -w 10 -c 60\n"
		"      WARNING when a session has waited 10 s for a lock, CRITICAL at 60 s.\n"
		"  check_pgsql_locks --service monitoring -c lock_blocker_idle=300\n"
		"      CRITICAL when a blocker sits idle in its transaction for 5 minutes.",
    .option = on_option,
};

int main(int argc, char **argv)
{
	struct pgsql_target t = {0};
	struct plugin_args a;
	struct lock_report rep;
	char who[300], err[512];
	PGconn *c;
	int why;

	plugin_start(&check_pgsql_locks, argc, argv, &t, &a);
	if (t.sslkey != NULL && t.sslcert == NULL)
		plugin_usage_error("--key needs --cert");
	t.host = a.host;
	t.port = a.port;
	t.user = a.user;
	t.password = a.password;
	t.timeout = a.timeout;
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
	locks_check_finish(&a, &rep, why, err,
			   &(struct locks_check_how){&check_pgsql_locks, who, "pid",
						     "SELECT pg_terminate_backend(", ")"});
}
