/*
 * Queues that stop draining. Depth alone cannot tell a busy queue from a
 * dead one: a queue is "not draining" while messages wait in it and its
 * depth never fell since the previous sample (nor did the broker see a
 * message delivered or acknowledged, where it counts them). How long that
 * has lasted is queue_not_draining_seconds; how fast the depth fell since
 * the previous sample is queue_drain_rate (messages/s, negative while it
 * grows), from which the verdicts give the time to empty.
 *
 * Both are made from two samples, like rates: a plugin keeps the previous
 * one in its state file (drain_track_state), the agent's collectors in
 * memory (struct drain_memory), so check_redis, check_rabbitmq and the
 * check endpoint say the same. The metrics a broker probe gives that this
 * reads, per queue (labels vhost and queue): queue_depth, and where there
 * are, queue_ready (the messages waiting: RabbitMQ's depth counts those
 * consumers hold too) and queue_deliver_rate / queue_ack_rate (anything
 * above 0 is a queue that moves).
 */
#ifndef VAKT_DRAIN_H
#define VAKT_DRAIN_H

#include <stdbool.h>

#include "metric.h"
#include "output.h"
#include "plugin.h"
#include "statefile.h"

/*
 * How long a queue with waiting messages now, after prev_waiting and
 * prev_seconds of not draining elapsed seconds before, has not drained:
 * 0 when nothing waits, the depth fell or something moved; NAN when it
 * cannot be known yet (no earlier sample, or one older than
 * STATEFILE_MAX_AGE); else prev_seconds (NAN: 0) + elapsed.
 */
double drain_seconds(double prev_waiting, double prev_seconds, double elapsed, double waiting,
		     bool moved);

/*
 * Add queue_not_draining_seconds and queue_drain_rate for every queue of
 * set from prev, the same queues' metrics elapsed seconds before (with
 * those this added then); prev NULL: the first sample.
 */
void drain_track(struct metric_set *set, const struct metric_set *prev, double elapsed);

/* The same for a plugin: the previous sample from sf, and this one kept in it. */
void drain_track_state(struct metric_set *set, struct statefile *sf);

/* What an agent's collector keeps from one collection to the next. */
struct drain_memory {
	struct metric_set *prev; /* the queues' metrics of the last collection; NULL: none */
	double when;		 /* its time, time_now() */
};

/* drain_track() on set from mem, collected at now, and set remembered in mem. */
void drain_remember(struct drain_memory *mem, struct metric_set *set, double now);
void drain_memory_free(struct drain_memory *mem);

/*
 * The words on draining for the long line of the queue whose queue_depth
 * is m in set: ", not draining for 2m 5s", ", empty in about 40 s at
 * 2.5/s", ", growing" or "" when nothing is known.
 */
void drain_words(const struct metric_set *set, const struct metric *m, char *out, size_t outlen);

/*
 * Whether a verdict's long lines of queues carry drain_words(): with -v, or
 * a threshold on queue_not_draining_seconds (the depths' lines stay short
 * otherwise).
 */
bool drain_wanted(const struct plugin_args *a);

/*
 * The words of a queue_not_draining_seconds m at v that crossed a bound
 * (a series_words_fn): "queue celery has not drained for 5 min".
 */
void drain_say(const struct metric *m, double v, const char *what, char *out, size_t outlen);

#endif
