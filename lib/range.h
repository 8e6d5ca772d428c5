/*
 * Ranges and thresholds with the classic Monitoring Plugins semantics:
 * [@][start:][end], inclusive endpoints, start defaults to 0, a missing end is
 * +infinity, "~" as start is -infinity; without '@' a value alerts outside
 * the range, with '@' inside it.
 *
 * A threshold set holds what -w and -c said for one run: a bare RANGE (or a
 * comma list, for plugins with several main metrics such as check_load)
 * applies to the main metric, METRIC=RANGE to the metric with that perfdata
 * label.
 */
#ifndef VAKT_RANGE_H
#define VAKT_RANGE_H

#include <stdbool.h>
#include <stddef.h>

#include "state.h"

#define RANGE_TEXT_MAX 64

struct range {
	double start;
	double end;
	bool start_inf;		   /* "~": no lower bound */
	bool end_inf;		   /* nothing after ':': no upper bound */
	bool inside;		   /* '@': alert inside instead of outside */
	char text[RANGE_TEXT_MAX]; /* as given, repeated in perfdata */
};

/* Parse s into r; 0, or -1 with the reason in err. */
int range_parse(const char *s, struct range *r, char *err, size_t errlen);
/* True when v should raise an alert under r. */
bool range_alerts(const struct range *r, double v);

/* Describe why v alerts under r, e.g. "> 10", "< 2", "inside 10:20"; for messages. */
void range_explain(const struct range *r, double v, char *out, size_t outlen);

/* What applies to one metric: either part may be absent. */
struct threshold {
	struct range warn;
	struct range crit;
	bool has_warn;
	bool has_crit;
};

/* OK, WARNING or CRITICAL for v; critical is evaluated first. */
enum state threshold_eval(const struct threshold *t, double v);
/*
 * The one rule for both front ends: threshold_eval() of v, with the bound
 * it crossed in why (" (> 95)"), "" when none. A value that is not there
 * (NaN: a rate's first run, a limit that is unlimited) crosses no bound and
 * is OK, so that only a value can page; the caller says it has none.
 */
enum state threshold_judge(const struct threshold *t, double v, char *why, size_t whylen);

struct thresholds;

struct thresholds *thresholds_new(void);
void thresholds_free(struct thresholds *t);
/*
 * Add one -w (critical false) or -c (critical true) argument. nmain is how
 * many main metrics the plugin has: with nmain > 1 a comma list "A,B,C" gives
 * one range to each in order, and a single range applies to all of them; with
 * nmain == 1 a comma is an error. "METRIC=RANGE" applies to that metric only
 * and overrides the main ranges. Returns 0, or -1 with the reason in err.
 */
int thresholds_add(struct thresholds *t, bool critical, const char *arg, size_t nmain, char *err,
		   size_t errlen);
/*
 * The threshold for the metric labelled name, which is main metric number
 * main_index (or -1 when it is not a main metric). A METRIC=RANGE for name
 * wins over the main ranges, each of warning and critical on its own.
 */
struct threshold thresholds_get(const struct thresholds *t, const char *name, int main_index);
/*
 * The first METRIC named in a METRIC=RANGE that is not in known (a
 * NULL-terminated list), or NULL when every name is known.
 */
const char *thresholds_unknown_metric(const struct thresholds *t, const char *const *known);

#endif
