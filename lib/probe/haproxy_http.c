/*
 * HAProxy's stats page as CSV over HTTP(S) (see haproxy.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "httpc.h"
#include "probe/haproxy.h"

int probe_haproxy_http(struct httpc *c, const struct httpc_opts *o, struct haproxy_stat *st,
		       char *err, size_t errlen)
{
	char why[256], start[48];
	struct buf body;
	long status;
	int r;

	memset(st, 0, sizeof(*st));
	buf_init(&body, PROBE_HAPROXY_MAX_ANSWER);
	r = httpc_get(c, o, &body, &status, err, errlen);
	if (r != 0) {
		buf_free(&body);
		/* An answer over the cap is not HAProxy's statistics. */
		return r == FAIL_TOO_BIG ? FAIL_BROKEN : r;
	}
	if (status != 200) {
		snprintf(
		    err, errlen, "%s answered HTTP %ld, not HAProxy's statistics%s", o->url, status,
		    status == 401 || status == 403 ? " (check --user and --password-file)" : "");
		r = FAIL_HTTP;
	} else if (haproxy_stat_parse(buf_str(&body), body.len, st, why, sizeof(why)) != 0) {
		buf_excerpt(buf_str(&body), body.len, start, sizeof(start));
		snprintf(err, errlen, "%s is not HAProxy's CSV statistics (%s): \"%s\"%s", o->url,
			 why, start,
			 strstr(o->url, ";csv") == NULL
			     ? ", the stats URL must end in a semicolon and csv"
			     : "");
		r = FAIL_BROKEN;
	}
	buf_free(&body);
	return r;
}
