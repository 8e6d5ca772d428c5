/*
 * check_load's verdict (verdict_load in verdict.h): the load average, per
 * CPU if asked, or the pressure stall information of one resource.
 */
#ifndef VAKT_PROBE_LOAD_VERDICT_H
#define VAKT_PROBE_LOAD_VERDICT_H

#include <stdbool.h>

struct load_opts {
	bool per_cpu;
	const char *pressure; /* NULL: load average mode */
};

#endif
