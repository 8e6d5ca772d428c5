/*
 * Runs every configured collector in its own thread on its own interval and
 * publishes the results as immutable snapshots (see snapshot.h). A collector
 * that hangs or fails only makes its own metrics stale.
 */
#ifndef VAKT_SCHEDULER_H
#define VAKT_SCHEDULER_H

#include <stddef.h>

#include "conf.h"
#include "snapshot.h"

struct scheduler;

/*
 * Create the collectors of c, reading what they need (password files),
 * without starting a thread; NULL with err on failure. started_at is when
 * the agent started (uptime survives a reload). Its snapshot is empty until
 * scheduler_run; scheduler_stop frees it either way.
 */
struct scheduler *scheduler_new(const struct config *c, double started_at, char *err,
				size_t errlen);
/* Start the collectors of s, each in its thread; 0, or -1 with err. */
int scheduler_run(struct scheduler *s, char *err, size_t errlen);
/* scheduler_new, then scheduler_run; NULL with err on failure. */
struct scheduler *scheduler_start(const struct config *c, double started_at, char *err,
				  size_t errlen);
/*
 * Wait up to seconds until every collector has finished its first run, so
 * a reload does not serve a moment of empty metrics; 0, or -1 on timeout.
 */
int scheduler_wait_first(struct scheduler *s, double seconds);
/* The current snapshot, held until snapshot_release; never NULL. */
const struct snapshot *scheduler_acquire(struct scheduler *s);
/* Give a snapshot back; it stays valid after its scheduler is stopped. */
void snapshot_release(const struct snapshot *snap);
/*
 * Stop the collectors and free everything. A collector stuck in a call is
 * given a second, then left behind with the scheduler, which the last such
 * thread frees when its call returns (logged as it is left and as it is
 * freed); nothing else may use s after this call.
 */
void scheduler_stop(struct scheduler *s);

#endif
