/*
 * Rates between runs: first sample, normal rate, a counter reset, a sample
 * too old, another key, and atomic replacement.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "statefile.h"

static char dir[] = "/tmp/vakt-state-test-XXXXXX";
static char err[512];

static void setup(void)
{
	strcpy(dir, "/tmp/vakt-state-test-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(statefile, .init = setup, .fini = teardown);

/* One run: open at time now, record counter = value, save; returns the status. */
static enum rate_status run(const char *key, double now, double value, double *rate)
{
	struct statefile *sf = statefile_open(dir, "check_x", key, now, 300, err, sizeof(err));
	enum rate_status st;

	cr_assert_not_null(sf, "%s", err);
	st = statefile_rate(sf, "requests", value, rate);
	cr_assert_eq(statefile_save(sf, err, sizeof(err)), 0, "%s", err);
	statefile_free(sf);
	return st;
}

Test(statefile, first_then_rate)
{
	double rate;

	cr_expect_eq(run("k", 1000, 500, &rate), RATE_FIRST);
	cr_expect(isnan(rate));
	cr_expect_eq(run("k", 1010, 600, &rate), RATE_OK);
	cr_expect_float_eq(rate, 10.0, 1e-9);
	cr_expect_eq(run("k", 1015, 600, &rate), RATE_OK);
	cr_expect_float_eq(rate, 0.0, 1e-9);
}

Test(statefile, counter_reset_restarts)
{
	double rate;

	run("k", 1000, 500, &rate);
	cr_expect_eq(run("k", 1010, 20, &rate), RATE_RESET);
	cr_expect(isnan(rate), "no negative rate");
	cr_expect_eq(run("k", 1020, 70, &rate), RATE_OK);
	cr_expect_float_eq(rate, 5.0, 1e-9);
}

Test(statefile, stale_sample_restarts)
{
	double rate;

	run("k", 1000, 500, &rate);
	cr_expect_eq(run("k", 1301, 600, &rate), RATE_STALE);
	cr_expect(isnan(rate));
	cr_expect_eq(run("k", 1311, 700, &rate), RATE_OK);
	cr_expect_float_eq(rate, 10.0, 1e-9);
}

Test(statefile, clock_going_back_restarts)
{
	double rate;

	run("k", 1000, 500, &rate);
	cr_expect_eq(run("k", 1000, 600, &rate), RATE_RESET);
	cr_expect_eq(run("k", 900, 700, &rate), RATE_RESET);
}

Test(statefile, keys_are_separate)
{
	double rate;

	run("host=a", 1000, 500, &rate);
	cr_expect_eq(run("host=b", 1010, 600, &rate), RATE_FIRST);
	cr_expect_eq(run("host=a", 1010, 510, &rate), RATE_OK);
	cr_expect_float_eq(rate, 1.0, 1e-9);
}

Test(statefile, several_counters_and_new_ones)
{
	struct statefile *sf = statefile_open(dir, "check_x", "k", 100, 300, err, sizeof(err));
	double r1, r2;

	statefile_rate(sf, "a", 10, &r1);
	statefile_save(sf, err, sizeof(err));
	statefile_free(sf);
	sf = statefile_open(dir, "check_x", "k", 102, 300, err, sizeof(err));
	cr_expect_eq(statefile_rate(sf, "a", 14, &r1), RATE_OK);
	cr_expect_eq(statefile_rate(sf, "b", 1, &r2), RATE_FIRST);
	cr_expect_float_eq(r1, 2.0, 1e-9);
	statefile_free(sf);
}

Test(statefile, garbage_file_means_no_sample)
{
	struct statefile *sf = statefile_open(dir, "check_x", "k", 100, 300, err, sizeof(err));
	const char *path = statefile_path(sf);
	FILE *f = fopen(path, "w");
	double rate;

	cr_assert_not_null(f);
	fputs("vakt-state 1\nkey k\ntime yesterday\nrequests 5\n", f);
	fclose(f);
	statefile_free(sf);
	cr_expect_eq(run("k", 110, 600, &rate), RATE_FIRST);
}

Test(statefile, replaced_atomically_and_private)
{
	struct statefile *sf;
	struct stat st;
	double rate;
	char cmd[256];

	run("k", 1000, 1, &rate);
	/* The second save replaces an existing file, the first does not. */
	cr_expect_eq(run("k", 1001, 3, &rate), RATE_OK);
	cr_expect_eq(rate, 2);
	sf = statefile_open(dir, "check_x", "k", 1002, 300, err, sizeof(err));
	cr_assert_eq(stat(statefile_path(sf), &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600);
	statefile_free(sf);
	/* No temporary files are left behind. */
	snprintf(cmd, sizeof(cmd), "test $(ls %s | wc -l) -eq 1", dir);
	cr_expect_eq(system(cmd), 0);
}

Test(statefile, overlapping_runs_never_corrupt)
{
	double rate;
	pid_t kids[8];

	run("k", 1000, 0, &rate);
	for (int i = 0; i < 8; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			for (int n = 0; n < 200; n++)
				run("k", 1001 + n, 10 + n, &rate);
			_exit(0);
		}
	}
	for (int i = 0; i < 8; i++)
		waitpid(kids[i], NULL, 0);
	/* Whichever run wrote last, the file is whole and gives a rate. */
	cr_expect_eq(run("k", 1300, 1000, &rate), RATE_OK);
}

Test(statefile, unusable_directory)
{
	struct statefile *sf =
		statefile_open("/nonexistent/dir", "check_x", "k", 1, 300, err, sizeof(err));

	cr_expect_null(sf);
	cr_expect(strstr(err, "/nonexistent/dir") != NULL, "%s", err);
}

Test(statefile, reasons)
{
	cr_expect_str_eq(statefile_rate_reason(RATE_OK), "");
	cr_expect(strlen(statefile_rate_reason(RATE_RESET)) > 0);
}
