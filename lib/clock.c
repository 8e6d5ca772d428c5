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

/* Days from 1970-01-01 to y-m-d. */
static long days_from_civil(long y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

long time_from_civil(long year, int month, int day, int hour, int minute, int second)
{
	return days_from_civil(year, month, day) * 86400 + hour * 3600L + minute * 60L + second;
}
