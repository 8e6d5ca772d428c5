/*
 * Locale-independent number parsing and formatting (see num.h). glibc's
 * strtod_l and a per-thread uselocale() give us the "C" rules without
 * touching the process locale, which the agent's threads share.
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

static locale_t c_locale;
static pthread_once_t c_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

static locale_t get_c_locale(void)
{
	pthread_once(&c_once, c_locale_init);
	return c_locale;
}

/* Length of the decimal literal at s ([+-]digits[.digits]), 0 when there is none. */
static size_t decimal_span(const char *s)
{
	size_t i = 0, digits = 0;

	if (s[i] == '-' || s[i] == '+')
		i++;
	for (; s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (s[i] == '.')
		for (i++; s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
	return digits == 0 ? 0 : i;
}

/*
 * Clinger's fast path: a decimal with at most 15 significant digits and at
 * most 22 decimals is M / 10^k with M and 10^k exact doubles, and one IEEE
 * division of exact operands is correctly rounded, so the result equals
 * strtod's. Returns 0, or -1 when the literal needs the slow path.
 */
static int parse_fast(const char *s, size_t n, double *out)
{
	static const double pow10[] = {1e0,  1e1,  1e2,	 1e3,  1e4,  1e5,  1e6,	 1e7,
				       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
				       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	unsigned long long m = 0;
	int digits = 0, decimals = 0;
	bool point = false, neg = s[0] == '-';

	for (size_t i = (s[0] == '-' || s[0] == '+'); i < n; i++) {
		if (s[i] == '.') {
			point = true;
			continue;
		}
		if (m == 0 && s[i] == '0' && !point)
			continue; /* leading zeros are not significant */
		if (++digits > 15)
			return -1;
		m = m * 10 + (unsigned)(s[i] - '0');
		decimals += point;
	}
	if (decimals > 22)
		return -1;
	*out = (double)m / pow10[decimals];
	if (neg)
		*out = -*out;
	return 0;
}

int num_parse_prefix(const char *s, double *out, const char **end)
{
	char copy[NUM_BUFSZ];
	size_t n = decimal_span(s);
	double v;

	/* Only plain decimals: strtod alone would also take hex, exponents, "inf" and blanks. */
	if (n == 0 || n >= sizeof(copy))
		return -1;
	*end = s + n;
	if (parse_fast(s, n, out) == 0)
		return 0;
	memcpy(copy, s, n);
	copy[n] = '\0';
	errno = 0;
	v = strtod_l(copy, NULL, get_c_locale());
	if (errno == ERANGE || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int num_parse(const char *s, double *out)
{
	const char *end;

	if (num_parse_prefix(s, out, &end) != 0 || *end != '\0')
		return -1;
	return 0;
}

int num_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if ((s[0] < '0' || s[0] > '9') && s[0] != '-')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno == ERANGE || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * Write |v| < 1e12 with up to six decimals by integer arithmetic: a plugin
 * writes a dozen numbers per run, and printf's exact float conversion would
 * cost more than the rest of the plugin together.
 */
static void format_small(double v, char *out, size_t outlen)
{
	/*
	 * Split before scaling: fabs(v) * 1e6 is inexact above 2^53 / 1e6 (about
	 * 9e9) and printed 999999999999 as 999999999999.000064. Below 1e12 the
	 * integer part and the fraction are both exact.
	 */
	unsigned long long ip = (unsigned long long)fabs(v);
	unsigned long long fp = (unsigned long long)((fabs(v) - (double)ip) * 1e6 + 0.5);
	char digits[32], *p = digits + sizeof(digits);
	int decimals = 6;
	bool zero;
	size_t n;

	if (fp == 1000000) {
		ip++;
		fp = 0;
	}
	zero = ip == 0 && fp == 0;
	*--p = '\0';
	while (decimals > 0 && fp % 10 == 0) {
		fp /= 10;
		decimals--;
	}
	for (; decimals > 0; decimals--, fp /= 10)
		*--p = (char)('0' + fp % 10);
	if (p[0] != '\0')
		*--p = '.';
	do {
		*--p = (char)('0' + ip % 10);
		ip /= 10;
	} while (ip > 0);
	if (v < 0 && !zero)
		*--p = '-';
	n = (size_t)(digits + sizeof(digits) - p);
	if (n > outlen)
		n = outlen;
	memcpy(out, p, n);
	out[outlen - 1] = '\0';
}

int num_format(double v, char *out, size_t outlen)
{
	locale_t old;
	size_t n;

	if (!isfinite(v)) {
		snprintf(out, outlen, "U");
		return -1;
	}
	if (fabs(v) < 1e12) {
		format_small(v, out, outlen);
		return 0;
	}
	old = uselocale(get_c_locale());
	snprintf(out, outlen, "%.6f", v);
	uselocale(old);
	n = strlen(out);
	while (n > 0 && out[n - 1] == '0')
		out[--n] = '\0';
	if (n > 0 && out[n - 1] == '.')
		out[--n] = '\0';
	return 0;
}

void num_bytes(double v, char *out, size_t outlen)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	size_t u = 0;

	while (fabs(v) >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, outlen, "%.0f B", v);
	else
		snprintf(out, outlen, "%.1f %s", v, units[u]);
}

void num_duration(double s, char *out, size_t outlen)
{
	long v = s > 0 && s < 1e15 ? (long)s : 0;

	if (v < 120)
		snprintf(out, outlen, "%ld s", v);
	else if (v < 3600)
		snprintf(out, outlen, "%ld min", v / 60);
	else if (v < 86400)
		snprintf(out, outlen, "%ld h %ld min", v / 3600, v % 3600 / 60);
	else
		snprintf(out, outlen, "%ld d %ld h", v / 86400, v % 86400 / 3600);
}

void num_seconds(double s, char *out, size_t outlen)
{
	if (s < 10 && s != floor(s))
		snprintf(out, outlen, "%.1f s", s);
	else if (s < 3600)
		snprintf(out, outlen, "%.0f s", s);
	else
		num_duration(s, out, outlen);
}

const char *num_plural(double n)
{
	return n == 1 ? "" : "s";
}
