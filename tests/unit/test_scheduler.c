/*
 * The scheduler with collector kinds of this test: each collection
 * published as a snapshot, failures and their start, the watchdog naming a
 * collection that runs over its limit, a snapshot that outlives its
 * scheduler (reference counts), a collector stuck at scheduler_stop that
 * frees the scheduler when it returns, and scheduler_wait_first.
 *
 * The test links agent/scheduler.c without agent/collectors.c: its own
 * collector_find() below is the registry, so no product code changes for
 * it. A collection that must not end yet waits at a gate the test opens;
 * every wait has a deadline.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "collector.h"
#include "log.h"
#include "scheduler.h"
#include "testutil.h"

/* How long anything the test waits for may take on a busy machine (s). */
#define PATIENCE 20

/* How a fake collector behaves, chosen by its section's name. */
enum fake_mode {
	FAKE_OK,	 /* collects at once */
	FAKE_FAIL,	 /* fails at once: "connection refused" */
	FAKE_FLAKY,	 /* fails the first time, then collects */
	FAKE_GATED_ONCE, /* the first collection waits at the gate */
	FAKE_GATED,	 /* every collection waits at the gate */
};

struct fake {
	const char *name;
	enum fake_mode mode;
	int destroyed; /* times destroy() freed an instance of it */
};

static struct fake fakes[] = {
    {"counter", FAKE_OK, 0},	  {"refused", FAKE_FAIL, 0}, {"flaky", FAKE_FLAKY, 0},
    {"slow", FAKE_GATED_ONCE, 0}, {"stuck", FAKE_GATED, 0},
};

/* One configured instance: allocated, so a missed destroy() is a leak. */
struct instance {
	struct fake *fake;
	int calls;
};

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool gate_open;
static int at_gate; /* collections waiting at the gate now */

/* Wait at the gate until the test opens it. */
static void gate_wait(void)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2 * PATIENCE;
	pthread_mutex_lock(&gate_lock);
	at_gate++;
	pthread_cond_broadcast(&gate_cond);
	while (!gate_open && pthread_cond_timedwait(&gate_cond, &gate_lock, &until) == 0)
		;
	at_gate--;
	pthread_mutex_unlock(&gate_lock);
}

/* Wait until a collection waits at the gate. */
static void gate_reached(void)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += PATIENCE;
	pthread_mutex_lock(&gate_lock);
	while (at_gate == 0 && pthread_cond_timedwait(&gate_cond, &gate_lock, &until) == 0)
		;
	cr_assert_gt(at_gate, 0, "no collection reached the gate");
	pthread_mutex_unlock(&gate_lock);
}

static void gate_set(bool open)
{
	pthread_mutex_lock(&gate_lock);
	gate_open = open;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
}

static void *fake_create(const struct config_collector *cc, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(fakes) / sizeof(fakes[0]); i++) {
		if (strcmp(fakes[i].name, cc->name) == 0) {
			struct instance *in = calloc(1, sizeof(*in));

			cr_assert_not_null(in);
			in->fake = &fakes[i];
			return in;
		}
	}
	snprintf(err, errlen, "[%s]: no such fake", cc->name);
	return NULL;
}

static int fake_collect(void *state, struct metric_set *set, char *err, size_t errlen)
{
	struct instance *in = state;
	enum fake_mode mode = in->fake->mode;

	in->calls++;
	if (mode == FAKE_GATED || (mode == FAKE_GATED_ONCE && in->calls == 1))
		gate_wait();
	if (mode == FAKE_FAIL || (mode == FAKE_FLAKY && in->calls == 1)) {
		snprintf(err, errlen, "connection refused");
		return -1;
	}
	metric_set_add(set, "fake_calls", METRIC_COUNTER, "", in->calls);
	return 0;
}

static void fake_destroy(void *state)
{
	struct instance *in = state;

	__atomic_add_fetch(&in->fake->destroyed, 1, __ATOMIC_SEQ_CST);
	free(in);
}

static const char *const fake_families[] = {"fake_", NULL};

static const struct collector_kind fake_kind = {.kind = "fake",
						.create = fake_create,
						.collect = fake_collect,
						.destroy = fake_destroy,
						.families = fake_families,
						.name_label = "target"};

/* The agent's own collector, which the scheduler always adds: stateless here. */
static int self_collect(void *state, struct metric_set *set, char *err, size_t errlen)
{
	(void)state;
	(void)err;
	(void)errlen;
	metric_set_add(set, "fake_self", METRIC_GAUGE, "", 1);
	return 0;
}

static const struct collector_kind self_kind = {.kind = "self", .collect = self_collect};

/* A kind whose instances cannot be made (a password file that cannot be read). */
static void *broken_create(const struct config_collector *cc, char *err, size_t errlen)
{
	snprintf(err, errlen, "[%s]: cannot read the password file", cc->name);
	return NULL;
}

static const struct collector_kind broken_kind = {.kind = "broken", .create = broken_create};

/* This test's registry, in place of agent/collectors.c. */
const struct collector_kind *collector_find(const char *name)
{
	static const struct collector_kind *const kinds[] = {&fake_kind, &self_kind, &broken_kind};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i]->kind, name) == 0)
			return kinds[i];
	return NULL;
}

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char logged[4096];

/* The scheduler's log, kept for the test to read. */
void log_msg(int prio, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	(void)prio;
	pthread_mutex_lock(&log_lock);
	n = strlen(logged);
	va_start(ap, fmt);
	vsnprintf(logged + n, sizeof(logged) - n, fmt, ap);
	va_end(ap);
	n = strlen(logged);
	if (n + 1 < sizeof(logged))
		memcpy(logged + n, "\n", 2);
	pthread_mutex_unlock(&log_lock);
}

static bool log_has(const char *line)
{
	bool found;

	pthread_mutex_lock(&log_lock);
	found = strstr(logged, line) != NULL;
	pthread_mutex_unlock(&log_lock);
	return found;
}

static struct config_collector collectors[4];
static struct config conf;

/* A configuration of fake collectors called names (NULL-ended), with interval and timeout. */
static const struct config *configure(const char *const *names, double interval, double timeout)
{
	size_t n = 0;

	memset(collectors, 0, sizeof(collectors));
	for (; names[n] != NULL; n++) {
		cr_assert_lt(n, sizeof(collectors) / sizeof(collectors[0]));
		collectors[n].kind = test_str(strcmp(names[n], "broken") == 0 ? "broken" : "fake");
		collectors[n].name = test_str(names[n]);
		collectors[n].interval = interval;
		collectors[n].timeout = timeout;
	}
	memset(&conf, 0, sizeof(conf));
	conf.collectors = collectors;
	conf.ncollectors = n;
	conf.interval = interval;
	conf.timeout = timeout;
	return &conf;
}

static struct scheduler *start(const char *const *names, double interval, double timeout)
{
	char err[256] = "";
	struct scheduler *s =
	    scheduler_new(configure(names, interval, timeout), 1000, err, sizeof(err));

	cr_assert_not_null(s, "%s", err);
	cr_assert_eq(scheduler_run(s, err, sizeof(err)), 0, "%s", err);
	return s;
}

/* Whether the condition holds for source i of a snapshot. */
typedef bool source_test(const struct source *src);

/*
 * Wait until source i of s's snapshot passes ok; returns that snapshot,
 * acquired (the caller releases it).
 */
static const struct snapshot *wait_source(struct scheduler *s, size_t i, source_test *ok)
{
	double deadline = time_monotonic() + PATIENCE;

	for (;;) {
		const struct snapshot *snap = scheduler_acquire(s);

		cr_assert_lt(i, snap->n);
		if (ok(&snap->sources[i]))
			return snap;
		snapshot_release(snap);
		cr_assert_lt(time_monotonic(), deadline, "the snapshot never got there");
		usleep(2000);
	}
}

static bool ran_three_times(const struct source *src)
{
	return src->runs >= 3;
}

static bool ran(const struct source *src)
{
	return src->runs >= 1;
}

static bool ran_twice(const struct source *src)
{
	return src->runs >= 2;
}

static bool has_error(const struct source *src)
{
	return src->last_error != NULL;
}

/* The threads of this process now. */
static int threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static int destroyed(const char *name)
{
	for (size_t i = 0; i < sizeof(fakes) / sizeof(fakes[0]); i++)
		if (strcmp(fakes[i].name, name) == 0)
			return __atomic_load_n(&fakes[i].destroyed, __ATOMIC_SEQ_CST);
	cr_assert_fail("no fake %s", name);
	return -1;
}

/* Every test ends with nothing leaked (in the sanitizer build). */
TestSuite(scheduler, .fini = test_no_leaks);

Test(scheduler, before_it_runs_the_snapshot_has_every_source_and_no_metrics)
{
	const char *const names[] = {"counter", NULL};
	char err[256] = "";
	struct scheduler *s;
	const struct snapshot *snap;

	s = scheduler_new(configure(names, 7, 3), 1234.5, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	snap = scheduler_acquire(s);
	/* The configured collectors, then the agent's own. */
	cr_assert_eq(snap->n, 2);
	cr_expect_str_eq(snap->sources[0].name, "counter");
	cr_expect_str_eq(snap->sources[1].name, "self");
	cr_expect_eq(snap->started_at, 1234.5);
	for (size_t i = 0; i < snap->n; i++) {
		cr_expect_null(snap->sources[i].metrics);
		cr_expect_eq(snap->sources[i].runs, 0);
		cr_expect_eq(snap->sources[i].interval, 7);
		cr_expect_eq(snap->sources[i].timeout, 3);
	}
	cr_expect_eq(snap->sources[0].families, fake_families);
	cr_expect_str_eq(snap->sources[0].name_label, "target");
	cr_expect_null(snap->sources[0].where);
	/* Not started: nothing waits for a first run that never comes. */
	cr_expect_eq(scheduler_wait_first(s, 0.01), -1);
	snapshot_release(snap);
	scheduler_stop(s);
	cr_expect_eq(destroyed("counter"), 1);
}

Test(scheduler, a_source_names_where_it_collects_from)
{
	const char *const names[] = {"counter", NULL};
	char err[256] = "";
	const struct config *c = configure(names, 7, 3);
	struct scheduler *s;
	const struct snapshot *snap;

	collectors[0].where = test_str("127.0.0.1:6379");
	s = scheduler_new(c, 1, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	snap = scheduler_acquire(s);
	cr_expect_str_eq(snap->sources[0].where, "127.0.0.1:6379");
	cr_expect_null(snap->sources[1].where);
	snapshot_release(snap);
	scheduler_stop(s);
}

Test(scheduler, every_collection_is_published)
{
	const char *const names[] = {"counter", NULL};
	struct scheduler *s = start(names, 0.01, 5);
	const struct snapshot *a = wait_source(s, 0, ran_three_times), *b;
	const struct source *src = &a->sources[0];

	cr_expect_null(src->last_error);
	cr_expect_eq(src->failing_since, 0);
	cr_expect_eq(src->errors, 0);
	cr_expect_gt(src->collected_at, 0);
	cr_expect_eq(src->collected_at, src->last_attempt);
	cr_assert_not_null(src->metrics);
	/* The metrics are those of the latest collection: the fake counts its calls. */
	cr_expect_eq(metric_set_value(src->metrics, "fake_calls", NULL, NULL), (double)src->runs);
	/* Later snapshots are newer. */
	b = wait_source(s, 0, ran_three_times);
	while (b->sources[0].runs == src->runs) {
		snapshot_release(b);
		usleep(2000);
		b = scheduler_acquire(s);
	}
	cr_expect_gt(b->generation, a->generation);
	cr_expect_gt(b->sources[0].runs, src->runs);
	cr_expect_eq(metric_set_value(b->sources[0].metrics, "fake_calls", NULL, NULL),
		     (double)b->sources[0].runs);
	snapshot_release(b);
	snapshot_release(a);
	scheduler_stop(s);
	cr_expect_eq(destroyed("counter"), 1);
}

Test(scheduler, a_failing_collector_says_why_and_since_when)
{
	const char *const names[] = {"refused", "flaky", NULL};
	struct scheduler *s = start(names, 0.01, 5);
	const struct snapshot *snap = wait_source(s, 0, ran_twice), *later;
	const struct source *src = &snap->sources[0];

	cr_expect_str_eq(src->last_error, "connection refused");
	cr_expect_null(src->metrics);
	cr_expect_eq(src->errors, src->runs);
	cr_expect_gt(src->failing_since, 0);
	cr_expect(source_is_failing(src, time_now()));
	/* The failures began with the first: later ones keep its time. */
	later = scheduler_acquire(s);
	while (later->sources[0].runs == src->runs) {
		snapshot_release(later);
		usleep(2000);
		later = scheduler_acquire(s);
	}
	cr_expect_eq(later->sources[0].failing_since, src->failing_since);
	snapshot_release(later);
	snapshot_release(snap);

	/* A success clears the error and its start; the count of errors stays. */
	snap = wait_source(s, 1, ran_twice);
	src = &snap->sources[1];
	cr_expect_null(src->last_error);
	cr_expect_eq(src->failing_since, 0);
	cr_expect_eq(src->errors, 1);
	cr_expect_not_null(src->metrics);
	snapshot_release(snap);
	scheduler_stop(s);
}

Test(scheduler, the_watchdog_reports_a_collection_over_its_limit)
{
	const char *const names[] = {"slow", NULL};
	struct scheduler *s;
	const struct snapshot *snap;
	const struct source *src;

	/* An hour between collections: after the slow one, nothing changes its source. */
	gate_set(false);
	s = start(names, 3600, 0.2);
	gate_reached();
	/* The watchdog looks once a second. */
	snap = wait_source(s, 0, has_error);
	src = &snap->sources[0];
	cr_expect(strstr(src->last_error, "collection still running after ") == src->last_error,
		  "%s", src->last_error);
	cr_expect_neq(strstr(src->last_error, ", over its 0.2 s limit"), NULL, "%s",
		      src->last_error);
	cr_expect_eq(src->runs, 0);
	cr_expect_eq(src->errors, 1);
	cr_expect_gt(src->failing_since, 0);
	cr_expect(source_is_failing(src, time_now()));
	snapshot_release(snap);

	/* When it returns, late, its metrics are not taken and it is not counted twice. */
	gate_set(true);
	snap = wait_source(s, 0, ran);
	src = &snap->sources[0];
	cr_expect_eq(src->runs, 1);
	cr_expect_null(src->metrics);
	cr_expect_eq(src->errors, 1);
	cr_expect_neq(strstr(src->last_error, "still running"), NULL, "%s", src->last_error);
	cr_expect_gt(src->duration, 0.2);
	snapshot_release(snap);
	/* Stopping wakes the collector from its hour's wait at once. */
	scheduler_stop(s);
	cr_expect_eq(destroyed("slow"), 1);
}

Test(scheduler, a_snapshot_outlives_its_scheduler)
{
	const char *const names[] = {"counter", NULL};
	struct scheduler *s = start(names, 0.01, 5);
	const struct snapshot *snap = wait_source(s, 0, ran), *again;
	double calls;

	again = scheduler_acquire(s);
	scheduler_stop(s);
	cr_expect_eq(destroyed("counter"), 1);
	/* Both references still read what they held (ASan would see a use after free). */
	cr_assert_eq(snap->n, 2);
	cr_expect_str_eq(snap->sources[0].name, "counter");
	calls = metric_set_value(snap->sources[0].metrics, "fake_calls", NULL, NULL);
	cr_expect_geq(calls, 1);
	snapshot_release(snap);
	cr_expect_str_eq(again->sources[0].name, "counter");
	cr_expect_geq(metric_set_value(again->sources[0].metrics, "fake_calls", NULL, NULL), calls);
	/* The last release frees it: LeakSanitizer would see it otherwise. */
	snapshot_release(again);
}

Test(scheduler, a_stuck_collector_frees_the_stopped_scheduler_when_it_returns)
{
	const char *const names[] = {"stuck", "counter", NULL};
	int before = threads();
	struct scheduler *s;
	const struct snapshot *snap;
	double deadline;

	gate_set(false);
	s = start(names, 0.01, 5);
	gate_reached();
	snap = scheduler_acquire(s);
	/* Waits a second for the stuck one, then leaves it the scheduler. */
	scheduler_stop(s);
	cr_expect(
	    log_has("stopped collectors: [stuck] still in a collection; freed when it returns"),
	    "%s", logged);
	/* Nothing is freed while the stuck collection may still use it. */
	cr_expect_eq(destroyed("stuck"), 0);
	cr_expect_eq(destroyed("counter"), 0);
	gate_set(true);
	deadline = time_monotonic() + PATIENCE;
	while ((destroyed("counter") == 0 || threads() > before) && time_monotonic() < deadline)
		usleep(2000);
	cr_expect_eq(destroyed("stuck"), 1);
	cr_expect_eq(destroyed("counter"), 1);
	/* The last thread has returned, so the scheduler is freed or LeakSanitizer says so. */
	cr_expect_eq(threads(), before);
	cr_expect(log_has("[stuck] of a stopped configuration returned; its collectors are freed"),
		  "%s", logged);
	/* The snapshot taken before is still whole. */
	cr_expect_str_eq(snap->sources[0].name, "stuck");
	snapshot_release(snap);
}

Test(scheduler, wait_first_waits_for_every_first_collection)
{
	const char *const names[] = {"counter", "slow", NULL};
	struct scheduler *s;
	const struct snapshot *snap;

	gate_set(false);
	s = start(names, 0.01, 5);
	gate_reached();
	cr_expect_eq(scheduler_wait_first(s, 0.05), -1);
	gate_set(true);
	cr_expect_eq(scheduler_wait_first(s, PATIENCE), 0);
	snap = scheduler_acquire(s);
	for (size_t i = 0; i < snap->n; i++)
		cr_expect_geq(snap->sources[i].runs, 1, "%s", snap->sources[i].name);
	snapshot_release(snap);
	scheduler_stop(s);
}

Test(scheduler, an_unknown_kind_is_refused)
{
	const char *const names[] = {"counter", NULL};
	const struct config *c = configure(names, 1, 1);
	char err[256] = "";

	collectors[0].kind = test_str("nope");
	collectors[0].name = test_str("nope x");
	cr_expect_null(scheduler_new(c, 1, err, sizeof(err)));
	cr_expect_str_eq(err, "[nope x]: no such collector");
}

Test(scheduler, a_collector_that_cannot_be_made_is_refused_and_the_rest_freed)
{
	const char *const names[] = {"counter", "broken", NULL};
	char err[256] = "";

	cr_expect_null(scheduler_new(configure(names, 1, 1), 1, err, sizeof(err)));
	cr_expect_str_eq(err, "[broken]: cannot read the password file");
	/* The one made before is destroyed again. */
	cr_expect_eq(destroyed("counter"), 1);
}
