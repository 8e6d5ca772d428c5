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

int num_parse_prefix(const char *s, double *out, const char **end)
{
	char copy[NUM_BUFSZ];
	size_t n = decimal_span(s);
	double v;

	/* Only plain decimals: strtod alone would also take hex, exponents, "inf" and blanks. */
	if (n == 0 || n >= sizeof(copy))
		return -1;
	memcpy(copy, s, n);
	copy[n] = '\0';
	errno = 0;
	v = strtod_l(copy, NULL, get_c_locale());
	if (errno == ERANGE || !isfinite(v))
		return -1;
	*out = v;
	*end = s + n;
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

int num_format(double v, char *out, size_t outlen)
{
	locale_t old;
	char *dot;
	size_t n;

	if (!isfinite(v)) {
		snprintf(out, outlen, "U");
		return -1;
	}
	if (v == 0)
		v = 0; /* no "-0" */
	old = uselocale(get_c_locale());
	snprintf(out, outlen, "%.6f", v);
	uselocale(old);
	dot = strchr(out, '.');
	if (dot == NULL)
		return 0;
	n = strlen(out);
	while (n > 0 && out[n - 1] == '0')
		out[--n] = '\0';
	if (out[n - 1] == '.')
		out[--n] = '\0';
	if (strcmp(out, "-0") == 0)
		snprintf(out, outlen, "0");
	return 0;
}
