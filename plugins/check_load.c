/*
 * check_load: the 1, 5 and 15 minute load average, optionally per CPU, or
 * the kernel's pressure stall information for one resource. The options and
 * the verdict are verdict_load's (lib/probe/load_verdict.c).
 */
#include "config.h"

#include "plugin.h"
#include "probe/load.h"
#include "probe/load_verdict.h"
#include "verdict.h"

int main(int argc, char **argv)
{
	struct load_opts o;
	struct plugin_args a;
	struct metric_set *set = metric_set_new();
	char err[512];

	verdict_start(&verdict_load, argc, argv, &o, &a);
	if ((o.pressure != NULL ? probe_pressure_collect(set, o.pressure, err, sizeof(err))
				: probe_load_collect(set, err, sizeof(err))) != 0)
		plugin_exit(STATE_UNKNOWN, "%s", err);
	plugin_finish(
	    verdict_judge(&verdict_load, &(struct verdict_in){.args = &a, .opts = &o, .set = set}));
}
