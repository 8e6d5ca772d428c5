/*
 * What the agent knows right now: the latest result of every collector, as
 * one immutable snapshot. Collector threads publish a new snapshot by
 * swapping a pointer; HTTP threads take a reference and read it without
 * waiting for any collection.
 */
#ifndef VAKT_SNAPSHOT_H
#define VAKT_SNAPSHOT_H

#include <stddef.h>

#include "metric.h"

/* One collector's latest result. Immutable once published. */
struct source {
	char *name;		    /* the collector's name: "load", "fds", "process nginx", ... */
	struct metric_set *metrics; /* the last successful collection; NULL before the first */
	double collected_at;	    /* when it finished (time_now()); 0 before the first */
	struct metric_set *prev_metrics; /* the successful collection before, for rates; NULL */
	double prev_collected_at;	 /* when that one finished */
	double last_attempt;		 /* when the last collection, good or bad, finished */
	double duration;		 /* seconds the last collection took */
	double interval;		 /* seconds between collections */
	double timeout;			 /* seconds one collection may take */
	char *last_error;		 /* why the last collection failed; NULL when it did not */
	double failing_since;	     /* when the failures since the last success began; 0: none */
	char *where;		     /* what it collects from, in words ("127.0.0.1:6379"); NULL:
					this host */
	const char *const *families; /* prefixes of the metric names it gives; static, NULL-ended */
	const char *name_label;	     /* the label its section's NAME is the value of; static */
	unsigned long runs;	     /* collections attempted since start */
	unsigned long errors;	     /* collections failed since start */
};

struct snapshot {
	struct source *sources;
	size_t n;
	double started_at;	  /* when the agent started, for uptime */
	unsigned long generation; /* grows with every publish, across reloads */
};

/*
 * True when src's metrics are too old to trust: no success yet, or the last
 * success is older than two intervals plus the time limit.
 */
int source_is_stale(const struct source *src, double now);
/* Seconds since src's last success (a large number before the first). */
double source_age(const struct source *src, double now);
/*
 * True when src is failing: its last collection failed and it has no fresh
 * metrics (never had any, or they are stale). Its metrics then say nothing
 * about the service; its error does.
 */
int source_is_failing(const struct source *src, double now);
/*
 * The section's NAME of a named collector ("jobs" for "redis jobs"): the
 * target label of its metrics. NULL for an unnamed one ("load").
 */
const char *source_target(const struct source *src);
/* True when src's kind may give a metric called name (collector_* for every source). */
int source_may_give(const struct source *src, const char *name);
/*
 * Add the agent's metrics about src to set: collector_up, collector_duration,
 * collector_runs, collector_errors and collector_last_success, labelled
 * collector="NAME" and, for a named collector, target="NAME" as its metrics.
 */
void source_health_metrics(const struct source *src, double now, struct metric_set *set);

#endif
