/*
 * check_redis's verdict (verdict_redis in verdict.h): a Redis server as a
 * job broker, judged from the metrics of lib/probe/redis.c and
 * redis_info.c. What the options ask the probe to measure is here too, so
 * check_redis builds its probe's request from them.
 */
#ifndef VAKT_PROBE_REDIS_VERDICT_H
#define VAKT_PROBE_REDIS_VERDICT_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

struct redis_opts {
	long database;	    /* --database */
	const char **names; /* --queue */
	size_t nnames;
	regex_t regex; /* --queue-regex, when has_regex */
	bool has_regex;
	bool celery;		/* --celery */
	const char *resque;	/* --resque's namespace, NULL: none */
	const char *key_prefix; /* --key-prefix */
	bool require;		/* --require-queue */
	long scan_limit;	/* --scan-limit, 0: the probe's default */
	bool tls;		/* --tls */
	const char *ca_file;	/* --ca-file */
	bool insecure;		/* --insecure */
};

/* Whether o asks for any queue at all. */
bool redis_opts_wants_queues(const struct redis_opts *o);

#endif
