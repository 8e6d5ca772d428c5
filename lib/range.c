/*
 * Range parsing and threshold sets (see range.h). The grammar and the table
 * of accepted and rejected forms are in PLUGIN-CONTRACT.md; the unit tests
 * walk every row of it.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "range.h"
#include "xalloc.h"

static int fail(char *err, size_t errlen, const char *s, const char *why)
{
	snprintf(err, errlen, "invalid range '%s': %s", s, why);
	return -1;
}

/*
 * Parse the number at s as perfdata writes one, -?DIGITS[.DIGITS]; *end is
 * set past it. The range is repeated in perfdata as given, so what strtod
 * also takes ("+5", "1.", ".5") is refused rather than passed on to a
 * parser that may not read it. 0 or -1.
 */
static int range_number(const char *s, double *out, const char **end)
{
	const char *p = s + (*s == '-');

	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -1;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (num_parse_prefix(s, out, end) != 0 || *end != p)
		return -1;
	return 0;
}

int range_parse(const char *s, struct range *r, char *err, size_t errlen)
{
	const char *p = s, *colon, *end;

	memset(r, 0, sizeof(*r));
	r->end_inf = true;
	if (strlen(s) >= sizeof(r->text))
		return fail(err, errlen, s, "too long");
	if (*p == '@') {
		r->inside = true;
		p++;
	}
	if (*p == '\0')
		return fail(err, errlen, s, "empty");
	colon = strchr(p, ':');
	if (colon != NULL) {
		if (p[0] == '~' && colon == p + 1) {
			r->start_inf = true;
		} else if (colon != p) {
			if (range_number(p, &r->start, &end) != 0 || end != colon)
				return fail(err, errlen, s,
					    "the start is not a decimal number like 10, -2 or 0.5");
		}
		p = colon + 1;
		if (*p == '\0' && colon == s + r->inside)
			return fail(err, errlen, s, "neither start nor end given");
	}
	if (*p != '\0') {
		if (*p == '~')
			return fail(err, errlen, s, "'~' is only allowed as the start");
		if (range_number(p, &r->end, &end) != 0 || *end != '\0')
			return fail(err, errlen, s,
				    "expected [@][start:][end] with decimal numbers like 10, -2 or "
				    "0.5, start may be '~'");
		r->end_inf = false;
	}
	if (!r->start_inf && !r->end_inf && r->start > r->end)
		return fail(err, errlen, s, "start is greater than end");
	memcpy(r->text, s, strlen(s) + 1);
	return 0;
}

bool range_alerts(const struct range *r, double v)
{
	bool in = (r->start_inf || v >= r->start) && (r->end_inf || v <= r->end);

	return r->inside ? in : !in;
}

void range_explain(const struct range *r, double v, char *out, size_t outlen)
{
	char a[NUM_BUFSZ], b[NUM_BUFSZ];

	num_format(r->start, a, sizeof(a));
	num_format(r->end, b, sizeof(b));
	if (r->inside)
		snprintf(out, outlen, "inside %s", r->text + 1);
	else if (!r->end_inf && v > r->end)
		snprintf(out, outlen, "> %s", b);
	else
		snprintf(out, outlen, "< %s", a);
}

enum state threshold_eval(const struct threshold *t, double v)
{
	if (t->has_crit && range_alerts(&t->crit, v))
		return STATE_CRITICAL;
	if (t->has_warn && range_alerts(&t->warn, v))
		return STATE_WARNING;
	return STATE_OK;
}

enum state threshold_judge(const struct threshold *t, double v, char *why, size_t whylen)
{
	enum state s = isnan(v) ? STATE_OK : threshold_eval(t, v);

	why[0] = '\0';
	if (s != STATE_OK) {
		char e[RANGE_TEXT_MAX + 16];

		range_explain(s == STATE_CRITICAL ? &t->crit : &t->warn, v, e, sizeof(e));
		snprintf(why, whylen, " (%s)", e);
	}
	return s;
}

/* One -w/-c argument after parsing: which metric, which level, which range. */
struct entry {
	char *metric;	/* NULL for a main metric */
	int main_index; /* -1: every main metric */
	bool critical;
	struct range range;
};

struct thresholds {
	struct entry *v;
	size_t n;
};

struct thresholds *thresholds_new(void)
{
	return xcalloc(1, sizeof(struct thresholds));
}

void thresholds_free(struct thresholds *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].metric);
	free(t->v);
	free(t);
}

static int add_entry(struct thresholds *t, const char *metric, int main_index, bool critical,
		     const char *text, char *err, size_t errlen)
{
	struct range r;
	struct entry *e;

	if (range_parse(text, &r, err, errlen) != 0)
		return -1;
	t->v = xgrow(t->v, t->n, sizeof(*t->v));
	e = &t->v[t->n++];
	e->metric = metric == NULL ? NULL : xstrdup(metric);
	e->main_index = main_index;
	e->critical = critical;
	e->range = r;
	return 0;
}

static int add_list(struct thresholds *t, bool critical, const char *arg, size_t nmain, char *err,
		    size_t errlen)
{
	char *copy = xstrdup(arg), *p = copy, *comma;
	size_t n = 1;
	int r = 0;

	for (const char *c = arg; *c != '\0'; c++)
		n += *c == ',';
	if (n != nmain) {
		snprintf(err, errlen,
			 "'%s' has %zu comma-separated ranges, expected %zu (or one for all)", arg,
			 n, nmain);
		free(copy);
		return -1;
	}
	for (size_t i = 0; i < n && r == 0; i++, p = comma + 1) {
		comma = strchr(p, ',');
		if (comma != NULL)
			*comma = '\0';
		r = add_entry(t, NULL, (int)i, critical, p, err, errlen);
		if (comma == NULL)
			break;
	}
	free(copy);
	return r;
}

int thresholds_add(struct thresholds *t, bool critical, const char *arg, size_t nmain, char *err,
		   size_t errlen)
{
	const char *eq = strchr(arg, '=');
	char *metric;
	int r;

	if (eq != NULL) {
		if (eq == arg) {
			snprintf(err, errlen, "'%s': the metric name before '=' is empty", arg);
			return -1;
		}
		metric = xstrndup(arg, (size_t)(eq - arg));
		r = add_entry(t, metric, -1, critical, eq + 1, err, errlen);
		free(metric);
		return r;
	}
	if (strchr(arg, ',') == NULL)
		return add_entry(t, NULL, -1, critical, arg, err, errlen);
	if (nmain <= 1) {
		snprintf(err, errlen, "invalid range '%s': one range expected, not a list", arg);
		return -1;
	}
	return add_list(t, critical, arg, nmain, err, errlen);
}

struct threshold thresholds_get(const struct thresholds *t, const char *name, int main_index)
{
	struct threshold out = {0};
	bool named_w = false, named_c = false;

	/* Later arguments win, and a METRIC= entry wins over a main one. */
	for (size_t i = 0; i < t->n; i++) {
		const struct entry *e = &t->v[i];
		bool named = e->metric != NULL;
		bool *has = e->critical ? &out.has_crit : &out.has_warn;
		bool *was_named = e->critical ? &named_c : &named_w;

		if (named && strcmp(e->metric, name) != 0)
			continue;
		if (!named &&
		    (main_index < 0 || (e->main_index != -1 && e->main_index != main_index)))
			continue;
		if (!named && *was_named)
			continue;
		*(e->critical ? &out.crit : &out.warn) = e->range;
		*has = true;
		*was_named = named;
	}
	return out;
}

const char *thresholds_unknown_metric(const struct thresholds *t, const char *const *known)
{
	for (size_t i = 0; i < t->n; i++) {
		size_t k;

		if (t->v[i].metric == NULL)
			continue;
		for (k = 0; known[k] != NULL; k++)
			if (strcmp(known[k], t->v[i].metric) == 0)
				break;
		if (known[k] == NULL)
			return t->v[i].metric;
	}
	return NULL;
}
