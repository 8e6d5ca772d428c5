/*
 * lib/probe/supervisor.c's reading of getAllProcessInfo, recorded from
 * supervisord 4.2 (tests/data/supervisor), and supervisor_verdict.c's
 * pieces that need no XML: badness, group counts, the flap window.
 */
#include <math.h>
#include <string.h>

#include "probe/supervisor.h"
#include "probe/supervisor_verdict.h"
#include "testutil.h"

Test(supervisor, processes_of_a_recorded_answer)
{
	struct xmlrpc_response r;
	struct metric_set *set = metric_set_new();
	const struct metric *m;
	char why[256];

	cr_assert_eq(xmlrpc_parse(test_data("supervisor/getAllProcessInfo.xml"),
				  strlen(test_data("supervisor/getAllProcessInfo.xml")), &r, why,
				  sizeof(why)),
		     0, "%s", why);
	cr_assert_eq(supervisor_processes(r.value, set, why, sizeof(why)), 0, "%s", why);
	m = metric_set_find(set, "supervisor_process_state", "name", "dies");
	cr_assert_not_null(m);
	cr_expect_str_eq(metric_label(m, "state"), "FATAL");
	cr_expect_geq(m->value, 0);
	m = metric_set_find(set, "supervisor_process_log", "name", "dies");
	cr_assert_not_null(m, "a FATAL process is bad");
	cr_expect_str_eq(metric_label(m, "spawnerr"),
			 "Exited too quickly (process log may have details)");
	cr_expect_not_null(metric_set_find(set, "supervisor_process_log", "name", "noisy"),
			   "EXITED with status 3 is unexpected");
	cr_expect_null(metric_set_find(set, "supervisor_process_log", "name", "celery-worker_01"),
		       "STOPPED is not bad");
	cr_expect_eq(metric_set_value(set, "supervisor_group_processes", "group", "celery-worker"),
		     4);
	cr_expect_eq(metric_set_value(set, "supervisor_group_running", "group", "celery-worker"),
		     3);
	cr_expect_eq(
	    metric_set_value(set, "supervisor_group_running_pct", "group", "celery-worker"), 75);
	cr_expect(isnan(metric_set_value(set, "supervisor_process_state", "name",
					 "celery-worker_01")) == false);
	xmlrpc_response_free(&r);
	metric_set_free(set);
}

Test(supervisor, not_an_answer)
{
	struct xmlrpc_response r;
	struct metric_set *set = metric_set_new();
	char why[256];
	const char *text = test_data("supervisor/getState.xml");

	cr_assert_eq(xmlrpc_parse(text, strlen(text), &r, why, sizeof(why)), 0);
	cr_expect_eq(supervisor_processes(r.value, set, why, sizeof(why)), -1);
	cr_expect_str_eq(why, "not an array of processes");
	xmlrpc_response_free(&r);
	metric_set_free(set);
}

Test(supervisor, bad)
{
	cr_expect(supervisor_bad("FATAL", 0, ""));
	cr_expect(supervisor_bad("BACKOFF", 0, ""));
	cr_expect(supervisor_bad("UNKNOWN", 0, ""));
	cr_expect(supervisor_bad("EXITED", 1, ""));
	cr_expect(supervisor_bad("EXITED", 0, "Bad exit code 0"));
	cr_expect_not(supervisor_bad("EXITED", 0, ""));
	cr_expect_not(supervisor_bad("STOPPED", 1, ""));
	cr_expect_not(supervisor_bad("RUNNING", 0, ""));
	cr_expect_not(supervisor_bad("STARTING", 0, ""));
}

Test(supervisor, starts_in_the_window)
{
	struct supervisor_starts s = {.n = 0};

	cr_expect_eq(supervisor_starts_see(&s, 0, 1000, 600, 4), 0, "never started");
	cr_expect_eq(supervisor_starts_see(&s, 100, 1000, 600, 4), 0, "before the window");
	cr_expect_eq(supervisor_starts_see(&s, 500, 1000, 600, 4), 1);
	cr_expect_eq(supervisor_starts_see(&s, 500, 1001, 600, 4), 1, "the same start once");
	cr_expect_eq(supervisor_starts_see(&s, 600, 1002, 600, 4), 2);
	cr_expect_eq(supervisor_starts_see(&s, 700, 1003, 600, 4), 3);
	cr_expect_eq(supervisor_starts_see(&s, 800, 1004, 600, 4), 4);
	cr_expect_eq(supervisor_starts_see(&s, 900, 1005, 600, 4), 4, "the newest keep only");
	cr_expect_eq(s.t[0], 600);
	cr_expect_eq(s.t[3], 900);
	cr_expect_eq(supervisor_starts_see(&s, 900, 1350, 600, 4), 2, "old ones leave the window");
	cr_expect_eq(s.t[0], 800);
}

Test(supervisor, restarts_and_groups)
{
	struct metric_set *set = metric_set_new();
	struct metric *m;

	m = metric_set_add(set, "supervisor_process_running", METRIC_GAUGE, "", 1);
	metric_label_add(m, "group", "w");
	metric_label_add(m, "name", "w_00");
	m = metric_set_add(set, "supervisor_process_running", METRIC_GAUGE, "", 0);
	metric_label_add(m, "group", "w");
	metric_label_add(m, "name", "w_01");
	supervisor_groups(set);
	supervisor_groups(set);
	cr_expect_eq(metric_set_value(set, "supervisor_group_running_pct", "group", "w"), 50);
	cr_expect_eq(metric_set_count(set), 5, "each group counted once");
	supervisor_restarts(set, metric_set_at(set, 0), 5, 600);
	cr_expect_eq(metric_set_value(set, "supervisor_process_restarts", "name", "w_00"), 5);
	cr_expect_eq(metric_set_value(set, "supervisor_flap_window_seconds", NULL, NULL), 600);
	metric_set_free(set);
}
