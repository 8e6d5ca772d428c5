/*
 * The clocks and the calendar: time_from_civil against dates whose epoch
 * seconds are known (timegm agrees), across leap days, centuries and
 * dates before 1970.
 */
#define _DEFAULT_SOURCE
#include <criterion/criterion.h>
#include <time.h>

#include "clock.h"

/* The seconds timegm gives for the same UTC fields. */
static long by_timegm(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {.tm_year = y - 1900,
			.tm_mon = mo - 1,
			.tm_mday = d,
			.tm_hour = h,
			.tm_min = mi,
			.tm_sec = s};

	return (long)timegm(&tm);
}

Test(clock, civil_known_dates)
{
	cr_expect_eq(time_from_civil(1970, 1, 1, 0, 0, 0), 0);
	cr_expect_eq(time_from_civil(1970, 1, 2, 0, 0, 1), 86401);
	cr_expect_eq(time_from_civil(1969, 12, 31, 23, 59, 59), -1);
	cr_expect_eq(time_from_civil(2000, 3, 1, 0, 0, 0), 951868800);
	cr_expect_eq(time_from_civil(2026, 11, 29, 9, 43, 32), 1795945412);
}

Test(clock, civil_agrees_with_timegm)
{
	static const int dates[][3] = {
	    {1900, 2, 28},  {1900, 3, 1},  {1999, 12, 31}, {2000, 2, 29},
	    {2000, 12, 31}, {2024, 2, 29}, {2038, 1, 19},  {2100, 3, 1},
	};

	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++)
		cr_expect_eq(time_from_civil(dates[i][0], dates[i][1], dates[i][2], 13, 14, 15),
			     by_timegm(dates[i][0], dates[i][1], dates[i][2], 13, 14, 15),
			     "%d-%02d-%02d", dates[i][0], dates[i][1], dates[i][2]);
}

Test(clock, monotonic_does_not_go_back)
{
	double a = time_monotonic(), b = time_monotonic();

	cr_expect_geq(b, a);
	cr_expect_gt(time_now(), 1.7e9);
}
