/*
 * check_load's verdict: the 1, 5 and 15 minute load average, optionally per
 * CPU, or the kernel's pressure stall information for one resource.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plugin.h"
#include "probe/load.h"
#include "probe/load_verdict.h"
#include "verdict.h"

enum { OPT_PRESSURE = 256 };

static const struct plugin_option options[] = {
    {"per-cpu", 'r', NULL, "Divide the load averages by the number of online CPUs."},
    {"pressure", OPT_PRESSURE, "RESOURCE",
     "Check pressure stall information of RESOURCE (cpu, io or memory)\n"
     "instead of the load average: the share of time tasks were stalled,\n"
     "in %, over 10 s, 60 s and 300 s. Needs Linux 4.20+ with PSI."},
    {NULL, 0, NULL, NULL},
};

static const char *const metrics[] = {
    "load1",
    "load5",
    "load15",
    "procs_running",
    "procs",
    "pressure_some_avg10",
    "pressure_some_avg60",
    "pressure_some_avg300",
    "pressure_full_avg10",
    "pressure_full_avg60",
    "pressure_full_avg300",
    NULL,
};
static const char *const load_metrics[] = {"load1",	    "load5", "load15",
					   "procs_running", "procs", NULL};
/* The pressure metrics: the tail of metrics[]. */
static const char *const *const pressure_metrics = metrics + 5;

static int on_option(void *ctx, int val, const char *arg, char *err, size_t errlen)
{
	struct load_opts *o = ctx;

	if (val == 'r') {
		o->per_cpu = true;
		return 0;
	}
	if (strcmp(arg, "cpu") != 0 && strcmp(arg, "io") != 0 && strcmp(arg, "memory") != 0) {
		snprintf(err, errlen, "invalid --pressure '%s': expected cpu, io or memory", arg);
		return -1;
	}
	o->pressure = arg;
	return 0;
}

static const struct plugin plugin = {
    .name = "check_load",
    .service = "LOAD",
    .purpose = "Checks the 1, 5 and 15 minute load average of this host (optionally per\n"
	       "CPU), or with --pressure the Linux pressure stall information of CPU, I/O\n"
	       "or memory. In load average mode, running and total tasks are reported as\n"
	       "perfdata too.",
    .synopsis = "[-r] [--pressure cpu|io|memory] [-w RANGE[,RANGE,RANGE]] "
		"[-c RANGE[,RANGE,RANGE]] [-t SECONDS[:STATE]]",
    .options = options,
    .metrics = metrics,
    .nmain = 3,
    .thresholds_help = "Both -w and -c take one range for all three averages or three\n"
		       "  comma-separated ranges for the 1, 5 and 15 minute values (with "
		       "--pressure: the \"some\"\n"
		       "  avg10, avg60 and avg300 percentages).",
    .examples = "  check_load -w 5,4,3 -c 10,8,6\n"
		"      WARNING when load1 > 5 or load5 > 4 or load15 > 3, CRITICAL above 10/8/6.\n"
		"  check_load -r -w 1.5 -c 3\n"
		"      The same threshold on all three averages, divided by the CPU count.\n"
		"  check_load --pressure io -w 10,5,2 -c pressure_full_avg60=20\n"
		"      I/O pressure: WARNING when tasks stalled > 10% of the last 10 s, ...;\n"
		"      CRITICAL when all tasks stalled > 20% of the last minute.",
    .option = on_option,
};

/* Check one value against its thresholds; add an item when it crossed them. */
static void check_value(struct result *r, const struct plugin_args *a, const char *name, int main,
			double v, const char *uom, double max, const char *fmt)
{
	struct perf p = perf_make(name, v, uom);
	char why[128];
	enum state s;

	p.min = 0;
	p.max = max;
	s = plugin_metric(r, a, name, main, &p, why, sizeof(why));
	if (s != STATE_OK)
		result_add(r, s, fmt, name, v, why);
}

static void check_loadavg(struct result *r, const struct plugin_args *a, const struct load_opts *o,
			  const struct metric_set *set)
{
	static const char *const names[] = {"load1", "load5", "load15"};
	double load[3], cpus, div;

	if (metric_set_find(set, "load1", NULL, NULL) == NULL) {
		result_add(r, STATE_UNKNOWN, "no load average");
		return;
	}
	cpus = metric_set_value(set, "cpus_online", NULL, NULL);
	div = o->per_cpu ? cpus : 1;
	for (int i = 0; i < 3; i++) {
		load[i] = metric_set_value(set, names[i], NULL, NULL) / div;
		check_value(r, a, names[i], i, load[i], "", NAN, "%s %.2f%s");
	}
	if (o->per_cpu)
		result_add(r, STATE_OK, "load average per CPU (%.0f CPUs): %.2f, %.2f, %.2f", cpus,
			   load[0], load[1], load[2]);
	else
		result_add(r, STATE_OK, "load average: %.2f, %.2f, %.2f", load[0], load[1],
			   load[2]);
	if (a->verbose > 0)
		result_long(r, "from /proc/loadavg, %.0f CPUs online", cpus);
	check_value(r, a, "procs_running", -1, metric_set_value(set, "procs_running", NULL, NULL),
		    "", NAN, "%s %.0f%s");
	check_value(r, a, "procs", -1, metric_set_value(set, "procs", NULL, NULL), "", NAN,
		    "%s %.0f%s");
}

static void check_pressure(struct result *r, const struct plugin_args *a, const char *resource,
			   const struct metric_set *set)
{
	double v[2][3];

	if (metric_set_find(set, "pressure_some_avg10", "resource", resource) == NULL) {
		result_add(r, STATE_UNKNOWN, "no pressure stall information for %s", resource);
		return;
	}
	for (int k = 0; k < 2; k++) {
		for (int w = 0; w < 3; w++) {
			const char *name = pressure_avg_names[k][w];

			v[k][w] = metric_set_value(set, name, "resource", resource);
			if (!isnan(v[k][w]))
				check_value(r, a, name, k == 0 ? w : -1, v[k][w], "%", 100,
					    "%s %.2f%%%s");
		}
	}
	if (a->verbose > 0)
		result_long(r, "from /proc/pressure/%s, stalled since boot: some %.1f s", resource,
			    metric_set_value(set, "pressure_some_total", "resource", resource) /
				1e6);
	/* The "full" averages are in perfdata, and in the summary when they cross a threshold. */
	result_add(r, STATE_OK,
		   "%s pressure %.2f%%, %.2f%%, %.2f%% (some tasks stalled, 10 s, 60 s, 300 s)",
		   resource, v[0][0], v[0][1], v[0][2]);
}

/* A threshold on the other mode's metrics would silently never fire. */
static int opts_check(const void *opts, const struct plugin_args *a, char *err, size_t errlen)
{
	const struct load_opts *o = opts;
	const char *bad = thresholds_unknown_metric(
	    a->thresholds, o->pressure != NULL ? pressure_metrics : load_metrics);

	if (bad == NULL)
		return 0;
	snprintf(err, errlen, "a threshold on %s needs %s", bad,
		 o->pressure != NULL ? "load average mode (no --pressure)" : "--pressure");
	return -1;
}

static void judge(struct result *r, const struct verdict_in *in)
{
	const struct load_opts *o = in->opts;

	if (o->pressure != NULL)
		check_pressure(r, in->args, o->pressure, in->set);
	else
		check_loadavg(r, in->args, o, in->set);
}

static const char *const agent_options[] = {"per-cpu", "pressure", NULL};

const struct verdict verdict_load = {
    .name = "load",
    .kind = "load",
    .plugin = &plugin,
    .agent_options = agent_options,
    .opts_size = sizeof(struct load_opts),
    .opts_check = opts_check,
    .judge = judge,
};
