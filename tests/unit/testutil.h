/*
 * Helpers shared by the unit tests: recorded input under tests/data/, and
 * writable copies of string literals.
 */
#ifndef VAKT_TESTUTIL_H
#define VAKT_TESTUTIL_H

#include "config.h" /* TEST_DATA_DIR */

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "fileio.h"

#ifdef VAKT_SANITIZERS
#include <sanitizer/lsan_interface.h>
#include <stdlib.h>
#endif

/* The contents of tests/data/NAME; the test fails when it cannot be read. */
static inline const char *test_data(const char *name)
{
	static char text[65536];
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, name);
	cr_assert_neq(file_read_small(path, text, sizeof(text)), -1, "cannot read %s", path);
	return text;
}

/*
 * A writable copy of text, for a field or an argv that takes char *; kept
 * for the life of the test (reachable, so no leak to LeakSanitizer).
 */
static inline char *test_str(const char *text)
{
	static char *kept[256];
	static size_t n;
	char *copy = strdup(text);

	cr_assert_not_null(copy);
	cr_assert_lt(n, sizeof(kept) / sizeof(kept[0]), "test_str: too many strings");
	kept[n++] = copy;
	return copy;
}

/*
 * In the sanitizer build, end the test process when LeakSanitizer finds
 * memory nothing points to any more (its report is in the log); elsewhere
 * nothing. For a suite's .fini: the test's frame is gone by then, so no
 * stale pointer on it hides a leak, and Criterion reports the abort as the
 * test crashing in its teardown and fails the program. LeakSanitizer's own
 * report at exit would come after Criterion has taken the test as passed.
 */
static inline void test_no_leaks(void)
{
#ifdef VAKT_SANITIZERS
	if (__lsan_do_recoverable_leak_check() != 0)
		abort();
#endif
}

#endif
