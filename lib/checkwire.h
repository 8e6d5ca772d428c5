/*
 * The check endpoint's wire format: what vaktd's /api/v1/check/NAME answers
 * as JSON and check_vakt reads back and relays. One module for both ends,
 * so they cannot drift:
 *
 *   {"state":"OK","exit_code":0,"output":"VAKT OK - ... | ...\n...",
 *    "perfdata":"...","status_line":"VAKT OK - ..."}
 *
 * output is the whole plugin output as lib/output renders it; status_line
 * and perfdata are its first line split at " | ", for readers that want the
 * parts. The first word is the service: VAKT for a metric's check, the
 * plugin's (HAPROXY) for a check's verdict.
 */
#ifndef VAKT_CHECKWIRE_H
#define VAKT_CHECKWIRE_H

#include <stddef.h>

#include "buf.h"
#include "state.h"

/* Append the answer for state st and rendered output text to b, one line of JSON. */
void checkwire_encode(enum state st, const char *text, struct buf *b);

/* A decoded answer; the strings are its own. */
struct checkwire {
	enum state state;
	char *status_line; /* "SERVICE STATE - summary", without perfdata */
	char *output;	   /* the whole output, newline-terminated */
};

/*
 * Decode the len bytes at body (not NUL-terminated) into w: one JSON object and nothing after it
 * but white space, every field there with its type, an exit code of 0 to 3
 * that agrees with the state and with the status line, and an output of at
 * most OUTPUT_MAX bytes that starts with that line, ends in a newline and
 * holds no control character or invalid UTF-8 (it goes to Nagios as it is).
 * 0, or -1 with nothing to free.
 */
int checkwire_decode(const char *body, size_t len, struct checkwire *w);
void checkwire_free(struct checkwire *w);

#endif
