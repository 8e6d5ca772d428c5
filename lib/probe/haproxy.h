/*
 * The HAProxy probe: reads `show info` and `show stat` from a stats socket
 * (a unix socket path, or TCP host and port) in one exchange, or the CSV of
 * the stats page over HTTP(S), and hands them to the parsers of
 * haproxy_stat.h. Answers are read under PROBE_HAPROXY_MAX_ANSWER bytes.
 *
 * probe_haproxy_socket() needs nothing but the C library and lives in
 * libvakt.a; probe_haproxy_http() uses lib/httpc and lives in
 * libvakt_curl.a, so a program that reads only the socket never links
 * libcurl.
 */
#ifndef VAKT_PROBE_HAPROXY_H
#define VAKT_PROBE_HAPROXY_H

#include <stdbool.h>
#include <stddef.h>

#include "fail.h"
#include "net.h"
#include "probe/haproxy_stat.h"

#define PROBE_HAPROXY_MAX_ANSWER (16 * 1024 * 1024)

/*
 * `show info;show stat` over the stats socket t: fills st (free it with
 * haproxy_stat_free) and in. Returns 0, or an enum fail with err.
 */
int probe_haproxy_socket(const struct net_target *t, struct haproxy_stat *st,
			 struct haproxy_info *in, char *err, size_t errlen);

/* libcurl's handle type (curl.h says the same), so socket-only users need no curl headers. */
typedef void CURL;
struct httpc;
struct httpc_opts;

/*
 * GET the stats page's CSV at o->url (it ends in ";csv") with c: fills st.
 * The page has no `show info`. Returns 0, or an enum fail with err.
 */
int probe_haproxy_http(struct httpc *c, const struct httpc_opts *o, struct haproxy_stat *st,
		       char *err, size_t errlen);

#endif
