/*
 * The nginx probe: GETs the stub_status page through lib/httpc, times the
 * request, and hands the page to stub_status_parse(). A page that is not
 * stub_status (an error page, a redirect, HTML) is an error naming the HTTP
 * status and what came instead. In libvakt_curl.a.
 *
 * Metrics: those of stub_status.h, and nginx_response_time (s), the time the
 * request took.
 */
#ifndef VAKT_PROBE_NGINX_H
#define VAKT_PROBE_NGINX_H

#include <stddef.h>

#include "fail.h"
#include "httpc.h"
#include "metric.h"

#define PROBE_NGINX_MAX_ANSWER (64 * 1024)

/* GET o->url with c and add its metrics to set; 0, or an enum fail with err. */
int probe_nginx(struct httpc *c, const struct httpc_opts *o, struct metric_set *set, char *err,
		size_t errlen);

#endif
