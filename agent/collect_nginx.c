/*
 * [nginx NAME]: nginx's stub_status page through check_nginx's probe. One
 * curl handle per section keeps its connection open between collections;
 * the password is read once, at start-up or reload. Counters stay counters
 * (a reader takes their rates); every series carries the target label.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect_http.h"
#include "collector.h"
#include "probe/nginx.h"
#include "secret.h"
#include "xalloc.h"

struct nginx_coll {
	char *url, *user, *password, *ca_file, *section_name, *host_header; /* owned */
	const char *headers[2]; /* the Host header, when asked for */
	struct httpc_opts o;
	struct httpc http;
};

/* An [nginx NAME] section. */
struct nginx_settings {
	char *url;	   /* the stub_status page */
	char *host_header; /* the Host header to send, NULL: the URL's host */
	struct conf_login login;
	struct conf_tls tls;
};

static const struct conf_key nginx_keys[] = {
    CONF_KEY("url", conf_url, struct nginx_settings, url, "http://127.0.0.1/nginx_status",
	     "the stub_status page"),
    CONF_KEY("host_header", conf_string, struct nginx_settings, host_header, NULL,
	     "the Host header to send instead of the URL's host"),
    CONF_KEYS_LOGIN(struct nginx_settings),
    CONF_KEYS_TLS(struct nginx_settings),
    {0},
};

static void nginx_destroy(void *state);

static void *nginx_create(const struct config_collector *cc, char *err, size_t errlen)
{
	const struct nginx_settings *s = cc->settings;
	struct nginx_coll *n = xcalloc(1, sizeof(*n));
	const char *space = strchr(cc->name, ' ');

	if (collect_http_start(cc, &s->login, &n->http, &n->password, err, errlen) != 0) {
		nginx_destroy(n);
		return NULL;
	}
	n->url = xstrdup(s->url);
	n->user = s->login.user != NULL ? xstrdup(s->login.user) : NULL;
	n->ca_file = s->tls.ca_file != NULL ? xstrdup(s->tls.ca_file) : NULL;
	n->section_name = xstrdup(space != NULL ? space + 1 : cc->name);
	if (s->host_header != NULL) {
		n->host_header = xasprintf("Host: %s", s->host_header);
		n->headers[0] = n->host_header;
	}
	n->o.url = n->url;
	n->o.timeout = cc->timeout;
	n->o.user = n->user;
	n->o.password = n->password;
	n->o.ca_file = n->ca_file;
	n->o.insecure = s->tls.insecure;
	n->o.user_agent = "vaktd/" PACKAGE_VERSION;
	n->o.headers = n->headers;
	return n;
}

static int nginx_collect(void *state, struct metric_set *set, char *err, size_t errlen)
{
	struct nginx_coll *n = state;

	if (probe_nginx(&n->http, &n->o, set, err, errlen) != 0)
		return -1;
	/* Two [nginx X] sections must not give the same series. */
	metric_set_label_missing(set, "target", n->section_name);
	return 0;
}

static void nginx_destroy(void *state)
{
	struct nginx_coll *n = state;

	if (n == NULL)
		return;
	httpc_free(&n->http);
	secret_free(n->password);
	free(n->url);
	free(n->user);
	free(n->ca_file);
	free(n->section_name);
	free(n->host_header);
	free(n);
}

/* The metric names it gives, for the check endpoint. */
static const char *const nginx_families[] = {"nginx_", NULL};

const struct collector_kind collect_nginx = {.kind = "nginx",
					     .section = COLLECTOR_NAMED,
					     .keys = nginx_keys,
					     .settings_size = sizeof(struct nginx_settings),
					     .create = nginx_create,
					     .collect = nginx_collect,
					     .destroy = nginx_destroy,
					     .families = nginx_families,
					     .name_label = "target"};
