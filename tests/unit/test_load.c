/*
 * /proc/loadavg and /proc/pressure parsers on recorded and malformed input.
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "probe/load.h"
#include "testutil.h"

Test(loadavg, recorded)
{
	struct loadavg la;

	cr_assert_eq(load_parse_loadavg(test_data("proc/loadavg"), &la), 0);
	cr_expect_eq(la.load[0], 2.35);
	cr_expect_eq(la.load[1], 1.20);
	cr_expect_eq(la.load[2], 0.65);
	cr_expect_eq(la.running, 3);
	cr_expect_eq(la.total, 412);
}

Test(loadavg, malformed)
{
	static const char *const bad[] = {
	    "",
	    "\n",
	    "0.1 0.2\n",
	    "0.1 0.2 0.3\n",
	    "0.1 0.2 0.3 1\n",
	    "0.1 0.2 0.3 1/ 5\n",
	    "a b c 1/2 3\n",
	    "-1 0 0 1/2 3\n",
	    "0.1 0.2 0.3 1/2x 3\n",
	    "1e3 0 0 1/2 3\n",
	    "0 0 0 -5/-9 1\n",
	    "0 0 0 9/3 1\n",
	};
	struct loadavg la;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(load_parse_loadavg(bad[i], &la), -1, "accepted '%s'", bad[i]);
}

Test(pressure, recorded_with_full_line)
{
	struct pressure p;

	cr_assert_eq(load_parse_pressure(test_data("proc/pressure-cpu"), &p), 0);
	cr_expect(p.some.present);
	cr_expect_eq(p.some.avg[0], 12.5);
	cr_expect_eq(p.some.avg[1], 4.25);
	cr_expect_eq(p.some.avg[2], 1.0);
	cr_expect_eq(p.some.total, 98765432);
	cr_expect(p.full.present);
	cr_expect_eq(p.full.avg[0], 0);
}

Test(pressure, io)
{
	struct pressure p;

	cr_assert_eq(load_parse_pressure(test_data("proc/pressure-io"), &p), 0);
	cr_expect_eq(p.full.avg[1], 0.54);
	cr_expect_eq(p.full.total, 2213524);
}

Test(pressure, kernel_before_5_13_has_no_cpu_full_line)
{
	struct pressure p;

	cr_assert_eq(load_parse_pressure(test_data("proc/pressure-cpu-5.10"), &p), 0);
	cr_expect(p.some.present);
	cr_expect(!p.full.present);
	cr_expect_eq(p.some.avg[0], 1.5);
}

Test(pressure, malformed)
{
	static const char *const bad[] = {
	    "",
	    "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
	    "some avg10=0.00 avg60=0.00 total=0\n",
	    "some avg10=x avg60=0.00 avg300=0.00 total=0\n",
	    "some avg60=0.00 avg10=0.00 avg300=0.00 total=0\n",
	    "some avg10=0.00 avg60=0.00 avg300=0.00 total=0 extra\n",
	    "some avg10=-1 avg60=0.00 avg300=0.00 total=0\n",
	    "other avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
	};
	struct pressure p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(load_parse_pressure(bad[i], &p), -1, "accepted '%s'", bad[i]);
}

Test(probe_load, fills_the_metric_set)
{
	struct metric_set *set = metric_set_new();
	char err[256];

	cr_assert_eq(probe_load_collect(set, err, sizeof(err)), 0, "%s", err);
	cr_expect_not_null(metric_set_find(set, "load1", NULL, NULL));
	cr_expect_not_null(metric_set_find(set, "load15", NULL, NULL));
	cr_expect_geq(metric_set_value(set, "procs", NULL, NULL), 1);
	cr_expect_geq(metric_set_value(set, "cpus_online", NULL, NULL), 1);
	metric_set_free(set);
}

Test(probe_load, pressure_resource_labels)
{
	struct metric_set *set = metric_set_new();
	const struct metric *m;
	char err[256];

	if (probe_pressure_collect(set, "io", err, sizeof(err)) != 0) {
		cr_expect(strstr(err, "pressure stall information") != NULL, "%s", err);
	} else {
		m = metric_set_find(set, "pressure_some_avg10", "resource", "io");
		cr_assert_not_null(m);
		cr_expect_str_eq(m->unit, "%");
		m = metric_set_find(set, "pressure_some_total", "resource", "io");
		cr_assert_not_null(m);
		cr_expect_eq(m->kind, METRIC_COUNTER);
	}
	metric_set_free(set);
}

Test(probe_load, unknown_resource)
{
	struct metric_set *set = metric_set_new();
	char err[256];

	cr_expect_eq(probe_pressure_collect(set, "gpu", err, sizeof(err)), -1);
	cr_expect(strstr(err, "/proc/pressure/gpu") != NULL, "%s", err);
	metric_set_free(set);
}
