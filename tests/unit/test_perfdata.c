/*
 * Perfdata formatting as the contract writes it.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include "perfdata.h"

static char *fmt(const struct perf *p)
{
	static char out[1024];
	struct buf b;

	buf_init(&b, sizeof(out) - 1);
	cr_assert_eq(perfdata_append(&b, p), 0);
	snprintf(out, sizeof(out), "%s", buf_str(&b));
	buf_free(&b);
	return out;
}

static struct range range(const char *s)
{
	struct range r;
	char err[64];

	cr_assert_eq(range_parse(s, &r, err, sizeof(err)), 0);
	return r;
}

Test(perfdata, plain)
{
	struct perf p = perf_make("load1", 0.25, "");

	cr_expect_str_eq(fmt(&p), "load1=0.25");
}

Test(perfdata, all_fields)
{
	struct threshold t = {range("80"), range("@90:95"), true, true};
	struct perf p = perf_make("fds_pct", 42.5, "%");

	p.thr = &t;
	p.min = 0;
	p.max = 100;
	cr_expect_str_eq(fmt(&p), "fds_pct=42.5%;80;@90:95;0;100");
}

Test(perfdata, inner_empty_fields_kept_trailing_dropped)
{
	struct threshold t = {0};
	struct perf p = perf_make("queue", 3, "");

	t.crit = range("10");
	t.has_crit = true;
	p.thr = &t;
	cr_expect_str_eq(fmt(&p), "queue=3;;10");
	p.thr = NULL;
	p.max = 128;
	cr_expect_str_eq(fmt(&p), "queue=3;;;;128");
	p.min = 0;
	cr_expect_str_eq(fmt(&p), "queue=3;;;0;128");
}

Test(perfdata, label_quoting)
{
	struct perf p = perf_make("queue high", 1, "");

	cr_expect_str_eq(fmt(&p), "'queue high'=1");
	p.label = "queue_[::]:80";
	cr_expect_str_eq(fmt(&p), "queue_[::]:80=1");
	p.label = "queue_a,b/c~d";
	cr_expect_str_eq(fmt(&p), "queue_a,b/c~d=1");
}

/*
 * The guidelines forbid '=' and '\'' in a label, and a parser that splits
 * on ';' or '|' would misread one: whatever a service named its objects,
 * none of them gets through, with or without quotes.
 */
Test(perfdata, label_forbidden_characters_replaced)
{
	struct perf p = perf_make("queue_depth_a|b=1;2;3", 5, "");

	cr_expect_str_eq(fmt(&p), "queue_depth_a_b_1_2_3=5");
	p.label = "it's";
	cr_expect_str_eq(fmt(&p), "it_s=5");
	p.label = "a b=c";
	cr_expect_str_eq(fmt(&p), "'a b_c'=5");
	p.label = "pipe|and\nnewline\ttab";
	cr_expect_str_eq(fmt(&p), "pipe_and_newline_tab=5");
	p.label = "q\x1b[31mred\x7f";
	cr_expect_str_eq(fmt(&p), "q_[31mred_=5");
	p.label = "c1\xc2\x9b"
		  "31m rlo\xe2\x80\xae";
	cr_expect_str_eq(fmt(&p), "'c1_31m rlo_'=5", "C1 controls and bidi overrides");
}

/* A label from a very long name is cut, stays the same from run to run, and stays apart. */
Test(perfdata, label_bounded)
{
	char a[1000], b[1000], wa[300], wb[300];
	struct perf p;

	memset(a, 'x', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	memcpy(b, a, sizeof(b));
	b[sizeof(b) - 2] = 'y';
	p = perf_make(a, 1, "");
	snprintf(wa, sizeof(wa), "%s", fmt(&p));
	p.label = b;
	snprintf(wb, sizeof(wb), "%s", fmt(&p));
	cr_expect_eq(strlen(wa), PERFDATA_LABEL_MAX + 2, "%s", wa);
	cr_expect(strncmp(wa, a, PERFDATA_LABEL_MAX - 9) == 0);
	cr_expect_eq(wa[PERFDATA_LABEL_MAX - 9], '_');
	cr_expect_str_neq(wa, wb, "two long labels stay apart");
	p.label = a;
	cr_expect_str_eq(fmt(&p), wa, "the same label every run");
	a[PERFDATA_LABEL_MAX] = '\0';
	snprintf(wb, sizeof(wb), "%.*s=1", PERFDATA_LABEL_MAX, a);
	cr_expect_str_eq(fmt(&p), wb, "200 bytes are kept whole");
	/* A cut never splits a character. */
	for (size_t i = 0; i + 1 < sizeof(a); i += 2)
		memcpy(a + i, "\xc3\xb6", 2);
	a[sizeof(a) - 1] = '\0';
	cr_expect_eq(fmt(&p)[PERFDATA_LABEL_MAX - 11], '\xb6');
	cr_expect_eq(fmt(&p)[PERFDATA_LABEL_MAX - 10], '_');
}

/* Icinga 2 rejects the guidelines' U: a value not known is not written at all. */
Test(perfdata, unknown_value_left_out)
{
	const double values[] = {NAN, INFINITY, -INFINITY};
	struct buf b;

	buf_init(&b, 64);
	buf_puts(&b, "a=1");
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct perf p = perf_make("rate", values[i], "s");

		p.min = 0;
		cr_expect_eq(perfdata_append(&b, &p), -1);
	}
	cr_expect_str_eq(buf_str(&b), "a=1", "nothing, not even the space, was written");
	buf_free(&b);
}

Test(perfdata, label_utf8)
{
	struct perf p = perf_make("queue_k\xc3\xb6", 1, "");

	cr_expect_str_eq(fmt(&p), "queue_k\xc3\xb6=1", "well-formed UTF-8 is kept");
	p.label = "queue_\xff\xc3(";
	cr_expect_str_eq(fmt(&p), "queue___(=1", "invalid UTF-8 is replaced");
	p.label = "over\xc0\xaflong";
	cr_expect_str_eq(fmt(&p), "over__long=1", "an overlong form is invalid");
}

Test(perfdata, units)
{
	static const char *const ok[] = {"",   "s",  "ms", "us", "%", "B",
					 "KB", "MB", "GB", "TB", "c"};
	struct buf b;
	struct perf p = perf_make("x", 1, "bytes");

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		cr_expect(perfdata_uom_valid(ok[i]), "unit '%s' refused", ok[i]);
	cr_expect(!perfdata_uom_valid("bytes"));
	cr_expect(!perfdata_uom_valid("kB"));
	buf_init(&b, 64);
	cr_expect_eq(perfdata_append(&b, &p), -1);
	cr_expect_eq(b.len, 0, "nothing written for an invalid unit");
	buf_free(&b);
}

Test(perfdata, separated_by_one_space)
{
	struct perf a = perf_make("a", 1, "s"), c = perf_make("b", 2000000, "B");
	struct buf b;

	buf_init(&b, 64);
	perfdata_append(&b, &a);
	perfdata_append(&b, &c);
	cr_expect_str_eq(buf_str(&b), "a=1s b=2000000B");
	buf_free(&b);
}

Test(perfdata, comma_locale)
{
	struct threshold t = {range("0.5:1.5"), range("2.5"), true, true};
	struct perf p = perf_make("load1", 1.25, "");

	cr_assert_not_null(setlocale(LC_ALL, "de_DE.UTF-8"), "locale de_DE.UTF-8 is missing");
	p.thr = &t;
	p.min = 0;
	p.max = 0.75;
	cr_expect_str_eq(fmt(&p), "load1=1.25;0.5:1.5;2.5;0;0.75");
	setlocale(LC_ALL, "C");
}
