/*
 * The lock model shared by the database probes (see locks.h): sessions,
 * "waits for" edges, and what follows from them. Reports are small (the
 * sessions involved in lock waits right now), so chains are followed with
 * a plain walk over the edge list.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/locks.h"
#include "xalloc.h"

void locks_init(struct lock_report *r)
{
	memset(r, 0, sizeof(*r));
	r->deadlocks = NAN;
	r->row_waits = NAN;
	r->row_wait_time = NAN;
	r->table_waits = NAN;
}

void locks_free(struct lock_report *r)
{
	for (size_t i = 0; i < r->nsessions; i++) {
		struct lock_session *s = &r->sessions[i];

		free(s->user);
		free(s->host);
		free(s->database);
		free(s->query);
		free(s->lock);
	}
	free(r->sessions);
	free(r->edges);
	locks_init(r);
}

const struct lock_session *locks_find(const struct lock_report *r, long id)
{
	for (size_t i = 0; i < r->nsessions; i++)
		if (r->sessions[i].id == id)
			return &r->sessions[i];
	return NULL;
}

struct lock_session *locks_session(struct lock_report *r, long id)
{
	struct lock_session *s = (struct lock_session *)locks_find(r, id);

	if (s != NULL)
		return s;
	if (r->nsessions == LOCKS_SESSIONS_MAX) {
		r->dropped++;
		return NULL;
	}
	r->sessions = xreallocarray(r->sessions, r->nsessions + 1, sizeof(*r->sessions));
	s = &r->sessions[r->nsessions++];
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->wait = NAN;
	s->trx_age = NAN;
	s->idle = NAN;
	return s;
}

void locks_set(char **field, const char *value, bool is_query)
{
	size_t n;

	free(*field);
	*field = NULL;
	if (value == NULL)
		return;
	n = strlen(value);
	if (!is_query || n <= LOCKS_QUERY_MAX) {
		*field = xstrdup(value);
		return;
	}
	/* Cut at a character boundary: never leave half a UTF-8 sequence. */
	n = LOCKS_QUERY_MAX;
	while (n > 0 && ((unsigned char)value[n] & 0xC0) == 0x80)
		n--;
	*field = xmalloc(n + 4);
	memcpy(*field, value, n);
	memcpy(*field + n, "...", 4);
}

void locks_edge(struct lock_report *r, long waiter, long blocker)
{
	if (waiter == blocker)
		return;
	for (size_t i = 0; i < r->nedges; i++)
		if (r->edges[i].waiter == waiter && r->edges[i].blocker == blocker)
			return;
	r->edges = xreallocarray(r->edges, r->nedges + 1, sizeof(*r->edges));
	r->edges[r->nedges].waiter = waiter;
	r->edges[r->nedges].blocker = blocker;
	r->nedges++;
}

/* Index of session id in r, or -1. */
static long session_index(const struct lock_report *r, long id)
{
	const struct lock_session *s = locks_find(r, id);

	return s == NULL ? -1 : (long)(s - r->sessions);
}

/*
 * How many sessions wait for session root, directly or through others:
 * a breadth-first walk backwards along the edges, each session once.
 */
static size_t held_up(const struct lock_report *r, long root, bool *seen, long *queue)
{
	size_t head = 0, tail = 0, n = 0;

	memset(seen, 0, r->nsessions * sizeof(*seen));
	queue[tail++] = root;
	while (head < tail) {
		long id = queue[head++];

		for (size_t i = 0; i < r->nedges; i++) {
			long w = session_index(r, r->edges[i].waiter);

			if (r->edges[i].blocker != id || r->edges[i].waiter == root || w < 0 ||
			    seen[w])
				continue;
			seen[w] = true;
			queue[tail++] = r->edges[i].waiter;
			n++;
		}
	}
	return n;
}

void locks_analyse(struct lock_report *r)
{
	bool *seen;
	long *queue;

	if (r->nsessions == 0)
		return;
	seen = xcalloc(r->nsessions, sizeof(*seen));
	queue = xcalloc(r->nsessions + 1, sizeof(*queue));
	for (size_t i = 0; i < r->nsessions; i++) {
		struct lock_session *s = &r->sessions[i];

		s->blocks_direct = 0;
		for (size_t j = 0; j < r->nedges; j++)
			if (r->edges[j].blocker == s->id && locks_find(r, r->edges[j].waiter) != NULL)
				s->blocks_direct++;
		s->blocks_total = s->blocks_direct == 0 ? 0 : held_up(r, s->id, seen, queue);
	}
	free(seen);
	free(queue);
}

size_t locks_waiters(const struct lock_report *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nsessions; i++)
		if (!isnan(r->sessions[i].wait))
			n++;
	return n;
}

size_t locks_blockers(const struct lock_report *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nsessions; i++)
		if (r->sessions[i].blocks_direct > 0)
			n++;
	return n;
}

double locks_longest(const struct lock_report *r)
{
	double longest = 0;

	for (size_t i = 0; i < r->nsessions; i++)
		if (r->sessions[i].wait > longest)
			longest = r->sessions[i].wait;
	return longest;
}

/* Whether blocker a is a better first suspect than b (b may be NULL). */
static bool worse(const struct lock_session *a, const struct lock_session *b)
{
	bool a_head = isnan(a->wait), b_head;

	if (b == NULL)
		return true;
	b_head = isnan(b->wait);
	if (a_head != b_head)
		return a_head;
	if (a->blocks_total != b->blocks_total)
		return a->blocks_total > b->blocks_total;
	if (isnan(b->trx_age))
		return !isnan(a->trx_age);
	return a->trx_age > b->trx_age;
}

const struct lock_session *locks_worst_blocker(const struct lock_report *r)
{
	const struct lock_session *worst = NULL;

	for (size_t i = 0; i < r->nsessions; i++)
		if (r->sessions[i].blocks_direct > 0 && worse(&r->sessions[i], worst))
			worst = &r->sessions[i];
	return worst;
}

long locks_blocker_of(const struct lock_report *r, long waiter)
{
	long best = -1;

	for (size_t i = 0; i < r->nedges; i++)
		if (r->edges[i].waiter == waiter && (best < 0 || r->edges[i].blocker < best))
			best = r->edges[i].blocker;
	return best;
}

void locks_who(const struct lock_session *s, char *out, size_t outlen)
{
	if (s->user != NULL && s->host != NULL)
		snprintf(out, outlen, "%s@%s", s->user, s->host);
	else if (s->user != NULL || s->host != NULL)
		snprintf(out, outlen, "%s", s->user != NULL ? s->user : s->host);
	else
		snprintf(out, outlen, "unknown");
}

void locks_metrics(const struct lock_report *r, struct metric_set *set)
{
	const struct {
		const char *name;
		double value;
		const char *unit;
	} counters[] = {
		{"lock_deadlocks", r->deadlocks, ""},
		{"lock_row_waits", r->row_waits, ""},
		{"lock_row_wait_time", r->row_wait_time, "s"},
		{"lock_table_waits", r->table_waits, ""},
	};
	size_t most = 0;
	double idle = 0;

	for (size_t i = 0; i < r->nsessions; i++) {
		const struct lock_session *s = &r->sessions[i];

		if (s->blocks_total > most)
			most = s->blocks_total;
		if (s->blocks_direct > 0 && s->idle > idle)
			idle = s->idle;
	}
	metric_set_add(set, "lock_waiters", METRIC_GAUGE, "", (double)locks_waiters(r));
	metric_set_add(set, "lock_wait_longest", METRIC_GAUGE, "s", locks_longest(r));
	metric_set_add(set, "lock_blockers", METRIC_GAUGE, "", (double)locks_blockers(r));
	metric_set_add(set, "lock_blocked_most", METRIC_GAUGE, "", (double)most);
	metric_set_add(set, "lock_blocker_idle", METRIC_GAUGE, "s", idle);
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		if (!isnan(counters[i].value))
			metric_set_add(set, counters[i].name, METRIC_COUNTER, counters[i].unit,
				       counters[i].value);
}

/* Order blockers by sessions held up, most first, then by id. */
static int by_held_up(const void *a, const void *b)
{
	const struct lock_session *x = *(const struct lock_session *const *)a;
	const struct lock_session *y = *(const struct lock_session *const *)b;

	if (x->blocks_total != y->blocks_total)
		return x->blocks_total > y->blocks_total ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* Label m with who blocker s is. */
static void label_blocker(struct metric *m, const struct lock_session *s)
{
	char id[32];

	snprintf(id, sizeof(id), "%ld", s->id);
	metric_label_add(m, "id", id);
	metric_label_add(m, "user", s->user != NULL ? s->user : "");
	metric_label_add(m, "host", s->host != NULL ? s->host : "");
	metric_label_add(m, "query", s->query != NULL ? s->query : "");
}

void locks_blocker_metrics(const struct lock_report *r, struct metric_set *set, size_t max)
{
	const struct lock_session **list = xcalloc(r->nsessions + 1, sizeof(*list));
	size_t n = 0;

	for (size_t i = 0; i < r->nsessions; i++)
		if (r->sessions[i].blocks_direct > 0)
			list[n++] = &r->sessions[i];
	qsort(list, n, sizeof(*list), by_held_up);
	for (size_t i = 0; i < n && i < max; i++) {
		const struct lock_session *s = list[i];

		label_blocker(metric_set_add(set, "lock_blocker_sessions", METRIC_GAUGE, "",
					     (double)s->blocks_total),
			      s);
		label_blocker(metric_set_add(set, "lock_blocker_trx_age", METRIC_GAUGE, "s",
					     s->trx_age),
			      s);
		label_blocker(metric_set_add(set, "lock_blocker_trx_idle", METRIC_GAUGE, "s",
					     isnan(s->idle) ? 0 : s->idle),
			      s);
	}
	free(list);
}
