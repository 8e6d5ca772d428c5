/*
 * check_redis in two files: check_redis_args.c reads the command line (the
 * option table, --help, and what the options together must make sense of)
 * into struct check_redis_opts; check_redis.c runs the check. Nothing else
 * includes this.
 */
#ifndef VAKT_CHECK_REDIS_H
#define VAKT_CHECK_REDIS_H

#include <regex.h>
#include <stdbool.h>

#include "plugin.h"
#include "probe/redis.h"

/* What the command line asks for; check_redis_args fills it. */
struct check_redis_opts {
	struct redis_target target;
	struct redis_queues queues;
	const char **names; /* --queue, the storage behind queues.names */
	regex_t regex;	    /* --queue-regex, when queues.regex points to it */
	bool require;	    /* --require-queue */
	char who[300];	    /* the target in words, the target label */
};

extern const struct plugin check_redis;

/*
 * Parse the command line into o and a, and make o's target and queue
 * request from both; exits 3 on a usage error, as plugin_start does.
 */
void check_redis_args(int argc, char **argv, struct check_redis_opts *o, struct plugin_args *a);
/* Whether o asks for any queue at all. */
bool check_redis_wants_queues(const struct check_redis_opts *o);
/* Free what check_redis_args kept in o. */
void check_redis_opts_free(struct check_redis_opts *o);

#endif
