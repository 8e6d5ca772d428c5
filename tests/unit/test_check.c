/*
 * The agent's check endpoint: matching by name and labels, thresholds, the
 * worst state, failing and stale collectors, the collectors' own metrics,
 * seconds in words, unknown metrics and malformed ranges.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "testutil.h"

#define NOW 1000000.0

static const char *const load_families[] = {"load", NULL};
static const char *const redis_families[] = {"redis_", "queue_depth", NULL};
static struct source src[3];
static struct snapshot snap = {src, 3, NOW - 100, 1};
static struct result *r;
static char *out;

static void add_queue(struct metric_set *set, const char *port, double v)
{
	struct metric *m = metric_set_add(set, "listen_queue", METRIC_GAUGE, "", v);

	metric_label_add(m, "address", "0.0.0.0");
	metric_label_add(m, "port", port);
	m = metric_set_add(set, "listen_backlog", METRIC_GAUGE, "", 128);
	metric_label_add(m, "address", "0.0.0.0");
	metric_label_add(m, "port", port);
}

static void setup(void)
{
	memset(src, 0, sizeof(src));
	src[0].name = test_str("listen");
	src[0].metrics = metric_set_new();
	add_queue(src[0].metrics, "80", 3);
	add_queue(src[0].metrics, "443", 12);
	metric_set_add(src[0].metrics, "listen_overflows", METRIC_COUNTER, "", 150);
	src[0].prev_metrics = metric_set_new();
	metric_set_add(src[0].prev_metrics, "listen_overflows", METRIC_COUNTER, "", 100);
	src[0].prev_collected_at = NOW - 11;
	src[0].collected_at = NOW - 1;
	src[0].interval = 15;
	src[0].timeout = 5;
	src[1].name = test_str("load");
	src[1].metrics = metric_set_new();
	metric_set_add(src[1].metrics, "load1", METRIC_GAUGE, "", 0.5);
	src[1].collected_at = NOW - 100; /* older than 2 x 15 + 5: stale */
	src[1].interval = 15;
	src[1].timeout = 5;
	src[1].last_error = test_str("cannot read /proc/loadavg: Permission denied");
	src[1].failing_since = NOW - 70;
	src[1].families = load_families;
	/* A broker that never answered. */
	src[2].name = test_str("redis jobs");
	src[2].where = test_str("127.0.0.1:6379");
	src[2].families = redis_families;
	src[2].name_label = "target";
	src[2].interval = 30;
	src[2].timeout = 10;
	src[2].last_attempt = NOW - 5;
	src[2].failing_since = NOW - 185;
	src[2].last_error = test_str("collection still running after 10 s, over its 10 s limit");
	src[2].runs = 6;
	src[2].errors = 6;
	r = NULL;
	out = NULL;
}

static void teardown(void)
{
	metric_set_free(src[0].metrics);
	metric_set_free(src[0].prev_metrics);
	metric_set_free(src[1].metrics);
	result_free(r);
	free(out);
}

TestSuite(check, .init = setup, .fini = teardown);

static int ask(struct check_query *q)
{
	int status;

	result_free(r);
	free(out);
	status = check_answer(&snap, NOW, q, &r);
	out = result_render(r);
	return status;
}

/* Select the series of q with label port = port. */
static void on_port(struct check_query *q, const char *port)
{
	q->label_name[0] = "port";
	q->label_value[0] = port;
	q->nlabels = 1;
}

Test(check, one_metric_by_label)
{
	struct check_query q = {.name = "listen_queue", .warning = "5", .critical = "10"};

	on_port(&q, "80");
	cr_expect_eq(ask(&q), 200);
	cr_expect_str_eq(out, "VAKT OK - listen_queue{address=0.0.0.0,port=80} is 3 | "
			      "listen_queue_0.0.0.0:80=3;5;10\n");
}

/* A listener is ADDR:PORT in the label, as in check_listen and check_nginx. */
Test(check, listener_label_like_the_plugins)
{
	struct check_query q = {.name = "listen_queue"};
	struct metric *m = metric_set_add(src[0].metrics, "listen_queue", METRIC_GAUGE, "", 1);

	metric_label_add(m, "address", "::1");
	metric_label_add(m, "port", "8443");
	on_port(&q, "8443");
	cr_expect_eq(ask(&q), 200);
	cr_expect_str_eq(out, "VAKT OK - listen_queue{address=::1,port=8443} is 1 | "
			      "listen_queue_[::1]:8443=1\n");
}

/* The rule of both front ends (threshold_judge): no value fires no threshold. */
Test(check, a_metric_without_a_value_is_ok_and_says_so)
{
	struct check_query q = {.name = "process_fds_limit", .critical = "0:100"};
	struct metric *m =
	    metric_set_add(src[0].metrics, "process_fds_limit", METRIC_GAUGE, "", NAN);

	metric_label_add(m, "process", "nginx");
	cr_expect_eq(ask(&q), 200);
	cr_expect_eq(result_state(r), STATE_OK);
	cr_expect_str_eq(out, "VAKT OK - process_fds_limit{process=nginx} has no value\n"
			      "process_fds_limit_nginx: no value, it could not be determined\n");
}

Test(check, worst_of_several_first)
{
	struct check_query q = {.name = "listen_queue", .warning = "5", .critical = "10"};

	cr_expect_eq(ask(&q), 200);
	cr_expect_eq(result_state(r), STATE_CRITICAL);
	cr_expect(strncmp(out,
			  "VAKT CRITICAL - listen_queue{address=0.0.0.0,port=443} is 12 (> 10), "
			  "listen_queue{address=0.0.0.0,port=80} is 3 |",
			  96) == 0,
		  "%s", out);
}

Test(check, failing_collector_is_critical_with_its_error)
{
	struct check_query q = {.name = "load1", .critical = "10"};

	cr_expect_eq(ask(&q), 200);
	cr_expect_eq(result_state(r), STATE_CRITICAL);
	/* The error names the file already; no "(where)" for a collector of this host. */
	cr_expect_str_eq(out, "VAKT CRITICAL - collector load is failing: cannot read "
			      "/proc/loadavg: Permission denied, since 70 s\n");
}

Test(check, never_succeeded_answers_with_its_failure_not_404)
{
	struct check_query q = {.name = "queue_depth", .critical = "1000"};

	q.label_name[0] = "target";
	q.label_value[0] = "jobs";
	q.label_name[1] = "queue";
	q.label_value[1] = "celery";
	q.nlabels = 2;
	cr_expect_eq(ask(&q), 200);
	cr_expect_str_eq(out, "VAKT CRITICAL - collector redis jobs (127.0.0.1:6379) is failing: "
			      "collection still running after 10 s, over its 10 s limit, since 3 "
			      "min\n");
	/* Another section's name, or a metric another kind gives: not this collector's. */
	q.label_value[0] = "cache";
	cr_expect_eq(ask(&q), 404);
	cr_expect_str_eq(out, "VAKT UNKNOWN - no metric queue_depth with those labels\n");
	q.name = "nginx_active";
	q.nlabels = 0;
	cr_expect_eq(ask(&q), 404);
}

Test(check, failing_blamed_only_when_nothing_else_answers)
{
	struct check_query q = {.name = "queue_depth"};
	struct metric *m;

	/* No filter names it and it never had metrics: the likely reason for nothing. */
	q.label_name[0] = "queue";
	q.label_value[0] = "celery";
	q.nlabels = 1;
	cr_expect_eq(ask(&q), 200);
	cr_expect(strncmp(out, "VAKT CRITICAL - collector redis jobs (127.0.0.1:6379) is failing",
			  64) == 0,
		  "%s", out);
	/* Every failing collector that may give it. */
	src[1].families = redis_families;
	cr_expect_eq(ask(&q), 200);
	cr_expect(strstr(out, ", collector redis jobs (127.0.0.1:6379) is failing") != NULL, "%s",
		  out);
	cr_expect(strncmp(out, "VAKT CRITICAL - collector load is failing", 41) == 0, "%s", out);
	/* Another source has the series: that one answers, alone. */
	m = metric_set_add(src[0].metrics, "queue_depth", METRIC_GAUGE, "", 7);
	metric_label_add(m, "target", "cache");
	metric_label_add(m, "queue", "celery");
	cr_expect_eq(ask(&q), 200);
	cr_expect_str_eq(out, "VAKT OK - queue_depth{target=cache,queue=celery} is 7 | "
			      "queue_depth_cache_celery=7\n");
}

Test(check, stale_without_error_is_unknown_with_age)
{
	struct check_query q = {.name = "load1", .critical = "10"};

	src[1].last_error = NULL;
	cr_expect_eq(ask(&q), 200);
	cr_expect_eq(result_state(r), STATE_UNKNOWN);
	cr_expect_str_eq(out, "VAKT UNKNOWN - load1 is stale: last collected 100 s ago\n");
}

Test(check, collector_up_is_checked)
{
	struct check_query q = {.name = "collector_up", .critical = "1:"};

	q.label_name[0] = "collector";
	q.label_value[0] = "listen";
	q.nlabels = 1;
	cr_expect_eq(ask(&q), 200);
	cr_expect_str_eq(out, "VAKT OK - collector_up{collector=listen} is 1 | "
			      "collector_up_listen=1;;1:\n");
	/* Every collector: the failing ones first, each with its own error. */
	q.nlabels = 0;
	cr_expect_eq(ask(&q), 200);
	cr_expect_eq(result_state(r), STATE_CRITICAL);
	cr_expect(strncmp(out,
			  "VAKT CRITICAL - collector load is failing: cannot read "
			  "/proc/loadavg: Permission denied, since 70 s, collector redis jobs "
			  "(127.0.0.1:6379) is failing: ",
			  151) == 0,
		  "%s", out);
	cr_expect(
	    strstr(out, "collector_up{collector=listen} is 1 | collector_up_listen=1;;1:\n") !=
		NULL,
	    "%s", out);
	/* A named collector by its target label, no space to quote. */
	q.label_name[0] = "target";
	q.label_value[0] = "jobs";
	q.nlabels = 1;
	cr_expect_eq(ask(&q), 200);
	cr_expect(strncmp(out, "VAKT CRITICAL - collector redis jobs (127.0.0.1:6379)", 52) == 0,
		  "%s", out);
}

Test(check, seconds_in_words_perfdata_exact)
{
	struct check_query q = {.name = "lock_wait_longest", .critical = "60"};
	struct metric *m =
	    metric_set_add(src[0].metrics, "lock_wait_longest", METRIC_GAUGE, "s", 84.224915);

	metric_label_add(m, "dbms", "mysql");
	cr_expect_eq(ask(&q), 200);
	cr_expect_str_eq(out, "VAKT CRITICAL - lock_wait_longest{dbms=mysql} is 84 s (> 60) | "
			      "lock_wait_longest_mysql=84.224915s;;60\n");
	metric_set_free(src[0].metrics);
	src[0].metrics = metric_set_new();
	metric_set_add(src[0].metrics, "lock_wait_longest", METRIC_GAUGE, "s", 0.42);
	q.critical = "0.5";
	cr_expect_eq(ask(&q), 200);
	cr_expect_str_eq(out,
			 "VAKT OK - lock_wait_longest is 0.4 s | lock_wait_longest=0.42s;;0.5\n");
}

Test(check, unknown_metric_is_404)
{
	struct check_query q = {.name = "no_such"};

	cr_expect_eq(ask(&q), 404);
	cr_expect_str_eq(out, "VAKT UNKNOWN - no metric no_such\n");
	q.name = "listen_queue";
	q.label_name[0] = "port";
	q.label_value[0] = "22";
	q.nlabels = 1;
	cr_expect_eq(ask(&q), 404);
}

Test(check, malformed_range_is_400)
{
	struct check_query q = {.name = "load1", .warning = "2:1"};

	cr_expect_eq(ask(&q), 400);
	cr_expect_eq(result_state(r), STATE_UNKNOWN);
	cr_expect(strstr(out, "invalid range '2:1'") != NULL, "%s", out);
}

Test(check, no_thresholds_is_ok)
{
	struct check_query q = {.name = "listen_queue"};

	cr_expect_eq(ask(&q), 200);
	cr_expect_eq(result_state(r), STATE_OK);
}

Test(query, arguments)
{
	struct check_query q = {.name = "listen_queue"};
	char err[128];

	cr_expect_eq(check_query_arg(&q, "warning", "5", err, sizeof(err)), 0);
	cr_expect_eq(check_query_arg(&q, "critical", "@1:2", err, sizeof(err)), 0);
	cr_expect_eq(check_query_arg(&q, "port", "443", err, sizeof(err)), 0);
	cr_expect_eq(check_query_arg(&q, "format", "nagios", err, sizeof(err)), 0);
	cr_expect_str_eq(q.warning, "5");
	cr_expect_str_eq(q.critical, "@1:2");
	cr_expect_eq(q.nlabels, 1);
	cr_expect_str_eq(q.label_name[0], "port");
	cr_expect_str_eq(q.label_value[0], "443");
	cr_expect_eq(q.format, CHECK_FORMAT_NAGIOS);
	cr_expect_eq(check_query_arg(&q, "format", "text", err, sizeof(err)), 0);
	cr_expect_eq(q.format, CHECK_FORMAT_NAGIOS);
	cr_expect_eq(check_query_arg(&q, "format", "json", err, sizeof(err)), 0);
	cr_expect_eq(q.format, CHECK_FORMAT_JSON);
}

Test(query, bad_arguments)
{
	struct check_query q = {.name = "x"};
	char err[128];

	cr_expect_eq(check_query_arg(&q, "format", "xml", err, sizeof(err)), -1);
	cr_expect_str_eq(err, "format must be nagios or json");
	cr_expect_eq(check_query_arg(&q, "", "v", err, sizeof(err)), -1);
	for (int i = 0; i < CHECK_MAX_LABELS; i++)
		cr_expect_eq(check_query_arg(&q, "k", "v", err, sizeof(err)), 0);
	cr_expect_eq(check_query_arg(&q, "k", "v", err, sizeof(err)), -1);
	cr_expect_str_eq(err, "at most 8 label filters");
}

/* A check's verdict: ask check v with the NAME=VALUE pairs of a request. */
static int verdict(const struct verdict *v, const char *instance, size_t n,
		   const struct plugin_pair *pairs)
{
	int status;

	result_free(r);
	free(out);
	status = check_verdict(&snap, NOW, v, instance, pairs, n, &r);
	out = result_render(r);
	return status;
}

Test(check, verdict_judged_as_the_plugin_with_rates_from_the_previous_collection)
{
	const struct plugin_pair p[] = {
	    {"port", "443"}, {"warning", "10"}, {"critical", "listen_overflows_rate=4"}};

	cr_assert_eq(verdict(&verdict_listen, NULL, 3, p), 200);
	/* 50 overflows over the 10 s between the two collections. */
	cr_expect_str_eq(out,
			 "LISTEN CRITICAL - 5.00 connections/s overflowed a full accept queue "
			 "(> 4), 0.0.0.0:443 has 12 connections waiting to be accepted (> 10), "
			 "0.0.0.0:443 accept queue 12 of 128 (9.4%) | "
			 "listen_queue_0.0.0.0:443=12;10;;0;128 "
			 "listen_queue_pct_0.0.0.0:443=9.375%;;;0;100 "
			 "listen_overflows_rate=5;;4;0\n"
			 "0.0.0.0:443: 12 of 128 waiting (9.4%)\n");
}

Test(check, verdict_no_previous_collection_no_rate_and_says_why)
{
	const struct plugin_pair p[] = {{"port", "80"}};

	metric_set_free(src[0].prev_metrics);
	src[0].prev_metrics = NULL;
	cr_assert_eq(verdict(&verdict_listen, NULL, 1, p), 200);
	cr_expect(strstr(out, "listen_overflows_rate: no value yet, first sample") != NULL, "%s",
		  out);
}

Test(check, verdict_options_are_the_plugins_and_only_the_judgements)
{
	const struct plugin_pair bad_value[] = {{"port", "80"}, {"hostname", "localhost"}};
	const struct plugin_pair connects[] = {{"port", "80"}, {"state-dir", "/tmp"}};
	const struct plugin_pair neither[] = {{"percent", ""}};

	cr_assert_eq(verdict(&verdict_listen, NULL, 2, bad_value), 400);
	cr_expect_str_eq(out,
			 "LISTEN UNKNOWN - -H must be an IPv4 or IPv6 address for check_listen, "
			 "not 'localhost'\n");
	cr_assert_eq(verdict(&verdict_listen, NULL, 2, connects), 400);
	cr_expect_str_eq(out, "LISTEN UNKNOWN - unknown option 'state-dir'\n");
	cr_assert_eq(verdict(&verdict_listen, NULL, 1, neither), 400);
	cr_expect_str_eq(out, "LISTEN UNKNOWN - give either -p PORT or --all\n");
}

Test(check, verdict_a_failing_collector_is_critical_with_its_error)
{
	cr_assert_eq(verdict(&verdict_load, NULL, 0, NULL), 200);
	cr_expect_str_eq(out, "LOAD CRITICAL - collector load is failing: cannot read "
			      "/proc/loadavg: Permission denied, since 70 s\n");
}

Test(check, verdict_a_section_that_is_not_there)
{
	const struct plugin_pair p[] = {{"process", "nginx"}}, all[] = {{"all", ""}};

	cr_assert_eq(verdict(&verdict_listen, "x", 1, all), 404);
	cr_expect_str_eq(out,
			 "LISTEN UNKNOWN - no [listen x] section in the agent's configuration\n");
	cr_assert_eq(verdict(&verdict_fds, NULL, 1, p), 404);
	cr_expect_str_eq(out,
			 "FDS UNKNOWN - no [process nginx] section in the agent's configuration\n");
}

Test(check, verdict_stale_or_not_collected_yet_is_unknown)
{
	const struct plugin_pair p[] = {{"all", ""}};

	src[0].collected_at = NOW - 60;
	cr_assert_eq(verdict(&verdict_listen, NULL, 1, p), 200);
	cr_expect_str_eq(out,
			 "LISTEN UNKNOWN - collector listen is stale: last collected 60 s ago\n");
	src[0].collected_at = 0;
	cr_assert_eq(verdict(&verdict_listen, NULL, 1, p), 200);
	cr_expect_str_eq(out, "LISTEN UNKNOWN - collector listen has not collected yet\n");
}
