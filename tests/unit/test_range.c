/*
 * Ranges and threshold sets: every row of the contract's range table, the
 * forms it rejects, and how -w/-c arguments combine.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdio.h>

#include "range.h"

static struct range parse_ok(const char *s)
{
	struct range r;
	char err[128] = "";

	cr_assert_eq(range_parse(s, &r, err, sizeof(err)), 0, "'%s' rejected: %s", s, err);
	return r;
}

struct row {
	const char *range;
	double value;
	bool alerts;
};

/* The contract's table, probed just inside and outside each bound. */
static const struct row table[] = {
    {"10", -0.001, true},
    {"10", 0, false},
    {"10", 5, false},
    {"10", 10, false},
    {"10", 10.001, true},
    {"10:", 9.999, true},
    {"10:", 10, false},
    {"10:", 1e12, false},
    {"~:10", -1e12, false},
    {"~:10", 10, false},
    {"~:10", 10.5, true},
    {"10:20", 9, true},
    {"10:20", 10, false},
    {"10:20", 20, false},
    {"10:20", 21, true},
    {"@10:20", 9.99, false},
    {"@10:20", 10, true},
    {"@10:20", 15, true},
    {"@10:20", 20, true},
    {"@10:20", 20.01, false},
    /* Negatives and decimals. */
    {"-10:-5", -11, true},
    {"-10:-5", -7.5, false},
    {"-10:-5", -4, true},
    {"0.5:1.5", 0.49, true},
    {"0.5:1.5", 1.5, false},
    {"~:-1", -1, false},
    {"~:-1", 0, true},
    {"@~:0", -3, true},
    {"@~:0", 0.1, false},
    {":10", 11, true},
    {":10", 0, false},
    {"~:", -1e300, false},
    {"-0:0", 0, false},
    {"007", 7.5, true},
};

Test(range, contract_table)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct range r = parse_ok(table[i].range);

		cr_expect_eq(range_alerts(&r, table[i].value), table[i].alerts,
			     "range '%s' value %g: expected %s", table[i].range, table[i].value,
			     table[i].alerts ? "alert" : "no alert");
	}
}

Test(range, huge_numbers)
{
	struct range r = parse_ok("99999999999999999999:999999999999999999999");

	cr_expect(range_alerts(&r, 1e19));
	cr_expect(!range_alerts(&r, 5e20));
	cr_expect(range_alerts(&r, 1e22));
}

Test(range, keeps_text_for_perfdata)
{
	struct range r = parse_ok("@~:-2.5");

	cr_expect_str_eq(r.text, "@~:-2.5");
	cr_expect(r.inside);
	cr_expect(r.start_inf);
	cr_expect_eq(r.end, -2.5);
}

static const char *const invalid[] = {
    "",
    ":",
    "@",
    "@:",
    "2:1",
    "1:~",
    "10:~",
    "~",
    "abc",
    "1-10",
    "1,10",
    "10:20:30",
    "1e3",
    "0x10",
    "inf",
    "nan",
    " 5",
    "5 ",
    "--5",
    "~5:",
    "5:x",
    "@@5",
    "1.2.3",
    "100000000000000000000000000000000000000000000000000000000000000000000:1",
    /* What strtod takes but the perfdata the range is repeated in may not. */
    "+5",
    "1.",
    ".5",
    "-.5",
    "1.:2",
    "+1:2",
    ".5:",
    "@+5",
    "1:+5",
    "1:2.",
    "- 5",
    "5.e1",
};

Test(range, rejects_invalid_forms)
{
	char err[128];
	struct range r;

	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		err[0] = '\0';
		cr_expect_eq(range_parse(invalid[i], &r, err, sizeof(err)), -1, "'%s' was accepted",
			     invalid[i]);
		cr_expect_neq(err[0], '\0', "'%s' rejected without a reason", invalid[i]);
	}
}

Test(range, error_names_the_input)
{
	char err[128];
	struct range r;

	range_parse("2:1", &r, err, sizeof(err));
	cr_expect_str_eq(err, "invalid range '2:1': start is greater than end");
	range_parse("1.", &r, err, sizeof(err));
	cr_expect_str_eq(err, "invalid range '1.': expected [@][start:][end] with decimal numbers "
			      "like 10, -2 or 0.5, start may be '~'");
	range_parse("+1:2", &r, err, sizeof(err));
	cr_expect_str_eq(err, "invalid range '+1:2': the start is not a decimal number like 10, -2 "
			      "or 0.5");
}

/* Whatever is accepted goes into perfdata as written, in a form every parser reads. */
Test(range, accepted_text_is_canonical)
{
	static const char *const ok[] = {"10", "-2.5:0.5", "@~:1", "10:", "~:", ":3", "@0.000001"};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct range r = parse_ok(ok[i]);

		cr_expect_str_eq(r.text, ok[i]);
	}
}

Test(range, explain)
{
	char out[64];
	struct range r = parse_ok("10:20");

	range_explain(&r, 25, out, sizeof(out));
	cr_expect_str_eq(out, "> 20");
	range_explain(&r, 5, out, sizeof(out));
	cr_expect_str_eq(out, "< 10");
	r = parse_ok("@1:2.5");
	range_explain(&r, 2, out, sizeof(out));
	cr_expect_str_eq(out, "inside 1:2.5");
}

Test(threshold, critical_before_warning)
{
	struct threshold t = {0};

	t.warn = parse_ok("10");
	t.crit = parse_ok("20");
	t.has_warn = t.has_crit = true;
	cr_expect_eq(threshold_eval(&t, 5), STATE_OK);
	cr_expect_eq(threshold_eval(&t, 15), STATE_WARNING);
	cr_expect_eq(threshold_eval(&t, 25), STATE_CRITICAL);
	t.has_warn = false;
	cr_expect_eq(threshold_eval(&t, 15), STATE_OK, "a threshold not given is not checked");
}

Test(threshold, judge_names_the_bound_and_passes_no_value)
{
	struct threshold t = {0};
	char why[64];

	t.warn = parse_ok("10");
	t.crit = parse_ok("20");
	t.has_warn = t.has_crit = true;
	cr_expect_eq(threshold_judge(&t, 25, why, sizeof(why)), STATE_CRITICAL);
	cr_expect_str_eq(why, " (> 20)");
	cr_expect_eq(threshold_judge(&t, 15, why, sizeof(why)), STATE_WARNING);
	cr_expect_str_eq(why, " (> 10)");
	cr_expect_eq(threshold_judge(&t, 5, why, sizeof(why)), STATE_OK);
	cr_expect_str_eq(why, "");
	t.crit = parse_ok("@~:0");
	cr_expect_eq(threshold_judge(&t, NAN, why, sizeof(why)), STATE_OK,
		     "no value crosses no bound, even one that takes every value");
	cr_expect_str_eq(why, "");
}

static struct thresholds *set;
static char err[256];

static void setup(void)
{
	set = thresholds_new();
	err[0] = '\0';
}

static void teardown(void)
{
	thresholds_free(set);
}

TestSuite(thresholds, .init = setup, .fini = teardown);

Test(thresholds, bare_range_is_main_metric)
{
	struct threshold t;

	cr_assert_eq(thresholds_add(set, false, "5", 1, err, sizeof(err)), 0);
	cr_assert_eq(thresholds_add(set, true, "10", 1, err, sizeof(err)), 0);
	t = thresholds_get(set, "queue", 0);
	cr_expect(t.has_warn && t.has_crit);
	cr_expect_str_eq(t.warn.text, "5");
	cr_expect_str_eq(t.crit.text, "10");
	t = thresholds_get(set, "other", -1);
	cr_expect(!t.has_warn && !t.has_crit, "a bare range applies to the main metric only");
}

Test(thresholds, metric_equals_range)
{
	struct threshold t;

	cr_assert_eq(thresholds_add(set, true, "10", 1, err, sizeof(err)), 0);
	cr_assert_eq(thresholds_add(set, true, "queue_pct=90", 1, err, sizeof(err)), 0);
	cr_assert_eq(thresholds_add(set, false, "queue=3:", 1, err, sizeof(err)), 0);
	t = thresholds_get(set, "queue_pct", -1);
	cr_expect(t.has_crit && !t.has_warn);
	cr_expect_str_eq(t.crit.text, "90");
	t = thresholds_get(set, "queue", 0);
	cr_expect_str_eq(t.warn.text, "3:");
	cr_expect_str_eq(t.crit.text, "10");
}

Test(thresholds, named_overrides_main_in_any_order)
{
	struct threshold t;

	cr_assert_eq(thresholds_add(set, true, "queue=50", 1, err, sizeof(err)), 0);
	cr_assert_eq(thresholds_add(set, true, "10", 1, err, sizeof(err)), 0);
	t = thresholds_get(set, "queue", 0);
	cr_expect_str_eq(t.crit.text, "50");
}

Test(thresholds, later_argument_wins)
{
	cr_assert_eq(thresholds_add(set, false, "5", 1, err, sizeof(err)), 0);
	cr_assert_eq(thresholds_add(set, false, "7", 1, err, sizeof(err)), 0);
	cr_expect_str_eq(thresholds_get(set, "x", 0).warn.text, "7");
}

Test(thresholds, comma_list_for_several_main_metrics)
{
	cr_assert_eq(thresholds_add(set, false, "5,4,3", 3, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(thresholds_get(set, "load1", 0).warn.text, "5");
	cr_expect_str_eq(thresholds_get(set, "load5", 1).warn.text, "4");
	cr_expect_str_eq(thresholds_get(set, "load15", 2).warn.text, "3");
}

Test(thresholds, one_range_for_all_main_metrics)
{
	cr_assert_eq(thresholds_add(set, true, "2.5", 3, err, sizeof(err)), 0);
	for (int i = 0; i < 3; i++)
		cr_expect_str_eq(thresholds_get(set, "m", i).crit.text, "2.5");
}

Test(thresholds, rejects_lists_of_the_wrong_length)
{
	cr_expect_eq(thresholds_add(set, false, "5,4", 3, err, sizeof(err)), -1);
	cr_expect_str_eq(err, "'5,4' has 2 comma-separated ranges, expected 3 (or one for all)");
	cr_expect_eq(thresholds_add(set, false, "5,4,3,2", 3, err, sizeof(err)), -1);
	cr_expect_eq(thresholds_add(set, false, "5,,3", 3, err, sizeof(err)), -1);
	cr_expect_eq(thresholds_add(set, false, "1,10", 1, err, sizeof(err)), -1);
	cr_expect_str_eq(err, "invalid range '1,10': one range expected, not a list");
}

Test(thresholds, rejects_bad_metric_syntax)
{
	cr_expect_eq(thresholds_add(set, false, "=5", 1, err, sizeof(err)), -1);
	cr_expect_eq(thresholds_add(set, false, "queue=", 1, err, sizeof(err)), -1);
	cr_expect_eq(thresholds_add(set, false, "queue=2:1", 1, err, sizeof(err)), -1);
}

Test(thresholds, unknown_metric_names)
{
	static const char *const known[] = {"queue", "queue_pct", NULL};

	cr_assert_eq(thresholds_add(set, false, "queue=5", 1, err, sizeof(err)), 0);
	cr_expect_null(thresholds_unknown_metric(set, known));
	cr_assert_eq(thresholds_add(set, false, "qeueu=5", 1, err, sizeof(err)), 0);
	cr_expect_str_eq(thresholds_unknown_metric(set, known), "qeueu");
}
