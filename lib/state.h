/*
 * The four plugin states, their names, and how two of them combine.
 */
#ifndef VAKT_STATE_H
#define VAKT_STATE_H

enum state {
	STATE_OK = 0,
	STATE_WARNING = 1,
	STATE_CRITICAL = 2,
	STATE_UNKNOWN = 3,
};

/* "OK", "WARNING", "CRITICAL" or "UNKNOWN". */
const char *state_name(enum state s);
/* Parse "ok", "warning", "critical", "unknown" (any case); 0 or -1. */
int state_parse(const char *s, enum state *out);
/* How bad a state is: CRITICAL > WARNING > UNKNOWN > OK. */
int state_severity(enum state s);
/* The worse of two states by state_severity. */
enum state state_worst(enum state a, enum state b);

#endif
