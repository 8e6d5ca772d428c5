/*
 * The check endpoint (see check.h). Every metric that matches the name and
 * the label filters is evaluated; the worst decides, as in a plugin. The
 * agent's metrics about its collectors (collector_up, ...) are checked like
 * any other. A collector that is failing answers for the metrics it would
 * give with its own failure, CRITICAL, once: its old values (or none) would
 * say nothing about the service. A metric of a collector that is stale
 * without an error (never run yet) is UNKNOWN, saying how old it is.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "num.h"
#include "range.h"
#include "xalloc.h"

#define SERVICE "VAKT"

static bool labels_match(const struct metric *m, const struct check_query *q)
{
	for (size_t i = 0; i < q->nlabels; i++) {
		const char *v = metric_label(m, q->label_name[i]);

		if (v == NULL || strcmp(v, q->label_value[i]) != 0)
			return false;
	}
	return true;
}

/* "name{k=v,k=v}" for messages, "name_v_v" for perfdata labels. */
static void describe(const struct metric *m, char *text, size_t textlen, char *label,
		     size_t labellen)
{
	struct buf t, l;

	buf_init(&t, textlen - 1);
	buf_init(&l, labellen - 1);
	buf_puts(&t, m->name);
	buf_puts(&l, m->name);
	for (size_t i = 0; i < m->nlabels; i++) {
		const struct metric_label *k = &m->labels[i], *next = k + 1;
		char endpoint[128];

		buf_printf(&t, "%s%s=%s", i == 0 ? "{" : ",", k->name, k->value);
		/* A listener is "ADDR:PORT" in every perfdata label, as in the plugins. */
		if (strcmp(k->name, "address") == 0 && i + 1 < m->nlabels &&
		    strcmp(next->name, "port") == 0) {
			metric_endpoint(k->value, next->value, endpoint, sizeof(endpoint));
			buf_printf(&l, "_%s", endpoint);
			buf_printf(&t, ",%s=%s", next->name, next->value);
			i++;
			continue;
		}
		buf_printf(&l, "_%s", k->value);
	}
	if (m->nlabels > 0)
		buf_puts(&t, "}");
	snprintf(text, textlen, "%s", buf_str(&t));
	snprintf(label, labellen, "%s", buf_str(&l));
	buf_free(&t);
	buf_free(&l);
}

static int parse_threshold(const struct check_query *q, struct threshold *t, struct result *r)
{
	char err[160];

	memset(t, 0, sizeof(*t));
	if (q->warning != NULL) {
		if (range_parse(q->warning, &t->warn, err, sizeof(err)) != 0) {
			result_add(r, STATE_UNKNOWN, "warning: %s", err);
			return -1;
		}
		t->has_warn = true;
	}
	if (q->critical != NULL) {
		if (range_parse(q->critical, &t->crit, err, sizeof(err)) != 0) {
			result_add(r, STATE_UNKNOWN, "critical: %s", err);
			return -1;
		}
		t->has_crit = true;
	}
	return 0;
}

/* The value in words: seconds as the checks write them ("84 s"), else number and unit. */
static void value_text(const struct metric *m, char *out, size_t outlen)
{
	char v[NUM_BUFSZ];

	if (strcmp(m->unit, "s") == 0 && isfinite(m->value)) {
		num_seconds(m->value, out, outlen);
		return;
	}
	num_format(m->value, v, sizeof(v));
	snprintf(out, outlen, "%s%s", v, m->unit);
}

/* "SUBJECT is stale: last collected 3 min ago", UNKNOWN: src is late, not broken. */
static void stale(struct result *r, const char *subject, const struct source *src, double now)
{
	char age[NUM_BUFSZ];

	num_duration(source_age(src, now), age, sizeof(age));
	result_add(r, STATE_UNKNOWN, "%s is stale: last collected %s ago", subject, age);
}

/* Evaluate m of src; fresh says it is one of the agent's own metrics about src. */
static void check_metric(struct result *r, const struct source *src, const struct metric *m,
			 const struct threshold *t, double now, bool fresh)
{
	char text[512], label[256], value[NUM_BUFSZ], why[RANGE_TEXT_MAX + 16] = "";
	struct perf p;
	enum state s;

	describe(m, text, sizeof(text), label, sizeof(label));
	/* Stale without an error (a failing source never gets here): it is late, not broken. */
	if (!fresh && source_is_stale(src, now)) {
		stale(r, text, src, now);
		return;
	}
	p = perf_make(label, m->value, m->unit);
	p.thr = t;
	result_perf(r, &p);
	s = threshold_judge(t, m->value, why, sizeof(why));
	if (isnan(m->value)) {
		result_add(r, s, "%s has no value", text);
		return;
	}
	value_text(m, value, sizeof(value));
	result_add(r, s, "%s is %s%s", text, value, why);
}

/*
 * "collector redis jobs (127.0.0.1:6379) is failing: ERROR, since 3 min":
 * where it collects from unless the error says so already.
 */
static void check_failing(struct result *r, const struct source *src, double now)
{
	char where[300] = "", since[48] = "", t[32];

	if (src->where != NULL && strstr(src->last_error, src->where) == NULL)
		snprintf(where, sizeof(where), " (%s)", src->where);
	if (src->failing_since > 0) {
		num_duration(now - src->failing_since, t, sizeof(t));
		snprintf(since, sizeof(since), ", since %s", t);
	}
	result_add(r, STATE_CRITICAL, "collector %s%s is failing: %s%s", src->name, where,
		   src->last_error, since);
}

/* Whether a failing collector answers a query: see failing_answers. */
enum failing_verdict {
	FAILING_NO,	/* not its metric, or the filters name another collector */
	FAILING_YES,	/* the filters name it, or its last metrics match them */
	FAILING_UNSURE, /* it may give the metric; unless another source has it */
};

/* True when the filter name=value names src, false when it names another; -1: neither. */
static int names_source(const struct source *src, const char *name, const char *value)
{
	const char *target = source_target(src);

	if (strcmp(name, "collector") == 0)
		return strcmp(value, src->name) == 0;
	/* The section's NAME: the target label, or the label its kind puts it in. */
	if (strcmp(name, "target") == 0 ||
	    (src->name_label != NULL && strcmp(name, src->name_label) == 0))
		return target != NULL && strcmp(value, target) == 0;
	return -1;
}

/* True when one of the agent's metrics about src matches q (its health is always known). */
static bool health_matches(const struct source *src, const struct check_query *q)
{
	struct metric_set *health = metric_set_new();
	bool match = false;

	source_health_metrics(src, 0, health);
	for (size_t k = 0; !match && k < metric_set_count(health); k++) {
		const struct metric *m = metric_set_at(health, k);

		match = strcmp(m->name, q->name) == 0 && labels_match(m, q);
	}
	metric_set_free(health);
	return match;
}

/*
 * Would a failing src have given a metric q asks for? Not when its kind
 * gives no such name or a filter names another collector; yes when a filter
 * names it or the metrics it last had match; otherwise unsure (it never
 * succeeded, so the other labels are unknown).
 */
static enum failing_verdict failing_answers(const struct source *src, const struct check_query *q)
{
	bool named = false, had = false;

	if (!source_may_give(src, q->name))
		return FAILING_NO;
	if (strncmp(q->name, "collector_", strlen("collector_")) == 0)
		return health_matches(src, q) ? FAILING_YES : FAILING_NO;
	for (size_t i = 0; i < q->nlabels; i++) {
		int n = names_source(src, q->label_name[i], q->label_value[i]);

		if (n == 0)
			return FAILING_NO;
		named = named || n == 1;
	}
	if (named)
		return FAILING_YES;
	for (size_t k = 0; src->metrics != NULL && k < metric_set_count(src->metrics); k++) {
		const struct metric *m = metric_set_at(src->metrics, k);

		if (strcmp(m->name, q->name) != 0)
			continue;
		if (labels_match(m, q))
			return FAILING_YES;
		had = true;
	}
	return had ? FAILING_NO : FAILING_UNSURE;
}

/* Evaluate the metrics of set called q->name that match q's labels; returns how many. */
static size_t check_set(struct result *r, const struct source *src, const struct metric_set *set,
			const struct check_query *q, const struct threshold *t, double now,
			bool fresh)
{
	size_t found = 0;

	for (size_t k = 0; set != NULL && k < metric_set_count(set); k++) {
		const struct metric *m = metric_set_at(set, k);

		if (strcmp(m->name, q->name) != 0 || !labels_match(m, q))
			continue;
		check_metric(r, src, m, t, now, fresh);
		found++;
	}
	return found;
}

int check_query_arg(struct check_query *q, const char *key, const char *value, char *err,
		    size_t errlen)
{
	if (strcmp(key, "warning") == 0) {
		q->warning = value;
	} else if (strcmp(key, "critical") == 0) {
		q->critical = value;
	} else if (strcmp(key, "format") == 0) {
		if (strcmp(value, "json") == 0)
			q->format = CHECK_FORMAT_JSON;
		else if (strcmp(value, "nagios") == 0 || strcmp(value, "text") == 0)
			q->format = CHECK_FORMAT_NAGIOS;
		else {
			snprintf(err, errlen, "format must be nagios or json");
			return -1;
		}
	} else if (key[0] == '\0') {
		snprintf(err, errlen, "a label filter needs a name");
		return -1;
	} else if (q->nlabels == CHECK_MAX_LABELS) {
		snprintf(err, errlen, "at most %d label filters", CHECK_MAX_LABELS);
		return -1;
	} else {
		q->label_name[q->nlabels] = key;
		q->label_value[q->nlabels++] = value;
	}
	return 0;
}

int check_answer(const struct snapshot *s, double now, const struct check_query *q,
		 struct result **out)
{
	struct result *r = result_new(SERVICE);
	struct threshold t;
	size_t found = 0;
	bool none;

	*out = r;
	if (parse_threshold(q, &t, r) != 0)
		return 400;
	for (size_t i = 0; i < s->n; i++) {
		const struct source *src = &s->sources[i];
		struct metric_set *health;

		if (source_is_failing(src, now)) {
			if (failing_answers(src, q) == FAILING_YES) {
				check_failing(r, src, now);
				found++;
			}
			continue;
		}
		found += check_set(r, src, src->metrics, q, &t, now, false);
		health = metric_set_new();
		source_health_metrics(src, now, health);
		found += check_set(r, src, health, q, &t, now, true);
		metric_set_free(health);
	}
	/* Nothing has it: the failing collectors that may give it are the likely reason. */
	none = found == 0;
	for (size_t i = 0; none && i < s->n; i++) {
		if (source_is_failing(&s->sources[i], now) &&
		    failing_answers(&s->sources[i], q) == FAILING_UNSURE) {
			check_failing(r, &s->sources[i], now);
			found++;
		}
	}
	if (found == 0) {
		result_add(r, STATE_UNKNOWN, "no metric %s%s", q->name,
			   q->nlabels > 0 ? " with those labels" : "");
		return 404;
	}
	return 200;
}

/* Whether src is a section of kind ("redis" for [redis jobs]). */
static bool of_kind(const struct source *src, const char *kind)
{
	size_t len = strlen(kind);

	return strncmp(src->name, kind, len) == 0 &&
	       (src->name[len] == '\0' || src->name[len] == ' ');
}

/*
 * The section v judges: [KIND instance], or the only one of its kind when
 * instance is NULL. NULL with the reason in r (and *status) when there is
 * none or the choice is not the caller's to guess.
 */
static const struct source *pick_source(const struct snapshot *s, const char *kind,
					const char *instance, struct result *r, int *status)
{
	const struct source *found = NULL;
	struct buf names;
	size_t n = 0;

	buf_init(&names, 512);
	for (size_t i = 0; i < s->n; i++) {
		const struct source *src = &s->sources[i];
		const char *target = source_target(src);

		if (!of_kind(src, kind))
			continue;
		n++;
		buf_printf(&names, "%s%s", names.len > 0 ? ", " : "", target != NULL ? target : "");
		if (instance == NULL || (target != NULL && strcmp(target, instance) == 0))
			found = src;
	}
	if (found != NULL && (instance != NULL || n == 1)) {
		buf_free(&names);
		return found;
	}
	*status = n > 1 ? 400 : 404;
	if (n > 1)
		result_add(r, STATE_UNKNOWN, "%zu [%s] sections (%s): give instance=NAME", n, kind,
			   buf_str(&names));
	else if (instance != NULL)
		result_add(r, STATE_UNKNOWN, "no [%s %s] section in the agent's configuration",
			   kind, instance);
	else
		result_add(r, STATE_UNKNOWN, "no [%s] section in the agent's configuration", kind);
	buf_free(&names);
	return NULL;
}

int check_verdict(const struct snapshot *s, double now, const struct verdict *v,
		  const char *instance, const struct plugin_pair *pairs, size_t n,
		  struct result **out)
{
	struct result *r = result_new(v->plugin->service);
	void *opts = xcalloc(1, v->opts_size);
	struct plugin_args a;
	const struct source *src;
	const char *kind = v->kind;
	int status = 200;
	char err[512];

	*out = r;
	if (verdict_parse(v, pairs, n, opts, &a, err, sizeof(err)) != 0) {
		result_add(r, STATE_UNKNOWN, "%s", err);
		status = 400;
		goto done;
	}
	if (v->section != NULL)
		v->section(opts, &kind, &instance);
	if ((src = pick_source(s, kind, instance, r, &status)) == NULL) {
		/* pick_source said why */
	} else if (source_is_failing(src, now)) {
		check_failing(r, src, now);
	} else if (source_is_stale(src, now) && src->collected_at == 0) {
		result_add(r, STATE_UNKNOWN, "collector %s has not collected yet", src->name);
	} else if (source_is_stale(src, now)) {
		snprintf(err, sizeof(err), "collector %s", src->name);
		stale(r, err, src, now);
	} else {
		struct rates rates = {.agent = true,
				      .prev = src->prev_metrics,
				      .elapsed = src->collected_at - src->prev_collected_at};
		const struct verdict_in in = {
		    &a, opts, src->metrics, src->where != NULL ? src->where : "this host", &rates};

		v->judge(r, &in);
	}
done:
	verdict_free_opts(v, opts, &a);
	free(opts);
	return status;
}
