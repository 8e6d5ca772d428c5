/*
 * check_supervisor: the processes supervisord runs, over its XML-RPC
 * interface (unix socket or inet_http_server). The options and the verdict
 * are verdict_supervisor's (lib/probe/supervisor_verdict.c); the start
 * times seen, for the restarts within the flap window, are kept in the
 * state file between runs.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fail.h"
#include "plugin.h"
#include "probe/supervisor.h"
#include "probe/supervisor_verdict.h"
#include "series.h"
#include "statefile.h"
#include "verdict.h"
#include "xalloc.h"

/* Exit CRITICAL for an unreachable supervisord, UNKNOWN for one that is not. */
static void fail(int why, const char *err) __attribute__((noreturn));
static void fail(int why, const char *err)
{
	plugin_exit(fail_state(why, STATE_CRITICAL), "%s", err);
}

/*
 * The restarts of every process of set within the window, from the start
 * times kept in sf ("start:GROUP:NAME" with its count, then ":K" for each),
 * which get this run's.
 */
static void restarts(struct metric_set *set, struct statefile *sf, const struct supervisor_opts *o)
{
	double window = 60.0 * (double)o->flap_window, now = time_now();
	size_t n = metric_set_count(set);

	for (size_t i = 0; i < n; i++) {
		const struct metric *m = metric_set_at(set, i);
		struct supervisor_starts s = {.n = 0};
		char *key, *k;
		double count;

		if (strcmp(m->name, "supervisor_process_start_time_seconds") != 0)
			continue;
		key = xasprintf("start:%s:%s", metric_label(m, "group"), metric_label(m, "name"));
		count = statefile_last(sf, key, NULL);
		for (size_t j = 0; !isnan(count) && j < (size_t)count && j < SUPERVISOR_STARTS_MAX;
		     j++) {
			k = xasprintf("%s:%zu", key, j);
			s.t[s.n] = statefile_last(sf, k, NULL);
			s.n += !isnan(s.t[s.n]);
			free(k);
		}
		supervisor_starts_see(&s, isnan(m->value) ? 0 : m->value, now, window,
				      (size_t)o->flap + 1);
		statefile_keep(sf, key, (double)s.n);
		for (size_t j = 0; j < s.n; j++) {
			k = xasprintf("%s:%zu", key, j);
			statefile_keep(sf, k, s.t[j]);
			free(k);
		}
		free(key);
		supervisor_restarts(set, m, s.n, window);
	}
}

int main(int argc, char **argv)
{
	struct supervisor_opts o;
	struct plugin_args a;
	struct supervisor_target t = {0};
	struct metric_set *set;
	struct rates rates;
	struct result *r;
	char who[600], err[1024];
	int why;

	verdict_start(&verdict_supervisor, argc, argv, &o, &a);
	if (o.url == NULL && a.user != NULL)
		plugin_usage_error("--user goes with --url: the unix socket has no login");
	t.socket = o.url == NULL ? (o.socket != NULL ? o.socket : SUPERVISOR_SOCKET) : NULL;
	t.url = o.url;
	t.user = a.user;
	t.password = a.password;
	t.family = a.family;
	t.timeout = a.timeout;
	probe_supervisor_describe(&t, who, sizeof(who));
	set = metric_set_new();
	why = probe_supervisor(&t, set, err, sizeof(err));
	if (why != 0)
		fail(why, err);
	series_rates_open(NULL, &a, who, &rates);
	if (rates.sf != NULL)
		restarts(set, rates.sf, &o);
	r = verdict_judge(&verdict_supervisor,
			  &(struct verdict_in){
			      .args = &a, .opts = &o, .set = set, .source = who, .rates = &rates});
	series_rates_close(r, &rates);
	metric_set_free(set);
	verdict_free_opts(&verdict_supervisor, &o, &a);
	plugin_finish(r);
}
