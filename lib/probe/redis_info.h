/*
 * The Redis INFO answer: "# Section" lines and "field:value" lines, CRLF or
 * LF. redis_info_parse() is a pure function over those bytes (unit-tested
 * and fuzzed); redis_info_metrics() turns what it found into metrics.
 *
 * Metrics (gauges unless said): redis_memory_used, redis_memory_max (B;
 * only when maxmemory is set), redis_memory_pct (%, likewise),
 * redis_clients, redis_clients_max, redis_clients_pct (%),
 * redis_blocked_clients, redis_rejected_connections, redis_evicted_keys,
 * redis_keyspace_hits, redis_keyspace_misses (counters), redis_loading,
 * redis_rdb_save_ok, redis_aof_write_ok (1/0; AOF only when enabled),
 * redis_replica (1 on a replica), redis_connected_replicas, and on a replica
 * redis_replica_info (1, labelled master=HOST:PORT), redis_master_syncing
 * (1 during a full sync), redis_master_link_up (1/0, labelled
 * master=HOST:PORT), redis_master_last_io and redis_master_link_down (s).
 */
#ifndef VAKT_PROBE_REDIS_INFO_H
#define VAKT_PROBE_REDIS_INFO_H

#include <stdbool.h>
#include <stddef.h>

#include "metric.h"

/* What vakt uses of one INFO answer; numbers are NAN when the field was absent. */
struct redis_info {
	char version[32];   /* redis_version; never empty after a successful parse */
	char master[80];    /* HOST:PORT of the master on a replica, else "" */
	bool replica;	    /* role:slave */
	double used_memory; /* bytes */
	double maxmemory;   /* bytes, 0: no limit */
	double clients;	    /* connected_clients */
	double maxclients;  /* from INFO clients (Redis 7+); NAN before */
	double blocked_clients;
	double rejected_connections;
	double evicted_keys;
	double keyspace_hits;
	double keyspace_misses;
	double loading;		   /* 1 while loading the dataset */
	double rdb_save_ok;	   /* rdb_last_bgsave_status: 1 ok, 0 err */
	double aof_enabled;	   /* 1 or 0 */
	double aof_write_ok;	   /* aof_last_write_status: 1 ok, 0 err */
	double master_link_up;	   /* master_link_status: 1 up, 0 down (replicas) */
	double master_last_io;	   /* master_last_io_seconds_ago; NAN when never */
	double master_link_down;   /* master_link_down_since_seconds; NAN when never up */
	double connected_replicas; /* connected_slaves */
	double syncing;		   /* master_sync_in_progress: 1 during a full sync */
};

/*
 * Parse an INFO answer of len bytes. Unknown fields and sections are
 * skipped. Returns 0, or -1 when the text is not an INFO answer (no
 * redis_version field).
 */
int redis_info_parse(const char *text, size_t len, struct redis_info *out);
/* Add the metrics of info to set (see above). */
void redis_info_metrics(const struct redis_info *info, struct metric_set *set);

#endif
