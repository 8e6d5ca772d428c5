/*
 * Rate-limited lines about clients: one per client and period, the rest
 * counted into the next; a full table shares one line for other clients.
 */
#include <criterion/criterion.h>

/* By path: a plain "config.h" would find autoconf's in the build tree. */
#include "ratelog.h"

static enum ratelog_verdict note(struct ratelog *r, const char *key, double now,
				 unsigned long *skipped, double *since)
{
	return ratelog_note(r, key, now, skipped, since);
}

Test(ratelog, one_line_per_client_and_period)
{
	struct ratelog *r = ratelog_new(60, 4);
	unsigned long skipped;
	double since;

	cr_expect_eq(note(r, "10.0.0.1", 1000, &skipped, &since), RATELOG_CLIENT);
	cr_expect_eq(skipped, 0);
	cr_expect_eq(since, 0);
	for (int i = 1; i <= 41; i++)
		cr_expect_eq(note(r, "10.0.0.1", 1000 + i, &skipped, &since), RATELOG_QUIET);
	/* Another client has its own line. */
	cr_expect_eq(note(r, "::1", 1010, &skipped, &since), RATELOG_CLIENT);
	/* A period later, the next line counts what was left out. */
	cr_expect_eq(note(r, "10.0.0.1", 1060, &skipped, &since), RATELOG_CLIENT);
	cr_expect_eq(skipped, 41);
	cr_expect_eq(since, 60);
	cr_expect_eq(note(r, "10.0.0.1", 1061, &skipped, &since), RATELOG_QUIET);
	cr_expect_eq(note(r, "10.0.0.1", 1200, &skipped, &since), RATELOG_CLIENT);
	cr_expect_eq(skipped, 1);
	cr_expect_eq(since, 140);
	ratelog_free(r);
}

Test(ratelog, a_full_table_shares_one_line)
{
	struct ratelog *r = ratelog_new(60, 2);
	unsigned long skipped;
	double since;

	cr_expect_eq(note(r, "a", 0.5, &skipped, &since), RATELOG_CLIENT);
	cr_expect_eq(note(r, "b", 1, &skipped, &since), RATELOG_CLIENT);
	/* The table is full of clients logged this minute: others share a line. */
	cr_expect_eq(note(r, "c", 2, &skipped, &since), RATELOG_OTHERS);
	cr_expect_eq(skipped, 0);
	cr_expect_eq(note(r, "d", 3, &skipped, &since), RATELOG_QUIET);
	cr_expect_eq(note(r, "e", 4, &skipped, &since), RATELOG_QUIET);
	cr_expect_eq(note(r, "a", 5, &skipped, &since), RATELOG_QUIET);
	cr_expect_eq(note(r, "f", 62, &skipped, &since), RATELOG_CLIENT);
	/* "a" expired and gave its slot to "f"; "b" still holds one until 61. */
	cr_expect_eq(note(r, "g", 60.5, &skipped, &since), RATELOG_QUIET);
	cr_expect_eq(note(r, "h", 63, &skipped, &since), RATELOG_CLIENT);
	cr_expect_eq(note(r, "i", 64, &skipped, &since), RATELOG_OTHERS);
	cr_expect_eq(skipped, 3);
	cr_expect_eq(since, 62);
	ratelog_free(r);
}

Test(ratelog, free_accepts_null)
{
	ratelog_free(NULL);
}
