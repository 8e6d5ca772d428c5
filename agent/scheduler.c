/*
 * Collector threads and snapshot publishing (see scheduler.h).
 *
 * The scheduler keeps a master copy of every source under one mutex. After
 * each collection the collector thread updates its source and publishes a
 * copy of all sources as a new reference-counted snapshot; readers take a
 * reference under the same mutex (a pointer read and an increment) and
 * never wait for a collection. A source's metric set is never copied: the
 * master and every snapshot share it by reference (metric_set_ref), so a
 * publish costs a few small strings per source, whatever the number of
 * metrics. A watchdog thread marks collections that run over their time
 * limit, so a hung source says so in its last_error.
 *
 * A scheduler stopped while a collector is stuck in a call is left to that
 * thread: the last collector thread to return frees it.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "clock.h"
#include "collector.h"
#include "log.h"
#include "num.h"
#include "scheduler.h"
#include "xalloc.h"

struct published {
	struct snapshot snap; /* first, so a snapshot pointer is a published pointer */
	int refs;
};

struct job {
	struct scheduler *sched;
	size_t index;
	const struct collector_kind *kind;
	void *state;
	pthread_t thread;
	bool started_thread;
	double running_since; /* monotonic start of the running collection, 0 when idle */
	bool overdue;	      /* the watchdog reported this collection */
};

struct scheduler {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping;
	struct job *jobs;
	struct source *sources; /* master copies, one per job */
	size_t n;
	struct published *current;
	double started_at;
	pthread_t watchdog;
	bool started_watchdog;
	int threads_running;
	bool abandoned; /* stopped with collectors still running: the last to return frees it */
};

/* Snapshot generations, unique for the life of the process. */
static unsigned long generations;

static void copy_source(struct source *dst, const struct source *src)
{
	*dst = *src;
	dst->name = xstrdup(src->name);
	dst->metrics = metric_set_ref(src->metrics);
	dst->prev_metrics = metric_set_ref(src->prev_metrics);
	dst->last_error = src->last_error == NULL ? NULL : xstrdup(src->last_error);
	dst->where = src->where == NULL ? NULL : xstrdup(src->where);
}

static void free_source(struct source *s)
{
	free(s->name);
	metric_set_free(s->metrics);
	metric_set_free(s->prev_metrics);
	free(s->last_error);
	free(s->where);
}

/* Drop a reference; the last one frees. Atomic, so release needs no lock. */
static void unref(struct published *p)
{
	if (p == NULL || __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	for (size_t i = 0; i < p->snap.n; i++)
		free_source(&p->snap.sources[i]);
	free(p->snap.sources);
	free(p);
}

/* Replace the current snapshot by a copy of the master sources; lock held. */
static void publish(struct scheduler *s)
{
	struct published *p = xcalloc(1, sizeof(*p));

	p->snap.sources = xcalloc(s->n, sizeof(*p->snap.sources));
	p->snap.n = s->n;
	p->snap.started_at = s->started_at;
	p->snap.generation = __atomic_add_fetch(&generations, 1, __ATOMIC_RELAXED);
	for (size_t i = 0; i < s->n; i++)
		copy_source(&p->snap.sources[i], &s->sources[i]);
	p->refs = 1;
	unref(s->current);
	s->current = p;
}

const struct snapshot *scheduler_acquire(struct scheduler *s)
{
	struct published *p;

	pthread_mutex_lock(&s->lock);
	p = s->current;
	__atomic_add_fetch(&p->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&s->lock);
	return &p->snap;
}

void snapshot_release(const struct snapshot *snap)
{
	/* The published record around snap, which is the one thing readers hold. */
	unref((struct published *)((uintptr_t)snap - offsetof(struct published, snap)));
}

static void set_error(struct source *src, const char *msg)
{
	if (src->failing_since == 0)
		src->failing_since = time_now();
	free(src->last_error);
	src->last_error = xstrdup(msg);
	src->errors++;
}

/* "collection took 3.2 s, over its 2 s limit", in the checks' words for seconds. */
static void overdue_message(char *msg, size_t msglen, const char *what, double took, double limit)
{
	char t[32], l[32];

	num_seconds(took, t, sizeof(t));
	num_seconds(limit, l, sizeof(l));
	snprintf(msg, msglen, "collection %s %s, over its %s limit", what, t, l);
}

/* Record one finished collection in the master copy and publish; lock held. */
static void record(struct job *j, struct metric_set *set, int r, const char *err, double took)
{
	struct source *src = &j->sched->sources[j->index];
	char msg[256];

	src->runs++;
	src->last_attempt = time_now();
	src->duration = took;
	if (r == 0 && took <= src->timeout) {
		/* The collection before stays, for the check endpoint's rates. */
		metric_set_free(src->prev_metrics);
		src->prev_metrics = src->metrics;
		src->prev_collected_at = src->collected_at;
		src->metrics = set;
		src->collected_at = src->last_attempt;
		free(src->last_error);
		src->last_error = NULL;
		src->failing_since = 0;
	} else {
		if (r == 0)
			overdue_message(msg, sizeof(msg), "took", took, src->timeout);
		metric_set_free(set);
		/* The watchdog already counted a collection that ran over. */
		if (!j->overdue)
			set_error(src, r == 0 ? msg : err);
	}
	j->running_since = 0;
	j->overdue = false;
	publish(j->sched);
}

/* Sleep on the condition until it is signalled or deadline (monotonic) passes; lock held. */
static void timed_wait(struct scheduler *s, double deadline)
{
	double left = deadline - time_monotonic();
	struct timespec ts;

	if (left <= 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)left;
	ts.tv_nsec += (long)((left - (double)(time_t)left) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&s->wake, &s->lock, &ts);
}

/* Wait until deadline or until the scheduler stops; lock held. */
static void wait_until(struct scheduler *s, double deadline)
{
	while (!s->stopping && time_monotonic() < deadline)
		timed_wait(s, deadline);
}

static void free_scheduler(struct scheduler *s);

static void *run_job(void *arg)
{
	struct job *j = arg;
	struct scheduler *s = j->sched;
	double interval = s->sources[j->index].interval;
	bool last;

	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		double t0 = time_monotonic(), took;
		struct metric_set *set = metric_set_new();
		char err[512] = "";
		int r;

		j->running_since = t0;
		pthread_mutex_unlock(&s->lock);
		r = j->kind->collect(j->state, set, err, sizeof(err));
		took = time_monotonic() - t0;
		pthread_mutex_lock(&s->lock);
		record(j, set, r, err, took);
		wait_until(s, t0 + interval);
	}
	s->threads_running--;
	last = s->abandoned && s->threads_running == 0;
	pthread_cond_broadcast(&s->wake);
	pthread_mutex_unlock(&s->lock);
	if (last) {
		log_msg(LOG_INFO,
			"[%s] of a stopped configuration returned; its collectors are freed",
			s->sources[j->index].name);
		free_scheduler(s);
	}
	return NULL;
}

/* Once a second, mark collections that run past their limit. */
static void *run_watchdog(void *arg)
{
	struct scheduler *s = arg;
	char msg[256];

	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		bool changed = false;
		double now = time_monotonic();

		for (size_t i = 0; i < s->n; i++) {
			struct job *j = &s->jobs[i];
			struct source *src = &s->sources[i];

			if (j->running_since == 0 || j->overdue ||
			    now - j->running_since <= src->timeout)
				continue;
			overdue_message(msg, sizeof(msg), "still running after",
					now - j->running_since, src->timeout);
			set_error(src, msg);
			j->overdue = true;
			changed = true;
		}
		if (changed)
			publish(s);
		wait_until(s, now + 1);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static int create_jobs(struct scheduler *s, const struct config *c, char *err, size_t errlen)
{
	/* The agent's own metrics are always collected, last, on the default interval. */
	char self_name[] = "self";
	struct config_collector self = {.kind = self_name, .name = self_name};

	self.interval = c->interval;
	self.timeout = c->timeout;
	for (size_t i = 0; i <= c->ncollectors; i++) {
		const struct config_collector *cc = i < c->ncollectors ? &c->collectors[i] : &self;
		struct job *j = &s->jobs[i];
		struct source *src = &s->sources[i];

		j->sched = s;
		j->index = i;
		j->kind = collector_find(cc->kind);
		if (j->kind == NULL) {
			snprintf(err, errlen, "[%s]: no such collector", cc->name);
			return -1;
		}
		if (j->kind->create != NULL) {
			j->state = j->kind->create(cc, err, errlen);
			if (j->state == NULL)
				return -1;
		}
		src->name = xstrdup(cc->name);
		src->where = cc->where != NULL ? xstrdup(cc->where) : NULL;
		src->families = j->kind->families;
		src->name_label = j->kind->name_label;
		src->interval = cc->interval;
		src->timeout = cc->timeout;
		s->n = i + 1;
	}
	return 0;
}

struct scheduler *scheduler_new(const struct config *c, double started_at, char *err, size_t errlen)
{
	struct scheduler *s = xcalloc(1, sizeof(*s));
	pthread_condattr_t attr;

	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&s->wake, &attr);
	pthread_condattr_destroy(&attr);
	s->started_at = started_at;
	s->jobs = xcalloc(c->ncollectors + 1, sizeof(*s->jobs));
	s->sources = xcalloc(c->ncollectors + 1, sizeof(*s->sources));
	if (create_jobs(s, c, err, errlen) != 0) {
		scheduler_stop(s);
		return NULL;
	}
	pthread_mutex_lock(&s->lock);
	publish(s);
	pthread_mutex_unlock(&s->lock);
	return s;
}

int scheduler_run(struct scheduler *s, char *err, size_t errlen)
{
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n; i++) {
		int e = pthread_create(&s->jobs[i].thread, NULL, run_job, &s->jobs[i]);

		if (e != 0) {
			snprintf(err, errlen, "cannot start a collector thread: %s", strerror(e));
			pthread_mutex_unlock(&s->lock);
			return -1;
		}
		s->jobs[i].started_thread = true;
		s->threads_running++;
	}
	s->started_watchdog = pthread_create(&s->watchdog, NULL, run_watchdog, s) == 0;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

struct scheduler *scheduler_start(const struct config *c, double started_at, char *err,
				  size_t errlen)
{
	struct scheduler *s = scheduler_new(c, started_at, err, errlen);

	if (s != NULL && scheduler_run(s, err, errlen) != 0) {
		scheduler_stop(s);
		return NULL;
	}
	return s;
}

/*
 * Hand s to its stuck collector threads, naming them in the log; lock held.
 * After the caller unlocks, s belongs to the last of them.
 */
static void abandon(struct scheduler *s)
{
	struct buf names;

	buf_init(&names, 1024);
	for (size_t i = 0; i < s->n; i++) {
		if (s->jobs[i].running_since != 0)
			buf_printf(&names, "%s[%s]", names.len > 0 ? ", " : "", s->sources[i].name);
		if (s->jobs[i].started_thread)
			pthread_detach(s->jobs[i].thread);
	}
	log_msg(LOG_WARNING, "stopped collectors: %s still in a collection; freed when it returns",
		buf_str(&names));
	buf_free(&names);
	s->abandoned = true;
}

void scheduler_stop(struct scheduler *s)
{
	double deadline;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_broadcast(&s->wake);
	/* Give collectors a second to finish; one stuck in a call is left behind. */
	deadline = time_monotonic() + 1;
	while (s->threads_running > 0 && time_monotonic() < deadline)
		timed_wait(s, deadline);
	pthread_mutex_unlock(&s->lock);
	/* The watchdog stops at once; it must be gone before s may be freed by another thread. */
	if (s->started_watchdog)
		pthread_join(s->watchdog, NULL);
	pthread_mutex_lock(&s->lock);
	if (s->threads_running > 0) {
		/* A stuck thread still points into s: the last one to return frees it. */
		abandon(s);
		pthread_mutex_unlock(&s->lock);
		return;
	}
	pthread_mutex_unlock(&s->lock);
	for (size_t i = 0; i < s->n; i++)
		if (s->jobs[i].started_thread)
			pthread_join(s->jobs[i].thread, NULL);
	free_scheduler(s);
}

/* Free s, whose collector threads have all returned. */
static void free_scheduler(struct scheduler *s)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->jobs[i].kind->destroy != NULL)
			s->jobs[i].kind->destroy(s->jobs[i].state);
		free_source(&s->sources[i]);
	}
	unref(s->current);
	free(s->jobs);
	free(s->sources);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int scheduler_wait_first(struct scheduler *s, double seconds)
{
	double deadline = time_monotonic() + seconds;
	int r = -1;

	pthread_mutex_lock(&s->lock);
	while (r != 0 && time_monotonic() < deadline) {
		r = 0;
		for (size_t i = 0; i < s->n; i++)
			if (s->sources[i].runs == 0)
				r = -1;
		if (r != 0)
			timed_wait(s, time_monotonic() + 0.01 < deadline ? time_monotonic() + 0.01
									 : deadline);
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}
