/*
 * Queues that stop draining (see drain.h). A plugin's state file holds,
 * per queue, three whole numbers under a hash of its vhost and name (a
 * state file's names hold no spaces, a queue's may): the messages waiting,
 * the depth and the seconds not drained, in milliseconds.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drain.h"
#include "hash.h"
#include "num.h"
#include "xalloc.h"

double drain_seconds(double prev_waiting, double prev_seconds, double elapsed, double waiting,
		     bool moved)
{
	if (isnan(waiting))
		return NAN;
	if (waiting <= 0 || moved)
		return 0;
	if (isnan(prev_waiting) || !(elapsed >= 0) || elapsed > STATEFILE_MAX_AGE)
		return NAN;
	if (waiting < prev_waiting)
		return 0;
	return (isnan(prev_seconds) ? 0 : prev_seconds) + elapsed;
}

/* The metric called name with the labels of like in set (NULL: none), its value or NAN. */
static double like(const struct metric_set *set, const char *name, const struct metric *m)
{
	const struct metric *o = set != NULL ? metric_set_find_like(set, name, m) : NULL;

	return o != NULL ? o->value : NAN;
}

/*
 * The messages waiting in set's queue with the labels of m: queue_ready
 * where given, else queue_depth. set NULL: NAN.
 */
static double waiting(const struct metric_set *set, const struct metric *m)
{
	double ready = like(set, "queue_ready", m);

	return isnan(ready) ? like(set, "queue_depth", m) : ready;
}

/* Whether the broker saw a message of the queue of m delivered or acknowledged. */
static bool moved(const struct metric_set *set, const struct metric *m)
{
	return like(set, "queue_deliver_rate", m) > 0 || like(set, "queue_ack_rate", m) > 0;
}

/* Add to out a metric called name with the labels of m. */
static void add_like(struct metric_set *out, const char *name, const char *unit, double v,
		     const struct metric *m)
{
	struct metric *n = metric_set_add(out, name, METRIC_GAUGE, unit, v);

	for (size_t i = 0; i < m->nlabels; i++)
		metric_label_add(n, m->labels[i].name, m->labels[i].value);
}

/*
 * Add to out the two metrics of the queue whose queue_depth in set is m,
 * from its previous sample elapsed seconds before.
 */
static void track_one(struct metric_set *out, const struct metric_set *set, const struct metric *m,
		      double prev_waiting, double prev_depth, double prev_seconds, double elapsed)
{
	double rate = NAN;

	if (!isnan(prev_depth) && !isnan(m->value) && elapsed >= STATEFILE_MIN_INTERVAL &&
	    elapsed <= STATEFILE_MAX_AGE)
		rate = (prev_depth - m->value) / elapsed;
	add_like(out, "queue_not_draining_seconds", "s",
		 drain_seconds(prev_waiting, prev_seconds, elapsed, waiting(set, m), moved(set, m)),
		 m);
	add_like(out, "queue_drain_rate", "", rate, m);
}

/* Move the metrics of added into set. */
static void add_all(struct metric_set *set, struct metric_set *added)
{
	for (size_t i = 0; i < metric_set_count(added); i++)
		metric_set_copy(set, metric_set_at(added, i));
	metric_set_free(added);
}

void drain_track(struct metric_set *set, const struct metric_set *prev, double elapsed)
{
	struct metric_set *added = metric_set_new();

	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);

		if (strcmp(m->name, "queue_depth") != 0)
			continue;
		track_one(added, set, m, waiting(prev, m), like(prev, "queue_depth", m),
			  like(prev, "queue_not_draining_seconds", m), elapsed);
	}
	add_all(set, added);
}

/* The state file's name of what for the queue of m: "drain.W.HASH". */
static void key_name(const struct metric *m, char what, char *out, size_t outlen)
{
	const char *vhost = metric_label(m, "vhost"), *queue = metric_label(m, "queue");
	char *key = xasprintf("%s\n%s", vhost != NULL ? vhost : "", queue != NULL ? queue : "");

	snprintf(out, outlen, "drain.%c.%016" PRIx64, what, hash_fnv1a64(key));
	free(key);
}

/* The newest earlier sample of what for the queue of m, and its age into *age. */
static double state_last(const struct statefile *sf, const struct metric *m, char what, double *age)
{
	char name[64];

	key_name(m, what, name, sizeof(name));
	return statefile_last(sf, name, age);
}

/* Keep what = v for the queue of m. */
static void state_keep(struct statefile *sf, const struct metric *m, char what, double v)
{
	char name[64];

	key_name(m, what, name, sizeof(name));
	statefile_keep(sf, name, v);
}

void drain_track_state(struct metric_set *set, struct statefile *sf)
{
	struct metric_set *added = metric_set_new();

	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);
		double age = NAN, unused, w, d, s;

		if (strcmp(m->name, "queue_depth") != 0)
			continue;
		w = state_last(sf, m, 'w', &age);
		d = state_last(sf, m, 'd', &unused);
		s = state_last(sf, m, 's', &unused) / 1000;
		track_one(added, set, m, w, d, s, age);
		state_keep(sf, m, 'w', waiting(set, m));
		state_keep(sf, m, 'd', m->value);
		s = like(added, "queue_not_draining_seconds", m);
		if (!isnan(s))
			state_keep(sf, m, 's', round(s * 1000));
	}
	add_all(set, added);
}

void drain_remember(struct drain_memory *mem, struct metric_set *set, double now)
{
	struct metric_set *keep = metric_set_new();

	drain_track(set, mem->prev, now - mem->when);
	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);

		if (strcmp(m->name, "queue_depth") == 0 || strcmp(m->name, "queue_ready") == 0 ||
		    strcmp(m->name, "queue_not_draining_seconds") == 0)
			metric_set_copy(keep, m);
	}
	metric_set_free(mem->prev);
	mem->prev = keep;
	mem->when = now;
}

void drain_memory_free(struct drain_memory *mem)
{
	metric_set_free(mem->prev);
	mem->prev = NULL;
}

void drain_words(const struct metric_set *set, const struct metric *m, char *out, size_t outlen)
{
	double seconds = like(set, "queue_not_draining_seconds", m),
	       rate = like(set, "queue_drain_rate", m);
	char t[32];

	out[0] = '\0';
	if (seconds >= 1) {
		num_duration(seconds, t, sizeof(t));
		snprintf(out, outlen, ", not draining for %s", t);
	} else if (rate > 0 && m->value > 0) {
		num_duration(ceil(m->value / rate), t, sizeof(t));
		snprintf(out, outlen, ", empty in about %s at %.2f/s", t, rate);
	} else if (rate < 0) {
		snprintf(out, outlen, ", growing by %.2f/s", -rate);
	}
}

void drain_say(const struct metric *m, double v, const char *what, char *out, size_t outlen)
{
	const char *q = metric_label(m, "queue");
	char t[32];

	(void)what;
	num_duration(v, t, sizeof(t));
	snprintf(out, outlen, "queue %s has not drained for %s", q != NULL ? q : "", t);
}

bool drain_wanted(const struct plugin_args *a)
{
	struct threshold t = thresholds_get(a->thresholds, "queue_not_draining_seconds", -1);

	return a->verbose > 0 || t.has_warn || t.has_crit;
}
