/*
 * check_mysql_locks: lock waits in MySQL or MariaDB. Who waits, for how
 * long, and who holds them up, read from the server's own views by
 * probe/mysql_locks.c; reported by locks_check.c as check_pgsql_locks
 * reports PostgreSQL's.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "locks_check.h"
#include "probe/mysql_locks.h"

enum {
	OPT_DATABASE = 256,
	OPT_DEFAULTS_FILE,
	OPT_SSL,
	OPT_SSL_CA,
	OPT_SSL_CERT,
	OPT_SSL_KEY,
};

static const struct plugin_option options[] = {
    {"database", OPT_DATABASE, "NAME", "Connect to database NAME (locks are read server-wide)."},
    {"defaults-file", OPT_DEFAULTS_FILE, "FILE",
     "Read host, port, user, password, socket and TLS settings from the\n"
     "[client] group of FILE (a regular file), as the mysql client does;\n"
     "options given here win over it."},
    {"ssl", OPT_SSL, NULL, "Require TLS."},
    {"ca-file", OPT_SSL_CA, "FILE",
     "Require TLS and verify the server's certificate against the CA in FILE."},
    {"ssl-ca", OPT_SSL_CA, "FILE", NULL},
    {"cert", OPT_SSL_CERT, "FILE", "Require TLS and log in with the client certificate FILE."},
    {"ssl-cert", OPT_SSL_CERT, "FILE", NULL},
    {"key", OPT_SSL_KEY, "FILE", "The key of --cert."},
    {"ssl-key", OPT_SSL_KEY, "FILE", NULL},
    {NULL, 0, NULL, NULL},
};

/* Take one of check_mysql_locks' own options into the target at ctx. */
static int on_option(void *ctx, int val, const char *arg, char *err, size_t errlen)
{
	struct mysql_target *t = ctx;

	(void)err;
	(void)errlen;
	switch (val) {
	case OPT_DATABASE:
		t->database = arg;
		break;
	case OPT_DEFAULTS_FILE:
		t->option_file = arg;
		break;
	case OPT_SSL:
		t->ssl = true;
		break;
	case OPT_SSL_CA:
		t->ssl_ca = arg;
		break;
	case OPT_SSL_CERT:
		t->ssl_cert = arg;
		break;
	case OPT_SSL_KEY:
		t->ssl_key = arg;
		break;
	}
	return 0;
}

static const struct plugin check_mysql_locks = {
    .name = "check_mysql_locks",
    .service = "MYSQL-LOCKS",
    .purpose = "Checks lock waits in a MySQL or MariaDB server: how many sessions wait for\n"
	       "a row, table or metadata lock, the longest wait, and who holds them up,\n"
	       "through chains (A blocks B blocks C), with the blocker's user, host,\n"
	       "transaction age, how long it has sat idle in an open transaction and its\n"
	       "query. Row-lock waits, their time, table-lock waits and deadlocks are\n"
	       "also reported per second. The check's own session gives up any lock wait\n"
	       "at once, so a locked-up table cannot hang it. The user needs the PROCESS\n"
	       "privilege (GRANT PROCESS ON *.* TO USER); without it the check is UNKNOWN.",
    .synopsis = "[-H HOST|SOCKET] [-p PORT] [--user USER] [--password-file FILE] "
		"[--defaults-file FILE] [-w RANGE] [-c RANGE] [-t SECONDS[:STATE]]",
    .common = PLUGIN_HOST | PLUGIN_PORT | PLUGIN_STATE_DIR | PLUGIN_LOGIN,
    .options = options,
    .metrics = locks_check_mysql_metrics,
    .nmain = 1,
    .thresholds_help = locks_check_thresholds_help,
    .host_help = "Server host name, address or unix socket path (default: the\n"
		 "  --defaults-file's, or the local server's socket).",
    .password_env = "MYSQL_PWD",
    .examples = "  check_mysql_locks -H db1 --user nagios --password-file /etc/nagios/db.pw "
		"-w 10 -c 60\n"
		"      WARNING when a session has waited 10 s for a lock, CRITICAL at 60 s.\n"
		"  check_mysql_locks --defaults-file /etc/nagios/my.cnf -c lock_blocker_idle=300\n"
		"      CRITICAL when a blocker sits idle in its transaction for 5 minutes.",
    .option = on_option,
};

int main(int argc, char **argv)
{
	struct mysql_target t = {0};
	struct plugin_args a;
	struct lock_report rep;
	char who[300], err[512];
	MYSQL *m;
	int why;

	plugin_start(&check_mysql_locks, argc, argv, &t, &a);
	if (t.ssl_key != NULL && t.ssl_cert == NULL)
		plugin_usage_error("--key needs --cert");
	t.host = a.host;
	t.port = a.port;
	t.user = a.user;
	t.password = a.password;
	t.timeout = a.timeout;
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
	locks_check_finish(
	    &a, &rep, why, err,
	    &(struct locks_check_how){&check_mysql_locks, who, "thread", "KILL ", ""});
}
