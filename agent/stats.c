/*
 * Agent self-counters (see stats.h): plain atomics, no locks.
 */
#include "config.h"

#include "conns.h"
#include "stats.h"

static unsigned long requests, connections, cuts[CONN_CUT_REASONS];

void stats_count_request(void)
{
	__atomic_add_fetch(&requests, 1, __ATOMIC_RELAXED);
}

unsigned long stats_requests(void)
{
	return __atomic_load_n(&requests, __ATOMIC_RELAXED);
}

void stats_count_connection(int delta)
{
	__atomic_add_fetch(&connections, (unsigned long)delta, __ATOMIC_RELAXED);
}

unsigned long stats_connections(void)
{
	return __atomic_load_n(&connections, __ATOMIC_RELAXED);
}

void stats_count_cut(unsigned reason)
{
	if (reason < CONN_CUT_REASONS)
		__atomic_add_fetch(&cuts[reason], 1, __ATOMIC_RELAXED);
}

unsigned long stats_cuts(unsigned reason)
{
	return reason < CONN_CUT_REASONS ? __atomic_load_n(&cuts[reason], __ATOMIC_RELAXED) : 0;
}
