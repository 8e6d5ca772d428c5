/*
 * Metric sets: adding, labels, and lookups.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <math.h>

#include "metric.h"

Test(metric, add_and_find)
{
	struct metric_set *s = metric_set_new();
	struct metric *m = metric_set_add(s, "queue_depth", METRIC_GAUGE, "", 42);
	const struct metric *f;

	metric_label_add(m, "broker", "redis");
	metric_label_add(m, "queue", "celery");
	m = metric_set_add(s, "queue_depth", METRIC_GAUGE, "", 7);
	metric_label_add(m, "broker", "redis");
	metric_label_add(m, "queue", "mail");
	metric_set_add(s, "requests", METRIC_COUNTER, "c", 1e9);

	cr_expect_eq(metric_set_count(s), 3);
	cr_expect_eq(metric_set_value(s, "queue_depth", "queue", "mail"), 7);
	cr_expect_eq(metric_set_value(s, "queue_depth", NULL, NULL), 42);
	cr_expect(isnan(metric_set_value(s, "queue_depth", "queue", "none")));
	cr_expect(isnan(metric_set_value(s, "nothing", NULL, NULL)));
	f = metric_set_find(s, "requests", NULL, NULL);
	cr_assert_not_null(f);
	cr_expect_eq(f->kind, METRIC_COUNTER);
	cr_expect_str_eq(f->unit, "c");
	cr_expect_null(metric_label(f, "queue"));
	cr_expect_null(metric_set_at(s, 3));
	metric_set_free(s);
}

Test(metric, find_like_matches_every_label)
{
	struct metric_set *s = metric_set_new();
	struct metric *q = metric_set_add(s, "listen_queue", METRIC_GAUGE, "", 3);
	struct metric *b;

	metric_label_add(q, "address", "0.0.0.0");
	metric_label_add(q, "port", "80");
	b = metric_set_add(s, "listen_backlog", METRIC_GAUGE, "", 100);
	metric_label_add(b, "address", "0.0.0.0");
	metric_label_add(b, "port", "443");
	b = metric_set_add(s, "listen_backlog", METRIC_GAUGE, "", 128);
	metric_label_add(b, "port", "80");
	metric_label_add(b, "address", "0.0.0.0");
	cr_expect_eq(metric_set_find_like(s, "listen_backlog", metric_set_at(s, 0))->value, 128);
	cr_expect_null(metric_set_find_like(s, "listen_other", metric_set_at(s, 0)));
	metric_set_free(s);
}

Test(metric, free_null)
{
	metric_set_free(NULL);
}

Test(metric, shared_until_the_last_reference)
{
	struct metric_set *s = metric_set_new();
	struct metric *m = metric_set_add(s, "process_fds_open", METRIC_GAUGE, "", 40);
	struct metric_set *other;

	metric_label_add(m, "process", "nginx");
	cr_expect_null(metric_set_ref(NULL));
	other = metric_set_ref(s);
	cr_assert_eq(other, s, "a reference, not a copy");
	metric_set_ref(s);
	metric_set_free(s);
	metric_set_free(s);
	/* Two of three given back: still whole (the sanitizer build would see a use after free). */
	cr_assert_eq(metric_set_count(other), 1);
	cr_expect_eq(metric_set_value(other, "process_fds_open", "process", "nginx"), 40);
	cr_expect_str_eq(metric_label(metric_set_at(other, 0), "process"), "nginx");
	/* The last frees it (and the sanitizer build would see a leak if not). */
	metric_set_free(other);
}

Test(metric, label_missing_only_where_absent)
{
	struct metric_set *s = metric_set_new();
	struct metric *m = metric_set_add(s, "queue_depth", METRIC_GAUGE, "", 3);

	metric_label_add(m, "target", "jobs");
	metric_set_add(s, "redis_clients", METRIC_GAUGE, "", 1);
	metric_set_label_missing(s, "target", "main");
	cr_assert_str_eq(metric_label(metric_set_at(s, 0), "target"), "jobs");
	cr_assert_eq(metric_set_at(s, 0)->nlabels, 1);
	cr_assert_str_eq(metric_label(metric_set_at(s, 1), "target"), "main");
	metric_set_free(s);
}
