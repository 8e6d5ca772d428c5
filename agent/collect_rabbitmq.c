/*
 * [rabbitmq NAME]: a RabbitMQ broker through check_rabbitmq's probe: the
 * queues of one vhost (the named ones, those a regex matches, or all of
 * them up to QUEUES_MAX), the overview, every node and the server's health
 * checks. One curl handle is
 * kept per section, so its connection to the API stays open between
 * collections; the password is read once, at start-up or reload.
 */
#include "config.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "collect_http.h"
#include "collector.h"
#include "drain.h"
#include "probe/rabbitmq.h"
#include "secret.h"
#include "xalloc.h"

/* Queues watched at most when the section names none: a vhost can hold tens of thousands. */
#define QUEUES_MAX 1000

struct rabbitmq_coll {
	/* owned copies, which target points to */
	char *url, *user, *password, *ca_file, *vhost, *section_name, *regex_text, **names;
	size_t nnames;
	regex_t regex;
	bool has_regex;
	double timeout;
	struct rabbitmq_target target;
	struct httpc http;
	struct drain_memory drain; /* the queues of the last collection */
};

/* A [rabbitmq NAME] section. */
struct rabbitmq_settings {
	char *url; /* the management API's base */
	struct conf_login login;
	char *vhost;
	struct conf_queues queues;
	struct conf_tls tls;
};

static const struct conf_key rabbitmq_keys[] = {
    CONF_KEY("url", conf_url, struct rabbitmq_settings, url, "http://127.0.0.1:15672",
	     "the management API's base URL"),
    CONF_KEYS_LOGIN(struct rabbitmq_settings),
    CONF_KEY("vhost", conf_string, struct rabbitmq_settings, vhost, "/",
	     "the virtual host whose queues are watched"),
    CONF_KEYS_QUEUES(struct rabbitmq_settings),
    CONF_KEYS_TLS(struct rabbitmq_settings),
    {0},
};

static void rabbitmq_destroy(void *state);

static char *dup_or(const char *s, const char *otherwise)
{
	return s != NULL ? xstrdup(s) : otherwise != NULL ? xstrdup(otherwise) : NULL;
}

static void *rabbitmq_create(const struct config_collector *cc, char *err, size_t errlen)
{
	const struct rabbitmq_settings *s = cc->settings;
	struct rabbitmq_coll *r = xcalloc(1, sizeof(*r));
	const char *space = strchr(cc->name, ' ');

	if (collect_http_start(cc, &s->login, &r->http, &r->password, err, errlen) != 0) {
		rabbitmq_destroy(r);
		return NULL;
	}
	/* RabbitMQ's default account, which logs in from loopback only. */
	if (r->password == NULL && s->login.user == NULL)
		r->password = xstrdup("guest");
	r->url = dup_or(s->url, NULL);
	r->user = dup_or(s->login.user, "guest");
	r->ca_file = dup_or(s->tls.ca_file, NULL);
	r->vhost = dup_or(s->vhost, NULL);
	r->section_name = xstrdup(space != NULL ? space + 1 : cc->name);
	r->names = xcalloc(s->queues.names.n + 1, sizeof(*r->names));
	for (size_t i = 0; i < s->queues.names.n; i++)
		r->names[i] = xstrdup(s->queues.names.v[i]);
	r->nnames = s->queues.names.n;
	/* conf.c compiled the same expression already; this cannot fail. */
	r->has_regex = s->queues.regex != NULL &&
		       regcomp(&r->regex, s->queues.regex, REG_EXTENDED | REG_NOSUB) == 0;
	r->regex_text = r->has_regex ? xstrdup(s->queues.regex) : NULL;
	r->timeout = cc->timeout;
	r->target.url = r->url;
	r->target.user = r->user;
	r->target.password = r->password != NULL ? r->password : "";
	r->target.ca_file = r->ca_file;
	r->target.insecure = s->tls.insecure;
	r->target.user_agent = "vaktd/" PACKAGE_VERSION;
	return r;
}

/* The section's queues into qs: named ones (a missing one is left out), or matched, or all. */
static int collect_queues(struct rabbitmq_coll *r, struct rabbitmq_queues *qs, char *err,
			  size_t errlen)
{
	int why = 0;

	for (size_t i = 0; i < r->nnames && why == 0; i++) {
		why = probe_rabbitmq_queue(&r->http, &r->target, r->vhost, r->names[i], qs, err,
					   errlen);
		/* A queue that does not exist has no series; the check endpoint says so. */
		if (why == FAIL_NOT_FOUND)
			why = 0;
	}
	if (why == 0 && (r->has_regex || r->nnames == 0))
		why = probe_rabbitmq_queues(&r->http, &r->target, r->vhost,
					    r->has_regex ? &r->regex : NULL, r->regex_text,
					    QUEUES_MAX, qs, err, errlen);
	return why;
}

static int rabbitmq_collect(void *state, struct metric_set *set, char *err, size_t errlen)
{
	struct rabbitmq_coll *r = state;
	struct rabbitmq_queues qs = {0};
	struct rabbitmq_nodes ns = {0};
	struct rabbitmq_overview ov;
	int why;

	/* Every request of this collection shares the section's timeout. */
	r->target.deadline = time_monotonic() + r->timeout;
	r->target.limit = r->timeout;
	why = collect_queues(r, &qs, err, errlen);
	if (why == 0)
		why = probe_rabbitmq_overview(&r->http, &r->target, &ov, err, errlen);
	if (why == 0)
		why = probe_rabbitmq_nodes(&r->http, &r->target, NULL, &ns, err, errlen);
	if (why == 0) {
		rabbitmq_queues_metrics(&qs, r->section_name, set);
		rabbitmq_overview_metrics(&ov, r->section_name, set);
		rabbitmq_nodes_metrics(&ns, r->section_name, set);
		drain_remember(&r->drain, set, time_now());
		/*
		 * For the check endpoint's --mode health, as check_rabbitmq runs
		 * them. When they cannot be run (a login without the rights, say)
		 * the set says so (rabbitmq_health_error), and the rest stands.
		 */
		probe_rabbitmq_health_all(&r->http, &r->target, r->vhost, ov.version,
					  r->section_name, set, err, errlen);
	}
	rabbitmq_queues_free(&qs);
	rabbitmq_nodes_free(&ns);
	return why == 0 ? 0 : -1;
}

static void rabbitmq_destroy(void *state)
{
	struct rabbitmq_coll *r = state;

	if (r == NULL)
		return;
	httpc_free(&r->http);
	drain_memory_free(&r->drain);
	secret_free(r->password);
	free(r->url);
	free(r->user);
	free(r->ca_file);
	free(r->vhost);
	free(r->section_name);
	free(r->regex_text);
	for (size_t i = 0; r->names != NULL && i < r->nnames; i++)
		free(r->names[i]);
	free(r->names);
	if (r->has_regex)
		regfree(&r->regex);
	free(r);
}

/* The metric names it gives, for the check endpoint. */
static const char *const rabbitmq_families[] = {"rabbitmq_", "queue_", NULL};

const struct collector_kind collect_rabbitmq = {.kind = "rabbitmq",
						.section = COLLECTOR_NAMED,
						.keys = rabbitmq_keys,
						.settings_size = sizeof(struct rabbitmq_settings),
						.create = rabbitmq_create,
						.collect = rabbitmq_collect,
						.destroy = rabbitmq_destroy,
						.families = rabbitmq_families,
						.name_label = "target"};
