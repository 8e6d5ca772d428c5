/*
 * Fuzz target for lib/range.c. Every line of the input is parsed as a range
 * and then given to a threshold set as -w and -c arguments in turn, with one
 * or three main metrics (the first byte chooses). Checked: an accepted range
 * is what the contract allows and parses again to the same thing; a failure
 * always says why; thresholds_get hands back exactly the ranges that were
 * added, a METRIC=RANGE winning over the main ones.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "fuzz.h"
#include "num.h"
#include "range.h"

#define MAX_ARGS 16

static bool same_range(const struct range *a, const struct range *b)
{
	return a->start_inf == b->start_inf && a->end_inf == b->end_inf && a->inside == b->inside &&
	       strcmp(a->text, b->text) == 0 && (a->start_inf || a->start == b->start) &&
	       (a->end_inf || a->end == b->end);
}

static void check_range(const char *s)
{
	struct range r, again;
	char err[256], why[128];
	bool in;

	err[0] = '\0';
	if (range_parse(s, &r, err, sizeof(err)) != 0) {
		FUZZ_CHECK(err[0] != '\0');
		return;
	}
	FUZZ_CHECK(strlen(s) < RANGE_TEXT_MAX);
	FUZZ_CHECK(strcmp(r.text, s) == 0);
	/* Words, lists and blanks are rejected; only numbers, '@', '~', ':'. */
	FUZZ_CHECK(strspn(s, "@~:-.0123456789") == strlen(s));
	/* As perfdata writes numbers: a '.' between digits, no '+'. */
	for (const char *d = strchr(s, '.'); d != NULL; d = strchr(d + 1, '.'))
		FUZZ_CHECK(d > s && d[-1] >= '0' && d[-1] <= '9' && d[1] >= '0' && d[1] <= '9');
	FUZZ_CHECK(strcmp(s, ":") != 0 && strcmp(s, "@:") != 0);
	FUZZ_CHECK(r.start_inf || isfinite(r.start));
	FUZZ_CHECK(r.end_inf || isfinite(r.end));
	if (!r.start_inf && !r.end_inf)
		FUZZ_CHECK(r.start <= r.end);
	FUZZ_CHECK(r.inside == (s[0] == '@'));
	FUZZ_CHECK(range_parse(r.text, &again, err, sizeof(err)) == 0);
	FUZZ_CHECK(same_range(&r, &again));

	/* Inclusive endpoints: an endpoint is inside the range. */
	if (!r.start_inf) {
		in = !range_alerts(&r, r.start);
		FUZZ_CHECK(in != r.inside);
		range_explain(&r, r.start - 1, why, sizeof(why));
	}
	if (!r.end_inf) {
		in = !range_alerts(&r, r.end);
		FUZZ_CHECK(in != r.inside);
		range_explain(&r, r.end + 1, why, sizeof(why));
	}
	range_explain(&r, 0, why, 8);
	range_explain(&r, NAN, why, sizeof(why));
}

/* What a threshold part must be after an add of text. */
static void expect(const struct threshold *t, bool critical, const char *text)
{
	const struct range *r = critical ? &t->crit : &t->warn;

	FUZZ_CHECK(critical ? t->has_crit : t->has_warn);
	FUZZ_CHECK(strcmp(r->text, text) == 0);
}

/* Main metric i of a list arg "A,B,C" (i < 3) into out. */
static void list_part(const char *arg, int i, char *out, size_t outlen)
{
	const char *p = arg, *comma;
	size_t n;

	for (; i > 0; i--)
		p = strchr(p, ',') + 1;
	comma = strchr(p, ',');
	n = comma == NULL ? strlen(p) : (size_t)(comma - p);
	snprintf(out, outlen, "%.*s", (int)n, p);
}

/* Add arg and check what thresholds_get then answers. */
static void check_add(struct thresholds *t, const char *arg, bool critical, size_t nmain)
{
	static const char *const known[] = {"load1", "load5", "load15", NULL};
	char err[256], part[RANGE_TEXT_MAX + 1];
	const char *eq = strchr(arg, '=');
	struct threshold th;
	char *metric;

	err[0] = '\0';
	if (thresholds_add(t, critical, arg, nmain, err, sizeof(err)) != 0) {
		FUZZ_CHECK(err[0] != '\0');
		return;
	}
	if (eq != NULL) {
		FUZZ_CHECK(eq != arg);
		metric = strndup(arg, (size_t)(eq - arg));
		th = thresholds_get(t, metric, -1);
		expect(&th, critical, eq + 1);
		th = thresholds_get(t, metric, 1);
		expect(&th, critical, eq + 1);
		thresholds_unknown_metric(t, known);
		free(metric);
		return;
	}
	/* "" is never a METRIC name (thresholds_add rejects "=R"). */
	if (strchr(arg, ',') == NULL) {
		for (int i = 0; i < 3; i++) {
			th = thresholds_get(t, "", i);
			expect(&th, critical, arg);
		}
		th = thresholds_get(t, "", -1);
		FUZZ_CHECK(!th.has_warn && !th.has_crit);
		return;
	}
	/* A list is only for several main metrics, one range each. */
	FUZZ_CHECK(nmain == 3);
	FUZZ_CHECK(strchr(strchr(arg, ',') + 1, ',') != NULL);
	FUZZ_CHECK(strchr(strchr(strchr(arg, ',') + 1, ',') + 1, ',') == NULL);
	for (int i = 0; i < 3; i++) {
		list_part(arg, i, part, sizeof(part));
		th = thresholds_get(t, "", i);
		expect(&th, critical, part);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *line, *nl;
	struct thresholds *t;
	size_t nmain;
	int i = 0;

	if (size == 0)
		return 0;
	nmain = (data[0] & 1) ? 3 : 1;
	s = fuzz_strdup(data + 1, size - 1);
	t = thresholds_new();
	for (line = s; line != NULL && i < MAX_ARGS; line = nl, i++) {
		nl = strchr(line, '\n');
		if (nl != NULL)
			*nl++ = '\0';
		check_range(line);
		check_add(t, line, (data[0] >> (1 + i % 7)) & 1, nmain);
	}
	thresholds_free(t);
	free(s);
	return 0;
}
