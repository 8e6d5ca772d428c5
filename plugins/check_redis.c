/*
 * check_redis: a Redis server as a job broker. The depth of its queues
 * (Celery, Resque, or any key), and the health that keeps jobs flowing:
 * memory against maxmemory, clients against maxclients, persistence,
 * replication, rejected connections and evictions. Its command line is in
 * check_redis_args.c.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_redis.h"
#include "fail.h"
#include "num.h"
#include "series.h"
#include "statefile.h"
#include "xalloc.h"

/* The keyspace hit ratio since the last run, from the hit and miss counters. */
static void hit_ratio(struct result *r, const struct plugin_args *a, struct rates *rates,
		      const struct metric_set *set)
{
	static const char *const counters[] = {"redis_keyspace_hits", "redis_keyspace_misses"};
	double per_s[2] = {NAN, NAN};
	struct metric_set *ratio;
	enum rate_status why = RATE_OK;

	for (int i = 0; i < 2 && (rates->sf != NULL || rates->agent); i++) {
		const struct metric *m = metric_set_find(set, counters[i], NULL, NULL);
		enum rate_status st;

		if (m == NULL || isnan(m->value))
			continue;
		st = series_rate_one(rates, m, counters[i], &per_s[i]);
		why = st != RATE_OK ? st : why;
	}
	if (why != RATE_OK)
		result_long(r, "redis_hit_ratio: %s", statefile_rate_reason(why));
	if (isnan(per_s[0] + per_s[1]) || per_s[0] + per_s[1] <= 0)
		return;
	ratio = metric_set_new();
	metric_set_add(ratio, "redis_hit_ratio", METRIC_GAUGE, "%",
		       100 * per_s[0] / (per_s[0] + per_s[1]));
	series_check(r, a, ratio, "redis_hit_ratio", -1, NULL, "keyspace hit ratio %.1f%%");
	metric_set_free(ratio);
}

/* The server's health: conditions, memory, clients, rates and replication. */
static void server(struct result *r, const struct plugin_args *a, const struct check_redis_opts *o,
		   const struct metric_set *set, const struct redis_info *in)
{
	/* Without a state directory, a rate threshold is UNKNOWN with these words. */
	static const char no_dir[] = "no usable state directory";
	char used[32], max[32];
	struct rates rates;

	num_bytes(in->used_memory, used, sizeof(used));
	num_bytes(in->maxmemory, max, sizeof(max));
	if (in->maxmemory > 0)
		result_add(r, STATE_OK, "%s of %s used (%.1f%%)", used, max,
			   100 * in->used_memory / in->maxmemory);
	else
		result_add(r, STATE_OK, "%s used (no maxmemory)", used);
	result_add(r, STATE_OK, "%g client%s", in->clients, num_plural(in->clients));
	if (in->rdb_save_ok == 0)
		result_add(r, STATE_CRITICAL, "the last RDB save failed");
	if (in->aof_enabled == 1 && in->aof_write_ok == 0)
		result_add(r, STATE_CRITICAL, "the last AOF write failed");
	if (in->replica && in->master_link_up == 0 && in->syncing == 1)
		result_add(r, STATE_WARNING, "replica is in a full sync with master %s",
			   in->master);
	else if (in->replica && in->master_link_up == 0 && isnan(in->master_link_down))
		result_add(r, STATE_CRITICAL, "replica never reached its master %s", in->master);
	else if (in->replica && in->master_link_up == 0)
		result_add(r, STATE_CRITICAL, "the link to master %s is down for %g s", in->master,
			   in->master_link_down);
	else if (in->replica)
		result_add(r, STATE_OK, "replica of %s", in->master);
	series_check(r, a, set, "redis_ping", -1, NULL, "PING took");
	series_check(r, a, set, "redis_memory_used", -1, NULL, "memory used");
	series_check(r, a, set, "redis_memory_pct", -1, NULL, "memory used");
	series_check(r, a, set, "redis_clients", -1, NULL, "clients");
	series_check(r, a, set, "redis_clients_pct", -1, NULL, "clients at");
	series_check(r, a, set, "redis_blocked_clients", -1, NULL, "blocked clients");
	series_check(r, a, set, "redis_master_last_io", -1, NULL,
		     "seconds since the master was heard:");
	series_check(r, a, set, "redis_connected_replicas", -1, NULL, "replicas connected:");
	series_rates_open(r, a, o->who, &rates);
	snprintf(rates.err, sizeof(rates.err), "%s", no_dir);
	series_rate(r, a, &rates, set, "redis_rejected_connections", NULL,
		    "%.2f connections rejected/s");
	series_rate(r, a, &rates, set, "redis_evicted_keys", NULL, "%.2f keys evicted/s");
	hit_ratio(r, a, &rates, set);
	series_rates_close(r, &rates);
}

/* Whether queue q is one --require-queue asked for and Redis does not have. */
static bool missing(const struct check_redis_opts *o, const struct redis_queue_notes *notes,
		    const char *q)
{
	for (size_t i = 0; o->require && i < notes->nmissing; i++)
		if (strcmp(notes->missing[i], q) == 0)
			return true;
	return false;
}

/* Every queue: perfdata and a line each; the deepest one in the summary. */
static void queues(struct result *r, const struct plugin_args *a, const struct check_redis_opts *o,
		   const struct metric_set *set, const struct redis_queue_notes *notes)
{
	const struct metric *worst = NULL;
	bool worst_named = false;
	size_t n = 0;

	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);
		const char *q = metric_label(m, "queue");
		char *label, why[128];
		struct perf p;
		enum state s;
		bool gone;

		if (strcmp(m->name, "queue_depth") != 0)
			continue;
		n++;
		gone = missing(o, notes, q);
		/* Whole: perfdata cuts a long label with a hash of all of it, so it stays unique.
		 */
		label = xasprintf("queue_depth_%s", q);
		p = perf_make(label, m->value, "");
		p.min = 0;
		s = plugin_metric(r, a, "queue_depth", 0, &p, why, sizeof(why));
		free(label);
		if (s != STATE_OK && !gone)
			result_add(r, s, "queue %s has %g message%s%s", q, m->value,
				   num_plural(m->value), why);
		if (gone)
			result_long(r, "queue %s: does not exist", q);
		else
			result_long(r, "queue %s: %g message%s", q, m->value, num_plural(m->value));
		if (worst == NULL || m->value > worst->value) {
			worst = m;
			worst_named = s != STATE_OK || gone;
		}
	}
	if (worst != NULL)
		series_queues(r, n, metric_label(worst, "queue"), worst->value, worst_named);
	else if (o->queues.regex != NULL || o->queues.celery || o->queues.resque != NULL)
		result_add(r, STATE_OK, "no queues found");
	/* Redis deletes an empty list: only --require-queue makes that news. */
	for (size_t i = 0; o->require && i < notes->nmissing; i++)
		result_add(r, STATE_CRITICAL, "queue %s does not exist", notes->missing[i]);
	for (size_t i = 0; i < notes->nnot_queue; i++)
		result_add(r, STATE_UNKNOWN, "key %s is not a queue", notes->not_queue[i]);
	if (notes->queues_cut)
		result_add(r, STATE_UNKNOWN,
			   "more than 1000 queues: name them or narrow --queue-regex");
	if (notes->celery_unbound)
		result_add(r, STATE_UNKNOWN,
			   "no Celery bindings (_kombu.binding.*) here: check "
			   "--database and --key-prefix");
	if (notes->resque_empty)
		result_add(r, STATE_UNKNOWN,
			   "no Resque queues in %s:queues: check --resque and "
			   "--database",
			   o->queues.resque);
	if (notes->scan_cut)
		result_add(r, STATE_UNKNOWN,
			   "discovery stopped after --scan-limit keys, some queues may be missing");
	series_check(r, a, set, "celery_unacked", -1, NULL, "unacknowledged Celery tasks:");
	series_check(r, a, set, "resque_failed", -1, NULL, "failed Resque jobs:");
	series_check(r, a, set, "resque_workers", -1, NULL, "Resque workers:");
}

/*
 * Exit CRITICAL for an unreachable server, UNKNOWN for one that is not
 * Redis (the probe's time-outs are FAIL_DOWN: -t is the alarm's).
 */
static void fail(int why, const char *err) __attribute__((noreturn));
static void fail(int why, const char *err)
{
	plugin_exit(fail_state(why, STATE_CRITICAL), "%s", err);
}

int main(int argc, char **argv)
{
	struct check_redis_opts o = {0};
	struct plugin_args a;
	struct metric_set *set;
	struct redis_queue_notes notes = {0};
	struct redis_info info;
	struct result *r;
	redisContext *c;
	char err[512];
	int why;

	check_redis_args(argc, argv, &o, &a);
	c = probe_redis_connect(&o.target, &why, err, sizeof(err));
	if (c == NULL)
		fail(why, err);
	set = metric_set_new();
	why = probe_redis_server(c, set, &info, err, sizeof(err));
	if (why == 0 && check_redis_wants_queues(&o))
		why = probe_redis_queues(c, &o.queues, set, &notes, err, sizeof(err));
	redisFree(c);
	if (why != 0)
		fail(why, err);
	r = result_new(check_redis.service);
	queues(r, &a, &o, set, &notes);
	server(r, &a, &o, set, &info);
	probe_redis_notes_free(&notes);
	metric_set_free(set);
	check_redis_opts_free(&o);
	plugin_finish(r);
}
