/*
 * The part both lock plugins share after connecting (see locks_check.h).
 */
#include "config.h"

#include "fail.h"
#include "locks_check.h"
#include "series.h"

void locks_check_fail(int why, const char *err)
{
	/* The probes' time-outs are FAIL_DOWN: -t is the alarm's. */
	plugin_exit(fail_state(why, STATE_CRITICAL), "%s", err);
}

void locks_check_finish(const struct verdict *v, const struct plugin_args *a, const void *opts,
			struct lock_report *rep, int why, const char *err, const char *target)
{
	struct metric_set *set;
	struct result *r;
	struct rates rates;

	if (why != 0) {
		locks_free(rep);
		locks_check_fail(why, err);
	}
	set = metric_set_new();
	locks_metrics(rep, set);
	locks_free(rep);
	/* verdict_judge()'s result, made here so the rates' lines come first as they did. */
	r = result_new(v->plugin->service);
	series_rates_open(r, a, target, &rates);
	v->judge(r, &(struct verdict_in){
			.args = a, .opts = opts, .set = set, .source = target, .rates = &rates});
	series_rates_close(r, &rates);
	metric_set_free(set);
	plugin_finish(r);
}
