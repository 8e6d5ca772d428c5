/*
 * The Redis probe, over hiredis: connect (TCP or unix socket, password or
 * ACL user, database, TLS where hiredis has it), the server's health from
 * PING and INFO, and the depth of job queues kept in Redis by Celery,
 * Resque or anything that uses plain keys.
 *
 * Queue depth never uses KEYS: named queues cost two pipelined round trips
 * in all; discovery (a regular expression, Celery's bindings, Resque's queue
 * set) walks a bounded SCAN/SSCAN. Every answer is read under a size cap.
 *
 * Metrics besides those of redis_info.h: redis_ping (s); per queue
 * queue_depth, labelled broker="redis", target, vhost="dbN", queue, and for
 * a queue asked for by name queue_missing (1 when its key does not exist);
 * redis_key_not_queue (1, labelled queue and type) for a named key of a
 * type that is no queue; with the same labels but queue, celery_unacked
 * (tasks delivered but not acknowledged, when Celery's hash exists),
 * resque_failed and resque_workers, while tasks are unacknowledged
 * celery_oldest_unacked_age_seconds (s since the oldest was delivered to a
 * worker) and celery_oldest_unacked_task (1, labelled task and task_id,
 * cleaned as output is), and what limited or defeated the
 * search, each 1/0: redis_queues_cut (more than 1000 queues, the rest left
 * out), redis_scan_cut (discovery stopped at its scan limit; with
 * discovery), celery_unbound (no Celery bindings; with celery) and
 * resque_empty (labelled namespace: its queue set is empty; with resque).
 */
#ifndef VAKT_PROBE_REDIS_H
#define VAKT_PROBE_REDIS_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include <hiredis/hiredis.h>

#include "fail.h"
#include "metric.h"
#include "probe/redis_info.h"

#define PROBE_REDIS_PORT 6379
/* The largest answer read from the server, in bytes. */
#define PROBE_REDIS_MAX_REPLY (16 * 1024 * 1024)
/* Keys a discovery SCAN visits at most, unless told otherwise. */
#define PROBE_REDIS_SCAN_LIMIT 100000

struct redis_target {
	const char *host;     /* name, IPv4/IPv6 literal, or an absolute unix socket path */
	long port;	      /* 0: PROBE_REDIS_PORT */
	const char *user;     /* ACL user, NULL: the default user */
	const char *password; /* NULL: no AUTH */
	long database;	      /* SELECT this unless 0 */
	double timeout;	      /* seconds for the connection and for each answer */
	bool tls;	      /* only with HAVE_HIREDIS_SSL */
	const char *ca_file;  /* TLS: CA bundle, NULL: the system's */
	bool insecure;	      /* TLS: do not verify the server */
};

/* Which queues to measure. */
struct redis_queues {
	const char *const *names; /* queue names (without the key prefix) */
	size_t nnames;
	const regex_t *regex;	/* also every queue whose name matches, NULL: none */
	bool celery;		/* also every queue in Celery's (kombu's) bindings */
	const char *resque;	/* Resque namespace to report, NULL: none */
	const char *key_prefix; /* prefix of every Celery key (global_keyprefix), NULL */
	long scan_limit;	/* keys discovery may visit; 0: PROBE_REDIS_SCAN_LIMIT */
	const char *target;	/* the target label */
	long database;		/* for the vhost label */
};

/* A short description of target for messages: "HOST:PORT" or the socket path. */
void probe_redis_describe(const struct redis_target *t, char *out, size_t outlen);
/*
 * Connect, authenticate and select the database. Returns the context, or
 * NULL with *why set to an enum fail and the reason in err.
 */
redisContext *probe_redis_connect(const struct redis_target *t, int *why, char *err, size_t errlen);
/*
 * PING (its round trip becomes redis_ping) and INFO, parsed into *info and
 * added to set. Returns 0 or an enum fail with err.
 */
int probe_redis_server(redisContext *c, struct metric_set *set, struct redis_info *info, char *err,
		       size_t errlen);
/*
 * Measure the queues q names or discovers into set, with what is wrong
 * with them (see above). Returns 0 or an enum fail with err.
 */
int probe_redis_queues(redisContext *c, const struct redis_queues *q, struct metric_set *set,
		       char *err, size_t errlen);

#endif
