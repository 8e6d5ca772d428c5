/*
 * check_redis: a Redis server as a job broker. The depth of its queues
 * (Celery, Resque, or any key), and the health that keeps jobs flowing:
 * memory against maxmemory, clients against maxclients, persistence,
 * replication, rejected connections and evictions. The options and the
 * verdict are verdict_redis's (lib/probe/redis_verdict.c).
 */
#include "config.h"

#include "drain.h"
#include "fail.h"
#include "plugin.h"
#include "probe/redis.h"
#include "probe/redis_verdict.h"
#include "series.h"
#include "verdict.h"

/*
 * Exit CRITICAL for an unreachable server, UNKNOWN for one that is not
 * Redis (the probe's time-outs are FAIL_DOWN: -t is the alarm's).
 */
static void fail(int why, const char *err) __attribute__((noreturn));
static void fail(int why, const char *err)
{
	plugin_exit(fail_state(why, STATE_CRITICAL), "%s", err);
}

/* Usage errors only a command line can make. */
static void check_usage(const struct redis_opts *o, const struct plugin_args *a)
{
	struct threshold t = thresholds_get(a->thresholds, "queue_depth", 0);

	if (!redis_opts_wants_queues(o) && (t.has_warn || t.has_crit))
		plugin_usage_error("queue thresholds need --queue, --queue-regex, --celery "
				   "or --resque");
#ifndef HAVE_HIREDIS_SSL
	if (o->tls)
		plugin_usage_error("--tls: this check_redis was built with a hiredis without TLS");
#endif
}

int main(int argc, char **argv)
{
	struct redis_opts o;
	struct plugin_args a;
	struct redis_target t = {0};
	struct redis_queues q = {0};
	struct metric_set *set;
	struct redis_info info;
	struct rates rates;
	struct result *r;
	redisContext *c;
	char who[300], err[512];
	int why;

	verdict_start(&verdict_redis, argc, argv, &o, &a);
	check_usage(&o, &a);
	t.host = a.host != NULL ? a.host : "127.0.0.1";
	t.port = a.port;
	t.user = a.user;
	t.password = a.password;
	t.database = o.database;
	t.timeout = a.timeout;
	t.tls = o.tls;
	t.ca_file = o.ca_file;
	t.insecure = o.insecure;
	probe_redis_describe(&t, who, sizeof(who));
	q.names = o.names;
	q.nnames = o.nnames;
	q.regex = o.has_regex ? &o.regex : NULL;
	q.celery = o.celery;
	q.resque = o.resque;
	q.key_prefix = o.key_prefix;
	q.scan_limit = o.scan_limit;
	q.target = who;
	q.database = o.database;
	c = probe_redis_connect(&t, &why, err, sizeof(err));
	if (c == NULL)
		fail(why, err);
	set = metric_set_new();
	why = probe_redis_server(c, set, &info, err, sizeof(err));
	if (why == 0 && redis_opts_wants_queues(&o))
		why = probe_redis_queues(c, &q, set, err, sizeof(err));
	redisFree(c);
	if (why != 0)
		fail(why, err);
	/* The verdict says "no rates" where its long output had it. */
	series_rates_open(NULL, &a, who, &rates);
	if (rates.sf != NULL)
		drain_track_state(set, rates.sf);
	r = verdict_judge(&verdict_redis,
			  &(struct verdict_in){
			      .args = &a, .opts = &o, .set = set, .source = who, .rates = &rates});
	series_rates_close(r, &rates);
	metric_set_free(set);
	verdict_free_opts(&verdict_redis, &o, &a);
	plugin_finish(r);
}
