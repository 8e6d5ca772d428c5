/*
 * check_fds's verdict: open file descriptors, system-wide against
 * fs.file-max, or per process against that process's own soft
 * RLIMIT_NOFILE.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "num.h"
#include "plugin.h"
#include "probe/fds_verdict.h"
#include "verdict.h"

enum { OPT_PID = 256, OPT_PIDFILE, OPT_PROCESS, OPT_PERCENT };

static const struct plugin_option options[] = {
    {"pid", OPT_PID, "PID", "Check the process with this id."},
    {"pidfile", OPT_PIDFILE, "FILE", "Check the process whose id is in FILE."},
    {"process", OPT_PROCESS, "NAME",
     "Check every process whose command name is NAME; the worst decides."},
    {"percent", OPT_PERCENT, NULL,
     "Apply a bare -w/-c to the percentage of the limit (fds_pct)\n"
     "instead of the count (fds)."},
    {NULL, 0, NULL, NULL},
};

static const char *const metrics[] = {"fds", "fds_pct", "processes", NULL};

static int on_option(void *ctx, int val, const char *arg, char *err, size_t errlen)
{
	struct fds_opts *o = ctx;

	switch (val) {
	case OPT_PERCENT:
		o->percent = true;
		return 0;
	case OPT_PID:
		if (num_parse_long(arg, 1, INT_MAX, &o->pid) != 0) {
			snprintf(err, errlen, "invalid --pid '%s': expected a process id", arg);
			return -1;
		}
		break;
	case OPT_PIDFILE:
		o->pidfile = arg;
		break;
	case OPT_PROCESS:
		o->process = arg;
		break;
	}
	o->selectors++;
	return 0;
}

static const struct plugin plugin = {
    .name = "check_fds",
    .service = "FDS",
    .purpose = "Checks open file descriptors. Without a process option: file handles\n"
	       "allocated system-wide against fs.file-max. With --pid, --pidfile or\n"
	       "--process: the descriptors a process has open against its own soft\n"
	       "RLIMIT_NOFILE (the limit that makes it fail with EMFILE).",
    .synopsis = "[--pid PID | --pidfile FILE | --process NAME] [--percent] [-w RANGE] "
		"[-c RANGE] [-t SECONDS[:STATE]]",
    .options = options,
    .metrics = metrics,
    .nmain = 1,
    .thresholds_help = "A bare -w/-c applies to the open descriptor count (fds), or with\n"
		       "  --percent to the share of the limit in use (fds_pct).",
    .examples = "  check_fds --percent -w 80 -c 95\n"
		"      System-wide: WARNING above 80% of fs.file-max, CRITICAL above 95%.\n"
		"  check_fds --process nginx --percent -w 70 -c 90\n"
		"      Every nginx process against its own open files limit.\n"
		"  check_fds --pidfile /run/haproxy.pid -c 50000\n"
		"      CRITICAL when HAProxy has more than 50000 descriptors open.",
    .option = on_option,
};

/* Add perfdata for the count and its percentage of max, and items when they cross. */
static void report(struct result *r, const struct plugin_args *a, const struct fds_opts *o,
		   double open, double max, const char *who)
{
	struct perf p = perf_make("fds", open, "");
	double pct = max > 0 ? 100.0 * open / max : NAN;
	char why[128];
	enum state s;

	p.min = 0;
	p.max = max;
	s = plugin_metric(r, a, "fds", o->percent ? -1 : 0, &p, why, sizeof(why));
	if (s != STATE_OK)
		result_add(r, s, "%s has %.0f descriptors open%s", who, open, why);
	p = perf_make("fds_pct", pct, "%");
	p.min = 0;
	p.max = 100;
	p.none = "there is no limit";
	s = plugin_metric(r, a, "fds_pct", o->percent ? 0 : -1, &p, why, sizeof(why));
	if (s != STATE_OK)
		result_add(r, s, "%s uses %.1f%% of its limit%s", who, pct, why);
}

/* System-wide: file handles allocated against fs.file-max. */
static void check_system(struct result *r, const struct plugin_args *a, const struct fds_opts *o,
			 const struct metric_set *set)
{
	double open = metric_set_value(set, "fds_allocated", NULL, NULL);
	double max = metric_set_value(set, "fds_max", NULL, NULL);

	if (isnan(open)) {
		result_add(r, STATE_UNKNOWN, "no system-wide file handle counts");
		return;
	}
	result_add(r, STATE_OK, "%.0f of %.0f file handles allocated (%.2f%%)", open, max,
		   100.0 * open / max);
	report(r, a, o, open, max, "the system");
}

/* State of one process under the main threshold, for choosing the worst. */
static enum state process_state(const struct plugin_args *a, const struct fds_opts *o, double open,
				double limit)
{
	char why[128];
	enum state s = plugin_eval(a, "fds", o->percent ? -1 : 0, open, why, sizeof(why));
	double pct = limit > 0 ? 100.0 * open / limit : NAN;

	return state_worst(s,
			   plugin_eval(a, "fds_pct", o->percent ? 0 : -1, pct, why, sizeof(why)));
}

static void list_process(struct result *r, const char *name, const char *pid, double open,
			 double limit)
{
	if (isnan(limit))
		result_long(r, "%s[%s]: %.0f open, no limit", name, pid, open);
	else
		result_long(r, "%s[%s]: %.0f open, limit %.0f (%.1f%%)", name, pid, open, limit,
			    100.0 * open / limit);
}

/* Every process of the set (process_fds_open by pid); the worst decides. */
static void check_processes(struct result *r, const struct plugin_args *a, const struct fds_opts *o,
			    const struct metric_set *set)
{
	double worst_open = NAN, worst_limit = NAN;
	enum state worst_state = STATE_OK;
	char err[512], who[96] = "";
	size_t n = 0;

	for (size_t i = 0; i < metric_set_count(set); i++)
		n += strcmp(metric_set_at(set, i)->name, "process_fds_open") == 0;
	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);
		const char *pid = metric_label(m, "pid"), *name = metric_label(m, "process");
		double open = m->value, limit;
		enum state s;

		if (strcmp(m->name, "process_fds_open") != 0 || pid == NULL || name == NULL)
			continue;
		limit = metric_set_value(set, "process_fds_limit", "pid", pid);
		s = process_state(a, o, open, limit);
		/* One line per process, when there is more than one to tell apart. */
		if (n > 1 || a->verbose > 0)
			list_process(r, name, pid, open, limit);
		if (isnan(worst_open) || state_severity(s) > state_severity(worst_state) ||
		    (s == worst_state && open > worst_open)) {
			snprintf(who, sizeof(who), "%s[%s]", name, pid);
			worst_open = open;
			worst_limit = limit;
			worst_state = s;
		}
	}
	if (!isnan(worst_open)) {
		if (isnan(worst_limit))
			result_add(r, STATE_OK, "%s has %.0f descriptors open (no limit)", who,
				   worst_open);
		else
			result_add(r, STATE_OK, "%s has %.0f of %.0f descriptors open (%.1f%%)",
				   who, worst_open, worst_limit, 100.0 * worst_open / worst_limit);
		report(r, a, o, worst_open, worst_limit, who);
	} else if (o->process != NULL) {
		result_add(r, STATE_CRITICAL, "no process named %s", o->process);
	}
	if (o->process != NULL) {
		struct perf p = perf_make("processes", (double)n, "");

		p.min = 0;
		enum state s = plugin_metric(r, a, "processes", -1, &p, err, sizeof(err));

		if (s != STATE_OK)
			result_add(r, s, "%zu %s processes%s", n, o->process, err);
	}
}

static int opts_check(const void *opts, const struct plugin_args *a, char *err, size_t errlen)
{
	const struct fds_opts *o = opts;

	(void)a;
	if (o->selectors <= 1)
		return 0;
	snprintf(err, errlen, "give only one of --pid, --pidfile and --process");
	return -1;
}

static void judge(struct result *r, const struct verdict_in *in)
{
	const struct fds_opts *o = in->opts;

	if (o->selectors == 0)
		check_system(r, in->args, o, in->set);
	else
		check_processes(r, in->args, o, in->set);
}

/* The agent's [process NAME] for --process NAME; [fds] for the system. */
static void section(const void *opts, const char **kind, const char **instance)
{
	const struct fds_opts *o = opts;

	if (o->process != NULL) {
		*kind = "process";
		*instance = o->process;
	}
}

static const char *const agent_options[] = {"process", "percent", NULL};

const struct verdict verdict_fds = {
    .name = "fds",
    .kind = "fds",
    .plugin = &plugin,
    .agent_options = agent_options,
    .opts_size = sizeof(struct fds_opts),
    .opts_check = opts_check,
    .section = section,
    .judge = judge,
};
