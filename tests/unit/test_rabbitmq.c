/*
 * lib/probe/rabbitmq_json.c: answers recorded from RabbitMQ 3.10 (a classic
 * and a quorum queue, queue lists with columns=, a vhost and a queue whose
 * names need encoding, the overview, nodes with and without alarms, health
 * checks passing and failing with HTTP 503), and what a server that is not
 * RabbitMQ's management API answers.
 */
#include <math.h>
#include <regex.h>
#include <string.h>

#include "fail.h"
#include "probe/rabbitmq_json.h"
#include "testutil.h"

/* idle_since of queue-classic-3.10.json, in seconds since the epoch. */
#define CLASSIC_IDLE_SINCE 1795913004.863

static int queues(const char *text, const regex_t *re, size_t max, struct rabbitmq_queues *q)
{
	char err[256] = "";

	return rabbitmq_queues_parse(text, strlen(text), re, max, CLASSIC_IDLE_SINCE + 10, q, err,
				     sizeof(err));
}

Test(rabbitmq_queue, classic_recorded)
{
	struct rabbitmq_queues q = {0};

	cr_assert_eq(queues(test_data("rabbitmq/queue-classic-3.10.json"), NULL, 0, &q), 1);
	cr_assert_str_eq(q.v[0].name, "celery");
	cr_assert_str_eq(q.v[0].vhost, "/");
	cr_assert_str_eq(q.v[0].type, "classic");
	cr_assert_str_eq(q.v[0].state, "running");
	cr_assert(q.v[0].running);
	cr_expect_eq(q.v[0].messages, 3);
	cr_expect_eq(q.v[0].ready, 3);
	cr_expect_eq(q.v[0].unacked, 0);
	cr_expect_eq(q.v[0].consumers, 0);
	cr_expect_eq(q.v[0].idle, 10);
	cr_expect_eq(q.v[0].publish, 0);
	/* Rates are computed, and nothing was delivered or acknowledged: 0, not unknown. */
	cr_expect_eq(q.v[0].deliver, 0);
	cr_expect_eq(q.v[0].ack, 0);
	rabbitmq_queues_free(&q);
}

Test(rabbitmq_queue, quorum_has_no_idle_since)
{
	struct rabbitmq_queues q = {0};

	cr_assert_eq(queues(test_data("rabbitmq/queue-quorum-3.10.json"), NULL, 0, &q), 1);
	cr_assert_str_eq(q.v[0].type, "quorum");
	cr_expect_eq(q.v[0].messages, 1);
	cr_expect_eq(q.v[0].idle, 0);
	rabbitmq_queues_free(&q);
}

Test(rabbitmq_queue, list_filter_and_limit)
{
	struct rabbitmq_queues q = {0};
	regex_t re;

	/* Recorded after --mode health: the aliveness test's queue is left out. */
	cr_assert_eq(queues(test_data("rabbitmq/queues-3.10.json"), NULL, 0, &q), 2);
	cr_assert_not(q.cut);
	cr_assert_null(rabbitmq_queues_find(&q, "/", "aliveness-test"));
	cr_assert_not_null(rabbitmq_queues_find(&q, "/", "quorum1"));
	cr_assert_null(rabbitmq_queues_find(&q, "other", "quorum1"));
	rabbitmq_queues_free(&q);
	cr_assert_eq(regcomp(&re, "^c", REG_EXTENDED | REG_NOSUB), 0);
	cr_assert_eq(queues(test_data("rabbitmq/queues-3.10.json"), &re, 0, &q), 1);
	cr_assert_str_eq(q.v[0].name, "celery");
	rabbitmq_queues_free(&q);
	regfree(&re);
	cr_assert_eq(queues(test_data("rabbitmq/queues-3.10.json"), NULL, 1, &q), 1);
	cr_assert(q.cut);
	rabbitmq_queues_free(&q);
}

Test(rabbitmq_queue, names_that_need_encoding)
{
	struct rabbitmq_queues q = {0};
	struct metric_set *set = metric_set_new();
	const struct metric *m;

	cr_assert_eq(queues(test_data("rabbitmq/queues-vhost-3.10.json"), NULL, 0, &q), 1);
	rabbitmq_queues_metrics(&q, "127.0.0.1:15672", set);
	/* Ten values and queue_info; queue_missing only for a queue asked for by name. */
	cr_assert_eq(metric_set_count(set), 11);
	m = metric_set_find(set, "queue_depth", "queue", "a b/c");
	cr_assert_not_null(m);
	cr_expect_eq(m->value, 2);
	cr_expect_str_eq(metric_label(m, "vhost"), "my v\xc3\xa4rd");
	cr_expect_str_eq(metric_label(m, "broker"), "rabbitmq");
	cr_expect_str_eq(metric_label(m, "target"), "127.0.0.1:15672");
	cr_expect_eq(metric_set_value(set, "queue_running", NULL, NULL), 1);
	cr_expect_str_eq(metric_set_find(set, "queue_idle", NULL, NULL)->unit, "s");
	cr_expect_str_eq(metric_set_find(set, "queue_stalled", NULL, NULL)->unit, "s");
	cr_expect_eq(metric_set_value(set, "queue_stalled", NULL, NULL), 0);
	m = metric_set_find(set, "queue_info", "queue", "a b/c");
	cr_assert_not_null(m);
	cr_expect_str_eq(metric_label(m, "state"), "running");
	cr_expect_str_eq(metric_label(m, "vhost"), "my v\xc3\xa4rd");
	metric_set_free(set);
	rabbitmq_queues_free(&q);
}

Test(rabbitmq_queue, states_and_missing_statistics)
{
	struct rabbitmq_queues q = {0};
	struct metric_set *set = metric_set_new();

	/* A queue created a moment ago: the statistics are not collected yet. */
	cr_assert_eq(queues("{\"name\":\"new\",\"vhost\":\"/\",\"type\":\"classic\"}", NULL, 0, &q),
		     1);
	cr_assert_eq(queues("[{\"name\":\"x\",\"vhost\":\"/\",\"state\":\"crashed\"},"
			    "{\"name\":\"f\",\"vhost\":\"/\",\"state\":\"flow\"},"
			    "{\"name\":\"m\",\"vhost\":\"/\",\"state\":\"minority\"}]",
			    NULL, 0, &q),
		     3);
	rabbitmq_queues_metrics(&q, "i", set);
	cr_expect(isnan(metric_set_value(set, "queue_depth", "queue", "new")));
	cr_expect(isnan(metric_set_value(set, "queue_publish_rate", "queue", "new")));
	cr_expect(isnan(metric_set_value(set, "queue_running", "queue", "new")));
	cr_expect_eq(metric_set_value(set, "queue_running", "queue", "x"), 0);
	cr_expect_eq(metric_set_value(set, "queue_running", "queue", "f"), 1);
	cr_expect_eq(metric_set_value(set, "queue_running", "queue", "m"), 0);
	metric_set_free(set);
	rabbitmq_queues_free(&q);
}

Test(rabbitmq_queue, not_the_api)
{
	static const char *const bad[] = {
	    "",
	    "hello",
	    "{}",
	    "[1]",
	    "[{\"name\":\"a\",\"vhost\":\"/\"}, 7]",
	    "{\"name\":1,\"vhost\":\"/\"}",
	    "{\"name\":\"a\"}",
	    "\"a string\"",
	    "{\"name\":\"a\",\"vhost\":\"/\"} trailing",
	    "{\"name\":\"a\",\"vhost\":\"/\"}{}",
	};
	static const char *const files[] = {
	    "rabbitmq/not-json.html",	      "rabbitmq/other-service.json",
	    "rabbitmq/queues-truncated.json", "rabbitmq/deep.json",
	    "rabbitmq/overview-3.10.json",
	};
	struct rabbitmq_queues q = {0};
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(queues(bad[i], NULL, 0, &q), -1, "accepted '%s'", bad[i]);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const char *text = test_data(files[i]);

		err[0] = '\0';
		cr_expect_eq(
		    rabbitmq_queues_parse(text, strlen(text), NULL, 0, 0, &q, err, sizeof(err)), -1,
		    "accepted %s", files[i]);
		cr_expect_neq(err[0], '\0', "no reason for %s", files[i]);
	}
	/* A NUL inside is no JSON text, whatever follows. */
	cr_expect_eq(rabbitmq_queues_parse("{\"name\":\"a\",\"vhost\":\"/\"}\0x", 27, NULL, 0, 0,
					   &q, err, sizeof(err)),
		     -1);
	/* An empty list is a vhost without queues. */
	cr_expect_eq(queues("[]", NULL, 0, &q), 0);
	cr_expect_eq(q.n, 0);
	rabbitmq_queues_free(&q);
}

Test(rabbitmq_overview, recorded)
{
	const char *text = test_data("rabbitmq/overview-3.10.json");
	struct rabbitmq_overview o;
	struct metric_set *set = metric_set_new();
	char err[256];

	cr_assert_eq(rabbitmq_overview_parse(text, strlen(text), &o, err, sizeof(err)), 0, "%s",
		     err);
	cr_expect_str_eq(o.version, "3.10.8");
	cr_expect_eq(o.messages, 4);
	cr_expect_eq(o.ready, 4);
	cr_expect_eq(o.unacked, 0);
	cr_expect_eq(o.queues, 4);
	cr_expect_eq(o.connections, 0);
	cr_expect_eq(o.consumers, 0);
	cr_expect(!isnan(o.publish));
	rabbitmq_overview_metrics(&o, "i", set);
	cr_expect_eq(metric_set_count(set), 11);
	cr_expect_str_eq(
	    metric_label(metric_set_find(set, "rabbitmq_build_info", NULL, NULL), "version"),
	    "3.10.8");
	cr_expect_eq(metric_set_value(set, "rabbitmq_messages", "broker", "rabbitmq"), 4);
	metric_set_free(set);
	/* Without queue_totals (statistics not ready), the totals are unknown, not 0. */
	text = "{\"rabbitmq_version\":\"4.0.1\",\"queue_totals\":{}}";
	cr_assert_eq(rabbitmq_overview_parse(text, strlen(text), &o, err, sizeof(err)), 0);
	cr_expect(isnan(o.messages));
	cr_expect(isnan(o.publish));
	cr_expect_eq(rabbitmq_overview_parse("[]", 2, &o, err, sizeof(err)), -1);
	text = test_data("rabbitmq/other-service.json");
	cr_expect_eq(rabbitmq_overview_parse(text, strlen(text), &o, err, sizeof(err)), -1);
}

Test(rabbitmq_nodes, recorded)
{
	const char *text = test_data("rabbitmq/nodes-3.10.json");
	struct rabbitmq_nodes n = {0};
	struct metric_set *set = metric_set_new();
	char err[256];

	cr_assert_eq(rabbitmq_nodes_parse(text, strlen(text), &n, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(n.n, 1);
	cr_expect_str_eq(n.v[0].name, "rabbit@localhost");
	cr_expect(n.v[0].running);
	cr_expect_eq(n.v[0].mem_alarm, 0);
	cr_expect_eq(n.v[0].disk_free_alarm, 0);
	cr_expect_eq(n.v[0].fds_total, 1024);
	cr_expect_eq(n.v[0].fds_used, 41);
	rabbitmq_nodes_metrics(&n, "i", set);
	cr_expect_eq(metric_set_count(set), 16);
	cr_expect_eq(metric_set_value(set, "rabbitmq_fds_total", "node", "rabbit@localhost"), 1024);
	cr_expect_float_eq(metric_set_value(set, "rabbitmq_fds_pct", "node", "rabbit@localhost"),
			   100.0 * 41 / 1024, 1e-9);
	cr_expect_str_eq(metric_set_find(set, "rabbitmq_mem_used", NULL, NULL)->unit, "B");
	cr_expect_str_eq(metric_set_find(set, "rabbitmq_mem_pct", NULL, NULL)->unit, "%");
	metric_set_free(set);
	rabbitmq_nodes_free(&n);
}

Test(rabbitmq_nodes, alarms_and_a_stopped_node)
{
	const char *text = test_data("rabbitmq/nodes-alarms-3.10.json");
	struct rabbitmq_nodes n = {0};
	struct metric_set *set = metric_set_new();
	char err[256];

	cr_assert_eq(rabbitmq_nodes_parse(text, strlen(text), &n, err, sizeof(err)), 0);
	cr_expect_eq(n.v[0].mem_alarm, 1);
	cr_expect_eq(n.v[0].disk_free_alarm, 1);
	text = test_data("rabbitmq/node-stopped.json");
	cr_assert_eq(rabbitmq_nodes_parse(text, strlen(text), &n, err, sizeof(err)), 0);
	cr_assert_eq(n.n, 2);
	rabbitmq_nodes_metrics(&n, "i", set);
	cr_expect_eq(metric_set_value(set, "rabbitmq_running", "node", "rabbit@b"), 0);
	cr_expect(isnan(metric_set_value(set, "rabbitmq_mem_pct", "node", "rabbit@b")));
	cr_expect(isnan(metric_set_value(set, "rabbitmq_mem_alarm", "node", "rabbit@b")));
	cr_expect_eq(rabbitmq_nodes_parse("[]", 2, &n, err, sizeof(err)), -1);
	cr_expect_eq(rabbitmq_nodes_parse("[{\"name\":\"a\"}]", 14, &n, err, sizeof(err)), -1);
	metric_set_free(set);
	rabbitmq_nodes_free(&n);
}

Test(rabbitmq_health, ok_and_alarms)
{
	const char *text = test_data("rabbitmq/health-ok-3.10.json");
	char reason[256], err[256];

	cr_expect_eq(
	    rabbitmq_health_parse(text, strlen(text), reason, sizeof(reason), err, sizeof(err)), 0);
	text = test_data("rabbitmq/health-alarm-3.10.json");
	cr_assert_eq(
	    rabbitmq_health_parse(text, strlen(text), reason, sizeof(reason), err, sizeof(err)), 1);
	cr_expect_str_eq(reason, "There are alarms in effect in the cluster: disk space on "
				 "rabbit@localhost, memory on rabbit@localhost");
	cr_expect_eq(rabbitmq_health_parse("{\"status\":\"failed\"}", 19, reason, sizeof(reason),
					   err, sizeof(err)),
		     1);
	cr_expect_str_eq(reason, "failed");
	cr_expect_eq(rabbitmq_health_parse("{}", 2, reason, sizeof(reason), err, sizeof(err)), -1);
	cr_expect_eq(rabbitmq_health_parse("<html>", 6, reason, sizeof(reason), err, sizeof(err)),
		     -1);
}

Test(rabbitmq_json, error_reason)
{
	char out[64];

	rabbitmq_error_reason("{\"error\":\"not_authorized\",\"reason\":\"Login failed\"}", 50, out,
			      sizeof(out));
	cr_expect_str_eq(out, "Login failed");
	rabbitmq_error_reason("{\"error\":\"Object Not Found\"}", 28, out, sizeof(out));
	cr_expect_str_eq(out, "Object Not Found");
	rabbitmq_error_reason("Not Found", 9, out, sizeof(out));
	cr_expect_str_eq(out, "");
}

Test(rabbitmq_json, times)
{
	cr_expect_float_eq(rabbitmq_time_parse("2026-11-29T00:43:24.863+00:00"), CLASSIC_IDLE_SINCE,
			   1e-6);
	cr_expect_eq(rabbitmq_time_parse("1970-01-01 00:00:00"), 0);
	cr_expect_eq(rabbitmq_time_parse("2019-03-11 16:47:43"), 1552322863);
	cr_expect_eq(rabbitmq_time_parse("2019-03-11T18:47:43+02:00"), 1552322863);
	cr_expect_eq(rabbitmq_time_parse("2019-03-11T16:47:43Z"), 1552322863);
	cr_expect_eq(rabbitmq_time_parse("2000-02-29 00:00:00"), 951782400);
	cr_expect_eq(rabbitmq_time_parse(""), -1);
	cr_expect_eq(rabbitmq_time_parse("2019-13-11 16:47:43"), -1);
	cr_expect_eq(rabbitmq_time_parse("2019-03-11 16:47"), -1);
	cr_expect_eq(rabbitmq_time_parse("2019-03-11 16:47:43 UTC"), -1);
	cr_expect_eq(rabbitmq_time_parse("2019-03-11T16:47:43."), -1);
}

Test(rabbitmq_json, versions)
{
	cr_expect(rabbitmq_version_before("3.10.8", 4));
	cr_expect_not(rabbitmq_version_before("4.0.1", 4));
	cr_expect_not(rabbitmq_version_before("10.0", 4));
	cr_expect_not(rabbitmq_version_before("", 4));
	cr_expect_not(rabbitmq_version_before("x", 4));
}

/* rabbitmq_stall_parse: the time since deliveries plus acknowledgements last changed. */
static double stall_seconds(const char *text, int *rc)
{
	char err[256] = "";
	double s = -1;

	*rc = rabbitmq_stall_parse(text, strlen(text), &s, err, sizeof(err));
	return s;
}

Test(rabbitmq_stall, recorded_samples)
{
	int rc;

	cr_expect_eq(stall_seconds(test_data("rabbitmq/queue-stall-samples-3.10.json"), &rc), 20);
	cr_expect_eq(rc, 0);
}

Test(rabbitmq_stall, the_whole_window_and_not_yet)
{
	int rc;

	/* The same count in every sample: stuck for the whole window. */
	cr_expect_eq(
	    stall_seconds("{\"message_stats\":{\"deliver_get_details\":{\"samples\":["
			  "{\"sample\":4,\"timestamp\":30000},{\"sample\":4,\"timestamp\":20000},"
			  "{\"sample\":4,\"timestamp\":10000}]}}}",
			  &rc),
	    20);
	cr_expect_eq(rc, 0);
	/* Nothing delivered yet in any sample: too new to say. */
	cr_expect_eq(
	    stall_seconds("{\"message_stats\":{\"deliver_get_details\":{\"samples\":["
			  "{\"sample\":0,\"timestamp\":30000},{\"sample\":0,\"timestamp\":20000}]},"
			  "\"ack_details\":{\"samples\":[{\"sample\":0,\"timestamp\":30000},"
			  "{\"sample\":0,\"timestamp\":20000}]}}}",
			  &rc),
	    0);
	/* Acknowledgements count too: one 10 s ago ends the stall there. */
	cr_expect_eq(
	    stall_seconds(
		"{\"message_stats\":{\"deliver_get_details\":{\"samples\":["
		"{\"sample\":2,\"timestamp\":30000},{\"sample\":2,\"timestamp\":20000},"
		"{\"sample\":2,\"timestamp\":10000}]},"
		"\"ack_details\":{\"samples\":[{\"sample\":1,\"timestamp\":30000},"
		"{\"sample\":0,\"timestamp\":20000},{\"sample\":0,\"timestamp\":10000}]}}}",
		&rc),
	    0);
}

Test(rabbitmq_stall, no_samples)
{
	int rc;

	stall_seconds("{\"message_stats\":{}}", &rc);
	cr_expect_eq(rc, -1);
	stall_seconds(test_data("rabbitmq/not-json.html"), &rc);
	cr_expect_eq(rc, -1);
}

Test(rabbitmq_stall, stuck)
{
	struct rabbitmq_queue q = {.ready = 3, .consumers = 1, .deliver = 0, .ack = 0};

	cr_expect(rabbitmq_queue_stuck(&q));
	q.ack = 0.5;
	cr_expect(!rabbitmq_queue_stuck(&q));
	q.ack = NAN;
	cr_expect(!rabbitmq_queue_stuck(&q));
	q.ack = 0;
	q.consumers = 0;
	cr_expect(!rabbitmq_queue_stuck(&q));
}

/* The aliveness test's queue is left out of a listing, not when it is asked for by name. */
Test(rabbitmq_queue, aliveness_test_queue)
{
	struct rabbitmq_queues q = {0};

	cr_expect_eq(queues("[{\"name\":\"aliveness-test\",\"vhost\":\"/\"},"
			    "{\"name\":\"celery\",\"vhost\":\"/\"}]",
			    NULL, 0, &q),
		     1);
	cr_expect_str_eq(q.v[0].name, "celery");
	cr_expect_eq(queues("{\"name\":\"aliveness-test\",\"vhost\":\"/\"}", NULL, 0, &q), 1);
	cr_expect_str_eq(q.v[1].name, "aliveness-test");
	rabbitmq_queues_free(&q);
}

Test(rabbitmq_queue, missing_named_and_listed)
{
	struct rabbitmq_queues q = {0};
	struct metric_set *set = metric_set_new();
	const struct metric *m;

	cr_assert_eq(queues(test_data("rabbitmq/queues-vhost-3.10.json"), NULL, 0, &q), 1);
	q.v[0].named = true;
	rabbitmq_queues_missing(&q, "/", "gone");
	rabbitmq_queues_listed(&q, "/", "^cel", 0);
	rabbitmq_queues_metrics(&q, "t", set);
	cr_expect_eq(metric_set_value(set, "queue_missing", "queue", "a b/c"), 0);
	cr_expect_eq(metric_set_value(set, "queue_missing", "queue", "gone"), 1);
	m = metric_set_find(set, "rabbitmq_queues_listed", NULL, NULL);
	cr_assert_not_null(m);
	cr_expect_eq(m->value, 0);
	cr_expect_str_eq(metric_label(m, "vhost"), "/");
	cr_expect_str_eq(metric_label(m, "match"), "^cel");
	metric_set_free(set);
	rabbitmq_queues_free(&q);
}

Test(rabbitmq_health, metrics)
{
	struct metric_set *set = metric_set_new();
	const struct metric *m;

	rabbitmq_health_metric(set, "t", "health/checks/alarms", 0, "");
	rabbitmq_health_metric(set, "t", "health/checks/local-alarms", 1, "disk on n");
	rabbitmq_health_metric(set, "t", "health/checks/new", -4, "");
	cr_assert_eq(metric_set_count(set), 3);
	cr_expect_eq(metric_set_at(set, 0)->value, 1);
	cr_expect_null(metric_label(metric_set_at(set, 0), "reason"));
	m = metric_set_at(set, 1);
	cr_expect_eq(m->value, 0);
	cr_expect_str_eq(metric_label(m, "check"), "health/checks/local-alarms");
	cr_expect_str_eq(metric_label(m, "reason"), "disk on n");
	cr_expect(isnan(metric_set_at(set, 2)->value));
	rabbitmq_health_error(set, "t", FAIL_DENIED, "login as nagios refused: HTTP 401");
	m = metric_set_find(set, "rabbitmq_health_error", NULL, NULL);
	cr_assert_not_null(m);
	cr_expect_eq(m->value, FAIL_DENIED);
	cr_expect_str_eq(metric_label(m, "reason"), "login as nagios refused: HTTP 401");
	metric_set_free(set);
}
