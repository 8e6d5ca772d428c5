/*
 * Counters kept between plugin runs, so a plugin can report a rate (drops
 * per second) from two samples. One small file per plugin, target, option
 * set and user, replaced atomically (write a temporary file, rename it
 * over), so no reader ever sees half a file.
 *
 * Runs of the same check overlap (two Nagios services on one nginx share a
 * file, a burst of manual runs): each run holds a lock on the file from
 * statefile_open() to statefile_save(), waiting for it at most lock_wait
 * seconds, so one run's read-modify-write never loses or mixes with
 * another's. A rate is only ever made from two samples at least
 * STATEFILE_MIN_INTERVAL apart: over a few milliseconds the check's own
 * request would read as hundreds per second. So that a run that comes too
 * soon does not push the older sample out, the file keeps up to three
 * samples: the newest, the newest one at least STATEFILE_MIN_INTERVAL older
 * than it (the base of the next run's rate), and the oldest one between
 * them (the next to become old enough).
 *
 * A counter that is not a whole number from 0 to 2^53, in the file or from
 * the service, is no sample. One that went backwards (the service
 * restarted), the clock going back, or a previous sample older than max_age
 * restarts the rate instead of reporting nonsense.
 */
#ifndef VAKT_STATEFILE_H
#define VAKT_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Samples older than this many seconds are not used for a rate by default. */
#define STATEFILE_MAX_AGE 3600.0
/* Two samples closer than this many seconds make no rate. */
#define STATEFILE_MIN_INTERVAL 1.0
/* The longest wait, in seconds, for other runs to be done with the file. */
#define STATEFILE_LOCK_WAIT 2.0

enum rate_status {
	RATE_OK,    /* *rate is valid */
	RATE_FIRST, /* no earlier sample for this counter */
	RATE_RESET, /* the counter went backwards */
	RATE_STALE, /* the earlier sample is older than max_age */
	RATE_SOON,  /* every earlier sample is younger than STATEFILE_MIN_INTERVAL */
	RATE_CLOCK, /* the earlier samples are from the future: the clock went back */
	RATE_BAD,   /* the service's counter is not a whole number from 0 to 2^53 */
	RATE_BUSY,  /* other runs held the state file for longer than lock_wait */
};
/* How many rate_status values there are, for tables indexed by one. */
#define RATE_STATUSES (RATE_BUSY + 1)

struct statefile;

/*
 * Load the state of plugin for key (which names the target and the options
 * that change what is counted) from dir, or from the default directory when
 * dir is NULL, holding the file's lock until statefile_save() or
 * statefile_free(). now is the time the counters were read, in seconds
 * (time_now()). A missing or unreadable earlier file just means no earlier
 * samples; a lock not had within lock_wait seconds means no rates this run
 * (RATE_BUSY). Returns NULL with the reason in err only when no usable
 * directory exists or the lock file cannot be opened.
 */
struct statefile *statefile_open(const char *dir, const char *plugin, const char *key, double now,
				 double max_age, double lock_wait, char *err, size_t errlen);
/*
 * Record counter = value for the next run and compute its rate per second
 * since the newest earlier sample at least STATEFILE_MIN_INTERVAL old into
 * *rate (NAN unless RATE_OK).
 */
enum rate_status statefile_rate(struct statefile *sf, const char *counter, double value,
				double *rate);
/*
 * The rate per second of a counter that was prev elapsed seconds before it
 * was value, by the rules above (the agent's rate between two collections).
 */
enum rate_status statefile_rate_between(double prev, double value, double elapsed, double *rate);
/*
 * Numbers kept for the next run without a rate (how long a queue has not
 * drained, the start times check_supervisor has seen): statefile_keep()
 * records name = value (a whole number from 0 to 2^53; nothing else is
 * kept); statefile_last() gives what the newest earlier run kept, and
 * how many seconds before now that run was into *age (unless NULL); NAN
 * when it kept no such name (or the lock was not had). A name not kept
 * again is gone after a run.
 */
void statefile_keep(struct statefile *sf, const char *name, double value);
double statefile_last(const struct statefile *sf, const char *name, double *age);
/* Whether v can be a sample of a counter: a whole number from 0 to 2^53. */
bool statefile_counter_ok(double v);
/* A few words on why there is no rate, for long output; "" for RATE_OK. */
const char *statefile_rate_reason(enum rate_status st);
/*
 * Write the recorded counters atomically and let go of the lock; 0, or -1
 * with the reason in err. Nothing is written when the lock was not had.
 */
int statefile_save(struct statefile *sf, char *err, size_t errlen);
/* The file this state is kept in. */
const char *statefile_path(const struct statefile *sf);
void statefile_free(struct statefile *sf);

#endif
