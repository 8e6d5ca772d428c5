/*
 * nginx's stub_status over HTTP(S) (see nginx.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "probe/nginx.h"
#include "probe/stub_status.h"

/* An answer other than 200 in words, with where a redirect points. */
static int not_ok(const struct httpc *c, const struct httpc_opts *o, long status, char *err,
		  size_t errlen)
{
	bool moved = status >= 300 && status < 400 && c->location[0] != '\0';

	snprintf(err, errlen,
		 "%s answered HTTP %ld%s%s, expected 200 with nginx's stub_status page", o->url,
		 status, moved ? ", a redirect to " : "", moved ? c->location : "");
	return FAIL_HTTP;
}

int probe_nginx(struct httpc *c, const struct httpc_opts *o, struct metric_set *set, char *err,
		size_t errlen)
{
	char why[128], start[48];
	struct stub_status st;
	struct buf body;
	double t0 = time_monotonic(), took;
	long status;
	int r;

	buf_init(&body, PROBE_NGINX_MAX_ANSWER);
	r = httpc_get(c, o, &body, &status, err, errlen);
	took = time_monotonic() - t0;
	if (r == FAIL_TOO_BIG) {
		snprintf(err, errlen, "%s answered more than %d KiB, not nginx's stub_status page",
			 o->url, PROBE_NGINX_MAX_ANSWER / 1024);
		r = FAIL_BROKEN;
	} else if (r != 0) {
		/* httpc's failure is the probe's, its words in err already. */
	} else if (status != 200) {
		r = not_ok(c, o, status, err, errlen);
	} else if (stub_status_parse(buf_str(&body), body.len, &st, why, sizeof(why)) != 0) {
		buf_excerpt(buf_str(&body), body.len, start, sizeof(start));
		snprintf(err, errlen,
			 "%s answered HTTP 200 with a page that is not nginx's "
			 "stub_status (%s): \"%s\"",
			 o->url, why, start);
		r = FAIL_BROKEN;
	} else {
		stub_status_metrics(&st, set);
		metric_set_add(set, "nginx_response_time", METRIC_GAUGE, "s", took);
	}
	buf_free(&body);
	return r;
}
