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
#include "fail.h"
#include "num.h"
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
	enum state s = fail_state(why, a->timeout_state);

	/* The failure alone is the answer; what was gathered before goes. */
	result_free(r);
	run_free();
	plugin_exit(s, "%s", err);
}

/* Perfdata labels: METRIC_QUEUE in vhost /, METRIC_VHOST/QUEUE in others, METRIC_NODE. */
static const char *const keys[] = {"vhost=/", "queue", "node", NULL};

/* The queues check_set() is looking at, for the words of a stalled one. */
static const struct rabbitmq_queues *checked_queues;

/*
 * "is stalled: 5 messages ready, 1 consumer holding 10 unacknowledged,
 * nothing delivered or acknowledged for 75 s" for the queue of m, stalled
 * for v seconds.
 */
static void stalled_words(const struct metric *m, double v, char *out, size_t outlen)
{
	const struct rabbitmq_queue *q =
	    checked_queues == NULL ? NULL
				   : rabbitmq_queues_find(checked_queues, metric_label(m, "vhost"),
							  metric_label(m, "queue"));
	char t[32], more[160] = "";

	num_duration(v, t, sizeof(t));
	if (q != NULL)
		snprintf(more, sizeof(more),
			 ": %g message%s ready, %g consumer%s holding %g unacknowledged,", q->ready,
			 num_plural(q->ready), q->consumers, num_plural(q->consumers), q->unacked);
	snprintf(out, outlen, "is stalled%s nothing delivered or acknowledged for %s%s", more, t,
		 v >= RABBITMQ_STALL_WINDOW ? " or more" : "");
}

/* "queue NAME has 5 messages": the words of a table entry for m at v, after whom they are about. */
static void say(const struct metric *m, double v, const char *words, char *out, size_t outlen)
{
	const char *q = metric_label(m, "queue"), *n = metric_label(m, "node");
	char said[256];

	snprintf(said, sizeof(said), words, v);
	if (strcmp(m->name, "queue_consumers") == 0 && v == 0)
		snprintf(said, sizeof(said), "has no consumers");
	if (strcmp(m->name, "queue_stalled") == 0)
		stalled_words(m, v, said, sizeof(said));
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
	checked_queues = qs;
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

/* The message rates of q in words; those the server did not give are left out. */
static void rates_words(const struct rabbitmq_queue *q, char *out, size_t outlen)
{
	const struct {
		double v;
		const char *what;
	} f[] = {{q->publish, "published/s"}, {q->deliver, "delivered/s"}, {q->ack, "acks/s"}};
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]) && n < outlen; i++) {
		int w;

		if (!isfinite(f[i].v))
			continue;
		w = snprintf(out + n, outlen - n, "%s%.2f %s", n > 0 ? ", " : "", f[i].v,
			     f[i].what);
		n += w > 0 ? (size_t)w : 0;
	}
	if (out[0] == '\0')
		snprintf(out, outlen, "no message rates (the server keeps none for it)");
}

/* Whether an item of r already names queue q: one of its metrics in set is not OK. */
static bool queue_named(const struct plugin_args *a, const struct metric_set *set, const char *q)
{
	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);
		const char *name = metric_label(m, "queue");
		char why[128];

		if (name == NULL || strcmp(name, q) != 0)
			continue;
		if (strcmp(m->name, "queue_running") == 0 && m->value == 0)
			return true;
		if (!isnan(m->value) &&
		    plugin_eval(a, m->name, strcmp(m->name, "queue_depth") == 0 ? 0 : -1, m->value,
				why, sizeof(why)) != STATE_OK)
			return true;
	}
	return false;
}

/* --mode queue: the named queues, or those the regex matches, or all of the vhost. */
static void mode_queue(struct result *r, const struct plugin_args *a,
		       const struct check_rabbitmq_opts *o, struct httpc *h, struct metric_set *set)
{
	struct rabbitmq_queues qs = {0};
	const struct rabbitmq_queue *deepest = NULL;
	char err[1024], rates[160];
	int why = 0;

	for (size_t i = 0; i < o->nnames && why == 0; i++) {
		why = probe_rabbitmq_queue(h, &o->target, o->vhost, o->names[i], &qs, err,
					   sizeof(err));
		if (why == FAIL_NOT_FOUND)
			result_add(r, STATE_CRITICAL, "queue %s not found in vhost %s", o->names[i],
				   o->vhost);
		why = why == FAIL_NOT_FOUND ? 0 : why;
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
		char t[32] = "", stalled[64] = "";

		if (q->stalled > 0) {
			num_duration(q->stalled, t, sizeof(t));
			snprintf(stalled, sizeof(stalled), ", stalled for %s", t);
		}
		rates_words(q, rates, sizeof(rates));
		result_long(r,
			    "queue %s: %g message%s (%g ready, %g unacknowledged), %g consumer%s, "
			    "%s %s, idle %g s, %s%s",
			    q->name, q->messages, num_plural(q->messages), q->ready, q->unacked,
			    q->consumers, num_plural(q->consumers), q->type, q->state, q->idle,
			    rates, stalled);
		if (deepest == NULL || q->messages > deepest->messages)
			deepest = q;
	}
	if (deepest != NULL)
		series_queues(r, qs.n, deepest->name, deepest->messages,
			      queue_named(a, set, deepest->name));
	else if (o->nnames == 0)
		result_add(r, STATE_OK, "no queues%s%s in vhost %s",
			   o->regex_text != NULL ? " match " : "",
			   o->regex_text != NULL ? o->regex_text : "", o->vhost);
	rabbitmq_queues_free(&qs);
}

/* "3 of 10 WHAT", "3 WHAT" or "WHAT not reported": no nan in the text. */
static void of_words(double used, double total, const char *what, char *out, size_t outlen)
{
	if (!isfinite(used))
		snprintf(out, outlen, "%s not reported", what);
	else if (!isfinite(total))
		snprintf(out, outlen, "%.0f %s", used, what);
	else
		snprintf(out, outlen, "%.0f of %.0f %s", used, total, what);
}

/* --mode overview and --mode node. */
static void mode_broker(struct result *r, const struct plugin_args *a,
			const struct check_rabbitmq_opts *o, struct httpc *h,
			struct metric_set *set)
{
	struct rabbitmq_overview ov;
	struct rabbitmq_nodes ns = {0};
	char err[1024], used[96], total[96];
	int why;

	if (o->mode == MODE_OVERVIEW) {
		why = probe_rabbitmq_overview(h, &o->target, &ov, err, sizeof(err));
		if (why != 0)
			fail(r, a, why, err);
		rabbitmq_overview_metrics(&ov, o->hostport, set);
		check_set(r, a, set, NULL, MODE_OVERVIEW, "rabbitmq_messages");
		/* A new broker has no queue totals yet: no "nan messages". */
		if (isfinite(ov.messages + ov.ready + ov.unacked))
			result_add(r, STATE_OK, "%g messages (%g ready, %g unacknowledged)",
				   ov.messages, ov.ready, ov.unacked);
		else
			result_add(r, STATE_OK, "no message totals from the server yet");
		of_words(ov.queues, NAN, "queues", used, sizeof(used));
		of_words(ov.connections, NAN, "connections", total, sizeof(total));
		result_add(r, STATE_OK, "%s, %s, RabbitMQ %s", used, total, ov.version);
		return;
	}
	why = probe_rabbitmq_nodes(h, &o->target, o->node, &ns, err, sizeof(err));
	if (why == FAIL_NOT_FOUND) {
		result_free(r);
		run_free();
		plugin_exit(STATE_CRITICAL, "%s", err);
	}
	if (why != 0)
		fail(r, a, why, err);
	rabbitmq_nodes_metrics(&ns, o->hostport, set);
	check_set(r, a, set, NULL, MODE_NODE, "rabbitmq_mem_pct");
	for (size_t i = 0; i < ns.n; i++) {
		const struct rabbitmq_node *nd = &ns.v[i];
		char mem[96], fds[96], procs[96];

		of_words(nd->mem_used, nd->mem_limit, "bytes of memory", mem, sizeof(mem));
		of_words(nd->fds_used, nd->fds_total, "descriptors", fds, sizeof(fds));
		of_words(nd->procs_used, nd->procs_total, "processes", procs, sizeof(procs));
		result_long(r, "node %s: %s, %s, %s, %s", nd->name,
			    nd->running ? "running" : "not running", mem, fds, procs);
	}
	result_add(r, STATE_OK, "%zu node%s", ns.n, num_plural(ns.n));
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

	if (rc == FAIL_NOT_FOUND) {
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
