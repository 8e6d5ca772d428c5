/*
 * The agent's check endpoint: matching by name and labels, thresholds, the
 * worst state, stale collectors, unknown metrics and malformed ranges.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define NOW 1000000.0

static struct source src[2];
static struct snapshot snap = {src, 2, NOW - 100, 1};
static struct result *r;
static char *out;

static void add_queue(struct metric_set *set, const char *port, double v)
{
	struct metric *m = metric_set_add(set, "listen_queue", METRIC_GAUGE, "", v);

	metric_label_add(m, "address", "0.0.0.0");
	metric_label_add(m, "port", port);
}

static void setup(void)
{
	memset(src, 0, sizeof(src));
	src[0].name = "listen";
	src[0].metrics = metric_set_new();
	add_queue(src[0].metrics, "80", 3);
	add_queue(src[0].metrics, "443", 12);
	src[0].collected_at = NOW - 1;
	src[0].interval = 15;
	src[0].timeout = 5;
	src[1].name = "load";
	src[1].metrics = metric_set_new();
	metric_set_add(src[1].metrics, "load1", METRIC_GAUGE, "", 0.5);
	src[1].collected_at = NOW - 100; /* older than 2 x 15 + 5: stale */
	src[1].interval = 15;
	src[1].timeout = 5;
	src[1].last_error = "cannot read /proc/loadavg: Permission denied";
	r = NULL;
	out = NULL;
}

static void teardown(void)
{
	metric_set_free(src[0].metrics);
	metric_set_free(src[1].metrics);
	result_free(r);
	free(out);
}

TestSuite(check, .init = setup, .fini = teardown);

static int ask(struct check_query *q)
{
	int status = check_answer(&snap, NOW, q, &r);

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

Test(check, worst_of_several_first)
{
	struct check_query q = {.name = "listen_queue", .warning = "5", .critical = "10"};

	cr_expect_eq(ask(&q), 200);
	cr_expect_eq(result_state(r), STATE_CRITICAL);
	cr_expect(strncmp(out, "VAKT CRITICAL - listen_queue{address=0.0.0.0,port=443} is 12 (> 10), "
			       "listen_queue{address=0.0.0.0,port=80} is 3 |",
			  96) == 0,
		  "%s", out);
}

Test(check, stale_is_unknown_with_age_and_reason)
{
	struct check_query q = {.name = "load1", .critical = "10"};

	cr_expect_eq(ask(&q), 200);
	cr_expect_eq(result_state(r), STATE_UNKNOWN);
	cr_expect_str_eq(out, "VAKT UNKNOWN - load1 is stale: last collected 100 s ago, collector "
			      "load: cannot read /proc/loadavg: Permission denied\n");
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
