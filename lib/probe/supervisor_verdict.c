/*
 * check_supervisor's verdict: supervisord itself not RUNNING, a process
 * FATAL, in BACKOFF or EXITED unexpectedly, a stopped process that should
 * run, a process restarting over and over, and groups with too few
 * processes running, from the metric set of the Supervisor probe.
 */
#include "config.h"

#include <fnmatch.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http1.h"
#include "num.h"
#include "plugin.h"
#include "probe/supervisor_verdict.h"
#include "series.h"
#include "verdict.h"
#include "xalloc.h"

enum {
	OPT_PROGRAM = 256,
	OPT_GROUP,
	OPT_EXPECT,
	OPT_MIN_RUNNING,
	OPT_FLAP,
	OPT_FLAP_WINDOW,
};

static const struct plugin_option options[] = {
    {"socket", 's', "PATH",
     "supervisord's unix socket (default /var/run/supervisor.sock), as its\n"
     "[unix_http_server] file= says."},
    {"url", 'u', "URL",
     "supervisord's [inet_http_server] instead, http://HOST:PORT/RPC2; with\n"
     "--user and --password-file when it has a username."},
    {"program", OPT_PROGRAM, "PATTERN",
     "Check only the processes matching PATTERN (repeatable), a shell pattern\n"
     "on GROUP:NAME or on NAME (\"celery-*\", \"web:web_0?\")."},
    {"group", OPT_GROUP, "NAME", "Check only the processes of group NAME (repeatable; a pattern)."},
    {"expect-running", OPT_EXPECT, "PATTERN",
     "A STOPPED process matching PATTERN (as --program) is CRITICAL\n"
     "(repeatable); others are only reported."},
    {"min-running", OPT_MIN_RUNNING, "N[%]",
     "Per group: CRITICAL when fewer than N processes (or N% of them) run,\n"
     "WARNING when fewer than all do. Short for -c\n"
     "supervisor_group_running=N: (or supervisor_group_running_pct=N:) and\n"
     "-w supervisor_group_running_pct=100:, which explicit ones replace."},
    {"flap", OPT_FLAP, "N",
     "WARNING when a process started more than N times within the flap\n"
     "window (default 3; the same as -w N)."},
    {"flap-window", OPT_FLAP_WINDOW, "MINUTES",
     "The flap window (default 10). The start times seen are kept in the\n"
     "state file, so restarts between two runs that both see the process\n"
     "running count once."},
    {NULL, 0, NULL, NULL},
};

static const char *const metrics[] = {"supervisor_process_restarts", "supervisor_group_running",
				      "supervisor_group_running_pct", "supervisor_group_processes",
				      NULL};

/* Add arg to the list *v of *n. */
static void push(const char ***v, size_t *n, const char *arg)
{
	*v = xgrow(*v, *n, sizeof(**v));
	(*v)[(*n)++] = arg;
}

/* Parse N[%] of --min-running; 0, or -1. */
static int parse_min(const char *arg, long *n, bool *pct)
{
	size_t len = strlen(arg);
	char *num;
	int rc;

	*pct = len > 0 && arg[len - 1] == '%';
	num = xstrndup(arg, *pct ? len - 1 : len);
	rc = num_parse_long(num, 0, *pct ? 100 : INT_MAX, n);
	free(num);
	return rc;
}

static int on_option(void *ctx, int val, const char *arg, char *err, size_t errlen)
{
	struct supervisor_opts *o = ctx;
	const char *want = "a number";
	bool pct;
	long n;

	switch (val) {
	case 's':
		o->socket = arg;
		return 0;
	case 'u':
		/* supervisord's inet_http_server speaks no TLS. */
		if (http1_url_check(arg, "-u", err, errlen) != 0)
			return -1;
		if (strncmp(arg, "http://", 7) != 0) {
			snprintf(err, errlen, "invalid -u: supervisord serves only http://");
			return -1;
		}
		o->url = arg;
		return 0;
	case OPT_PROGRAM:
		push(&o->programs, &o->nprograms, arg);
		return 0;
	case OPT_GROUP:
		push(&o->groups, &o->ngroups, arg);
		return 0;
	case OPT_EXPECT:
		push(&o->expect, &o->nexpect, arg);
		return 0;
	case OPT_MIN_RUNNING:
		if (parse_min(arg, &n, &pct) == 0) {
			o->min_running = arg;
			return 0;
		}
		want = "N or N% (0 to 100)";
		break;
	case OPT_FLAP:
		if (num_parse_long(arg, 0, SUPERVISOR_STARTS_MAX - 1, &o->flap) == 0)
			return 0;
		want = "a number from 0 to 63";
		break;
	case OPT_FLAP_WINDOW:
		if (num_parse_long(arg, 1, 24 * 60, &o->flap_window) == 0)
			return 0;
		want = "minutes, 1 to 1440";
		break;
	}
	snprintf(err, errlen, "invalid --%s '%s': expected %s",
		 val == OPT_MIN_RUNNING ? "min-running"
		 : val == OPT_FLAP	? "flap"
					: "flap-window",
		 arg, want);
	return -1;
}

static const struct plugin plugin = {
    .name = "check_supervisor",
    .service = "SUPERVISOR",
    .purpose = "Checks the processes Supervisor (supervisord) runs, over its XML-RPC\n"
	       "interface: a process FATAL, in BACKOFF or EXITED unexpectedly is CRITICAL,\n"
	       "named with how long and the last lines it logged; supervisord itself not\n"
	       "RUNNING is CRITICAL; a STOPPED process is reported, and CRITICAL only\n"
	       "when --expect-running names it; a process that keeps restarting\n"
	       "(--flap) is WARNING; --min-running counts the running processes of\n"
	       "each group. EXITED is unexpected when supervisord gave a spawn error or\n"
	       "the exit status is not 0: the API does not say the program's exitcodes.",
    .synopsis = "[-s SOCKET | -u URL [--user USER --password-file FILE]] "
		"[--program PATTERN]... [--group NAME]... [--min-running N[%]] "
		"[--expect-running PATTERN]... [--flap N] [--flap-window MINUTES] "
		"[-t SECONDS[:STATE]]",
    .common = PLUGIN_FAMILY | PLUGIN_STATE_DIR | PLUGIN_LOGIN,
    .options = options,
    .metrics = metrics,
    .nmain = 1,
    .thresholds_help = "A bare -w/-c applies to the restarts of each process within the flap\n"
		       "  window (supervisor_process_restarts); --min-running sets the group ones.",
    .password_env = "SUPERVISOR_PASSWORD",
    .examples = "  check_supervisor\n"
		"      Every process of the supervisord at /var/run/supervisor.sock.\n"
		"  check_supervisor --group celery-worker --min-running 2\n"
		"      The four Celery workers: WARNING when one is down, CRITICAL below 2.\n"
		"  check_supervisor -u http://127.0.0.1:9001/RPC2 --user nagios \\\n"
		"      --password-file /etc/nagios/supervisor.pw --expect-running 'web*'\n"
		"      Over HTTP with a login; a stopped web process is CRITICAL.",
    .option = on_option,
};

static void opts_init(void *opts)
{
	struct supervisor_opts *o = opts;

	o->flap = 3;
	o->flap_window = 10;
}

static void opts_free(void *opts)
{
	struct supervisor_opts *o = opts;

	free(o->programs);
	free(o->groups);
	free(o->expect);
}

/* Add METRIC=RANGE as a warning or critical unless metric has one given. */
static int default_threshold(const struct plugin_args *a, bool critical, const char *metric,
			     int main_index, const char *range, char *err, size_t errlen)
{
	struct threshold t = thresholds_get(a->thresholds, metric, main_index);
	char *arg;
	int rc;

	if (critical ? t.has_crit : t.has_warn)
		return 0;
	arg = xasprintf("%s=%s", metric, range);
	rc = thresholds_add(a->thresholds, critical, arg, 1, err, errlen);
	free(arg);
	return rc;
}

/* --flap and --min-running as the thresholds they stand for. */
static int opts_check(const void *opts, const struct plugin_args *a, char *err, size_t errlen)
{
	const struct supervisor_opts *o = opts;
	char range[32];
	bool pct;
	long n;

	if (o->socket != NULL && o->url != NULL) {
		snprintf(err, errlen, "--socket and --url exclude each other");
		return -1;
	}
	snprintf(range, sizeof(range), "%ld", o->flap);
	if (default_threshold(a, false, "supervisor_process_restarts", 0, range, err, errlen) != 0)
		return -1;
	if (o->min_running == NULL)
		return 0;
	parse_min(o->min_running, &n, &pct);
	snprintf(range, sizeof(range), "%ld:", n);
	if (default_threshold(a, true,
			      pct ? "supervisor_group_running_pct" : "supervisor_group_running", -1,
			      range, err, errlen) != 0)
		return -1;
	return default_threshold(a, false, "supervisor_group_running_pct", -1, "100:", err, errlen);
}

bool supervisor_bad(const char *state, double exit_status, const char *spawnerr)
{
	if (strcmp(state, "FATAL") == 0 || strcmp(state, "BACKOFF") == 0 ||
	    strcmp(state, "UNKNOWN") == 0)
		return true;
	return strcmp(state, "EXITED") == 0 && (exit_status != 0 || spawnerr[0] != '\0');
}

void supervisor_groups(struct metric_set *set)
{
	size_t n = metric_set_count(set);

	for (size_t i = 0; i < n; i++) {
		const struct metric *m = metric_set_at(set, i);
		const char *group = metric_label(m, "group");
		double procs = 0, running = 0;
		char *g;

		if (strcmp(m->name, "supervisor_process_running") != 0 ||
		    metric_set_find(set, "supervisor_group_processes", "group", group) != NULL)
			continue;
		for (size_t j = 0; j < n; j++) {
			const struct metric *p = metric_set_at(set, j);

			if (strcmp(p->name, "supervisor_process_running") == 0 &&
			    strcmp(metric_label(p, "group"), group) == 0) {
				procs++;
				running += p->value;
			}
		}
		g = xstrdup(group); /* the adds below may move m's labels' metric */
		metric_label_add(
		    metric_set_add(set, "supervisor_group_processes", METRIC_GAUGE, "", procs),
		    "group", g);
		metric_label_add(
		    metric_set_add(set, "supervisor_group_running", METRIC_GAUGE, "", running),
		    "group", g);
		metric_label_add(metric_set_add(set, "supervisor_group_running_pct", METRIC_GAUGE,
						"%", 100 * running / procs),
				 "group", g);
		free(g);
	}
}

size_t supervisor_starts_see(struct supervisor_starts *s, double start, double now, double window,
			     size_t keep)
{
	bool have = false;
	size_t j = 0;

	keep = keep < 1 ? 1 : keep > SUPERVISOR_STARTS_MAX ? SUPERVISOR_STARTS_MAX : keep;
	for (size_t i = 0; i < s->n; i++)
		have = have || s->t[i] == start;
	if (!have && start > 0) {
		if (s->n == SUPERVISOR_STARTS_MAX)
			memmove(s->t, s->t + 1, sizeof(s->t[0]) * --s->n);
		s->t[s->n++] = start;
	}
	for (size_t i = 0; i < s->n; i++)
		if (s->t[i] >= now - window)
			s->t[j++] = s->t[i];
	s->n = j;
	if (s->n > keep) {
		memmove(s->t, s->t + (s->n - keep), sizeof(s->t[0]) * keep);
		s->n = keep;
	}
	return s->n;
}

void supervisor_restarts(struct metric_set *set, const struct metric *m, size_t restarts,
			 double window)
{
	char *group = xstrdup(metric_label(m, "group")), *name = xstrdup(metric_label(m, "name"));
	struct metric *r;

	if (metric_set_find(set, "supervisor_flap_window_seconds", NULL, NULL) == NULL)
		metric_set_add(set, "supervisor_flap_window_seconds", METRIC_GAUGE, "s", window);
	r = metric_set_add(set, "supervisor_process_restarts", METRIC_GAUGE, "", (double)restarts);
	metric_label_add(r, "group", group);
	metric_label_add(r, "name", name);
	free(group);
	free(name);
}

/* "GROUP:NAME", or NAME alone for a program of one process named as its group. */
static void display(const struct metric *m, char *out, size_t outlen)
{
	const char *group = metric_label(m, "group"), *name = metric_label(m, "name");

	if (strcmp(group, name) == 0)
		snprintf(out, outlen, "%s", name);
	else
		snprintf(out, outlen, "%s:%s", group, name);
}

/* Whether pattern matches the process group:name as --program says. */
static bool matches(const char *pattern, const char *group, const char *name)
{
	char *full = xasprintf("%s:%s", group, name);
	bool yes = fnmatch(pattern, full, 0) == 0 || fnmatch(pattern, name, 0) == 0;

	free(full);
	return yes;
}

/* Whether the options pick the process group:name; the patterns it matches are marked in used. */
static bool picked(const struct supervisor_opts *o, const char *group, const char *name, bool *used)
{
	bool yes = o->nprograms == 0 && o->ngroups == 0;

	for (size_t i = 0; i < o->nprograms; i++)
		if (matches(o->programs[i], group, name))
			yes = used[i] = true;
	for (size_t i = 0; i < o->ngroups; i++)
		if (fnmatch(o->groups[i], group, 0) == 0)
			yes = used[o->nprograms + i] = true;
	return yes;
}

/* The processes the options pick, with what is about them, and their groups counted again. */
static struct metric_set *view_of(struct result *r, const struct supervisor_opts *o,
				  const struct metric_set *set)
{
	struct metric_set *view = metric_set_new();
	bool *used = xcalloc(o->nprograms + o->ngroups + 1, sizeof(*used));

	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);
		const char *group = metric_label(m, "group"), *name = metric_label(m, "name");

		if (group == NULL || (name != NULL && picked(o, group, name, used)))
			metric_set_copy(view, m);
	}
	for (size_t i = 0; i < o->nprograms; i++)
		if (!used[i])
			result_add(r, STATE_UNKNOWN, "no program matches '%s'", o->programs[i]);
	for (size_t i = 0; i < o->ngroups; i++)
		if (!used[o->nprograms + i])
			result_add(r, STATE_UNKNOWN, "no group matches '%s'", o->groups[i]);
	free(used);
	supervisor_groups(view);
	return view;
}

/* The metric called name about the process of m (same group and name), or NULL. */
static const struct metric *about(const struct metric_set *set, const char *name,
				  const struct metric *m)
{
	const char *group = metric_label(m, "group"), *proc = metric_label(m, "name");

	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *x = metric_set_at(set, i);
		const char *g = metric_label(x, "group"), *n = metric_label(x, "name");

		if (strcmp(x->name, name) == 0 && g != NULL && n != NULL && strcmp(g, group) == 0 &&
		    strcmp(n, proc) == 0)
			return x;
	}
	return NULL;
}

/* Whether --expect-running names the process of m. */
static bool expected(const struct supervisor_opts *o, const struct metric *m)
{
	for (size_t i = 0; i < o->nexpect; i++)
		if (matches(o->expect[i], metric_label(m, "group"), metric_label(m, "name")))
			return true;
	return false;
}

/* The log lines of the bad process of m, as long output. */
static void log_lines(struct result *r, const struct metric_set *set, const struct metric *m,
		      const char *who)
{
	const struct metric *log = about(set, "supervisor_process_log", m);
	const char *tail = log != NULL ? metric_label(log, "tail") : NULL;

	while (tail != NULL && *tail != '\0') {
		const char *nl = strchr(tail, '\n');
		int len = nl != NULL ? (int)(nl - tail) : (int)strlen(tail);

		result_long(r, "  %s log: %.*s", who, len, tail);
		tail = nl != NULL ? nl + 1 : NULL;
	}
}

/* One process (its supervisor_process_state m): an item when it is wrong, a line always. */
static void one(struct result *r, const struct supervisor_opts *o, const struct metric_set *set,
		const struct metric *m)
{
	const char *state = metric_label(m, "state");
	const struct metric *ex = about(set, "supervisor_process_exit_status", m),
			    *log = about(set, "supervisor_process_log", m);
	double exit_status = ex != NULL ? ex->value : NAN;
	const char *spawnerr = log != NULL ? metric_label(log, "spawnerr") : "";
	char who[600], since[64] = "", err[600] = "";

	display(m, who, sizeof(who));
	if (!isnan(m->value)) {
		char d[48];

		num_duration(m->value, d, sizeof(d));
		snprintf(since, sizeof(since), " for %s", d);
	}
	if (spawnerr != NULL && spawnerr[0] != '\0')
		snprintf(err, sizeof(err), " (%s)", spawnerr);
	else if (log != NULL && strcmp(state, "EXITED") == 0)
		snprintf(err, sizeof(err), " (exit status %g)", exit_status);
	if (strcmp(state, "UNKNOWN") == 0)
		result_add(r, STATE_UNKNOWN, "%s is in supervisord's UNKNOWN state", who);
	else if (log != NULL)
		result_add(r, STATE_CRITICAL, "%s %s%s%s", who, state, since, err);
	else if (strcmp(state, "STOPPED") == 0 && expected(o, m))
		result_add(r, STATE_CRITICAL, "%s STOPPED%s, expected to run", who, since);
	result_long(r, "%s: %s%s%s", who, state, since, err);
	log_lines(r, set, m, who);
}

/* "NAME restarted 5 times in 10 min" for a process whose restarts crossed a threshold. */
static void restart_words(const struct metric *m, double v, const char *what, char *out,
			  size_t outlen)
{
	char who[600];

	display(m, who, sizeof(who));
	snprintf(out, outlen, "%s restarted %g time%s in %s", who, v, num_plural(v), what);
}

static void judge(struct result *r, const struct verdict_in *in)
{
	static const char *const keys[] = {"group", "name", NULL};
	static const char *const group_key[] = {"group", NULL};
	const struct supervisor_opts *o = in->opts;
	const struct metric *st = metric_set_find(in->set, "supervisor_state", NULL, NULL);
	double up = metric_set_value(in->set, "supervisor_up", NULL, NULL),
	       window = metric_set_value(in->set, "supervisor_flap_window_seconds", NULL, NULL);
	struct metric_set *view;
	double procs = 0, running = 0;
	char minutes[64];

	if (up != 1) {
		result_add(r, isnan(up) ? STATE_UNKNOWN : STATE_CRITICAL, "supervisord is %s",
			   st != NULL ? metric_label(st, "state") : "not known");
		return;
	}
	view = view_of(r, o, in->set);
	for (size_t i = 0; i < metric_set_count(view); i++) {
		const struct metric *m = metric_set_at(view, i);

		if (strcmp(m->name, "supervisor_process_state") != 0)
			continue;
		one(r, o, view, m);
		procs++;
		running += strcmp(metric_label(m, "state"), "RUNNING") == 0;
	}
	num_duration(isnan(window) ? 60.0 * o->flap_window : window, minutes, sizeof(minutes));
	series_check_words(r, in->args, view, "supervisor_process_restarts", 0, keys, minutes,
			   restart_words);
	if (metric_set_find(view, "supervisor_process_restarts", NULL, NULL) == NULL && procs > 0)
		result_long(r, "restarts: %s",
			    in->rates != NULL && in->rates->err[0] != '\0' ? in->rates->err
									   : "not counted yet");
	series_check(r, in->args, view, "supervisor_group_running", -1, group_key,
		     "processes running:");
	series_check(r, in->args, view, "supervisor_group_running_pct", -1, group_key,
		     "processes running:");
	if (procs == running)
		result_add(r, STATE_OK, "%g program%s running", procs, num_plural(procs));
	else
		result_add(r, STATE_OK, "%g of %g running", running, procs);
	metric_set_free(view);
}

/*
 * Through the agent: what to check and how to judge it. Where supervisord
 * is, and the flap window the collector counts restarts over, are its
 * section's to say.
 */
static const char *const agent_options[] = {"program",	      "group", "min-running",
					    "expect-running", "flap",  NULL};

const struct verdict verdict_supervisor = {
    .name = "supervisor",
    .kind = "supervisor",
    .plugin = &plugin,
    .agent_options = agent_options,
    .opts_size = sizeof(struct supervisor_opts),
    .opts_init = opts_init,
    .opts_free = opts_free,
    .opts_check = opts_check,
    .judge = judge,
};
