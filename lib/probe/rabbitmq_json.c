/*
 * RabbitMQ management API answers into structs and metrics (see
 * rabbitmq_json.h). json-c does the parsing under a depth limit; this file
 * checks shapes, picks the fields and turns them into metrics.
 */
#include "config.h"

#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "probe/rabbitmq_json.h"
#include "xalloc.h"

/*
 * Parse one JSON value filling all of json[0..len) but white space; NULL
 * with err when it is not that (HTML, a truncated answer, two values).
 */
static struct json_object *parse(const char *json, size_t len, char *err, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *j;
	enum json_tokener_error e;
	size_t end;

	if (len == 0 || len > INT_MAX || memchr(json, '\0', len) != NULL) {
		snprintf(err, errlen, len == 0 ? "an empty answer" : "not JSON text");
		return NULL;
	}
	tok = json_tokener_new_ex(RABBITMQ_JSON_DEPTH);
	if (tok == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	j = json_tokener_parse_ex(tok, json, (int)len);
	e = json_tokener_get_error(tok);
#if JSON_C_VERSION_NUM >= ((0 << 16) | (15 << 8))
	end = json_tokener_get_parse_end(tok);
#else
	end = (size_t)tok->char_offset;
#endif
	json_tokener_free(tok);
	/* The input need not be NUL-terminated: look at len bytes only. */
	while (end < len && strchr(" \t\r\n", json[end]) != NULL && json[end] != '\0')
		end++;
	if (j == NULL || e != json_tokener_success || end != len) {
		snprintf(err, errlen, "not JSON: %s",
			 e == json_tokener_success    ? "text after the value"
			 : e == json_tokener_continue ? "it ends too soon"
						      : json_tokener_error_desc(e));
		json_object_put(j);
		return NULL;
	}
	return j;
}

/* The member key of o when it has type t, else NULL. */
static struct json_object *member(struct json_object *o, const char *key, enum json_type t)
{
	struct json_object *v;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, t))
		return NULL;
	return v;
}

/* The number at member key of o, or NAN when it is missing or not a number. */
static double number(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return NAN;
	/* 1e999 parses as infinity, which no gauge of the API ever is. */
	if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))
		return isfinite(json_object_get_double(v)) ? json_object_get_double(v) : NAN;
	return NAN;
}

/* A boolean member as 1 or 0, or NAN when it is missing or not a boolean. */
static double boolean(struct json_object *o, const char *key)
{
	struct json_object *v = member(o, key, json_type_boolean);

	return v == NULL ? NAN : json_object_get_boolean(v) ? 1 : 0;
}

/* The string member key of o, or NULL. */
static const char *string(struct json_object *o, const char *key)
{
	struct json_object *v = member(o, key, json_type_string);

	return v == NULL ? NULL : json_object_get_string(v);
}

/*
 * The rate of operation op ("publish") in message_stats. When the server
 * computes rates but has none for op, op never happened in its window: 0.
 * Without message_stats or any rate in it (statistics off, rates_mode
 * none, no traffic since the start) it is unknown.
 */
static double rate(struct json_object *stats, const char *op)
{
	char key[64];
	bool any = false;

	if (stats == NULL)
		return NAN;
	snprintf(key, sizeof(key), "%s_details", op);
	if (member(stats, key, json_type_object) != NULL)
		return number(member(stats, key, json_type_object), "rate");
	json_object_object_foreach(stats, k, v)
	{
		size_t n = strlen(k);

		(void)v;
		any = any || (n > 8 && strcmp(k + n - 8, "_details") == 0);
	}
	return any ? 0 : NAN;
}

/* n digits at *p as a number, advancing *p; -1 when they are not all digits. */
static long digits(const char **p, int n)
{
	long v = 0;

	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return v;
}

/* An offset "Z", "+HH:MM" or "-HH:MM" (or nothing: UTC) at p in seconds; 0 or -1. */
static int zone(const char *p, long *offset)
{
	long h, m;
	int sign;

	*offset = 0;
	if (*p == '\0' || strcmp(p, "Z") == 0)
		return 0;
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p == '-' ? -1 : 1;
	p++;
	h = digits(&p, 2);
	if (h < 0 || *p++ != ':')
		return -1;
	m = digits(&p, 2);
	if (m < 0 || *p != '\0' || h > 23 || m > 59)
		return -1;
	*offset = sign * (h * 3600 + m * 60);
	return 0;
}

double rabbitmq_time_parse(const char *s)
{
	const char *p = s;
	long f[6], offset;
	double frac = 0;

	/* "YYYY-MM-DD", then 'T' or ' ', then "HH:MM:SS" */
	static const char seps[] = "--T::";
	static const int widths[] = {4, 2, 2, 2, 2, 2};

	for (int i = 0; i < 6; i++) {
		f[i] = digits(&p, widths[i]);
		if (f[i] < 0)
			return -1;
		if (i < 5 && *p != seps[i] && !(i == 2 && *p == ' '))
			return -1;
		if (i < 5)
			p++;
	}
	if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 60)
		return -1;
	if (*p == '.') {
		double scale = 0.1;

		if (p[1] < '0' || p[1] > '9')
			return -1;
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			frac += (*p - '0') * scale;
	}
	if (zone(p, &offset) != 0)
		return -1;
	return (double)(time_from_civil(f[0], (int)f[1], (int)f[2], (int)f[3], (int)f[4],
					(int)f[5]) -
			offset) +
	       frac;
}

/* A queue is serving in these states: "flow" is one that publishers are being slowed for. */
static bool state_running(const char *state)
{
	return strcmp(state, "running") == 0 || strcmp(state, "idle") == 0 ||
	       strcmp(state, "flow") == 0;
}

/* Fill q from the queue object o; now is for idle_since. */
static void queue_fill(struct json_object *o, double now, struct rabbitmq_queue *q)
{
	struct json_object *stats = member(o, "message_stats", json_type_object);
	const char *type = string(o, "type"), *state = string(o, "state");
	const char *since = string(o, "idle_since");
	double t;

	q->vhost = xstrdup(string(o, "vhost"));
	q->name = xstrdup(string(o, "name"));
	q->type = xstrdup(type != NULL ? type : "");
	q->state = xstrdup(state != NULL ? state : "");
	q->running = state == NULL || state_running(state);
	q->messages = number(o, "messages");
	q->ready = number(o, "messages_ready");
	q->unacked = number(o, "messages_unacknowledged");
	q->consumers = number(o, "consumers");
	t = since != NULL ? rabbitmq_time_parse(since) : -1;
	q->idle = since == NULL ? 0 : t < 0 ? NAN : fmax(0, floor(now - t));
	/* Seconds since the epoch, as the AMQP property; RabbitMQ 3.x gives "" or none without. */
	t = number(o, "head_message_timestamp");
	q->oldest_age = t > 0 ? fmax(0, floor(now - t)) : NAN;
	q->publish = rate(stats, "publish");
	q->deliver = rate(stats, "deliver_get");
	q->ack = rate(stats, "ack");
}

/* Whether o is a queue object: a name and a vhost. */
static bool queue_valid(struct json_object *o)
{
	return string(o, "name") != NULL && string(o, "vhost") != NULL;
}

/*
 * Append o to out when match accepts it and, in a listing, it is not the
 * aliveness test's queue; 1 when appended, 0 when not, -1 when o is no queue.
 */
static int queue_add(struct json_object *o, const regex_t *match, size_t max, double now,
		     bool listing, struct rabbitmq_queues *out)
{
	if (!queue_valid(o))
		return -1;
	if (listing && strcmp(string(o, "name"), RABBITMQ_ALIVENESS_QUEUE) == 0)
		return 0;
	if (match != NULL && regexec(match, string(o, "name"), 0, NULL, 0) != 0)
		return 0;
	if (max > 0 && out->n >= max) {
		out->cut = true;
		return 0;
	}
	out->v = xgrow(out->v, out->n, sizeof(*out->v));
	memset(&out->v[out->n], 0, sizeof(out->v[out->n]));
	queue_fill(o, now, &out->v[out->n]);
	out->n++;
	return 1;
}

/* Drop the queues of q from number n on: what a failed parse appended. */
static void queues_truncate(struct rabbitmq_queues *q, size_t n)
{
	for (size_t i = n; i < q->n; i++) {
		free(q->v[i].vhost);
		free(q->v[i].name);
		free(q->v[i].type);
		free(q->v[i].state);
	}
	q->n = n;
}

int rabbitmq_queues_parse(const char *json, size_t len, const regex_t *match, size_t max,
			  double now, struct rabbitmq_queues *out, char *err, size_t errlen)
{
	struct json_object *j = parse(json, len, err, errlen);
	size_t before = out->n;
	bool cut = out->cut;
	int r = 0;

	if (j == NULL)
		return -1;
	if (json_object_is_type(j, json_type_object))
		r = queue_add(j, match, max, now, false, out);
	else if (json_object_is_type(j, json_type_array))
		for (size_t i = 0; i < json_object_array_length(j) && r >= 0; i++)
			r = queue_add(json_object_array_get_idx(j, i), match, max, now, true, out);
	else
		r = -1;
	json_object_put(j);
	if (r < 0) {
		/* All or nothing: a caller never sees half of a broken answer. */
		queues_truncate(out, before);
		out->cut = cut;
		snprintf(err, errlen,
			 "not a queue or a list of queues (each with a name and a vhost)");
		return -1;
	}
	return (int)(out->n - before);
}

/* Add a metric with the labels of a broker: broker and target. */
static struct metric *broker_metric(struct metric_set *set, const char *name, const char *unit,
				    double v, const char *target)
{
	struct metric *m = metric_set_add(set, name, METRIC_GAUGE, unit, v);

	metric_label_add(m, "broker", "rabbitmq");
	metric_label_add(m, "target", target);
	return m;
}

bool rabbitmq_queue_stuck(const struct rabbitmq_queue *q)
{
	return q->consumers > 0 && q->ready > 0 && q->deliver == 0 && q->ack == 0;
}

/* The samples of op in message_stats ms, newest first as the API sends them; NULL when none. */
static struct json_object *samples(struct json_object *ms, const char *op)
{
	char key[64];

	snprintf(key, sizeof(key), "%s_details", op);
	return member(member(ms, key, json_type_object), "samples", json_type_array);
}

/* Sample i of a (NULL: none) at its timestamp t, ms; NAN when absent or not a number. */
static double sample_at(struct json_object *a, size_t i, double t)
{
	struct json_object *s =
	    a != NULL && i < json_object_array_length(a) ? json_object_array_get_idx(a, i) : NULL;

	return s != NULL && number(s, "timestamp") == t ? number(s, "sample") : NAN;
}

int rabbitmq_stall_parse(const char *json, size_t len, double *seconds, char *err, size_t errlen)
{
	struct json_object *j = parse(json, len, err, errlen), *ms, *d, *a;
	double newest, count = NAN, since;
	size_t n;

	if (j == NULL)
		return -1;
	ms = member(j, "message_stats", json_type_object);
	d = samples(ms, "deliver_get");
	a = samples(ms, "ack");
	n = d != NULL ? json_object_array_length(d) : a != NULL ? json_object_array_length(a) : 0;
	newest = n > 0 ? number(json_object_array_get_idx(d != NULL ? d : a, 0), "timestamp") : NAN;
	if (isnan(newest)) {
		snprintf(err, errlen, "no samples of deliveries or acknowledgements");
		json_object_put(j);
		return -1;
	}
	since = newest;
	/* Walk back while deliveries + acknowledgements stay what they are now. */
	for (size_t i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(d != NULL ? d : a, i);
		double t = number(s, "timestamp");
		double c =
		    (d != NULL ? sample_at(d, i, t) : 0) + (a != NULL ? sample_at(a, i, t) : 0);

		if (isnan(c) || (!isnan(count) && c != count))
			break;
		count = c;
		since = t;
	}
	json_object_put(j);
	/*
	 * Nothing delivered in the whole window, not even the messages the
	 * consumers hold: those came after the newest sample, so the queue
	 * has not been stuck for a measurable time yet.
	 */
	*seconds = count == 0 ? 0 : fmin(fmax(0, (newest - since) / 1000), RABBITMQ_STALL_WINDOW);
	return 0;
}

void rabbitmq_queues_metrics(const struct rabbitmq_queues *qs, const char *target,
			     struct metric_set *set)
{
	for (size_t i = 0; i < qs->n; i++) {
		const struct rabbitmq_queue *q = &qs->v[i];
		const struct {
			const char *name, *unit;
			double v;
		} f[] = {
		    {"queue_depth", "", q->messages},
		    {"queue_ready", "", q->ready},
		    {"queue_unacked", "", q->unacked},
		    {"queue_consumers", "", q->consumers},
		    {"queue_idle", "s", q->idle},
		    {"queue_running", "",
		     q->state[0] == '\0' ? NAN
		     : q->running	 ? 1
					 : 0},
		    {"queue_publish_rate", "", q->publish},
		    {"queue_deliver_rate", "", q->deliver},
		    {"queue_ack_rate", "", q->ack},
		    {"queue_stalled", "s", q->stalled},
		    {"queue_oldest_age_seconds", "s", q->oldest_age},
		    {"queue_info", "", 1},
		    {"queue_missing", "", 0},
		};
		/* queue_missing only for a queue asked for by name. */
		size_t nf = sizeof(f) / sizeof(f[0]) - (q->named ? 0 : 1);

		for (size_t k = 0; k < nf; k++) {
			struct metric *m;

			/* Only where the server tells: most queues' messages carry no timestamp. */
			if (isnan(f[k].v) && strcmp(f[k].name, "queue_oldest_age_seconds") == 0)
				continue;
			m = broker_metric(set, f[k].name, f[k].unit, f[k].v, target);
			metric_label_add(m, "vhost", q->vhost);
			metric_label_add(m, "queue", q->name);
			if (strcmp(f[k].name, "queue_info") == 0) {
				metric_label_add(m, "type", q->type);
				metric_label_add(m, "state", q->state);
			}
		}
	}
	for (size_t i = 0; i < qs->nmissing; i++) {
		struct metric *m = broker_metric(set, "queue_missing", "", 1, target);

		metric_label_add(m, "vhost", qs->missing[i].vhost);
		metric_label_add(m, "queue", qs->missing[i].name);
	}
	if (qs->listed_vhost != NULL) {
		struct metric *m =
		    broker_metric(set, "rabbitmq_queues_listed", "", (double)qs->nlisted, target);

		metric_label_add(m, "vhost", qs->listed_vhost);
		if (qs->listed_match != NULL)
			metric_label_add(m, "match", qs->listed_match);
	}
}

void rabbitmq_queues_missing(struct rabbitmq_queues *q, const char *vhost, const char *name)
{
	q->missing = xgrow(q->missing, q->nmissing, sizeof(*q->missing));
	q->missing[q->nmissing].vhost = xstrdup(vhost);
	q->missing[q->nmissing++].name = xstrdup(name);
}

void rabbitmq_queues_listed(struct rabbitmq_queues *q, const char *vhost, const char *match,
			    size_t n)
{
	free(q->listed_vhost);
	free(q->listed_match);
	q->listed_vhost = xstrdup(vhost);
	q->listed_match = match != NULL ? xstrdup(match) : NULL;
	q->nlisted = n;
}

const struct rabbitmq_queue *rabbitmq_queues_find(const struct rabbitmq_queues *q,
						  const char *vhost, const char *name)
{
	for (size_t i = 0; i < q->n; i++)
		if (strcmp(q->v[i].vhost, vhost) == 0 && strcmp(q->v[i].name, name) == 0)
			return &q->v[i];
	return NULL;
}

void rabbitmq_queues_free(struct rabbitmq_queues *q)
{
	queues_truncate(q, 0);
	for (size_t i = 0; i < q->nmissing; i++) {
		free(q->missing[i].vhost);
		free(q->missing[i].name);
	}
	free(q->missing);
	free(q->listed_vhost);
	free(q->listed_match);
	free(q->v);
	memset(q, 0, sizeof(*q));
}

int rabbitmq_overview_parse(const char *json, size_t len, struct rabbitmq_overview *out, char *err,
			    size_t errlen)
{
	struct json_object *j = parse(json, len, err, errlen), *totals, *objects, *stats;
	const char *version = string(j, "rabbitmq_version");

	if (j == NULL)
		return -1;
	if (version == NULL) {
		snprintf(err, errlen, "an overview without rabbitmq_version");
		json_object_put(j);
		return -1;
	}
	snprintf(out->version, sizeof(out->version), "%s", version);
	totals = member(j, "queue_totals", json_type_object);
	objects = member(j, "object_totals", json_type_object);
	stats = member(j, "message_stats", json_type_object);
	out->messages = number(totals, "messages");
	out->ready = number(totals, "messages_ready");
	out->unacked = number(totals, "messages_unacknowledged");
	out->publish = rate(stats, "publish");
	out->deliver = rate(stats, "deliver_get");
	out->ack = rate(stats, "ack");
	out->connections = number(objects, "connections");
	out->channels = number(objects, "channels");
	out->queues = number(objects, "queues");
	out->consumers = number(objects, "consumers");
	json_object_put(j);
	return 0;
}

void rabbitmq_overview_metrics(const struct rabbitmq_overview *o, const char *target,
			       struct metric_set *set)
{
	broker_metric(set, "rabbitmq_messages", "", o->messages, target);
	broker_metric(set, "rabbitmq_messages_ready", "", o->ready, target);
	broker_metric(set, "rabbitmq_messages_unacked", "", o->unacked, target);
	broker_metric(set, "rabbitmq_publish_rate", "", o->publish, target);
	broker_metric(set, "rabbitmq_deliver_rate", "", o->deliver, target);
	broker_metric(set, "rabbitmq_ack_rate", "", o->ack, target);
	broker_metric(set, "rabbitmq_connections", "", o->connections, target);
	broker_metric(set, "rabbitmq_channels", "", o->channels, target);
	broker_metric(set, "rabbitmq_queues", "", o->queues, target);
	broker_metric(set, "rabbitmq_consumers", "", o->consumers, target);
	metric_label_add(broker_metric(set, "rabbitmq_build_info", "", 1, target), "version",
			 o->version);
}

/* Append the node object o to out; -1 when it is no node. */
static int node_add(struct json_object *o, struct rabbitmq_nodes *out)
{
	struct rabbitmq_node *n;

	if (string(o, "name") == NULL || member(o, "running", json_type_boolean) == NULL)
		return -1;
	out->v = xgrow(out->v, out->n, sizeof(*out->v));
	n = &out->v[out->n++];
	n->name = xstrdup(string(o, "name"));
	n->running = json_object_get_boolean(member(o, "running", json_type_boolean));
	n->mem_alarm = boolean(o, "mem_alarm");
	n->disk_free_alarm = boolean(o, "disk_free_alarm");
	n->mem_used = number(o, "mem_used");
	n->mem_limit = number(o, "mem_limit");
	n->disk_free = number(o, "disk_free");
	n->disk_free_limit = number(o, "disk_free_limit");
	n->fds_used = number(o, "fd_used");
	n->fds_total = number(o, "fd_total");
	n->sockets_used = number(o, "sockets_used");
	n->sockets_total = number(o, "sockets_total");
	n->procs_used = number(o, "proc_used");
	n->procs_total = number(o, "proc_total");
	return 0;
}

int rabbitmq_nodes_parse(const char *json, size_t len, struct rabbitmq_nodes *out, char *err,
			 size_t errlen)
{
	struct json_object *j = parse(json, len, err, errlen);
	size_t before = out->n;
	int r = 0;

	if (j == NULL)
		return -1;
	if (json_object_is_type(j, json_type_object))
		r = node_add(j, out);
	else if (json_object_is_type(j, json_type_array) && json_object_array_length(j) > 0)
		for (size_t i = 0; i < json_object_array_length(j) && r == 0; i++)
			r = node_add(json_object_array_get_idx(j, i), out);
	else
		r = -1;
	json_object_put(j);
	if (r != 0) {
		/* All or nothing, as for queues. */
		while (out->n > before)
			free(out->v[--out->n].name);
		snprintf(err, errlen,
			 "not a node or a list of nodes (each with a name and running)");
	}
	return r;
}

/* used in % of total, or NAN when either is unknown or the total is 0. */
static double pct(double used, double total)
{
	double p = total > 0 ? 100 * used / total : NAN;

	return isfinite(p) ? p : NAN;
}

void rabbitmq_nodes_metrics(const struct rabbitmq_nodes *ns, const char *target,
			    struct metric_set *set)
{
	for (size_t i = 0; i < ns->n; i++) {
		const struct rabbitmq_node *n = &ns->v[i];
		const struct {
			const char *name, *unit;
			double v;
		} f[] = {
		    {"rabbitmq_running", "", n->running ? 1 : 0},
		    {"rabbitmq_mem_alarm", "", n->mem_alarm},
		    {"rabbitmq_disk_free_alarm", "", n->disk_free_alarm},
		    {"rabbitmq_mem_used", "B", n->mem_used},
		    {"rabbitmq_mem_limit", "B", n->mem_limit},
		    {"rabbitmq_mem_pct", "%", pct(n->mem_used, n->mem_limit)},
		    {"rabbitmq_disk_free", "B", n->disk_free},
		    {"rabbitmq_fds_used", "", n->fds_used},
		    {"rabbitmq_fds_total", "", n->fds_total},
		    {"rabbitmq_fds_pct", "%", pct(n->fds_used, n->fds_total)},
		    {"rabbitmq_sockets_used", "", n->sockets_used},
		    {"rabbitmq_sockets_total", "", n->sockets_total},
		    {"rabbitmq_sockets_pct", "%", pct(n->sockets_used, n->sockets_total)},
		    {"rabbitmq_procs_used", "", n->procs_used},
		    {"rabbitmq_procs_total", "", n->procs_total},
		    {"rabbitmq_procs_pct", "%", pct(n->procs_used, n->procs_total)},
		};

		for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
			metric_label_add(broker_metric(set, f[k].name, f[k].unit, f[k].v, target),
					 "node", n->name);
	}
}

void rabbitmq_nodes_free(struct rabbitmq_nodes *n)
{
	for (size_t i = 0; i < n->n; i++)
		free(n->v[i].name);
	free(n->v);
	memset(n, 0, sizeof(*n));
}

void rabbitmq_health_metric(struct metric_set *set, const char *target, const char *path, int rc,
			    const char *reason)
{
	struct metric *m = broker_metric(set, "rabbitmq_health_ok", "",
					 rc == 0   ? 1
					 : rc == 1 ? 0
						   : NAN,
					 target);

	metric_label_add(m, "check", path);
	if (rc == 1)
		metric_label_add(m, "reason", reason);
}

void rabbitmq_health_error(struct metric_set *set, const char *target, int why, const char *err)
{
	metric_label_add(broker_metric(set, "rabbitmq_health_error", "", why, target), "reason",
			 err);
}

/* Append ": RESOURCE on NODE, ..." for the alarms a failed health check lists. */
static void alarms(struct json_object *j, char *out, size_t outlen)
{
	struct json_object *list = member(j, "alarms", json_type_array);
	size_t used = strlen(out);

	for (size_t i = 0; list != NULL && i < json_object_array_length(list) && used < outlen;
	     i++) {
		struct json_object *a = json_object_array_get_idx(list, i);
		const char *res = string(a, "resource"), *node = string(a, "node");

		if (res == NULL)
			continue;
		snprintf(out + used, outlen - used, "%s%s%s%s", i == 0 ? ": " : ", ", res,
			 node != NULL ? " on " : "", node != NULL ? node : "");
		used += strlen(out + used);
	}
}

int rabbitmq_health_parse(const char *json, size_t len, char *reason, size_t reasonlen, char *err,
			  size_t errlen)
{
	struct json_object *j = parse(json, len, err, errlen);
	const char *status = string(j, "status"), *why;

	reason[0] = '\0';
	if (j == NULL)
		return -1;
	if (status == NULL) {
		snprintf(err, errlen, "a health answer without a status");
		json_object_put(j);
		return -1;
	}
	if (strcmp(status, "ok") == 0) {
		json_object_put(j);
		return 0;
	}
	why = string(j, "reason");
	snprintf(reason, reasonlen, "%s", why != NULL ? why : status);
	alarms(j, reason, reasonlen);
	json_object_put(j);
	return 1;
}

void rabbitmq_error_reason(const char *json, size_t len, char *out, size_t outlen)
{
	char err[128];
	struct json_object *j = parse(json, len, err, sizeof(err));
	const char *why = string(j, "reason");

	if (why == NULL)
		why = string(j, "error");
	snprintf(out, outlen, "%s", why != NULL ? why : "");
	json_object_put(j);
}

bool rabbitmq_version_before(const char *version, long major)
{
	char *end;
	long v;

	if (version[0] < '0' || version[0] > '9')
		return false;
	v = strtol(version, &end, 10);
	return (*end == '.' || *end == '\0') && v < major;
}
