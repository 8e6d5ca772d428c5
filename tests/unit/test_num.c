/*
 * Locale-independent numbers: parsing and formatting must not follow
 * LC_NUMERIC, so the tests run them under a comma-decimal locale too.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

/* A locale whose decimal separator is a comma; the test setup installs it. */
#define COMMA_LOCALE "de_DE.UTF-8"

static void fmt_is(double v, const char *want)
{
	char out[NUM_BUFSZ];

	num_format(v, out, sizeof(out));
	cr_expect_str_eq(out, want, "%.17g formatted as '%s', want '%s'", v, out, want);
}

Test(num, format)
{
	fmt_is(0, "0");
	fmt_is(-0.0, "0");
	fmt_is(1, "1");
	fmt_is(0.5, "0.5");
	fmt_is(-2.25, "-2.25");
	fmt_is(123456789012.0, "123456789012");
	fmt_is(1e20, "100000000000000000000");
	fmt_is(0.000001, "0.000001");
	fmt_is(0.0000004, "0");
	fmt_is(-0.0000004, "0");
	fmt_is(3.14159265, "3.141593");
	/* Large integers must not grow decimals (a fuzzer found 999999999999.000064). */
	fmt_is(999999999999.0, "999999999999");
	fmt_is(600000000001.0, "600000000001");
	fmt_is(-599999999999.5, "-599999999999.5");
	fmt_is(0.9999996, "1");
	fmt_is(1e12, "1000000000000");
}

Test(num, format_never_writes_exponents_or_inf)
{
	char out[NUM_BUFSZ];

	cr_expect_eq(num_format(INFINITY, out, sizeof(out)), -1);
	cr_expect_str_eq(out, "U");
	cr_expect_eq(num_format(NAN, out, sizeof(out)), -1);
	cr_expect_str_eq(out, "U");
	num_format(1.7976931348623157e308, out, sizeof(out));
	cr_expect_null(strpbrk(out, "eE"));
	cr_expect_eq(strlen(out), 309);
}

Test(num, parse)
{
	double v;

	cr_expect_eq(num_parse("1.5", &v), 0);
	cr_expect_eq(v, 1.5);
	cr_expect_eq(num_parse("-0.25", &v), 0);
	cr_expect_eq(v, -0.25);
	cr_expect_eq(num_parse(".5", &v), 0);
	cr_expect_eq(v, 0.5);
	cr_expect_eq(num_parse("7.", &v), 0);
	cr_expect_eq(v, 7);
	cr_expect_eq(num_parse("1,5", &v), -1);
	cr_expect_eq(num_parse("1e3", &v), -1);
	cr_expect_eq(num_parse("0x1A", &v), -1);
	cr_expect_eq(num_parse("inf", &v), -1);
	cr_expect_eq(num_parse("nan", &v), -1);
	cr_expect_eq(num_parse("", &v), -1);
	cr_expect_eq(num_parse(".", &v), -1);
	cr_expect_eq(num_parse("-", &v), -1);
	cr_expect_eq(num_parse(" 1", &v), -1);
}

Test(num, parse_long)
{
	long v;

	cr_expect_eq(num_parse_long("8080", 1, 65535, &v), 0);
	cr_expect_eq(v, 8080);
	cr_expect_eq(num_parse_long("0", 1, 65535, &v), -1);
	cr_expect_eq(num_parse_long("65536", 1, 65535, &v), -1);
	cr_expect_eq(num_parse_long("80x", 1, 65535, &v), -1);
	cr_expect_eq(num_parse_long("99999999999999999999999", 1, 65535, &v), -1);
	cr_expect_eq(num_parse_long(" 80", 1, 65535, &v), -1);
}

Test(num, comma_locale_changes_nothing)
{
	char out[NUM_BUFSZ];
	double v;

	cr_assert_not_null(setlocale(LC_ALL, COMMA_LOCALE),
			   "locale " COMMA_LOCALE " is missing: run localedef -i de_DE -f UTF-8 "
			   "de_DE.UTF-8 (scripts/test does)");
	snprintf(out, sizeof(out), "%.1f", 1.5);
	cr_assert_str_eq(out, "1,5", "the locale does not use a decimal comma");
	num_format(1.5, out, sizeof(out));
	cr_expect_str_eq(out, "1.5");
	cr_expect_eq(num_parse("2.75", &v), 0);
	cr_expect_eq(v, 2.75);
	cr_expect_eq(num_parse("2,75", &v), -1);
	setlocale(LC_ALL, "C");
}

/* The fast path must give exactly what strtod gives, for every short decimal. */
Test(num, parse_matches_strtod)
{
	char text[64];
	unsigned seed = 12345;

	for (int i = 0; i < 200000; i++) {
		unsigned long long m;
		int decimals;
		double v;

		seed = seed * 1103515245u + 12345u;
		m = ((unsigned long long)seed << 20) ^
		    (unsigned long long)(seed >> 3) * 2654435761u;
		m %= 1000000000000000ULL >> (seed % 40);
		decimals = (int)((seed >> 8) % 24);
		snprintf(text, sizeof(text), "%s%llu", (seed & 1) != 0 ? "-" : "", m);
		if (decimals > 0 && (int)strlen(text) > decimals + 1) {
			size_t len = strlen(text);

			memmove(text + len - decimals + 1, text + len - decimals,
				(size_t)decimals + 1);
			text[len - decimals] = '.';
		}
		cr_assert_eq(num_parse(text, &v), 0, "'%s' rejected", text);
		cr_assert_eq(v, strtod(text, NULL), "'%s' parsed as %.17g, strtod says %.17g", text,
			     v, strtod(text, NULL));
	}
}
