/*
 * [haproxy NAME]: HAProxy through check_haproxy's probe, from its stats
 * socket (show info and show stat; a new connection each time, as HAProxy
 * closes it after answering) or from its stats page's CSV (one curl handle
 * per section, its connection kept open). Server state is a labelled gauge
 * (haproxy_up, haproxy_state, and haproxy_status with the status words,
 * check and reason the haproxy check judges), 5xx responses a counter;
 * every series carries the target label.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "clock.h"
#include "collect_http.h"
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

/* A [haproxy NAME] section: the stats socket, or the stats page when url is given. */
struct haproxy_settings {
	char *address; /* the stats socket's path or HOST:PORT */
	char *url;     /* the stats page ending in ;csv */
	struct conf_login login;
	struct conf_tls tls;
};

static const struct conf_key haproxy_keys[] = {
    CONF_KEY("address", conf_address, struct haproxy_settings, address, NULL,
	     "the stats socket: its path or HOST:PORT (default /run/haproxy/admin.sock)"),
    CONF_KEY("url", conf_url, struct haproxy_settings, url, NULL,
	     "the stats page's CSV, instead of the socket"),
    CONF_KEYS_LOGIN(struct haproxy_settings),
    CONF_KEYS_TLS(struct haproxy_settings),
    {0},
};

/* One of the socket and the page; the socket by default. */
static void haproxy_finish(struct conf_ctx *ctx, void *settings, const char *name)
{
	struct haproxy_settings *s = settings;
	unsigned a = conf_key_line(ctx, "address"), u = conf_key_line(ctx, "url");

	(void)name;
	if (s->address != NULL && s->url != NULL)
		conf_error_at(ctx, a > u ? a : u, "give address or url, not both");
	if (s->address == NULL && s->url == NULL)
		s->address = xstrdup("/run/haproxy/admin.sock");
}

static void haproxy_destroy(void *state);

static void *haproxy_create(const struct config_collector *cc, char *err, size_t errlen)
{
	const struct haproxy_settings *s = cc->settings;
	struct haproxy_coll *c = xcalloc(1, sizeof(*c));
	const char *space = strchr(cc->name, ' ');

	c->section_name = xstrdup(space != NULL ? space + 1 : cc->name);
	c->timeout = cc->timeout;
	if (s->url == NULL) {
		if (address_split(s->address, c->host, sizeof(c->host), &c->t.port, err, errlen) !=
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
	c->page = true;
	if (collect_http_start(cc, &s->login, &c->http, &c->password, err, errlen) != 0) {
		haproxy_destroy(c);
		return NULL;
	}
	c->url = xstrdup(s->url);
	c->user = s->login.user != NULL ? xstrdup(s->login.user) : NULL;
	c->ca_file = s->tls.ca_file != NULL ? xstrdup(s->tls.ca_file) : NULL;
	c->o.url = c->url;
	c->o.timeout = cc->timeout;
	c->o.user = c->user;
	c->o.password = c->password;
	c->o.ca_file = c->ca_file;
	c->o.insecure = s->tls.insecure;
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
					       .section = COLLECTOR_NAMED,
					       .keys = haproxy_keys,
					       .settings_size = sizeof(struct haproxy_settings),
					       .finish = haproxy_finish,
					       .create = haproxy_create,
					       .collect = haproxy_collect,
					       .destroy = haproxy_destroy,
					       .families = haproxy_families,
					       .name_label = "target"};
