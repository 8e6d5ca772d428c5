/*
 * [supervisor NAME]: the processes a supervisord runs, through
 * check_supervisor's probe (XML-RPC over its unix socket or its
 * inet_http_server), one connection per call as supervisord's HTTP/1.0
 * server wants. The start times seen are kept here between collections,
 * so that supervisor_process_restarts counts the starts within flap_window
 * as the plugin's state file does.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "collector.h"
#include "num.h"
#include "probe/supervisor.h"
#include "probe/supervisor_verdict.h"
#include "secret.h"
#include "xalloc.h"

/* The start times of one process, by "GROUP:NAME". */
struct starts_of {
	char *key;
	struct supervisor_starts s;
	bool seen; /* in the last collection */
};

struct supervisor_coll {
	char *socket, *url, *user, *password, *section_name;
	struct supervisor_target target;
	long flap, flap_window;
	struct starts_of *starts;
	size_t nstarts;
};

/* A [supervisor NAME] section. */
struct supervisor_settings {
	char *socket; /* unix socket path; default when neither it nor url is given */
	char *url;    /* http://HOST:PORT/RPC2 */
	struct conf_login login;
	long flap;	  /* 0: the default, 3 */
	long flap_window; /* minutes; 0: the default, 10 */
};

/* A whole number of 1 to 1440 (flap_window's minutes) or 1 to 63 (flap). */
static int count_set(struct conf_ctx *ctx, const char *key, const char *value, void *field)
{
	long max = strcmp(key, "flap") == 0 ? SUPERVISOR_STARTS_MAX - 1 : 24 * 60;

	if (num_parse_long(value, 1, max, field) == 0)
		return 0;
	conf_error(ctx, "invalid %s '%s' (expected a number from 1 to %ld)", key, value, max);
	return -1;
}

static const char *count_show(const void *field, char *out, size_t outlen)
{
	snprintf(out, outlen, "%ld", *(const long *)field);
	return out;
}

static const struct conf_type count_type = {NULL, count_set, NULL, count_show};

static const struct conf_key supervisor_keys[] = {
    CONF_KEY("socket", conf_string, struct supervisor_settings, socket, SUPERVISOR_SOCKET,
	     "supervisord's unix socket (its [unix_http_server] file=)"),
    CONF_KEY("url", conf_url, struct supervisor_settings, url, NULL,
	     "supervisord's [inet_http_server] instead, http://HOST:PORT/RPC2"),
    CONF_KEYS_LOGIN(struct supervisor_settings),
    CONF_KEY("flap", count_type, struct supervisor_settings, flap, "3",
	     "the starts within flap_window the check endpoint's --flap warns above by default"),
    CONF_KEY("flap_window", count_type, struct supervisor_settings, flap_window, "10",
	     "the minutes over which restarts are counted"),
    {0},
};

/* socket and url exclude each other; a url is plain http. */
static void supervisor_finish(struct conf_ctx *ctx, void *settings, const char *name)
{
	struct supervisor_settings *s = settings;
	unsigned url = conf_key_line(ctx, "url");

	(void)name;
	if (s->url != NULL && conf_key_line(ctx, "socket") != 0)
		conf_error_at(ctx, url, "socket and url exclude each other");
	else if (s->url != NULL && strncmp(s->url, "http://", 7) != 0)
		conf_error_at(ctx, url, "supervisord serves only http:// URLs");
	else if (s->url == NULL && s->socket != NULL && s->socket[0] != '/')
		conf_error_at(ctx, conf_key_line(ctx, "socket"), "socket must be an absolute path");
}

static void supervisor_destroy(void *state);

static void *supervisor_create(const struct config_collector *cc, char *err, size_t errlen)
{
	const struct supervisor_settings *s = cc->settings;
	struct supervisor_coll *c = xcalloc(1, sizeof(*c));
	const char *space = strchr(cc->name, ' ');

	if (s->login.password_file != NULL &&
	    secret_load(s->login.password_file, NULL, &c->password, err, errlen) != 0) {
		supervisor_destroy(c);
		return NULL;
	}
	c->url = s->url != NULL ? xstrdup(s->url) : NULL;
	c->socket =
	    c->url == NULL ? xstrdup(s->socket != NULL ? s->socket : SUPERVISOR_SOCKET) : NULL;
	c->user = s->login.user != NULL ? xstrdup(s->login.user) : NULL;
	c->section_name = xstrdup(space != NULL ? space + 1 : cc->name);
	c->target.socket = c->socket;
	c->target.url = c->url;
	c->target.user = c->user;
	c->target.password = c->password;
	c->target.timeout = cc->timeout;
	c->flap = s->flap > 0 ? s->flap : 3;
	c->flap_window = s->flap_window > 0 ? s->flap_window : 10;
	return c;
}

/* The start times kept for key, made when there are none. */
static struct starts_of *starts_for(struct supervisor_coll *c, const char *key)
{
	for (size_t i = 0; i < c->nstarts; i++)
		if (strcmp(c->starts[i].key, key) == 0)
			return &c->starts[i];
	c->starts = xgrow(c->starts, c->nstarts, sizeof(*c->starts));
	memset(&c->starts[c->nstarts], 0, sizeof(c->starts[0]));
	c->starts[c->nstarts].key = xstrdup(key);
	return &c->starts[c->nstarts++];
}

/* Forget the processes the last collection did not see (removed programs). */
static void forget_unseen(struct supervisor_coll *c)
{
	size_t j = 0;

	for (size_t i = 0; i < c->nstarts; i++) {
		if (c->starts[i].seen) {
			c->starts[i].seen = false;
			c->starts[j++] = c->starts[i];
		} else {
			free(c->starts[i].key);
		}
	}
	c->nstarts = j;
}

/* supervisor_process_restarts for every process of set, from the start times kept. */
static void restarts(struct supervisor_coll *c, struct metric_set *set)
{
	double window = 60.0 * (double)c->flap_window, now = time_now();
	size_t n = metric_set_count(set);

	for (size_t i = 0; i < n; i++) {
		const struct metric *m = metric_set_at(set, i);
		struct starts_of *s;
		char *key;

		if (strcmp(m->name, "supervisor_process_start_time_seconds") != 0)
			continue;
		key = xasprintf("%s:%s", metric_label(m, "group"), metric_label(m, "name"));
		s = starts_for(c, key);
		free(key);
		s->seen = true;
		supervisor_starts_see(&s->s, isnan(m->value) ? 0 : m->value, now, window,
				      (size_t)c->flap + 1);
		supervisor_restarts(set, m, s->s.n, window);
	}
	forget_unseen(c);
}

static int supervisor_collect(void *state, struct metric_set *set, char *err, size_t errlen)
{
	struct supervisor_coll *c = state;

	if (probe_supervisor(&c->target, set, err, errlen) != 0)
		return -1;
	restarts(c, set);
	/* Two [supervisor X] sections must not give the same series. */
	metric_set_label_missing(set, "target", c->section_name);
	return 0;
}

static void supervisor_destroy(void *state)
{
	struct supervisor_coll *c = state;

	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nstarts; i++)
		free(c->starts[i].key);
	free(c->starts);
	secret_free(c->password);
	free(c->socket);
	free(c->url);
	free(c->user);
	free(c->section_name);
	free(c);
}

/* The metric names it gives, for the check endpoint. */
static const char *const supervisor_families[] = {"supervisor_", NULL};

const struct collector_kind collect_supervisor = {.kind = "supervisor",
						  .section = COLLECTOR_NAMED,
						  .keys = supervisor_keys,
						  .settings_size =
						      sizeof(struct supervisor_settings),
						  .finish = supervisor_finish,
						  .create = supervisor_create,
						  .collect = supervisor_collect,
						  .destroy = supervisor_destroy,
						  .families = supervisor_families,
						  .name_label = "target"};
