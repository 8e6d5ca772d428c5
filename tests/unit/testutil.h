/*
 * Helpers shared by the unit tests: recorded input under tests/data/.
 */
#ifndef VAKT_TESTUTIL_H
#define VAKT_TESTUTIL_H

#include <criterion/criterion.h>
#include <stdio.h>

#include "fileio.h"

/* The contents of tests/data/NAME; the test fails when it cannot be read. */
static inline const char *test_data(const char *name)
{
	static char text[65536];
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, name);
	cr_assert_neq(file_read_small(path, text, sizeof(text)), -1, "cannot read %s", path);
	return text;
}

#endif
