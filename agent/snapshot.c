/*
 * Freshness of a collector's result (see snapshot.h).
 */
#include "config.h"

#include <string.h>

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

int source_is_failing(const struct source *src, double now)
{
	return src->last_error != NULL && source_is_stale(src, now);
}

const char *source_target(const struct source *src)
{
	const char *space = strchr(src->name, ' ');

	return space != NULL ? space + 1 : NULL;
}

int source_may_give(const struct source *src, const char *name)
{
	if (strncmp(name, "collector_", strlen("collector_")) == 0)
		return 1;
	for (size_t i = 0; src->families != NULL && src->families[i] != NULL; i++)
		if (strncmp(name, src->families[i], strlen(src->families[i])) == 0)
			return 1;
	return 0;
}

/* Add metric name about src to set, with src's labels. */
static void add_health(struct metric_set *set, const struct source *src, const char *name,
		       enum metric_kind kind, const char *unit, double value)
{
	struct metric *m = metric_set_add(set, name, kind, unit, value);
	const char *target = source_target(src);

	metric_label_add(m, "collector", src->name);
	if (target != NULL)
		metric_label_add(m, "target", target);
}

void source_health_metrics(const struct source *src, double now, struct metric_set *set)
{
	add_health(set, src, "collector_up", METRIC_GAUGE, "", source_is_stale(src, now) ? 0 : 1);
	add_health(set, src, "collector_duration", METRIC_GAUGE, "s", src->duration);
	add_health(set, src, "collector_runs", METRIC_COUNTER, "", (double)src->runs);
	add_health(set, src, "collector_errors", METRIC_COUNTER, "", (double)src->errors);
	add_health(set, src, "collector_last_success", METRIC_GAUGE, "s", src->collected_at);
}
