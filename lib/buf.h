/*
 * A growable string buffer with a hard cap. Everything vakt builds for output
 * or reads from a source goes through one, so no input can make it grow
 * without bound. The string is always NUL-terminated.
 */
#ifndef VAKT_BUF_H
#define VAKT_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data;	/* NUL-terminated; NULL until the first append */
	size_t len;	/* bytes used, without the NUL */
	size_t size;	/* bytes allocated */
	size_t cap;	/* the most len may ever be */
	bool truncated; /* an append did not fit under cap */
};

/* Start an empty buffer that will never hold more than cap bytes. */
void buf_init(struct buf *b, size_t cap);
/* Append n bytes; returns 0, or -1 when cut at the cap (what fits is kept). */
int buf_append(struct buf *b, const char *s, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The contents, "" when empty; valid until the next append or buf_free. */
const char *buf_str(const struct buf *b);
void buf_reset(struct buf *b);
/* Drop what was appended after the first len bytes; truncated stays as it was. */
void buf_truncate(struct buf *b, size_t len);
/* Hand the string to the caller (who frees it) and reset the buffer. */
char *buf_steal(struct buf *b);
void buf_free(struct buf *b);
/*
 * The first printable bytes of data (at most 40, others shown as spaces),
 * for a message saying what an unexpected answer was.
 */
void buf_excerpt(const char *data, size_t len, char *out, size_t outlen);
/*
 * The length (1 to 4) of the well-formed UTF-8 character that starts the
 * NUL-terminated s, or 0 when none does (a stray continuation byte, an
 * overlong form, a surrogate, or one cut short). For cleaning text from
 * outside before it reaches a status line or a perfdata label.
 */
size_t buf_utf8_len(const char *s);
/*
 * Whether the well-formed character of len bytes at s (len from
 * buf_utf8_len) must not be printed as it is: a C0 or C1 control, DEL, a
 * line or paragraph separator (U+2028, U+2029), or a bidirectional mark,
 * embedding, override or isolate (U+061C, U+200E, U+200F, U+202A to U+202E,
 * U+2066 to U+2069), which a terminal or a web page would act on or
 * which would show a text other than the one that is there.
 */
bool buf_utf8_control(const char *s, size_t len);

#endif
