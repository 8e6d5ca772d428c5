/*
 * HTTP front end (see http.h). Every request takes a reference to the
 * current snapshot and renders from it; nothing here waits for a collector.
 */
#include "config.h"

#include <arpa/inet.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <errno.h>
#include <pthread.h>
#include <search.h>
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

#include "buf.h"
#include "check.h"
#include "expose.h"
#include "http.h"
#include "httpguard.h"
#include "log.h"
#include "num.h"
#include "ratelog.h"
#include "statefile.h"
#include "stats.h"
#include "xalloc.h"

/* Bodies are built in memory; the largest expected is far below this. */
#define BODY_MAX (4 * 1024 * 1024)
#define TEXT "text/plain; charset=utf-8"
#define JSON "application/json"
#define PROMETHEUS "text/plain; version=0.0.4; charset=utf-8"
/* Lines about one client at most this often (seconds), and about this many clients. */
#define CLIENT_LOG_PERIOD 60.0
#define CLIENT_LOG_SLOTS 64
/* An address as a key: the family, then 4 or 16 bytes, the rest zero. */
#define KEY_LEN 17

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
};

/* The connections open from one client address. */
struct client {
	unsigned char key[KEY_LEN];
	unsigned n;
};

/* One connection: whose it is, and whether it was one too many when it came. */
struct conn {
	unsigned char key[KEY_LEN];
	char addr[RATELOG_KEY_MAX];
	bool busy;
};

struct http_server {
	struct MHD_Daemon *daemon;
	struct metrics_cache cache;
	struct scheduler *sched;
	pthread_mutex_t lock; /* guards sched across a reload */
	char *token;
	struct config allow; /* only allow and nallow are set: what config_allows reads */
	/*
	 * Connections from one address beyond per_client are answered 503 with
	 * Retry-After; libmicrohttpd closes those beyond its own, higher,
	 * per-address limit at once.
	 */
	unsigned per_client, hard_per_client, max_connections;
	pthread_mutex_t clients_lock;
	void *clients; /* tsearch(3) tree of struct client */
	struct ratelog *refused, *busy;
};

/*
 * libmicrohttpd's own messages go where ours go, at most one a second: a
 * client hammering a connection limit must not flood the log.
 */
static void log_mhd(void *cls, const char *fmt, va_list ap)
{
	static const char limit[] = "Server reached connection limit";
	static long last_second;
	static unsigned long dropped;
	const struct http_server *h = cls;
	long now = (long)time_now();

	if (__atomic_exchange_n(&last_second, now, __ATOMIC_RELAXED) == now) {
		__atomic_add_fetch(&dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	/* Its words for both limits; ours name the settings. */
	if (strncmp(fmt, limit, sizeof(limit) - 1) == 0)
		log_msg(LOG_WARNING,
			"closed a connection at once: %u open from its client (twice "
			"max_connections_per_client), or max_connections %u in all",
			h->hard_per_client, h->max_connections);
	else
		log_vmsg(LOG_WARNING, fmt, ap);
	if (__atomic_load_n(&dropped, __ATOMIC_RELAXED) > 0)
		log_msg(LOG_WARNING, "(%lu similar messages from the HTTP server left out)",
			__atomic_exchange_n(&dropped, 0, __ATOMIC_RELAXED));
}

/*
 * Queue body (taken over) with status and content type; closing closes the
 * connection after it, and a 503 that closes adds Retry-After.
 */
static enum MHD_Result answer_as(struct MHD_Connection *c, unsigned status, const char *type,
				 struct buf *body, bool closing)
{
	size_t len = body->len;
	char *data = buf_steal(body);
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ok;

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
	return auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0 && same_secret(auth + 7, h->token);
}

/*
 * The client at sa as a key and in words; an IPv4 client on a dual-stack
 * socket (::ffff:a.b.c.d) is the same client as over IPv4.
 */
static void client_of(const struct sockaddr *sa, unsigned char key[KEY_LEN], char *text,
		      size_t textlen)
{
	const unsigned char *a = NULL;
	int family = sa->sa_family;

	memset(key, 0, KEY_LEN);
	if (family == AF_INET) {
		a = (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)
			->sin_addr;
	} else if (family == AF_INET6) {
		const struct in6_addr *a6 =
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

		a = a6->s6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			family = AF_INET;
			a += 12;
		}
	}
	if (a == NULL) {
		snprintf(text, textlen, "an unknown address");
		return;
	}
	key[0] = (unsigned char)family;
	memcpy(key + 1, a, family == AF_INET ? 4 : 16);
	if (inet_ntop(family, a, text, (socklen_t)textlen) == NULL)
		snprintf(text, textlen, "an unknown address");
}

/*
 * Log "what" about the client addr through r, at most once per client and
 * minute; the line says how many were left out since the last one.
 */
static void log_client(struct ratelog *r, const char *addr, const char *what)
{
	unsigned long skipped;
	double since;
	struct timespec ts;

	/* Monotonic: a clock set back must not silence a client for as long. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	switch (ratelog_note(r, addr, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9, &skipped,
			     &since)) {
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
	unsigned char key[KEY_LEN];
	char addr[RATELOG_KEY_MAX];

	(void)len;
	if (config_allows(&h->allow, sa))
		return MHD_YES;
	client_of(sa, key, addr, sizeof(addr));
	log_client(h->refused, addr, "refused a connection (not in allow) from");
	return MHD_NO;
}

static int client_cmp(const void *a, const void *b)
{
	return memcmp(((const struct client *)a)->key, ((const struct client *)b)->key, KEY_LEN);
}

/* Count a new connection of its client; one over the per-client limit is busy. */
static void client_add(struct http_server *h, struct conn *k)
{
	struct client *fresh = xcalloc(1, sizeof(*fresh)), **node;

	memcpy(fresh->key, k->key, KEY_LEN);
	pthread_mutex_lock(&h->clients_lock);
	node = tsearch(fresh, &h->clients, client_cmp);
	if (node == NULL || *node != fresh)
		free(fresh);
	if (node != NULL)
		k->busy = ++(*node)->n > h->per_client;
	pthread_mutex_unlock(&h->clients_lock);
}

static void client_remove(struct http_server *h, const struct conn *k)
{
	struct client probe, **node;

	memcpy(probe.key, k->key, KEY_LEN);
	pthread_mutex_lock(&h->clients_lock);
	node = tfind(&probe, &h->clients, client_cmp);
	if (node != NULL && --(*node)->n == 0) {
		struct client *gone = *node;

		tdelete(&probe, &h->clients, client_cmp);
		free(gone);
	}
	pthread_mutex_unlock(&h->clients_lock);
}

/* libmicrohttpd's word that a connection started or closed: the per-client count. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct http_server *h = cls;
	struct conn *k = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

		if (ci == NULL || ci->client_addr == NULL)
			return;
		k = xcalloc(1, sizeof(*k));
		client_of(ci->client_addr, k->key, k->addr, sizeof(k->addr));
		client_add(h, k);
		*socket_context = k;
		return;
	}
	if (k == NULL)
		return;
	client_remove(h, k);
	free(k);
	*socket_context = NULL;
}

/* The connection of c when it came over the per-client limit, else NULL. */
static const struct conn *busy_conn(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	const struct conn *k = ci != NULL ? ci->socket_context : NULL;

	return k != NULL && k->busy ? k : NULL;
}

/* 503 with Retry-After to a connection over its client's limit, then close it. */
static enum MHD_Result answer_busy(struct http_server *h, struct MHD_Connection *c,
				   const struct conn *k)
{
	struct buf b;
	char what[128];

	snprintf(what, sizeof(what),
		 "answered 503 (more than max_connections_per_client %u at once) to",
		 h->per_client);
	log_client(h->busy, k->addr, what);
	buf_init(&b, BODY_MAX);
	buf_printf(&b, "busy: more than %u connection%s at once from %s, retry in a second\n",
		   h->per_client, num_plural(h->per_client), k->addr);
	return answer_as(c, MHD_HTTP_SERVICE_UNAVAILABLE, TEXT, &b, true);
}

static bool wants_text(struct MHD_Connection *c, enum check_format format)
{
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);

	if (format != CHECK_FORMAT_ASK)
		return format == CHECK_FORMAT_NAGIOS;
	return accept != NULL && strstr(accept, "text/plain") != NULL &&
	       strstr(accept, "application/json") == NULL;
}

/* The check answer as JSON: state, exit code, the output and its parts. */
static void check_json(enum state st, const char *text, struct buf *b)
{
	struct json_object *o = json_object_new_object();
	size_t first = strcspn(text, "\n");
	char *line = xstrndup(text, first);
	char *bar = strstr(line, " | ");

	json_object_object_add(o, "state", json_object_new_string(state_name(st)));
	json_object_object_add(o, "exit_code", json_object_new_int((int)st));
	json_object_object_add(o, "output", json_object_new_string(text));
	json_object_object_add(o, "perfdata", json_object_new_string(bar != NULL ? bar + 3 : ""));
	if (bar != NULL)
		*bar = '\0';
	json_object_object_add(o, "status_line", json_object_new_string(line));
	buf_puts(b, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	buf_puts(b, "\n");
	json_object_put(o);
	free(line);
}

/* The check endpoint for metric name; query is the request's, decoded here in place. */
static enum MHD_Result serve_check(struct MHD_Connection *c, const struct snapshot *snap,
				   const char *name, char *query)
{
	struct check_query q = {0};
	char err[128] = "", *key, *value; /* err: the first bad argument's reason */
	struct result *r;
	struct buf b;
	char *text;
	unsigned status;
	enum state st;

	q.name = name;
	while (err[0] == '\0' && query != NULL && httpguard_query_next(&query, &key, &value))
		check_query_arg(&q, key, value, err, sizeof(err));
	if (err[0] != '\0')
		return answer_text(c, MHD_HTTP_BAD_REQUEST, err);
	status = (unsigned)check_answer(snap, time_now(), &q, &r);
	text = result_render(r);
	st = result_state(r);
	result_free(r);
	buf_init(&b, BODY_MAX);
	if (wants_text(c, q.format)) {
		buf_puts(&b, text);
		free(text);
		return answer(c, status, TEXT, &b);
	}
	check_json(st, text, &b);
	free(text);
	return answer(c, status, JSON, &b);
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

/* The Prometheus text for snap now, rendered at most once per snapshot and second. */
static void metrics_body(struct http_server *h, const struct snapshot *snap, struct buf *out)
{
	struct metrics_cache *m = &h->cache;
	double now = time_now();

	pthread_mutex_lock(&m->lock);
	if (m->body == NULL || m->generation != snap->generation || m->second != (long)now) {
		struct buf b;

		buf_init(&b, BODY_MAX);
		expose_prometheus(snap, now, &b);
		free(m->body);
		m->len = b.len;
		m->body = buf_steal(&b);
		m->generation = snap->generation;
		m->second = (long)now;
	}
	buf_append(out, m->body, m->len);
	pthread_mutex_unlock(&m->lock);
}

static enum MHD_Result route(struct http_server *h, struct MHD_Connection *c,
			     const struct snapshot *snap, const char *url, char *query)
{
	static const char metrics_prefix[] = "/api/v1/metrics/";
	static const char check_prefix[] = "/api/v1/check/";
	struct buf b;

	buf_init(&b, BODY_MAX);
	if (strcmp(url, "/metrics") == 0) {
		metrics_body(h, snap, &b);
		return answer(c, MHD_HTTP_OK, PROMETHEUS, &b);
	}
	if (strcmp(url, "/api/v1/metrics") == 0) {
		expose_json(snap, time_now(), NULL, &b);
		return answer(c, MHD_HTTP_OK, JSON, &b);
	}
	if (strncmp(url, metrics_prefix, sizeof(metrics_prefix) - 1) == 0) {
		if (expose_json(snap, time_now(), url + sizeof(metrics_prefix) - 1, &b) > 0)
			return answer(c, MHD_HTTP_OK, JSON, &b);
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
 *   and when they do not fit (some 470 parameters) it queues a 431, which
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

/* libmicrohttpd's last word of a request, answered or not. */
static void request_done(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode why)
{
	struct request *rq = *con_cls;

	(void)cls;
	(void)c;
	(void)why;
	if (rq == NULL)
		return;
	free(rq->query);
	free(rq);
	*con_cls = NULL;
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
		const struct conn *k = busy_conn(c);

		/* One connection too many is told to come back, before anything else. */
		if (k != NULL)
			return answer_busy(h, c, k);
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

struct http_server *http_start(const struct config *c, struct scheduler *s, const char *token,
			       const char *cert, const char *key, char *err, size_t errlen)
{
	struct http_server *h;
	struct sockaddr_storage ss;
	socklen_t sslen;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	int fd;

	if (config_listen_parse(c->listen, &ss, &sslen, err, errlen) != 0)
		return NULL;
	fd = listen_on(c->listen, &ss, sslen, err, errlen);
	if (fd == -1)
		return NULL;
	h = xcalloc(1, sizeof(*h));
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_init(&h->cache.lock, NULL);
	pthread_mutex_init(&h->clients_lock, NULL);
	h->refused = ratelog_new(CLIENT_LOG_PERIOD, CLIENT_LOG_SLOTS);
	h->busy = ratelog_new(CLIENT_LOG_PERIOD, CLIENT_LOG_SLOTS);
	h->per_client = c->max_per_client;
	h->max_connections = c->max_connections;
	/* Room to answer a burst 503 before closing connections outright. */
	h->hard_per_client =
	    2 * c->max_per_client < c->max_connections ? 2 * c->max_per_client : c->max_connections;
	h->sched = s;
	h->token = token != NULL ? xstrdup(token) : NULL;
	if (c->nallow > 0) {
		h->allow.allow = xcalloc(c->nallow, sizeof(*c->allow));
		memcpy(h->allow.allow, c->allow, c->nallow * sizeof(*c->allow));
		h->allow.nallow = c->nallow;
	}
	/* "[::]" and "*" mean every address, IPv4 included. */
	if (ss.ss_family == AF_INET6)
		flags |= IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr)
				 ? MHD_USE_DUAL_STACK
				 : MHD_USE_IPv6;
	if (cert != NULL)
		flags |= MHD_USE_TLS;
	/* Without TLS the option list ends early, before the certificate options. */
	h->daemon = MHD_start_daemon(
	    flags, 0, accept_client, h, handle, h, MHD_OPTION_EXTERNAL_LOGGER, log_mhd, h,
	    MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
	    MHD_OPTION_URI_LOG_CALLBACK, request_start, h,
	    MHD_OPTION_NOTIFY_COMPLETED, request_done, h,
	    MHD_OPTION_CONNECTION_LIMIT, c->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    h->hard_per_client, MHD_OPTION_CONNECTION_TIMEOUT, c->connection_timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768, MHD_OPTION_THREAD_POOL_SIZE, 2U,
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
	return h;
}

void http_set_scheduler(struct http_server *h, struct scheduler *s)
{
	pthread_mutex_lock(&h->lock);
	h->sched = s;
	pthread_mutex_unlock(&h->lock);
}

void http_stop(struct http_server *h)
{
	if (h == NULL)
		return;
	if (h->daemon != NULL)
		MHD_stop_daemon(h->daemon);
	/* Stopping closed every connection, and each took its count with it. */
	tdestroy(h->clients, free);
	pthread_mutex_destroy(&h->clients_lock);
	ratelog_free(h->refused);
	ratelog_free(h->busy);
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->cache.lock);
	free(h->cache.body);
	if (h->token != NULL)
		explicit_bzero(h->token, strlen(h->token));
	free(h->token);
	free(h->allow.allow);
	free(h);
}
