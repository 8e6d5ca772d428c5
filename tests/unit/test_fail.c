/*
 * lib/fail.c: the one mapping from a failure to a state, for every plugin.
 */
#include <criterion/criterion.h>

#include "fail.h"

Test(fail, the_service_not_serving_is_critical)
{
	cr_expect_eq(fail_state(FAIL_DOWN, STATE_WARNING), STATE_CRITICAL);
	cr_expect_eq(fail_state(FAIL_HTTP, STATE_WARNING), STATE_CRITICAL);
	cr_expect_eq(fail_state(FAIL_DENIED, STATE_WARNING), STATE_CRITICAL);
	cr_expect_eq(fail_state(FAIL_NOT_FOUND, STATE_WARNING), STATE_CRITICAL);
}

Test(fail, a_time_out_is_what_t_says)
{
	cr_expect_eq(fail_state(FAIL_TIMEOUT, STATE_CRITICAL), STATE_CRITICAL);
	cr_expect_eq(fail_state(FAIL_TIMEOUT, STATE_UNKNOWN), STATE_UNKNOWN);
	cr_expect_eq(fail_state(FAIL_TIMEOUT, STATE_WARNING), STATE_WARNING);
}

Test(fail, what_the_check_cannot_tell_is_unknown)
{
	cr_expect_eq(fail_state(FAIL_BROKEN, STATE_CRITICAL), STATE_UNKNOWN);
	cr_expect_eq(fail_state(FAIL_PRIVILEGE, STATE_CRITICAL), STATE_UNKNOWN);
	cr_expect_eq(fail_state(FAIL_TOO_BIG, STATE_CRITICAL), STATE_UNKNOWN);
	cr_expect_eq(fail_state(FAIL_LOCAL, STATE_CRITICAL), STATE_UNKNOWN);
	cr_expect_eq(fail_state(-100, STATE_CRITICAL), STATE_UNKNOWN, "an unknown failure");
	cr_expect_eq(fail_state(0, STATE_CRITICAL), STATE_OK);
}
