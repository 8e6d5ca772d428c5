/* check_listen's verdict (verdict_listen in verdict.h) and its options. */
#ifndef VAKT_PROBE_LISTEN_VERDICT_H
#define VAKT_PROBE_LISTEN_VERDICT_H

#include <stdbool.h>

struct listen_opts {
	bool all;
	bool percent;
};

#endif
