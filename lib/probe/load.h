/*
 * Load average and pressure stall information from /proc.
 *
 * Metrics: load1, load5, load15, procs_running, procs, cpus_online
 * (gauges); for a PSI resource, pressure_{some,full}_avg{10,60,300} in %
 * (gauges) and pressure_{some,full}_total in us (counters), each labelled
 * resource=cpu|io|memory.
 */
#ifndef VAKT_PROBE_LOAD_H
#define VAKT_PROBE_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "metric.h"

struct loadavg {
	double load[3];
	double running;
	double total;
};

struct pressure_line {
	bool present;
	double avg[3]; /* avg10, avg60, avg300 in % */
	double total;  /* microseconds stalled */
};

struct pressure {
	struct pressure_line some;
	struct pressure_line full;
};

/* Metric names of the PSI averages, by [some, full][avg10, avg60, avg300]. */
extern const char *const pressure_avg_names[2][3];

/* Parse /proc/loadavg ("0.05 0.03 0.01 1/77 5839"); 0 or -1. */
int load_parse_loadavg(const char *text, struct loadavg *out);
/* Parse /proc/pressure/RESOURCE; 0 or -1 (the "some" line is required). */
int load_parse_pressure(const char *text, struct pressure *out);

/* Read /proc/loadavg and the online CPU count into set; 0, or -1 with err. */
int probe_load_collect(struct metric_set *set, char *err, size_t errlen);
/*
 * Read /proc/pressure/resource into set; 0, or -1 with err saying why (a
 * kernel without PSI says so in words).
 */
int probe_pressure_collect(struct metric_set *set, const char *resource, char *err, size_t errlen);

#endif
