/*
 * check_listen: the kernel accept queue of TCP listeners against their
 * backlog, and the rate of connections dropped because a queue was full.
 * The options and the verdict are verdict_listen's
 * (lib/probe/listen_verdict.c).
 */
#include "config.h"

#include "plugin.h"
#include "probe/listen.h"
#include "probe/listen_verdict.h"
#include "probe/netstat.h"
#include "series.h"
#include "verdict.h"

int main(int argc, char **argv)
{
	struct listen_opts o;
	struct plugin_args a;
	struct metric_set *set = metric_set_new();
	struct result *r;
	struct rates rates;
	char err[512];

	verdict_start(&verdict_listen, argc, argv, &o, &a);
	if (probe_listen_collect(set, err, sizeof(err)) != 0)
		plugin_exit(STATE_UNKNOWN, "%s", err);
	r = result_new(verdict_listen.plugin->service);
	/* Without the counters the queues still count: their rates say why they are missing. */
	if (probe_netstat_collect(set, err, sizeof(err)) != 0)
		result_add(r, STATE_UNKNOWN, "%s", err);
	series_rates_open(r, &a, NULL, &rates);
	verdict_listen.judge(
	    r, &(struct verdict_in){.args = &a, .opts = &o, .set = set, .rates = &rates});
	series_rates_close(r, &rates);
	metric_set_free(set);
	plugin_finish(r);
}
