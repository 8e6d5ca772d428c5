/*
 * The result of one check: the items of the summary with their states, the
 * long output lines and the perfdata, rendered as the plugin contract says:
 *
 *   NAME STATE - summary | perfdata
 *   long output line
 *   ...
 *
 * The state is the worst of the items (CRITICAL > WARNING > UNKNOWN > OK) and
 * the summary lists the non-OK items first. Both the plugins and the agent's
 * check endpoint render through here, so they answer alike.
 */
#ifndef VAKT_OUTPUT_H
#define VAKT_OUTPUT_H

#include <stddef.h>

#include "perfdata.h"
#include "state.h"

/* Nagios reads at most this much plugin output. */
#define OUTPUT_MAX 8192
/* The summary never takes more than this, so perfdata still fits on line one. */
#define OUTPUT_SUMMARY_MAX 2048

/*
 * One summary item or long-output line never takes more than this many
 * bytes: a name or a query from outside cannot crowd out the rest.
 */
#define OUTPUT_TEXT_MAX 1024

struct result;

/*
 * Make s, in place, fit for a status line or long output whatever the
 * monitored service put in it: '|' (which would start the perfdata)
 * removed, ';' as ',' (Nagios turns it into ':' on its way to the UI,
 * Icinga does not: both show the same this way), line breaks and tabs as
 * spaces, other control characters (see buf_utf8_control) and invalid
 * UTF-8 as '?'. s never grows.
 */
void output_clean(char *s);

/* A new empty result for the service NAME (e.g. "LOAD"); never NULL. */
struct result *result_new(const char *name);
void result_free(struct result *r);
/*
 * Add an item to the summary, made safe by output_clean; one longer than
 * OUTPUT_TEXT_MAX loses its middle to "...".
 */
void result_add(struct result *r, enum state s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Add a line of long output, made safe and bounded as result_add does. */
void result_long(struct result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Add a perfdata entry; an entry with an invalid unit is dropped. A value
 * that is not a number is left out of the perfdata, and a long-output line
 * "LABEL: no value, WHY" (p->none) says so, LABEL as perfdata_label
 * writes it.
 */
void result_perf(struct result *r, const struct perf *p);
/* The worst state of the items, OK when there are none. */
enum state result_state(const struct result *r);
/*
 * The whole output, newline-terminated and at most OUTPUT_MAX bytes: the
 * first line is always complete (summary items and perfdata entries are left
 * out whole when they would not fit), long output is cut at a line boundary
 * with a note of how many lines were left out. The caller frees it.
 */
char *result_render(const struct result *r);

#endif
