/* The wall and monotonic clocks (see clock.h). */
#include "config.h"

#include <time.h>

#include "clock.h"

static double clock_seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double time_now(void)
{
	return clock_seconds(CLOCK_REALTIME);
}

double time_monotonic(void)
{
	return clock_seconds(CLOCK_MONOTONIC);
}
