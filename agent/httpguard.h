/*
 * What vaktd's HTTP front end accepts, as pure functions over what a
 * request sent: its target as written (before any unescaping) and its
 * header fields in order. A request these rules refuse gets one answer
 * (400, 413 or 414) and the connection is closed: the agent answers what
 * it understood exactly, and never guesses where a request ends.
 *
 * The query string is parsed here too, not by libmicrohttpd (see http.c
 * for why): httpguard_query_next() splits and decodes it in place.
 */
#ifndef VAKT_HTTPGUARD_H
#define VAKT_HTTPGUARD_H

#include <stdbool.h>
#include <stddef.h>

/* At most this many query parameters ('&'-separated parts, empty ones included). */
#define HTTPGUARD_QUERY_MAX 32

/* The first rule a request broke: the status to answer and why; status 0 when none. */
struct httpguard_verdict {
	unsigned status;
	char why[96];
};

/* What the header fields of one request said, gathered one field at a time. */
struct httpguard_head {
	unsigned hosts, lengths, encodings;
	bool length_ok;	   /* the (last) Content-Length is a decimal number */
	bool length_zero;  /* and it is 0 */
	bool chunked;	   /* the (last) Transfer-Encoding is "chunked" */
	char bad_name[32]; /* the first field name that is not a token, cut; "" when none */
	bool bad_value;	   /* a field value holds a control character */
};

/*
 * Judge the request target as sent: refuse (400) "%00" anywhere, a bad
 * percent-escape, a control character, space or byte over 0x7e, and a query of
 * more than HTTPGUARD_QUERY_MAX parameters. NULL (no target at all) is 400.
 * Keeps an earlier verdict.
 */
void httpguard_target(const char *target, struct httpguard_verdict *v);
/* Note one header field of the request in h (h starts zeroed). */
void httpguard_field(struct httpguard_head *h, const char *name, const char *value);
/*
 * Judge the request's header fields: 400 for a field name that is not a
 * token (e.g. "Content-Length :"), a control character in a value, more than
 * one Content-Length, one that is not a decimal number below 10^18, a
 * Content-Length with a Transfer-Encoding, a Transfer-Encoding other than
 * one "chunked", and HTTP/1.1 (http11) without exactly one Host; 413 for a
 * body (a Content-Length above 0, or chunked). Keeps an earlier verdict.
 */
void httpguard_head_judge(const struct httpguard_head *h, bool http11, struct httpguard_verdict *v);
/*
 * The next parameter of the query at *cursor (a writable string that
 * httpguard_target accepted): *key and *value point into it, NUL-terminated
 * and decoded ('+' is a space, %XX a byte); value is "" without '='. Empty
 * parts are skipped. false when there are no more.
 */
bool httpguard_query_next(char **cursor, char **key, char **value);

#endif
