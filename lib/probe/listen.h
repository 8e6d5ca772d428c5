/*
 * TCP listen sockets through netlink sock_diag (libmnl): for each listener
 * the kernel's accept queue (connections completed but not yet accepted)
 * and its backlog (the most it will hold). Sockets sharing an address and
 * port (SO_REUSEPORT) are summed into one listener.
 *
 * Metrics: listen_queue and listen_backlog (gauges), labelled address (as
 * inet_ntop writes it, "0.0.0.0", "::") and port.
 */
#ifndef VAKT_PROBE_LISTEN_H
#define VAKT_PROBE_LISTEN_H

#include <stddef.h>

#include "metric.h"

/* Add every IPv4 and IPv6 TCP listener to set; 0, or -1 with err. */
int probe_listen_collect(struct metric_set *set, char *err, size_t errlen);

#endif
