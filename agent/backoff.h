/*
 * Reconnecting without hammering: a collector that keeps a connection to
 * its source (Redis, MySQL, PostgreSQL) drops it after a failure and makes
 * a new one no sooner than a delay that doubles from one second up to a
 * minute, so a source that is down costs one quick attempt now and then.
 * A working connection that is lost is retried at once.
 */
#ifndef VAKT_BACKOFF_H
#define VAKT_BACKOFF_H

#include <stdbool.h>
#include <stddef.h>

#define BACKOFF_MAX 60.0 /* seconds */

struct backoff {
	double retry_at;  /* no new connection before this time */
	double delay;	  /* seconds; 0 after a success */
	char *last_error; /* why the last attempt failed, NULL before any */
};

/*
 * Whether a new connection must wait: then err says why the last one
 * failed and when the next comes ("... (next attempt in 4 s)").
 */
bool backoff_waiting(const struct backoff *b, char *err, size_t errlen);
/*
 * Note a failure with err, after which the connection was dropped: lost
 * says it had been working (retry at once), otherwise the delay doubles.
 * Returns -1, for a collector's collect() to return.
 */
int backoff_failed(struct backoff *b, bool lost, const char *err);
/* Note a successful collection. */
void backoff_ok(struct backoff *b);
/* Free what b holds. */
void backoff_free(struct backoff *b);

/*
 * A connection a collector keeps from one collection to the next, made
 * again after a failure no sooner than its backoff allows. The collector
 * sets connect (make one for its state, NULL with err) and close.
 */
struct backoff_conn {
	void *conn; /* NULL while there is none */
	void *(*connect)(void *state, char *err, size_t errlen);
	void (*close)(void *conn);
	struct backoff backoff;
};

/*
 * The connection to use now: the kept one, or a new one unless the last
 * failure's delay has not passed. NULL with err when there is none (a
 * failed attempt is noted).
 */
void *backoff_conn_get(struct backoff_conn *bc, void *state, char *err, size_t errlen);
/* After a failure with err: drop the connection and note it. Returns -1. */
int backoff_conn_failed(struct backoff_conn *bc, const char *err);
/* Close the connection and free what bc holds. */
void backoff_conn_free(struct backoff_conn *bc);

#endif
