/*
 * check_redis's command line (see check_redis.h): the option table and
 * --help, each option into struct check_redis_opts, and the usage errors
 * only the options together show.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "check_redis.h"
#include "num.h"
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

static const char *const metrics[] = {"queue_depth",
				      "redis_ping",
				      "redis_memory_used",
				      "redis_memory_pct",
				      "redis_clients",
				      "redis_clients_pct",
				      "redis_blocked_clients",
				      "redis_rejected_connections_rate",
				      "redis_evicted_keys_rate",
				      "redis_hit_ratio",
				      "redis_master_last_io",
				      "redis_connected_replicas",
				      "celery_unacked",
				      "resque_failed",
				      "resque_workers",
				      NULL};

/* Take one of check_redis's own options into the opts at ctx; -1 with err for a bad one. */
static int on_option(void *ctx, int val, const char *arg, char *err, size_t errlen)
{
	struct check_redis_opts *o = ctx;
	bool compiled;
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
		compiled = o->queues.regex != NULL;
		rc = plugin_regex(&o->regex, &compiled, "queue-regex", arg, err, errlen);
		o->queues.regex = compiled ? &o->regex : NULL;
		return rc;
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

const struct plugin check_redis = {
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

bool check_redis_wants_queues(const struct check_redis_opts *o)
{
	return o->queues.nnames > 0 || o->queues.regex != NULL || o->queues.celery ||
	       o->queues.resque != NULL;
}

void check_redis_args(int argc, char **argv, struct check_redis_opts *o, struct plugin_args *a)
{
	plugin_start(&check_redis, argc, argv, o, a);
	o->queues.names = o->names;
	if (!check_redis_wants_queues(o)) {
		struct threshold t = thresholds_get(a->thresholds, "queue_depth", 0);

		if (t.has_warn || t.has_crit)
			plugin_usage_error("queue thresholds need --queue, --queue-regex, --celery "
					   "or --resque");
	}
#ifndef HAVE_HIREDIS_SSL
	if (o->target.tls)
		plugin_usage_error("--tls: this check_redis was built with a hiredis without TLS");
#endif
	o->target.host = a->host != NULL ? a->host : "127.0.0.1";
	o->target.port = a->port;
	o->target.user = a->user;
	o->target.password = a->password;
	o->target.timeout = a->timeout;
	probe_redis_describe(&o->target, o->who, sizeof(o->who));
	o->queues.target = o->who;
	o->queues.database = o->target.database;
}

void check_redis_opts_free(struct check_redis_opts *o)
{
	free(o->names);
	if (o->queues.regex != NULL)
		regfree(&o->regex);
}
