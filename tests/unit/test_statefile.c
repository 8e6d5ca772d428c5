/*
 * Rates between runs: first sample, normal rate, a counter reset, a sample
 * too old, another key, atomic replacement; samples too close together,
 * counters that are no samples, and the lock of overlapping runs.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "statefile.h"

static char dir[] = "/tmp/vakt-state-test-XXXXXX";
static char err[512];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vakt-state-test-XXXXXX");
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
	struct statefile *sf = statefile_open(dir, "check_x", key, now, 300, 1, err, sizeof(err));
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
	cr_expect_eq(run("k", 1000, 600, &rate), RATE_SOON);
	cr_expect_eq(run("k", 900, 700, &rate), RATE_CLOCK);
	cr_expect(isnan(rate));
	/* The samples from the future are gone: the next run has a rate. */
	cr_expect_eq(run("k", 910, 800, &rate), RATE_OK);
	cr_expect_float_eq(rate, 10.0, 1e-9);
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
	struct statefile *sf = statefile_open(dir, "check_x", "k", 100, 300, 1, err, sizeof(err));
	double r1, r2;

	statefile_rate(sf, "a", 10, &r1);
	statefile_save(sf, err, sizeof(err));
	statefile_free(sf);
	sf = statefile_open(dir, "check_x", "k", 102, 300, 1, err, sizeof(err));
	cr_expect_eq(statefile_rate(sf, "a", 14, &r1), RATE_OK);
	cr_expect_eq(statefile_rate(sf, "b", 1, &r2), RATE_FIRST);
	cr_expect_float_eq(r1, 2.0, 1e-9);
	statefile_free(sf);
}

Test(statefile, garbage_file_means_no_sample)
{
	struct statefile *sf = statefile_open(dir, "check_x", "k", 100, 300, 1, err, sizeof(err));
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
	sf = statefile_open(dir, "check_x", "k", 1002, 300, 1, err, sizeof(err));
	cr_assert_eq(stat(statefile_path(sf), &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600);
	statefile_free(sf);
	/* No temporary files are left behind: the state file and its lock. */
	snprintf(cmd, sizeof(cmd), "test $(ls %s | wc -l) -eq 2", dir);
	cr_expect_eq(system(cmd), 0);
}

Test(statefile, overlapping_runs_never_corrupt)
{
	double rate;
	pid_t kids[8];
	int status;

	run("k", 1001, 0, &rate);
	for (int i = 0; i < 8; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			/*
			 * The counter grows by exactly 100 a second whoever reads
			 * it, so any other rate came from a mixed-up sample.
			 */
			for (int n = 0; n < 200; n++) {
				enum rate_status st =
				    run("k", 1001 + n + i * 0.01, 100 * n + i, &rate);

				if (st == RATE_OK && fabs(rate - 100) > 1e-6)
					_exit(1);
			}
			_exit(0);
		}
	}
	for (int i = 0; i < 8; i++) {
		cr_assert_eq(waitpid(kids[i], &status, 0), kids[i]);
		cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			  "run %d saw a rate other than 100 a second", i);
	}
	/* Whichever run wrote last, the file is whole and gives a rate. */
	cr_expect_eq(run("k", 1300, 29900, &rate), RATE_OK);
	cr_expect_float_eq(rate, 100.0, 1e-6);
}

Test(statefile, unusable_directory)
{
	struct statefile *sf =
	    statefile_open("/nonexistent/dir", "check_x", "k", 1, 300, 1, err, sizeof(err));

	cr_expect_null(sf);
	cr_expect(strstr(err, "/nonexistent/dir") != NULL, "%s", err);
}

Test(statefile, reasons)
{
	cr_expect_str_eq(statefile_rate_reason(RATE_OK), "");
	for (int st = RATE_FIRST; st < RATE_STATUSES; st++)
		cr_expect(strncmp(statefile_rate_reason(st), "no value", 8) == 0, "%d", st);
	cr_expect(strstr(statefile_rate_reason(RATE_SOON), "1 s") != NULL);
}

/* Two runs 4 ms apart: the second has no rate, and the first's base is kept. */
Test(statefile, too_soon_keeps_the_earlier_sample)
{
	double rate;

	cr_expect_eq(run("k", 1000, 100, &rate), RATE_FIRST);
	cr_expect_eq(run("k", 1000.004, 101, &rate), RATE_SOON);
	cr_expect(isnan(rate), "no rate from the checks' own requests");
	cr_expect_eq(run("k", 1000.5, 102, &rate), RATE_SOON);
	cr_expect_eq(run("k", 1001.25, 110, &rate), RATE_OK);
	cr_expect_float_eq(rate, 10 / 1.25, 1e-9, "over the first sample, not the last");
}

/* Two services on one server, always 4 ms apart, both get a rate over a minute. */
Test(statefile, two_services_sharing_a_file)
{
	double rate;

	run("k", 1000, 0, &rate);
	cr_expect_eq(run("k", 1000.004, 0, &rate), RATE_SOON);
	for (int minute = 1; minute <= 5; minute++) {
		double t = 1000 + 60 * minute;

		cr_expect_eq(run("k", t, 600 * minute, &rate), RATE_OK);
		cr_expect_float_eq(rate, 10.0, 1e-3);
		cr_expect_eq(run("k", t + 0.004, 600 * minute, &rate), RATE_OK, "minute %d",
			     minute);
		cr_expect(rate > 9.9 && rate < 10.1, "%g over about a minute", rate);
	}
}

/*
 * Runs every 0.3 s keep a base between 1 and 2 s old rather than the very
 * first sample: a counter that stops shows as 0 two seconds later.
 */
Test(statefile, frequent_runs_keep_a_recent_base)
{
	double rate, t;
	int n = 0;

	for (t = 1000; t < 1020; t += 0.3, n++) {
		enum rate_status st = run("k", t, floor((t - 1000) * 10), &rate);

		cr_expect_eq(st,
			     n == 0	    ? RATE_FIRST
			     : t - 1000 < 1 ? RATE_SOON
					    : RATE_OK,
			     "at %.1f", t - 1000);
	}
	for (; t < 1022.5; t += 0.3)
		run("k", t, 200, &rate);
	cr_expect_eq(run("k", t, 200, &rate), RATE_OK);
	cr_expect_float_eq(rate, 0.0, 1e-9, "the base is at most 2 s old");
}

/* A burst of runs after a quiet minute: each one's rate is over the minute. */
Test(statefile, a_burst_of_runs)
{
	double rate;

	run("k", 1000, 0, &rate);
	for (int i = 0; i < 50; i++) {
		cr_expect_eq(run("k", 1060 + i * 0.004, 600 + i, &rate), RATE_OK, "run %d", i);
		cr_expect(rate >= 10 && rate < 10.9, "run %d: %g", i, rate);
	}
}

/* Write text as the state file of key "k". */
static void plant(const char *text)
{
	struct statefile *sf = statefile_open(dir, "check_x", "k", 1, 300, 1, err, sizeof(err));
	FILE *f;

	cr_assert_not_null(sf, "%s", err);
	f = fopen(statefile_path(sf), "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	statefile_free(sf);
}

/* A counter in the file that is negative, not whole, or absurd is no sample. */
Test(statefile, bad_counters_in_the_file)
{
	static const char *const bad[] = {
	    "-72920714988474",	    "-1",   "1.5", "nan",  "inf", "1e300",
	    "99999999999999999999", "0x10", "",	   "12abc"};
	double rate;
	char text[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "vakt-state 2\nkey k\ntime 1000\nrequests %s\n",
			 bad[i]);
		plant(text);
		cr_expect_eq(run("k", 1010, 5, &rate), RATE_FIRST, "'%s'", bad[i]);
		cr_expect(isnan(rate), "'%s' gave %g", bad[i], rate);
	}
	/* The largest whole number a double holds exactly is still a counter. */
	plant("vakt-state 2\nkey k\ntime 1000\nrequests 9007199254740990\n");
	cr_expect_eq(run("k", 1002, 9007199254740992.0, &rate), RATE_OK);
	cr_expect_float_eq(rate, 1.0, 1e-9);
}

/* Bad times or a bad layout make the whole file no sample. */
Test(statefile, bad_files)
{
	static const char *const bad[] = {
	    "vakt-state 2\nkey k\ntime -5\nrequests 1\n",
	    "vakt-state 2\nkey k\ntime 0\nrequests 1\n",
	    "vakt-state 2\nkey k\ntime nan\nrequests 1\n",
	    "vakt-state 2\nkey k\ntime\nrequests 1\n",
	    "vakt-state 2\nkey k\ntime 990 980 970 960\nrequests 1 1 1 1\n",
	    "vakt-state 3\nkey k\ntime 1000\nrequests 1\n",
	    "vakt-state 2\nkey other\ntime 1000\nrequests 1\n",
	    "vakt-state 2\nkey k\ntime 1000 990\nrequests 1\n",
	    "vakt-state 2\nkey k\ntime 1000\nrequests 1 2\n",
	};
	double rate;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		plant(bad[i]);
		cr_expect_eq(run("k", 1010, 50, &rate), RATE_FIRST, "file %zu", i);
	}
}

/* Version 1 files (one sample) still give a rate; "-" is a missing value. */
Test(statefile, file_versions)
{
	double rate;

	plant("vakt-state 1\nkey k\ntime 1000\nrequests 10\n");
	cr_expect_eq(run("k", 1010, 110, &rate), RATE_OK);
	cr_expect_float_eq(rate, 10.0, 1e-9);
	plant("vakt-state 2\nkey k\ntime 1005 1000\nrequests - 10\n");
	cr_expect_eq(run("k", 1010, 110, &rate), RATE_OK);
	cr_expect_float_eq(rate, 10.0, 1e-9);
}

/* A counter from the service that is not whole or negative is no sample. */
Test(statefile, bad_counters_from_the_service)
{
	static const double bad[] = {-1, 0.5, NAN, INFINITY, 1e300};
	struct statefile *sf;
	double rate;

	run("k", 1000, 10, &rate);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sf = statefile_open(dir, "check_x", "k", 1010, 300, 1, err, sizeof(err));
		cr_assert_not_null(sf);
		cr_expect_eq(statefile_rate(sf, "requests", bad[i], &rate), RATE_BAD, "%g", bad[i]);
		cr_expect(isnan(rate));
		statefile_free(sf);
	}
	cr_expect(statefile_counter_ok(0));
	cr_expect(!statefile_counter_ok(-0.5));
	cr_expect_eq(run("k", 1010, 110, &rate), RATE_OK, "the earlier sample is kept");
	cr_expect_float_eq(rate, 10.0, 1e-9);
}

/* A restart forgets the counter's history, so the next run has its rate. */
Test(statefile, reset_forgets_the_older_samples)
{
	double rate;

	run("k", 1000, 500, &rate);
	run("k", 1000.5, 550, &rate);
	cr_expect_eq(run("k", 1001, 3, &rate), RATE_RESET);
	cr_expect_eq(run("k", 1002, 13, &rate), RATE_OK);
	cr_expect_float_eq(rate, 10.0, 1e-9);
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * While one run holds the file, another waits its time and then has no
 * rate (and writes nothing); once the first is done, the next one reads
 * what the first wrote.
 */
Test(statefile, one_run_at_a_time)
{
	struct statefile *first, *second;
	struct stat before, after;
	double rate, start;

	run("k", 1000, 0, &rate);
	first = statefile_open(dir, "check_x", "k", 1010, 300, 1, err, sizeof(err));
	cr_assert_not_null(first);
	cr_expect_eq(statefile_rate(first, "requests", 100, &rate), RATE_OK);
	start = seconds();
	second = statefile_open(dir, "check_x", "k", 1010.5, 300, 0.05, err, sizeof(err));
	cr_assert_not_null(second, "%s", err);
	cr_expect(seconds() - start >= 0.05, "it waited");
	cr_expect(seconds() - start < 5, "no longer than asked");
	cr_expect_eq(statefile_rate(second, "requests", 105, &rate), RATE_BUSY);
	cr_expect(isnan(rate));
	cr_assert_eq(stat(statefile_path(first), &before), 0);
	cr_expect_eq(statefile_save(second, err, sizeof(err)), 0);
	cr_assert_eq(stat(statefile_path(first), &after), 0);
	cr_expect_eq(before.st_ino, after.st_ino, "the busy run wrote nothing");
	statefile_free(second);
	cr_expect_eq(statefile_save(first, err, sizeof(err)), 0, "%s", err);
	statefile_free(first);
	/* 1010 is the newest sample at least 1 s old, and it is the first run's. */
	cr_expect_eq(run("k", 1012, 120, &rate), RATE_OK);
	cr_expect_float_eq(rate, 10.0, 1e-9);
}

/* The lock is let go of when the state is freed without saving. */
Test(statefile, free_lets_go)
{
	struct statefile *sf = statefile_open(dir, "check_x", "k", 1000, 300, 1, err, sizeof(err));
	double rate;

	cr_assert_not_null(sf);
	statefile_free(sf);
	sf = statefile_open(dir, "check_x", "k", 1000, 300, 0, err, sizeof(err));
	cr_assert_not_null(sf);
	cr_expect_eq(statefile_rate(sf, "requests", 1, &rate), RATE_FIRST);
	statefile_free(sf);
}

/* The agent's rate between two collections follows the same rules. */
Test(statefile, rate_between_two_samples)
{
	double rate;

	cr_expect_eq(statefile_rate_between(100, 150, 10, &rate), RATE_OK);
	cr_expect_float_eq(rate, 5, 1e-9);
	cr_expect_eq(statefile_rate_between(NAN, 150, 10, &rate), RATE_FIRST);
	cr_expect(isnan(rate));
	cr_expect_eq(statefile_rate_between(200, 150, 10, &rate), RATE_RESET);
	cr_expect_eq(statefile_rate_between(100, 150, 0.5, &rate), RATE_SOON);
	cr_expect_eq(statefile_rate_between(100, 150, -3, &rate), RATE_CLOCK);
	cr_expect_eq(statefile_rate_between(100, 150, STATEFILE_MAX_AGE + 1, &rate), RATE_STALE);
	cr_expect_eq(statefile_rate_between(100, 1.5, 10, &rate), RATE_BAD);
	cr_expect_eq(statefile_rate_between(100, -1, 10, &rate), RATE_BAD);
	cr_expect(isnan(rate));
}

/* One run that reads what the last kept as "n", keeps value, and gives back what it read. */
static double keep_run(double now, double value)
{
	struct statefile *sf = statefile_open(dir, "check_x", "k", now, 300, 1, err, sizeof(err));
	double last;

	cr_assert_not_null(sf, "%s", err);
	last = statefile_last(sf, "n", NULL);
	if (!isnan(value))
		statefile_keep(sf, "n", value);
	cr_assert_eq(statefile_save(sf, err, sizeof(err)), 0, "%s", err);
	statefile_free(sf);
	return last;
}

Test(statefile, keep_and_last)
{
	cr_expect(isnan(keep_run(1000, 7)));
	cr_expect_eq(keep_run(1000.2, 8), 7, "a run less than 1 s later still reads the last one");
	cr_expect_eq(keep_run(1010, 9), 8);
	cr_expect_eq(keep_run(1020, NAN), 9);
	cr_expect(isnan(keep_run(1030, 1)), "a number not kept again is gone");
	cr_expect_eq(keep_run(1040, 0.5), 1, "what is no whole number is not kept");
	cr_expect(isnan(keep_run(1050, 1)));
}
