/*
 * nginx's stub_status page (ngx_http_stub_status_module), a pure parser
 * over its bytes, unit-tested and fuzzed:
 *
 *   Active connections: 1
 *   server accepts handled requests
 *    10 10 32
 *   Reading: 0 Writing: 1 Waiting: 0
 *
 * Metrics, unlabelled: nginx_active, nginx_reading, nginx_writing and
 * nginx_waiting (gauges), nginx_accepts, nginx_handled, nginx_requests and
 * nginx_dropped (accepts - handled: connections refused for want of
 * worker_connections) (counters; they start again at 0 when nginx restarts).
 */
#ifndef VAKT_PROBE_STUB_STATUS_H
#define VAKT_PROBE_STUB_STATUS_H

#include <stddef.h>

#include "metric.h"

struct stub_status {
	double active, reading, writing, waiting;
	double accepts, handled, requests;
};

/*
 * Parse a stub_status page of len bytes (LF or CRLF, trailing spaces, any
 * amount of blank space between numbers). Returns 0, or -1 with what was
 * missing in err ("no 'Active connections:' line") when the text is not a
 * stub_status page. Every field is set on success; the numbers are
 * non-negative integers, and handled <= accepts.
 */
int stub_status_parse(const char *text, size_t len, struct stub_status *out, char *err,
		      size_t errlen);
void stub_status_metrics(const struct stub_status *st, struct metric_set *set);

#endif
