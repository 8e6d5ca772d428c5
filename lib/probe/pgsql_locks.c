/*
 * The PostgreSQL lock probe (see pgsql_locks.h). libpq does the talking;
 * everything waits in poll() under our own deadline, because libpq's
 * connect_timeout only applies to its blocking calls and each of its steps
 * separately. While nobody waits for a lock, one small query answers
 * everything (may we see other sessions, the deadlock counter, does anyone
 * wait); only when someone does, a second one reads the sessions that wait
 * or block, with what they wait for and whom for.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "net.h"
#include "num.h"
#include "probe/pgsql_locks.h"
#include "progress.h"
#include "xalloc.h"

/* Seconds when a target or caller gives no positive timeout. */
#define DEFAULT_TIMEOUT 10.0
/* The longest description of a server. */
#define WHO_MAX 300

/* Connection keywords for libpq, only those that are set. */
struct params {
	const char *keys[20];
	const char *values[20];
	size_t n;
};

/* How waiting on the connection ended. */
enum wait_end {
	WAIT_LOST = -1,
	WAIT_READY = 0,
	WAIT_EXPIRED = 1,
};

/* The columns of the summary query, in order. */
enum summary_column {
	SUM_VISIBLE,
	SUM_ROLE,
	SUM_DEADLOCKS,
	SUM_WAITING,
	SUM_NCOLUMNS,
};

/* The columns of the session query, in order. */
enum session_column {
	COL_PID,
	COL_BLOCKERS,
	COL_USER,
	COL_ADDR,
	COL_PORT,
	COL_DATABASE,
	COL_QUERY,
	COL_STATE,
	COL_NOW,
	COL_XACT_START,
	COL_STATE_CHANGE,
	COL_WAITSTART,
	COL_LOCKTYPE,
	COL_MODE,
	COL_RELATION,
	COL_HERE,
	COL_LOCK_DATABASE,
	COL_TRANSACTIONID,
	COL_VIRTUALXID,
	COL_CLASSID,
	COL_OBJID,
	COL_OBJSUBID,
	COL_ROW_TABLE,
	NCOLUMNS,
};

/*
 * Round trip one, the only one while nobody waits: may we see other
 * sessions (format argument: the test for this version), who we are, the
 * deadlock counter of each database, and whether any backend waits for a
 * lock. A new backend pays for every catalog entry a query touches, so
 * this one calls a few functions and reads no view: with a connection per
 * check it costs about a quarter of "connect + select 1" on top.
 */
static const char summary_format[] =
    "select %s, quote_ident(current_user), pg_stat_get_db_deadlocks(oid),"
    " exists(select from pg_stat_get_backend_idset() i"
    " where pg_stat_get_backend_wait_event_type(i) = 'Lock')"
    " from pg_database";

/*
 * Round trip two, when someone waits: one row per session that waits or
 * blocks. Format argument: pg_locks.waitstart, or a null before 14. a:
 * every backend (a stats snapshot, read once); w: waiters and whom
 * pg_blocking_pids() says they wait for (holders and those queued ahead;
 * 0 is a prepared transaction); b: those blockers; l: the lock each
 * backend waits for (one at a time); t and r: the table of a row a
 * backend waits for when the lock is the other transaction's id, from the
 * tuple lock the first waiter for a row holds, else the one table it
 * holds a row lock on (pg_locks names no table for a transactionid lock).
 * A new backend looks up every
 * function, operator and cast a query names for the first time, which
 * costs more than running it, so this query returns raw columns and the
 * words and ages are made in C: timestamps arrive as ISO text in UTC (the
 * session's DateStyle and TimeZone). regclass names come from the
 * syscache without locking the table and, with the session's search_path
 * of pg_catalog, carry their schema; "here" says whether a relation lock
 * is in our database, since an OID from another would name the wrong
 * table.
 */
static const char sessions_format[] =
    "with a as (select pid, usesysid, datid, state, query, wait_event_type,"
    " xact_start, state_change, client_addr, client_port"
    " from pg_stat_get_activity(null)),"
    " w as (select pid, pg_blocking_pids(pid) as blockers from a"
    " where wait_event_type = 'Lock' and pid <> pg_backend_pid()),"
    " b as (select distinct unnest(blockers) as pid from w),"
    " s as (select pid, blockers from w"
    " union all select pid, null from b where pid not in (select pid from w)),"
    " k as (select * from pg_lock_status()),"
    " l as (select distinct on (pid) * from k where not granted order by pid),"
    " h as (select oid from pg_database where datname = current_database()),"
    " t as (select distinct on (pid) pid, relation from k"
    " where granted and locktype = 'tuple' and database in (select oid from h)"
    " order by pid),"
    " r as (select pid, min(relation) as relation from k"
    " where granted and locktype = 'relation' and database in (select oid from h)"
    " and mode in ('RowExclusiveLock', 'RowShareLock')"
    " and (select relkind from pg_class c where c.oid = k.relation) in ('r', 'p')"
    " group by pid having count(*) = 1)"
    " select s.pid, s.blockers, pg_get_userbyid(a.usesysid), a.client_addr, a.client_port,"
    " (select datname from pg_database where oid = a.datid), a.query, a.state, now(),"
    " a.xact_start, a.state_change, %s, l.locktype, l.mode, l.relation::regclass,"
    " l.database in (0, (select oid from pg_database where datname = current_database())),"
    " l.database, l.transactionid, l.virtualxid, l.classid, l.objid, l.objsubid,"
    " coalesce(t.relation, r.relation)::regclass"
    " from s left join a on a.pid = s.pid"
    " left join l on l.pid = s.pid and s.blockers is not null"
    " left join t on t.pid = s.pid and l.locktype = 'transactionid'"
    " left join r on r.pid = s.pid and l.locktype = 'transactionid'";

void probe_pgsql_describe(const struct pgsql_target *t, char *out, size_t outlen)
{
	const char *h = t->host;

	if (h == NULL || h[0] == '\0') {
		if (t->service != NULL)
			snprintf(out, outlen, "service %s", t->service);
		else
			snprintf(out, outlen, "the default server");
	} else if (h[0] == '/') {
		/* libpq's socket is DIR/.s.PGSQL.PORT; the path says both. */
		if (t->port > 0)
			snprintf(out, outlen, "%s/.s.PGSQL.%ld", h, t->port);
		else
			snprintf(out, outlen, "%s", h);
	} else if (t->port <= 0) {
		snprintf(out, outlen, "%s", h);
	} else if (strchr(h, ':') != NULL) {
		snprintf(out, outlen, "[%s]:%ld", h, t->port);
	} else {
		snprintf(out, outlen, "%s:%ld", h, t->port);
	}
}

/* The server c talks to (libpq knows the defaults it applied), else t's. */
static void describe_conn(const PGconn *c, const struct pgsql_target *t, char *out, size_t outlen)
{
	struct pgsql_target d = {0};
	const char *port;

	d.host = c != NULL ? PQhost(c) : NULL;
	if (d.host == NULL || d.host[0] == '\0') {
		if (t != NULL)
			probe_pgsql_describe(t, out, outlen);
		else
			snprintf(out, outlen, "the server");
		return;
	}
	port = PQport(c);
	if (port == NULL || num_parse_long(port, 1, 65535, &d.port) != 0)
		d.port = 0;
	probe_pgsql_describe(&d, out, outlen);
}

/* Add key = value to p; a NULL value leaves the key to libpq's defaults. */
static void param(struct params *p, const char *key, const char *value)
{
	if (value == NULL)
		return;
	p->keys[p->n] = key;
	p->values[p->n] = value;
	p->n++;
}

/*
 * Find the SQLSTATE that libpq's verbose format puts after the severity
 * ("FATAL:  28P01: password authentication failed ...") in the len bytes
 * of line, and the message after it; false when the line carries none
 * (libpq's own errors: refused, no such host, TLS, timeouts).
 */
static bool line_sqlstate(const char *line, size_t len, char state[6], const char **text)
{
	for (size_t i = 0; i + 10 <= len; i++) {
		const char *s = line + i + 3;
		bool code = memcmp(line + i, ":  ", 3) == 0 && s[5] == ':' && s[6] == ' ';

		for (size_t k = 0; code && k < 5; k++)
			code = (s[k] >= '0' && s[k] <= '9') || (s[k] >= 'A' && s[k] <= 'Z');
		if (code) {
			memcpy(state, s, 5);
			state[5] = '\0';
			*text = s + 7;
			return true;
		}
	}
	return false;
}

/* The text of a libpq line without its "connection to server at ... failed: " prefix. */
static const char *strip_attempt(const char *line, size_t len)
{
	static const char lead[] = "connection to server ", mid[] = " failed: ";
	const char *end = line + len;

	if (len < sizeof(lead) - 1 || memcmp(line, lead, sizeof(lead) - 1) != 0)
		return line;
	for (const char *p = line; p + sizeof(mid) - 1 <= end; p++)
		if (memcmp(p, mid, sizeof(mid) - 1) == 0)
			return p + sizeof(mid) - 1;
	return line;
}

/* What a server's refusal of the login means for the check. */
static int login_refused(const char *state)
{
	/* Class 28: password, pg_hba.conf, role; 3D000: no such database. */
	if (strncmp(state, "28", 2) == 0 || strcmp(state, "3D000") == 0 ||
	    strcmp(state, "42501") == 0)
		return FAIL_DENIED;
	/*
	 * Connection trouble, too many connections, starting or stopping; our
	 * lock_timeout (55P03) when a lock on a catalog holds up the login.
	 */
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0 ||
	    strncmp(state, "57", 2) == 0 || strcmp(state, "55P03") == 0)
		return FAIL_DOWN;
	return FAIL_BROKEN;
}

/*
 * What to add to the server's words for an SQLSTATE whose text alone
 * misleads; at login, an unknown parameter is one of our options that a
 * server before 9.6 lacks.
 */
static const char *state_note(const char *state, bool login)
{
	if (strcmp(state, "55P03") == 0)
		return " (the probe waited over 1 s for a lock on a system catalog)";
	if (login && strcmp(state, "42704") == 0)
		return " (PostgreSQL 9.6 or later is needed)";
	return "";
}

/*
 * Describe the servers c tried as "any of H1,H2" into out when its host is
 * a list (from the target, PGHOST or a service); false for one host.
 */
static bool describe_list(PGconn *c, char *out, size_t outlen)
{
	PQconninfoOption *opts = PQconninfo(c);
	bool list = false;

	for (PQconninfoOption *o = opts; o != NULL && o->keyword != NULL; o++)
		if (strcmp(o->keyword, "host") == 0 && o->val != NULL &&
		    strchr(o->val, ',') != NULL) {
			snprintf(out, outlen, "any of %s", o->val);
			list = true;
		}
	PQconninfoFree(opts);
	return list;
}

/*
 * Say why connecting failed, and classify it. With several hosts or
 * addresses, or TLS then plaintext, libpq writes a line per attempt: the
 * first line with the server's own SQLSTATE says most (a refusal of the
 * login beats "connection refused" on another address). The line's
 * "connection to server at ... failed: " stays only when it tells which
 * of several hosts answered so.
 */
static int connect_failed(PGconn *c, const struct pgsql_target *t, char *err, size_t errlen)
{
	const char *msg = PQerrorMessage(c), *line = msg, *text = NULL, *reason, *end;
	char who[WHO_MAX], state[6] = "";
	bool list = describe_list(c, who, sizeof(who));
	int why = FAIL_DOWN, keep;

	if (!list)
		describe_conn(c, t, who, sizeof(who));
	if (PQconnectionNeedsPassword(c)) {
		snprintf(err, errlen,
			 "cannot connect to %s: the server asks for a password and none was "
			 "given: use --password-file, PGPASSWORD or PGPASSFILE",
			 who);
		return FAIL_DENIED;
	}
	for (const char *p = msg; *p != '\0'; p = *end == '\n' ? end + 1 : end) {
		end = strchr(p, '\n');
		if (end == NULL)
			end = p + strlen(p);
		if (*p != '\t' && *p != ' ' && line_sqlstate(p, (size_t)(end - p), state, &text)) {
			line = p;
			break;
		}
	}
	end = strchr(line, '\n');
	if (end == NULL)
		end = line + strlen(line);
	reason = strip_attempt(line, (size_t)(end - line));
	if (text == NULL)
		text = reason;
	else
		why = login_refused(state);
	if (text == end) {
		snprintf(err, errlen, "cannot connect to %s", who);
		return why;
	}
	/* Of several hosts, only the attempt's own words name the one that failed so. */
	keep = list ? (int)(reason - line) : 0;
	snprintf(err, errlen, "cannot connect to %s: %.*s%.*s%s", who, keep, line,
		 (int)(end - text), text, state_note(state, true));
	return why;
}

/*
 * Drop the server's notices. libpq prints them on stderr by default, and an
 * error that arrives between queries (a FATAL before the server closes the
 * connection) counts as one: a plugin's output and the agent's log are not
 * libpq's to write to. A lost connection is reported by the next call.
 */
static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Where a connection that is being made has got to, for the words of a time-out. */
static enum progress_step connect_step(const PGconn *c)
{
	switch (PQstatus(c)) {
	case CONNECTION_STARTED:
		return PROGRESS_CONNECT;
	case CONNECTION_SSL_STARTUP:
		return PROGRESS_TLS;
	default:
		return PROGRESS_LOGIN;
	}
}

PGconn *probe_pgsql_connect(const struct pgsql_target *t, int *why, char *err, size_t errlen)
{
	double timeout = t->timeout > 0 ? t->timeout : DEFAULT_TIMEOUT;
	double deadline = time_monotonic() + timeout;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	struct params p = {.n = 0};
	char port[24], ctimeout[24], options[320], who[WHO_MAX];
	PGconn *c;

	snprintf(port, sizeof(port), "%ld", t->port);
	snprintf(ctimeout, sizeof(ctimeout), "%ld", timeout < 2 ? 2L : (long)ceil(timeout));
	/*
	 * The probe must never queue behind the locks it measures, nor be read
	 * as one more idle transaction; read-only keeps it honest; search_path
	 * keeps objects of users out of its queries and the schema in regclass
	 * names; ISO dates in UTC are what timestamp() reads. Any user may set
	 * all seven.
	 */
	snprintf(options, sizeof(options),
		 "-c lock_timeout=1000 -c statement_timeout=%ld"
		 " -c idle_in_transaction_session_timeout=0 -c default_transaction_read_only=on"
		 " -c search_path=pg_catalog -c DateStyle=ISO -c TimeZone=UTC",
		 (long)ceil(timeout * 1000));
	param(&p, "host", t->host);
	param(&p, "port", t->port > 0 ? port : NULL);
	param(&p, "user", t->user);
	param(&p, "password", t->password);
	param(&p, "dbname", t->database);
	param(&p, "service", t->service);
	param(&p, "sslmode", t->sslmode);
	param(&p, "sslrootcert", t->sslrootcert);
	param(&p, "sslcert", t->sslcert);
	param(&p, "sslkey", t->sslkey);
	param(&p, "application_name", "vakt");
	param(&p, "client_encoding", "UTF8");
	param(&p, "connect_timeout", ctimeout);
	param(&p, "options", options);
	p.keys[p.n] = NULL;
	p.values[p.n] = NULL;

	c = PQconnectStartParams(p.keys, p.values, 0);
	if (c == NULL) {
		probe_pgsql_describe(t, who, sizeof(who));
		snprintf(err, errlen, "cannot connect to %s: out of memory", who);
		*why = FAIL_BROKEN;
		return NULL;
	}
	/* Before the first answer arrives: the server's errors then carry their SQLSTATE. */
	PQsetErrorVerbosity(c, PQERRORS_VERBOSE);
	PQsetNoticeProcessor(c, ignore_notice, NULL);
	for (;;) {
		int ready;

		if (PQstatus(c) == CONNECTION_BAD || st == PGRES_POLLING_FAILED) {
			*why = connect_failed(c, t, err, errlen);
			PQfinish(c);
			return NULL;
		}
		if (st == PGRES_POLLING_OK)
			break;
		describe_conn(c, t, who, sizeof(who));
		progress_set(who, connect_step(c), NULL);
		ready =
		    net_wait(PQsocket(c), st == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline);
		if (ready <= 0) {
			int e = errno;

			if (ready == 0)
				progress_format(err, errlen, timeout, who, connect_step(c), NULL);
			else
				snprintf(err, errlen, "cannot connect to %s: %s", who, strerror(e));
			*why = FAIL_DOWN;
			PQfinish(c);
			return NULL;
		}
		st = PQconnectPoll(c);
	}
	PQsetErrorVerbosity(c, PQERRORS_DEFAULT);
	if (PQsetnonblocking(c, 1) != 0) {
		describe_conn(c, t, who, sizeof(who));
		snprintf(err, errlen, "cannot use the connection to %s without blocking", who);
		*why = FAIL_BROKEN;
		PQfinish(c);
		return NULL;
	}
	*why = 0;
	return c;
}

/* Wait until c can hand over its next result without blocking. */
static enum wait_end await_result(PGconn *c, double deadline)
{
	for (;;) {
		int r;

		if (PQconsumeInput(c) == 0)
			return WAIT_LOST;
		if (PQisBusy(c) == 0)
			return WAIT_READY;
		r = net_wait(PQsocket(c), POLLIN, deadline);
		if (r <= 0)
			return r == 0 ? WAIT_EXPIRED : WAIT_LOST;
	}
}

/* Send what libpq has queued, reading meanwhile as libpq asks non-blocking callers to. */
static enum wait_end flush_query(PGconn *c, double deadline)
{
	for (;;) {
		int f = PQflush(c), r;

		if (f == 0)
			return WAIT_READY;
		if (f < 0)
			return WAIT_LOST;
		r = net_wait(PQsocket(c), POLLIN | POLLOUT, deadline);
		if (r <= 0)
			return r == 0 ? WAIT_EXPIRED : WAIT_LOST;
		if (PQconsumeInput(c) == 0)
			return WAIT_LOST;
	}
}

/* Read every result of the running command; keep the first in *first (may be NULL). */
static enum wait_end collect(PGconn *c, double deadline, PGresult **first)
{
	for (;;) {
		enum wait_end w = await_result(c, deadline);
		PGresult *res;

		if (w != WAIT_READY)
			return w;
		res = PQgetResult(c);
		if (res == NULL)
			return WAIT_READY;
		if (first != NULL && *first == NULL)
			*first = res;
		else
			PQclear(res);
	}
}

/* The first line of libpq's last error, for messages. */
static int first_line(const char *msg)
{
	const char *nl = strchr(msg, '\n');

	return nl == NULL ? (int)strlen(msg) : (int)(nl - msg);
}

/* Say that the connection to who went away. */
static int lost(PGconn *c, const char *who, char *err, size_t errlen)
{
	const char *msg = PQerrorMessage(c);

	if (msg[0] == '\0')
		snprintf(err, errlen, "lost the connection to %s", who);
	else
		snprintf(err, errlen, "lost the connection to %s: %.*s", who, first_line(msg), msg);
	return FAIL_DOWN;
}

/*
 * Run sql on c within timeout seconds and return its result, or NULL with
 * *why and err. What an earlier, cancelled call left running is read
 * away first, under the same deadline.
 */
static PGresult *run(PGconn *c, const char *who, const char *sql, double timeout, int *why,
		     char *err, size_t errlen)
{
	double deadline = time_monotonic() + timeout;
	PGresult *res = NULL;
	enum wait_end w;

	progress_set(who, PROGRESS_QUERY, NULL);
	w = collect(c, deadline, NULL);
	if (w == WAIT_READY && PQsendQueryParams(c, sql, 0, NULL, NULL, NULL, NULL, 0) == 0) {
		if (PQstatus(c) == CONNECTION_BAD) {
			*why = lost(c, who, err, errlen);
		} else {
			snprintf(err, errlen, "cannot send a query to %s: %.*s", who,
				 first_line(PQerrorMessage(c)), PQerrorMessage(c));
			*why = FAIL_BROKEN;
		}
		return NULL;
	}
	if (w == WAIT_READY)
		w = flush_query(c, deadline);
	if (w == WAIT_READY)
		w = collect(c, deadline, &res);
	if (w == WAIT_READY && res != NULL)
		return res;
	PQclear(res);
	if (w == WAIT_EXPIRED) {
		/*
		 * No PQcancel(): before libpq 17 it has no time limit, and a hung
		 * server would hang us with it. The session's statement_timeout
		 * ends the query there; the caller drops the connection.
		 */
		progress_format(err, errlen, timeout, who, PROGRESS_QUERY, NULL);
		*why = FAIL_DOWN;
	} else if (w == WAIT_LOST) {
		*why = lost(c, who, err, errlen);
	} else {
		snprintf(err, errlen, "%s sent no result for the query", who);
		*why = FAIL_BROKEN;
	}
	return NULL;
}

/* Classify an error result of the query, with a hint where one helps. */
static int query_failed(PGconn *c, const PGresult *res, const char *who, char *err, size_t errlen)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *text = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *user = PQuser(c) != NULL ? PQuser(c) : "";

	if (text == NULL)
		text = PQresultErrorMessage(res);
	if (PQstatus(c) == CONNECTION_BAD)
		return lost(c, who, err, errlen);
	if (state == NULL)
		state = "";
	if (strcmp(state, "42501") == 0) {
		char *role = PQescapeIdentifier(c, user, strlen(user));

		/* Always quoted here: the server's quote_ident() is out of reach. */
		snprintf(err, errlen,
			 "user %s lacks a privilege the probe needs on %s (%.*s): GRANT pg_monitor "
			 "TO %s, or restore the privilege named",
			 role != NULL ? role : user, who, first_line(text), text,
			 role != NULL ? role : user);
		PQfreemem(role);
		return FAIL_PRIVILEGE;
	}
	snprintf(err, errlen, "the probe's query to %s failed: %.*s%s", who, first_line(text), text,
		 state_note(state, false));
	/* Our own statement_timeout or lock_timeout, a shutdown, a lost link. */
	if (strcmp(state, "57014") == 0 || strcmp(state, "55P03") == 0 ||
	    strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0 ||
	    strncmp(state, "57", 2) == 0)
		return FAIL_DOWN;
	return FAIL_BROKEN;
}

/* A number column of row i: 0 with *out (NAN for NULL), -1 when it is not a number. */
static int number(const PGresult *res, int i, int col, double *out)
{
	*out = NAN;
	if (PQgetisnull(res, i, col))
		return 0;
	return num_parse(PQgetvalue(res, i, col), out);
}

/* A text column of row i, NULL for SQL NULL. */
static const char *column_text(const PGresult *res, int i, int col)
{
	return PQgetisnull(res, i, col) ? NULL : PQgetvalue(res, i, col);
}

/* Read n digits at *p as a number into *out and move past them; -1 when they are not. */
static int digits(const char **p, int n, int *out)
{
	*out = 0;
	for (int k = 0; k < n; k++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		*out = *out * 10 + (**p - '0');
	}
	return 0;
}

/*
 * Column col of row i, a timestamptz as the session writes it (DateStyle
 * ISO, TimeZone UTC: "2026-11-29 09:43:32.123456+00"), in seconds since
 * the epoch: 0 with *out (NAN for NULL), -1 when it is not such a time.
 */
static int timestamp(const PGresult *res, int i, int col, double *out)
{
	const char *p = PQgetvalue(res, i, col);
	int y, mo, d, h, mi, sec;
	double frac = 0, scale = 0.1;

	*out = NAN;
	if (PQgetisnull(res, i, col))
		return 0;
	if (digits(&p, 4, &y) != 0 || *p++ != '-' || digits(&p, 2, &mo) != 0 || *p++ != '-' ||
	    digits(&p, 2, &d) != 0 || *p++ != ' ' || digits(&p, 2, &h) != 0 || *p++ != ':' ||
	    digits(&p, 2, &mi) != 0 || *p++ != ':' || digits(&p, 2, &sec) != 0)
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			frac += (*p - '0') * scale;
	if (strcmp(p, "+00") != 0 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	*out = (double)time_from_civil(y, mo, d, h, mi, sec) + frac;
	return 0;
}

/* Seconds from then to now, never negative (another backend may write a later time); NAN from NAN.
 */
static double age(double now, double then)
{
	if (isnan(then))
		return NAN;
	return now > then ? now - then : 0;
}

/* Record an edge from waiter to each pid of pg_blocking_pids()'s "{1,2,3}"; -1 when malformed. */
static int take_blockers(struct lock_report *r, long waiter, const char *list)
{
	const char *p = list;

	if (*p != '{')
		return -1;
	p++;
	while (*p != '}') {
		char *end;
		long pid;

		errno = 0;
		pid = strtol(p, &end, 10);
		if (end == p || errno != 0 || pid < 0 || pid > INT_MAX ||
		    (*end != ',' && *end != '}'))
			return -1;
		locks_edge(r, waiter, pid);
		p = *end == ',' ? end + 1 : end;
	}
	return p[1] == '\0' ? 0 : -1;
}

/*
 * What the session of row i waits for, in words: "RowExclusiveLock on
 * public.orders", "row lock on table public.orders", "row lock on table
 * public.orders (transaction 757)", "ShareLock on transaction 757" when the
 * table is not known, "ExclusiveLock on advisory lock 42", ...
 */
static void lock_words(const PGresult *res, int i, char *out, size_t outlen)
{
	const char *type = column_text(res, i, COL_LOCKTYPE);
	const char *mode = PQgetvalue(res, i, COL_MODE);
	const char *rel = PQgetvalue(res, i, COL_RELATION);
	bool relation =
	    type != NULL && (strcmp(type, "relation") == 0 || strcmp(type, "tuple") == 0 ||
			     strcmp(type, "extend") == 0 || strcmp(type, "page") == 0);

	if (type == NULL)
		snprintf(out, outlen, "a lock");
	else if (relation && strcmp(PQgetvalue(res, i, COL_HERE), "t") != 0)
		snprintf(out, outlen, "%s on relation %s of database %s", mode, rel,
			 PQgetvalue(res, i, COL_LOCK_DATABASE));
	else if (strcmp(type, "relation") == 0)
		snprintf(out, outlen, "%s on %s", mode, rel);
	else if (strcmp(type, "tuple") == 0)
		snprintf(out, outlen, "row lock on table %s", rel);
	else if (relation)
		snprintf(out, outlen, "%s lock on %s", type, rel);
	else if (strcmp(type, "transactionid") == 0 && !PQgetisnull(res, i, COL_ROW_TABLE))
		snprintf(out, outlen, "row lock on table %s (transaction %s)",
			 PQgetvalue(res, i, COL_ROW_TABLE), PQgetvalue(res, i, COL_TRANSACTIONID));
	else if (strcmp(type, "transactionid") == 0)
		snprintf(out, outlen, "%s on transaction %s", mode,
			 PQgetvalue(res, i, COL_TRANSACTIONID));
	else if (strcmp(type, "virtualxid") == 0)
		snprintf(out, outlen, "%s on virtual transaction %s", mode,
			 PQgetvalue(res, i, COL_VIRTUALXID));
	else if (strcmp(type, "advisory") == 0 &&
		 strcmp(PQgetvalue(res, i, COL_OBJSUBID), "1") == 0)
		/* One bigint key: its high half in classid, its low half in objid. */
		snprintf(out, outlen, "%s on advisory lock %lld", mode,
			 (long long)(((unsigned long long)strtoull(PQgetvalue(res, i, COL_CLASSID),
								   NULL, 10)
				      << 32) |
				     strtoull(PQgetvalue(res, i, COL_OBJID), NULL, 10)));
	else if (strcmp(type, "advisory") == 0)
		snprintf(out, outlen, "%s on advisory lock %s,%s", mode,
			 PQgetvalue(res, i, COL_CLASSID), PQgetvalue(res, i, COL_OBJID));
	else
		snprintf(out, outlen, "%s on %s", mode, type);
}

/* Fill r from row i of the session query; -1 when the row is not what it returns. */
static int take_row(const PGresult *res, int i, struct lock_report *r)
{
	const char *addr = column_text(res, i, COL_ADDR), *state = column_text(res, i, COL_STATE);
	bool waits = !PQgetisnull(res, i, COL_BLOCKERS);
	double now, xact_start, state_change, waitstart;
	struct lock_session *s;
	char lock[300];
	long pid;

	if (num_parse_long(PQgetvalue(res, i, COL_PID), 0, INT_MAX, &pid) != 0 ||
	    timestamp(res, i, COL_NOW, &now) != 0 || isnan(now) ||
	    timestamp(res, i, COL_XACT_START, &xact_start) != 0 ||
	    timestamp(res, i, COL_STATE_CHANGE, &state_change) != 0 ||
	    timestamp(res, i, COL_WAITSTART, &waitstart) != 0)
		return -1;
	if (waits && take_blockers(r, pid, PQgetvalue(res, i, COL_BLOCKERS)) != 0)
		return -1;
	s = locks_session(r, pid);
	if (s == NULL)
		return 0;
	locks_set(&s->user, column_text(res, i, COL_USER), false);
	/* A client on the unix socket has no address and port -1. */
	if (addr == NULL && strcmp(PQgetvalue(res, i, COL_PORT), "-1") == 0)
		addr = "local";
	locks_set(&s->host, addr, false);
	locks_set(&s->database, column_text(res, i, COL_DATABASE), false);
	locks_set(&s->query, pid == 0 ? "(a prepared transaction)" : column_text(res, i, COL_QUERY),
		  true);
	if (waits) {
		lock_words(res, i, lock, sizeof(lock));
		locks_set(&s->lock, lock, false);
		/* waitstart is NULL before 14, and for a moment after the wait began. */
		s->wait = age(now, isnan(waitstart) ? state_change : waitstart);
		if (isnan(s->wait))
			s->wait = 0;
	}
	s->trx_age = age(now, xact_start);
	if (state != NULL && strncmp(state, "idle in transaction", 19) == 0)
		s->idle = age(now, state_change);
	return 0;
}

/* Say that who's answer to the probe's query was not what it sends. */
static int unreadable(const PGresult *res, const char *who, char *err, size_t errlen)
{
	snprintf(err, errlen,
		 "%s answered the probe's query with %d columns and %d rows it cannot read", who,
		 PQnfields(res), PQntuples(res));
	return FAIL_BROKEN;
}

/*
 * Take the summary into r and *waiting; 0, or an enum fail with
 * err (FAIL_PRIVILEGE when the user cannot see other sessions).
 */
static int take_summary(PGconn *c, const PGresult *res, const char *who, struct lock_report *r,
			bool *waiting, char *err, size_t errlen)
{
	const char *role;
	double sum = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return query_failed(c, res, who, err, errlen);
	if (PQnfields(res) != SUM_NCOLUMNS || PQntuples(res) < 1)
		return unreadable(res, who, err, errlen);
	role = PQgetvalue(res, 0, SUM_ROLE);
	if (strcmp(PQgetvalue(res, 0, SUM_VISIBLE), "t") != 0) {
		if (PQserverVersion(c) < 100000)
			snprintf(err, errlen,
				 "user %s cannot see other sessions' queries and waits: before "
				 "PostgreSQL 10 only a superuser can",
				 role);
		else
			snprintf(err, errlen,
				 "user %s cannot see other sessions' queries and waits: GRANT "
				 "pg_monitor TO %s",
				 role, role);
		return FAIL_PRIVILEGE;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		double n;

		if (number(res, i, SUM_DEADLOCKS, &n) != 0)
			return unreadable(res, who, err, errlen);
		if (!isnan(n))
			sum += n;
	}
	r->deadlocks = sum;
	*waiting = strcmp(PQgetvalue(res, 0, SUM_WAITING), "t") == 0;
	return 0;
}

/* Take the session rows into r; 0, or an enum fail with err. */
static int take_sessions(PGconn *c, const PGresult *res, const char *who, struct lock_report *r,
			 char *err, size_t errlen)
{
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return query_failed(c, res, who, err, errlen);
	if (PQnfields(res) != NCOLUMNS)
		return unreadable(res, who, err, errlen);
	/*
	 * Sessions that only block first, then those that wait, so that a
	 * report cut at LOCKS_SESSIONS_MAX drops waiters rather than the
	 * blockers to name.
	 */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < PQntuples(res); i++)
			if (PQgetisnull(res, i, COL_BLOCKERS) == (pass == 0) &&
			    take_row(res, i, r) != 0)
				return unreadable(res, who, err, errlen);
	return 0;
}

int probe_pgsql_locks(PGconn *c, double timeout, struct lock_report *r, char *err, size_t errlen)
{
	int version = PQserverVersion(c), why = 0;
	bool waiting = false;
	char who[WHO_MAX];
	PGresult *res;
	char *sql;

	describe_conn(c, NULL, who, sizeof(who));
	if (PQstatus(c) != CONNECTION_OK)
		return lost(c, who, err, errlen);
	if (version < 90600) {
		snprintf(err, errlen, "%s runs PostgreSQL %d.%d: 9.6 or later is needed", who,
			 version / 10000, version / 100 % 100);
		return FAIL_BROKEN;
	}
	if (timeout <= 0)
		timeout = DEFAULT_TIMEOUT;
	/* pg_read_all_stats came with 10; a superuser has the privileges of every role. */
	sql = xasprintf(summary_format, version >= 100000
					    ? "pg_has_role('pg_read_all_stats', 'usage')"
					    : "current_setting('is_superuser') = 'on'");
	res = run(c, who, sql, timeout, &why, err, errlen);
	free(sql);
	if (res == NULL)
		return why;
	why = take_summary(c, res, who, r, &waiting, err, errlen);
	PQclear(res);
	if (why != 0 || !waiting)
		return why;
	/* pg_locks.waitstart came with 14. */
	sql = xasprintf(sessions_format, version >= 140000 ? "l.waitstart" : "null::timestamptz");
	res = run(c, who, sql, timeout, &why, err, errlen);
	free(sql);
	if (res == NULL)
		return why;
	why = take_sessions(c, res, who, r, err, errlen);
	PQclear(res);
	if (why == 0)
		locks_analyse(r);
	return why;
}
