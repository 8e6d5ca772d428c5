/*
 * The report both lock plugins give (see locks_check.h). The summary is
 * written for the person woken at 3 AM: how many wait, for how long, and
 * the one session to look at, with what it is doing ("idle 70 s in an open
 * transaction" means someone forgot a COMMIT).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fail.h"
#include "locks_check.h"
#include "num.h"
#include "series.h"
#include "xalloc.h"

const char *const locks_check_mysql_metrics[] = {"lock_wait_longest",	  "lock_waiters",
						 "lock_blockers",	  "lock_blocked_most",
						 "lock_blocker_idle",	  "lock_deadlocks_rate",
						 "lock_row_waits_rate",	  "lock_row_wait_time_rate",
						 "lock_table_waits_rate", NULL};

const char *const locks_check_pgsql_metrics[] = {"lock_wait_longest",
						 "lock_waiters",
						 "lock_blockers",
						 "lock_blocked_most",
						 "lock_blocker_idle",
						 "lock_deadlocks_rate",
						 NULL};

const char locks_check_thresholds_help[] =
    "A bare -w/-c applies to the longest current lock wait in seconds\n"
    "  (lock_wait_longest). Rates are per second since the last run.";

/* Words for a series in seconds that crossed a bound: "WHAT 3.4 s". */
static void seconds_words(const struct metric *m, double v, const char *what, char *out,
			  size_t outlen)
{
	char t[32];

	(void)m;
	num_seconds(v, t, sizeof(t));
	snprintf(out, outlen, "%s %s", what, t);
}

/*
 * What session s is doing, after who it is: "idle 70 s in an open
 * transaction", "transaction open 80 s", or nothing known.
 */
static void doing(const struct lock_session *s, char *out, size_t outlen)
{
	char t[32];

	if (!isnan(s->idle)) {
		num_seconds(s->idle, t, sizeof(t));
		snprintf(out, outlen, ", idle %s in an open transaction", t);
	} else if (!isnan(s->trx_age)) {
		num_seconds(s->trx_age, t, sizeof(t));
		snprintf(out, outlen, ", transaction open %s", t);
	} else {
		out[0] = '\0';
	}
}

/* The main item: waiters, the longest wait and the blocker to act on. */
static void summary(struct result *r, const struct plugin_args *a, const struct lock_report *rep,
		    const struct locks_check_how *how)
{
	const struct lock_session *w = locks_worst_blocker(rep);
	size_t n = locks_waiters(rep);
	double longest = locks_longest(rep);
	struct perf p = perf_make("lock_wait_longest", longest, "s");
	char why[128], t[32], who[300], what[128];
	enum state s;

	p.min = 0;
	s = plugin_metric(r, a, "lock_wait_longest", 0, &p, why, sizeof(why));
	if (n == 0) {
		result_add(r, s, "no lock waits%s", why);
		return;
	}
	num_seconds(longest, t, sizeof(t));
	if (w == NULL) {
		result_add(r, s, "%zu session%s waiting, longest %s%s", n, num_plural(n), t, why);
		return;
	}
	locks_who(w, who, sizeof(who));
	doing(w, what, sizeof(what));
	result_add(r, s, "%zu session%s waiting, longest %s%s, blocked by %s %ld (%s%s)", n,
		   num_plural(n), t, why, how->session, w->id, who, what);
}

/* Compare sessions for long output: blockers holding up most first, then longest waits. */
static int by_importance(const void *pa, const void *pb)
{
	const struct lock_session *a = *(const struct lock_session *const *)pa;
	const struct lock_session *b = *(const struct lock_session *const *)pb;
	double wa = isnan(a->wait) ? -1 : a->wait, wb = isnan(b->wait) ? -1 : b->wait;

	if (a->blocks_total != b->blocks_total)
		return a->blocks_total > b->blocks_total ? -1 : 1;
	if (wa != wb)
		return wa > wb ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

/* One long-output line for session s. */
static void describe(struct result *r, const struct lock_report *rep, const struct lock_session *s,
		     const struct locks_check_how *how)
{
	char who[300], what[128], t[32], role[200] = "";
	long by = locks_blocker_of(rep, s->id);

	locks_who(s, who, sizeof(who));
	doing(s, what, sizeof(what));
	if (s->blocks_total > 0)
		snprintf(role, sizeof(role), " holds up %zu session%s (%zu directly)",
			 s->blocks_total, num_plural(s->blocks_total), s->blocks_direct);
	if (!isnan(s->wait)) {
		char blocker[64] = "";

		num_seconds(s->wait, t, sizeof(t));
		if (by >= 0)
			snprintf(blocker, sizeof(blocker), ", blocked by %s %ld", how->session, by);
		result_long(r, "%s %ld (%s%s)%s%s waits %s for the %s%s: %s", how->session, s->id,
			    who, what, role, role[0] != '\0' ? " and" : "", t,
			    s->lock != NULL ? s->lock : "lock", blocker,
			    s->query != NULL ? s->query : "(no query)");
		return;
	}
	result_long(r, "%s %ld (%s%s)%s: %s", how->session, s->id, who, what, role,
		    s->query != NULL ? s->query : "(no current query)");
}

/*
 * What ends blocker s, after its line: for the head of a chain (a blocker
 * that waits for nobody), or for worst when every blocker waits (a
 * deadlock the server has not broken yet). A prepared transaction (pid 0)
 * has no session to end.
 */
static void remedy(struct result *r, const struct lock_session *s, const struct lock_session *worst,
		   const struct locks_check_how *how)
{
	if (s->blocks_total == 0 || s->id <= 0 || (!isnan(s->wait) && s != worst))
		return;
	result_long(r, "to end %s %ld and roll back its transaction: %s%ld%s", how->session, s->id,
		    how->end, s->id, how->end_close);
}

/* Every blocker and waiter, the ones to act on first. */
static void details(struct result *r, const struct lock_report *rep,
		    const struct locks_check_how *how)
{
	const struct lock_session **list = xcalloc(rep->nsessions + 1, sizeof(*list));
	const struct lock_session *worst = locks_worst_blocker(rep);
	size_t n = 0;

	for (size_t i = 0; i < rep->nsessions; i++)
		list[n++] = &rep->sessions[i];
	qsort(list, n, sizeof(*list), by_importance);
	for (size_t i = 0; i < n; i++) {
		describe(r, rep, list[i], how);
		remedy(r, list[i], worst, how);
	}
	if (rep->dropped > 0)
		result_long(r, "more than %d sessions wait or block: the rest are not counted",
			    LOCKS_SESSIONS_MAX);
	free(list);
}

/*
 * The rate of counter name, or UNKNOWN when a threshold asks for it and
 * the server keeps no such counter (PostgreSQL counts no lock waits).
 */
static void rate(struct result *r, const struct plugin_args *a, struct rates *rates,
		 const struct metric_set *set, const char *name, const char *what)
{
	char rate_name[64];
	struct threshold t;

	if (metric_set_find(set, name, NULL, NULL) != NULL) {
		series_rate(r, a, rates, set, name, NULL, what);
		return;
	}
	snprintf(rate_name, sizeof(rate_name), "%s_rate", name);
	t = thresholds_get(a->thresholds, rate_name, -1);
	if (t.has_warn || t.has_crit)
		result_add(r, STATE_UNKNOWN, "no %s: this server does not count it", rate_name);
}

/* Report rep into r under the thresholds of a. */
static void report(struct result *r, const struct plugin_args *a, const struct lock_report *rep,
		   const struct locks_check_how *how)
{
	struct metric_set *set = metric_set_new();
	struct rates rates;

	locks_metrics(rep, set);
	summary(r, a, rep, how);
	series_check(r, a, set, "lock_waiters", -1, NULL, "sessions waiting:");
	series_check(r, a, set, "lock_blockers", -1, NULL, "blocking sessions:");
	series_check(r, a, set, "lock_blocked_most", -1, NULL, "sessions held up by one blocker:");
	series_check_words(r, a, set, "lock_blocker_idle", -1, NULL,
			   "a blocker idle in its transaction for", seconds_words);
	series_check(r, a, set, "lock_deadlocks", -1, NULL, "deadlocks:");
	series_check(r, a, set, "lock_row_waits", -1, NULL, "row-lock waits:");
	series_check(r, a, set, "lock_row_wait_time", -1, NULL, "row-lock wait time:");
	series_check(r, a, set, "lock_table_waits", -1, NULL, "table-lock waits:");
	series_rates_open(r, a, how->target, &rates);
	rate(r, a, &rates, set, "lock_deadlocks", "%.2f deadlocks/s");
	rate(r, a, &rates, set, "lock_row_waits", "%.2f row-lock waits/s");
	rate(r, a, &rates, set, "lock_row_wait_time", "%.2f s of row-lock waits per second");
	rate(r, a, &rates, set, "lock_table_waits", "%.2f table-lock waits/s");
	series_rates_close(r, &rates);
	details(r, rep, how);
	metric_set_free(set);
}

void locks_check_fail(int why, const char *err)
{
	/* The probes' time-outs are FAIL_DOWN: -t is the alarm's. */
	plugin_exit(fail_state(why, STATE_CRITICAL), "%s", err);
}

void locks_check_finish(const struct plugin_args *a, struct lock_report *rep, int why,
			const char *err, const struct locks_check_how *how)
{
	struct result *r;

	if (why != 0) {
		locks_free(rep);
		locks_check_fail(why, err);
	}
	r = result_new(how->plugin->service);
	report(r, a, rep, how);
	locks_free(rep);
	plugin_finish(r);
}
