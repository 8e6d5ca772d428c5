/*
 * HAProxy's stats socket (see haproxy.h): one connection, "show info;show
 * stat", the two answers split at the blank line that ends the first.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "probe/haproxy.h"

/* The probe's failure for the socket's: an answer over the cap is not HAProxy's. */
static int from_net(int r)
{
	return r == FAIL_TOO_BIG ? FAIL_BROKEN : r;
}

/* Say what answered instead of HAProxy; returns FAIL_BROKEN. */
static int not_haproxy(const char *who, const char *data, size_t len, const char *why, char *err,
		       size_t errlen)
{
	char start[48];

	buf_excerpt(data, len, start, sizeof(start));
	if (len == 0)
		snprintf(err, errlen, "%s answered nothing to show info and show stat", who);
	else
		snprintf(err, errlen, "%s did not answer with HAProxy statistics (%s): \"%s\"", who,
			 why, start);
	return FAIL_BROKEN;
}

int probe_haproxy_socket(const struct net_target *t, struct haproxy_stat *st,
			 struct haproxy_info *in, char *err, size_t errlen)
{
	static const char request[] = "show info;show stat\n";
	struct net_target q = *t;
	const char *data, *end, *stat;
	char who[600], why[256];
	struct buf answer;
	size_t info_len;
	int r;

	memset(st, 0, sizeof(*st));
	net_describe(t, who, sizeof(who));
	buf_init(&answer, PROBE_HAPROXY_MAX_ANSWER);
	q.what = "show stat";
	r = net_exchange(&q, request, sizeof(request) - 1, &answer, NULL, err, errlen);
	if (r != 0) {
		buf_free(&answer);
		return from_net(r);
	}
	/* show info ends with an empty line; show stat follows. */
	data = buf_str(&answer);
	end = strstr(data, "\n\n");
	info_len = end != NULL ? (size_t)(end - data) + 1 : answer.len;
	stat = end != NULL ? end + 2 : data + answer.len;
	if (haproxy_info_parse(data, info_len, in) != 0)
		r = not_haproxy(who, data, answer.len, "no show info", err, errlen);
	else if (haproxy_stat_parse(stat, answer.len - (size_t)(stat - data), st, why,
				    sizeof(why)) != 0)
		r = not_haproxy(who, stat, answer.len - (size_t)(stat - data), why, err, errlen);
	buf_free(&answer);
	return r;
}
