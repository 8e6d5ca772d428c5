/*
 * [load]: the load average, task counts and, when asked for, pressure stall
 * information, through the probe check_load uses.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "probe/load.h"
#include "xalloc.h"

static const char *const resources[] = {"cpu", "io", "memory"};

/* [load]'s settings: which pressure files to read, in the order of resources. */
struct load_settings {
	bool pressure[3];
};

static int resource_item(struct conf_ctx *ctx, const char *item, void *arg)
{
	bool *on = arg;
	char q[CONF_QUOTE_BUFSZ];

	for (size_t i = 0; i < 3; i++) {
		if (strcmp(item, resources[i]) == 0) {
			on[i] = true;
			return 0;
		}
	}
	conf_error(ctx, "invalid pressure '%s' (expected cpu, io, memory or a list of them)",
		   conf_quote(item, q));
	return -1;
}

static int pressure_set(struct conf_ctx *ctx, const char *key, const char *value, void *field)
{
	bool on[3] = {false, false, false};

	(void)key;
	if (conf_split(ctx, value, resource_item, on) != 0)
		return -1;
	memcpy(field, on, sizeof(on));
	return 0;
}

static const char *pressure_show(const void *field, char *out, size_t outlen)
{
	const bool *on = field;
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < 3 && used < outlen; i++)
		if (on[i])
			used += (size_t)snprintf(out + used, outlen - used, "%s%s",
						 used > 0 ? ", " : "", resources[i]);
	return used > 0 ? out : NULL;
}

static const struct conf_type pressure_type = {NULL, pressure_set, NULL, pressure_show};

static const struct conf_key load_keys[] = {
    CONF_KEY("pressure", pressure_type, struct load_settings, pressure, NULL,
	     "the pressure stall information to read: cpu, io, memory"),
    {0},
};

static void *load_create(const struct config_collector *cc, char *err, size_t errlen)
{
	bool *pressure = xcalloc(3, sizeof(bool));
	const struct load_settings *s = cc->settings;

	(void)err;
	(void)errlen;
	memcpy(pressure, s->pressure, 3 * sizeof(bool));
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
					    .section = COLLECTOR_DEFAULT,
					    .keys = load_keys,
					    .settings_size = sizeof(struct load_settings),
					    .create = load_create,
					    .collect = load_collect,
					    .destroy = load_destroy,
					    .families = load_families};
