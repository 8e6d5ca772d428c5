/*
 * The lock model shared by the database probes (see locks.h): sessions,
 * "waits for" edges, and what follows from them. A report is small until
 * the database is in trouble: then a queue of n sessions behind one lock
 * can give n^2 edges (each waits for every conflicting one ahead), so the
 * analysis turns the edges into per-session lists once and walks those,
 * O(n (n + edges)) at worst, instead of scanning every edge at each step.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* The index of the session with id in r, or nsessions when there is none. */
static size_t find(const struct lock_report *r, long id)
{
	size_t i = 0;

	while (i < r->nsessions && r->sessions[i].id != id)
		i++;
	return i;
}

const struct lock_session *locks_find(const struct lock_report *r, long id)
{
	size_t i = find(r, id);

	return i < r->nsessions ? &r->sessions[i] : NULL;
}

struct lock_session *locks_known(struct lock_report *r, long id)
{
	size_t i = find(r, id);

	return i < r->nsessions ? &r->sessions[i] : NULL;
}

struct lock_session *locks_session(struct lock_report *r, long id)
{
	struct lock_session *s = locks_known(r, id);

	if (s != NULL)
		return s;
	if (r->nsessions == LOCKS_SESSIONS_MAX) {
		r->dropped++;
		return NULL;
	}
	r->sessions = xgrow(r->sessions, r->nsessions, sizeof(*r->sessions));
	s = &r->sessions[r->nsessions++];
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->wait = NAN;
	s->trx_age = NAN;
	s->idle = NAN;
	s->blocked_by = -1;
	return s;
}

/* Whether a keyword that precedes a password starts at q: PASSWORD, IDENTIFIED. */
static bool secret_keyword(const char *q)
{
	return strncasecmp(q, "password", 8) == 0 || strncasecmp(q, "identified", 10) == 0;
}

/*
 * A copy of statement q with every quoted string after PASSWORD or
 * IDENTIFIED written '***' ("ALTER USER app IDENTIFIED BY '***'", "ALTER
 * ROLE app PASSWORD '***'"): the statement says what runs, never the
 * secret it sets, in a label or in long output. A quote inside a string
 * is doubled or follows a backslash.
 */
static char *without_secrets(const char *q)
{
	char *out = xmalloc(strlen(q) * 3 + 1), *o = out;
	bool after = false;

	while (*q != '\0') {
		char quote = *q;
		const char *start = q;

		if (quote != '\'' && quote != '"') {
			after = after || secret_keyword(q);
			*o++ = *q++;
			continue;
		}
		for (q++; *q != '\0'; q++) {
			if (*q == '\\' && q[1] != '\0')
				q++;
			else if (*q == quote && q[1] == quote)
				q++;
			else if (*q == quote)
				break;
		}
		if (*q == quote)
			q++;
		if (after) {
			*o++ = quote;
			memcpy(o, "***", 3);
			o += 3;
			*o++ = quote;
		} else {
			memcpy(o, start, (size_t)(q - start));
			o += q - start;
		}
	}
	*o = '\0';
	return out;
}

void locks_set(char **field, const char *value, bool is_query)
{
	char *clean;
	size_t n;

	free(*field);
	*field = NULL;
	if (value == NULL)
		return;
	if (!is_query) {
		*field = xstrdup(value);
		return;
	}
	clean = without_secrets(value);
	n = strlen(clean);
	if (n <= LOCKS_QUERY_MAX) {
		*field = clean;
		return;
	}
	/* Cut at a character boundary: never leave half a UTF-8 sequence. */
	n = LOCKS_QUERY_MAX;
	while (n > 0 && ((unsigned char)clean[n] & 0xC0) == 0x80)
		n--;
	*field = xmalloc(n + 4);
	memcpy(*field, clean, n);
	memcpy(*field + n, "...", 4);
	free(clean);
}

void locks_edge(struct lock_report *r, long waiter, long blocker)
{
	if (waiter == blocker)
		return;
	/* Duplicates go in locks_analyse(): a queue of n waiters can give n^2 edges. */
	r->edges = xgrow(r->edges, r->nedges, sizeof(*r->edges));
	r->edges[r->nedges].waiter = waiter;
	r->edges[r->nedges].blocker = blocker;
	r->nedges++;
}

/* Order edges by blocker, then waiter. */
static int by_blocker(const void *pa, const void *pb)
{
	const struct lock_edge *a = pa, *b = pb;

	if (a->blocker != b->blocker)
		return (a->blocker > b->blocker) - (a->blocker < b->blocker);
	return (a->waiter > b->waiter) - (a->waiter < b->waiter);
}

/* A session id and where it is in the report, for looking ids up. */
struct slot {
	long id;
	size_t index;
};

static int by_id(const void *pa, const void *pb)
{
	const struct slot *a = pa, *b = pb;

	return (a->id > b->id) - (a->id < b->id);
}

/* Index of session id among the n slots (sorted by id), or -1. */
static long slot_find(const struct slot *slots, size_t n, long id)
{
	struct slot key = {id, 0};
	const struct slot *s = bsearch(&key, slots, n, sizeof(*slots), by_id);

	return s == NULL ? -1 : (long)s->index;
}

/*
 * How many sessions wait for session root, directly or through others:
 * a breadth-first walk along "is waited for by" lists, each session once.
 * first[i]..first[i + 1] indexes the waiters of session i in waiters;
 * seen holds, per session, the last root that reached it (root + 1).
 */
static size_t held_up(size_t root, const size_t *first, const size_t *waiters, size_t *seen,
		      size_t *queue)
{
	size_t head = 0, tail = 0;

	seen[root] = root + 1;
	queue[tail++] = root;
	while (head < tail) {
		size_t at = queue[head++];

		for (size_t k = first[at]; k < first[at + 1]; k++) {
			size_t w = waiters[k];

			if (seen[w] == root + 1)
				continue;
			seen[w] = root + 1;
			queue[tail++] = w;
		}
	}
	return tail - 1;
}

/* Sort r's edges and drop the duplicates. */
static void edges_unique(struct lock_report *r)
{
	size_t n = 0;

	/* qsort() must not get the NULL of an empty array. */
	if (r->nedges == 0)
		return;
	qsort(r->edges, r->nedges, sizeof(*r->edges), by_blocker);
	for (size_t i = 0; i < r->nedges; i++)
		if (n == 0 || by_blocker(&r->edges[n - 1], &r->edges[i]) != 0)
			r->edges[n++] = r->edges[i];
	r->nedges = n;
}

void locks_analyse(struct lock_report *r)
{
	size_t n = r->nsessions;
	struct slot *slots;
	size_t *first, *waiters, *seen, *queue;

	edges_unique(r);
	if (n == 0)
		return;
	slots = xcalloc(n, sizeof(*slots));
	for (size_t i = 0; i < n; i++) {
		slots[i].id = r->sessions[i].id;
		slots[i].index = i;
		r->sessions[i].blocked_by = -1;
	}
	qsort(slots, n, sizeof(*slots), by_id);
	/* The edges are sorted by blocker: each session's waiters lie together. */
	first = xcalloc(n + 1, sizeof(*first));
	waiters = xcalloc(r->nedges + 1, sizeof(*waiters));
	for (size_t i = 0; i < r->nedges; i++) {
		long w = slot_find(slots, n, r->edges[i].waiter);
		long b = slot_find(slots, n, r->edges[i].blocker);
		struct lock_session *ws;

		if (w < 0)
			continue;
		ws = &r->sessions[w];
		if (ws->blocked_by < 0 || r->edges[i].blocker < ws->blocked_by)
			ws->blocked_by = r->edges[i].blocker;
		if (b >= 0)
			first[b + 1]++;
	}
	for (size_t i = 0; i < n; i++) {
		r->sessions[i].blocks_direct = first[i + 1];
		first[i + 1] += first[i];
	}
	/* Fill each session's list, first[b] moving up as it fills. */
	for (size_t i = 0; i < r->nedges; i++) {
		long w = slot_find(slots, n, r->edges[i].waiter);
		long b = slot_find(slots, n, r->edges[i].blocker);

		if (w >= 0 && b >= 0)
			waiters[first[b]++] = (size_t)w;
	}
	for (size_t i = n; i > 0; i--)
		first[i] = first[i - 1];
	first[0] = 0;
	seen = xcalloc(n, sizeof(*seen));
	queue = xcalloc(n, sizeof(*queue));
	for (size_t i = 0; i < n; i++) {
		struct lock_session *s = &r->sessions[i];

		s->blocks_total =
		    s->blocks_direct == 0 ? 0 : held_up(i, first, waiters, seen, queue);
	}
	free(slots);
	free(first);
	free(waiters);
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
	if (isnan(a->trx_age) != isnan(b->trx_age))
		return !isnan(a->trx_age);
	if (!isnan(a->trx_age) && a->trx_age != b->trx_age)
		return a->trx_age > b->trx_age;
	/* The lower id: the same suspect whichever order the sessions came in. */
	return a->id < b->id;
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
	const struct lock_session *s = locks_find(r, waiter);

	return s == NULL ? -1 : s->blocked_by;
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

int locks_by_importance(const void *pa, const void *pb)
{
	const struct lock_session *a = *(const struct lock_session *const *)pa;
	const struct lock_session *b = *(const struct lock_session *const *)pb;
	double wa = isnan(a->wait) ? -1 : a->wait, wb = isnan(b->wait) ? -1 : b->wait;

	if (a->blocks_total != b->blocks_total)
		return a->blocks_total > b->blocks_total ? -1 : 1;
	if (wa != wb)
		return wa > wb ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

/* Add a series about session s to set: labelled id, user, host and query. */
static struct metric *session_metric(struct metric_set *set, const struct lock_session *s,
				     const char *name, const char *unit, double value)
{
	struct metric *m = metric_set_add(set, name, METRIC_GAUGE, unit, value);
	char id[32];

	snprintf(id, sizeof(id), "%ld", s->id);
	metric_label_add(m, "id", id);
	metric_label_add(m, "user", s->user != NULL ? s->user : "");
	metric_label_add(m, "host", s->host != NULL ? s->host : "");
	metric_label_add(m, "query", s->query != NULL ? s->query : "");
	return m;
}

/* The lock_session_* and lock_blocker_* series of s (see locks.h). */
static void session_metrics(struct metric_set *set, const struct lock_session *s)
{
	if (!isnan(s->wait)) {
		struct metric *m = session_metric(set, s, "lock_session_wait", "s", s->wait);
		char by[32] = "";

		if (s->blocked_by >= 0)
			snprintf(by, sizeof(by), "%ld", s->blocked_by);
		metric_label_add(m, "lock", s->lock != NULL ? s->lock : "");
		metric_label_add(m, "blocked_by", by);
	}
	if (s->blocks_direct > 0) {
		session_metric(set, s, "lock_blocker_sessions", "", (double)s->blocks_total);
		session_metric(set, s, "lock_blocker_direct", "", (double)s->blocks_direct);
	}
	if (!isnan(s->trx_age))
		session_metric(set, s, "lock_session_trx_age", "s", s->trx_age);
	if (!isnan(s->idle))
		session_metric(set, s, "lock_session_idle", "s", s->idle);
}

/*
 * The sessions of r worth a series of their own, at most LOCKS_DETAIL_MAX:
 * the blocker to act on first, then the rest in long-output order. Returns
 * how many, in list (r->nsessions + 1 entries).
 */
static size_t detailed(const struct lock_report *r, const struct lock_session **list)
{
	const struct lock_session *worst = locks_worst_blocker(r);
	size_t n = 0;

	for (size_t i = 0; i < r->nsessions; i++)
		if (&r->sessions[i] != worst)
			list[n++] = &r->sessions[i];
	qsort(list, n, sizeof(*list), locks_by_importance);
	if (worst != NULL) {
		memmove(list + 1, list, n * sizeof(*list));
		list[0] = worst;
		n++;
	}
	return n < LOCKS_DETAIL_MAX ? n : LOCKS_DETAIL_MAX;
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
	const struct lock_session **list = xcalloc(r->nsessions + 1, sizeof(*list));
	size_t most = 0, n;
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
	metric_set_add(set, "lock_sessions", METRIC_GAUGE, "", (double)r->nsessions);
	metric_set_add(set, "lock_sessions_dropped", METRIC_GAUGE, "", (double)r->dropped);
	n = detailed(r, list);
	for (size_t i = 0; i < n; i++)
		session_metrics(set, list[i]);
	free(list);
}

/* A label's text, NULL for none or "" (how session_metric() writes NULL). */
static const char *label_text(const struct metric *m, const char *name)
{
	const char *v = metric_label(m, name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* A label holding a session id, or -1. */
static long label_id(const struct metric *m, const char *name)
{
	const char *v = metric_label(m, name);
	char *end;
	long id;

	if (v == NULL || v[0] == '\0')
		return -1;
	id = strtol(v, &end, 10);
	return *end == '\0' ? id : -1;
}

/* The series about one session, and where each goes in it. */
enum field { WAIT, BLOCKS_TOTAL, BLOCKS_DIRECT, TRX_AGE, IDLE };

static const struct {
	const char *name;
	enum field field;
} session_series[] = {
    {"lock_session_wait", WAIT},
    {"lock_blocker_sessions", BLOCKS_TOTAL},
    {"lock_blocker_direct", BLOCKS_DIRECT},
    {"lock_session_trx_age", TRX_AGE},
    {"lock_session_idle", IDLE},
};

/* Take series m, about the session of its id label, into r; other series are not. */
static void session_from(struct lock_report *r, const struct metric *m)
{
	size_t k = 0, n = sizeof(session_series) / sizeof(session_series[0]);
	long id;
	struct lock_session *s;

	while (k < n && strcmp(m->name, session_series[k].name) != 0)
		k++;
	id = k < n ? label_id(m, "id") : -1;
	s = id >= 0 ? locks_session(r, id) : NULL;
	if (s == NULL)
		return;
	if (s->user == NULL)
		locks_set(&s->user, label_text(m, "user"), false);
	if (s->host == NULL)
		locks_set(&s->host, label_text(m, "host"), false);
	if (s->query == NULL)
		locks_set(&s->query, label_text(m, "query"), false);
	switch (session_series[k].field) {
	case WAIT:
		s->wait = m->value;
		s->blocked_by = label_id(m, "blocked_by");
		locks_set(&s->lock, label_text(m, "lock"), false);
		break;
	case BLOCKS_TOTAL:
		s->blocks_total = (size_t)m->value;
		break;
	case BLOCKS_DIRECT:
		s->blocks_direct = (size_t)m->value;
		break;
	case TRX_AGE:
		s->trx_age = m->value;
		break;
	case IDLE:
		s->idle = m->value;
		break;
	}
}

void locks_from_set(struct lock_report *r, const struct metric_set *set)
{
	locks_init(r);
	for (size_t i = 0; i < metric_set_count(set); i++)
		session_from(r, metric_set_at(set, i));
	r->deadlocks = metric_set_value(set, "lock_deadlocks", NULL, NULL);
	r->row_waits = metric_set_value(set, "lock_row_waits", NULL, NULL);
	r->row_wait_time = metric_set_value(set, "lock_row_wait_time", NULL, NULL);
	r->table_waits = metric_set_value(set, "lock_table_waits", NULL, NULL);
}
