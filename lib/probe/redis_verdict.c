/*
 * check_redis's verdict: the depth of queues (Celery, Resque, or any key)
 * and the health that keeps jobs flowing: memory against maxmemory, clients
 * against maxclients, persistence, replication, rejected connections and
 * evictions, all from the metric set of the Redis probe.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "drain.h"
#include "num.h"
#include "plugin.h"
#include "probe/redis_verdict.h"
#include "series.h"
#include "verdict.h"
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
				      "queue_not_draining_seconds",
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
				      "celery_oldest_unacked_age_seconds",
				      "resque_failed",
				      "resque_workers",
				      NULL};

/* Take one of check_redis's own options into the opts at ctx; -1 with err for a bad one. */
static int on_option(void *ctx, int val, const char *arg, char *err, size_t errlen)
{
	struct redis_opts *o = ctx;
	int rc;

	switch (val) {
	case OPT_DATABASE:
		if (num_parse_long(arg, 0, INT_MAX, &o->database) != 0)
			break;
		return 0;
	case OPT_SCAN_LIMIT:
		if (num_parse_long(arg, 1, LONG_MAX, &o->scan_limit) != 0)
			break;
		return 0;
	case OPT_QUEUE:
		o->names = xgrow(o->names, o->nnames, sizeof(*o->names));
		o->names[o->nnames++] = arg;
		return 0;
	case OPT_QUEUE_REGEX:
		/* The last --queue-regex wins, like every other option. */
		rc = plugin_regex(&o->regex, &o->has_regex, "queue-regex", arg, err, errlen);
		return rc;
	case OPT_RESQUE:
		o->resque = arg != NULL ? arg : "resque";
		return 0;
	case OPT_CELERY:
		o->celery = true;
		return 0;
	case OPT_KEY_PREFIX:
		o->key_prefix = arg;
		return 0;
	case OPT_REQUIRE:
		o->require = true;
		return 0;
	case OPT_TLS:
		o->tls = true;
		return 0;
	case OPT_CA_FILE:
		o->ca_file = arg;
		return 0;
	case OPT_INSECURE:
		o->insecure = true;
		return 0;
	}
	snprintf(err, errlen, "invalid --%s '%s': expected a number",
		 val == OPT_DATABASE ? "database" : "scan-limit", arg);
	return -1;
}

static const struct plugin plugin = {
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
		       "  the deepest queue decides. Rates are per second since the last run.\n"
		       "  queue_not_draining_seconds is how long (s) a queue has held messages\n"
		       "  while its depth never fell between runs (kept in the state file);\n"
		       "  celery_oldest_unacked_age_seconds how long ago the oldest task not yet\n"
		       "  acknowledged was delivered to a worker.",
    .host_help = "Redis host name, address or unix socket path (default 127.0.0.1).",
    .password_env = "REDISCLI_AUTH",
    .examples = "  check_redis --queue celery -w 100 -c 1000\n"
		"      Celery's default queue: WARNING above 100 jobs, CRITICAL above 1000.\n"
		"  check_redis -H /run/redis/redis.sock --resque -c resque_failed=50\n"
		"      Every Resque queue, CRITICAL with more than 50 failed jobs.\n"
		"  check_redis --queue celery -w queue_not_draining_seconds=300\n"
		"      WARNING when the queue has held messages for 5 minutes without its\n"
		"      depth falling: no worker takes from it.\n"
		"  check_redis -w redis_memory_pct=80 -c redis_memory_pct=95\n"
		"      Memory used against maxmemory.",
    .option = on_option,
};

bool redis_opts_wants_queues(const struct redis_opts *o)
{
	return o->nnames > 0 || o->has_regex || o->celery || o->resque != NULL;
}

static void opts_free(void *opts)
{
	struct redis_opts *o = opts;

	free(o->names);
	if (o->has_regex)
		regfree(&o->regex);
}

/*
 * Whether the queue called q is one the options pick. A plugin's set holds
 * only those; the agent's holds what its section watches, and --queue and
 * --queue-regex narrow that (without --celery or --resque, which only a
 * probe can follow).
 */
static bool filtering(const struct redis_opts *o)
{
	return (o->nnames > 0 || o->has_regex) && !o->celery && o->resque == NULL;
}

/*
 * Whether m is one the options pick: with a filter, the queues named or
 * matched, and what the probe gives about the rest only where asking for
 * those queues alone would give it too.
 */
static bool wanted(const struct redis_opts *o, const struct metric *m)
{
	const char *q = metric_label(m, "queue");

	if (!filtering(o))
		return true;
	if (q == NULL &&
	    (strncmp(m->name, "resque_", 7) == 0 || strcmp(m->name, "celery_unbound") == 0))
		return false;
	if (q == NULL && strcmp(m->name, "redis_scan_cut") == 0)
		return o->has_regex;
	if (q == NULL)
		return true;
	for (size_t i = 0; i < o->nnames; i++)
		if (strcmp(o->names[i], q) == 0)
			return true;
	return o->has_regex && regexec(&o->regex, q, 0, NULL, 0) == 0;
}

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

/* The value of the metric called name, NAN when there is none. */
static double value(const struct metric_set *set, const char *name)
{
	return metric_set_value(set, name, NULL, NULL);
}

/* A replica's link to its master. */
static void replication(struct result *r, const struct metric_set *set)
{
	const struct metric *info = metric_set_find(set, "redis_replica_info", NULL, NULL);
	const char *master = info != NULL ? metric_label(info, "master") : NULL;
	double up = value(set, "redis_master_link_up"), down = value(set, "redis_master_link_down");

	if (info == NULL)
		return;
	master = master != NULL ? master : "";
	if (up == 0 && value(set, "redis_master_syncing") == 1)
		result_add(r, STATE_WARNING, "replica is in a full sync with master %s", master);
	else if (up == 0 && isnan(down))
		result_add(r, STATE_CRITICAL, "replica never reached its master %s", master);
	else if (up == 0)
		result_add(r, STATE_CRITICAL, "the link to master %s is down for %g s", master,
			   down);
	else
		result_add(r, STATE_OK, "replica of %s", master);
}

/* The server's health: conditions, memory, clients, rates and replication. */
static void server(struct result *r, const struct plugin_args *a, const struct metric_set *set,
		   struct rates *rates)
{
	/* Without a state directory, a rate threshold is UNKNOWN with these words. */
	static const char no_dir[] = "no usable state directory";
	double used = value(set, "redis_memory_used"), max = value(set, "redis_memory_max"),
	       clients = value(set, "redis_clients");
	char usedw[32], maxw[32];

	num_bytes(used, usedw, sizeof(usedw));
	num_bytes(max, maxw, sizeof(maxw));
	if (max > 0)
		result_add(r, STATE_OK, "%s of %s used (%.1f%%)", usedw, maxw, 100 * used / max);
	else
		result_add(r, STATE_OK, "%s used (no maxmemory)", usedw);
	result_add(r, STATE_OK, "%g client%s", clients, num_plural(clients));
	if (value(set, "redis_rdb_save_ok") == 0)
		result_add(r, STATE_CRITICAL, "the last RDB save failed");
	/* Only there with AOF enabled. */
	if (value(set, "redis_aof_write_ok") == 0)
		result_add(r, STATE_CRITICAL, "the last AOF write failed");
	replication(r, set);
	series_check(r, a, set, "redis_ping", -1, NULL, "PING took");
	series_check(r, a, set, "redis_memory_used", -1, NULL, "memory used");
	series_check(r, a, set, "redis_memory_pct", -1, NULL, "memory used");
	series_check(r, a, set, "redis_clients", -1, NULL, "clients");
	series_check(r, a, set, "redis_clients_pct", -1, NULL, "clients at");
	series_check(r, a, set, "redis_blocked_clients", -1, NULL, "blocked clients");
	series_check(r, a, set, "redis_master_last_io", -1, NULL,
		     "seconds since the master was heard:");
	series_check(r, a, set, "redis_connected_replicas", -1, NULL, "replicas connected:");
	/* A plugin opened its state file before the verdict; its long output says so here. */
	if (!rates->agent && rates->sf == NULL && rates->err[0] != '\0')
		result_long(r, "no rates: %s", rates->err);
	snprintf(rates->err, sizeof(rates->err), "%s", no_dir);
	series_rate(r, a, rates, set, "redis_rejected_connections", NULL,
		    "%.2f connections rejected/s");
	series_rate(r, a, rates, set, "redis_evicted_keys", NULL, "%.2f keys evicted/s");
	hit_ratio(r, a, rates, set);
}

/* The flag metric called name is set. */
static bool flagged(const struct metric_set *set, const char *name)
{
	return value(set, name) == 1;
}

/* What the search for queues could not do, and the queues asked for and not there. */
static void queue_notes(struct result *r, const struct redis_opts *o, const struct metric_set *set)
{
	const struct metric *m;

	for (size_t i = 0; i < metric_set_count(set); i++) {
		m = metric_set_at(set, i);
		/* Redis deletes an empty list: only --require-queue makes that news. */
		if (o->require && strcmp(m->name, "queue_missing") == 0 && m->value == 1)
			result_add(r, STATE_CRITICAL, "queue %s does not exist",
				   metric_label(m, "queue"));
	}
	for (size_t i = 0; i < metric_set_count(set); i++) {
		m = metric_set_at(set, i);
		if (strcmp(m->name, "redis_key_not_queue") == 0)
			result_add(r, STATE_UNKNOWN, "key %s (a %s) is not a queue",
				   metric_label(m, "queue"), metric_label(m, "type"));
	}
	for (size_t i = 0; filtering(o) && i < o->nnames; i++)
		if (metric_set_find(set, "queue_depth", "queue", o->names[i]) == NULL &&
		    metric_set_find(set, "redis_key_not_queue", "queue", o->names[i]) == NULL)
			result_add(r, STATE_UNKNOWN, "queue %s is not watched here", o->names[i]);
	if (flagged(set, "redis_queues_cut"))
		result_add(r, STATE_UNKNOWN,
			   "more than 1000 queues: name them or narrow --queue-regex");
	if (flagged(set, "celery_unbound"))
		result_add(r, STATE_UNKNOWN,
			   "no Celery bindings (_kombu.binding.*) here: check "
			   "--database and --key-prefix");
	m = metric_set_find(set, "resque_empty", NULL, NULL);
	if (m != NULL && m->value == 1)
		result_add(r, STATE_UNKNOWN,
			   "no Resque queues in %s:queues: check --resque and "
			   "--database",
			   metric_label(m, "namespace"));
	if (flagged(set, "redis_scan_cut"))
		result_add(r, STATE_UNKNOWN,
			   "discovery stopped after --scan-limit keys, some queues may be missing");
}

/*
 * The threshold on how long the queue whose queue_depth is m has not
 * drained, with its perfdata (only then: a queue's depth is graphed, this
 * is for alerts). The plugin without a state directory has no value.
 */
static void not_draining(struct result *r, const struct plugin_args *a,
			 const struct metric_set *set, const struct metric *m)
{
	const struct metric *nd = metric_set_find_like(set, "queue_not_draining_seconds", m);
	const char *q = metric_label(m, "queue");
	char *label, why[128], words[256];
	struct perf p;
	enum state s;
	struct threshold t = thresholds_get(a->thresholds, "queue_not_draining_seconds", -1);

	if (!t.has_warn && !t.has_crit)
		return;
	if (nd == NULL) {
		result_add(r, STATE_UNKNOWN,
			   "queue %s: queue_not_draining_seconds needs a usable state directory",
			   q);
		return;
	}
	if (isnan(nd->value))
		return;
	label = xasprintf("queue_not_draining_seconds_%s", q);
	p = perf_make(label, nd->value, "s");
	p.min = 0;
	s = plugin_metric(r, a, "queue_not_draining_seconds", -1, &p, why, sizeof(why));
	free(label);
	drain_say(nd, nd->value, NULL, words, sizeof(words));
	if (s != STATE_OK)
		result_add(r, s, "%s%s", words, why);
}

/*
 * The oldest task delivered to a Celery worker and not acknowledged: a
 * task stuck on a worker. Its name and id in the long output, and in the
 * item when a threshold is crossed.
 */
static void oldest_unacked(struct result *r, const struct plugin_args *a,
			   const struct metric_set *set)
{
	const struct metric *task = metric_set_find(set, "celery_oldest_unacked_task", NULL, NULL);
	double age = value(set, "celery_oldest_unacked_age_seconds");
	const char *name = task != NULL ? metric_label(task, "task") : NULL,
		   *id = task != NULL ? metric_label(task, "task_id") : NULL;
	struct buf what;
	char t[32];

	if (isnan(age))
		return;
	name = name != NULL ? name : "unknown";
	id = id != NULL ? id : "";
	num_duration(age, t, sizeof(t));
	result_long(r, "oldest unacknowledged Celery task: %s%s%s%s, delivered to a worker %s ago",
		    name, id[0] != '\0' ? " (id " : "", id, id[0] != '\0' ? ")" : "", t);
	/* The words are a format of the age: the name's own '%'s doubled. */
	buf_init(&what, 1024);
	buf_puts(&what, "oldest unacknowledged Celery task ");
	for (const char *p = name; *p != '\0'; p++)
		buf_puts(&what, *p == '%' ? "%%" : (char[]){*p, '\0'});
	buf_puts(&what, " was delivered %.0f s ago");
	series_check(r, a, set, "celery_oldest_unacked_age_seconds", -1, NULL, buf_str(&what));
	buf_free(&what);
}

/* Every queue: perfdata and a line each; the deepest one in the summary. */
static void queues(struct result *r, const struct plugin_args *a, const struct redis_opts *o,
		   const struct metric_set *set)
{
	const struct metric *worst = NULL;
	struct threshold t = thresholds_get(a->thresholds, "queue_depth", 0);
	bool worst_named = false;
	size_t n = 0;

	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);
		const char *q = metric_label(m, "queue");
		char *label, why[128], drain[128];
		struct perf p;
		enum state s;
		bool gone;

		if (strcmp(m->name, "queue_depth") != 0)
			continue;
		n++;
		gone = o->require && metric_set_value(set, "queue_missing", "queue", q) == 1;
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
		if (!gone)
			not_draining(r, a, set, m);
		drain[0] = '\0';
		if (drain_wanted(a))
			drain_words(set, m, drain, sizeof(drain));
		if (!gone)
			result_long(r, "queue %s: %g message%s%s", q, m->value,
				    num_plural(m->value), drain);
		if (worst == NULL || m->value > worst->value) {
			worst = m;
			worst_named = s != STATE_OK || gone;
		}
	}
	if (worst != NULL)
		series_queues(r, n, metric_label(worst, "queue"), worst->value, worst_named);
	else if (o->has_regex || metric_set_find(set, "redis_scan_cut", NULL, NULL) != NULL)
		/* The probe searched (--queue-regex, --celery, --resque) and found none. */
		result_add(r, STATE_OK, "no queues found");
	else if (o->nnames == 0 &&
		 metric_set_find(set, "redis_key_not_queue", NULL, NULL) == NULL &&
		 (t.has_warn || t.has_crit))
		/* The agent's section watches none (a plugin refuses to start so). */
		result_add(r, STATE_UNKNOWN, "queue thresholds, but no queues are watched here");
	queue_notes(r, o, set);
	series_check(r, a, set, "celery_unacked", -1, NULL, "unacknowledged Celery tasks:");
	oldest_unacked(r, a, set);
	series_check(r, a, set, "resque_failed", -1, NULL, "failed Resque jobs:");
	series_check(r, a, set, "resque_workers", -1, NULL, "Resque workers:");
}

static void judge(struct result *r, const struct verdict_in *in)
{
	const struct redis_opts *o = in->opts;
	struct metric_set *view = metric_set_new();
	struct rates none = {0};

	/* The queues asked for, and everything that is about no queue. */
	for (size_t i = 0; i < metric_set_count(in->set); i++) {
		const struct metric *m = metric_set_at(in->set, i);

		if (wanted(o, m))
			metric_set_copy(view, m);
	}
	queues(r, in->args, o, view);
	server(r, in->args, view, in->rates != NULL ? in->rates : &none);
	metric_set_free(view);
}

/*
 * Through the agent: thresholds, --require-queue, and --queue and
 * --queue-regex to pick from the queues its section watches. What to
 * search for (--celery, --resque, --key-prefix, --scan-limit, --database)
 * is the section's to say.
 */
static const char *const agent_options[] = {"require-queue", "queue", "queue-regex", NULL};

const struct verdict verdict_redis = {
    .name = "redis",
    .kind = "redis",
    .plugin = &plugin,
    .agent_options = agent_options,
    .opts_size = sizeof(struct redis_opts),
    .opts_free = opts_free,
    .judge = judge,
};
