/*
 * The verdict of check_mysql_locks and check_pgsql_locks (see
 * locks_verdict.h), from the lock metrics alone. The summary is written for
 * the person woken at 3 AM: how many wait, for how long, and the one
 * session to look at, with what it is doing ("idle 70 s in an open
 * transaction" means someone forgot a COMMIT). Long output names every
 * session the set details (probe/locks.h: LOCKS_DETAIL_MAX of them), the
 * ones to act on first, and how to end each head of a chain.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "plugin.h"
#include "probe/locks.h"
#include "probe/locks_verdict.h"
#include "series.h"
#include "sslmode.h"
#include "verdict.h"
#include "xalloc.h"

/* How a database names its sessions and ends one: what tells the two verdicts apart. */
struct dbms {
	const char *session;   /* "thread" or "pid" */
	const char *end;       /* the statement that ends a session, before its id: "KILL " */
	const char *end_close; /* and after it: "" or ")" */
};

static const struct dbms mysql = {"thread", "KILL ", ""};
static const struct dbms pgsql = {"pid", "SELECT pg_terminate_backend(", ")"};

/*
 * The metric names for -w/-c METRIC=RANGE; lock_wait_longest takes a bare
 * -w/-c. PostgreSQL counts deadlocks but no lock waits over time.
 */
static const char *const mysql_metrics[] = {"lock_wait_longest",     "lock_waiters",
					    "lock_blockers",	     "lock_blocked_most",
					    "lock_blocker_idle",     "lock_deadlocks_rate",
					    "lock_row_waits_rate",   "lock_row_wait_time_rate",
					    "lock_table_waits_rate", NULL};

static const char *const pgsql_metrics[] = {"lock_wait_longest",
					    "lock_waiters",
					    "lock_blockers",
					    "lock_blocked_most",
					    "lock_blocker_idle",
					    "lock_deadlocks_rate",
					    NULL};

/* What a bare -w/-c applies to, for --help. */
static const char thresholds_help[] =
    "A bare -w/-c applies to the longest current lock wait in seconds\n"
    "  (lock_wait_longest). Rates are per second since the last run.";

/* Words for a series in seconds that crossed a bound: "WHAT 3.4 s". */
static void seconds_words(const struct metric *m, double v, const char *what, char *out,
			  size_t outlen)
{
	char t[32];

	(void)m;
	num_seconds(v, t, sizeof(t));
	snprintf(out, outlen, "%s %s", what, t);
}

/*
 * What session s is doing, after who it is: "idle 70 s in an open
 * transaction", "transaction open 80 s", or nothing known.
 */
static void doing(const struct lock_session *s, char *out, size_t outlen)
{
	char t[32];

	if (!isnan(s->idle)) {
		num_seconds(s->idle, t, sizeof(t));
		snprintf(out, outlen, ", idle %s in an open transaction", t);
	} else if (!isnan(s->trx_age)) {
		num_seconds(s->trx_age, t, sizeof(t));
		snprintf(out, outlen, ", transaction open %s", t);
	} else {
		out[0] = '\0';
	}
}

/* The main item: waiters, the longest wait and the blocker to act on. */
static void summary(struct result *r, const struct plugin_args *a, const struct metric_set *set,
		    const struct lock_report *rep, const struct dbms *d)
{
	const struct lock_session *w = locks_worst_blocker(rep);
	double waiters = metric_set_value(set, "lock_waiters", NULL, NULL);
	double longest = metric_set_value(set, "lock_wait_longest", NULL, NULL);
	size_t n = isnan(waiters) ? 0 : (size_t)waiters;
	struct perf p = perf_make("lock_wait_longest", longest, "s");
	char why[128], t[32], who[300], what[128];
	enum state s;

	p.min = 0;
	s = plugin_metric(r, a, "lock_wait_longest", 0, &p, why, sizeof(why));
	if (n == 0) {
		result_add(r, s, "no lock waits%s", why);
		return;
	}
	num_seconds(longest, t, sizeof(t));
	if (w == NULL) {
		result_add(r, s, "%zu session%s waiting, longest %s%s", n, num_plural(n), t, why);
		return;
	}
	locks_who(w, who, sizeof(who));
	doing(w, what, sizeof(what));
	result_add(r, s, "%zu session%s waiting, longest %s%s, blocked by %s %ld (%s%s)", n,
		   num_plural(n), t, why, d->session, w->id, who, what);
}

/* One long-output line for session s. */
static void describe(struct result *r, const struct lock_report *rep, const struct lock_session *s,
		     const struct dbms *d)
{
	char who[300], what[128], t[32], role[200] = "";
	long by = locks_blocker_of(rep, s->id);

	locks_who(s, who, sizeof(who));
	doing(s, what, sizeof(what));
	if (s->blocks_total > 0)
		snprintf(role, sizeof(role), " holds up %zu session%s (%zu directly)",
			 s->blocks_total, num_plural(s->blocks_total), s->blocks_direct);
	if (!isnan(s->wait)) {
		char blocker[64] = "";

		num_seconds(s->wait, t, sizeof(t));
		if (by >= 0)
			snprintf(blocker, sizeof(blocker), ", blocked by %s %ld", d->session, by);
		result_long(r, "%s %ld (%s%s)%s%s waits %s for the %s%s: %s", d->session, s->id,
			    who, what, role, role[0] != '\0' ? " and" : "", t,
			    s->lock != NULL ? s->lock : "lock", blocker,
			    s->query != NULL ? s->query : "(no query)");
		return;
	}
	result_long(r, "%s %ld (%s%s)%s: %s", d->session, s->id, who, what, role,
		    s->query != NULL ? s->query : "(no current query)");
}

/*
 * What ends blocker s, after its line: for the head of a chain (a blocker
 * that waits for nobody), or for worst when every blocker waits (a
 * deadlock the server has not broken yet). A prepared transaction (pid 0)
 * has no session to end.
 */
static void remedy(struct result *r, const struct lock_session *s, const struct lock_session *worst,
		   const struct dbms *d)
{
	if (s->blocks_total == 0 || s->id <= 0 || (!isnan(s->wait) && s != worst))
		return;
	result_long(r, "to end %s %ld and roll back its transaction: %s%ld%s", d->session, s->id,
		    d->end, s->id, d->end_close);
}

/* Every detailed blocker and waiter, the ones to act on first; then what is left out. */
static void details(struct result *r, const struct metric_set *set, const struct lock_report *rep,
		    const struct dbms *d)
{
	const struct lock_session **list = xcalloc(rep->nsessions + 1, sizeof(*list));
	const struct lock_session *worst = locks_worst_blocker(rep);
	double sessions = metric_set_value(set, "lock_sessions", NULL, NULL);
	double dropped = metric_set_value(set, "lock_sessions_dropped", NULL, NULL);
	size_t n = 0;

	for (size_t i = 0; i < rep->nsessions; i++)
		list[n++] = &rep->sessions[i];
	qsort(list, n, sizeof(*list), locks_by_importance);
	for (size_t i = 0; i < n; i++) {
		describe(r, rep, list[i], d);
		remedy(r, list[i], worst, d);
	}
	if (sessions > (double)n) {
		size_t more = (size_t)sessions - n;

		result_long(r, "%zu more session%s wait or block, not listed", more,
			    num_plural(more));
	}
	if (dropped > 0)
		result_long(r, "more than %d sessions wait or block: the rest are not counted",
			    LOCKS_SESSIONS_MAX);
	free(list);
}

/*
 * The rate of counter name, or UNKNOWN when a threshold asks for it and
 * the server keeps no such counter (PostgreSQL counts no lock waits).
 */
static void rate(struct result *r, const struct plugin_args *a, struct rates *rates,
		 const struct metric_set *set, const char *name, const char *what)
{
	char rate_name[64];
	struct threshold t;

	if (metric_set_find(set, name, NULL, NULL) != NULL) {
		series_rate(r, a, rates, set, name, NULL, what);
		return;
	}
	snprintf(rate_name, sizeof(rate_name), "%s_rate", name);
	t = thresholds_get(a->thresholds, rate_name, -1);
	if (t.has_warn || t.has_crit)
		result_add(r, STATE_UNKNOWN, "no %s: this server does not count it", rate_name);
}

/* The judgement of both verdicts, d telling the databases apart. */
static void judge(struct result *r, const struct verdict_in *in, const struct dbms *d)
{
	const struct plugin_args *a = in->args;
	const struct metric_set *set = in->set;
	struct rates none = {.err = "no earlier sample"};
	struct rates *rates = in->rates != NULL ? in->rates : &none;
	struct lock_report rep;

	if (metric_set_find(set, "lock_waiters", NULL, NULL) == NULL) {
		result_add(r, STATE_UNKNOWN, "no lock metrics");
		return;
	}
	locks_from_set(&rep, set);
	summary(r, a, set, &rep, d);
	series_check(r, a, set, "lock_waiters", -1, NULL, "sessions waiting:");
	series_check(r, a, set, "lock_blockers", -1, NULL, "blocking sessions:");
	series_check(r, a, set, "lock_blocked_most", -1, NULL, "sessions held up by one blocker:");
	series_check_words(r, a, set, "lock_blocker_idle", -1, NULL,
			   "a blocker idle in its transaction for", seconds_words);
	series_check(r, a, set, "lock_deadlocks", -1, NULL, "deadlocks:");
	series_check(r, a, set, "lock_row_waits", -1, NULL, "row-lock waits:");
	series_check(r, a, set, "lock_row_wait_time", -1, NULL, "row-lock wait time:");
	series_check(r, a, set, "lock_table_waits", -1, NULL, "table-lock waits:");
	rate(r, a, rates, set, "lock_deadlocks", "%.2f deadlocks/s");
	rate(r, a, rates, set, "lock_row_waits", "%.2f row-lock waits/s");
	rate(r, a, rates, set, "lock_row_wait_time", "%.2f s of row-lock waits per second");
	rate(r, a, rates, set, "lock_table_waits", "%.2f table-lock waits/s");
	details(r, set, &rep, d);
	locks_free(&rep);
}

static void judge_mysql(struct result *r, const struct verdict_in *in)
{
	judge(r, in, &mysql);
}

static void judge_pgsql(struct result *r, const struct verdict_in *in)
{
	judge(r, in, &pgsql);
}

/* Only thresholds: every option of both plugins picks the server or how to reach it. */
static const char *const agent_options[] = {NULL};

enum {
	OPT_DATABASE = 256,
	OPT_DEFAULTS_FILE,
	OPT_SERVICE,
	OPT_SSL,
	OPT_SSLMODE,
	OPT_SSL_CA,
	OPT_SSL_CERT,
	OPT_SSL_KEY,
};

static const struct plugin_option mysql_options[] = {
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

/* Take one of check_mysql_locks' own options into the struct mysql_locks_opts at ctx. */
static int mysql_option(void *ctx, int val, const char *arg, char *err, size_t errlen)
{
	struct mysql_locks_opts *o = ctx;

	(void)err;
	(void)errlen;
	switch (val) {
	case OPT_DATABASE:
		o->database = arg;
		break;
	case OPT_DEFAULTS_FILE:
		o->option_file = arg;
		break;
	case OPT_SSL:
		o->ssl = true;
		break;
	case OPT_SSL_CA:
		o->ssl_ca = arg;
		break;
	case OPT_SSL_CERT:
		o->ssl_cert = arg;
		break;
	case OPT_SSL_KEY:
		o->ssl_key = arg;
		break;
	}
	return 0;
}

static const struct plugin mysql_plugin = {
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
    .options = mysql_options,
    .metrics = mysql_metrics,
    .nmain = 1,
    .thresholds_help = thresholds_help,
    .host_help = "Server host name, address or unix socket path (default: the\n"
		 "  --defaults-file's, or the local server's socket).",
    .password_env = "MYSQL_PWD",
    .examples = "  check_mysql_locks -H db1 --user nagios --password-file /etc/nagios/db.pw "
		"-w 10 -c 60\n"
		"      WARNING when a session has waited 10 s for a lock, CRITICAL at 60 s.\n"
		"  check_mysql_locks --defaults-file /etc/nagios/my.cnf -c lock_blocker_idle=300\n"
		"      CRITICAL when a blocker sits idle in its transaction for 5 minutes.",
    .option = mysql_option,
};

const struct verdict verdict_mysql_locks = {
    .name = "mysql_locks",
    .kind = "mysql",
    .plugin = &mysql_plugin,
    .agent_options = agent_options,
    .opts_size = sizeof(struct mysql_locks_opts),
    .judge = judge_mysql,
};

static const struct plugin_option pgsql_options[] = {
    {"database", OPT_DATABASE, "NAME",
     "Connect to database NAME (default: libpq's, PGDATABASE or the user\n"
     "name); locks are read server-wide."},
    {"service", OPT_SERVICE, "NAME",
     "Take connection settings from service NAME in pg_service.conf\n"
     "(PGSERVICEFILE, ~/.pg_service.conf); options given here win over it."},
    {"sslmode", OPT_SSLMODE, "MODE",
     "libpq's sslmode: disable, allow, prefer (default), require, verify-ca\n"
     "or verify-full."},
    {"ca-file", OPT_SSL_CA, "FILE", "CA certificates to verify the server against."},
    {"sslrootcert", OPT_SSL_CA, "FILE", NULL},
    {"cert", OPT_SSL_CERT, "FILE", "Client certificate."},
    {"sslcert", OPT_SSL_CERT, "FILE", NULL},
    {"key", OPT_SSL_KEY, "FILE", "The key of --cert."},
    {"sslkey", OPT_SSL_KEY, "FILE", NULL},
    {NULL, 0, NULL, NULL},
};

/* Take one of check_pgsql_locks' own options into the struct pgsql_locks_opts at ctx. */
static int pgsql_option(void *ctx, int val, const char *arg, char *err, size_t errlen)
{
	struct pgsql_locks_opts *o = ctx;

	switch (val) {
	case OPT_DATABASE:
		o->database = arg;
		return 0;
	case OPT_SERVICE:
		o->service = arg;
		return 0;
	case OPT_SSL_CA:
		o->sslrootcert = arg;
		return 0;
	case OPT_SSL_CERT:
		o->sslcert = arg;
		return 0;
	case OPT_SSL_KEY:
		o->sslkey = arg;
		return 0;
	}
	if (!sslmode_valid(arg)) {
		snprintf(err, errlen, "invalid --sslmode '%s': expected " SSLMODE_WORDS, arg);
		return -1;
	}
	o->sslmode = arg;
	return 0;
}

static const struct plugin pgsql_plugin = {
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
    .options = pgsql_options,
    .metrics = pgsql_metrics,
    .nmain = 1,
    .thresholds_help = thresholds_help,
    .host_help = "Server host name, address or unix socket directory (default:\n"
		 "  libpq's: PGHOST, the --service's, or the local socket).",
    .password_env = "PGPASSWORD",
    .examples = "  check_pgsql_locks -H db1 --user nagios --database postgres -w 10 -c 60\n"
		"      WARNING when a session has waited 10 s for a lock, CRITICAL at 60 s.\n"
		"  check_pgsql_locks --service monitoring -c lock_blocker_idle=300\n"
		"      CRITICAL when a blocker sits idle in its transaction for 5 minutes.",
    .option = pgsql_option,
};

const struct verdict verdict_pgsql_locks = {
    .name = "pgsql_locks",
    .kind = "postgresql",
    .plugin = &pgsql_plugin,
    .agent_options = agent_options,
    .opts_size = sizeof(struct pgsql_locks_opts),
    .judge = judge_pgsql,
};
