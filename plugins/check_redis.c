/*
 * check_redis: a Redis server as a job broker. The depth of its queues
 * (Celery, Resque, or any key), and the health that keeps jobs flowing:
 * memory against maxmemory, clients against maxclients, persistence,
 * replication, rejected connections and evictions.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "plugin.h"
#include "probe/redis.h"
#include "statefile.h"
#include "xalloc.h"

enum {
	OPT_DATABASE = 256,
	OPT_QUEUE,
	OPT_QUEUE_REGEX,
	OPT_CELERY,
	OPT_RESQUE,
	OPT_KEY_PREFIX,
	OPT_REQUIRE,
	OPT_SCAN_LIMIT,
	OPT_TLS,
	OPT_CA_FILE,
	OPT_INSECURE,
};

struct opts {
	struct redis_target target;
	struct redis_queues queues;
	const char **names;
	regex_t regex;
	const char *regex_text;
	bool require;
};

static const struct plugin_option options[] = {
	{"database", OPT_DATABASE, "N", "Select database N (default 0)."},
	{"queue", OPT_QUEUE, "NAME",
	 "Measure the queue NAME (repeatable): the length of the key by its type\n"
	 "(list, set, sorted set, hash, stream), plus Celery's priority lists.\n"
	 "A missing key is an empty queue."},
	{"queue-regex", OPT_QUEUE_REGEX, "RE",
	 "Also measure every queue whose name matches the extended regular\n"
	 "expression RE, found with a bounded SCAN (never KEYS)."},
	{"celery", OPT_CELERY, NULL, "Also measure every queue Celery has bound (kombu's bindings)."},
	{"resque", OPT_RESQUE, "[=NAMESPACE]",
	 "Also measure every Resque queue in NAMESPACE (default resque), and\n"
	 "report its failed list and workers."},
	{"key-prefix", OPT_KEY_PREFIX, "PREFIX", "Celery's global_keyprefix: put before every key."},
	{"require-queue", OPT_REQUIRE, NULL, "A --queue whose key does not exist is CRITICAL."},
	{"scan-limit", OPT_SCAN_LIMIT, "N",
	 "Visit at most N keys when discovering queues (default 100000)."},
	{"tls", OPT_TLS, NULL, "Talk TLS (when hiredis was built with it)."},
	{"ca-file", OPT_CA_FILE, "FILE", "Verify the server's certificate against FILE."},
	{"insecure", OPT_INSECURE, NULL, "Do not verify the server's certificate."},
	{NULL, 0, NULL, NULL},
};

static const char *const metrics[] = {
	"queue_depth",	       "redis_ping",		   "redis_memory_used",
	"redis_memory_pct",    "redis_clients",		   "redis_clients_pct",
	"redis_blocked_clients", "redis_rejected_connections_rate", "redis_evicted_keys_rate",
	"redis_hit_ratio",     "redis_master_last_io",	   "redis_connected_replicas",
	"celery_unacked",      "resque_failed",		   "resque_workers",
	NULL};

static int on_option(void *ctx, int val, const char *arg, char *err, size_t errlen)
{
	struct opts *o = ctx;
	int rc;

	switch (val) {
	case OPT_DATABASE:
		if (num_parse_long(arg, 0, INT_MAX, &o->target.database) != 0)
			break;
		return 0;
	case OPT_SCAN_LIMIT:
		if (num_parse_long(arg, 1, LONG_MAX, &o->queues.scan_limit) != 0)
			break;
		return 0;
	case OPT_QUEUE:
		o->names = xgrow(o->names, o->queues.nnames, sizeof(*o->names));
		o->names[o->queues.nnames++] = arg;
		return 0;
	case OPT_QUEUE_REGEX:
		/* The last --queue-regex wins, like every other option. */
		if (o->queues.regex != NULL)
			regfree(&o->regex);
		o->queues.regex = NULL;
		rc = regcomp(&o->regex, arg, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			char why[128];

			regerror(rc, &o->regex, why, sizeof(why));
			snprintf(err, errlen, "invalid --queue-regex '%s': %s", arg, why);
			return -1;
		}
		o->queues.regex = &o->regex;
		return 0;
	case OPT_RESQUE:
		o->queues.resque = arg != NULL ? arg : "resque";
		return 0;
	case OPT_CELERY:
		o->queues.celery = true;
		return 0;
	case OPT_KEY_PREFIX:
		o->queues.key_prefix = arg;
		return 0;
	case OPT_REQUIRE:
		o->require = true;
		return 0;
	case OPT_TLS:
		o->target.tls = true;
		return 0;
	case OPT_CA_FILE:
		o->target.ca_file = arg;
		return 0;
	case OPT_INSECURE:
		o->target.insecure = true;
		return 0;
	}
	snprintf(err, errlen, "invalid --%s '%s': expected a number",
		 val == OPT_DATABASE ? "database" : "scan-limit", arg);
	return -1;
}

static const struct plugin check_redis = {
	.name = "check_redis",
	.service = "REDIS",
	.purpose = "Checks a Redis server that carries background jobs: the depth of its\n"
		   "queues (Celery, Resque, or any list, set, sorted set, hash or stream),\n"
		   "and what keeps jobs flowing: PING time, memory against maxmemory, clients\n"
		   "against maxclients, blocked clients, rejected connections and evicted keys\n"
		   "per second, the keyspace hit ratio, and replication. A failed RDB save or\n"
		   "AOF write and a replica whose link to its master is down are CRITICAL.",
	.synopsis = "[-H HOST|SOCKET] [-p PORT] [--user USER --password-file FILE] "
		    "[--queue NAME]... [--queue-regex RE] [--celery] [--resque[=NS]] "
		    "[-w RANGE] [-c RANGE] [-t SECONDS[:STATE]]",
	.common = PLUGIN_HOST | PLUGIN_PORT | PLUGIN_STATE_DIR | PLUGIN_LOGIN,
	.options = options,
	.metrics = metrics,
	.nmain = 1,
	.thresholds_help = "A bare -w/-c applies to the depth of each queue (queue_depth);\n"
			   "  the deepest queue decides. Rates are per second since the last run.",
	.host_help = "Redis host name, address or unix socket path (default 127.0.0.1).",
	.password_env = "REDISCLI_AUTH",
	.examples = "  check_redis --queue celery -w 100 -c 1000\n"
		    "      Celery's default queue: WARNING above 100 jobs, CRITICAL above 1000.\n"
		    "  check_redis -H /run/redis/redis.sock --resque -c resque_failed=50\n"
		    "      Every Resque queue, CRITICAL with more than 50 failed jobs.\n"
		    "  check_redis -w redis_memory_pct=80 -c redis_memory_pct=95\n"
		    "      Memory used against maxmemory.",
	.option = on_option,
};

/* Add one metric of set as perfdata under thresholds; crossing adds an item. */
static void metric(struct result *r, const struct plugin_args *a, const struct metric_set *set,
		   const char *name, const char *what)
{
	const struct metric *m = metric_set_find(set, name, NULL, NULL);
	char why[128], value[64];
	struct perf p;
	enum state s;

	if (m == NULL)
		return;
	p = perf_make(name, m->value, m->unit);
	p.min = 0;
	if (strcmp(m->unit, "%") == 0)
		p.max = 100;
	s = plugin_metric(r, a, name, -1, &p, why, sizeof(why));
	if (s == STATE_OK)
		return;
	if (strcmp(m->unit, "B") == 0)
		num_bytes(m->value, value, sizeof(value));
	else if (strcmp(m->unit, "s") == 0 && m->value < 1)
		snprintf(value, sizeof(value), "%.3f ms", m->value * 1000);
	else
		snprintf(value, sizeof(value), "%.10g%s", m->value, m->unit);
	result_add(r, s, "%s %s%s", what, value, why);
}

/* A rate of a counter since the last run, as perfdata NAME_rate under thresholds. */
static double rate(struct result *r, const struct plugin_args *a, struct statefile *sf,
		   const struct metric_set *set, const char *counter, const char *what)
{
	double v = metric_set_value(set, counter, NULL, NULL), per_s = NAN;
	char name[64], why[128];
	enum rate_status st;
	struct perf p;
	enum state s;

	snprintf(name, sizeof(name), "%s_rate", counter);
	if (sf == NULL && what != NULL) {
		struct threshold t = thresholds_get(a->thresholds, name, -1);

		/* A threshold that cannot be checked must not pass as OK. */
		if (t.has_warn || t.has_crit)
			result_add(r, STATE_UNKNOWN, "no %s: no usable state directory", name);
	}
	if (sf == NULL || isnan(v))
		return NAN;
	st = statefile_rate(sf, counter, v, &per_s);
	if (st != RATE_OK)
		result_long(r, "%s: %s", counter, statefile_rate_reason(st));
	if (what == NULL)
		return per_s;
	p = perf_make(name, per_s, "");
	p.min = 0;
	s = plugin_metric(r, a, name, -1, &p, why, sizeof(why));
	if (s != STATE_OK)
		result_add(r, s, "%.2f %s/s%s", per_s, what, why);
	return per_s;
}

/* The server's health: conditions, memory, clients, rates and replication. */
static void server(struct result *r, const struct plugin_args *a, const struct opts *o,
		   const struct metric_set *set, const struct redis_info *in)
{
	char used[32], max[32], who[300], err[256];
	struct statefile *sf;
	double hits, misses;

	num_bytes(in->used_memory, used, sizeof(used));
	num_bytes(in->maxmemory, max, sizeof(max));
	if (in->maxmemory > 0)
		result_add(r, STATE_OK, "%s of %s used (%.1f%%)", used, max,
			   100 * in->used_memory / in->maxmemory);
	else
		result_add(r, STATE_OK, "%s used (no maxmemory)", used);
	result_add(r, STATE_OK, "%g client%s", in->clients, in->clients == 1 ? "" : "s");
	if (in->rdb_save_ok == 0)
		result_add(r, STATE_CRITICAL, "the last RDB save failed");
	if (in->aof_enabled == 1 && in->aof_write_ok == 0)
		result_add(r, STATE_CRITICAL, "the last AOF write failed");
	if (in->replica && in->master_link_up == 0 && in->syncing == 1)
		result_add(r, STATE_WARNING, "replica is in a full sync with master %s", in->master);
	else if (in->replica && in->master_link_up == 0 && isnan(in->master_link_down))
		result_add(r, STATE_CRITICAL, "replica never reached its master %s", in->master);
	else if (in->replica && in->master_link_up == 0)
		result_add(r, STATE_CRITICAL, "the link to master %s is down for %g s", in->master,
			   in->master_link_down);
	else if (in->replica)
		result_add(r, STATE_OK, "replica of %s", in->master);
	metric(r, a, set, "redis_ping", "PING took");
	metric(r, a, set, "redis_memory_used", "memory used");
	metric(r, a, set, "redis_memory_pct", "memory used");
	metric(r, a, set, "redis_clients", "clients");
	metric(r, a, set, "redis_clients_pct", "clients at");
	metric(r, a, set, "redis_blocked_clients", "blocked clients");
	metric(r, a, set, "redis_master_last_io", "seconds since the master was heard:");
	metric(r, a, set, "redis_connected_replicas", "replicas connected:");
	probe_redis_describe(&o->target, who, sizeof(who));
	sf = statefile_open(a->state_dir, "check_redis", who, time_now(), STATEFILE_MAX_AGE, err,
			    sizeof(err));
	if (sf == NULL)
		result_long(r, "no rates: %s", err);
	rate(r, a, sf, set, "redis_rejected_connections", "connections rejected");
	rate(r, a, sf, set, "redis_evicted_keys", "keys evicted");
	hits = rate(r, a, sf, set, "redis_keyspace_hits", NULL);
	misses = rate(r, a, sf, set, "redis_keyspace_misses", NULL);
	if (!isnan(hits + misses) && hits + misses > 0) {
		struct perf p = perf_make("redis_hit_ratio", 100 * hits / (hits + misses), "%");
		char why[128];
		enum state s;

		p.min = 0;
		p.max = 100;
		s = plugin_metric(r, a, "redis_hit_ratio", -1, &p, why, sizeof(why));
		if (s != STATE_OK)
			result_add(r, s, "keyspace hit ratio %.1f%%%s", p.value, why);
	}
	if (sf != NULL && statefile_save(sf, err, sizeof(err)) != 0)
		result_long(r, "rates not saved: %s", err);
	statefile_free(sf);
}

/* Every queue: perfdata and a line each; the deepest one in the summary. */
static void queues(struct result *r, const struct plugin_args *a, const struct opts *o,
		   const struct metric_set *set, const struct redis_queue_notes *notes)
{
	const struct metric *worst = NULL;
	size_t n = 0;

	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);
		const char *q = metric_label(m, "queue");
		char label[300], why[128];
		struct perf p;
		enum state s;

		if (strcmp(m->name, "queue_depth") != 0)
			continue;
		n++;
		snprintf(label, sizeof(label), "queue_depth_%s", q);
		p = perf_make(label, m->value, "");
		p.min = 0;
		s = plugin_metric(r, a, "queue_depth", 0, &p, why, sizeof(why));
		if (s != STATE_OK)
			result_add(r, s, "queue %s has %g message%s%s", q, m->value,
				   m->value == 1 ? "" : "s", why);
		result_long(r, "queue %s: %g message%s", q, m->value, m->value == 1 ? "" : "s");
		if (worst == NULL || m->value > worst->value)
			worst = m;
	}
	if (worst != NULL && n == 1 && result_state(r) == STATE_OK)
		result_add(r, STATE_OK, "queue %s has %g message%s", metric_label(worst, "queue"),
			   worst->value, worst->value == 1 ? "" : "s");
	else if (worst != NULL)
		result_add(r, STATE_OK, "%zu queues, deepest %s with %g messages", n,
			   metric_label(worst, "queue"), worst->value);
	else if (o->queues.regex != NULL || o->queues.celery || o->queues.resque != NULL)
		result_add(r, STATE_OK, "no queues found");
	/* Redis deletes an empty list: only --require-queue makes that news. */
	for (size_t i = 0; o->require && i < notes->nmissing; i++)
		result_add(r, STATE_CRITICAL, "queue %s does not exist", notes->missing[i]);
	for (size_t i = 0; i < notes->nnot_queue; i++)
		result_add(r, STATE_UNKNOWN, "key %s is not a queue", notes->not_queue[i]);
	if (notes->queues_cut)
		result_add(r, STATE_UNKNOWN, "more than 1000 queues; name them or narrow --queue-regex");
	if (notes->celery_unbound)
		result_add(r, STATE_UNKNOWN, "no Celery bindings (_kombu.binding.*) here; check "
					     "--database and --key-prefix");
	if (notes->resque_empty)
		result_add(r, STATE_UNKNOWN, "no Resque queues in %s:queues; check --resque and "
					     "--database", o->queues.resque);
	if (notes->scan_cut)
		result_add(r, STATE_UNKNOWN,
			   "discovery stopped after --scan-limit keys; some queues may be missing");
	metric(r, a, set, "celery_unacked", "unacknowledged Celery tasks:");
	metric(r, a, set, "resque_failed", "failed Resque jobs:");
	metric(r, a, set, "resque_workers", "Resque workers:");
}

/* Exit CRITICAL for an unreachable server, UNKNOWN for one that is not Redis. */
static void fail(int why, const char *err) __attribute__((noreturn));
static void fail(int why, const char *err)
{
	plugin_exit(why == PROBE_REDIS_DOWN ? STATE_CRITICAL : STATE_UNKNOWN, "%s", err);
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	struct plugin_args a;
	struct metric_set *set;
	struct redis_queue_notes notes = {0};
	struct redis_info info;
	struct result *r;
	redisContext *c;
	char err[512], who[300];
	int why;

	plugin_start(&check_redis, argc, argv, &o, &a);
	o.queues.names = o.names;
	if (o.queues.nnames == 0 && o.queues.regex == NULL && !o.queues.celery &&
	    o.queues.resque == NULL) {
		struct threshold t = thresholds_get(a.thresholds, "queue_depth", 0);

		if (t.has_warn || t.has_crit)
			plugin_usage_error("queue thresholds need --queue, --queue-regex, --celery "
					   "or --resque");
	}
#ifndef HAVE_HIREDIS_SSL
	if (o.target.tls)
		plugin_usage_error("--tls: this check_redis was built with a hiredis without TLS");
#endif
	o.target.host = a.host != NULL ? a.host : "127.0.0.1";
	o.target.port = a.port;
	o.target.user = a.user;
	o.target.password = a.password;
	o.target.timeout = a.timeout;
	probe_redis_describe(&o.target, who, sizeof(who));
	o.queues.instance = who;
	o.queues.database = o.target.database;
	c = probe_redis_connect(&o.target, &why, err, sizeof(err));
	if (c == NULL)
		fail(why, err);
	set = metric_set_new();
	why = probe_redis_server(c, set, &info, err, sizeof(err));
	if (why == 0 && (o.queues.nnames > 0 || o.queues.regex != NULL || o.queues.celery ||
			 o.queues.resque != NULL))
		why = probe_redis_queues(c, &o.queues, set, &notes, err, sizeof(err));
	redisFree(c);
	if (why != 0)
		fail(why, err);
	r = result_new(check_redis.service);
	queues(r, &a, &o, set, &notes);
	server(r, &a, &o, set, &info);
	probe_redis_notes_free(&notes);
	metric_set_free(set);
	free(o.names);
	if (o.queues.regex != NULL)
		regfree(&o.regex);
	plugin_finish(r);
}
