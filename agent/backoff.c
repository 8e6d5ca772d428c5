/* Delays between reconnection attempts (see backoff.h). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "backoff.h"
#include "clock.h"
#include "xalloc.h"

bool backoff_waiting(const struct backoff *b, char *err, size_t errlen)
{
	double now = time_monotonic();

	if (now >= b->retry_at)
		return false;
	snprintf(err, errlen, "%s (next attempt in %.0f s)",
		 b->last_error != NULL ? b->last_error : "failed", b->retry_at - now);
	return true;
}

int backoff_failed(struct backoff *b, bool lost, const char *err)
{
	if (lost)
		b->delay = 0;
	else
		b->delay = b->delay == 0 ? 1 : fmin(2 * b->delay, BACKOFF_MAX);
	b->retry_at = time_monotonic() + b->delay;
	free(b->last_error);
	b->last_error = xstrdup(err);
	return -1;
}

void backoff_ok(struct backoff *b)
{
	b->delay = 0;
}

void backoff_free(struct backoff *b)
{
	free(b->last_error);
	b->last_error = NULL;
}

void *backoff_conn_get(struct backoff_conn *bc, void *state, char *err, size_t errlen)
{
	if (bc->conn != NULL)
		return bc->conn;
	if (backoff_waiting(&bc->backoff, err, errlen))
		return NULL;
	bc->conn = bc->connect(state, err, errlen);
	if (bc->conn == NULL)
		backoff_failed(&bc->backoff, false, err);
	return bc->conn;
}

int backoff_conn_failed(struct backoff_conn *bc, const char *err)
{
	bool lost = bc->conn != NULL;

	if (lost) {
		bc->close(bc->conn);
		bc->conn = NULL;
	}
	return backoff_failed(&bc->backoff, lost, err);
}

void backoff_conn_free(struct backoff_conn *bc)
{
	if (bc->conn != NULL)
		bc->close(bc->conn);
	bc->conn = NULL;
	backoff_free(&bc->backoff);
}
