/*
 * Thresholds over every series of a metric: perfdata labels from the
 * labels that tell objects apart (a default value left out), the threshold
 * of the metric, the words of a crossed bound (as a format, or from the
 * plugin), counters as "c", and rates kept in a state file.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "series.h"

static const char *const keys[] = {"proxy", "server", NULL};

static struct metric_set *two_servers(double a, double b)
{
	struct metric_set *s = metric_set_new();
	struct metric *m = metric_set_add(s, "sessions_pct", METRIC_GAUGE, "%", a);

	metric_label_add(m, "proxy", "web");
	metric_label_add(m, "server", "app1");
	m = metric_set_add(s, "sessions_pct", METRIC_GAUGE, "%", b);
	metric_label_add(m, "proxy", "web");
	metric_label_add(m, "server", "app2");
	return s;
}

/* Remove the state file of sf and its lock, so that its directory can go. */
static void remove_state(const struct statefile *sf)
{
	char lock[4200];

	snprintf(lock, sizeof(lock), "%s.lock", statefile_path(sf));
	cr_expect_eq(unlink(statefile_path(sf)), 0);
	cr_expect_eq(unlink(lock), 0);
}

static struct plugin_args args(const char *warn, const char *crit)
{
	struct plugin_args a = {0};
	char err[128];

	a.thresholds = thresholds_new();
	if (warn != NULL)
		cr_assert_eq(thresholds_add(a.thresholds, false, warn, 1, err, sizeof(err)), 0);
	if (crit != NULL)
		cr_assert_eq(thresholds_add(a.thresholds, true, crit, 1, err, sizeof(err)), 0);
	return a;
}

Test(series, subject_joins_the_key_labels)
{
	struct metric_set *s = two_servers(1, 2);
	char out[64];

	series_subject(metric_set_at(s, 0), keys, out, sizeof(out));
	cr_assert_str_eq(out, "web/app1");
	series_subject(metric_set_at(s, 0), NULL, out, sizeof(out));
	cr_assert_str_eq(out, "");
	metric_set_free(s);
}

Test(series, subject_leaves_out_a_default_value)
{
	static const char *const vq[] = {"vhost=/", "queue", NULL};
	struct metric_set *s = metric_set_new();
	struct metric *m = metric_set_add(s, "depth", METRIC_GAUGE, "", 1);
	char out[64];

	metric_label_add(m, "vhost", "/");
	metric_label_add(m, "queue", "q");
	m = metric_set_add(s, "depth", METRIC_GAUGE, "", 2);
	metric_label_add(m, "vhost", "v");
	metric_label_add(m, "queue", "q");
	series_subject(metric_set_at(s, 0), vq, out, sizeof(out));
	cr_assert_str_eq(out, "q");
	series_subject(metric_set_at(s, 1), vq, out, sizeof(out));
	cr_assert_str_eq(out, "v/q");
	metric_set_free(s);
}

Test(series, value_in_words)
{
	char out[64];

	series_value(0.25, "s", out, sizeof(out));
	cr_assert_str_eq(out, "250.000 ms");
	series_value(95, "%", out, sizeof(out));
	cr_assert_str_eq(out, "95%");
	series_value(1536, "B", out, sizeof(out));
	cr_assert_str_eq(out, "1.5 KiB");
}

Test(series, each_object_its_perfdata_and_its_words)
{
	struct metric_set *s = two_servers(40, 95);
	struct plugin_args a = args("sessions_pct=80", "sessions_pct=90");
	struct result *r = result_new("TEST");
	char *out;

	cr_assert_eq(series_check(r, &a, s, "sessions_pct", -1, keys, "sessions at"),
		     STATE_CRITICAL);
	out = result_render(r);
	cr_assert_str_eq(out, "TEST CRITICAL - web/app2 sessions at 95% (> 90) | "
			      "sessions_pct_web/app1=40%;80;90;0;100 "
			      "sessions_pct_web/app2=95%;80;90;0;100\n");
	free(out);
	result_free(r);
	metric_set_free(s);
	thresholds_free(a.thresholds);
}

Test(series, words_as_a_format_of_the_value)
{
	struct metric_set *s = two_servers(40, 95);
	struct plugin_args a = args(NULL, "sessions_pct=90");
	struct result *r = result_new("TEST");
	char *out;

	cr_assert_eq(series_check(r, &a, s, "sessions_pct", -1, keys, "is %.1f%% full"),
		     STATE_CRITICAL);
	out = result_render(r);
	cr_assert_str_eq(out, "TEST CRITICAL - web/app2 is 95.0% full (> 90) | "
			      "sessions_pct_web/app1=40%;;90;0;100 "
			      "sessions_pct_web/app2=95%;;90;0;100\n");
	free(out);
	result_free(r);
	metric_set_free(s);
	thresholds_free(a.thresholds);
}

/* A plugin's own words: "server NAME" and the value in its way. */
static void server_words(const struct metric *m, double v, const char *what, char *out,
			 size_t outlen)
{
	snprintf(out, outlen, "server %s %s %.0f", metric_label(m, "server"), what, v);
}

Test(series, words_from_the_plugin)
{
	struct metric_set *s = two_servers(40, 95);
	struct plugin_args a = args("sessions_pct=30", NULL);
	struct result *r = result_new("TEST");
	char *out;

	cr_assert_eq(series_check_words(r, &a, s, "sessions_pct", -1, keys, "is at", server_words),
		     STATE_WARNING);
	out = result_render(r);
	cr_assert_str_eq(out, "TEST WARNING - server app1 is at 40 (> 30), server app2 is at 95 "
			      "(> 30) | sessions_pct_web/app1=40%;30;;0;100 "
			      "sessions_pct_web/app2=95%;30;;0;100\n");
	free(out);
	result_free(r);
	metric_set_free(s);
	thresholds_free(a.thresholds);
}

Test(series, a_counter_is_perfdata_c)
{
	struct metric_set *s = metric_set_new();
	struct plugin_args a = args(NULL, NULL);
	struct result *r = result_new("TEST");
	char *out;

	metric_set_add(s, "requests", METRIC_COUNTER, "", 42);
	cr_assert_eq(series_check(r, &a, s, "requests", -1, NULL, "requests:"), STATE_OK);
	out = result_render(r);
	cr_assert_str_eq(out, "TEST OK | requests=42c;;;0\n");
	free(out);
	result_free(r);
	metric_set_free(s);
	thresholds_free(a.thresholds);
}

Test(series, rates_between_two_runs)
{
	char dir[] = "/tmp/vakt-series-XXXXXX", err[256] = "", *out;
	struct plugin_args a = args(NULL, "errors_rate=1");
	struct metric_set *s = metric_set_new();
	struct metric *m = metric_set_add(s, "errors", METRIC_COUNTER, "", 100);
	struct statefile *sf;
	struct result *r;

	cr_assert_not_null(mkdtemp(dir));
	metric_label_add(m, "proxy", "web");
	sf = statefile_open(dir, "test", "k", 1000, STATEFILE_MAX_AGE, STATEFILE_LOCK_WAIT, err,
			    sizeof(err));
	r = result_new("TEST");
	cr_assert_eq(
	    series_rate(r, &a, &(struct rates){.sf = sf}, s, "errors", keys, "errors per second:"),
	    STATE_OK);
	cr_assert_eq(statefile_save(sf, err, sizeof(err)), 0);
	statefile_free(sf);
	result_free(r);

	m->value = 130;
	sf = statefile_open(dir, "test", "k", 1010, STATEFILE_MAX_AGE, STATEFILE_LOCK_WAIT, err,
			    sizeof(err));
	r = result_new("TEST");
	cr_assert_eq(
	    series_rate(r, &a, &(struct rates){.sf = sf}, s, "errors", keys, "errors per second:"),
	    STATE_CRITICAL);
	out = result_render(r);
	cr_assert_str_eq(out, "TEST CRITICAL - web errors per second: 3 (> 1) | "
			      "errors_rate_web=3;;1;0\n");
	free(out);
	remove_state(sf);
	statefile_free(sf);
	result_free(r);
	rmdir(dir);
	metric_set_free(s);
	thresholds_free(a.thresholds);
}

Test(series, a_rate_in_a_format)
{
	char dir[] = "/tmp/vakt-series-XXXXXX", err[256] = "", *out;
	struct plugin_args a = args(NULL, "errors_rate=1");
	struct metric_set *s = metric_set_new();
	struct metric *m = metric_set_add(s, "errors", METRIC_COUNTER, "", 100);
	struct statefile *sf;
	struct result *r;

	cr_assert_not_null(mkdtemp(dir));
	sf = statefile_open(dir, "test", "k", 1000, STATEFILE_MAX_AGE, STATEFILE_LOCK_WAIT, err,
			    sizeof(err));
	r = result_new("TEST");
	series_rate(r, &a, &(struct rates){.sf = sf}, s, "errors", NULL, "%.2f errors/s");
	cr_assert_eq(statefile_save(sf, err, sizeof(err)), 0);
	statefile_free(sf);
	result_free(r);

	m->value = 105;
	sf = statefile_open(dir, "test", "k", 1002, STATEFILE_MAX_AGE, STATEFILE_LOCK_WAIT, err,
			    sizeof(err));
	r = result_new("TEST");
	cr_assert_eq(
	    series_rate(r, &a, &(struct rates){.sf = sf}, s, "errors", NULL, "%.2f errors/s"),
	    STATE_CRITICAL);
	out = result_render(r);
	cr_assert_str_eq(out, "TEST CRITICAL - 2.50 errors/s (> 1) | errors_rate=2.5;;1;0\n");
	free(out);
	remove_state(sf);
	statefile_free(sf);
	result_free(r);
	rmdir(dir);
	metric_set_free(s);
	thresholds_free(a.thresholds);
}

Test(series, a_rate_threshold_without_state_is_unknown)
{
	struct plugin_args a = args("errors_rate=1", NULL);
	struct metric_set *s = metric_set_new();
	struct result *r = result_new("TEST");
	char *out;

	metric_set_add(s, "errors", METRIC_COUNTER, "", 1);
	cr_assert_eq(series_rate(r, &a, &(struct rates){.err = "no such directory"}, s, "errors",
				 NULL, "errors"),
		     STATE_UNKNOWN);
	out = result_render(r);
	cr_assert_str_eq(out, "TEST UNKNOWN - no errors_rate: no such directory\n");
	free(out);
	result_free(r);
	metric_set_free(s);
	thresholds_free(a.thresholds);
}

/*
 * A run 4 ms after the last has no rate and says so once for every series;
 * a counter the service gave as negative is no sample either. Neither is
 * a threshold crossed.
 */
Test(series, rates_too_soon_or_from_bad_counters_say_why)
{
	char dir[] = "/tmp/vakt-series-XXXXXX", err[256] = "", *out;
	struct plugin_args a = args(NULL, "errors_rate=1");
	struct metric_set *s = metric_set_new();
	struct metric *web = metric_set_add(s, "errors", METRIC_COUNTER, "", 100);
	struct metric *api = metric_set_add(s, "errors", METRIC_COUNTER, "", 5);
	struct statefile *sf;
	struct result *r;

	cr_assert_not_null(mkdtemp(dir));
	metric_label_add(web, "proxy", "web");
	metric_label_add(api, "proxy", "api");
	sf = statefile_open(dir, "test", "k", 1000, STATEFILE_MAX_AGE, STATEFILE_LOCK_WAIT, err,
			    sizeof(err));
	r = result_new("TEST");
	series_rate(r, &a, &(struct rates){.sf = sf}, s, "errors", keys, "errors per second:");
	cr_assert_eq(statefile_save(sf, err, sizeof(err)), 0);
	statefile_free(sf);
	result_free(r);

	web->value = 130;
	api->value = -1;
	sf = statefile_open(dir, "test", "k", 1000.004, STATEFILE_MAX_AGE, STATEFILE_LOCK_WAIT, err,
			    sizeof(err));
	r = result_new("TEST");
	cr_assert_eq(
	    series_rate(r, &a, &(struct rates){.sf = sf}, s, "errors", keys, "errors per second:"),
	    STATE_OK);
	out = result_render(r);
	cr_assert_str_eq(out,
			 "TEST OK\n"
			 "errors_rate_web: no value yet, the previous run was less than 1 s ago "
			 "(a rate needs samples at least 1 s apart)\n"
			 "errors_rate_api: no value, the service gave a counter that is not a "
			 "whole number from 0 to 2^53\n");
	free(out);
	remove_state(sf);
	statefile_free(sf);
	result_free(r);
	metric_set_free(s);
	thresholds_free(a.thresholds);
	rmdir(dir);
}
