/*
 * Fuzz target for lib/num.c: num_parse, num_parse_prefix and num_parse_long
 * on the input as a string, and num_format on whatever they parsed and on raw
 * doubles taken from the input bytes (so NaN, infinities, DBL_MAX and
 * subnormals come up). A formatted number must be plain decimal (no exponent,
 * no inf/nan, no "-0", no trailing zeros), fit NUM_BUFSZ, and parse back to
 * within the 6 decimals it keeps; a short literal must come back as written.
 * Parsing must agree with strtod, which the fast path claims to equal.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <strings.h>

#include "fuzz.h"
#include "num.h"

/* num_format(v) must obey the contract; returns what it wrote. */
static void check_format(double v)
{
	char out[NUM_BUFSZ];
	size_t n;
	double back;
	int r;

	memset(out, 'X', sizeof(out));
	r = num_format(v, out, sizeof(out));
	n = strnlen(out, sizeof(out));
	FUZZ_CHECK(n < sizeof(out));
	if (!isfinite(v)) {
		FUZZ_CHECK(r == -1);
		FUZZ_CHECK(strcmp(out, "U") == 0);
		return;
	}
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK(n > 0);
	FUZZ_CHECK(strpbrk(out, "eE") == NULL);
	FUZZ_CHECK(strcasestr(out, "inf") == NULL && strcasestr(out, "nan") == NULL);
	FUZZ_CHECK(strspn(out, "-0123456789.") == n);
	FUZZ_CHECK(strcmp(out, "-0") != 0);
	if (strchr(out, '.') != NULL)
		FUZZ_CHECK(out[n - 1] != '0' && out[n - 1] != '.');
	/* What we write, we must read back, to within the 6 decimals kept. */
	FUZZ_CHECK(num_parse(out, &back) == 0);
	FUZZ_CHECK(fabs(back - v) <= 1e-6 + fabs(v) * 1e-15);
}

/* num_format into a buffer of exactly outlen bytes must stay inside it. */
static void check_format_short(double v, size_t outlen)
{
	char *out = malloc(outlen);

	if (out == NULL)
		abort();
	num_format(v, out, outlen);
	FUZZ_CHECK(memchr(out, '\0', outlen) != NULL);
	free(out);
}

/*
 * What num_format must write for the decimal literal s (whole string) when s
 * has at most 6 decimals and 15 digits: s without '+', leading and trailing
 * zeros, "-0" as "0". Returns false when s is outside those bounds.
 */
static bool canonical(const char *s, char *out, size_t outlen)
{
	bool neg = s[0] == '-';
	const char *ip, *dot, *fp = "";
	size_t ilen, flen = 0;

	if (s[0] == '-' || s[0] == '+')
		s++;
	while (s[0] == '0')
		s++;
	ip = s;
	dot = strchr(s, '.');
	ilen = dot == NULL ? strlen(s) : (size_t)(dot - s);
	if (dot != NULL) {
		fp = dot + 1;
		flen = strlen(fp);
		if (flen > 6)
			return false;
		while (flen > 0 && fp[flen - 1] == '0')
			flen--;
	}
	if (ilen + strlen(fp) > 15)
		return false;
	if (ilen == 0 && flen == 0)
		neg = false;
	snprintf(out, outlen, "%s%.*s%s%s%.*s", neg ? "-" : "", (int)ilen, ip, ilen == 0 ? "0" : "",
		 flen > 0 ? "." : "", (int)flen, fp);
	return true;
}

static void check_parse(const char *s)
{
	double v = 0, w = 0;
	const char *end = NULL;
	int whole = num_parse(s, &v);
	int prefix = num_parse_prefix(s, &w, &end);
	long l;

	if (prefix == 0) {
		char *lit, want[64], got[NUM_BUFSZ];

		FUZZ_CHECK(isfinite(w));
		FUZZ_CHECK(end > s && end <= s + strlen(s));
		/* Only [+-]digits[.digits]: no blanks, hex, exponents or words. */
		FUZZ_CHECK(strspn(s, "+-0123456789.") >= (size_t)(end - s));
		/* The fast path must agree with strtod (the fuzzer runs in the C locale). */
		lit = strndup(s, (size_t)(end - s));
		FUZZ_CHECK(strtod(lit, NULL) == w);
		/*
		 * A short literal with up to 6 decimals is written back as given:
		 * integers (exact in a double) below 1e12, and any such literal
		 * below 2^32, where a double is closer than 5e-7 to it.
		 */
		if (fabs(w) < 1e12 && (w == floor(w) || fabs(w) < 4294967296.0) &&
		    canonical(lit, want, sizeof(want))) {
			num_format(w, got, sizeof(got));
			if (strcmp(want, got) != 0) {
				fprintf(
				    stderr,
				    "invariant violated: '%s' formatted as '%s', expected '%s'\n",
				    lit, got, want);
				abort();
			}
		}
		free(lit);
		check_format(w);
	}
	/* A whole-string parse is a prefix parse that reached the end. */
	FUZZ_CHECK((whole == 0) == (prefix == 0 && *end == '\0'));
	if (whole == 0) {
		FUZZ_CHECK(v == w);
		check_format(v);
	}
	if (num_parse_long(s, -1000000, 1000000, &l) == 0) {
		FUZZ_CHECK(l >= -1000000 && l <= 1000000);
		FUZZ_CHECK(strspn(s, "-0123456789") == strlen(s));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size);
	double raw;

	check_parse(s);
	if (size >= sizeof(double)) {
		memcpy(&raw, data, sizeof(raw));
		check_format(raw);
		check_format_short(raw, 1 + data[size - 1] % NUM_BUFSZ);
		memcpy(&raw, data + size - sizeof(raw), sizeof(raw));
		check_format(raw);
	}
	free(s);
	return 0;
}
