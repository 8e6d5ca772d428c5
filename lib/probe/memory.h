/*
 * A process's own memory use from /proc/self/statm.
 *
 * Metrics: resident_memory (B, gauge).
 */
#ifndef VAKT_PROBE_MEMORY_H
#define VAKT_PROBE_MEMORY_H

#include <stddef.h>

#include "metric.h"

/* Resident pages from /proc/PID/statm ("size resident shared ..."); 0 or -1. */
int memory_parse_statm(const char *text, double *resident_pages);
/* Add this process's resident memory in bytes to set; 0, or -1 with err. */
int probe_self_memory(struct metric_set *set, char *err, size_t errlen);

#endif
