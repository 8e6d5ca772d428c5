/*
 * The RabbitMQ probe: asks the management HTTP API (through lib/httpc) for
 * queues, the overview, nodes and health checks, and hands the answers to
 * the parsers of rabbitmq_json.h. Vhost, queue and node names go into the
 * URLs percent-encoded, so "/", spaces and any UTF-8 work.
 *
 * Every request of one collection shares one deadline, so a plugin or a
 * collector that makes several still finishes in its time limit. Answers
 * are read under PROBE_RABBITMQ_MAX_ANSWER bytes.
 */
#ifndef VAKT_PROBE_RABBITMQ_H
#define VAKT_PROBE_RABBITMQ_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "fail.h"
#include "httpc.h"

#include "probe/rabbitmq_json.h"

#define PROBE_RABBITMQ_PORT 15672
#define PROBE_RABBITMQ_MAX_ANSWER (16 * 1024 * 1024)

struct rabbitmq_target {
	const char *url;  /* the API base, "http://127.0.0.1:15672" (a path prefix is kept) */
	const char *user; /* basic authentication */
	const char *password;
	const char *ca_file;	/* PEM CA bundle, NULL: the system's */
	bool insecure;		/* do not verify the server's certificate */
	int family;		/* AF_UNSPEC, AF_INET or AF_INET6 */
	double deadline;	/* time_monotonic() by which every request must have ended */
	double limit;		/* the time limit a time-out message names, seconds */
	const char *user_agent; /* NULL: none */
	const char *ca_hint;	/* the option naming a CA file, for messages; NULL: none */
};

/* "HOST:PORT" of the API, for the target label and messages. */
void probe_rabbitmq_hostport(const struct rabbitmq_target *t, char *out, size_t outlen);

/*
 * The queue name in vhost, appended to out and marked named. Returns 0, or
 * an enum fail with err (FAIL_NOT_FOUND for a queue or vhost that does not
 * exist, noted in out->missing).
 */
int probe_rabbitmq_queue(struct httpc *c, const struct rabbitmq_target *t, const char *vhost,
			 const char *name, struct rabbitmq_queues *out, char *err, size_t errlen);
/*
 * Every queue of vhost whose name match accepts (all when NULL), at most max
 * (0: no limit; out->cut says some were left out), appended to out, and the
 * listing noted there with match_text, the expression match was made of.
 */
int probe_rabbitmq_queues(struct httpc *c, const struct rabbitmq_target *t, const char *vhost,
			  const regex_t *match, const char *match_text, size_t max,
			  struct rabbitmq_queues *out, char *err, size_t errlen);
int probe_rabbitmq_overview(struct httpc *c, const struct rabbitmq_target *t,
			    struct rabbitmq_overview *out, char *err, size_t errlen);
/*
 * The node called name (every node when NULL), appended to out;
 * FAIL_NOT_FOUND when the cluster has no such node.
 */
int probe_rabbitmq_nodes(struct httpc *c, const struct rabbitmq_target *t, const char *name,
			 struct rabbitmq_nodes *out, char *err, size_t errlen);
/*
 * Run the health check at path below /api ("health/checks/alarms",
 * "aliveness-test/%2F": path is used as given, already encoded). Returns 0
 * when it passed, 1 when it failed with the server's reason in reason, or a
 * enum fail (FAIL_NOT_FOUND: this server has no such
 * check).
 */
int probe_rabbitmq_health(struct httpc *c, const struct rabbitmq_target *t, const char *path,
			  char *reason, size_t reasonlen, char *err, size_t errlen);
/*
 * The server's health checks (alarms, local alarms, virtual hosts, quorum
 * and mirror sync criticality, ready to serve clients) and, before RabbitMQ
 * 4.0 (version, the overview's), the aliveness test of vhost, as
 * rabbitmq_health_ok metrics labelled target into set. Returns 0, or an
 * enum fail with err, and then only rabbitmq_health_error added.
 */
int probe_rabbitmq_health_all(struct httpc *c, const struct rabbitmq_target *t, const char *vhost,
			      const char *version, const char *target, struct metric_set *set,
			      char *err, size_t errlen);
/* name percent-encoded into out (for a health path); "" when it does not fit. */
void probe_rabbitmq_escape(const char *name, char *out, size_t outlen);

#endif
