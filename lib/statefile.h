/*
 * Counters kept between plugin runs, so a plugin can report a rate (drops
 * per second) from two samples. One small file per plugin, target and option
 * set, replaced atomically (write a temporary file, rename it over), so two
 * overlapping runs never read a half-written file: the last writer wins.
 *
 * A counter that went backwards (the service restarted) or a previous sample
 * older than max_age restarts the rate instead of reporting nonsense.
 */
#ifndef VAKT_STATEFILE_H
#define VAKT_STATEFILE_H

#include <stddef.h>

/* Samples older than this many seconds are not used for a rate by default. */
#define STATEFILE_MAX_AGE 3600.0

enum rate_status {
	RATE_OK,    /* *rate is valid */
	RATE_FIRST, /* no earlier sample for this counter */
	RATE_RESET, /* the counter went backwards, or the clock did */
	RATE_STALE, /* the earlier sample is older than max_age */
};

struct statefile;

/*
 * Load the state of plugin for key (which names the target and the options
 * that change what is counted) from dir, or from the default directory when
 * dir is NULL. now is the current time in seconds (time_now()). A missing or
 * unreadable earlier file just means no earlier samples. Returns NULL with
 * the reason in err only when no usable directory exists.
 */
struct statefile *statefile_open(const char *dir, const char *plugin, const char *key, double now,
				 double max_age, char *err, size_t errlen);
/*
 * Record counter = value for the next run and compute its rate per second
 * since the earlier sample into *rate (NAN unless RATE_OK).
 */
enum rate_status statefile_rate(struct statefile *sf, const char *counter, double value,
				double *rate);
/* A few words on why there is no rate, for long output; "" for RATE_OK. */
const char *statefile_rate_reason(enum rate_status st);
/* Write the recorded counters atomically; 0, or -1 with the reason in err. */
int statefile_save(struct statefile *sf, char *err, size_t errlen);
/* The file this state is kept in. */
const char *statefile_path(const struct statefile *sf);
void statefile_free(struct statefile *sf);

/* Seconds since the epoch, with sub-second precision. */
double time_now(void);
/* Seconds on a clock that never jumps (CLOCK_MONOTONIC): for intervals and deadlines. */
double time_monotonic(void);

#endif
