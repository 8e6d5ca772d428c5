/*
 * Queues that stop draining (lib/drain.c): the rule from two samples, the
 * agent's memory across collections (RabbitMQ's ready count and rates
 * included), a plugin's state file across runs, and the words.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drain.h"
#include "metric.h"
#include "statefile.h"

/* A queue_depth of queue q, as a broker probe gives it. */
static struct metric *depth(struct metric_set *set, const char *name, const char *q, double v)
{
	struct metric *m = metric_set_add(set, name, METRIC_GAUGE, "", v);

	metric_label_add(m, "broker", "redis");
	metric_label_add(m, "vhost", "db0");
	metric_label_add(m, "queue", q);
	return m;
}

/* The value of name for queue q in set, NAN when none. */
static double of(const struct metric_set *set, const char *name, const char *q)
{
	return metric_set_value(set, name, "queue", q);
}

Test(drain, rule)
{
	cr_expect(isnan(drain_seconds(NAN, NAN, 5, 3, false)), "first sample of a full queue");
	cr_expect_eq(drain_seconds(NAN, NAN, 5, 0, false), 0, "empty");
	cr_expect_eq(drain_seconds(3, 10, 5, 3, false), 15, "stood still");
	cr_expect_eq(drain_seconds(3, 10, 5, 4, false), 15, "grew");
	cr_expect_eq(drain_seconds(3, 10, 5, 2, false), 0, "fell");
	cr_expect_eq(drain_seconds(3, 10, 5, 3, true), 0, "delivered");
	cr_expect_eq(drain_seconds(0, 0, 5, 3, false), 5, "filled since an empty sample");
	cr_expect_eq(drain_seconds(3, NAN, 5, 3, false), 5, "after an unknown");
	cr_expect(isnan(drain_seconds(3, 10, STATEFILE_MAX_AGE + 1, 3, false)), "too old");
	cr_expect(isnan(drain_seconds(3, 10, -1, 3, false)), "clock back");
	cr_expect(isnan(drain_seconds(3, 10, 5, NAN, false)), "no depth");
}

Test(drain, memory)
{
	struct drain_memory mem = {0};
	struct metric_set *a = metric_set_new(), *b = metric_set_new(), *c = metric_set_new();
	char words[128];

	depth(a, "queue_depth", "celery", 5);
	depth(a, "queue_depth", "empty", 0);
	drain_remember(&mem, a, 100);
	cr_expect(isnan(of(a, "queue_not_draining_seconds", "celery")));
	cr_expect_eq(of(a, "queue_not_draining_seconds", "empty"), 0);
	cr_expect(isnan(of(a, "queue_drain_rate", "celery")));

	depth(b, "queue_depth", "celery", 5);
	depth(b, "queue_depth", "empty", 0);
	drain_remember(&mem, b, 110);
	cr_expect_eq(of(b, "queue_not_draining_seconds", "celery"), 10);
	cr_expect_eq(of(b, "queue_drain_rate", "celery"), 0);
	drain_words(b, metric_set_find(b, "queue_depth", "queue", "celery"), words, sizeof(words));
	cr_expect_str_eq(words, ", not draining for 10 s");

	/* RabbitMQ: what is ready counts, and a delivery is movement. */
	depth(c, "queue_depth", "celery", 1);
	depth(c, "queue_depth", "empty", 4);
	depth(c, "queue_ready", "empty", 4);
	depth(c, "queue_deliver_rate", "empty", 0.5);
	drain_remember(&mem, c, 114);
	cr_expect_eq(of(c, "queue_not_draining_seconds", "celery"), 0);
	cr_expect_eq(of(c, "queue_drain_rate", "celery"), 1);
	cr_expect_eq(of(c, "queue_not_draining_seconds", "empty"), 0);
	drain_words(c, metric_set_find(c, "queue_depth", "queue", "celery"), words, sizeof(words));
	cr_expect_str_eq(words, ", empty in about 1 s at 1.00/s");
	drain_words(c, metric_set_find(c, "queue_depth", "queue", "empty"), words, sizeof(words));
	cr_expect_str_eq(words, ", growing by 1.00/s");

	drain_memory_free(&mem);
	metric_set_free(a);
	metric_set_free(b);
	metric_set_free(c);
}

/* One plugin run at now: the state file of dir, the depth of "a b" (a name with a space). */
static double run(const char *dir, double now, double v)
{
	char err[256];
	struct statefile *sf = statefile_open(dir, "test_drain", "k", now, STATEFILE_MAX_AGE,
					      STATEFILE_LOCK_WAIT, err, sizeof(err));
	struct metric_set *set = metric_set_new();
	double seconds;

	cr_assert_not_null(sf, "%s", err);
	depth(set, "queue_depth", "a b", v);
	drain_track_state(set, sf);
	cr_assert_eq(statefile_save(sf, err, sizeof(err)), 0, "%s", err);
	statefile_free(sf);
	seconds = of(set, "queue_not_draining_seconds", "a b");
	metric_set_free(set);
	return seconds;
}

Test(drain, state_file)
{
	char dir[] = "/tmp/vakt-drain-test-XXXXXX", cmd[128];

	cr_assert_not_null(mkdtemp(dir));
	cr_expect(isnan(run(dir, 1000, 7)));
	cr_expect_eq(run(dir, 1030, 7), 30);
	cr_expect_eq(run(dir, 1030.5, 9), 30.5, "a run less than 1 s later still counts");
	cr_expect_eq(run(dir, 1060, 9), 60);
	cr_expect_eq(run(dir, 1090, 3), 0);
	cr_expect_eq(run(dir, 1120, 3), 30);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_expect_eq(system(cmd), 0);
}

Test(drain, say)
{
	struct metric_set *set = metric_set_new();
	char words[128];

	drain_say(depth(set, "queue_not_draining_seconds", "celery", 300), 300, NULL, words,
		  sizeof(words));
	cr_expect_str_eq(words, "queue celery has not drained for 5 min");
	metric_set_free(set);
}
