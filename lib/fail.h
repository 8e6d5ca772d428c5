/*
 * How a probe, or the transport under it, failed: one vocabulary for every
 * service, and one mapping from it to a plugin state, so that "nginx is
 * down" and "Redis is down" are the same state and the agent's check
 * endpoint can say what a plugin says. Functions return 0 or one of these
 * (negative), with the words in their err buffer.
 */
#ifndef VAKT_FAIL_H
#define VAKT_FAIL_H

#include "state.h"

enum fail {
	FAIL_DOWN = -1,	     /* refused, unreachable, reset, closed, TLS failed: down */
	FAIL_TIMEOUT = -2,   /* no answer before the deadline */
	FAIL_HTTP = -3,	     /* an HTTP status the page should not have */
	FAIL_DENIED = -4,    /* the service refused our login, or its rights */
	FAIL_NOT_FOUND = -5, /* the service says what was asked for does not exist */
	FAIL_BROKEN = -6,    /* it answered, but not as the service it should be */
	FAIL_PRIVILEGE = -7, /* the login lacks a grant a view needs; err names it */
	FAIL_TOO_BIG = -8,   /* the answer was over its cap */
	FAIL_LOCAL = -9,     /* our side: socket permissions, a CA file, memory, a bad URL */
};

/*
 * The state a failure deserves. The service is not serving (down, an HTTP
 * error, a refused login, a missing object): CRITICAL. A time-out:
 * timeout_state (-t SECONDS:STATE, CRITICAL by default). The check could not
 * tell (an answer it cannot read, a missing grant, anything on our side):
 * UNKNOWN.
 */
enum state fail_state(int fail, enum state timeout_state);

#endif
