/*
 * Plugin states (see state.h).
 */
#include "config.h"

#include <strings.h>

#include "state.h"

static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

const char *state_name(enum state s)
{
	return (unsigned)s <= STATE_UNKNOWN ? names[s] : "UNKNOWN";
}

int state_parse(const char *s, enum state *out)
{
	for (unsigned i = 0; i <= STATE_UNKNOWN; i++) {
		if (strcasecmp(s, names[i]) == 0) {
			*out = (enum state)i;
			return 0;
		}
	}
	return -1;
}

int state_severity(enum state s)
{
	/* The contract ranks UNKNOWN between OK and WARNING when aggregating. */
	switch (s) {
	case STATE_OK:
		return 0;
	case STATE_UNKNOWN:
		return 1;
	case STATE_WARNING:
		return 2;
	case STATE_CRITICAL:
		return 3;
	}
	return 1;
}

enum state state_worst(enum state a, enum state b)
{
	return state_severity(a) >= state_severity(b) ? a : b;
}
