/* The one mapping from a failure to a state (see fail.h). */
#include "config.h"

#include "fail.h"

enum state fail_state(int fail, enum state timeout_state)
{
	switch (fail) {
	case 0:
		return STATE_OK;
	case FAIL_DOWN:
	case FAIL_HTTP:
	case FAIL_DENIED:
	case FAIL_NOT_FOUND:
		return STATE_CRITICAL;
	case FAIL_TIMEOUT:
		return timeout_state;
	default:
		return STATE_UNKNOWN;
	}
}
