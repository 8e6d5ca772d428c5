/*
 * Fuzz target for lib/http1.c. The bytes go, from an exactly sized copy
 * without a NUL (ASan catches a read past len), to http1_reply_parse() as a
 * server's answer: one it takes has a status of 100..999 whose digits the
 * server sent after "HTTP/x.y ", a body inside the copy and a head left as
 * it was, no body for 1xx, 204 and 304, a body that is not chunked either
 * running to the end or as long as a number in the head says, and a
 * terminated Location; http1_reply_whole() changes none of the bytes. When they
 * hold no NUL, the same bytes are a URL for http1_url_parse(): one it takes
 * has a port of 1..65535, a host, terminated host fields without blanks, a
 * path inside the URL without its fragment, and gives http1_request() five
 * CR LF lines of ASCII. They also go through http1_escape() and
 * http1_basic(), whose output must keep to its alphabet and length. A
 * failure must say why.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "fuzz.h"
#include "http1.h"

/* Whether the n bytes at s are a status line's start, "HTTP/x.y ", and then status. */
static bool status_line_at(const uint8_t *s, size_t n, long status)
{
	char digits[8];

	snprintf(digits, sizeof(digits), "%03ld", status);
	return n >= 12 && memcmp(s, "HTTP/", 5) == 0 && s[8] == ' ' &&
	       memcmp(s + 9, digits, 3) == 0;
}

/* Whether some status line in the n bytes at data says status. */
static bool status_sent(const uint8_t *data, size_t n, long status)
{
	for (size_t i = 0; i < n; i++)
		if (status_line_at(data + i, n - i, status))
			return true;
	return false;
}

/* Whether the n bytes at s hold word, in any case. */
static bool holds(const char *s, size_t n, const char *word)
{
	size_t k = strlen(word);

	for (size_t i = 0; i + k <= n; i++)
		if (strncasecmp(s + i, word, k) == 0)
			return true;
	return false;
}

/* The bytes as an answer, from a copy the parser may change. */
static void check_reply(const uint8_t *data, size_t size)
{
	char *text = malloc(size == 0 ? 1 : size);
	struct http1_reply r;
	char why[256] = "", length[32];
	size_t head;
	bool whole;

	if (text == NULL)
		abort();
	memcpy(text, data, size);
	/* Asking whether the answer is whole reads it and changes nothing. */
	whole = http1_reply_whole(text, size);
	FUZZ_CHECK(memcmp(text, data, size) == 0);
	if (http1_reply_parse(text, size, &r, why, sizeof(why)) != 0) {
		FUZZ_CHECK(why[0] != '\0');
		free(text);
		return;
	}
	FUZZ_CHECK(r.status >= 100 && r.status <= 999);
	FUZZ_CHECK(status_sent(data, size, r.status));
	FUZZ_CHECK(r.body >= text && r.body <= text + size);
	FUZZ_CHECK(r.bodylen <= (size_t)(text + size - r.body));
	head = (size_t)(r.body - text);
	FUZZ_CHECK(memcmp(text, data, head) == 0);
	snprintf(length, sizeof(length), "%zu", r.bodylen);
	if (r.status < 200 || r.status == 204 || r.status == 304)
		FUZZ_CHECK(r.bodylen == 0);
	else if (!holds(text, head, "chunked"))
		FUZZ_CHECK(r.bodylen == size - head || holds(text, head, length));
	FUZZ_CHECK(memchr(r.location, '\0', sizeof(r.location)) != NULL);
	/* A whole answer parses, and a body that runs to the close is never whole. */
	FUZZ_CHECK(!whole || r.bodylen < size - head || r.status < 200 || r.status == 204 ||
		   r.status == 304 || holds(text, head, "chunked") || holds(text, head, length));
	free(text);
}

/* Whether the NUL-terminated s has a byte that cannot go in a Host header or a message. */
static bool has_blank(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return true;
	return false;
}

/* Whether field (sizeof size) is terminated, non-empty and without blanks. */
static bool good_field(const char *field, size_t size)
{
	return memchr(field, '\0', size) != NULL && field[0] != '\0' && !has_blank(field);
}

/* The request for u: five CR LF lines of printable ASCII, the last one empty. */
static void check_request(const struct http1_url *u)
{
	struct buf b;
	size_t lines = 0;

	buf_init(&b, 1 << 16);
	http1_request(&b, u, NULL, NULL, NULL);
	FUZZ_CHECK(!b.truncated);
	FUZZ_CHECK(strncmp(buf_str(&b), "GET /", 5) == 0);
	FUZZ_CHECK(b.len >= 4 && memcmp(b.data + b.len - 4, "\r\n\r\n", 4) == 0);
	for (size_t i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)b.data[i];

		FUZZ_CHECK(c < 0x7f && (c >= ' ' || c == '\r' || c == '\n'));
		FUZZ_CHECK(c != '\r' || (i + 1 < b.len && b.data[i + 1] == '\n'));
		FUZZ_CHECK(c != '\n' || (i > 0 && b.data[i - 1] == '\r'));
		lines += c == '\n';
	}
	FUZZ_CHECK(lines == 5);
	buf_free(&b);
}

/* The bytes, which hold no NUL, as a URL, and the request for it. */
static void check_url(const uint8_t *data, size_t size)
{
	char *url = fuzz_strdup(data, size);
	struct http1_url u;
	char why[256] = "";
	char port[16];
	size_t n;

	if (http1_url_parse(url, &u, why, sizeof(why)) != 0) {
		FUZZ_CHECK(why[0] != '\0');
		free(url);
		return;
	}
	FUZZ_CHECK(u.port >= 1 && u.port <= 65535);
	FUZZ_CHECK(good_field(u.host, sizeof(u.host)));
	FUZZ_CHECK(good_field(u.authority, sizeof(u.authority)));
	FUZZ_CHECK(good_field(u.target, sizeof(u.target)));
	FUZZ_CHECK(strchr(u.authority, '%') == NULL);
	snprintf(port, sizeof(port), ":%ld", u.port);
	n = strlen(port);
	FUZZ_CHECK(strlen(u.target) > n && strcmp(u.target + strlen(u.target) - n, port) == 0);
	FUZZ_CHECK(u.path >= url && u.path + u.pathlen <= url + size);
	FUZZ_CHECK(u.pathlen == 0 || u.path[0] == '/' || u.path[0] == '?');
	FUZZ_CHECK(memchr(u.path, '#', u.pathlen) == NULL);
	check_request(&u);
	free(url);
}

/* Whether c is one of RFC 3986's unreserved characters. */
static bool unreserved(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c != '\0' && strchr("-._~", c) != NULL);
}

/* The value of an upper-case hex digit, as http1_escape() writes them; -1 for others. */
static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* http1_escape() gives each byte as itself when unreserved, else as "%XX". */
static void check_escape(const uint8_t *data, size_t size)
{
	struct buf b;
	size_t j = 0;

	buf_init(&b, 3 * size + 1);
	http1_escape(&b, (const char *)data, size);
	FUZZ_CHECK(!b.truncated);
	for (size_t i = 0; i < size; i++) {
		char c = (char)data[i];

		if (unreserved(c)) {
			FUZZ_CHECK(j < b.len && b.data[j] == c);
			j++;
			continue;
		}
		FUZZ_CHECK(j + 3 <= b.len && b.data[j] == '%');
		FUZZ_CHECK(hex_value(b.data[j + 1]) >= 0 && hex_value(b.data[j + 2]) >= 0);
		FUZZ_CHECK(hex_value(b.data[j + 1]) * 16 + hex_value(b.data[j + 2]) == data[i]);
		j += 3;
	}
	FUZZ_CHECK(j == b.len);
	buf_free(&b);
}

/*
 * http1_basic() of the bytes up to a NUL and "" is "Basic " and the base64
 * of them and ':': 4 digits for every 3 bytes, '=' only as padding.
 */
static void check_basic(const uint8_t *data, size_t size)
{
	static const char digits[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *user = fuzz_strdup(data, size);
	size_t n = strlen(user) + 1, pad = (3 - n % 3) % 3;
	struct buf b;

	buf_init(&b, 1 << 20);
	http1_basic(&b, user, "");
	FUZZ_CHECK(b.len == 6 + (n + 2) / 3 * 4);
	FUZZ_CHECK(memcmp(b.data, "Basic ", 6) == 0);
	for (size_t i = 6; i < b.len; i++)
		if (i >= b.len - pad)
			FUZZ_CHECK(b.data[i] == '=');
		else
			FUZZ_CHECK(b.data[i] != '\0' && strchr(digits, b.data[i]) != NULL);
	buf_free(&b);
	free(user);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_reply(data, size);
	if (memchr(data, 0, size) == NULL)
		check_url(data, size);
	check_escape(data, size);
	check_basic(data, size);
	return 0;
}
