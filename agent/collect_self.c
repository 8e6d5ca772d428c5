/*
 * The agent itself: resident memory and HTTP requests served. Collection
 * durations, runs and errors come from the scheduler's own bookkeeping.
 */
#include "config.h"

#include "collector.h"
#include "probe/memory.h"
#include "stats.h"

static int self_collect(void *state, struct metric_set *set, char *err, size_t errlen)
{
	(void)state;
	metric_set_add(set, "http_requests", METRIC_COUNTER, "c", (double)stats_requests());
	return probe_self_memory(set, err, errlen);
}

/* The metric names it gives, for the check endpoint. */
static const char *const self_families[] = {"http_requests", "resident_memory", NULL};

const struct collector_kind collect_self = {"self", NULL, self_collect, NULL, self_families, NULL};
