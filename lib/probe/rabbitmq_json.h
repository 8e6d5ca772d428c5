/*
 * Parsers for the answers of RabbitMQ's management HTTP API: bytes of JSON
 * in, structs and metrics out, no I/O, no clock (the caller passes the
 * time). lib/probe/rabbitmq.c fetches the answers; check_rabbitmq, the
 * agent and the fuzz target call these on what it got.
 *
 * Every parser checks the shape it needs (an answer that is HTML, another
 * service's JSON or a truncated body is refused with -1 and a reason), reads
 * at most RABBITMQ_JSON_DEPTH levels of nesting, and treats a field the
 * server left out (management statistics not collected yet, a field a
 * version dropped) as unknown: NAN, reported as U, never as 0.
 *
 * Metrics, with labels broker="rabbitmq" and target on all of them:
 *   per queue (+ vhost, queue): queue_depth, queue_ready, queue_unacked,
 *     queue_consumers, queue_idle (s), queue_running (1/0),
 *     queue_publish_rate, queue_deliver_rate, queue_ack_rate (per second),
 *     queue_stalled (s, how long messages have waited in a queue whose
 *     consumers take none: see rabbitmq_queue_stuck), queue_oldest_age_seconds
 *     (s, where the first message carries a timestamp), queue_info (1, + type
 *     and state, the server's words), and for a queue asked for by name
 *     queue_missing (1 when the server does not have it, else 0)
 *   the listing of a vhost (+ vhost, and match: its regular expression
 *     when it had one): rabbitmq_queues_listed, the queues it found
 *   overview: rabbitmq_messages, rabbitmq_messages_ready,
 *     rabbitmq_messages_unacked, rabbitmq_publish_rate, rabbitmq_deliver_rate,
 *     rabbitmq_ack_rate, rabbitmq_connections, rabbitmq_channels,
 *     rabbitmq_queues, rabbitmq_consumers, rabbitmq_build_info (1, + version)
 *   per node (+ node): rabbitmq_running, rabbitmq_mem_alarm,
 *     rabbitmq_disk_free_alarm, rabbitmq_mem_used (B), rabbitmq_mem_limit (B),
 *     rabbitmq_mem_pct (%), rabbitmq_disk_free (B), rabbitmq_fds_used,
 *     rabbitmq_fds_total, rabbitmq_fds_pct, rabbitmq_sockets_used,
 *     rabbitmq_sockets_total, rabbitmq_sockets_pct, rabbitmq_procs_used,
 *     rabbitmq_procs_total, rabbitmq_procs_pct
 *   per health check (+ check, its path below /api, and reason when it
 *     failed): rabbitmq_health_ok (1 passed, 0 failed, NAN: the server has
 *     no such check); when they could not be run (+ reason, the error):
 *     rabbitmq_health_error, the failure as lib/fail.h numbers it
 */
#ifndef VAKT_PROBE_RABBITMQ_JSON_H
#define VAKT_PROBE_RABBITMQ_JSON_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "metric.h"

/* Nesting deeper than any answer of the API has is refused. */
#define RABBITMQ_JSON_DEPTH 16

/* One queue as /api/queues gives it. */
struct rabbitmq_queue {
	char *vhost;
	char *name;
	char *type;   /* "classic", "quorum", "stream"; "" when not said */
	char *state;  /* "running", "idle", "flow", "down", ...; "" when not said */
	bool running; /* state is one in which the queue delivers */
	double messages, ready, unacked, consumers;
	double idle; /* seconds since idle_since, 0 when not idle */
	/*
	 * Seconds since the first message was published, from
	 * head_message_timestamp (its AMQP timestamp property); NAN when the
	 * server gave none: an empty queue, a message without the property
	 * (Celery sets none), a queue type that does not tell.
	 */
	double oldest_age;
	double publish, deliver, ack; /* per second */
	/*
	 * Seconds for which nothing was delivered or acknowledged while the
	 * queue is stuck (rabbitmq_queue_stuck), at least RABBITMQ_STALL_WINDOW
	 * when it has been longer; 0 when it is not stuck; NAN when unknown.
	 * Set by the probe (rabbitmq_stall_parse), 0 after parsing a queue.
	 */
	double stalled;
	bool named; /* asked for by name (probe_rabbitmq_queue), not found by a listing */
};

/* A queue asked for by name that the server does not have. */
struct rabbitmq_missing {
	char *vhost, *name;
};

/* Queues parsed so far; parsing appends. */
struct rabbitmq_queues {
	struct rabbitmq_queue *v;
	size_t n;
	bool cut;			  /* more queues matched than max: the rest were left out */
	struct rabbitmq_missing *missing; /* probe_rabbitmq_queue's FAIL_NOT_FOUND */
	size_t nmissing;
	/* The last listing (probe_rabbitmq_queues): its vhost (NULL: none), regex (NULL: none) */
	char *listed_vhost, *listed_match;
	size_t nlisted; /* the queues it added */
};

struct rabbitmq_overview {
	char version[32]; /* rabbitmq_version, "3.10.8" */
	double messages, ready, unacked;
	double publish, deliver, ack;
	double connections, channels, queues, consumers;
};

struct rabbitmq_node {
	char *name;
	bool running;
	double mem_alarm, disk_free_alarm; /* 1/0, NAN when not said (a stopped node) */
	double mem_used, mem_limit, disk_free, disk_free_limit;
	double fds_used, fds_total, sockets_used, sockets_total, procs_used, procs_total;
};

struct rabbitmq_nodes {
	struct rabbitmq_node *v;
	size_t n;
};

/*
 * Whether q looks stuck now: messages ready, consumers attached, and none
 * of them got or acknowledged a message in the last statistics interval
 * (the classic stall: a consumer holds its whole prefetch unacknowledged
 * and acknowledges nothing). False when the server gave no rates.
 */
bool rabbitmq_queue_stuck(const struct rabbitmq_queue *q);

/* How far back the probe looks for the last delivery or acknowledgement, and in what steps. */
#define RABBITMQ_STALL_WINDOW 600
#define RABBITMQ_STALL_STEP 5
/*
 * Parse one queue object asked for with the columns
 * message_stats.deliver_get_details.samples and
 * message_stats.ack_details.samples (and msg_rates_age, msg_rates_incr):
 * *seconds gets the time from the last change in deliveries plus
 * acknowledgements to the newest sample, in the server's clock, at most
 * RABBITMQ_STALL_WINDOW. 0, or -1 with err.
 */
int rabbitmq_stall_parse(const char *json, size_t len, double *seconds, char *err, size_t errlen);

/* The queue the management API's aliveness test declares in each vhost it tests. */
#define RABBITMQ_ALIVENESS_QUEUE "aliveness-test"

/*
 * Parse a queue object or an array of them (from /api/queues/VHOST or
 * /api/queues/VHOST/NAME, with or without columns=) and append to out those
 * whose name match accepts (every one when match is NULL), at most max of
 * them in out (0: no limit). In an array (a listing), the aliveness test's
 * own queue is left out: it is ours, not the user's. now is the current time (seconds since the
 * epoch) for queue_idle. Returns how many were appended, or -1 with err.
 */
int rabbitmq_queues_parse(const char *json, size_t len, const regex_t *match, size_t max,
			  double now, struct rabbitmq_queues *out, char *err, size_t errlen);
/* Note in q that the queue name of vhost, asked for by name, does not exist. */
void rabbitmq_queues_missing(struct rabbitmq_queues *q, const char *vhost, const char *name);
/* Note in q a listing of vhost, by the regular expression match (NULL: none), that added n. */
void rabbitmq_queues_listed(struct rabbitmq_queues *q, const char *vhost, const char *match,
			    size_t n);
/* Add the metrics of every queue in q, and of what is missing and listed, to set. */
void rabbitmq_queues_metrics(const struct rabbitmq_queues *q, const char *target,
			     struct metric_set *set);
/* The queue called name in vhost, or NULL. */
const struct rabbitmq_queue *rabbitmq_queues_find(const struct rabbitmq_queues *q,
						  const char *vhost, const char *name);
void rabbitmq_queues_free(struct rabbitmq_queues *q);

/* Parse /api/overview into out; 0, or -1 with err. */
int rabbitmq_overview_parse(const char *json, size_t len, struct rabbitmq_overview *out, char *err,
			    size_t errlen);
void rabbitmq_overview_metrics(const struct rabbitmq_overview *o, const char *target,
			       struct metric_set *set);

/*
 * Parse /api/nodes (an array) or /api/nodes/NAME (one object), appending to
 * out; 0, or -1 with err.
 */
int rabbitmq_nodes_parse(const char *json, size_t len, struct rabbitmq_nodes *out, char *err,
			 size_t errlen);
void rabbitmq_nodes_metrics(const struct rabbitmq_nodes *n, const char *target,
			    struct metric_set *set);
void rabbitmq_nodes_free(struct rabbitmq_nodes *n);

/*
 * Add the metric of the health check at path (below /api): rc 0 passed, 1
 * failed with reason, anything else: the server has no such check.
 */
void rabbitmq_health_metric(struct metric_set *set, const char *target, const char *path, int rc,
			    const char *reason);
/* Add the metric of health checks that could not be run: why (an enum fail), err. */
void rabbitmq_health_error(struct metric_set *set, const char *target, int why, const char *err);

/*
 * Parse the answer of a health check (/api/health/checks/..., or
 * /api/aliveness-test/VHOST): 0 when it says "ok", 1 when it says it
 * failed, with the server's reason (and the alarms it names) in reason;
 * -1 with err when it is no health answer.
 */
int rabbitmq_health_parse(const char *json, size_t len, char *reason, size_t reasonlen, char *err,
			  size_t errlen);

/* The "reason" of an error answer ({"error":...,"reason":...}) into out, or "" when none. */
void rabbitmq_error_reason(const char *json, size_t len, char *out, size_t outlen);

/* Whether a version "X.Y.Z" is older than major.0; false when it does not parse. */
bool rabbitmq_version_before(const char *version, long major);

/* Seconds since the epoch for an idle_since value ("2024-05-01T10:00:00.123+00:00",
 * or "2019-03-11 16:47:43" of older versions, UTC); -1 when it does not parse. */
double rabbitmq_time_parse(const char *s);

#endif
