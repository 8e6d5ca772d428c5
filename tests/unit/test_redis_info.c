/*
 * lib/probe/redis_info.c: INFO answers recorded from Redis 7.0 (a master, a
 * replica with its link up, one whose master went away), and small made-up
 * answers for what a healthy server never says.
 */
#include <math.h>
#include <string.h>

#include "probe/redis_info.h"
#include "testutil.h"

static struct redis_info parse_file(const char *name)
{
	const char *text = test_data(name);
	struct redis_info in;

	cr_assert_eq(redis_info_parse(text, strlen(text), &in), 0, "%s did not parse", name);
	return in;
}

static struct redis_info parse_text(const char *text)
{
	struct redis_info in;

	cr_assert_eq(redis_info_parse(text, strlen(text), &in), 0);
	return in;
}

Test(redis_info, master)
{
	struct redis_info in = parse_file("redis/info-7.0-master.txt");

	cr_assert_str_eq(in.version, "7.0.15");
	cr_assert_not(in.replica);
	cr_assert_str_eq(in.master, "");
	cr_assert_gt(in.used_memory, 100000);
	cr_assert_eq(in.maxmemory, 0);
	cr_assert_eq(in.maxclients, 10000);
	cr_assert_geq(in.clients, 1);
	cr_assert_eq(in.rdb_save_ok, 1);
	cr_assert_eq(in.aof_enabled, 0);
	cr_assert_eq(in.connected_replicas, 1);
	cr_assert(isnan(in.master_link_up));
}

Test(redis_info, replica_with_link_up)
{
	struct redis_info in = parse_file("redis/info-7.0-replica.txt");

	cr_assert(in.replica);
	cr_assert_str_eq(in.master, "127.0.0.1:16379");
	cr_assert_eq(in.master_link_up, 1);
	cr_assert_geq(in.master_last_io, 0);
	cr_assert(isnan(in.master_link_down));
}

Test(redis_info, replica_whose_master_went_away)
{
	struct redis_info in = parse_file("redis/info-7.0-replica-lost.txt");
	struct metric_set *set = metric_set_new();
	const struct metric *m;

	cr_assert_eq(in.master_link_up, 0);
	cr_assert(isnan(in.master_last_io), "-1 means never, not -1 seconds");
	cr_assert_eq(in.master_link_down, 8);
	redis_info_metrics(&in, set);
	m = metric_set_find(set, "redis_master_link_up", NULL, NULL);
	cr_assert_not_null(m);
	cr_assert_eq(m->value, 0);
	cr_assert_str_eq(metric_label(m, "master"), "127.0.0.1:16379");
	cr_assert_null(metric_set_find(set, "redis_master_last_io", NULL, NULL));
	cr_assert_eq(metric_set_value(set, "redis_master_link_down", NULL, NULL), 8);
	/* What a verdict needs of a replica, with or without a link status. */
	m = metric_set_find(set, "redis_replica_info", NULL, NULL);
	cr_assert_not_null(m);
	cr_assert_eq(m->value, 1);
	cr_assert_str_eq(metric_label(m, "master"), "127.0.0.1:16379");
	cr_assert_eq(metric_set_value(set, "redis_master_syncing", NULL, NULL), 0);
	metric_set_free(set);
}

Test(redis_info, metrics_of_a_master)
{
	struct redis_info in = parse_file("redis/info-7.0-master.txt");
	struct metric_set *set = metric_set_new();

	redis_info_metrics(&in, set);
	cr_assert_eq(metric_set_value(set, "redis_clients_max", NULL, NULL), 10000);
	cr_assert_null(metric_set_find(set, "redis_memory_pct", NULL, NULL),
		       "no maxmemory, no percentage");
	cr_assert_null(metric_set_find(set, "redis_aof_write_ok", NULL, NULL),
		       "AOF is off, so its status means nothing");
	cr_assert_eq(metric_set_find(set, "redis_evicted_keys", NULL, NULL)->kind, METRIC_COUNTER);
	cr_assert_eq(metric_set_value(set, "redis_replica", NULL, NULL), 0);
	cr_assert_null(metric_set_find(set, "redis_master_link_up", NULL, NULL));
	cr_assert_null(metric_set_find(set, "redis_replica_info", NULL, NULL));
	cr_assert_null(metric_set_find(set, "redis_master_syncing", NULL, NULL));
	metric_set_free(set);
}

Test(redis_info, failures_and_limits)
{
	struct redis_info in = parse_text("# Server\r\nredis_version:6.0.16\r\n"
					  "# Memory\r\nused_memory:750\r\nmaxmemory:1000\r\n"
					  "# Persistence\r\nloading:1\r\n"
					  "rdb_last_bgsave_status:err\r\naof_enabled:1\r\n"
					  "aof_last_write_status:err\r\n");
	struct metric_set *set = metric_set_new();

	cr_assert_eq(in.rdb_save_ok, 0);
	cr_assert_eq(in.aof_write_ok, 0);
	cr_assert_eq(in.loading, 1);
	cr_assert(isnan(in.maxclients), "Redis 6 has no maxclients in INFO");
	redis_info_metrics(&in, set);
	cr_assert_eq(metric_set_value(set, "redis_memory_pct", NULL, NULL), 75);
	cr_assert_eq(metric_set_value(set, "redis_aof_write_ok", NULL, NULL), 0);
	cr_assert_null(metric_set_find(set, "redis_clients_pct", NULL, NULL));
	metric_set_free(set);
}

Test(redis_info, line_endings_unknown_fields_and_bad_numbers)
{
	struct redis_info in = parse_text("redis_version:7.2.4\nfuture_field:1:2:3\n"
					  "connected_clients:12x\nblocked_clients:3\n"
					  "role:replica\nmaster_host:::1\nmaster_port:6380\n");

	cr_assert(isnan(in.clients), "a number with junk after it is not a number");
	cr_assert_eq(in.blocked_clients, 3);
	cr_assert(in.replica);
	cr_assert_str_eq(in.master, "::1:6380");
}

Test(redis_info, not_info)
{
	struct redis_info in;
	const char *html = "<html><body>It works</body></html>";

	cr_assert_eq(redis_info_parse("", 0, &in), -1);
	cr_assert_eq(redis_info_parse(html, strlen(html), &in), -1);
	cr_assert_eq(redis_info_parse("redis_version:", 14, &in), -1, "an empty version");
}

Test(redis_info, long_values_are_cut_not_overflowed)
{
	char text[600];

	memset(text, 'x', sizeof(text));
	memcpy(text, "redis_version:", 14);
	cr_assert_eq(redis_info_parse(text, sizeof(text), &(struct redis_info){0}), 0);
	{
		struct redis_info in;

		redis_info_parse(text, sizeof(text), &in);
		cr_assert_eq(strlen(in.version), sizeof(in.version) - 1);
	}
}

Test(redis_info, replica_in_first_sync_and_old_epoch_counts)
{
	struct redis_info in = parse_text("redis_version:6.2.14\r\nrole:slave\r\n"
					  "master_host:10.0.0.5\r\nmaster_port:6379\r\n"
					  "master_link_status:down\r\nmaster_sync_in_progress:1\r\n"
					  "master_link_down_since_seconds:1732000000\r\n");

	cr_assert_eq(in.syncing, 1);
	cr_assert_str_eq(in.master, "10.0.0.5:6379");
	cr_assert(isnan(in.master_link_down), "Redis 6 counts a never-up link from the epoch");
}
