/*
 * check_rabbitmq: a RabbitMQ broker through its management HTTP API: the
 * depth and flow of its queues, the overview, the nodes' alarms and
 * limits, and the server's own health checks (--mode). Its command line and
 * the metrics of each mode are in check_rabbitmq_args.c.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check_rabbitmq.h"
#include "series.h"

/* The health checks asked for; one a server lacks (404) is skipped. */
static const char *const health_checks[] = {"alarms",
					    "local-alarms",
					    "virtual-hosts",
					    "node-is-quorum-critical",
					    "node-is-mirror-sync-critical",
					    "ready-to-serve-clients",
					    NULL};

/* What main() holds for the whole run, so that an early end frees it too. */
static struct httpc client;
static struct metric_set *run_set;

/* Free what main() holds. */
static void run_free(void)
{
	httpc_free(&client);
	metric_set_free(run_set);
}

/* End the run for a probe failure: unreachable is CRITICAL, a strange answer UNKNOWN. */
static void fail(struct result *r, const struct plugin_args *a, int why, const char *err)
	__attribute__((noreturn));
static void fail(struct result *r, const struct plugin_args *a, int why, const char *err)
{
	enum state s = why == PROBE_RABBITMQ_TIMEOUT ? a->timeout_state
		       : why == PROBE_RABBITMQ_BROKEN || why == PROBE_RABBITMQ_LOCAL
			   ? STATE_UNKNOWN
			   : STATE_CRITICAL;

	/* The failure alone is the answer; what was gathered before goes. */
	result_free(r);
	run_free();
	plugin_exit(s, "%s", err);
}

/* Perfdata labels: METRIC_QUEUE in vhost /, METRIC_VHOST/QUEUE in others, METRIC_NODE. */
static const char *const keys[] = {"vhost=/", "queue", "node", NULL};

/* "queue NAME has 5 messages": the words of a table entry for m at v, after whom they are about. */
static void say(const struct metric *m, double v, const char *words, char *out, size_t outlen)
{
	const char *q = metric_label(m, "queue"), *n = metric_label(m, "node");
	char said[128];

	snprintf(said, sizeof(said), words, v);
	if (strcmp(m->name, "queue_consumers") == 0 && v == 0)
		snprintf(said, sizeof(said), "has no consumers");
	if (q != NULL)
		snprintf(out, outlen, "queue %s %s", q, said);
	else if (n != NULL)
		snprintf(out, outlen, "node %s %s", n, said);
	else
		snprintf(out, outlen, "%s", said);
}

/* The conditions that are CRITICAL whatever the thresholds, then every metric. */
static void check_set(struct result *r, const struct plugin_args *a, const struct metric_set *set,
		      const struct rabbitmq_queues *qs, enum mode mode, const char *main)
{
	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);
		const char *q = metric_label(m, "queue"), *n = metric_label(m, "node");
		const struct rabbitmq_queue *qq;

		if (strcmp(m->name, "queue_running") == 0 && m->value == 0) {
			qq = rabbitmq_queues_find(qs, metric_label(m, "vhost"), q);
			result_add(r, STATE_CRITICAL, "queue %s is %s, not running", q, qq->state);
		} else if (strcmp(m->name, "queue_depth") == 0 && isnan(m->value)) {
			result_add(r, STATE_UNKNOWN, "queue %s has no statistics yet", q);
		} else if (strcmp(m->name, "rabbitmq_running") == 0 && m->value == 0) {
			result_add(r, STATE_CRITICAL, "node %s is not running", n);
		} else if (strcmp(m->name, "rabbitmq_mem_alarm") == 0 && m->value == 1) {
			result_add(r, STATE_CRITICAL,
				   "node %s has a memory alarm: publishers are blocked", n);
		} else if (strcmp(m->name, "rabbitmq_disk_free_alarm") == 0 && m->value == 1) {
			result_add(r, STATE_CRITICAL,
				   "node %s has a disk free alarm: publishers are blocked", n);
		}
	}
	for (size_t k = 0; k < check_rabbitmq_nmetrics; k++) {
		const struct check_rabbitmq_metric *t = &check_rabbitmq_metrics[k];

		if (t->mode == mode)
			series_check_words(r, a, set, t->name, strcmp(t->name, main) == 0 ? 0 : -1,
					   keys, t->words, say);
	}
}

/* --mode queue: the named queues, or those the regex matches, or all of the vhost. */
static void mode_queue(struct result *r, const struct plugin_args *a,
		       const struct check_rabbitmq_opts *o, struct httpc *h, struct metric_set *set)
{
	struct rabbitmq_queues qs = {0};
	const struct rabbitmq_queue *deepest = NULL;
	char err[1024];
	int why = 0;

	for (size_t i = 0; i < o->nnames && why == 0; i++) {
		why = probe_rabbitmq_queue(h, &o->target, o->vhost, o->names[i], &qs, err,
					   sizeof(err));
		if (why == PROBE_RABBITMQ_NOT_FOUND)
			result_add(r, STATE_CRITICAL, "queue %s not found in vhost %s", o->names[i],
				   o->vhost);
		why = why == PROBE_RABBITMQ_NOT_FOUND ? 0 : why;
	}
	if (why == 0 && (o->regex_text != NULL || o->nnames == 0))
		why = probe_rabbitmq_queues(h, &o->target, o->vhost,
					    o->regex_text != NULL ? &o->regex : NULL, 0, &qs, err,
					    sizeof(err));
	if (why != 0) {
		rabbitmq_queues_free(&qs);
		fail(r, a, why, err);
	}
	rabbitmq_queues_metrics(&qs, o->hostport, set);
	check_set(r, a, set, &qs, MODE_QUEUE, "queue_depth");
	for (size_t i = 0; i < qs.n; i++) {
		const struct rabbitmq_queue *q = &qs.v[i];

		result_long(r,
			    "queue %s: %g messages (%g ready, %g unacknowledged), %g consumers, "
			    "%s %s, idle %g s, %.2f published/s, %.2f delivered/s, %.2f acks/s",
			    q->name, q->messages, q->ready, q->unacked, q->consumers, q->type,
			    q->state, q->idle, q->publish, q->deliver, q->ack);
		if (deepest == NULL || q->messages > deepest->messages)
			deepest = q;
	}
	if (qs.n == 1 && result_state(r) == STATE_OK)
		result_add(r, STATE_OK, "queue %s has %g messages", deepest->name,
			   deepest->messages);
	else if (qs.n > 1)
		result_add(r, STATE_OK, "%zu queues, deepest %s with %g messages", qs.n,
			   deepest->name, deepest->messages);
	else if (o->nnames == 0)
		result_add(r, STATE_OK, "no queues%s%s in vhost %s",
			   o->regex_text != NULL ? " match " : "",
			   o->regex_text != NULL ? o->regex_text : "", o->vhost);
	rabbitmq_queues_free(&qs);
}

/* --mode overview and --mode node. */
static void mode_broker(struct result *r, const struct plugin_args *a,
			const struct check_rabbitmq_opts *o, struct httpc *h, struct metric_set *set)
{
	struct rabbitmq_overview ov;
	struct rabbitmq_nodes ns = {0};
	char err[1024];
	int why;

	if (o->mode == MODE_OVERVIEW) {
		why = probe_rabbitmq_overview(h, &o->target, &ov, err, sizeof(err));
		if (why != 0)
			fail(r, a, why, err);
		rabbitmq_overview_metrics(&ov, o->hostport, set);
		check_set(r, a, set, NULL, MODE_OVERVIEW, "rabbitmq_messages");
		result_add(r, STATE_OK,
			   "%g messages (%g ready, %g unacknowledged), %g queues, "
			   "%g connections, RabbitMQ %s",
			   ov.messages, ov.ready, ov.unacked, ov.queues, ov.connections,
			   ov.version);
		return;
	}
	why = probe_rabbitmq_nodes(h, &o->target, o->node, &ns, err, sizeof(err));
	if (why == PROBE_RABBITMQ_NOT_FOUND) {
		result_free(r);
		run_free();
		plugin_exit(STATE_CRITICAL, "%s", err);
	}
	if (why != 0)
		fail(r, a, why, err);
	rabbitmq_nodes_metrics(&ns, o->hostport, set);
	check_set(r, a, set, NULL, MODE_NODE, "rabbitmq_mem_pct");
	for (size_t i = 0; i < ns.n; i++)
		result_long(r,
			    "node %s: %s, memory %.0f of %.0f bytes, %.0f of %.0f descriptors, "
			    "%.0f of %.0f "
			    "processes",
			    ns.v[i].name, ns.v[i].running ? "running" : "not running",
			    ns.v[i].mem_used, ns.v[i].mem_limit, ns.v[i].fds_used,
			    ns.v[i].fds_total, ns.v[i].procs_used, ns.v[i].procs_total);
	result_add(r, STATE_OK, "%zu node%s", ns.n, ns.n == 1 ? "" : "s");
	rabbitmq_nodes_free(&ns);
}

/* Run one health check at path; count it in *passed when it passed. */
static void health_one(struct result *r, const struct plugin_args *a,
		       const struct check_rabbitmq_opts *o, struct httpc *h, const char *path,
		       size_t *passed)
{
	char reason[1024], err[1024];
	int rc =
	    probe_rabbitmq_health(h, &o->target, path, reason, sizeof(reason), err, sizeof(err));

	if (rc == PROBE_RABBITMQ_NOT_FOUND) {
		result_long(r, "%s: not on this server", path);
		return;
	}
	if (rc < 0)
		fail(r, a, rc, err);
	if (rc == 1)
		result_add(r, STATE_CRITICAL, "%s: %s", path, reason);
	result_long(r, "%s: %s", path, rc == 0 ? "ok" : reason);
	*passed += rc == 0;
}

/* --mode health: the server's checks, and the aliveness test where it still means something. */
static void mode_health(struct result *r, const struct plugin_args *a,
			const struct check_rabbitmq_opts *o, struct httpc *h)
{
	struct rabbitmq_overview ov;
	char path[1200], vhost[1024], err[1024];
	size_t passed = 0;
	int why = probe_rabbitmq_overview(h, &o->target, &ov, err, sizeof(err));

	if (why != 0)
		fail(r, a, why, err);
	for (size_t i = 0; health_checks[i] != NULL; i++) {
		snprintf(path, sizeof(path), "health/checks/%s", health_checks[i]);
		health_one(r, a, o, h, path, &passed);
	}
	probe_rabbitmq_escape(o->vhost, vhost, sizeof(vhost));
	snprintf(path, sizeof(path), "aliveness-test/%s", vhost);
	if (rabbitmq_version_before(ov.version, 4))
		health_one(r, a, o, h, path, &passed);
	result_add(r, STATE_OK, "%zu health checks passed, RabbitMQ %s", passed, ov.version);
}

int main(int argc, char **argv)
{
	struct check_rabbitmq_opts o = {0};
	struct plugin_args a;
	struct metric_set *set;
	struct result *r;
	struct httpc *h = &client;

	check_rabbitmq_args(argc, argv, &o, &a);
	httpc_init(h, false, NULL, 0);
	set = metric_set_new();
	run_set = set;
	r = result_new(check_rabbitmq.service);
	if (o.mode == MODE_QUEUE)
		mode_queue(r, &a, &o, h, set);
	else if (o.mode == MODE_HEALTH)
		mode_health(r, &a, &o, h);
	else
		mode_broker(r, &a, &o, h, set);
	run_free();
	check_rabbitmq_opts_free(&o);
	plugin_finish(r);
}
