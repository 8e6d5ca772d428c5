/*
 * The MySQL/MariaDB lock probe (see mysql_locks.h), over libmariadb.
 *
 * A probe costs round trips and the server's work, so after the connection
 * everything is read in one multi-statement batch, one result per
 * statement:
 *   0. SET SESSION: give up any lock wait at once, and any statement after
 *      most of the time limit, so the probe is never caught by the locks
 *      it measures;
 *   1. SHOW GLOBAL STATUS, the lock counters;
 *   2. MySQL only: lock_deadlocks from INNODB_METRICS (MySQL keeps no
 *      Innodb_deadlocks status variable);
 *   3. InnoDB transactions that wait for a row lock or hold one up, with
 *      the blocker of each wait: information_schema.innodb_lock_waits
 *      (MariaDB, MySQL before 8.0.1) or performance_schema.data_lock_waits;
 *   4. SHOW PROCESSLIST: who each of them is, whether it sits idle in its
 *      transaction, and the sessions waiting for a metadata, table or
 *      global lock, which InnoDB does not see.
 * The processlist is read with SHOW PROCESSLIST and joined here rather than
 * in SQL: information_schema.processlist costs MariaDB an Aria temporary
 * table (its INFO column is a blob), more than the rest of the batch.
 * Only while a session waits for a metadata lock does a second round trip
 * ask performance_schema.metadata_locks who holds it (MySQL 5.7 and later;
 * MariaDB 10.5 and later started with performance_schema=ON and the
 * wait/lock/metadata/sql/mdl instrument on); without it those waits have
 * no blocker.
 *
 * Statement 3 reads innodb_trx, which needs PROCESS even on MariaDB, where
 * the processlist quietly shows a user without it only its own sessions: a
 * missing grant is an error, never an empty report.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>
/* After mysql.h, which it needs: PVIO_TYPE_SOCKET. */
#include <ma_pvio.h>

#include "clock.h"
#include "fileio.h"
#include "net.h"
#include "num.h"
#include "probe/mysql_locks.h"
#include "progress.h"
#include "xalloc.h"

/* MySQL's error for max_execution_time; MariaDB's headers lack it. */
#define ER_MYSQL_QUERY_TIMEOUT 3024
/* One character more than a report keeps, so that locks_set() marks the cut. */
#define QUERY_CUT (LOCKS_QUERY_MAX + 1)
/* The statement time limit as a share of the timeout: the server gives up before the client. */
#define STATEMENT_SHARE 0.9
/* The states of a session waiting for a lock: "Waiting for table metadata lock". */
#define WAITING_FOR "Waiting for "

/* The columns of a row of statement 3. */
enum trx_col {
	TRX_TRX_ID,
	TRX_THREAD,
	TRX_QUERY,
	TRX_LOCK,
	TRX_WAIT,
	TRX_AGE,
	TRX_BLOCKING,
	TRX_COLS
};
/* The columns of SHOW PROCESSLIST (MariaDB adds Progress). */
enum proc_col {
	PROC_ID,
	PROC_USER,
	PROC_HOST,
	PROC_DB,
	PROC_COMMAND,
	PROC_TIME,
	PROC_STATE,
	PROC_INFO,
	PROC_COLS
};
/* The columns of a row of the metadata-lock query. */
enum mdl_col { MDL_WAITER, MDL_BLOCKER, MDL_LOCK, MDL_WAITER_AGE, MDL_BLOCKER_AGE, MDL_COLS };

/* The statements the probe runs, for messages. */
enum stmt { STMT_SESSION, STMT_STATUS, STMT_DEADLOCKS, STMT_TRX, STMT_PROCESSLIST, STMT_MDL };

/* What one probe call knows about the server and its connection. */
struct probe {
	MYSQL *m;
	bool mariadb;
	unsigned long version; /* 100611 for 10.6.11 */
	char who[300];	       /* the server, for messages */
	double started;	       /* monotonic s when the call started */
	double deadline;       /* monotonic s when its queries give up, whatever the server sends */
	bool mdl_unknown;      /* performance_schema named no metadata lock: say so */
};

/* A metadata-lock wait when performance_schema does not say on what, nor who holds it. */
#define MDL_UNKNOWN "metadata lock (table and holder unknown without performance_schema)"

/* Where a server keeps InnoDB's row-lock waits. */
struct rowlock_source {
	const char *locks, *lock_id, *lock_type, *lock_table;
	const char *waits, *requesting, *blocking;
};

static const struct rowlock_source info_schema = {
    .locks = "information_schema.innodb_locks",
    .lock_id = "lock_id",
    .lock_type = "lock_type",
    .lock_table = "l.lock_table",
    .waits = "information_schema.innodb_lock_waits",
    .requesting = "requesting_trx_id",
    .blocking = "blocking_trx_id",
};

static const struct rowlock_source perf_schema = {
    .locks = "performance_schema.data_locks",
    .lock_id = "ENGINE_LOCK_ID",
    .lock_type = "LOCK_TYPE",
    .lock_table = "CONCAT('`', l.OBJECT_SCHEMA, '`.`', l.OBJECT_NAME, '`')",
    .waits = "performance_schema.data_lock_waits",
    .requesting = "REQUESTING_ENGINE_TRANSACTION_ID",
    .blocking = "BLOCKING_ENGINE_TRANSACTION_ID",
};

static const char status_sql[] =
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_row_lock_waits', "
    "'Innodb_row_lock_time', 'Table_locks_waited', 'Innodb_deadlocks')";

static const char deadlocks_sql[] = "SELECT `COUNT` FROM information_schema.INNODB_METRICS "
				    "WHERE NAME = 'lock_deadlocks' AND STATUS = 'enabled'";

/*
 * InnoDB transactions that wait for a lock or hold some, each with the
 * transaction it waits for (one row per wait). Which holders block anyone
 * is worked out here (take_trx()): asking the server costs it another pass
 * over innodb_lock_waits, more than the rows cost. trx_started and
 * trx_wait_started have whole seconds only, so waits and ages are whole
 * seconds too, a second off either way at worst, and a wait never looks
 * longer than its transaction.
 */
static const char trx_sql[] =
    "SELECT t.trx_id, t.trx_mysql_thread_id, LEFT(t.trx_query, %d), "
    "IF(t.trx_state = 'LOCK WAIT', CONCAT(IF(l.%s = 'TABLE', 'table', 'row'), ' lock', "
    "IFNULL(CONCAT(' on ', %s), '')), NULL), "
    "IF(t.trx_state = 'LOCK WAIT', "
    "TIMESTAMPDIFF(SECOND, t.trx_wait_started, NOW()), NULL), "
    "TIMESTAMPDIFF(SECOND, t.trx_started, NOW()), w.%s "
    "FROM information_schema.innodb_trx t "
    "LEFT JOIN %s w ON w.%s = t.trx_id "
    "LEFT JOIN %s l ON l.%s = t.trx_requested_lock_id "
    "WHERE t.trx_mysql_thread_id <> CONNECTION_ID() "
    "AND (t.trx_state = 'LOCK WAIT' OR t.trx_lock_structs > 0)";

/*
 * Pending table metadata locks and the sessions granted one on the same
 * table, paired as sys.schema_table_lock_waits pairs them: a granted lock
 * blocks a pending one, or is queued ahead of it.
 */
static const char mdl_sql[] =
    "SELECT DISTINCT wt.PROCESSLIST_ID, ht.PROCESSLIST_ID, "
    "CONCAT('metadata lock on `', w.OBJECT_SCHEMA, '`.`', w.OBJECT_NAME, '`'), "
    "TIMESTAMPDIFF(SECOND, wx.trx_started, NOW()), "
    "TIMESTAMPDIFF(SECOND, hx.trx_started, NOW()) "
    "FROM performance_schema.metadata_locks w "
    "JOIN performance_schema.threads wt ON wt.THREAD_ID = w.OWNER_THREAD_ID "
    "JOIN performance_schema.metadata_locks h ON h.OBJECT_TYPE = w.OBJECT_TYPE "
    "AND h.OBJECT_SCHEMA = w.OBJECT_SCHEMA AND h.OBJECT_NAME = w.OBJECT_NAME "
    "AND h.LOCK_STATUS = 'GRANTED' AND h.OWNER_THREAD_ID <> w.OWNER_THREAD_ID "
    "JOIN performance_schema.threads ht ON ht.THREAD_ID = h.OWNER_THREAD_ID "
    "LEFT JOIN information_schema.innodb_trx wx ON wx.trx_mysql_thread_id = wt.PROCESSLIST_ID "
    "LEFT JOIN information_schema.innodb_trx hx ON hx.trx_mysql_thread_id = ht.PROCESSLIST_ID "
    "WHERE w.OBJECT_TYPE = 'TABLE' AND w.LOCK_STATUS = 'PENDING' "
    "AND wt.PROCESSLIST_ID <> CONNECTION_ID() AND ht.PROCESSLIST_ID <> CONNECTION_ID()";

void probe_mysql_describe(const struct mysql_target *t, char *out, size_t outlen)
{
	long port = t->port > 0 ? t->port : PROBE_MYSQL_PORT;

	if (t->host == NULL)
		snprintf(out, outlen, "the default server");
	else if (t->host[0] == '/')
		snprintf(out, outlen, "%s", t->host);
	else if (strchr(t->host, ':') != NULL)
		snprintf(out, outlen, "[%s]:%ld", t->host, port);
	else
		snprintf(out, outlen, "%s:%ld", t->host, port);
}

/* The server m is connected to, for messages. */
static void describe_connection(MYSQL *m, char *out, size_t outlen)
{
	struct mysql_target t = {0};
	const char *host = NULL, *sock = NULL;
	unsigned int port = 0;

	mariadb_get_infov(m, MARIADB_CONNECTION_HOST, &host);
	mariadb_get_infov(m, MARIADB_CONNECTION_UNIX_SOCKET, &sock);
	mariadb_get_infov(m, MARIADB_CONNECTION_PORT, &port);
	t.host = sock != NULL && sock[0] == '/' ? sock : host;
	t.port = (long)port;
	probe_mysql_describe(&t, out, outlen);
}

/* "10.11.6-MariaDB" as 101106; 0 when s does not start with a version. */
static unsigned long parse_version(const char *s)
{
	unsigned long part[3] = {0, 0, 0};

	for (int i = 0; i < 3; i++) {
		char *end;
		long v;

		if (*s < '0' || *s > '9')
			break;
		errno = 0;
		v = strtol(s, &end, 10);
		if (errno != 0 || v > 99 || (i == 0 && v == 0))
			return 0;
		part[i] = (unsigned long)v;
		if (*end != '.')
			break;
		s = end + 1;
	}
	return part[0] * 10000 + part[1] * 100 + part[2];
}

/* The connection's read timeout in s, for messages. */
static unsigned int read_timeout(MYSQL *m)
{
	unsigned int s = 0;

	mysql_get_option(m, MYSQL_OPT_READ_TIMEOUT, &s);
	return s;
}

/*
 * libmariadb's time limits hold for each read and write, so a server that
 * sends a byte a second keeps a blocking call going for ever. Its
 * non-blocking calls are driven here instead, polling its socket until a
 * deadline for the whole call. Past the deadline the call is resumed with
 * MYSQL_WAIT_TIMEOUT as the event, which libmariadb takes as its own time
 * limit: the call ends with an error ("Lost connection"), the connection is
 * closed, and nothing stays half done.
 */

/* Wait for the events status asks for, until deadline; the events that came. */
static int nb_wait(MYSQL *m, int status, double deadline)
{
	struct pollfd pfd = {.fd = mysql_get_socket(m)};
	double left = deadline - time_monotonic(), own = -1;
	int ms, r;

	if ((status & MYSQL_WAIT_TIMEOUT) != 0)
		own = mysql_get_timeout_value_ms(m) / 1000.0;
	if (left <= 0)
		return MYSQL_WAIT_TIMEOUT;
	if (own >= 0 && own < left)
		left = own;
	pfd.events = (short)(((status & MYSQL_WAIT_READ) != 0 ? POLLIN : 0) |
			     ((status & MYSQL_WAIT_WRITE) != 0 ? POLLOUT : 0) |
			     ((status & MYSQL_WAIT_EXCEPT) != 0 ? POLLPRI : 0));
	ms = (int)ceil(left * 1000);
	do
		r = poll(&pfd, 1, ms);
	while (r == -1 && errno == EINTR);
	if (r <= 0)
		return MYSQL_WAIT_TIMEOUT;
	/* An error or hang-up is for the read or write to find. */
	return ((pfd.revents & (POLLIN | POLLERR | POLLHUP)) != 0 ? MYSQL_WAIT_READ : 0) |
	       ((pfd.revents & (POLLOUT | POLLERR | POLLHUP)) != 0 ? MYSQL_WAIT_WRITE : 0) |
	       ((pfd.revents & POLLPRI) != 0 ? MYSQL_WAIT_EXCEPT : 0);
}

/* mysql_real_connect() until deadline; *expired tells whether it ran out. */
static MYSQL *nb_connect(MYSQL *m, const char *host, const struct mysql_target *t, const char *sock,
			 double deadline, bool *expired)
{
	MYSQL *ret = NULL;
	int status = mysql_real_connect_start(&ret, m, host, t->user, t->password, t->database,
					      t->port > 0 ? (unsigned int)t->port : 0, sock,
					      CLIENT_MULTI_STATEMENTS);

	*expired = false;
	while (status != 0) {
		status = nb_wait(m, status, deadline);
		*expired = *expired || time_monotonic() >= deadline;
		status = mysql_real_connect_cont(&ret, m, status);
	}
	return ret;
}

/* mysql_real_query() until deadline. */
static int nb_query(MYSQL *m, const char *sql, double deadline)
{
	int ret = 1, status = mysql_real_query_start(&ret, m, sql, strlen(sql));

	while (status != 0)
		status = mysql_real_query_cont(&ret, m, nb_wait(m, status, deadline));
	return ret;
}

/* mysql_store_result() until deadline. */
static MYSQL_RES *nb_store_result(MYSQL *m, double deadline)
{
	MYSQL_RES *ret = NULL;
	int status = mysql_store_result_start(&ret, m);

	while (status != 0)
		status = mysql_store_result_cont(&ret, m, nb_wait(m, status, deadline));
	return ret;
}

/* mysql_next_result() until deadline. */
static int nb_next_result(MYSQL *m, double deadline)
{
	int ret = 1, status = mysql_next_result_start(&ret, m);

	while (status != 0)
		status = mysql_next_result_cont(&ret, m, nb_wait(m, status, deadline));
	return ret;
}

/*
 * The probe's state for m: which server it is. libmariadb strips the
 * "5.5.5-" that MariaDB 10 puts before its version for old clients; a
 * proxy may not.
 */
static void probe_start(struct probe *p, MYSQL *m)
{
	const char *info = mysql_get_server_info(m);

	memset(p, 0, sizeof(*p));
	p->m = m;
	if (info == NULL)
		info = "";
	p->mariadb = strstr(info, "MariaDB") != NULL;
	if (p->mariadb && strncmp(info, "5.5.5-", 6) == 0)
		info += 6;
	p->version = parse_version(info);
	if (p->version == 0)
		p->version = mysql_get_server_version(m);
	describe_connection(m, p->who, sizeof(p->who));
	p->started = time_monotonic();
	p->deadline = p->started + (read_timeout(m) > 0 ? read_timeout(m) : 1);
}

/* Whether the server keeps row-lock waits in performance_schema (MySQL 8.0.1 and later). */
static bool rowlocks_in_perf_schema(const struct probe *p)
{
	return !p->mariadb && p->version >= 80001;
}

/* Whether a client error means the server went away or stopped answering. */
static bool connection_lost(unsigned int code)
{
	switch (code) {
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_UNKNOWN_HOST:
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_HANDSHAKE_ERR:
	case CR_SERVER_LOST:
	case CR_SSL_CONNECTION_ERROR:
	case CR_SERVER_LOST_EXTENDED:
	case CR_ERR_NET_READ:
	case CR_ERR_NET_WRITE:
		return true;
	}
	return false;
}

/* Whether a client error message tells of a timeout: libmariadb only adds errno 110 to it. */
static bool timed_out(const char *msg)
{
	return strstr(msg, "timed out") != NULL || strstr(msg, "imeout") != NULL ||
	       strstr(msg, "(110)") != NULL || strstr(msg, "system error: 110") != NULL;
}

/* Say why mysql_real_connect() failed, and classify it. */
static int connect_failed(MYSQL *m, const char *who, unsigned int timeout, char *err, size_t errlen)
{
	unsigned int code = mysql_errno(m);
	const char *msg = mysql_error(m);

	switch (code) {
	case ER_ACCESS_DENIED_ERROR:
	case ER_DBACCESS_DENIED_ERROR:
	case ER_ACCESS_DENIED_NO_PASSWORD_ERROR:
	case ER_HOST_NOT_PRIVILEGED:
	case ER_BAD_DB_ERROR:
		/* The server's words never repeat the password ("using password: YES"). */
		snprintf(err, errlen, "%s refused the login: %s", who, msg);
		return FAIL_DENIED;
	case ER_CON_COUNT_ERROR:
	case ER_TOO_MANY_USER_CONNECTIONS:
	case ER_USER_LIMIT_REACHED:
	case ER_HOST_IS_BLOCKED:
	case ER_SERVER_SHUTDOWN:
		snprintf(err, errlen, "%s does not take the connection: %s", who, msg);
		return FAIL_DOWN;
	}
	if (!connection_lost(code)) {
		snprintf(err, errlen, "cannot connect to %s: %s", who, msg);
		return FAIL_BROKEN;
	}
	if (timed_out(msg))
		progress_format(err, errlen, timeout, who, PROGRESS_SESSION, NULL);
	else
		snprintf(err, errlen, "cannot connect to %s: %s", who, msg);
	return FAIL_DOWN;
}

/* The statement what, for messages. */
static const char *stmt_name(const struct probe *p, enum stmt what)
{
	switch (what) {
	case STMT_SESSION:
		return "the session settings (SET SESSION)";
	case STMT_STATUS:
		return "SHOW GLOBAL STATUS";
	case STMT_DEADLOCKS:
		return "the query of information_schema.INNODB_METRICS";
	case STMT_TRX:
		return rowlocks_in_perf_schema(p)
			   ? "the query of performance_schema.data_lock_waits"
			   : "the query of information_schema.innodb_lock_waits";
	case STMT_PROCESSLIST:
		return "SHOW PROCESSLIST";
	case STMT_MDL:
		return "the query of performance_schema.metadata_locks";
	}
	return "a query";
}

/*
 * Ask the server, after a statement failed, who we are to it ('user'@'host'
 * for a GRANT) and the session's statement time limit in s (NAN when there
 * is none). Only failures pay for this round trip.
 */
static void ask_identity(const struct probe *p, char *grantee, size_t len, double *limit)
{
	const char *sql = "SELECT CURRENT_USER(), NULL";
	MYSQL_RES *res;
	MYSQL_ROW row;

	if (p->mariadb && p->version >= 100101)
		sql = "SELECT CURRENT_USER(), CAST(@@max_statement_time AS DECIMAL(12,3))";
	else if (!p->mariadb && p->version >= 50708)
		sql = "SELECT CURRENT_USER(), @@max_execution_time / 1000";
	snprintf(grantee, len, "the monitoring user");
	*limit = NAN;
	if (nb_query(p->m, sql, p->deadline) != 0)
		return;
	res = nb_store_result(p->m, p->deadline);
	row = res != NULL && mysql_num_fields(res) == 2 ? mysql_fetch_row(res) : NULL;
	if (row != NULL && row[0] != NULL) {
		const char *at = strrchr(row[0], '@');

		if (at == NULL)
			snprintf(grantee, len, "'%s'", row[0]);
		else
			snprintf(grantee, len, "'%.*s'@'%s'", (int)(at - row[0]), row[0], at + 1);
	}
	/* 0 is no limit. */
	if (row != NULL && row[1] != NULL && (num_parse(row[1], limit) != 0 || *limit <= 0))
		*limit = NAN;
	mysql_free_result(res);
}

/* Name the grant that a refused statement needs. */
static int privilege_missing(const struct probe *p, enum stmt what, unsigned int code,
			     const char *msg, char *err, size_t errlen)
{
	char user[300];
	double limit;

	ask_identity(p, user, sizeof(user), &limit);
	if (code == ER_SPECIFIC_ACCESS_DENIED_ERROR)
		/* No statement of the probe needs another global privilege. */
		snprintf(err, errlen,
			 "user %s lacks the PROCESS privilege: GRANT PROCESS ON *.* TO %s", user,
			 user);
	else if (what == STMT_TRX && rowlocks_in_perf_schema(p))
		snprintf(err, errlen,
			 "user %s may not read performance_schema: GRANT SELECT ON "
			 "performance_schema.* TO %s",
			 user, user);
	else
		snprintf(err, errlen, "user %s may not run %s: %s", user, stmt_name(p, what), msg);
	return FAIL_PRIVILEGE;
}

/* Say why statement what failed, and classify it. */
static int query_failed(const struct probe *p, enum stmt what, char *err, size_t errlen)
{
	unsigned int code = mysql_errno(p->m);
	char msg[MYSQL_ERRMSG_SIZE];
	char user[300];
	double limit;

	/* ask_identity() runs a query, which replaces the error. */
	snprintf(msg, sizeof(msg), "%s", mysql_error(p->m));
	if (connection_lost(code)) {
		/* A read timeout is only "Lost connection to server during query". */
		if (timed_out(msg) || time_monotonic() - p->started >= read_timeout(p->m))
			progress_format(err, errlen, read_timeout(p->m), p->who, PROGRESS_QUERY,
					stmt_name(p, what));
		else
			snprintf(err, errlen, "lost the connection to %s: %s", p->who, msg);
		return FAIL_DOWN;
	}
	switch (code) {
	case ER_SPECIFIC_ACCESS_DENIED_ERROR:
	case ER_TABLEACCESS_DENIED_ERROR:
	case ER_COLUMNACCESS_DENIED_ERROR:
	case ER_DBACCESS_DENIED_ERROR:
		return privilege_missing(p, what, code, msg, err, errlen);
	case ER_STATEMENT_TIMEOUT:
	case ER_MYSQL_QUERY_TIMEOUT:
		ask_identity(p, user, sizeof(user), &limit);
		if (isnan(limit))
			snprintf(err, errlen, "%s: %s ran into the statement time limit", p->who,
				 stmt_name(p, what));
		else
			snprintf(err, errlen, "%s: %s timed out after %g s", p->who,
				 stmt_name(p, what), limit);
		return FAIL_DOWN;
	case ER_QUERY_INTERRUPTED:
	case ER_SERVER_SHUTDOWN:
	case ER_LOCK_WAIT_TIMEOUT:
	case ER_LOCK_DEADLOCK:
		snprintf(err, errlen, "%s did not finish %s: %s", p->who, stmt_name(p, what), msg);
		return FAIL_DOWN;
	}
	snprintf(err, errlen, "%s answered %s with error %u: %s", p->who, stmt_name(p, what), code,
		 msg);
	return FAIL_BROKEN;
}

/* The SET that keeps the probe's session out of the lock queues it measures. */
static char *session_sql(const struct probe *p, double limit)
{
	const char *base = "SET SESSION lock_wait_timeout = 1, innodb_lock_wait_timeout = 1";
	char num[NUM_BUFSZ];

	if (p->mariadb && p->version >= 100101) {
		/* A double in seconds; num_format() never writes an exponent. */
		num_format(limit < 0.001 ? 0.001 : limit, num, sizeof(num));
		return xasprintf("%s, max_statement_time = %s", base, num);
	}
	if (!p->mariadb && p->version >= 50708)
		/* Milliseconds; only SELECT obeys it, and the probe reads with SELECT. */
		return xasprintf("%s, max_execution_time = %ld", base,
				 limit < 0.001 ? 1L : (long)(limit * 1000));
	return xstrdup(base);
}

/*
 * Check that an option file can be read, so that a typo is not a silent
 * fallback, and that it is a regular file: libmariadb would wait on a FIFO
 * for good and read /dev/zero until the time limit.
 */
static int option_file_ok(const char *path, char *err, size_t errlen)
{
	char what[4200];

	snprintf(what, sizeof(what), "option file %s", path);
	return file_check_regular(path, what, err, errlen) == 0 ? 0 : FAIL_BROKEN;
}

/* Whether t asks for TLS. */
static bool tls_wanted(const struct mysql_target *t)
{
	return t->ssl || t->ssl_ca != NULL || t->ssl_cert != NULL || t->ssl_key != NULL;
}

/* Set the options of m that t asks for, before connecting. */
static void set_options(MYSQL *m, const struct mysql_target *t, unsigned int timeout)
{
	my_bool yes = 1;

	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &timeout);
	mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
	/* Query texts arrive as UTF-8, which locks_set() cuts at a character boundary. */
	mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (t->option_file != NULL) {
		mysql_options(m, MYSQL_READ_DEFAULT_FILE, t->option_file);
		mysql_options(m, MYSQL_READ_DEFAULT_GROUP, "client");
	}
	if (tls_wanted(t)) {
		mysql_ssl_set(m, t->ssl_key, t->ssl_cert, t->ssl_ca, NULL, NULL);
		mysql_options(m, MYSQL_OPT_SSL_ENFORCE, &yes);
		if (t->ssl_ca != NULL)
			mysql_options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &yes);
	}
}

/* Whether m talks TCP, not a unix socket. */
static bool over_tcp(MYSQL *m)
{
	unsigned int type = PVIO_TYPE_SOCKET;

	mariadb_get_infov(m, MARIADB_CONNECTION_PVIO_TYPE, &type);
	return type == PVIO_TYPE_SOCKET;
}

/* Check that a new connection is what t asked for; 0, or an enum fail with err. */
static int start_session(MYSQL *m, const struct mysql_target *t, char *err, size_t errlen)
{
	struct probe p;

	probe_start(&p, m);
	/*
	 * libmariadb 3.3 enforces TLS only together with certificate
	 * verification; 3.4 never uses TLS on a unix socket, nor needs to.
	 */
	if (tls_wanted(t) && over_tcp(m) && mysql_get_ssl_cipher(m) == NULL) {
		snprintf(err, errlen, "%s does not offer TLS, which is required", p.who);
		return FAIL_DOWN;
	}
	return 0;
}

/*
 * libmariadb says a refused connection as "Can't connect to server on
 * '127.0.0.1' (115)", the errno of its non-blocking connect, not why. When
 * the address is known here (not one from the defaults or an option file),
 * connect once more to put the real reason in err ("Connection refused").
 */
static void connect_reason(const struct mysql_target *t, char *err, size_t errlen)
{
	struct net_target n = {.deadline = time_monotonic() + 1, .limit = 1};
	char reason[600];
	int r;

	if (t->host == NULL || (t->host[0] != '/' && t->port <= 0 && t->option_file != NULL))
		return;
	if (t->host[0] == '/') {
		n.path = t->host;
	} else {
		n.host = t->host;
		n.port = t->port > 0 ? t->port : PROBE_MYSQL_PORT;
	}
	r = net_try(&n, reason, sizeof(reason));
	/* Taken now, or no answer within a second: libmariadb's words are as good. */
	if (r == FAIL_DOWN || r == FAIL_LOCAL)
		snprintf(err, errlen, "%s", reason);
}

MYSQL *probe_mysql_connect(const struct mysql_target *t, int *why, char *err, size_t errlen)
{
	unsigned int timeout = 1;
	const char *host = t->host, *sock = NULL;
	char who[300];
	double started = time_monotonic();
	bool expired;
	MYSQL *m;

	if (t->timeout > 1)
		timeout = t->timeout < 86400 ? (unsigned int)ceil(t->timeout) : 86400;
	*why = t->option_file != NULL ? option_file_ok(t->option_file, err, errlen) : 0;
	if (*why != 0)
		return NULL;
	m = mysql_init(NULL);
	if (m == NULL) {
		snprintf(err, errlen, "cannot set up a MySQL connection: out of memory");
		*why = FAIL_BROKEN;
		return NULL;
	}
	set_options(m, t, timeout);
	/* Before the connection: its calls are then driven by nb_wait(). */
	mysql_options(m, MYSQL_OPT_NONBLOCK, 0);
	probe_mysql_describe(t, who, sizeof(who));
	/* libmariadb connects, shakes hands and logs in in one call. */
	progress_set(who, PROGRESS_SESSION, NULL);
	if (host != NULL && host[0] == '/') {
		/* "localhost", not NULL, or an option file's host would win over the socket. */
		sock = host;
		host = "localhost";
	}
	if (nb_connect(m, host, t, sock, started + (t->timeout > 0 ? t->timeout : 1), &expired) ==
	    NULL) {
		*why = connect_failed(m, who, timeout, err, errlen);
		if (expired) {
			progress_format(err, errlen, timeout, who, PROGRESS_SESSION, NULL);
			*why = FAIL_DOWN;
		}
		if (*why == FAIL_DOWN &&
		    (mysql_errno(m) == CR_CONN_HOST_ERROR || mysql_errno(m) == CR_CONNECTION_ERROR))
			connect_reason(t, err, errlen);
		mysql_close(m);
		return NULL;
	}
	*why = start_session(m, t, err, errlen);
	if (*why != 0) {
		mysql_close(m);
		return NULL;
	}
	return m;
}

/* A number the server sent for what, or a complaint. */
static int take_number(const struct probe *p, const char *value, const char *what, double *out,
		       char *err, size_t errlen)
{
	if (num_parse(value, out) == 0)
		return 0;
	snprintf(err, errlen, "%s sent \"%.40s\" for %s, which is not a number", p->who, value,
		 what);
	return FAIL_BROKEN;
}

/* Merge a number the server sent for what into *field, unless it sent NULL. */
static int merge_number(const struct probe *p, const char *value, const char *what, double *field,
			char *err, size_t errlen)
{
	return value == NULL ? 0 : take_number(p, value, what, field, err, errlen);
}

/* A session id the server sent; -1 with a complaint when it is none. */
static long take_id(const struct probe *p, const char *value, char *err, size_t errlen)
{
	long id;

	if (value != NULL && num_parse_long(value, 0, LONG_MAX, &id) == 0)
		return id;
	snprintf(err, errlen, "%s sent \"%.40s\" as a session id", p->who,
		 value != NULL ? value : "NULL");
	return -1;
}

/* Copy value into *field unless it is NULL: a session met twice keeps what is known. */
static void merge_text(char **field, const char *value, bool is_query)
{
	if (value != NULL)
		locks_set(field, value, is_query);
}

/* The processlist's "10.0.0.7:51234" without the port; "localhost" stays. */
static void merge_host(char **field, const char *value)
{
	const char *colon;
	char *host;

	if (value == NULL)
		return;
	colon = strrchr(value, ':');
	if (colon == NULL || colon[1] == '\0' ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1)) {
		locks_set(field, value, false);
		return;
	}
	host = xstrndup(value, (size_t)(colon - value));
	locks_set(field, host, false);
	free(host);
}

/* Check that a result has the columns the probe reads. */
static int check_columns(const struct probe *p, enum stmt what, MYSQL_RES *res, unsigned int want,
			 bool more_ok, char *err, size_t errlen)
{
	unsigned int n = mysql_num_fields(res);

	if (n == want || (more_ok && n > want))
		return 0;
	snprintf(err, errlen, "%s answered %s with %u columns, not %u", p->who, stmt_name(p, what),
		 n, want);
	return FAIL_BROKEN;
}

/* The counters; a variable the server does not keep stays NAN. */
static int take_status(const struct probe *p, struct lock_report *r, MYSQL_RES *res, char *err,
		       size_t errlen)
{
	int rc = check_columns(p, STMT_STATUS, res, 2, false, err, errlen);

	for (;;) {
		MYSQL_ROW row = rc == 0 ? mysql_fetch_row(res) : NULL;
		double *to = NULL;

		if (row == NULL)
			return rc;
		if (row[0] == NULL)
			continue;
		if (strcasecmp(row[0], "Innodb_row_lock_waits") == 0)
			to = &r->row_waits;
		else if (strcasecmp(row[0], "Innodb_row_lock_time") == 0)
			to = &r->row_wait_time;
		else if (strcasecmp(row[0], "Table_locks_waited") == 0)
			to = &r->table_waits;
		else if (strcasecmp(row[0], "Innodb_deadlocks") == 0)
			to = &r->deadlocks;
		if (to != NULL)
			rc = merge_number(p, row[1], row[0], to, err, errlen);
		/* Innodb_row_lock_time is in milliseconds. */
		if (rc == 0 && to == &r->row_wait_time)
			*to /= 1000;
	}
}

/* MySQL's lock_deadlocks, when that InnoDB counter is enabled. */
static int take_deadlocks(const struct probe *p, struct lock_report *r, MYSQL_RES *res, char *err,
			  size_t errlen)
{
	int rc = check_columns(p, STMT_DEADLOCKS, res, 1, false, err, errlen);
	MYSQL_ROW row = rc == 0 ? mysql_fetch_row(res) : NULL;

	if (row == NULL)
		return rc;
	return merge_number(p, row[0], "lock_deadlocks", &r->deadlocks, err, errlen);
}

/* Record that waiter waits for blocker, both kept as sessions. */
static void add_edge(struct lock_report *r, long waiter, long blocker)
{
	if (locks_session(r, waiter) != NULL && locks_session(r, blocker) != NULL)
		locks_edge(r, waiter, blocker);
}

/* The row of transaction trx in rows, or NULL. */
static MYSQL_ROW find_trx(MYSQL_ROW *rows, size_t n, const char *trx)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i][TRX_TRX_ID] != NULL && strcmp(rows[i][TRX_TRX_ID], trx) == 0)
			return rows[i];
	return NULL;
}

/* Whether one of the waits waits for trx. */
static bool blocks_someone(MYSQL_ROW *waits, size_t nwaits, const char *trx)
{
	for (size_t i = 0; trx != NULL && i < nwaits; i++)
		if (strcmp(waits[i][TRX_BLOCKING], trx) == 0)
			return true;
	return false;
}

/* A waiter or blocker of statement 3 into r. */
static int take_trx_row(const struct probe *p, struct lock_report *r, MYSQL_ROW row, char *err,
			size_t errlen)
{
	long id = take_id(p, row[TRX_THREAD], err, errlen);
	struct lock_session *s;
	int rc;

	if (id < 0)
		return FAIL_BROKEN;
	s = locks_session(r, id);
	if (s == NULL)
		return 0;
	merge_text(&s->query, row[TRX_QUERY], true);
	merge_text(&s->lock, row[TRX_LOCK], false);
	rc = merge_number(p, row[TRX_WAIT], "a lock wait", &s->wait, err, errlen);
	if (rc == 0)
		rc = merge_number(p, row[TRX_AGE], "a transaction age", &s->trx_age, err, errlen);
	return rc;
}

/*
 * Statement 3 into r: the transactions that wait, those that hold up one
 * that waits, and an edge for each wait. The rows are the transactions
 * holding locks right now; the waits are fewer.
 */
static int take_trx(const struct probe *p, struct lock_report *r, MYSQL_RES *res, char *err,
		    size_t errlen)
{
	size_t n = 0, nwaits = 0, max = (size_t)mysql_num_rows(res);
	MYSQL_ROW *rows, *waits;
	int rc = check_columns(p, STMT_TRX, res, TRX_COLS, false, err, errlen);

	if (rc != 0 || max == 0)
		return rc;
	rows = xcalloc(max, sizeof(*rows));
	waits = xcalloc(max, sizeof(*waits));
	/* The rows stay in res, which the caller frees. */
	for (MYSQL_ROW row = mysql_fetch_row(res); row != NULL && n < max;
	     row = mysql_fetch_row(res)) {
		rows[n++] = row;
		if (row[TRX_BLOCKING] != NULL)
			waits[nwaits++] = row;
	}
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (rows[i][TRX_LOCK] != NULL || blocks_someone(waits, nwaits, rows[i][TRX_TRX_ID]))
			rc = take_trx_row(p, r, rows[i], err, errlen);
	for (size_t i = 0; rc == 0 && i < nwaits; i++) {
		MYSQL_ROW holder = find_trx(rows, n, waits[i][TRX_BLOCKING]);
		long waiter, blocker;

		if (holder == NULL)
			continue;
		waiter = take_id(p, waits[i][TRX_THREAD], err, errlen);
		blocker = take_id(p, holder[TRX_THREAD], err, errlen);
		if (waiter < 0 || blocker < 0)
			rc = FAIL_BROKEN;
		else
			add_edge(r, waiter, blocker);
	}
	free(rows);
	free(waits);
	return rc;
}

/*
 * What a session in state waits for, in the words the PostgreSQL probe
 * uses too ("metadata lock", "table lock", "global read lock"), or NULL
 * when it waits for none. User locks (GET_LOCK) are an application's own
 * business, not lock trouble.
 */
static const char *lock_of_state(const char *state)
{
	size_t n = state != NULL ? strlen(state) : 0;

	if (n < strlen(WAITING_FOR " lock") ||
	    strncasecmp(state, WAITING_FOR, strlen(WAITING_FOR)) != 0 ||
	    strcasecmp(state + n - 5, " lock") != 0)
		return NULL;
	if (n >= 10 && strcasecmp(state + n - 10, " user lock") == 0)
		return NULL;
	state += strlen(WAITING_FOR);
	/* "table metadata lock", "schema metadata lock", ... */
	if (strstr(state, "metadata lock") != NULL)
		return "metadata lock";
	/* MyISAM's and LOCK TABLES' lock. */
	if (strcasecmp(state, "table level lock") == 0)
		return "table lock";
	return state;
}

/* Whether some session in the processlist waits for a metadata lock. */
static bool metadata_waits(MYSQL_RES *res)
{
	bool found = false;

	mysql_data_seek(res, 0);
	for (;;) {
		MYSQL_ROW row = mysql_fetch_row(res);
		const char *lock;

		if (row == NULL)
			return found;
		lock = lock_of_state(row[PROC_STATE]);
		if (lock != NULL && strcmp(lock, "metadata lock") == 0)
			found = true;
	}
}

/*
 * One processlist row into r: a session waiting for a lock that InnoDB
 * does not see, or who a session already in r is.
 */
static int take_process(const struct probe *p, struct lock_report *r, MYSQL_ROW row, char *err,
			size_t errlen)
{
	const char *lock = lock_of_state(row[PROC_STATE]);
	struct lock_session *s;
	double secs;
	long id = take_id(p, row[PROC_ID], err, errlen);
	int rc;

	if (id < 0)
		return FAIL_BROKEN;
	if (id == (long)mysql_thread_id(p->m))
		return 0;
	s = lock != NULL ? locks_session(r, id) : locks_known(r, id);
	if (s == NULL)
		return 0;
	rc = take_number(p, row[PROC_TIME] != NULL ? row[PROC_TIME] : "0", "a processlist time",
			 &secs, err, errlen);
	if (rc != 0)
		return rc;
	merge_text(&s->user, row[PROC_USER], false);
	merge_host(&s->host, row[PROC_HOST]);
	merge_text(&s->database, row[PROC_DB], false);
	/* SHOW PROCESSLIST cuts INFO at 100 characters; innodb_trx's query is longer. */
	if (s->query == NULL)
		merge_text(&s->query, row[PROC_INFO], true);
	if (row[PROC_COMMAND] != NULL && strcmp(row[PROC_COMMAND], "Sleep") == 0)
		s->idle = secs;
	if (lock != NULL && s->lock == NULL)
		locks_set(&s->lock,
			  p->mdl_unknown && strcmp(lock, "metadata lock") == 0 ? MDL_UNKNOWN : lock,
			  false);
	/* TIME is how long the statement runs: for one waiting for a lock, nearly all waiting. */
	if (lock != NULL && isnan(s->wait))
		s->wait = secs;
	return 0;
}

/* The processlist into r (see take_process()). */
static int take_processlist(const struct probe *p, struct lock_report *r, MYSQL_RES *res, char *err,
			    size_t errlen)
{
	mysql_data_seek(res, 0);
	for (;;) {
		MYSQL_ROW row = mysql_fetch_row(res);
		int rc;

		if (row == NULL)
			return 0;
		rc = take_process(p, r, row, err, errlen);
		if (rc != 0)
			return rc;
	}
}

/* Whether performance_schema named the lock of some metadata-lock wait in r. */
static bool mdl_named(const struct lock_report *r)
{
	for (size_t i = 0; i < r->nsessions; i++)
		if (r->sessions[i].lock != NULL &&
		    strncmp(r->sessions[i].lock, "metadata lock on ", 17) == 0)
			return true;
	return false;
}

/* The blockers of metadata-lock waits, one row per wait. */
static int take_mdl(const struct probe *p, struct lock_report *r, MYSQL_RES *res, char *err,
		    size_t errlen)
{
	int rc = check_columns(p, STMT_MDL, res, MDL_COLS, false, err, errlen);

	for (;;) {
		MYSQL_ROW row = rc == 0 ? mysql_fetch_row(res) : NULL;
		long waiter, blocker;
		struct lock_session *s;

		if (row == NULL)
			return rc;
		waiter = take_id(p, row[MDL_WAITER], err, errlen);
		blocker = take_id(p, row[MDL_BLOCKER], err, errlen);
		if (waiter < 0 || blocker < 0)
			return FAIL_BROKEN;
		s = locks_session(r, blocker);
		if (s != NULL)
			rc = merge_number(p, row[MDL_BLOCKER_AGE], "a transaction age", &s->trx_age,
					  err, errlen);
		s = locks_session(r, waiter);
		if (s != NULL && rc == 0) {
			merge_text(&s->lock, row[MDL_LOCK], false);
			rc = merge_number(p, row[MDL_WAITER_AGE], "a transaction age", &s->trx_age,
					  err, errlen);
		}
		if (rc == 0)
			add_edge(r, waiter, blocker);
	}
}

/* Read the rest of a batch that is given up, so that the connection can be used again. */
static void drain(const struct probe *p)
{
	while (mysql_more_results(p->m)) {
		if (nb_next_result(p->m, p->deadline) != 0)
			break;
		mysql_free_result(nb_store_result(p->m, p->deadline));
	}
}

/*
 * Send sql and read its n results into res (freed by the caller); 0, or an
 * enum fail with err naming the statement of stmts that failed.
 */
static int run(const struct probe *p, const char *sql, const enum stmt *stmts, size_t n,
	       MYSQL_RES **res, char *err, size_t errlen)
{
	int rc;

	progress_set(p->who, PROGRESS_QUERY, n > 0 ? stmt_name(p, stmts[0]) : NULL);
	rc = nb_query(p->m, sql, p->deadline) != 0 ? 1 : 0;

	for (size_t i = 0; i < n; i++) {
		/* The server stops a batch at the first statement that fails. */
		if (i > 0)
			rc = nb_next_result(p->m, p->deadline);
		if (rc < 0) {
			snprintf(err, errlen, "%s answered %zu statements of %zu", p->who, i, n);
			return FAIL_BROKEN;
		}
		if (rc > 0)
			return query_failed(p, stmts[i], err, errlen);
		res[i] = nb_store_result(p->m, p->deadline);
		if (res[i] == NULL && mysql_errno(p->m) != 0)
			return query_failed(p, stmts[i], err, errlen);
		/* The SET answers with no rows at all. */
		if (res[i] == NULL && stmts[i] == STMT_SESSION)
			continue;
		if (res[i] == NULL) {
			snprintf(err, errlen, "%s answered %s without rows", p->who,
				 stmt_name(p, stmts[i]));
			drain(p);
			return FAIL_BROKEN;
		}
	}
	if (mysql_more_results(p->m)) {
		snprintf(err, errlen, "%s answered more statements than it was sent", p->who);
		drain(p);
		return FAIL_BROKEN;
	}
	return 0;
}

/* The batch of statements for the server, and which they are. */
static char *batch_sql(const struct probe *p, enum stmt *stmts, size_t *n)
{
	const struct rowlock_source *src = rowlocks_in_perf_schema(p) ? &perf_schema : &info_schema;
	/* MySQL keeps no Innodb_deadlocks; INNODB_METRICS came with 5.6. */
	bool deadlocks = !p->mariadb && p->version >= 50600;
	char *trx = xasprintf(trx_sql, QUERY_CUT, src->lock_type, src->lock_table, src->blocking,
			      src->waits, src->requesting, src->locks, src->lock_id);
	/*
	 * The session settings lead the batch, so they hold for every statement
	 * of it, and a fresh connection pays no round trip of its own for them.
	 */
	char *session =
	    session_sql(p, (read_timeout(p->m) > 0 ? read_timeout(p->m) : 1) * STATEMENT_SHARE);
	char *sql = xasprintf("%s; %s; %s%s%s; SHOW PROCESSLIST", session, status_sql,
			      deadlocks ? deadlocks_sql : "", deadlocks ? "; " : "", trx);

	*n = 0;
	stmts[(*n)++] = STMT_SESSION;
	stmts[(*n)++] = STMT_STATUS;
	if (deadlocks)
		stmts[(*n)++] = STMT_DEADLOCKS;
	stmts[(*n)++] = STMT_TRX;
	stmts[(*n)++] = STMT_PROCESSLIST;
	free(trx);
	free(session);
	return sql;
}

/* Whether the server may have performance_schema.metadata_locks. */
static bool has_metadata_locks(const struct probe *p)
{
	return p->mariadb ? p->version >= 100502 : p->version >= 50700;
}

/*
 * Round trip two, only while a session waits for a metadata lock: who holds
 * the lock, when the server keeps performance_schema.metadata_locks. A
 * server without that table, with it disabled (MariaDB's default) or
 * closed to the user only leaves those waits without a blocker.
 */
static int find_mdl_blockers(const struct probe *p, struct lock_report *r, char *err, size_t errlen)
{
	MYSQL_RES *res;
	int rc;

	progress_set(p->who, PROGRESS_QUERY, "the query of performance_schema.metadata_locks");
	if (nb_query(p->m, mdl_sql, p->deadline) != 0) {
		switch (mysql_errno(p->m)) {
		case ER_NO_SUCH_TABLE:
		case ER_TABLEACCESS_DENIED_ERROR:
		case ER_DBACCESS_DENIED_ERROR:
		case ER_UNKNOWN_TABLE:
			return 0;
		}
		return query_failed(p, STMT_MDL, err, errlen);
	}
	res = nb_store_result(p->m, p->deadline);
	if (res == NULL)
		return query_failed(p, STMT_MDL, err, errlen);
	rc = take_mdl(p, r, res, err, errlen);
	mysql_free_result(res);
	return rc;
}

int probe_mysql_locks(MYSQL *m, struct lock_report *r, char *err, size_t errlen)
{
	enum stmt stmts[5];
	MYSQL_RES *res[5] = {NULL, NULL, NULL, NULL, NULL};
	struct probe p;
	size_t n;
	char *sql;
	int rc;

	probe_start(&p, m);
	sql = batch_sql(&p, stmts, &n);
	rc = run(&p, sql, stmts, n, res, err, errlen);
	free(sql);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (stmts[i] == STMT_STATUS)
			rc = take_status(&p, r, res[i], err, errlen);
		else if (stmts[i] == STMT_DEADLOCKS)
			rc = take_deadlocks(&p, r, res[i], err, errlen);
		else if (stmts[i] == STMT_TRX)
			rc = take_trx(&p, r, res[i], err, errlen);
	}
	/* The processlist is last: it names the sessions that the other answers found. */
	if (rc == 0)
		rc = check_columns(&p, STMT_PROCESSLIST, res[n - 1], PROC_COLS, true, err, errlen);
	if (rc == 0 && metadata_waits(res[n - 1])) {
		if (has_metadata_locks(&p))
			rc = find_mdl_blockers(&p, r, err, errlen);
		p.mdl_unknown = !mdl_named(r);
	}
	if (rc == 0)
		rc = take_processlist(&p, r, res[n - 1], err, errlen);
	for (size_t i = 0; i < n; i++)
		mysql_free_result(res[i]);
	if (rc == 0)
		locks_analyse(r);
	return rc;
}
