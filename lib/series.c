/*
 * Thresholds over every series of a metric (see series.h).
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "clock.h"
#include "num.h"
#include "series.h"
#include "xalloc.h"

void series_subject(const struct metric *m, const char *const *keys, char *out, size_t outlen)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; keys != NULL && keys[i] != NULL && n < outlen; i++) {
		size_t len = strcspn(keys[i], "=");
		const char *v;
		char key[128], endpoint[128];
		int w;

		snprintf(key, sizeof(key), "%.*s", (int)len, keys[i]);
		v = metric_label(m, key);
		/* "LABEL=VALUE": that value is the default, which says nothing. */
		if (v == NULL || (keys[i][len] == '=' && strcmp(v, keys[i] + len + 1) == 0))
			continue;
		/* A listener is one "ADDR:PORT", as everywhere else. */
		if (strcmp(key, "address") == 0 && keys[i + 1] != NULL &&
		    strcmp(keys[i + 1], "port") == 0 && metric_label(m, "port") != NULL) {
			metric_endpoint(v, metric_label(m, "port"), endpoint, sizeof(endpoint));
			v = endpoint;
			i++;
		}
		w = snprintf(out + n, outlen - n, "%s%s", n > 0 ? "/" : "", v);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

void series_value(double v, const char *unit, char *out, size_t outlen)
{
	if (strcmp(unit, "B") == 0)
		num_bytes(v, out, outlen);
	else if (strcmp(unit, "s") == 0 && v < 1)
		snprintf(out, outlen, "%.3f ms", v * 1000);
	else if (strcmp(unit, "s") == 0)
		snprintf(out, outlen, "%.10g s", v);
	else
		snprintf(out, outlen, "%.10g%s", v, unit);
}

/* What a caller asked of one metric: its name, threshold, subject and words. */
struct ask {
	const char *name; /* the metric, or NAME_rate */
	int main_index;
	const char *const *keys;
	const char *what;
	series_words_fn *words; /* NULL: "SUBJECT WHAT VALUE", or what as a format */
};

/* The words for series m of subject at value v that crossed a bound. */
static void say(const struct ask *q, const struct metric *m, const char *subject, double v,
		const char *unit, char *out, size_t outlen)
{
	const char *sep = subject[0] != '\0' ? " " : "";
	char value[128];

	if (q->words != NULL) {
		q->words(m, v, q->what, out, outlen);
		return;
	}
	if (strchr(q->what, '%') != NULL) {
		snprintf(value, sizeof(value), q->what, v);
		snprintf(out, outlen, "%s%s%s", subject, sep, value);
		return;
	}
	series_value(v, unit, value, sizeof(value));
	snprintf(out, outlen, "%s%s%s %s", subject, sep, q->what, value);
}

/*
 * Perfdata, threshold and words for value v of series m; a counter is
 * perfdata of unit "c", as the plugin contract has it.
 */
static enum state check_one(struct result *r, const struct plugin_args *a, const struct ask *q,
			    const struct metric *m, double v, const char *unit, bool counter)
{
	char subject[512], label[600], why[128], said[700];
	struct perf p;
	enum state s;

	series_subject(m, q->keys, subject, sizeof(subject));
	snprintf(label, sizeof(label), "%s%s%s", q->name, subject[0] != '\0' ? "_" : "", subject);
	p = perf_make(label, v, counter && unit[0] == '\0' ? "c" : unit);
	p.min = 0;
	if (strcmp(unit, "%") == 0)
		p.max = 100;
	s = plugin_metric(r, a, q->name, q->main_index, &p, why, sizeof(why));
	if (s == STATE_OK)
		return s;
	say(q, m, subject, v, unit, said, sizeof(said));
	result_add(r, s, "%s%s", said, why);
	return s;
}

/* Every metric of set that q names, checked as it is. */
static enum state check_all(struct result *r, const struct plugin_args *a,
			    const struct metric_set *set, const struct ask *q)
{
	enum state worst = STATE_OK;
	char first[600], subject[512];
	size_t none = 0;

	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);

		if (strcmp(m->name, q->name) != 0)
			continue;
		if (isfinite(m->value)) {
			worst = state_worst(worst, check_one(r, a, q, m, m->value, m->unit,
							     m->kind == METRIC_COUNTER));
			continue;
		}
		/* No value: no perfdata, no threshold crossed, one line for them all. */
		if (none++ == 0) {
			series_subject(m, q->keys, subject, sizeof(subject));
			snprintf(first, sizeof(first), "%s%s%s", q->name,
				 subject[0] != '\0' ? "_" : "", subject);
		}
	}
	if (none == 1)
		result_long(r, "%s: no value, the service did not report it", first);
	else if (none > 1)
		result_long(r, "%s and %zu more: no value, the service did not report it", first,
			    none - 1);
	return worst;
}

enum state series_check(struct result *r, const struct plugin_args *a, const struct metric_set *set,
			const char *name, int main_index, const char *const *keys, const char *what)
{
	const struct ask q = {name, main_index, keys, what, NULL};

	return check_all(r, a, set, &q);
}

enum state series_check_words(struct result *r, const struct plugin_args *a,
			      const struct metric_set *set, const char *name, int main_index,
			      const char *const *keys, const char *what, series_words_fn *words)
{
	const struct ask q = {name, main_index, keys, what, words};

	return check_all(r, a, set, &q);
}

enum rate_status series_rate_one(struct rates *rates, const struct metric *m, const char *counter,
				 double *per_s)
{
	const struct metric *before;

	if (!rates->agent)
		return statefile_rate(rates->sf, counter, m->value, per_s);
	before = rates->prev != NULL ? metric_set_find_like(rates->prev, m->name, m) : NULL;
	return statefile_rate_between(before != NULL ? before->value : NAN, m->value,
				      rates->elapsed, per_s);
}

enum state series_rate(struct result *r, const struct plugin_args *a, struct rates *rates,
		       const struct metric_set *set, const char *name, const char *const *keys,
		       const char *what)
{
	enum state worst = STATE_OK;
	char rate_name[128], first[RATE_STATUSES][700];
	size_t nwhy[RATE_STATUSES] = {0};
	const struct ask q = {rate_name, -1, keys, what, NULL};

	snprintf(rate_name, sizeof(rate_name), "%s_rate", name);
	if (rates->sf == NULL && !rates->agent) {
		struct threshold t = thresholds_get(a->thresholds, rate_name, -1);

		/* A threshold that cannot be checked must not pass as OK. */
		if (t.has_warn || t.has_crit) {
			result_add(r, STATE_UNKNOWN, "no %s: %s", rate_name, rates->err);
			return STATE_UNKNOWN;
		}
		return STATE_OK;
	}
	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);
		char subject[512], counter[700];
		enum rate_status st;
		double per_s;

		if (strcmp(m->name, name) != 0 || isnan(m->value))
			continue;
		series_subject(m, keys, subject, sizeof(subject));
		snprintf(counter, sizeof(counter), "%s%s%s", name, subject[0] != '\0' ? "/" : "",
			 subject);
		/* The state file holds one "COUNTER VALUE" per line. */
		for (char *c = counter; *c != '\0'; c++)
			if (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r')
				*c = '_';
		st = series_rate_one(rates, m, counter, &per_s);
		if (st == RATE_OK) {
			worst = state_worst(worst, check_one(r, a, &q, m, per_s, "", false));
			continue;
		}
		/*
		 * No value: no perfdata, no threshold crossed, and one line per
		 * reason rather than per series (a balancer has hundreds).
		 */
		if (nwhy[st]++ == 0)
			snprintf(first[st], sizeof(first[st]), "%s%s%s", rate_name,
				 subject[0] != '\0' ? "_" : "", subject);
	}
	for (int st = RATE_FIRST; st < RATE_STATUSES; st++) {
		if (nwhy[st] == 1)
			result_long(r, "%s: %s", first[st], statefile_rate_reason(st));
		else if (nwhy[st] > 1)
			result_long(r, "%s and %zu more: %s", first[st], nwhy[st] - 1,
				    statefile_rate_reason(st));
	}
	return worst;
}

/*
 * How long to wait for other runs of the check to be done with the state
 * file: STATEFILE_LOCK_WAIT, or half of what is left of -t when less.
 */
static double lock_wait(void)
{
	struct itimerval it;
	double left;

	if (getitimer(ITIMER_REAL, &it) == -1)
		return STATEFILE_LOCK_WAIT;
	left = (double)it.it_value.tv_sec + (double)it.it_value.tv_usec / 1e6;
	/* No -t running (a unit test): the default. */
	if (left <= 0)
		return STATEFILE_LOCK_WAIT;
	return left / 2 < STATEFILE_LOCK_WAIT ? left / 2 : STATEFILE_LOCK_WAIT;
}

void series_rates_open(struct result *r, const struct plugin_args *a, const char *target,
		       struct rates *rates)
{
	char *key = xasprintf("%s%s%s", a->state_key, target != NULL ? " target=" : "",
			      target != NULL ? target : "");

	memset(rates, 0, sizeof(*rates));
	/* The time is taken before the wait for the lock: the counters were read by then. */
	rates->sf = statefile_open(a->state_dir, a->program, key, time_now(), STATEFILE_MAX_AGE,
				   lock_wait(), rates->err, sizeof(rates->err));
	free(key);
	if (rates->sf == NULL)
		result_long(r, "no rates: %s", rates->err);
}

void series_rates_close(struct result *r, struct rates *rates)
{
	char err[512];

	if (rates->sf != NULL && statefile_save(rates->sf, err, sizeof(err)) != 0)
		result_long(r, "rates not saved: %s", err);
	statefile_free(rates->sf);
	rates->sf = NULL;
}

void series_queues(struct result *r, size_t n, const char *deepest, double depth, bool named)
{
	if (n == 0 || (n == 1 && named))
		return;
	if (named)
		result_add(r, STATE_OK, "%zu queues", n);
	else if (n == 1)
		result_add(r, STATE_OK, "queue %s has %g message%s", deepest, depth,
			   num_plural(depth));
	else
		result_add(r, STATE_OK, "%zu queues, deepest %s with %g message%s", n, deepest,
			   depth, num_plural(depth));
}
