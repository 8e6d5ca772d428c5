/*
 * [redis NAME]: a Redis broker through check_redis's probe: the server's
 * health and the depth of the queues the section names or discovers. The
 * connection is kept between collections; after a failure it is dropped
 * and made again, no sooner than a backoff that doubles up to a minute, so
 * a broker that is down costs one quick attempt now and then.
 */
#include "config.h"

#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "backoff.h"
#include "clock.h"
#include "collector.h"
#include "drain.h"
#include "num.h"
#include "probe/redis.h"
#include "secret.h"
#include "xalloc.h"

struct redis_coll {
	char host[256];
	/* owned copies, which target and queues point to */
	char *user, *password, *section_name, *resque, *key_prefix, **names;
	struct redis_target target;
	struct redis_queues queues;
	regex_t regex;
	struct backoff_conn link;  /* a redisContext * */
	struct drain_memory drain; /* the queues of the last collection */
};

/* A [redis NAME] section. */
struct redis_settings {
	char *address; /* HOST:PORT, [V6]:PORT or /unix/socket */
	long database;
	struct conf_login login;
	struct conf_queues queues;
	bool celery;	  /* also every queue Celery has bound */
	char *resque;	  /* Resque namespace to discover queues in, NULL: none */
	char *key_prefix; /* prefix of every key (Celery's global_keyprefix) */
};

/* A database number; [mysql] and [postgresql] database is a name. */
static int database_set(struct conf_ctx *ctx, const char *key, const char *value, void *field)
{
	if (num_parse_long(value, 0, INT_MAX, field) == 0)
		return 0;
	conf_error(ctx, "invalid %s '%s' (expected a database number)", key, value);
	return -1;
}

static const char *database_show(const void *field, char *out, size_t outlen)
{
	snprintf(out, outlen, "%ld", *(const long *)field);
	return out;
}

static const struct conf_type database_type = {NULL, database_set, NULL, database_show};

static const struct conf_key redis_keys[] = {
    CONF_KEY("address", conf_address, struct redis_settings, address, "127.0.0.1:6379",
	     "the server: HOST:PORT, [IPV6]:PORT or a socket's path"),
    CONF_KEY("database", database_type, struct redis_settings, database, NULL,
	     "the database number the queues are in"),
    CONF_KEYS_LOGIN(struct redis_settings),
    CONF_KEYS_QUEUES(struct redis_settings),
    CONF_KEY("celery", conf_bool, struct redis_settings, celery, NULL,
	     "yes: also watch every queue Celery has bound"),
    CONF_KEY("resque", conf_string, struct redis_settings, resque, NULL,
	     "the Resque namespace to find queues in"),
    CONF_KEY("key_prefix", conf_string, struct redis_settings, key_prefix, NULL,
	     "the prefix of every key (Celery's global_keyprefix)"),
    {0},
};

static void redis_destroy(void *state);

static void *redis_connect(void *state, char *err, size_t errlen)
{
	struct redis_coll *r = state;
	int why;

	return probe_redis_connect(&r->target, &why, err, errlen);
}

static void redis_close(void *ctx)
{
	redisFree(ctx);
}

static void *redis_create(const struct config_collector *cc, char *err, size_t errlen)
{
	const struct redis_settings *s = cc->settings;
	struct redis_coll *r = xcalloc(1, sizeof(*r));
	const char *space = strchr(cc->name, ' ');

	if (address_split(s->address, r->host, sizeof(r->host), &r->target.port, err, errlen) !=
		0 ||
	    (s->login.password_file != NULL &&
	     secret_load(s->login.password_file, NULL, &r->password, err, errlen) != 0)) {
		redis_destroy(r);
		return NULL;
	}
	r->user = s->login.user != NULL ? xstrdup(s->login.user) : NULL;
	r->section_name = xstrdup(space != NULL ? space + 1 : cc->name);
	r->resque = s->resque != NULL ? xstrdup(s->resque) : NULL;
	r->key_prefix = s->key_prefix != NULL ? xstrdup(s->key_prefix) : NULL;
	r->names = xcalloc(s->queues.names.n + 1, sizeof(*r->names));
	for (size_t i = 0; i < s->queues.names.n; i++)
		r->names[i] = xstrdup(s->queues.names.v[i]);
	r->target.host = r->host;
	r->target.password = r->password;
	r->target.user = r->user;
	r->target.database = s->database;
	r->target.timeout = cc->timeout;
	r->queues.names = (const char *const *)r->names;
	r->queues.nnames = s->queues.names.n;
	r->queues.target = r->section_name;
	r->queues.database = s->database;
	r->queues.celery = s->celery;
	r->queues.resque = r->resque;
	r->queues.key_prefix = r->key_prefix;
	/* conf.c compiled the same expression already; this cannot fail. */
	if (s->queues.regex != NULL &&
	    regcomp(&r->regex, s->queues.regex, REG_EXTENDED | REG_NOSUB) == 0)
		r->queues.regex = &r->regex;
	r->link.connect = redis_connect;
	r->link.close = redis_close;
	return r;
}

/* Whether the section watches any queue at all. */
static bool watches_queues(const struct redis_queues *q)
{
	return q->nnames > 0 || q->regex != NULL || q->celery || q->resque != NULL;
}

static int redis_collect(void *state, struct metric_set *set, char *err, size_t errlen)
{
	struct redis_coll *r = state;
	redisContext *ctx = backoff_conn_get(&r->link, r, err, errlen);
	struct redis_info info;
	int why;

	if (ctx == NULL)
		return -1;
	why = probe_redis_server(ctx, set, &info, err, errlen);
	if (why == 0 && watches_queues(&r->queues))
		why = probe_redis_queues(ctx, &r->queues, set, err, errlen);
	if (why != 0)
		return backoff_conn_failed(&r->link, err);
	/* Two [redis X] sections must not give the same series. */
	metric_set_label_missing(set, "target", r->section_name);
	drain_remember(&r->drain, set, time_now());
	backoff_ok(&r->link.backoff);
	return 0;
}

static void redis_destroy(void *state)
{
	struct redis_coll *r = state;

	if (r == NULL)
		return;
	backoff_conn_free(&r->link);
	drain_memory_free(&r->drain);
	secret_free(r->password);
	free(r->user);
	for (size_t i = 0; r->names != NULL && r->names[i] != NULL; i++)
		free(r->names[i]);
	free(r->names);
	if (r->queues.regex != NULL)
		regfree(&r->regex);
	free(r->section_name);
	free(r->resque);
	free(r->key_prefix);
	free(r);
}

/* The metric names it gives, for the check endpoint. */
static const char *const redis_families[] = {
    "redis_",		"queue_depth", "queue_missing", "queue_not_draining_seconds",
    "queue_drain_rate", "celery_",     "resque_",	NULL};

const struct collector_kind collect_redis = {.kind = "redis",
					     .section = COLLECTOR_NAMED,
					     .keys = redis_keys,
					     .settings_size = sizeof(struct redis_settings),
					     .create = redis_create,
					     .collect = redis_collect,
					     .destroy = redis_destroy,
					     .families = redis_families,
					     .name_label = "target"};
