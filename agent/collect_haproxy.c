/*
 * [haproxy NAME]: HAProxy through check_haproxy's probe, from its stats
 * socket (show info and show stat; a new connection each time, as HAProxy
 * closes it after answering) or from its stats page's CSV (one curl handle
 * per section, its connection kept open). Server state is a labelled gauge
 * (haproxy_up, haproxy_state), 5xx responses a counter; every series
 * carries the target label.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "clock.h"
#include "collector.h"
#include "httpc.h"
#include "probe/haproxy.h"
#include "secret.h"
#include "xalloc.h"

struct haproxy_coll {
	char host[256];
	char *url, *user, *password, *ca_file, *section_name; /* owned */
	struct net_target t;
	struct httpc_opts o;
	double timeout;
	bool page;	   /* the stats page, not the socket */
	struct httpc http; /* for the stats page */
};

static void haproxy_destroy(void *state);

static void *haproxy_create(const struct config_collector *cc, char *err, size_t errlen)
{
	struct haproxy_coll *c = xcalloc(1, sizeof(*c));
	const char *space = strchr(cc->name, ' ');

	c->section_name = xstrdup(space != NULL ? space + 1 : cc->name);
	c->timeout = cc->timeout;
	if (cc->url == NULL) {
		if (address_split(cc->address, c->host, sizeof(c->host), &c->t.port, err, errlen) !=
		    0) {
			haproxy_destroy(c);
			return NULL;
		}
		if (c->host[0] == '/')
			c->t.path = c->host;
		else
			c->t.host = c->host;
		c->t.limit = cc->timeout;
		return c;
	}
	/* libcurl's set-up is reference-counted; create runs before any collector thread. */
	c->page = true;
	if (httpc_init(&c->http, true, err, errlen) != 0) {
		snprintf(err, errlen, "[%s]: cannot initialise libcurl", cc->name);
		haproxy_destroy(c);
		return NULL;
	}
	if (cc->password_file != NULL &&
	    secret_load(cc->password_file, NULL, &c->password, err, errlen) != 0) {
		haproxy_destroy(c);
		return NULL;
	}
	c->url = xstrdup(cc->url);
	c->user = cc->user != NULL ? xstrdup(cc->user) : NULL;
	c->ca_file = cc->ca_file != NULL ? xstrdup(cc->ca_file) : NULL;
	c->o.url = c->url;
	c->o.timeout = cc->timeout;
	c->o.user = c->user;
	c->o.password = c->password;
	c->o.ca_file = c->ca_file;
	c->o.insecure = cc->insecure;
	c->o.user_agent = "vaktd/" PACKAGE_VERSION;
	return c;
}

static int haproxy_collect(void *state, struct metric_set *set, char *err, size_t errlen)
{
	struct haproxy_coll *c = state;
	struct haproxy_info in = {.curr_conns = NAN};
	struct haproxy_stat st;
	int why;

	c->t.deadline = time_monotonic() + c->timeout;
	if (c->page)
		why = probe_haproxy_http(&c->http, &c->o, &st, err, errlen);
	else
		why = probe_haproxy_socket(&c->t, &st, &in, err, errlen);
	if (why != 0)
		return -1;
	haproxy_stat_metrics(&st, set);
	if (!isnan(in.curr_conns))
		haproxy_info_metrics(&in, set);
	haproxy_stat_free(&st);
	/* Two [haproxy X] sections must not give the same series. */
	metric_set_label_missing(set, "target", c->section_name);
	return 0;
}

static void haproxy_destroy(void *state)
{
	struct haproxy_coll *c = state;

	if (c == NULL)
		return;
	httpc_free(&c->http);
	secret_free(c->password);
	free(c->url);
	free(c->user);
	free(c->ca_file);
	free(c->section_name);
	free(c);
}

/* The metric names it gives, for the check endpoint. */
static const char *const haproxy_families[] = {"haproxy_", NULL};

const struct collector_kind collect_haproxy = {.kind = "haproxy",
					       .create = haproxy_create,
					       .collect = haproxy_collect,
					       .destroy = haproxy_destroy,
					       .families = haproxy_families,
					       .name_label = "target"};
