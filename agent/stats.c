/*
 * Agent self-counters (see stats.h): plain atomics, no locks.
 */
#include "config.h"

#include "stats.h"

static unsigned long requests;

void stats_count_request(void)
{
	__atomic_add_fetch(&requests, 1, __ATOMIC_RELAXED);
}

unsigned long stats_requests(void)
{
	return __atomic_load_n(&requests, __ATOMIC_RELAXED);
}
