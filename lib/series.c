/*
 * Thresholds over every series of a metric (see series.h).
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "num.h"
#include "series.h"

void series_subject(const struct metric *m, const char *const *keys, char *out, size_t outlen)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; keys != NULL && keys[i] != NULL && n < outlen; i++) {
		const char *v = metric_label(m, keys[i]);
		int w;

		if (v == NULL)
			continue;
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

/*
 * Perfdata, threshold and words for one value of one subject; a counter is
 * perfdata of unit "c", as the plugin contract has it.
 */
static enum state check_one(struct result *r, const struct plugin_args *a, const char *name,
			    int main_index, const char *subject, double v, const char *unit,
			    bool counter, const char *what)
{
	char label[600], why[128], value[64];
	struct perf p;
	enum state s;

	snprintf(label, sizeof(label), "%s%s%s", name, subject[0] != '\0' ? "_" : "", subject);
	p = perf_make(label, v, counter && unit[0] == '\0' ? "c" : unit);
	p.min = 0;
	if (strcmp(unit, "%") == 0)
		p.max = 100;
	s = plugin_metric(r, a, name, main_index, &p, why, sizeof(why));
	if (s == STATE_OK)
		return s;
	series_value(v, unit, value, sizeof(value));
	result_add(r, s, "%s%s%s %s%s", subject, subject[0] != '\0' ? " " : "", what, value, why);
	return s;
}

enum state series_check(struct result *r, const struct plugin_args *a,
			const struct metric_set *set, const char *name, int main_index,
			const char *const *keys, const char *what)
{
	enum state worst = STATE_OK;

	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);
		char subject[512];

		if (strcmp(m->name, name) != 0)
			continue;
		series_subject(m, keys, subject, sizeof(subject));
		worst = state_worst(worst, check_one(r, a, name, main_index, subject, m->value,
						     m->unit, m->kind == METRIC_COUNTER, what));
	}
	return worst;
}

enum state series_rate(struct result *r, const struct plugin_args *a, struct statefile *sf,
		       const char *sf_err, const struct metric_set *set, const char *name,
		       const char *const *keys, const char *what)
{
	enum state worst = STATE_OK;
	char rate_name[128];

	snprintf(rate_name, sizeof(rate_name), "%s_rate", name);
	if (sf == NULL) {
		struct threshold t = thresholds_get(a->thresholds, rate_name, -1);

		/* A threshold that cannot be checked must not pass as OK. */
		if (t.has_warn || t.has_crit) {
			result_add(r, STATE_UNKNOWN, "no %s: %s", rate_name, sf_err);
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
		st = statefile_rate(sf, counter, m->value, &per_s);
		if (st != RATE_OK)
			result_long(r, "%s: %s", counter, statefile_rate_reason(st));
		worst = state_worst(worst, check_one(r, a, rate_name, -1, subject, per_s, "", false,
						     what));
	}
	return worst;
}
