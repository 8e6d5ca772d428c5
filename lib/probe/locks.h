/*
 * Lock waits in a database, as both database probes report them: the
 * sessions that wait for a lock and the sessions that hold them up, the
 * "who waits for whom" edges between them, and the server's lock counters.
 * The MySQL/MariaDB probe (probe/mysql_locks.c) and the PostgreSQL probe
 * (probe/pgsql_locks.c) fill a lock_report; locks_analyse() then works out
 * chains (A blocks B blocks C) and the blocker a person should look at
 * first; locks_metrics() turns it into the metric set that check_mysql_locks,
 * check_pgsql_locks and the agent share. Everything here is pure: no I/O.
 *
 * Metric names (one per thing, the same for both databases; dbms and
 * target labels tell them apart in the agent):
 *   lock_waiters         sessions waiting for a lock now
 *   lock_wait_longest    s, the longest current wait (0 when none)
 *   lock_blockers        sessions holding up at least one other
 *   lock_blocked_most    most sessions one blocker holds up, through chains
 *   lock_blocker_idle    s, longest a blocker sits idle in its transaction
 *   lock_deadlocks       c, deadlocks since the server started
 *   lock_row_waits       c, row-lock waits (InnoDB)
 *   lock_row_wait_time   c, seconds spent waiting for row locks (InnoDB)
 *   lock_table_waits     c, table-lock waits (MySQL Table_locks_waited)
 *   lock_sessions        sessions that wait or block (at most LOCKS_SESSIONS_MAX)
 *   lock_sessions_dropped  rows about sessions past LOCKS_SESSIONS_MAX, not counted
 * A counter the server does not keep is left out, never reported as 0.
 *
 * And per session, for the LOCKS_DETAIL_MAX to act on first (the blocker
 * to look at, then blockers holding up most, then the longest waits), each
 * labelled id, user, host and query ("" when unknown) so that a verdict
 * can name it from the set alone:
 *   lock_session_wait      s, how long it waits; labels lock (what for)
 *                          and blocked_by (the blocker's id, "" unknown)
 *   lock_blocker_sessions  sessions it holds up, through chains
 *   lock_blocker_direct    sessions waiting for it
 *   lock_session_trx_age   s, its transaction's age, when known
 *   lock_session_idle      s, idle in its open transaction, when so
 * A session has a wait when it waits and lock_blocker_* when it blocks; a
 * chain's middle has both. The login's password is never part of any.
 */
#ifndef VAKT_PROBE_LOCKS_H
#define VAKT_PROBE_LOCKS_H

#include <stdbool.h>
#include <stddef.h>

#include "fail.h"
#include "metric.h"

/* A query is kept to this many bytes (plus "..."). */
#define LOCKS_QUERY_MAX 200
/* Sessions a report holds at most; more are counted but not kept. */
#define LOCKS_SESSIONS_MAX 1000
/* Sessions the metric set details, each in lock_session_* series. */
#define LOCKS_DETAIL_MAX 10

/* One session that waits for a lock, holds one up, or both. */
struct lock_session {
	long id;	/* MySQL thread id or PostgreSQL backend pid */
	char *user;	/* NULL when unknown */
	char *host;	/* client address; "localhost"/"local" for a socket; NULL when unknown */
	char *database; /* NULL when unknown */
	char *query;	/* current statement, or the last one when idle; NULL when none */
	char *lock;  /* what it waits for ("row lock on `shop`.`orders`"), NULL when not waiting */
	double wait; /* seconds it has been waiting for a lock, NAN when not waiting */
	double trx_age; /* seconds its transaction has been open, NAN when unknown or none */
	double idle;	/* seconds idle inside an open transaction, NAN when not idle */
	/* Set by locks_analyse(): */
	long blocked_by;      /* the blocker it waits for first (lowest id), or -1 */
	size_t blocks_direct; /* sessions waiting for this one */
	size_t blocks_total;  /* sessions waiting for it directly or through a chain */
};

/* Waiter waits for a lock that blocker holds (or is queued ahead for). */
struct lock_edge {
	long waiter, blocker;
};

struct lock_report {
	struct lock_session *sessions; /* every waiter and every blocker, once each */
	size_t nsessions;
	size_t dropped; /* rows about sessions beyond LOCKS_SESSIONS_MAX, not kept */
	struct lock_edge *edges;
	size_t nedges;
	/* Counters since the server started; NAN when the server keeps none. */
	double deadlocks, row_waits, row_wait_time, table_waits;
};

/* An empty report, counters NAN. */
void locks_init(struct lock_report *r);
/* Free what r holds and make it empty again. */
void locks_free(struct lock_report *r);
/*
 * The session with id in r, added (fields NULL/NAN, counts 0) when new;
 * NULL when r is full (then r->dropped counts it). Valid until the next
 * locks_session() call. The probes fill its fields with locks_set().
 */
struct lock_session *locks_session(struct lock_report *r, long id);
/*
 * Replace *field with a copy of value (NULL clears it). A query has every
 * quoted string after PASSWORD or IDENTIFIED written '***' (a password a
 * statement sets is never shown) and is cut to LOCKS_QUERY_MAX.
 */
void locks_set(char **field, const char *value, bool is_query);
/*
 * Record that waiter waits for blocker; a self-edge is ignored, and
 * locks_analyse() drops duplicates.
 */
void locks_edge(struct lock_report *r, long waiter, long blocker);
/*
 * Drop duplicate edges and fill blocked_by, blocks_direct and blocks_total
 * of every session; cycles are safe.
 */
void locks_analyse(struct lock_report *r);
/* Sessions that wait for a lock (of those kept: see dropped). */
size_t locks_waiters(const struct lock_report *r);
/* Sessions that hold up at least one other (after locks_analyse). */
size_t locks_blockers(const struct lock_report *r);
/* The longest current wait in seconds, 0 when nobody waits. */
double locks_longest(const struct lock_report *r);
/*
 * The blocker to act on first, after locks_analyse(): one that is not itself
 * waiting (the head of its chain) holding up the most sessions, the oldest
 * transaction breaking a tie, then the lowest id; when every blocker waits
 * (a deadlock the server has not broken yet), the one holding up the most.
 * NULL when nobody blocks anybody.
 */
const struct lock_session *locks_worst_blocker(const struct lock_report *r);
/* The session with id, or NULL. */
const struct lock_session *locks_find(const struct lock_report *r, long id);
/* The same, to change: the session with id, or NULL (locks_session() adds one). */
struct lock_session *locks_known(struct lock_report *r, long id);
/* The blocker waiter waits for first (lowest id), or -1; after locks_analyse(). */
long locks_blocker_of(const struct lock_report *r, long waiter);
/*
 * "app@10.0.0.7" for s, or "app" or "10.0.0.7" or "unknown" with what is
 * known.
 */
void locks_who(const struct lock_session *s, char *out, size_t outlen);
/*
 * Compare sessions (const struct lock_session *const *) in the order a
 * person reads them: blockers holding up most first, then the longest
 * waits, then by id.
 */
int locks_by_importance(const void *pa, const void *pb);
/* Add the metrics of r (see the top of this file) to set. */
void locks_metrics(const struct lock_report *r, struct metric_set *set);
/*
 * The report locks_metrics() described in set, into r (from nothing; free
 * it with locks_free()): its counters and its detailed sessions, with
 * blocked_by, blocks_direct and blocks_total as analysed, in the order of
 * the set. Labels it does not know (an agent's target) are ignored. The
 * sessions beyond the detailed ones are only in lock_waiters and friends.
 */
void locks_from_set(struct lock_report *r, const struct metric_set *set);

#endif
