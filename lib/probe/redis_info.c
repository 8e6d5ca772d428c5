/*
 * Redis INFO parser (see redis_info.h).
 */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "num.h"
#include "probe/redis_info.h"

enum field_type {
	FIELD_NUMBER,
	FIELD_OK, /* "ok" is 1, anything else 0 */
	FIELD_UP, /* "up" is 1, anything else 0 */
};

struct field {
	const char *name;
	size_t offset; /* of the double in struct redis_info */
	enum field_type type;
};

#define FIELD(name, member, type)                                                                  \
	{                                                                                          \
		name, offsetof(struct redis_info, member), type                                    \
	}

static const struct field fields[] = {
    FIELD("used_memory", used_memory, FIELD_NUMBER),
    FIELD("maxmemory", maxmemory, FIELD_NUMBER),
    FIELD("connected_clients", clients, FIELD_NUMBER),
    FIELD("maxclients", maxclients, FIELD_NUMBER),
    FIELD("blocked_clients", blocked_clients, FIELD_NUMBER),
    FIELD("rejected_connections", rejected_connections, FIELD_NUMBER),
    FIELD("evicted_keys", evicted_keys, FIELD_NUMBER),
    FIELD("keyspace_hits", keyspace_hits, FIELD_NUMBER),
    FIELD("keyspace_misses", keyspace_misses, FIELD_NUMBER),
    FIELD("loading", loading, FIELD_NUMBER),
    FIELD("rdb_last_bgsave_status", rdb_save_ok, FIELD_OK),
    FIELD("aof_enabled", aof_enabled, FIELD_NUMBER),
    FIELD("aof_last_write_status", aof_write_ok, FIELD_OK),
    FIELD("master_link_status", master_link_up, FIELD_UP),
    FIELD("master_last_io_seconds_ago", master_last_io, FIELD_NUMBER),
    FIELD("master_link_down_since_seconds", master_link_down, FIELD_NUMBER),
    FIELD("connected_slaves", connected_replicas, FIELD_NUMBER),
    FIELD("master_sync_in_progress", syncing, FIELD_NUMBER),
};

/* Copy value (vlen bytes) into out as a string, cut to fit. */
static void copy_value(char *out, size_t outlen, const char *value, size_t vlen)
{
	if (vlen >= outlen)
		vlen = outlen - 1;
	memcpy(out, value, vlen);
	out[vlen] = '\0';
}

/* Store one numeric or status field; unparsable numbers stay NAN. */
static void set_field(struct redis_info *info, const struct field *f, const char *value,
		      size_t vlen)
{
	double *dst = (double *)((char *)info + f->offset);
	char text[64];
	double v;

	if (f->type == FIELD_OK) {
		*dst = vlen == 2 && memcmp(value, "ok", 2) == 0 ? 1 : 0;
		return;
	}
	if (f->type == FIELD_UP) {
		*dst = vlen == 2 && memcmp(value, "up", 2) == 0 ? 1 : 0;
		return;
	}
	if (vlen >= sizeof(text))
		return;
	copy_value(text, sizeof(text), value, vlen);
	if (num_parse(text, &v) == 0)
		*dst = v;
}

/* Take one "name:value" line. */
static void take_line(struct redis_info *info, const char *line, size_t len, char *port,
		      size_t portlen)
{
	const char *colon = memchr(line, ':', len);
	size_t nlen, vlen;
	const char *value;

	if (colon == NULL || line[0] == '#')
		return;
	nlen = (size_t)(colon - line);
	value = colon + 1;
	vlen = len - nlen - 1;
#define IS(s) (nlen == sizeof(s) - 1 && memcmp(line, s, nlen) == 0)
	if (IS("redis_version")) {
		copy_value(info->version, sizeof(info->version), value, vlen);
	} else if (IS("role")) {
		/* INFO says "slave" in every version so far; accept the newer word too. */
		info->replica = (vlen == 5 && memcmp(value, "slave", 5) == 0) ||
				(vlen == 7 && memcmp(value, "replica", 7) == 0);
	} else if (IS("master_host")) {
		copy_value(info->master, sizeof(info->master), value, vlen);
	} else if (IS("master_port")) {
		copy_value(port, portlen, value, vlen);
	} else {
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (strlen(fields[i].name) == nlen &&
			    memcmp(fields[i].name, line, nlen) == 0) {
				set_field(info, &fields[i], value, vlen);
				break;
			}
	}
#undef IS
}

int redis_info_parse(const char *text, size_t len, struct redis_info *out)
{
	const char *p = text, *end = text + len;
	char port[16] = "";

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		*(double *)((char *)out + fields[i].offset) = NAN;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl == NULL ? (size_t)(end - p) : (size_t)(nl - p);

		take_line(out, p, n > 0 && p[n - 1] == '\r' ? n - 1 : n, port, sizeof(port));
		p = nl == NULL ? end : nl + 1;
	}
	if (out->version[0] == '\0')
		return -1;
	/* Redis says -1 for "never": no I/O yet, never connected. */
	if (out->master_last_io < 0)
		out->master_last_io = NAN;
	/* Before 7.0 a link never up counted from the epoch: over ten years is "never". */
	if (out->master_link_down < 0 || out->master_link_down > 10 * 365 * 86400.0)
		out->master_link_down = NAN;
	if (!out->replica) {
		out->master[0] = '\0';
	} else if (out->master[0] != '\0' && port[0] != '\0') {
		size_t used = strlen(out->master);

		snprintf(out->master + used, sizeof(out->master) - used, ":%s", port);
	}
	return 0;
}

/* Add name = value unless value is NAN. */
static struct metric *add(struct metric_set *set, const char *name, enum metric_kind kind,
			  const char *unit, double value)
{
	if (isnan(value))
		return NULL;
	return metric_set_add(set, name, kind, unit, value);
}

void redis_info_metrics(const struct redis_info *in, struct metric_set *set)
{
	add(set, "redis_memory_used", METRIC_GAUGE, "B", in->used_memory);
	if (in->maxmemory >= 1) {
		add(set, "redis_memory_max", METRIC_GAUGE, "B", in->maxmemory);
		add(set, "redis_memory_pct", METRIC_GAUGE, "%",
		    100.0 * in->used_memory / in->maxmemory);
	}
	add(set, "redis_clients", METRIC_GAUGE, "", in->clients);
	if (in->maxclients >= 1) {
		add(set, "redis_clients_max", METRIC_GAUGE, "", in->maxclients);
		add(set, "redis_clients_pct", METRIC_GAUGE, "%",
		    100.0 * in->clients / in->maxclients);
	}
	add(set, "redis_blocked_clients", METRIC_GAUGE, "", in->blocked_clients);
	add(set, "redis_rejected_connections", METRIC_COUNTER, "", in->rejected_connections);
	add(set, "redis_evicted_keys", METRIC_COUNTER, "", in->evicted_keys);
	add(set, "redis_keyspace_hits", METRIC_COUNTER, "", in->keyspace_hits);
	add(set, "redis_keyspace_misses", METRIC_COUNTER, "", in->keyspace_misses);
	add(set, "redis_loading", METRIC_GAUGE, "", in->loading);
	add(set, "redis_rdb_save_ok", METRIC_GAUGE, "", in->rdb_save_ok);
	if (in->aof_enabled == 1)
		add(set, "redis_aof_write_ok", METRIC_GAUGE, "", in->aof_write_ok);
	metric_set_add(set, "redis_replica", METRIC_GAUGE, "", in->replica ? 1 : 0);
	add(set, "redis_connected_replicas", METRIC_GAUGE, "", in->connected_replicas);
	if (!in->replica)
		return;
	metric_label_add(metric_set_add(set, "redis_replica_info", METRIC_GAUGE, "", 1), "master",
			 in->master);
	add(set, "redis_master_syncing", METRIC_GAUGE, "", in->syncing);
	if (!isnan(in->master_link_up)) {
		struct metric *m = metric_set_add(set, "redis_master_link_up", METRIC_GAUGE, "",
						  in->master_link_up);

		metric_label_add(m, "master", in->master);
	}
	add(set, "redis_master_last_io", METRIC_GAUGE, "s", in->master_last_io);
	add(set, "redis_master_link_down", METRIC_GAUGE, "s", in->master_link_down);
}
