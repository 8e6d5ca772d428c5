/*
 * Freshness of a collector's result (see snapshot.h).
 */
#include "config.h"

#include "snapshot.h"

int source_is_stale(const struct source *src, double now)
{
	if (src->collected_at == 0)
		return 1;
	/* One missed run is jitter; two in a row plus a slow one means it is stuck or failing. */
	return now - src->collected_at > 2 * src->interval + src->timeout;
}

double source_age(const struct source *src, double now)
{
	if (src->collected_at == 0)
		return 1e9;
	return now - src->collected_at;
}
