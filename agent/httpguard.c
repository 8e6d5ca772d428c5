/*
 * The rules of what vaktd's HTTP front end accepts (see httpguard.h). RFC
 * 9112 lets a server refuse each of these; libmicrohttpd 0.9.75 instead
 * takes the first of two Content-Lengths, reads "%00" as the end of a
 * string and waits for the end of a body it cannot frame.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "httpguard.h"

/* Content-Length has at most this many digits: far above any body, far below overflow. */
#define LENGTH_DIGITS 18

/* Set v to status and the formatted reason, unless an earlier rule already did. */
__attribute__((format(printf, 3, 4))) static void refuse(struct httpguard_verdict *v,
							 unsigned status, const char *fmt, ...)
{
	va_list ap;

	if (v->status != 0)
		return;
	v->status = status;
	va_start(ap, fmt);
	vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void httpguard_target(const char *target, struct httpguard_verdict *v)
{
	size_t parts = 0;
	bool query = false;

	if (target == NULL) {
		refuse(v, 400, "the request has no target");
		return;
	}
	for (const char *p = target; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c >= 0x7f) {
			refuse(v, 400, "the request target holds byte 0x%02x", c);
			return;
		}
		if (c == '%' && (hex_digit(p[1]) < 0 || hex_digit(p[2]) < 0)) {
			refuse(v, 400, "the request target holds a bad percent-escape");
			return;
		}
		if (c == '%' && p[1] == '0' && p[2] == '0') {
			refuse(v, 400, "the request target holds %%00");
			return;
		}
		if (c == '?' && !query) {
			query = true;
			parts = 1;
		} else if (c == '&' && query) {
			parts++;
		}
	}
	if (parts > HTTPGUARD_QUERY_MAX)
		refuse(v, 400, "more than %d query parameters", HTTPGUARD_QUERY_MAX);
}

/* Whether c may be in a field name (RFC 9110's tchar). */
static bool tchar(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Whether s, without trailing blanks, is only decimal digits, 1 to LENGTH_DIGITS of them. */
static bool decimal(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n > 0 && n <= LENGTH_DIGITS && s[n + strspn(s + n, " \t")] == '\0';
}

/* Whether s, without trailing blanks, is "chunked" in any case. */
static bool is_chunked(const char *s)
{
	return strncasecmp(s, "chunked", 7) == 0 && s[7 + strspn(s + 7, " \t")] == '\0';
}

void httpguard_field(struct httpguard_head *h, const char *name, const char *value)
{
	size_t n = 0;

	while (tchar(name[n]))
		n++;
	if (value == NULL)
		value = "";
	if ((n == 0 || name[n] != '\0') && h->bad_name[0] == '\0')
		snprintf(h->bad_name, sizeof(h->bad_name), "%s", n == 0 ? "(empty)" : name);
	for (const char *p = value; *p != '\0'; p++)
		if (((unsigned char)*p < ' ' && *p != '\t') || *p == 0x7f)
			h->bad_value = true;
	if (strcasecmp(name, "Host") == 0) {
		h->hosts++;
	} else if (strcasecmp(name, "Content-Length") == 0) {
		h->lengths++;
		h->length_ok = decimal(value);
		/* Only zeros, then the blanks decimal() allowed. */
		h->length_zero = h->length_ok && !isdigit((unsigned char)value[strspn(value, "0")]);
	} else if (strcasecmp(name, "Transfer-Encoding") == 0) {
		h->encodings++;
		h->chunked = is_chunked(value);
	}
}

void httpguard_head_judge(const struct httpguard_head *h, bool http11, struct httpguard_verdict *v)
{
	if (h->bad_name[0] != '\0') {
		/* The name is a client's: only its printable bytes go into the answer. */
		char shown[sizeof(h->bad_name)];
		size_t i;

		for (i = 0; h->bad_name[i] != '\0'; i++)
			shown[i] =
			    h->bad_name[i] >= ' ' && h->bad_name[i] < 0x7f ? h->bad_name[i] : '?';
		shown[i] = '\0';
		refuse(v, 400, "a header field name is not a token: \"%s\"", shown);
	}
	if (h->bad_value)
		refuse(v, 400, "a header field value holds a control character");
	if (h->lengths > 1)
		refuse(v, 400, "more than one Content-Length");
	if (h->lengths == 1 && !h->length_ok)
		refuse(v, 400, "Content-Length is not a decimal number of at most %d digits",
		       LENGTH_DIGITS);
	if (h->lengths > 0 && h->encodings > 0)
		refuse(v, 400, "Content-Length together with Transfer-Encoding");
	if (h->encodings > 1 || (h->encodings == 1 && !h->chunked))
		refuse(v, 400, "a Transfer-Encoding other than chunked");
	if (h->hosts > 1)
		refuse(v, 400, "more than one Host");
	if (h->hosts == 0 && http11)
		refuse(v, 400, "HTTP/1.1 without Host");
	if ((h->lengths == 1 && !h->length_zero) || h->encodings > 0)
		refuse(v, 413, "request bodies are not accepted");
}

/* Decode s in place: '+' is a space, %XX a byte (httpguard_target checked the escapes). */
static void unescape(char *s)
{
	char *out = s;

	for (; *s != '\0'; s++) {
		if (*s == '+') {
			*out++ = ' ';
		} else if (*s == '%' && hex_digit(s[1]) >= 0 && hex_digit(s[2]) >= 0) {
			*out++ = (char)(hex_digit(s[1]) * 16 + hex_digit(s[2]));
			s += 2;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

bool httpguard_query_next(char **cursor, char **key, char **value)
{
	char *part = *cursor, *amp, *eq;

	while (*part == '&')
		part++;
	if (*part == '\0') {
		*cursor = part;
		return false;
	}
	amp = strchr(part, '&');
	if (amp != NULL) {
		*amp = '\0';
		*cursor = amp + 1;
	} else {
		*cursor = part + strlen(part);
	}
	eq = strchr(part, '=');
	*value = eq != NULL ? eq + 1 : part + strlen(part);
	if (eq != NULL)
		*eq = '\0';
	*key = part;
	unescape(*key);
	unescape(*value);
	return true;
}
