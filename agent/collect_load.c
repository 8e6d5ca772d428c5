/*
 * [load]: the load average, task counts and, when asked for, pressure stall
 * information, through the probe check_load uses.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "probe/load.h"
#include "xalloc.h"

static const char *const resources[] = {"cpu", "io", "memory"};

static void *load_create(const struct config_collector *cc, char *err, size_t errlen)
{
	bool *pressure = xcalloc(3, sizeof(bool));

	(void)err;
	(void)errlen;
	memcpy(pressure, cc->pressure, 3 * sizeof(bool));
	return pressure;
}

static int load_collect(void *state, struct metric_set *set, char *err, size_t errlen)
{
	const bool *pressure = state;

	if (probe_load_collect(set, err, errlen) != 0)
		return -1;
	for (int i = 0; i < 3; i++)
		if (pressure[i] && probe_pressure_collect(set, resources[i], err, errlen) != 0)
			return -1;
	return 0;
}

static void load_destroy(void *state)
{
	free(state);
}

/* The metric names it gives, for the check endpoint. */
static const char *const load_families[] = {"load", "procs", "cpus_online", "pressure_", NULL};

const struct collector_kind collect_load = {.kind = "load",
					    .create = load_create,
					    .collect = load_collect,
					    .destroy = load_destroy,
					    .families = load_families};
