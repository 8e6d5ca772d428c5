/*
 * Kernel network counters from /proc/net/netstat (TcpExt and friends): pairs
 * of lines, a header of names and a line of values with the same prefix.
 *
 * Metrics: listen_overflows and listen_drops (counters): connections the
 * kernel dropped because an accept queue was full, and for any reason.
 */
#ifndef VAKT_PROBE_NETSTAT_H
#define VAKT_PROBE_NETSTAT_H

#include <stddef.h>

#include "metric.h"

/* Find counter name of group (e.g. "TcpExt", "ListenOverflows"); 0 or -1. */
int netstat_parse(const char *text, const char *group, const char *name, double *value);
/* Read ListenOverflows and ListenDrops into set; 0, or -1 with err. */
int probe_netstat_collect(struct metric_set *set, char *err, size_t errlen);

#endif
