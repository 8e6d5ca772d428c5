/*
 * Delays between reconnection attempts: doubling from one second up to
 * BACKOFF_MAX, a lost connection retried at once, a success resetting the
 * delay, and the words a waiting collector reports. The clock is never
 * waited on: retry_at is compared with time_monotonic() around each call.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "clock.h"
#include "testutil.h"

/* Nothing leaked (in the sanitizer build): backoff_free frees the last error. */
TestSuite(backoff, .fini = test_no_leaks);

/* Fail once (not lost) and check the delay and that retry_at is now + delay. */
static void fail_expecting(struct backoff *b, double delay, const char *err)
{
	double before = time_monotonic();
	double after;

	cr_assert_eq(backoff_failed(b, false, err), -1);
	after = time_monotonic();
	cr_assert_eq(b->delay, delay, "delay %g, want %g", b->delay, delay);
	cr_assert_geq(b->retry_at, before + delay);
	cr_assert_leq(b->retry_at, after + delay);
}

Test(backoff, nothing_waits_before_a_failure)
{
	struct backoff b = {0};
	char err[128] = "untouched";

	cr_expect_not(backoff_waiting(&b, err, sizeof(err)));
	cr_expect_str_eq(err, "untouched");
	backoff_free(&b);
}

Test(backoff, delays_double_from_one_second_up_to_the_maximum)
{
	struct backoff b = {0};
	const double want[] = {1, 2, 4, 8, 16, 32, BACKOFF_MAX, BACKOFF_MAX, BACKOFF_MAX};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		fail_expecting(&b, want[i], "connection refused");
	cr_expect_str_eq(b.last_error, "connection refused");
	backoff_free(&b);
	cr_expect_null(b.last_error);
}

Test(backoff, a_lost_connection_is_retried_at_once)
{
	struct backoff b = {0};
	char err[128];
	double before;

	fail_expecting(&b, 1, "refused");
	fail_expecting(&b, 2, "refused");
	cr_expect(backoff_waiting(&b, err, sizeof(err)));

	before = time_monotonic();
	cr_assert_eq(backoff_failed(&b, true, "server closed the connection"), -1);
	cr_expect_eq(b.delay, 0);
	cr_expect_leq(b.retry_at, time_monotonic());
	cr_expect_geq(b.retry_at, before);
	cr_expect_not(backoff_waiting(&b, err, sizeof(err)));
	cr_expect_str_eq(b.last_error, "server closed the connection");
	/* Failing again after the lost connection starts over at one second. */
	fail_expecting(&b, 1, "refused");
	backoff_free(&b);
}

Test(backoff, a_success_resets_the_delay)
{
	struct backoff b = {0};

	fail_expecting(&b, 1, "refused");
	fail_expecting(&b, 2, "refused");
	fail_expecting(&b, 4, "refused");
	backoff_ok(&b);
	cr_expect_eq(b.delay, 0);
	fail_expecting(&b, 1, "refused");
	backoff_free(&b);
}

Test(backoff, the_waiting_message_names_the_last_error_and_the_time_left)
{
	struct backoff b = {0};
	char err[128];

	fail_expecting(&b, 1, "first");
	fail_expecting(&b, 2, "second");
	fail_expecting(&b, 4, "Connection refused by 127.0.0.1:6379");
	cr_assert(backoff_waiting(&b, err, sizeof(err)));
	/* 4 s from now, rounded: 4, or 3 on a machine slow enough to lose half a second. */
	cr_expect(strcmp(err, "Connection refused by 127.0.0.1:6379 (next attempt in 4 s)") == 0 ||
		      strcmp(err, "Connection refused by 127.0.0.1:6379 (next attempt in 3 s)") ==
			  0,
		  "%s", err);

	/* The time left is counted from retry_at, not from the delay. */
	b.retry_at = time_monotonic() + 42.2;
	cr_assert(backoff_waiting(&b, err, sizeof(err)));
	cr_expect_str_eq(err, "Connection refused by 127.0.0.1:6379 (next attempt in 42 s)");

	/* Once retry_at has passed, nothing waits. */
	b.retry_at = time_monotonic() - 0.001;
	cr_expect_not(backoff_waiting(&b, err, sizeof(err)));
	backoff_free(&b);
}

Test(backoff, a_waiting_message_without_an_error_says_failed)
{
	struct backoff b = {0};
	char err[64];

	b.retry_at = time_monotonic() + 10.4;
	cr_assert(backoff_waiting(&b, err, sizeof(err)));
	cr_expect_str_eq(err, "failed (next attempt in 10 s)");
}

Test(backoff, a_short_buffer_is_cut_not_overrun)
{
	struct backoff b = {0};
	char err[16];

	fail_expecting(&b, 1, "a rather long reason for the failure");
	b.retry_at = time_monotonic() + 30;
	cr_assert(backoff_waiting(&b, err, sizeof(err)));
	cr_expect_str_eq(err, "a rather long r");
	backoff_free(&b);
}

/* A fake source: connect succeeds while up, each connection is a counted int. */
struct fake_source {
	bool up;
	int made, closed;
};

static void *fake_connect(void *state, char *err, size_t errlen)
{
	struct fake_source *src = state;
	int *conn;

	if (!src->up) {
		snprintf(err, errlen, "Connection refused");
		return NULL;
	}
	conn = malloc(sizeof(*conn));
	cr_assert_not_null(conn);
	*conn = ++src->made;
	return conn;
}

static struct fake_source *closing; /* whose connections fake_close counts */

static void fake_close(void *conn)
{
	closing->closed++;
	free(conn);
}

Test(backoff, a_kept_connection_is_made_again_after_its_backoff)
{
	struct fake_source src = {.up = false};
	struct backoff_conn bc = {.connect = fake_connect, .close = fake_close};
	char err[128];
	int *conn;

	closing = &src;
	/* A failed attempt waits its delay, and says why. */
	cr_expect_null(backoff_conn_get(&bc, &src, err, sizeof(err)));
	cr_expect_str_eq(err, "Connection refused");
	cr_expect_eq(bc.backoff.delay, 1);
	src.up = true;
	cr_expect_null(backoff_conn_get(&bc, &src, err, sizeof(err)));
	cr_expect(strncmp(err, "Connection refused (next attempt in", 35) == 0, "%s", err);
	cr_expect_eq(src.made, 0);

	/* Once the delay has passed a connection is made, then kept. */
	bc.backoff.retry_at = time_monotonic() - 0.001;
	conn = backoff_conn_get(&bc, &src, err, sizeof(err));
	cr_assert_not_null(conn);
	cr_expect_eq(*conn, 1);
	cr_expect_eq(backoff_conn_get(&bc, &src, err, sizeof(err)), conn);
	backoff_ok(&bc.backoff);
	cr_expect_eq(bc.backoff.delay, 0);

	/* A working connection that fails is closed and made again at once. */
	cr_expect_eq(backoff_conn_failed(&bc, "reset by peer"), -1);
	cr_expect_eq(src.closed, 1);
	cr_expect_null(bc.conn);
	conn = backoff_conn_get(&bc, &src, err, sizeof(err));
	cr_assert_not_null(conn);
	cr_expect_eq(*conn, 2);

	/* Freeing closes the one kept. */
	backoff_conn_free(&bc);
	cr_expect_eq(src.closed, 2);
	cr_expect_null(bc.conn);
}
