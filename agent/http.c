/*
 * HTTP front end (see http.h). Every request takes a reference to the
 * current snapshot and renders from it; nothing here waits for a collector.
 */
#include "config.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "address.h"
#include "buf.h"
#include "check.h"
#include "checkwire.h"
#include "clock.h"
#include "conns.h"
#include "expose.h"
#include "http.h"
#include "httpguard.h"
#include "log.h"
#include "num.h"
#include "ratelog.h"
#include "stats.h"
#include "xalloc.h"

/*
 * Our own messages and the check endpoint's answers are built in memory up
 * to this; the metrics up to max_answer_size.
 */
#define BODY_MAX (4 * 1024 * 1024)
#define TEXT "text/plain; charset=utf-8"
#define JSON "application/json"
#define PROMETHEUS "text/plain; version=0.0.4; charset=utf-8"
/* Lines about one client at most this often (seconds), and about this many clients. */
#define CLIENT_LOG_PERIOD 60.0
#define CLIENT_LOG_SLOTS 64
/* A connection's wait for its request before its client's newcomer may take its slot. */
#define GRACE 0.05
/* Cut connections are logged at most this often (seconds). */
#define CUT_LOG_PERIOD 60.0
/* libmicrohttpd's own limit, above max_connections: room for connections being cut. */
#define MHD_HEADROOM 64

/*
 * The last /metrics body: rendering is most of a scrape's cost, and the
 * text only changes with a new snapshot or, for uptime and staleness, the
 * second. Concurrent scrapes of one second share one rendering.
 */
struct metrics_cache {
	pthread_mutex_t lock;
	unsigned long generation;
	long second;
	char *body;
	size_t len;
	bool truncated; /* the rendering was over max_answer_size; body is NULL */
};

/* What libmicrohttpd keeps for a connection: its record, and whether it is one too many. */
struct conn_ctx {
	struct conns *table;
	struct conn *c;
	bool busy;
};

struct http_server {
	struct MHD_Daemon *daemon;
	struct metrics_cache cache;
	struct scheduler *sched;
	pthread_mutex_t lock; /* guards sched across a reload */
	char *token;
	struct allow_net *allow; /* the allow-list, nallow networks; none: everyone */
	size_t nallow;
	struct conns_limits limits;
	struct conns *conns;
	struct ratelog *refused, *busy;
	/* The reaper: cuts connections past their deadline, logs what was cut. */
	pthread_t reaper;
	bool reaping, stopping;
	pthread_mutex_t reap_lock;
	pthread_cond_t reap_wake;
	struct conns_cuts cut_pending; /* cut, not logged yet */
	double cut_logged[CONN_CUT_REASONS];
	size_t max_answer;     /* max_answer_size: a larger answer is a 500 */
	long too_large_logged; /* when (time_monotonic()) the last "too large" line was logged */
};

/*
 * libmicrohttpd's own messages go where ours go, at most one a second: a
 * client hammering a connection limit must not flood the log.
 */
static void log_mhd(void *cls, const char *fmt, va_list ap)
{
	static long last_second;
	static unsigned long dropped;
	long now = (long)time_monotonic();

	(void)cls;
	if (__atomic_exchange_n(&last_second, now, __ATOMIC_RELAXED) == now) {
		__atomic_add_fetch(&dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	log_vmsg(LOG_WARNING, fmt, ap);
	if (__atomic_load_n(&dropped, __ATOMIC_RELAXED) > 0)
		log_msg(LOG_WARNING, "(%lu similar messages from the HTTP server left out)",
			__atomic_exchange_n(&dropped, 0, __ATOMIC_RELAXED));
}

/* The table's record of mc's connection, or NULL. */
static struct conn_ctx *conn_of(struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

/*
 * Queue body (taken over) with status and content type; closing closes the
 * connection after it, and a 503 that closes adds Retry-After. From here on
 * the connection is being answered: it keeps its slot until the answer has
 * gone (or its deadline).
 */
static enum MHD_Result answer_as(struct MHD_Connection *c, unsigned status, const char *type,
				 struct buf *body, bool closing)
{
	size_t len = body->len;
	char *data = buf_steal(body);
	struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	struct conn_ctx *x = conn_of(c);
	enum MHD_Result ok;

	if (x != NULL)
		conns_serving(x->table, x->c, time_monotonic());
	if (closing && status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	if (closing)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer realm=\"vakt\"");
	ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	stats_count_request();
	return ok;
}

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *type,
			      struct buf *body)
{
	return answer_as(c, status, type, body, false);
}

static enum MHD_Result answer_text(struct MHD_Connection *c, unsigned status, const char *msg)
{
	struct buf b;

	buf_init(&b, BODY_MAX);
	buf_printf(&b, "%s\n", msg);
	return answer(c, status, TEXT, &b);
}

/* Compare without an early exit, so timing does not reveal the token. */
static bool same_secret(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = la != lb;

	for (size_t i = 0; i < la; i++)
		diff |= (unsigned char)(a[i] ^ b[i % (lb == 0 ? 1 : lb)]);
	return diff == 0;
}

static bool authorized(struct http_server *h, struct MHD_Connection *c)
{
	const char *auth;

	if (h->token == NULL)
		return true;
	auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	return auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0 &&
	       same_secret(auth + 7, h->token);
}

/*
 * Log "what" about the client addr through r, at most once per client and
 * minute; the line says how many were left out since the last one.
 */
static void log_client(struct ratelog *r, const char *addr, const char *what)
{
	unsigned long skipped;
	double since;

	/* Monotonic: a clock set back must not silence a client for as long. */
	switch (ratelog_note(r, addr, time_monotonic(), &skipped, &since)) {
	case RATELOG_QUIET:
		return;
	case RATELOG_OTHERS:
		log_msg(LOG_WARNING, "%s %s; %lu more from other clients in the last %.0f s", what,
			addr, skipped, since);
		return;
	case RATELOG_CLIENT:
		break;
	}
	if (since == 0)
		log_msg(LOG_WARNING, "%s %s (logged at most once a minute per client)", what, addr);
	else
		log_msg(LOG_WARNING, "%s %s; %lu more from it in the last %.0f s", what, addr,
			skipped, since);
}

/* Checked when a connection is accepted, before a byte of it is read. */
static enum MHD_Result accept_client(void *cls, const struct sockaddr *sa, socklen_t len)
{
	struct http_server *h = cls;
	unsigned char key[CONN_KEY_LEN];
	char addr[RATELOG_KEY_MAX];

	(void)len;
	if (allow_admits(h->allow, h->nallow, sa))
		return MHD_YES;
	conn_client_of(sa, key, addr, sizeof(addr));
	log_client(h->refused, addr, "refused a connection (not in allow) from");
	return MHD_NO;
}

/*
 * libmicrohttpd's word that a connection started or closed: the connection
 * table counts it, makes room for it or cuts it (see conns.h).
 */
static void on_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct http_server *h = cls;
	struct conn_ctx *x = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *addr =
		    MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		const union MHD_ConnectionInfo *fd =
		    MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
		enum conn_verdict v;

		if (addr == NULL || addr->client_addr == NULL || fd == NULL)
			return;
		x = xcalloc(1, sizeof(*x));
		x->table = h->conns;
		x->c = conns_add(h->conns, fd->connect_fd, addr->client_addr, time_monotonic(), &v);
		x->busy = v == CONN_BUSY;
		*socket_context = x;
		return;
	}
	if (x == NULL)
		return;
	/* Before libmicrohttpd closes the socket: the table must not shut down a reused fd. */
	conns_remove(h->conns, x->c);
	free(x);
	*socket_context = NULL;
}

/*
 * One request, from its request line to its end: what the rules said of
 * its target, and its query, which libmicrohttpd never parses.
 */
struct request {
	struct httpguard_verdict verdict;
	char *query;	   /* the query as sent (after '?'), NULL when none */
	unsigned injected; /* header fields request_start put before the client's */
	bool started;	   /* the handler's first call is done */
};

/*
 * libmicrohttpd's first word of a request: its target as sent, before it
 * is unescaped or its query parsed. Two defects of libmicrohttpd 0.9.75
 * are kept out of its way here, both an error answer it queues and then
 * loses:
 * - It parses the query into records from the connection's memory pool,
 *   and when they do not fit (some 500 short parameters) it queues a 431, which
 *   parse_initial_message_line() then ignores: the read buffer is gone and
 *   the client waits for the time-out. So the query is taken here and cut
 *   from its buffer (uri points into it, writable; it parses what follows
 *   the '?' next), and httpguard_query_next() parses our copy.
 * - An error in Content-Length (-1, too large) or Cookie (out of pool) is
 *   queued with its headers built, then the HEADERS_RECEIVED state carries
 *   on as if none was, and the status line and headers go out twice. Its
 *   lookups take the first field of a name, so a "Content-Length: 0" and an
 *   empty Cookie put here, before the client's fields, are what it reads;
 *   the client's own are judged by httpguard in handle().
 */
static void *request_start(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct request *rq = xcalloc(1, sizeof(*rq));
	char *query = uri != NULL ? strchr(uri, '?') : NULL;

	(void)cls;
	httpguard_target(uri, &rq->verdict);
	if (query != NULL) {
		rq->query = xstrdup(query + 1);
		query[1] = '\0';
	}
	if (MHD_set_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH, "0") ==
	    MHD_YES)
		rq->injected++;
	if (MHD_set_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE, "") == MHD_YES)
		rq->injected++;
	return rq;
}

/* Free request_start's record of a request; NULL is none. */
static void request_free(struct request *rq)
{
	if (rq == NULL)
		return;
	free(rq->query);
	free(rq);
}

/* The client's header fields, the injected ones skipped, for httpguard. */
struct fields {
	struct httpguard_head head;
	unsigned skip;
};

static enum MHD_Result note_field(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *value)
{
	struct fields *f = cls;

	(void)kind;
	if (f->skip > 0)
		f->skip--;
	else
		httpguard_field(&f->head, key, value);
	return MHD_YES;
}

/* Whether rq, with its header fields now in, breaks a rule of httpguard. */
static bool refused(struct MHD_Connection *c, struct request *rq, const char *version)
{
	struct fields f = {.skip = rq->injected};

	MHD_get_connection_values(c, MHD_HEADER_KIND, note_field, &f);
	/* libmicrohttpd answers other major versions itself; any later 1.x is 1.1 to it. */
	httpguard_head_judge(&f.head, strcmp(version, MHD_HTTP_VERSION_1_0) != 0, &rq->verdict);
	return rq->verdict.status != 0;
}

/* Say which rule the request broke, and close: where it ends is in doubt. */
static enum MHD_Result answer_refused(struct MHD_Connection *c, const struct httpguard_verdict *v)
{
	struct buf b;

	buf_init(&b, BODY_MAX);
	buf_printf(&b, "%s\n", v->why);
	return answer_as(c, v->status, TEXT, &b, true);
}

/*
 * A request ended, answered or not: its connection may wait for the next
 * one, and request_start's record of it goes.
 */
static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *h = cls;
	struct conn_ctx *x = conn_of(mc);

	(void)toe;
	if (x != NULL)
		conns_done(h->conns, x->c, time_monotonic());
	request_free(*con_cls);
	*con_cls = NULL;
}

/* 503 with Retry-After to a connection over its client's limit, then close it. */
static enum MHD_Result answer_busy(struct http_server *h, struct MHD_Connection *c,
				   const struct conn *k)
{
	struct buf b;
	char what[128];

	snprintf(what, sizeof(what),
		 "answered 503 (more than max_connections_per_client %u at once) to",
		 h->limits.per_client);
	log_client(h->busy, conn_addr(k), what);
	buf_init(&b, BODY_MAX);
	buf_printf(&b, "busy: more than %u connection%s at once from %s, retry in a second\n",
		   h->limits.per_client, num_plural(h->limits.per_client), conn_addr(k));
	return answer_as(c, MHD_HTTP_SERVICE_UNAVAILABLE, TEXT, &b, true);
}

static bool wants_text(struct MHD_Connection *c, enum check_format format)
{
	const char *accept =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);

	if (format != CHECK_FORMAT_ASK)
		return format == CHECK_FORMAT_NAGIOS;
	return accept != NULL && strstr(accept, "text/plain") != NULL &&
	       strstr(accept, "application/json") == NULL;
}

/*
 * A check's verdict (/api/v1/check/haproxy?instance=lb&min-up=50%25):
 * instance and format are the agent's, the rest the check's options.
 */
static int verdict_query(const struct snapshot *snap, const struct verdict *v, char *query,
			 struct check_query *q, struct result **r, char *err, size_t errlen)
{
	struct plugin_pair pairs[VERDICT_MAX_OPTIONS];
	const char *instance = NULL;
	char *key, *value;
	size_t n = 0;

	while (query != NULL && httpguard_query_next(&query, &key, &value)) {
		if (strcmp(key, "instance") == 0) {
			instance = value;
		} else if (strcmp(key, "format") == 0) {
			if (check_query_arg(q, key, value, err, errlen) != 0)
				return -1;
		} else if (n == VERDICT_MAX_OPTIONS) {
			snprintf(err, errlen, "at most %d options", VERDICT_MAX_OPTIONS);
			return -1;
		} else {
			pairs[n++] = (struct plugin_pair){key, value};
		}
	}
	return check_verdict(snap, time_now(), v, instance, pairs, n, r);
}

/*
 * The check endpoint for a check's verdict or a metric called name; query
 * is the request's, decoded here in place.
 */
static enum MHD_Result serve_check(struct MHD_Connection *c, const struct snapshot *snap,
				   const char *name, char *query)
{
	const struct verdict *v = verdict_find(name);
	struct check_query q = {0};
	char err[128] = "", *key, *value; /* err: the first bad argument's reason */
	struct result *r;
	struct buf b;
	char *text;
	int status;
	enum state st;

	q.name = name;
	if (v != NULL) {
		status = verdict_query(snap, v, query, &q, &r, err, sizeof(err));
	} else {
		while (err[0] == '\0' && query != NULL &&
		       httpguard_query_next(&query, &key, &value))
			check_query_arg(&q, key, value, err, sizeof(err));
		status = err[0] != '\0' ? -1 : check_answer(snap, time_now(), &q, &r);
	}
	if (status == -1)
		return answer_text(c, MHD_HTTP_BAD_REQUEST, err);
	text = result_render(r);
	st = result_state(r);
	result_free(r);
	buf_init(&b, BODY_MAX);
	if (wants_text(c, q.format)) {
		buf_puts(&b, text);
		free(text);
		return answer(c, (unsigned)status, TEXT, &b);
	}
	checkwire_encode(st, text, &b);
	free(text);
	return answer(c, (unsigned)status, JSON, &b);
}

static enum MHD_Result serve_health(struct MHD_Connection *c, const struct snapshot *snap)
{
	struct buf b;
	double now = time_now();
	size_t stale = 0;

	buf_init(&b, BODY_MAX);
	for (size_t i = 0; i < snap->n; i++) {
		const struct source *src = &snap->sources[i];

		if (!source_is_stale(src, now))
			continue;
		buf_printf(&b, "%s%s", stale++ == 0 ? "stale: " : ", ", src->name);
		if (src->last_error != NULL)
			buf_printf(&b, " (%s)", src->last_error);
	}
	if (stale == 0)
		buf_puts(&b, "ok");
	buf_puts(&b, "\n");
	return answer(c, stale == 0 ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, TEXT, &b);
}

/*
 * The Prometheus text for snap now, rendered at most once per snapshot and
 * second; out->truncated when it is over max_answer_size.
 */
static void metrics_body(struct http_server *h, const struct snapshot *snap, struct buf *out)
{
	struct metrics_cache *m = &h->cache;
	double now = time_now();

	pthread_mutex_lock(&m->lock);
	if ((m->body == NULL && !m->truncated) || m->generation != snap->generation ||
	    m->second != (long)now) {
		struct buf b;

		buf_init(&b, out->cap);
		expose_prometheus(snap, now, &b);
		free(m->body);
		m->truncated = b.truncated;
		if (b.truncated)
			buf_free(&b);
		m->len = b.len;
		m->body = buf_steal(&b);
		m->generation = snap->generation;
		m->second = (long)now;
	}
	if (m->truncated)
		out->truncated = true;
	else
		buf_append(out, m->body, m->len);
	pthread_mutex_unlock(&m->lock);
}

/*
 * Answer body with 200, or, when it was cut at max_answer_size, with 500
 * and a line that says so (logged at most once a minute: a scraper asks
 * again and again).
 */
static enum MHD_Result answer_whole(struct http_server *h, struct MHD_Connection *c,
				    const char *url, const char *type, struct buf *body)
{
	long now = (long)time_monotonic(),
	     last = __atomic_load_n(&h->too_large_logged, __ATOMIC_RELAXED);
	char msg[256];

	if (!body->truncated)
		return answer(c, MHD_HTTP_OK, type, body);
	snprintf(msg, sizeof(msg),
		 "answer too large: %s is over max_answer_size (%zu bytes); raise it in vaktd.conf",
		 url, body->cap);
	buf_free(body);
	if (now - last >= 60 && __atomic_compare_exchange_n(&h->too_large_logged, &last, now, false,
							    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		log_msg(LOG_ERR, "answered 500 (%s)", msg);
	return answer_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, msg);
}

static enum MHD_Result route(struct http_server *h, struct MHD_Connection *c,
			     const struct snapshot *snap, const char *url, char *query)
{
	static const char metrics_prefix[] = "/api/v1/metrics/";
	static const char check_prefix[] = "/api/v1/check/";
	struct buf b;

	buf_init(&b, __atomic_load_n(&h->max_answer, __ATOMIC_RELAXED));
	if (strcmp(url, "/metrics") == 0) {
		metrics_body(h, snap, &b);
		return answer_whole(h, c, url, PROMETHEUS, &b);
	}
	if (strcmp(url, "/api/v1/metrics") == 0) {
		expose_json(snap, time_now(), NULL, &b);
		return answer_whole(h, c, url, JSON, &b);
	}
	if (strncmp(url, metrics_prefix, sizeof(metrics_prefix) - 1) == 0) {
		if (expose_json(snap, time_now(), url + sizeof(metrics_prefix) - 1, &b) > 0)
			return answer_whole(h, c, url, JSON, &b);
		buf_free(&b);
		return answer_text(c, MHD_HTTP_NOT_FOUND, "no such metric");
	}
	buf_free(&b);
	if (strncmp(url, check_prefix, sizeof(check_prefix) - 1) == 0 &&
	    url[sizeof(check_prefix) - 1] != '\0')
		return serve_check(c, snap, url + sizeof(check_prefix) - 1, query);
	if (strcmp(url, "/health") == 0)
		return serve_health(c, snap);
	return answer_text(c, MHD_HTTP_NOT_FOUND, "not found");
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_size, void **con_cls)
{
	struct http_server *h = cls;
	const struct snapshot *snap;
	struct scheduler *sched;
	enum MHD_Result r;
	struct request *rq = *con_cls; /* request_start's */

	(void)upload_data;
	if (rq == NULL)
		return MHD_NO;
	/* The first call only announces the request; answer on the last. */
	if (!rq->started) {
		struct conn_ctx *x = conn_of(c);

		/* One connection too many is told to come back, before anything else. */
		if (x != NULL && x->busy)
			return answer_busy(h, c, x->c);
		rq->started = true;
		/* A refusal now, before any body: libmicrohttpd then drops it and closes. */
		if (refused(c, rq, version))
			return answer_refused(c, &rq->verdict);
		return MHD_YES;
	}
	/* Never: every request with a body was refused on the first call. */
	if (*upload_size != 0)
		return MHD_NO;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return answer_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD");
	if (!authorized(h, c))
		return answer_text(c, MHD_HTTP_UNAUTHORIZED, "a valid bearer token is required");
	pthread_mutex_lock(&h->lock);
	sched = h->sched;
	snap = scheduler_acquire(sched);
	pthread_mutex_unlock(&h->lock);
	r = route(h, c, snap, url, rq->query);
	snapshot_release(snap);
	return r;
}

/*
 * A listening socket on ss, bound here rather than by libmicrohttpd so that
 * a failure names the address and the reason. -1 with err on failure.
 */
static int listen_on(const char *where, const struct sockaddr_storage *ss, socklen_t len, char *err,
		     size_t errlen)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), on = 1, e;

	if (fd == -1) {
		snprintf(err, errlen, "cannot listen on %s: %s", where, strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	/* "[::]" and "*" take IPv4 clients too; another IPv6 address only its own. */
	if (ss->ss_family == AF_INET6) {
		int v6only =
		    !IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)ss)->sin6_addr);

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	}
	if (bind(fd, (const struct sockaddr *)ss, len) == -1 || listen(fd, SOMAXCONN) == -1) {
		e = errno;
		close(fd);
		snprintf(err, errlen, "cannot listen on %s: %s", where, strerror(e));
		return -1;
	}
	return fd;
}

/*
 * Log the connections cut since the last call, one line per reason, each at
 * most once a period (all of them when flush); the rest waits, counted.
 */
static void log_cuts(struct http_server *h, double now, bool flush)
{
	struct conns_cuts k;
	char why[160];

	conns_take_cuts(h->conns, &k);
	for (int r = 0; r < CONN_CUT_REASONS; r++) {
		if (k.n[r] > 0) {
			h->cut_pending.n[r] += k.n[r];
			memcpy(h->cut_pending.addr[r], k.addr[r], sizeof(k.addr[r]));
		}
		if (h->cut_pending.n[r] == 0 || (!flush && now - h->cut_logged[r] < CUT_LOG_PERIOD))
			continue;
		switch ((enum conn_cut)r) {
		case CONN_CUT_OVERDUE:
			snprintf(why, sizeof(why),
				 "that had not sent a whole request or taken its answer within "
				 "connection_timeout %.0f s",
				 h->limits.deadline);
			break;
		case CONN_CUT_EVICTED:
			snprintf(why, sizeof(why),
				 "waiting for a request, to make room for new ones "
				 "(max_connections %u, max_connections_per_client %u)",
				 h->limits.max, h->limits.per_client);
			break;
		default:
			snprintf(why, sizeof(why),
				 "at once: every slot busy answering (max_connections %u) or "
				 "more than %u from one client",
				 h->limits.max, h->limits.hard_per_client);
			break;
		}
		log_msg(LOG_WARNING, "closed %lu %sconnection%s %s, the last from %s%s",
			h->cut_pending.n[r], r == CONN_CUT_REFUSED ? "new " : "",
			num_plural(h->cut_pending.n[r]), why, h->cut_pending.addr[r],
			h->cut_logged[r] > -CUT_LOG_PERIOD ? ""
							   : " (logged at most once a minute)");
		h->cut_pending.n[r] = 0;
		h->cut_logged[r] = now;
	}
}

/* Cut connections at their deadlines, and log the cuts. */
static void *reap(void *arg)
{
	struct http_server *h = arg;

	for (int r = 0; r < CONN_CUT_REASONS; r++)
		h->cut_logged[r] = -CUT_LOG_PERIOD;
	pthread_mutex_lock(&h->reap_lock);
	while (!h->stopping) {
		double now = time_monotonic(), next = conns_reap(h->conns, now);
		struct timespec ts;

		log_cuts(h, now, false);
		/* Nothing open: a connection accepted from now on is due after this. */
		if (next == 0 || next > now + h->limits.deadline)
			next = now + h->limits.deadline;
		ts.tv_sec = (time_t)next;
		ts.tv_nsec = (long)((next - (double)ts.tv_sec) * 1e9);
		pthread_cond_timedwait(&h->reap_wake, &h->reap_lock, &ts);
	}
	pthread_mutex_unlock(&h->reap_lock);
	log_cuts(h, time_monotonic(), true);
	return NULL;
}

/*
 * The threading mode: libmicrohttpd's poll(2) by default. Its epoll mode in
 * 0.9.75 misses a peer's close of a connection it has accepted during a
 * burst: such connections stay in CLOSE-WAIT until the idle time-out, and a
 * few hundred half-sent requests fill every slot. VAKTD_HTTP_MODE chooses
 * another mode, for the benchmark that compares them (bench/attack.sh).
 */
static unsigned http_mode(unsigned *threads)
{
	const char *mode = getenv("VAKTD_HTTP_MODE");

	*threads = 2;
	if (mode != NULL && strcmp(mode, "epoll") == 0)
		return MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
	if (mode != NULL && strcmp(mode, "thread-per-connection") == 0) {
		*threads = 0;
		return MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
		       MHD_USE_POLL;
	}
	return MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
}

int http_bind(const struct config *c, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;

	if (address_listen(c->listen, &ss, &sslen, err, errlen) != 0)
		return -1;
	return listen_on(c->listen, &ss, sslen, err, errlen);
}

struct http_server *http_start(const struct config *c, int fd, struct scheduler *s,
			       const char *token, const char *cert, const char *key, char *err,
			       size_t errlen)
{
	struct http_server *h;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	unsigned threads, flags = http_mode(&threads) | MHD_USE_ERROR_LOG;
	pthread_condattr_t attr;

	/* The address http_bind bound, as the socket has it: not parsed a second time. */
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1) {
		snprintf(err, errlen, "cannot read the address of the socket for %s: %s", c->listen,
			 strerror(errno));
		close(fd);
		return NULL;
	}
	h = xcalloc(1, sizeof(*h));
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_init(&h->cache.lock, NULL);
	h->refused = ratelog_new(CLIENT_LOG_PERIOD, CLIENT_LOG_SLOTS);
	h->busy = ratelog_new(CLIENT_LOG_PERIOD, CLIENT_LOG_SLOTS);
	h->limits.max = c->max_connections;
	h->limits.per_client = c->max_per_client;
	h->max_answer = c->max_answer_size;
	h->too_large_logged = -60; /* the first is logged, however soon after boot */
	/* Room to answer a burst 503 before closing connections outright. */
	h->limits.hard_per_client =
	    2 * c->max_per_client < c->max_connections ? 2 * c->max_per_client : c->max_connections;
	h->limits.deadline = c->connection_timeout;
	h->limits.grace = GRACE;
	h->conns = conns_new(&h->limits);
	pthread_mutex_init(&h->reap_lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&h->reap_wake, &attr);
	pthread_condattr_destroy(&attr);
	h->sched = s;
	h->token = token != NULL ? xstrdup(token) : NULL;
	if (c->nallow > 0) {
		h->allow = xcalloc(c->nallow, sizeof(*c->allow));
		memcpy(h->allow, c->allow, c->nallow * sizeof(*c->allow));
		h->nallow = c->nallow;
	}
	/* "[::]" and "*" mean every address, IPv4 included. */
	if (ss.ss_family == AF_INET6)
		flags |= IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr)
			     ? MHD_USE_DUAL_STACK
			     : MHD_USE_IPv6;
	if (cert != NULL)
		flags |= MHD_USE_TLS;
	/*
	 * libmicrohttpd's own connection limit is above ours, so that it keeps
	 * accepting: the table decides who stays, and a connection it cuts is
	 * closed at once instead of waiting in the kernel's accept queue. Its
	 * idle time-out stays as a second line behind the table's deadline.
	 * Without TLS the option list ends early, before the certificate options.
	 */
	h->daemon = MHD_start_daemon(
	    flags, 0, accept_client, h, handle, h, MHD_OPTION_EXTERNAL_LOGGER, log_mhd, h,
	    MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
	    MHD_OPTION_URI_LOG_CALLBACK, request_start, h, MHD_OPTION_NOTIFY_COMPLETED,
	    on_completed, h, MHD_OPTION_CONNECTION_LIMIT, c->max_connections + MHD_HEADROOM,
	    MHD_OPTION_CONNECTION_TIMEOUT, c->connection_timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768, MHD_OPTION_THREAD_POOL_SIZE, threads,
	    cert != NULL ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
	    MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_END);
	if (h->daemon == NULL) {
		snprintf(err, errlen, "cannot serve on %s%s (see the messages above)", c->listen,
			 cert != NULL ? " with TLS" : "");
		/* fd is libmicrohttpd's now, closed or not: closing it again could hit a
		 * collector's. */
		http_stop(h);
		return NULL;
	}
	if (pthread_create(&h->reaper, NULL, reap, h) != 0) {
		snprintf(err, errlen, "cannot start a thread: %s", strerror(errno));
		http_stop(h);
		return NULL;
	}
	h->reaping = true;
	return h;
}

void http_set_scheduler(struct http_server *h, struct scheduler *s)
{
	pthread_mutex_lock(&h->lock);
	h->sched = s;
	pthread_mutex_unlock(&h->lock);
}

void http_set_max_answer(struct http_server *h, size_t bytes)
{
	__atomic_store_n(&h->max_answer, bytes, __ATOMIC_RELAXED);
}

void http_stop(struct http_server *h)
{
	if (h == NULL)
		return;
	if (h->reaping) {
		pthread_mutex_lock(&h->reap_lock);
		h->stopping = true;
		pthread_cond_signal(&h->reap_wake);
		pthread_mutex_unlock(&h->reap_lock);
		pthread_join(h->reaper, NULL);
	}
	/* Stopping closes every connection, and each leaves the table. */
	if (h->daemon != NULL)
		MHD_stop_daemon(h->daemon);
	conns_free(h->conns);
	pthread_mutex_destroy(&h->reap_lock);
	pthread_cond_destroy(&h->reap_wake);
	ratelog_free(h->refused);
	ratelog_free(h->busy);
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->cache.lock);
	free(h->cache.body);
	if (h->token != NULL)
		explicit_bzero(h->token, strlen(h->token));
	free(h->token);
	free(h->allow);
	free(h);
}
