/*
 * The agent itself: resident memory, HTTP requests served, connections open
 * and those the agent closed, by reason (see conns.h). Collection
 * durations, runs and errors come from the scheduler's own bookkeeping.
 */
#include "config.h"

#include "collector.h"
#include "conns.h"
#include "probe/memory.h"
#include "stats.h"

static int self_collect(void *state, struct metric_set *set, char *err, size_t errlen)
{
	/* Label values as conns.h's reasons are ordered. */
	static const char *const reasons[CONN_CUT_REASONS] = {"deadline", "made_room", "no_room"};

	(void)state;
	metric_set_add(set, "http_requests", METRIC_COUNTER, "c", (double)stats_requests());
	metric_set_add(set, "http_connections", METRIC_GAUGE, "", (double)stats_connections());
	for (unsigned r = 0; r < CONN_CUT_REASONS; r++)
		metric_label_add(metric_set_add(set, "http_connections_closed", METRIC_COUNTER, "c",
						(double)stats_cuts(r)),
				 "reason", reasons[r]);
	return probe_self_memory(set, err, errlen);
}

/* The metric names it gives, for the check endpoint. */
static const char *const self_families[] = {"http_requests", "http_connections",
					    "http_connections_closed", "resident_memory", NULL};

const struct collector_kind collect_self = {
    .kind = "self", .collect = self_collect, .families = self_families};
