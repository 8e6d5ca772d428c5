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
	double last_attempt;	    /* when the last collection, good or bad, finished */
	double duration;	    /* seconds the last collection took */
	double interval;	    /* seconds between collections */
	double timeout;		    /* seconds one collection may take */
	char *last_error;	    /* why the last collection failed; NULL when it did not */
	unsigned long runs;	    /* collections attempted since start */
	unsigned long errors;	    /* collections failed since start */
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

#endif
