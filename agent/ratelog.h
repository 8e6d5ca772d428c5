/*
 * Log lines about clients without letting a client flood the log: at most
 * one line per client address and period, the rest counted and reported in
 * that address's next line. Used for connections the agent refuses (not in
 * the allow-list) or answers 503 (over the per-client limit). A table of
 * recent addresses is bounded; once it is full of addresses logged within
 * the period, further addresses share one "other clients" entry, so many
 * addresses cannot flood the log either.
 */
#ifndef VAKT_RATELOG_H
#define VAKT_RATELOG_H

#include <stdbool.h>
#include <stddef.h>

/* Room for any address as inet_ntop writes it. */
#define RATELOG_KEY_MAX 48

struct ratelog;

/* What ratelog_note decided. */
enum ratelog_verdict {
	RATELOG_QUIET = 0, /* counted, not logged */
	RATELOG_CLIENT,	   /* log a line about this client */
	RATELOG_OTHERS,	   /* log a line about "other clients" (the table is full) */
};

/* A log of at most one line per address and period seconds, for up to slots addresses. */
struct ratelog *ratelog_new(double period, size_t slots);
void ratelog_free(struct ratelog *r);
/*
 * Note one event about client key at time now. When the verdict is not
 * RATELOG_QUIET, *skipped is how many events of that entry were not logged
 * since its last line, and *since how many seconds ago that line was (0 for
 * a first line). Thread-safe.
 */
enum ratelog_verdict ratelog_note(struct ratelog *r, const char *key, double now,
				  unsigned long *skipped, double *since);

#endif
