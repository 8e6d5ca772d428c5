/*
 * File descriptor parsers on recorded and malformed /proc contents, and the
 * process probe on this test's own process.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sys/resource.h>
#include <unistd.h>

#include "probe/fds.h"
#include "testutil.h"

Test(file_nr, recorded)
{
	double allocated, max;

	cr_assert_eq(fds_parse_file_nr(test_data("proc/file-nr"), &allocated, &max), 0);
	cr_expect_eq(allocated, 1184);
	cr_expect_eq(max, 2466174);
	cr_assert_eq(fds_parse_file_nr(test_data("proc/file-nr-huge"), &allocated, &max), 0);
	cr_expect_eq(max, 9223372036854775807.0);
}

Test(file_nr, malformed)
{
	static const char *const bad[] = {"",	       "1 0\n",	      "1\t0\t0\n",
					  "a\tb\tc\n", "1\t0\t5 x\n", "-1\t0\t5\n"};
	double a, m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(fds_parse_file_nr(bad[i], &a, &m), -1, "accepted '%s'", bad[i]);
}

Test(limits, recorded)
{
	double soft;

	cr_assert_eq(fds_parse_limits(test_data("proc/limits"), &soft), 0);
	cr_expect_eq(soft, 1024);
	cr_assert_eq(fds_parse_limits(test_data("proc/limits-unlimited"), &soft), 0);
	cr_expect(isnan(soft));
}

Test(limits, malformed)
{
	double soft;

	cr_expect_eq(fds_parse_limits("", &soft), -1);
	cr_expect_eq(fds_parse_limits("Max open files  lots  lots files\n", &soft), -1);
	cr_expect_eq(fds_parse_limits("XMax open files 5 5 files\n", &soft), -1);
}

Test(pidfile, forms)
{
	long pid;

	cr_expect_eq(fds_parse_pidfile("1234\n", &pid), 0);
	cr_expect_eq(pid, 1234);
	cr_expect_eq(fds_parse_pidfile("77", &pid), 0);
	cr_expect_eq(pid, 77);
	cr_expect_eq(fds_parse_pidfile("", &pid), -1);
	cr_expect_eq(fds_parse_pidfile("\n", &pid), -1);
	cr_expect_eq(fds_parse_pidfile("0\n", &pid), -1);
	cr_expect_eq(fds_parse_pidfile("-5\n", &pid), -1);
	cr_expect_eq(fds_parse_pidfile("12 34\n", &pid), -1);
	cr_expect_eq(fds_parse_pidfile("12\n34\n", &pid), -1);
	cr_expect_eq(fds_parse_pidfile("99999999999999\n", &pid), -1);
}

Test(probe_fds, own_process_exact)
{
	struct metric_set *set = metric_set_new();
	struct rlimit rl;
	char err[256], pid[24];
	double before, after;
	int extra[5];

	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	cr_assert_eq(probe_fds_process(set, getpid(), err, sizeof(err)), 0, "%s", err);
	before = metric_set_value(set, "process_fds_open", "pid", pid);
	for (int i = 0; i < 5; i++)
		extra[i] = open("/dev/null", O_RDONLY);
	metric_set_free(set);
	set = metric_set_new();
	cr_assert_eq(probe_fds_process(set, getpid(), err, sizeof(err)), 0, "%s", err);
	after = metric_set_value(set, "process_fds_open", "pid", pid);
	cr_expect_eq(after - before, 5);
	cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	cr_expect_eq(metric_set_value(set, "process_fds_limit", "pid", pid), (double)rl.rlim_cur);
	for (int i = 0; i < 5; i++)
		close(extra[i]);
	metric_set_free(set);
}

Test(probe_fds, missing_process)
{
	struct metric_set *set = metric_set_new();
	char err[256];

	cr_expect_eq(probe_fds_process(set, 2147483646, err, sizeof(err)), -1);
	cr_expect_eq(errno, ESRCH);
	cr_expect_str_eq(err, "process 2147483646 does not exist");
	metric_set_free(set);
}

Test(probe_fds, system)
{
	struct metric_set *set = metric_set_new();
	char err[256];

	cr_assert_eq(probe_fds_system(set, err, sizeof(err)), 0, "%s", err);
	cr_expect_gt(metric_set_value(set, "fds_allocated", NULL, NULL), 0);
	cr_expect_gt(metric_set_value(set, "fds_max", NULL, NULL), 0);
	metric_set_free(set);
}
