/*
 * check_supervisor's verdict (verdict_supervisor in verdict.h): the
 * processes supervisord runs, judged from the metrics of
 * lib/probe/supervisor.c, and the parts of those metrics that need no XML
 * (a process's badness, the group counts, the restarts seen in the flap
 * window), which the plugin and the agent's collector both use.
 */
#ifndef VAKT_PROBE_SUPERVISOR_VERDICT_H
#define VAKT_PROBE_SUPERVISOR_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "metric.h"

struct supervisor_opts {
	const char *socket;    /* -s, --socket */
	const char *url;       /* -u, --url */
	const char **programs; /* --program patterns */
	size_t nprograms;
	const char **groups; /* --group patterns */
	size_t ngroups;
	const char **expect; /* --expect-running patterns */
	size_t nexpect;
	const char *min_running; /* --min-running N or N%, NULL: none */
	long flap;		 /* --flap, restarts in the window that warn */
	long flap_window;	 /* --flap-window, minutes */
};

/*
 * Whether a process in state (supervisord's statename) with this exit
 * status and spawn error is bad: FATAL, BACKOFF, UNKNOWN, or EXITED with
 * a spawn error or a status other than 0 (the XML-RPC API does not give
 * the program's exitcodes).
 */
bool supervisor_bad(const char *state, double exit_status, const char *spawnerr);

/*
 * Add supervisor_group_processes, supervisor_group_running and
 * supervisor_group_running_pct for every group of the processes in set
 * (supervisor_process_running{group,name}).
 */
void supervisor_groups(struct metric_set *set);

/* The start times of one process seen within the flap window, oldest first. */
#define SUPERVISOR_STARTS_MAX 64
struct supervisor_starts {
	double t[SUPERVISOR_STARTS_MAX];
	size_t n;
};

/*
 * Add start (a time since the epoch; 0, never started, is none) to s
 * unless s has it, forget the times before now - window (seconds), and
 * keep the newest keep (1 to SUPERVISOR_STARTS_MAX). Returns s->n: the
 * starts seen in the window.
 */
size_t supervisor_starts_see(struct supervisor_starts *s, double start, double now, double window,
			     size_t keep);

/*
 * Add supervisor_process_restarts{group,name} = restarts, for the process
 * labelled as m is, and supervisor_flap_window_seconds = window once.
 */
void supervisor_restarts(struct metric_set *set, const struct metric *m, size_t restarts,
			 double window);

#endif
