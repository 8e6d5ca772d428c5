/*
 * The two clocks: the wall clock for what is stored or shown (a sample's
 * time, when a collector last ran), the monotonic one for every deadline,
 * duration and interval, which a clock set back or forward must not bend.
 */
#ifndef VAKT_CLOCK_H
#define VAKT_CLOCK_H

/* Seconds since the epoch, with sub-second precision. */
double time_now(void);
/* Seconds on a clock that never jumps (CLOCK_MONOTONIC): for intervals and deadlines. */
double time_monotonic(void);
/*
 * Seconds since the epoch of a UTC date and time in the proleptic
 * Gregorian calendar (Howard Hinnant's days_from_civil); the fields are
 * taken as they are, the caller checks their ranges.
 */
long time_from_civil(long year, int month, int day, int hour, int minute, int second);

#endif
