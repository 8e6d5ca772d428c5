/*
 * Counters the agent keeps about itself, updated from any thread.
 */
#ifndef VAKT_STATS_H
#define VAKT_STATS_H

/* Count one answered HTTP request. */
void stats_count_request(void);
/* HTTP requests answered since start. */
unsigned long stats_requests(void);
/* Count one connection opened (delta 1) or no longer counted (delta -1). */
void stats_count_connection(int delta);
/* Connections open and counted now. */
unsigned long stats_connections(void);
/* Count one connection the agent closed for reason (an enum conn_cut). */
void stats_count_cut(unsigned reason);
/* Connections closed for reason since start. */
unsigned long stats_cuts(unsigned reason);

#endif
