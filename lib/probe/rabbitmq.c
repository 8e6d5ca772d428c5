/*
 * Requests to RabbitMQ's management API (see rabbitmq.h): URLs with every
 * name percent-encoded, one deadline for a whole collection, and HTTP
 * answers mapped to the probe's errors before the parsers see the body.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "httpc.h"
#include "probe/rabbitmq.h"
#include "progress.h"
#include "xalloc.h"

#define NOT_API "the server answered something that is not RabbitMQ's management API"
/* The fields of a queue the parser reads: a queue list costs a tenth of its full size. */
#define QUEUE_COLUMNS                                                                              \
	"columns=name,vhost,type,state,messages,messages_ready,messages_unacknowledged,consumers," \
	"idle_since,message_stats.publish_details.rate,message_stats.deliver_get_details.rate,"    \
	"message_stats.ack_details.rate,head_message_timestamp"
/* The samples that tell how long a stuck queue has not moved (rabbitmq_stall_parse). */
#define STALL_QUERY                                                                                \
	"columns=message_stats.deliver_get_details.samples,message_stats.ack_details.samples"      \
	"&msg_rates_age=" STR(RABBITMQ_STALL_WINDOW) "&msg_rates_incr=" STR(RABBITMQ_STALL_STEP)
#define STR(x) STR2(x)
#define STR2(x) #x
/* A URL of the base and a path of encoded names stays far below this. */
#define URL_MAX 8192

void probe_rabbitmq_hostport(const struct rabbitmq_target *t, char *out, size_t outlen)
{
	httpc_target(t->url, out, outlen);
	if (out[0] == '\0')
		snprintf(out, outlen, "%s", t->url);
}

void probe_rabbitmq_escape(const char *name, char *out, size_t outlen)
{
	struct buf b;

	buf_init(&b, outlen - 1);
	httpc_escape(&b, name);
	snprintf(out, outlen, "%s", b.truncated ? "" : buf_str(&b));
	buf_free(&b);
}

/* The base URL without its trailing slashes, then "/api/" and path. */
static void url_start(struct buf *b, const struct rabbitmq_target *t, const char *path)
{
	size_t n = strlen(t->url);

	while (n > 0 && t->url[n - 1] == '/')
		n--;
	buf_append(b, t->url, n);
	buf_puts(b, "/api/");
	buf_puts(b, path);
}

/* The URL of queue name of vhost, or of vhost's queues when name is NULL, then query. */
static void url_queues(struct buf *b, const struct rabbitmq_target *t, const char *vhost,
		       const char *name, const char *query)
{
	url_start(b, t, "queues/");
	httpc_escape(b, vhost);
	if (name != NULL) {
		buf_puts(b, "/");
		httpc_escape(b, name);
	}
	buf_puts(b, query);
}

/* Map an HTTP status other than 200 to a probe error with err. */
static int http_error(const struct rabbitmq_target *t, const char *url, long status,
		      const struct buf *body, char *err, size_t errlen)
{
	char reason[256], start[48];

	rabbitmq_error_reason(buf_str(body), body->len, reason, sizeof(reason));
	if (status == 401) {
		snprintf(err, errlen, "login as %s refused: HTTP 401%s%s", t->user,
			 reason[0] != '\0' ? " " : "", reason);
		return FAIL_DENIED;
	}
	if (status == 403) {
		snprintf(err, errlen, "user %s may not read %s: HTTP 403%s%s", t->user, url,
			 reason[0] != '\0' ? " " : "", reason);
		return FAIL_DENIED;
	}
	/* Only the API's own JSON 404 says the object is missing; another server's says nothing. */
	if (status == 404 && reason[0] != '\0') {
		snprintf(err, errlen, "HTTP 404 %s", reason);
		return FAIL_NOT_FOUND;
	}
	buf_excerpt(body->data, body->len, start, sizeof(start));
	if (status >= 500) {
		snprintf(err, errlen, "the server answered HTTP %ld: %s", status,
			 reason[0] != '\0' ? reason : start);
		return FAIL_DOWN;
	}
	snprintf(err, errlen, NOT_API " (HTTP %ld for %s: \"%s\")", status, url, start);
	return FAIL_BROKEN;
}

/*
 * The probe's failure for httpc's (err holds httpc's words already): an
 * answer over the cap is not the management API's.
 */
static int transfer_error(int why, char *err, size_t errlen)
{
	if (why != FAIL_TOO_BIG)
		return why;
	snprintf(err, errlen, NOT_API " (more than %d bytes)", PROBE_RABBITMQ_MAX_ANSWER);
	return FAIL_BROKEN;
}

/*
 * GET the URL in u into body; returns 0 with *status for an answer of 200
 * (or of 503 when accept_503: a failed health check), else a probe error.
 */
static int request(struct httpc *c, const struct rabbitmq_target *t, const struct buf *u,
		   bool accept_503, struct buf *body, long *status, char *err, size_t errlen)
{
	struct httpc_opts o = {0};
	double left = t->deadline - time_monotonic();
	char target[300];
	int r;

	probe_rabbitmq_hostport(t, target, sizeof(target));
	if (u->truncated) {
		snprintf(err, errlen, "the names make a URL longer than %d bytes", URL_MAX);
		return FAIL_LOCAL;
	}
	if (left <= 0) {
		progress_format(err, errlen, t->limit, target, PROGRESS_QUERY, "the HTTP request");
		return FAIL_TIMEOUT;
	}
	o.url = buf_str(u);
	o.timeout = left;
	o.timeout_named = t->limit;
	o.user = t->user;
	o.password = t->password;
	o.ca_file = t->ca_file;
	o.insecure = t->insecure;
	o.family = t->family;
	o.user_agent = t->user_agent;
	o.ca_hint = t->ca_hint;
	o.plain_hint = " (is it https?)";
	r = httpc_get(c, &o, body, status, err, errlen);
	if (r != 0)
		return transfer_error(r, err, errlen);
	if (*status == 200 || (accept_503 && *status == 503))
		return 0;
	return http_error(t, buf_str(u), *status, body, err, errlen);
}

/* GET /api/path into body, which it sets up and the caller frees, as request() does. */
static int get(struct httpc *c, const struct rabbitmq_target *t, const char *path, bool accept_503,
	       struct buf *body, long *status, char *err, size_t errlen)
{
	struct buf u;
	int r;

	buf_init(&u, URL_MAX);
	buf_init(body, PROBE_RABBITMQ_MAX_ANSWER);
	url_start(&u, t, path);
	r = request(c, t, &u, accept_503, body, status, err, errlen);
	buf_free(&u);
	return r;
}

/* Say whose answer it was that is wrong, and why; returns FAIL_BROKEN. */
static int broken_because(const char *why, char *err, size_t errlen)
{
	snprintf(err, errlen, NOT_API " (%s)", why);
	return FAIL_BROKEN;
}

/* The same for a parser's complaint in err. */
static int broken(char *err, size_t errlen)
{
	char why[512];

	snprintf(why, sizeof(why), "%s", err);
	return broken_because(why, err, errlen);
}

/*
 * How long queue q, which looks stuck, has delivered and acknowledged
 * nothing, into q->stalled: one more request, for the few queues that
 * look stuck. 0, or an enum fail with err.
 */
static int get_stall(struct httpc *c, const struct rabbitmq_target *t, struct rabbitmq_queue *q,
		     char *err, size_t errlen)
{
	struct buf u, body;
	long status;
	int r;

	buf_init(&u, URL_MAX);
	buf_init(&body, PROBE_RABBITMQ_MAX_ANSWER);
	url_queues(&u, t, q->vhost, q->name, "?" STALL_QUERY);
	r = request(c, t, &u, false, &body, &status, err, errlen);
	if (r == 0 && rabbitmq_stall_parse(buf_str(&body), body.len, &q->stalled, err, errlen) != 0)
		r = broken(err, errlen);
	buf_free(&u);
	buf_free(&body);
	/* Deleted in between: then it is not stuck either. */
	if (r == FAIL_NOT_FOUND) {
		q->stalled = 0;
		r = 0;
	}
	return r;
}

/*
 * Set stalled for the queues of out from number first on: NAN without
 * rates when it might be stuck, the time since the last delivery or
 * acknowledgement when it looks stuck, else 0.
 */
static int get_stalls(struct httpc *c, const struct rabbitmq_target *t, struct rabbitmq_queues *out,
		      size_t first, char *err, size_t errlen)
{
	int r = 0;

	for (size_t i = first; i < out->n && r == 0; i++) {
		struct rabbitmq_queue *q = &out->v[i];

		q->stalled = 0;
		if (q->consumers > 0 && q->ready > 0 && (isnan(q->deliver) || isnan(q->ack)))
			q->stalled = NAN;
		else if (rabbitmq_queue_stuck(q))
			r = get_stall(c, t, q, err, errlen);
	}
	return r;
}

/*
 * GET the queue name of vhost, or every queue of vhost when name is NULL,
 * and append to out those match accepts, at most max (see rabbitmq.h).
 */
static int get_queues(struct httpc *c, const struct rabbitmq_target *t, const char *vhost,
		      const char *name, const regex_t *match, size_t max,
		      struct rabbitmq_queues *out, char *err, size_t errlen)
{
	struct buf u, body;
	size_t first = out->n;
	long status;
	int r, n = 0;

	buf_init(&u, URL_MAX);
	buf_init(&body, PROBE_RABBITMQ_MAX_ANSWER);
	url_queues(&u, t, vhost, name, "?" QUEUE_COLUMNS);
	r = request(c, t, &u, false, &body, &status, err, errlen);
	/* A list that is an object is one queue, which /api/queues/VHOST never answers. */
	if (r == 0 && name == NULL &&
	    (body.len == 0 || body.data[strspn(body.data, " \t\r\n")] != '['))
		r = broken_because("not a list of queues", err, errlen);
	if (r == 0)
		n = rabbitmq_queues_parse(buf_str(&body), body.len, match, max, time_now(), out,
					  err, errlen);
	if (r == 0 && n < 0)
		r = broken(err, errlen);
	else if (r == 0 && name != NULL && n != 1)
		r = broken_because("not one queue", err, errlen);
	buf_free(&u);
	buf_free(&body);
	return r == 0 ? get_stalls(c, t, out, first, err, errlen) : r;
}

int probe_rabbitmq_queue(struct httpc *c, const struct rabbitmq_target *t, const char *vhost,
			 const char *name, struct rabbitmq_queues *out, char *err, size_t errlen)
{
	size_t before = out->n;
	int r = get_queues(c, t, vhost, name, NULL, 0, out, err, errlen);

	if (r == 0 && out->n > before)
		out->v[before].named = true;
	if (r == FAIL_NOT_FOUND)
		rabbitmq_queues_missing(out, vhost, name);
	return r;
}

int probe_rabbitmq_queues(struct httpc *c, const struct rabbitmq_target *t, const char *vhost,
			  const regex_t *match, const char *match_text, size_t max,
			  struct rabbitmq_queues *out, char *err, size_t errlen)
{
	size_t before = out->n;
	int r = get_queues(c, t, vhost, NULL, match, max, out, err, errlen);

	if (r == 0)
		rabbitmq_queues_listed(out, vhost, match != NULL ? match_text : NULL,
				       out->n - before);
	return r;
}

int probe_rabbitmq_overview(struct httpc *c, const struct rabbitmq_target *t,
			    struct rabbitmq_overview *out, char *err, size_t errlen)
{
	struct buf body;
	long status;
	int r = get(c, t, "overview", false, &body, &status, err, errlen);

	if (r == 0 && rabbitmq_overview_parse(buf_str(&body), body.len, out, err, errlen) != 0)
		r = broken(err, errlen);
	buf_free(&body);
	return r;
}

/* Keep only the node called name in n; false when it is not there. */
static bool nodes_keep(struct rabbitmq_nodes *n, const char *name)
{
	size_t k = 0;

	for (size_t i = 0; i < n->n; i++) {
		if (strcmp(n->v[i].name, name) != 0) {
			free(n->v[i].name);
			continue;
		}
		n->v[k++] = n->v[i];
	}
	n->n = k;
	return k > 0;
}

int probe_rabbitmq_nodes(struct httpc *c, const struct rabbitmq_target *t, const char *name,
			 struct rabbitmq_nodes *out, char *err, size_t errlen)
{
	struct rabbitmq_nodes all = {0};
	struct buf body;
	long status;
	/* Always the list: /api/nodes/NAME answers a bare HTTP 500 for a node it does not know. */
	int r = get(c, t, "nodes", false, &body, &status, err, errlen);

	if (r == 0 && rabbitmq_nodes_parse(buf_str(&body), body.len, &all, err, errlen) != 0)
		r = broken(err, errlen);
	if (r == 0 && name != NULL && !nodes_keep(&all, name)) {
		snprintf(err, errlen, "no node %s in the cluster", name);
		r = FAIL_NOT_FOUND;
	}
	for (size_t i = 0; r == 0 && i < all.n; i++) {
		out->v = xgrow(out->v, out->n, sizeof(*out->v));
		out->v[out->n++] = all.v[i];
		all.v[i].name = NULL;
	}
	rabbitmq_nodes_free(&all);
	buf_free(&body);
	return r;
}

int probe_rabbitmq_health(struct httpc *c, const struct rabbitmq_target *t, const char *path,
			  char *reason, size_t reasonlen, char *err, size_t errlen)
{
	struct buf body;
	long status = 0;
	int r;

	reason[0] = '\0';
	r = get(c, t, path, true, &body, &status, err, errlen);
	if (r == 0) {
		r = rabbitmq_health_parse(buf_str(&body), body.len, reason, reasonlen, err, errlen);
		if (r < 0)
			r = broken(err, errlen);
		else if (r == 0 && status == 503)
			r = broken_because("HTTP 503 with status ok", err, errlen);
	}
	buf_free(&body);
	return r;
}

/* The health checks asked for; one a server lacks (404) is noted as such. */
static const char *const health_checks[] = {"alarms",
					    "local-alarms",
					    "virtual-hosts",
					    "node-is-quorum-critical",
					    "node-is-mirror-sync-critical",
					    "ready-to-serve-clients",
					    NULL};

/* Run the health check at path into set. 0, or an enum fail with err. */
static int health_one(struct httpc *c, const struct rabbitmq_target *t, const char *path,
		      const char *target, struct metric_set *set, char *err, size_t errlen)
{
	char reason[1024];
	int rc = probe_rabbitmq_health(c, t, path, reason, sizeof(reason), err, errlen);

	if (rc < 0 && rc != FAIL_NOT_FOUND)
		return rc;
	rabbitmq_health_metric(set, target, path, rc, reason);
	return 0;
}

int probe_rabbitmq_health_all(struct httpc *c, const struct rabbitmq_target *t, const char *vhost,
			      const char *version, const char *target, struct metric_set *set,
			      char *err, size_t errlen)
{
	struct metric_set *got = metric_set_new();
	char path[1200], escaped[1024];
	int r = 0;

	for (size_t i = 0; health_checks[i] != NULL && r == 0; i++) {
		snprintf(path, sizeof(path), "health/checks/%s", health_checks[i]);
		r = health_one(c, t, path, target, got, err, errlen);
	}
	probe_rabbitmq_escape(vhost, escaped, sizeof(escaped));
	snprintf(path, sizeof(path), "aliveness-test/%s", escaped);
	if (r == 0 && rabbitmq_version_before(version, 4))
		r = health_one(c, t, path, target, got, err, errlen);
	for (size_t i = 0; r == 0 && i < metric_set_count(got); i++)
		metric_set_copy(set, metric_set_at(got, i));
	if (r != 0)
		rabbitmq_health_error(set, target, r, err);
	metric_set_free(got);
	return r;
}
