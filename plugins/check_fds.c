/*
 * check_fds: open file descriptors, system-wide against fs.file-max, or per
 * process against that process's own soft RLIMIT_NOFILE. The options and
 * the verdict are verdict_fds's (lib/probe/fds_verdict.c).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "plugin.h"
#include "probe/fds.h"
#include "probe/fds_verdict.h"
#include "verdict.h"

/* The processes --pid, --pidfile or --process name, into set; exits when there are none. */
static void probe_processes(struct result *r, const struct fds_opts *o, struct metric_set *set)
{
	long *pids = NULL, n = 1, pid = o->pid;
	char err[512];

	if (o->pidfile != NULL && probe_fds_pidfile(o->pidfile, &pid, err, sizeof(err)) != 0)
		plugin_exit(STATE_CRITICAL, "%s", err);
	if (o->process != NULL) {
		n = probe_fds_find(o->process, &pids, err, sizeof(err));
		if (n < 0)
			plugin_exit(STATE_UNKNOWN, "%s", err);
		if (n == 0)
			plugin_exit(STATE_CRITICAL, "no process named %s", o->process);
	}
	for (long i = 0; i < n; i++) {
		if (probe_fds_process(set, pids != NULL ? pids[i] : pid, err, sizeof(err)) == 0)
			continue;
		/* A worker found by name that exits meanwhile is not an outage. */
		if (errno == ESRCH && o->process != NULL)
			result_long(r, "%s (exited during the check)", err);
		else
			result_add(r, errno == ESRCH ? STATE_CRITICAL : STATE_UNKNOWN, "%s", err);
	}
	free(pids);
}

int main(int argc, char **argv)
{
	struct fds_opts o;
	struct plugin_args a;
	struct metric_set *set = metric_set_new();
	struct result *r;
	char err[512];

	verdict_start(&verdict_fds, argc, argv, &o, &a);
	r = result_new(verdict_fds.plugin->service);
	if (o.selectors == 0 && probe_fds_system(set, err, sizeof(err)) != 0)
		plugin_exit(STATE_UNKNOWN, "%s", err);
	if (o.selectors > 0)
		probe_processes(r, &o, set);
	verdict_fds.judge(r, &(struct verdict_in){.args = &a, .opts = &o, .set = set});
	metric_set_free(set);
	plugin_finish(r);
}
