/*
 * HTTP front end (see http.h). Every request takes a reference to the
 * current snapshot and renders from it; nothing here waits for a collector.
 */
#include "config.h"

#include <arpa/inet.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "buf.h"
#include "check.h"
#include "expose.h"
#include "http.h"
#include "log.h"
#include "statefile.h"
#include "stats.h"
#include "xalloc.h"

/* Bodies are built in memory; the largest expected is far below this. */
#define BODY_MAX (4 * 1024 * 1024)
/* A client sending more body than this is cut off instead of answered. */
#define BODY_DROP_MAX 65536
#define TEXT "text/plain; charset=utf-8"
#define JSON "application/json"
#define PROMETHEUS "text/plain; version=0.0.4; charset=utf-8"

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

struct http_server {
	struct MHD_Daemon *daemon;
	struct metrics_cache cache;
	struct scheduler *sched;
	pthread_mutex_t lock; /* guards sched across a reload */
	char *token;
	struct config allow; /* only allow and nallow are set: what config_allows reads */
};

/*
 * libmicrohttpd's own messages go where ours go, at most one a second: a
 * client hammering a connection limit must not flood the log.
 */
static void log_mhd(void *cls, const char *fmt, va_list ap)
{
	static long last_second;
	static unsigned long dropped;
	long now = (long)time_now();

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

/* Queue body (taken over) with status and content type. */
static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *type,
			      struct buf *body)
{
	size_t len = body->len;
	char *data = buf_steal(body);
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ok;

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

/* Checked when a connection is accepted, before a byte of it is read. */
static enum MHD_Result accept_client(void *cls, const struct sockaddr *sa, socklen_t len)
{
	struct http_server *h = cls;

	(void)len;
	return config_allows(&h->allow, sa) ? MHD_YES : MHD_NO;
}

struct query_ctx {
	struct check_query *q;
	char err[128]; /* the first bad argument's reason, "" when none */
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct query_ctx *x = cls;

	(void)kind;
	if (x->err[0] == '\0')
		check_query_arg(x->q, key, value != NULL ? value : "", x->err, sizeof(x->err));
	return MHD_YES;
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

static enum MHD_Result serve_check(struct MHD_Connection *c, const struct snapshot *snap,
				   const char *name)
{
	struct check_query q = {0};
	struct query_ctx x = {&q, ""};
	struct result *r;
	struct buf b;
	char *text;
	unsigned status;
	enum state st;

	q.name = name;
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &x);
	if (x.err[0] != '\0')
		return answer_text(c, MHD_HTTP_BAD_REQUEST, x.err);
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
			     const struct snapshot *snap, const char *url)
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
		return serve_check(c, snap, url + sizeof(check_prefix) - 1);
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
	/* Per-connection state in the pointer itself: 1 + body bytes seen. */
	uintptr_t seen = (uintptr_t)*con_cls;

	(void)version;
	(void)upload_data;
	/* The first call only announces the request; answer on the last. */
	if (seen == 0) {
		*con_cls = (void *)(uintptr_t)1;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		/* Nothing here takes a body: count it, drop it, refuse once it ends. */
		seen += *upload_size;
		*upload_size = 0;
		*con_cls = (void *)seen;
		return seen > BODY_DROP_MAX ? MHD_NO : MHD_YES;
	}
	if (seen > 1)
		return answer_text(c, MHD_HTTP_CONTENT_TOO_LARGE, "request bodies are not accepted");
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return answer_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD");
	if (!authorized(h, c))
		return answer_text(c, MHD_HTTP_UNAUTHORIZED, "a valid bearer token is required");
	pthread_mutex_lock(&h->lock);
	sched = h->sched;
	snap = scheduler_acquire(sched);
	pthread_mutex_unlock(&h->lock);
	r = route(h, c, snap, url);
	snapshot_release(snap);
	return r;
}

struct http_server *http_start(const struct config *c, struct scheduler *s, const char *token,
			       const char *cert, const char *key, char *err, size_t errlen)
{
	struct http_server *h;
	struct sockaddr_storage ss;
	socklen_t sslen;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;

	if (config_listen_parse(c->listen, &ss, &sslen, err, errlen) != 0)
		return NULL;
	h = xcalloc(1, sizeof(*h));
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_init(&h->cache.lock, NULL);
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
		flags, 0, accept_client, h, handle, h, MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_CONNECTION_LIMIT, c->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		c->max_per_client, MHD_OPTION_CONNECTION_TIMEOUT, c->connection_timeout,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768, MHD_OPTION_THREAD_POOL_SIZE, 2U,
		cert != NULL ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
		MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_END);
	if (h->daemon == NULL) {
		snprintf(err, errlen, "cannot listen on %s%s (address in use, or not allowed?)",
			 c->listen, cert != NULL ? " with TLS" : "");
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
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->cache.lock);
	free(h->cache.body);
	if (h->token != NULL)
		explicit_bzero(h->token, strlen(h->token));
	free(h->token);
	free(h->allow.allow);
	free(h);
}
