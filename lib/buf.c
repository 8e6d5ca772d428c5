/*
 * Capped string buffer (see buf.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xalloc.h"

void buf_init(struct buf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->size = 0;
	b->cap = cap;
	b->truncated = false;
}

static void reserve(struct buf *b, size_t need)
{
	size_t size = b->size == 0 ? 256 : b->size;

	if (need + 1 <= b->size)
		return;
	while (size < need + 1)
		size *= 2;
	b->data = xreallocarray(b->data, size, 1);
	b->size = size;
}

int buf_append(struct buf *b, const char *s, size_t n)
{
	int r = 0;

	if (n > b->cap - b->len) {
		n = b->cap - b->len;
		b->truncated = true;
		r = -1;
	}
	reserve(b, b->len + n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return r;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	char *big;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small))
		return buf_append(b, small, (size_t)n);
	big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	r = buf_append(b, big, (size_t)n);
	free(big);
	return r;
}

const char *buf_str(const struct buf *b)
{
	return b->data == NULL ? "" : b->data;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->truncated = false;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void buf_truncate(struct buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->data[len] = '\0';
}

char *buf_steal(struct buf *b)
{
	char *s = b->data == NULL ? xstrdup("") : b->data;

	buf_init(b, b->cap);
	return s;
}

void buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b, b->cap);
}

void buf_excerpt(const char *data, size_t len, char *out, size_t outlen)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 1 < outlen && n < 40; i++)
		out[n++] = data[i] >= ' ' && data[i] < 0x7f ? data[i] : ' ';
	if (outlen > 0)
		out[n] = '\0';
}

size_t buf_utf8_len(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n;
	unsigned lo = 0x80, hi = 0xBF; /* the range of the second byte */

	if (u[0] < 0x80)
		return u[0] != 0 ? 1 : 0;
	if (u[0] >= 0xC2 && u[0] <= 0xDF)
		n = 2;
	else if (u[0] >= 0xE0 && u[0] <= 0xEF)
		n = 3;
	else if (u[0] >= 0xF0 && u[0] <= 0xF4)
		n = 4;
	else
		return 0;
	/* Overlong forms, surrogates and code points above U+10FFFF. */
	if (u[0] == 0xE0)
		lo = 0xA0;
	else if (u[0] == 0xED)
		hi = 0x9F;
	else if (u[0] == 0xF0)
		lo = 0x90;
	else if (u[0] == 0xF4)
		hi = 0x8F;
	if (u[1] < lo || u[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (u[i] < 0x80 || u[i] > 0xBF)
			return 0;
	return n;
}

bool buf_utf8_control(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned cp;

	if (len == 1)
		return u[0] < ' ' || u[0] == 0x7f;
	if (len == 2) {
		cp = (u[0] & 0x1fu) << 6 | (u[1] & 0x3fu);
		return cp <= 0x9f || cp == 0x61c;
	}
	if (len != 3)
		return false;
	cp = (u[0] & 0x0fu) << 12 | (u[1] & 0x3fu) << 6 | (u[2] & 0x3fu);
	return cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}
