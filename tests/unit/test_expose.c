/*
 * The agent's expositions and the metric descriptions they use: snapshots
 * built by hand, rendered to Prometheus text and JSON.
 */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "expose.h"
#include "metricdoc.h"
#include "testutil.h"

#define NOW 1000000.0

/* A fresh source called name over set (which the test frees with fixture_free). */
static struct source fresh_source(const char *name, struct metric_set *set)
{
	struct source src;

	memset(&src, 0, sizeof(src));
	src.name = test_str(name);
	src.metrics = set;
	src.collected_at = NOW - 1.5;
	src.last_attempt = NOW - 1.5;
	src.duration = 0.00025;
	src.interval = 15;
	src.timeout = 5;
	src.runs = 12;
	src.errors = 1;
	return src;
}

/* The snapshot most tests use: load with PSI, listeners, netstat, and a stale fds source. */
struct fixture {
	struct source sources[4];
	struct snapshot snap;
};

static void fixture_init(struct fixture *f)
{
	struct metric_set *load = metric_set_new();
	struct metric_set *listen = metric_set_new();
	struct metric_set *netstat = metric_set_new();
	struct metric_set *fds = metric_set_new();
	struct metric *m;

	metric_set_add(load, "load1", METRIC_GAUGE, "", 0.5);
	metric_set_add(load, "load5", METRIC_GAUGE, "", NAN);
	m = metric_set_add(load, "pressure_some_avg10", METRIC_GAUGE, "%", 1.23);
	metric_label_add(m, "resource", "cpu");
	m = metric_set_add(load, "pressure_some_avg10", METRIC_GAUGE, "%", 0);
	metric_label_add(m, "resource", "io");
	/* 3.7 / 100 is not the double nearest 0.037; the output still reads 0.037. */
	m = metric_set_add(load, "pressure_some_avg10", METRIC_GAUGE, "%", 3.7);
	metric_label_add(m, "resource", "memory");
	m = metric_set_add(load, "pressure_some_total", METRIC_COUNTER, "us", 123456);
	metric_label_add(m, "resource", "cpu");

	m = metric_set_add(listen, "listen_queue", METRIC_GAUGE, "", 3);
	metric_label_add(m, "address", "0.0.0.0");
	metric_label_add(m, "port", "80");
	m = metric_set_add(listen, "listen_queue", METRIC_GAUGE, "", 4);
	metric_label_add(m, "port", "8\"0\\\n");
	metric_label_add(m, "address", "::");
	/* The same series again: the first one wins. */
	m = metric_set_add(listen, "listen_queue", METRIC_GAUGE, "", 99);
	metric_label_add(m, "port", "80");
	metric_label_add(m, "address", "0.0.0.0");

	metric_set_add(netstat, "listen_overflows", METRIC_COUNTER, "c", 7);
	metric_set_add(netstat, "listen_drops", METRIC_COUNTER, "c", 9);

	metric_set_add(fds, "fds_allocated", METRIC_GAUGE, "", 1234);

	f->sources[0] = fresh_source("load", load);
	f->sources[1] = fresh_source("listen", listen);
	f->sources[2] = fresh_source("netstat", netstat);
	f->sources[3] = fresh_source("fds", fds);
	f->sources[3].collected_at = NOW - 100; /* older than 2 * 15 + 5 */
	f->sources[3].last_error = test_str("cannot read /proc/sys/fs/file-nr");
	f->snap.sources = f->sources;
	f->snap.n = 4;
	f->snap.started_at = NOW - 60;
}

static void fixture_free(struct fixture *f)
{
	for (size_t i = 0; i < f->snap.n; i++)
		metric_set_free(f->sources[i].metrics);
}

/* The Prometheus text of f, which the caller frees. */
static char *prometheus(struct fixture *f)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	expose_prometheus(&f->snap, NOW, &b);
	cr_assert(!b.truncated);
	return buf_steal(&b);
}

/* How many times needle occurs in haystack. */
static int count(const char *haystack, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(haystack, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

Test(metricdoc, help_known_and_unknown)
{
	static const char *const names[] = {"load1",
					    "load5",
					    "load15",
					    "procs_running",
					    "procs",
					    "cpus_online",
					    "pressure_some_avg10",
					    "pressure_some_avg60",
					    "pressure_some_avg300",
					    "pressure_full_avg10",
					    "pressure_full_avg60",
					    "pressure_full_avg300",
					    "pressure_some_total",
					    "pressure_full_total",
					    "fds_allocated",
					    "fds_max",
					    "process_fds_open",
					    "process_fds_limit",
					    "listen_queue",
					    "listen_backlog",
					    "listen_overflows",
					    "listen_drops",
					    "collector_duration",
					    "collector_runs",
					    "collector_errors",
					    "collector_last_success",
					    "collector_up",
					    "http_requests",
					    "resident_memory",
					    "uptime",
					    "nginx_active",
					    "nginx_accepts",
					    "nginx_dropped",
					    "nginx_response_time",
					    "haproxy_up",
					    "haproxy_state",
					    "haproxy_status",
					    "haproxy_sessions_pct",
					    "haproxy_responses_5xx",
					    "haproxy_servers_up",
					    "haproxy_idle_pct"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *help = metricdoc_help(names[i]);

		cr_assert_not_null(help, "no help for %s", names[i]);
		cr_expect_null(strchr(help, '\n'), "help for %s is not one line", names[i]);
	}
	cr_expect_null(metricdoc_help("no_such_metric"));
}

/* The Prometheus name and factor of name, unit, kind, checked against want and factor. */
static void expect_name(const char *name, const char *unit, enum metric_kind kind, const char *want,
			double want_factor)
{
	char out[128];
	double factor = -1;

	metricdoc_prometheus_name(name, unit, kind, out, sizeof(out), &factor);
	cr_expect_str_eq(out, want, "%s [%s]", name, unit);
	cr_expect_float_eq(factor, want_factor, 1e-15, "%s [%s]", name, unit);
}

Test(metricdoc, prometheus_names)
{
	expect_name("load1", "", METRIC_GAUGE, "vakt_load1", 1);
	expect_name("listen_drops", "c", METRIC_COUNTER, "vakt_listen_drops_total", 1);
	expect_name("uptime", "s", METRIC_GAUGE, "vakt_uptime_seconds", 1);
	expect_name("collector_duration", "ms", METRIC_GAUGE, "vakt_collector_duration_seconds",
		    0.001);
	expect_name("pressure_some_total", "us", METRIC_COUNTER, "vakt_pressure_some_seconds_total",
		    1e-6);
	expect_name("pressure_full_avg60", "%", METRIC_GAUGE, "vakt_pressure_full_avg60_ratio",
		    0.01);
	expect_name("resident_memory", "B", METRIC_GAUGE, "vakt_resident_memory_bytes", 1);
	expect_name("cache", "KB", METRIC_GAUGE, "vakt_cache_bytes", 1024);
	expect_name("cache", "MB", METRIC_GAUGE, "vakt_cache_bytes", 1048576);
	expect_name("cache", "GB", METRIC_GAUGE, "vakt_cache_bytes", 1073741824.0);
	expect_name("cache", "TB", METRIC_GAUGE, "vakt_cache_bytes", 1099511627776.0);
	/* A suffix the name already has is not doubled. */
	expect_name("wait_seconds", "s", METRIC_GAUGE, "vakt_wait_seconds", 1);
	expect_name("wait_seconds_total", "ms", METRIC_COUNTER, "vakt_wait_seconds_total", 0.001);
	/* Gauges never end in _total; unknown units add nothing. */
	expect_name("queue_total", "", METRIC_GAUGE, "vakt_queue", 1);
	expect_name("odd-name.x", "furlong", METRIC_GAUGE, "vakt_odd_name_x", 1);
}

Test(metricdoc, base_units)
{
	cr_expect_str_eq(metricdoc_base_unit("ms"), "seconds");
	cr_expect_str_eq(metricdoc_base_unit("us"), "seconds");
	cr_expect_str_eq(metricdoc_base_unit("KB"), "bytes");
	cr_expect_str_eq(metricdoc_base_unit("%"), "ratio");
	cr_expect_str_eq(metricdoc_base_unit("c"), "");
	cr_expect_str_eq(metricdoc_base_unit(""), "");
	/* Not scaled, so still in its own unit. */
	cr_expect_str_eq(metricdoc_base_unit("furlong"), "furlong");
}

Test(metricdoc, prometheus_name_cut_to_fit)
{
	char out[12];
	double factor;

	metricdoc_prometheus_name("listen_overflows", "c", METRIC_COUNTER, out, sizeof(out),
				  &factor);
	cr_expect_str_eq(out, "vakt_listen");
}

Test(expose, help_and_type_once_per_family)
{
	struct fixture f;
	char *text;

	fixture_init(&f);
	text = prometheus(&f);
	cr_expect_eq(count(text, "# HELP vakt_pressure_some_avg10_ratio "), 1, "%s", text);
	cr_expect_eq(count(text, "# TYPE vakt_pressure_some_avg10_ratio gauge\n"), 1);
	cr_expect_eq(count(text, "# TYPE vakt_listen_queue gauge\n"), 1);
	cr_expect_eq(count(text, "# TYPE vakt_collector_up gauge\n"), 1);
	cr_expect_eq(count(text, "\nvakt_pressure_some_avg10_ratio{"), 3);
	/* Every family's samples follow its TYPE line, with nothing else between. */
	cr_expect_not_null(strstr(text, "# TYPE vakt_load1 gauge\nvakt_load1 0.5\n"));
	free(text);
	fixture_free(&f);
}

Test(expose, units_in_base_units)
{
	struct fixture f;
	char *text;

	fixture_init(&f);
	text = prometheus(&f);
	cr_expect_not_null(
	    strstr(text, "\nvakt_pressure_some_avg10_ratio{resource=\"cpu\"} 0.0123\n"), "%s",
	    text);
	cr_expect_not_null(strstr(text, "\nvakt_pressure_some_avg10_ratio{resource=\"io\"} 0\n"));
	cr_expect_not_null(
	    strstr(text, "\nvakt_pressure_some_avg10_ratio{resource=\"memory\"} 0.037\n"));
	cr_expect_not_null(strstr(text,
				  "# TYPE vakt_pressure_some_seconds_total counter\n"
				  "vakt_pressure_some_seconds_total{resource=\"cpu\"} 0.123456\n"));
	cr_expect_not_null(strstr(text, "\nvakt_listen_overflows_total 7\n"));
	cr_expect_not_null(strstr(text, "# TYPE vakt_listen_drops_total counter\n"));
	free(text);
	fixture_free(&f);
}

Test(expose, labels_escaped_and_sorted)
{
	struct fixture f;
	char *text;

	fixture_init(&f);
	text = prometheus(&f);
	cr_expect_not_null(
	    strstr(text, "\nvakt_listen_queue{address=\"::\",port=\"8\\\"0\\\\\\n\"} 4\n"), "%s",
	    text);
	free(text);
	fixture_free(&f);
}

Test(expose, duplicate_series_keeps_the_first)
{
	struct fixture f;
	char *text;

	fixture_init(&f);
	text = prometheus(&f);
	cr_expect_eq(count(text, "vakt_listen_queue{address=\"0.0.0.0\",port=\"80\"}"), 1);
	cr_expect_not_null(strstr(text, "vakt_listen_queue{address=\"0.0.0.0\",port=\"80\"} 3\n"));
	free(text);
	fixture_free(&f);
}

Test(expose, duplicate_series_across_sources)
{
	struct metric_set *a = metric_set_new(), *b = metric_set_new();
	struct source sources[2] = {fresh_source("a", a), fresh_source("b", b)};
	struct snapshot snap = {sources, 2, NOW - 5, 1};
	struct buf out;

	metric_set_add(a, "load1", METRIC_GAUGE, "", 1);
	metric_set_add(b, "load1", METRIC_GAUGE, "", 2);
	buf_init(&out, 1 << 20);
	expose_prometheus(&snap, NOW, &out);
	cr_expect_eq(count(buf_str(&out), "\nvakt_load1 "), 1);
	cr_expect_not_null(strstr(buf_str(&out), "\nvakt_load1 1\n"));
	cr_expect_eq(count(buf_str(&out), "# HELP vakt_load1 "), 1);
	buf_free(&out);
	metric_set_free(a);
	metric_set_free(b);
}

Test(expose, nan_value)
{
	struct fixture f;
	char *text;

	fixture_init(&f);
	text = prometheus(&f);
	cr_expect_not_null(strstr(text, "\nvakt_load5 NaN\n"), "%s", text);
	free(text);
	fixture_free(&f);
}

Test(expose, stale_source_left_out_but_reported)
{
	struct fixture f;
	char *text;

	fixture_init(&f);
	text = prometheus(&f);
	cr_expect_null(strstr(text, "vakt_fds_allocated"), "%s", text);
	cr_expect_not_null(strstr(text, "\nvakt_collector_up{collector=\"fds\"} 0\n"));
	cr_expect_not_null(strstr(text, "\nvakt_collector_up{collector=\"load\"} 1\n"));
	cr_expect_not_null(strstr(text, "\nvakt_collector_runs_total{collector=\"fds\"} 12\n"));
	cr_expect_not_null(strstr(text, "\nvakt_collector_errors_total{collector=\"fds\"} 1\n"));
	cr_expect_not_null(
	    strstr(text, "\nvakt_collector_duration_seconds{collector=\"load\"} 0.00025\n"));
	cr_expect_not_null(
	    strstr(text, "\nvakt_collector_last_success_seconds{collector=\"fds\"} 999900\n"));
	cr_expect_not_null(
	    strstr(text, "# TYPE vakt_uptime_seconds gauge\nvakt_uptime_seconds 60\n"));
	free(text);
	fixture_free(&f);
}

Test(expose, named_collector_health_carries_its_target)
{
	struct source src = fresh_source("redis jobs", NULL);
	struct snapshot snap = {&src, 1, NOW - 60, 1};
	struct buf b;

	/* Never succeeded: up 0, last success 0, and no series of its own. */
	src.collected_at = 0;
	src.last_error = test_str("cannot connect to 127.0.0.1:6379: Connection refused");
	buf_init(&b, 1 << 20);
	expose_prometheus(&snap, NOW, &b);
	cr_expect_not_null(
	    strstr(buf_str(&b),
		   "\nvakt_collector_up{collector=\"redis jobs\",target=\"jobs\"} 0\n"),
	    "%s", buf_str(&b));
	cr_expect_not_null(strstr(buf_str(&b),
				  "\nvakt_collector_last_success_seconds{collector=\"redis "
				  "jobs\",target=\"jobs\"} 0\n"));
	cr_expect(source_is_failing(&src, NOW));
	cr_expect_str_eq(source_target(&src), "jobs");
	buf_free(&b);
}

Test(expose, failing_needs_an_error_and_stale_metrics)
{
	struct source src = fresh_source("load", NULL);

	cr_expect_null(source_target(&src));
	src.last_error = test_str("cannot read /proc/loadavg");
	cr_expect(!source_is_failing(&src, NOW), "one failed run among fresh metrics is jitter");
	src.collected_at = NOW - 100;
	cr_expect(source_is_failing(&src, NOW));
	src.last_error = NULL;
	cr_expect(!source_is_failing(&src, NOW), "stale without an error is not failing");
}

Test(expose, never_collected_is_stale)
{
	struct source src = fresh_source("x", NULL);

	src.collected_at = 0;
	cr_expect(source_is_stale(&src, NOW));
	cr_expect_geq(source_age(&src, NOW), 1e9);
	src.collected_at = NOW - 35; /* exactly 2 * interval + timeout */
	cr_expect(!source_is_stale(&src, NOW));
	cr_expect_float_eq(source_age(&src, NOW), 35, 1e-9);
	src.collected_at = NOW - 35.5;
	cr_expect(source_is_stale(&src, NOW));
}

Test(expose, invalid_utf8_replaced)
{
	struct metric_set *set = metric_set_new();
	struct source src = fresh_source("process", set);
	struct snapshot snap = {&src, 1, NOW, 1};
	struct metric *m = metric_set_add(set, "process_fds_open", METRIC_GAUGE, "", 5);
	struct buf out;

	metric_label_add(m, "process", "ng\xffinx\xc3\xa9");
	buf_init(&out, 1 << 20);
	expose_prometheus(&snap, NOW, &out);
	cr_expect_not_null(strstr(buf_str(&out), "{process=\"ng\xef\xbf\xbdinx\xc3\xa9\"} 5\n"),
			   "%s", buf_str(&out));
	buf_reset(&out);
	cr_expect_eq(expose_json(&snap, NOW, NULL, &out), 1);
	cr_expect_not_null(strstr(buf_str(&out), "\"ng\xef\xbf\xbdinx\xc3\xa9\""), "%s",
			   buf_str(&out));
	buf_free(&out);
	metric_set_free(set);
}

/* Parse the JSON of f for family; the caller puts the object. */
static struct json_object *json(struct fixture *f, const char *family, int *n)
{
	struct json_object *root;
	struct buf b;

	buf_init(&b, 1 << 20);
	*n = expose_json(&f->snap, NOW, family, &b);
	root = json_tokener_parse(buf_str(&b));
	cr_assert_not_null(root, "not JSON: %s", buf_str(&b));
	buf_free(&b);
	return root;
}

static struct json_object *field(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	cr_assert(json_object_object_get_ex(o, key, &v), "no field %s in %s", key,
		  json_object_to_json_string(o));
	return v;
}

Test(expose_json, fields)
{
	struct fixture f;
	struct json_object *root, *metrics, *m, *c;
	int n;

	fixture_init(&f);
	root = json(&f, NULL, &n);
	metrics = field(root, "metrics");
	cr_expect_eq(n, 12);
	cr_assert_eq(json_object_array_length(metrics), 12);
	m = json_object_array_get_idx(metrics, 0);
	cr_expect_str_eq(json_object_get_string(field(m, "name")), "load1");
	cr_expect_float_eq(json_object_get_double(field(m, "value")), 0.5, 1e-12);
	cr_expect_str_eq(json_object_get_string(field(m, "unit")), "");
	cr_expect_str_eq(json_object_get_string(field(m, "kind")), "gauge");
	cr_expect_float_eq(json_object_get_double(field(m, "age_seconds")), 1.5, 1e-9);
	cr_expect_str_eq(json_object_get_string(field(m, "collector")), "load");
	cr_expect_str_eq(json_object_get_string(field(m, "help")), metricdoc_help("load1"));
	cr_expect(!json_object_get_boolean(field(m, "stale")));
	cr_expect_eq(json_object_object_length(field(m, "labels")), 0);
	/* NaN is null. */
	m = json_object_array_get_idx(metrics, 1);
	cr_expect(json_object_is_type(field(m, "value"), json_type_null));
	/* Units and values stay vakt's own. */
	m = json_object_array_get_idx(metrics, 5);
	cr_expect_str_eq(json_object_get_string(field(m, "name")), "pressure_some_total");
	cr_expect_str_eq(json_object_get_string(field(m, "unit")), "us");
	cr_expect_str_eq(json_object_get_string(field(m, "kind")), "counter");
	cr_expect_float_eq(json_object_get_double(field(m, "value")), 123456, 1e-9);
	cr_expect_str_eq(json_object_get_string(field(field(m, "labels"), "resource")), "cpu");
	/* Label values come back exactly. */
	m = json_object_array_get_idx(metrics, 7);
	cr_expect_str_eq(json_object_get_string(field(field(m, "labels"), "port")), "8\"0\\\n");

	c = json_object_array_get_idx(field(root, "collectors"), 0);
	cr_expect_eq(json_object_array_length(field(root, "collectors")), 4);
	cr_expect_str_eq(json_object_get_string(field(c, "name")), "load");
	cr_expect(json_object_get_boolean(field(c, "fresh")));
	cr_expect_float_eq(json_object_get_double(field(c, "age_seconds")), 1.5, 1e-9);
	cr_expect_float_eq(json_object_get_double(field(c, "last_success")), NOW - 1.5, 1e-9);
	cr_expect(json_object_is_type(field(c, "last_error"), json_type_null));
	cr_expect_float_eq(json_object_get_double(field(c, "duration_seconds")), 0.00025, 1e-15);
	cr_expect_eq(json_object_get_int64(field(c, "runs")), 12);
	cr_expect_eq(json_object_get_int64(field(c, "errors")), 1);
	json_object_put(root);
	fixture_free(&f);
}

Test(expose_json, stale_marked)
{
	struct fixture f;
	struct json_object *root, *metrics, *m, *c;
	int n;

	fixture_init(&f);
	root = json(&f, NULL, &n);
	metrics = field(root, "metrics");
	m = json_object_array_get_idx(metrics, 11);
	cr_expect_str_eq(json_object_get_string(field(m, "name")), "fds_allocated");
	cr_expect(json_object_get_boolean(field(m, "stale")));
	cr_expect_float_eq(json_object_get_double(field(m, "age_seconds")), 100, 1e-9);
	c = json_object_array_get_idx(field(root, "collectors"), 3);
	cr_expect(!json_object_get_boolean(field(c, "fresh")));
	cr_expect_str_eq(json_object_get_string(field(c, "last_error")),
			 "cannot read /proc/sys/fs/file-nr");
	json_object_put(root);
	fixture_free(&f);
}

Test(expose_json, family_filter)
{
	struct fixture f;
	struct json_object *root, *metrics;
	int n;

	fixture_init(&f);
	root = json(&f, "listen_queue", &n);
	metrics = field(root, "metrics");
	cr_expect_eq(n, 3);
	cr_assert_eq(json_object_array_length(metrics), 3);
	for (size_t i = 0; i < 3; i++)
		cr_expect_str_eq(
		    json_object_get_string(field(json_object_array_get_idx(metrics, i), "name")),
		    "listen_queue");
	cr_expect_eq(json_object_array_length(field(root, "collectors")), 4);
	json_object_put(root);

	root = json(&f, "no_such_metric", &n);
	cr_expect_eq(n, 0);
	cr_expect_eq(json_object_array_length(field(root, "metrics")), 0);
	json_object_put(root);
	fixture_free(&f);
}

Test(expose_json, never_collected)
{
	struct source src = fresh_source("listen", NULL);
	struct snapshot snap = {&src, 1, NOW, 1};
	struct json_object *root, *c;
	struct buf b;

	src.collected_at = 0;
	src.last_error = test_str("netlink: \"Operation not permitted\"");
	buf_init(&b, 1 << 20);
	cr_expect_eq(expose_json(&snap, NOW, NULL, &b), 0);
	root = json_tokener_parse(buf_str(&b));
	cr_assert_not_null(root);
	c = json_object_array_get_idx(field(root, "collectors"), 0);
	cr_expect(!json_object_get_boolean(field(c, "fresh")));
	cr_expect(json_object_is_type(field(c, "age_seconds"), json_type_null));
	cr_expect(json_object_is_type(field(c, "last_success"), json_type_null));
	cr_expect_str_eq(json_object_get_string(field(c, "last_error")),
			 "netlink: \"Operation not permitted\"");
	json_object_put(root);
	buf_free(&b);
}

Test(expose, numbers_round_trip_whatever_the_locale)
{
	struct metric_set *set = metric_set_new();
	struct source src = fresh_source("x", set);
	struct snapshot snap = {&src, 1, NOW, 1};
	struct buf out;

	metric_set_add(set, "a", METRIC_GAUGE, "", 0.1);
	metric_set_add(set, "b", METRIC_GAUGE, "", 1.0 / 3);
	metric_set_add(set, "c", METRIC_GAUGE, "", 1e300);
	metric_set_add(set, "d", METRIC_GAUGE, "", -2.5e-7);
	metric_set_add(set, "e", METRIC_GAUGE, "", INFINITY);
	metric_set_add(set, "f", METRIC_GAUGE, "", 123456789012345.0);
	char probe[16];

	cr_assert_not_null(setlocale(LC_ALL, "de_DE.UTF-8"), "locale de_DE.UTF-8 is missing");
	snprintf(probe, sizeof(probe), "%.1f", 1.5);
	cr_assert_str_eq(probe, "1,5", "the locale does not use a decimal comma");
	buf_init(&out, 1 << 20);
	expose_prometheus(&snap, NOW, &out);
	setlocale(LC_ALL, "C");
	cr_expect_not_null(strstr(buf_str(&out), "\nvakt_a 0.1\n"), "%s", buf_str(&out));
	cr_expect_not_null(strstr(buf_str(&out), "\nvakt_b 0.3333333333333333\n"));
	cr_expect_not_null(strstr(buf_str(&out), "\nvakt_c 1e+300\n"));
	cr_expect_not_null(strstr(buf_str(&out), "\nvakt_d -2.5e-07\n"));
	cr_expect_not_null(strstr(buf_str(&out), "\nvakt_e +Inf\n"));
	cr_expect_not_null(strstr(buf_str(&out), "\nvakt_f 123456789012345\n"));
	/* "vakt metric NAME" stands in for a description vakt does not have. */
	cr_expect_not_null(strstr(buf_str(&out), "# HELP vakt_a vakt metric a\n"));
	buf_free(&out);
	metric_set_free(set);
}

Test(expose_json, numbers_whatever_the_locale)
{
	struct metric_set *set = metric_set_new();
	struct source src = fresh_source("x", set);
	struct snapshot snap = {&src, 1, NOW, 1};
	struct json_object *root;
	struct buf out;

	metric_set_add(set, "a", METRIC_GAUGE, "", 0.1);
	metric_set_add(set, "b", METRIC_GAUGE, "", INFINITY);
	cr_assert_not_null(setlocale(LC_ALL, "de_DE.UTF-8"), "locale de_DE.UTF-8 is missing");
	buf_init(&out, 1 << 20);
	cr_expect_eq(expose_json(&snap, NOW, NULL, &out), 2);
	setlocale(LC_ALL, "C");
	cr_expect_not_null(strstr(buf_str(&out), "\"value\":0.1,"), "%s", buf_str(&out));
	cr_expect_not_null(strstr(buf_str(&out), "\"value\":null,"), "%s", buf_str(&out));
	cr_expect_not_null(strstr(buf_str(&out), "\"duration_seconds\":0.00025,"));
	root = json_tokener_parse(buf_str(&out));
	cr_expect_not_null(root);
	json_object_put(root);
	buf_free(&out);
	metric_set_free(set);
}
