/*
 * The check endpoint (see check.h). Every metric that matches the name and
 * the label filters is evaluated; the worst decides, as in a plugin. A
 * metric of a stale collector is UNKNOWN, saying how old it is and why.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "num.h"
#include "range.h"

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

static void check_metric(struct result *r, const struct source *src, const struct metric *m,
			 const struct threshold *t, double now)
{
	char text[512], label[256], value[NUM_BUFSZ], why[RANGE_TEXT_MAX + 16] = "";
	struct perf p;
	enum state s;

	describe(m, text, sizeof(text), label, sizeof(label));
	if (source_is_stale(src, now)) {
		if (src->collected_at == 0)
			result_add(r, STATE_UNKNOWN, "%s has not been collected yet", text);
		else
			result_add(r, STATE_UNKNOWN, "%s is stale: last collected %.0f s ago", text,
				   source_age(src, now));
		if (src->last_error != NULL)
			result_add(r, STATE_UNKNOWN, "collector %s: %s", src->name, src->last_error);
		return;
	}
	p = perf_make(label, m->value, m->unit);
	p.thr = t;
	result_perf(r, &p);
	s = isnan(m->value) ? STATE_UNKNOWN : threshold_eval(t, m->value);
	if (s == STATE_WARNING || s == STATE_CRITICAL) {
		char e[RANGE_TEXT_MAX + 8];

		range_explain(s == STATE_CRITICAL ? &t->crit : &t->warn, m->value, e, sizeof(e));
		snprintf(why, sizeof(why), " (%s)", e);
	}
	num_format(m->value, value, sizeof(value));
	result_add(r, s, "%s is %s%s%s", text, value, m->unit, why);
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

	*out = r;
	if (parse_threshold(q, &t, r) != 0)
		return 400;
	for (size_t i = 0; i < s->n; i++) {
		const struct source *src = &s->sources[i];

		for (size_t k = 0; src->metrics != NULL && k < metric_set_count(src->metrics); k++) {
			const struct metric *m = metric_set_at(src->metrics, k);

			if (strcmp(m->name, q->name) != 0 || !labels_match(m, q))
				continue;
			check_metric(r, src, m, &t, now);
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
