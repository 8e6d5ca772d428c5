/*
 * Counters the agent keeps about itself, updated from any thread.
 */
#ifndef VAKT_STATS_H
#define VAKT_STATS_H

/* Count one answered HTTP request. */
void stats_count_request(void);
/* HTTP requests answered since start. */
unsigned long stats_requests(void);

#endif
