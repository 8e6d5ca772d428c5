/*
 * [redis NAME]: a Redis broker through check_redis's probe: the server's
 * health and the depth of the queues the section names or discovers. The
 * connection is kept between collections; after a failure it is dropped
 * and made again, no sooner than a backoff that doubles up to a minute, so
 * a broker that is down costs one quick attempt now and then.
 */
#include "config.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "backoff.h"
#include "collector.h"
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
	redisContext *ctx;
	struct backoff backoff;
};

static void redis_destroy(void *state);

static void *redis_create(const struct config_collector *cc, char *err, size_t errlen)
{
	struct redis_coll *r = xcalloc(1, sizeof(*r));
	const char *space = strchr(cc->name, ' ');

	if (address_split(cc->address, r->host, sizeof(r->host), &r->target.port, err, errlen) !=
		0 ||
	    (cc->password_file != NULL &&
	     secret_load(cc->password_file, NULL, &r->password, err, errlen) != 0)) {
		redis_destroy(r);
		return NULL;
	}
	r->user = cc->user != NULL ? xstrdup(cc->user) : NULL;
	r->section_name = xstrdup(space != NULL ? space + 1 : cc->name);
	r->resque = cc->resque != NULL ? xstrdup(cc->resque) : NULL;
	r->key_prefix = cc->key_prefix != NULL ? xstrdup(cc->key_prefix) : NULL;
	r->names = xcalloc(cc->nqueues + 1, sizeof(*r->names));
	for (size_t i = 0; i < cc->nqueues; i++)
		r->names[i] = xstrdup(cc->queues[i]);
	r->target.host = r->host;
	r->target.password = r->password;
	r->target.user = r->user;
	r->target.database = cc->database;
	r->target.timeout = cc->timeout;
	r->queues.names = (const char *const *)r->names;
	r->queues.nnames = cc->nqueues;
	r->queues.target = r->section_name;
	r->queues.database = cc->database;
	r->queues.celery = cc->celery;
	r->queues.resque = r->resque;
	r->queues.key_prefix = r->key_prefix;
	/* conf.c compiled the same expression already; this cannot fail. */
	if (cc->queue_regex != NULL &&
	    regcomp(&r->regex, cc->queue_regex, REG_EXTENDED | REG_NOSUB) == 0)
		r->queues.regex = &r->regex;
	return r;
}

/* Whether the section watches any queue at all. */
static bool watches_queues(const struct redis_queues *q)
{
	return q->nnames > 0 || q->regex != NULL || q->celery || q->resque != NULL;
}

/* After a failure: drop the connection and wait before the next one. */
static int failed(struct redis_coll *r, const char *err)
{
	bool lost = r->ctx != NULL;

	if (lost) {
		redisFree(r->ctx);
		r->ctx = NULL;
	}
	return backoff_failed(&r->backoff, lost, err);
}

static int redis_collect(void *state, struct metric_set *set, char *err, size_t errlen)
{
	struct redis_coll *r = state;
	struct redis_info info;
	int why;

	if (r->ctx == NULL && backoff_waiting(&r->backoff, err, errlen))
		return -1;
	if (r->ctx == NULL) {
		r->ctx = probe_redis_connect(&r->target, &why, err, errlen);
		if (r->ctx == NULL)
			return failed(r, err);
	}
	why = probe_redis_server(r->ctx, set, &info, err, errlen);
	if (why == 0 && watches_queues(&r->queues))
		why = probe_redis_queues(r->ctx, &r->queues, set, err, errlen);
	if (why != 0)
		return failed(r, err);
	/* Two [redis X] sections must not give the same series. */
	metric_set_label_missing(set, "target", r->section_name);
	backoff_ok(&r->backoff);
	return 0;
}

static void redis_destroy(void *state)
{
	struct redis_coll *r = state;

	if (r == NULL)
		return;
	if (r->ctx != NULL)
		redisFree(r->ctx);
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
	backoff_free(&r->backoff);
	free(r);
}

/* The metric names it gives, for the check endpoint. */
static const char *const redis_families[] = {"redis_",	"queue_depth", "queue_missing",
					     "celery_", "resque_",     NULL};

const struct collector_kind collect_redis = {.kind = "redis",
					     .create = redis_create,
					     .collect = redis_collect,
					     .destroy = redis_destroy,
					     .families = redis_families,
					     .name_label = "target"};
