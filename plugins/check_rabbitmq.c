/*
 * check_rabbitmq: a RabbitMQ broker through its management HTTP API: the
 * depth and flow of its queues, the overview, the nodes' alarms and
 * limits, and the server's own health checks (--mode).
 */
#include "config.h"

#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"
#include "probe/rabbitmq.h"
#include "statefile.h"
#include "xalloc.h"

enum { OPT_MODE = 256, OPT_QUEUE, OPT_QUEUE_REGEX, OPT_VHOST, OPT_NODE, OPT_CA_FILE, OPT_INSECURE };
enum mode { MODE_DEFAULT, MODE_QUEUE, MODE_OVERVIEW, MODE_NODE, MODE_HEALTH };

struct opts {
	enum mode mode;
	const char *url, *vhost, *node, *regex_text;
	const char **names;
	size_t nnames;
	regex_t regex;
	struct rabbitmq_target target;
};

static const char *const mode_names[] = {"", "queue", "overview", "node", "health"};

/* Every metric with the words that say it crossed, in perfdata order; %g is its value. */
static const struct {
	const char *name, *words;
	enum mode mode;
} table[] = {
	{"queue_depth", "has %g messages", MODE_QUEUE},
	{"queue_ready", "has %g messages ready", MODE_QUEUE},
	{"queue_unacked", "has %g unacknowledged messages", MODE_QUEUE},
	{"queue_consumers", "has %g consumers", MODE_QUEUE},
	{"queue_idle", "has been idle for %g s", MODE_QUEUE},
	{"queue_running", "running is %g", MODE_QUEUE},
	{"queue_publish_rate", "gets %.2f messages/s published", MODE_QUEUE},
	{"queue_deliver_rate", "delivers %.2f messages/s", MODE_QUEUE},
	{"queue_ack_rate", "gets %.2f acks/s", MODE_QUEUE},
	{"rabbitmq_messages", "%g messages queued", MODE_OVERVIEW},
	{"rabbitmq_messages_ready", "%g messages ready", MODE_OVERVIEW},
	{"rabbitmq_messages_unacked", "%g messages unacknowledged", MODE_OVERVIEW},
	{"rabbitmq_publish_rate", "%.2f messages/s published", MODE_OVERVIEW},
	{"rabbitmq_deliver_rate", "%.2f messages/s delivered", MODE_OVERVIEW},
	{"rabbitmq_ack_rate", "%.2f acks/s", MODE_OVERVIEW},
	{"rabbitmq_connections", "%g connections", MODE_OVERVIEW},
	{"rabbitmq_channels", "%g channels", MODE_OVERVIEW},
	{"rabbitmq_queues", "%g queues", MODE_OVERVIEW},
	{"rabbitmq_consumers", "%g consumers", MODE_OVERVIEW},
	{"rabbitmq_mem_pct", "uses %.1f%% of its memory limit", MODE_NODE},
	{"rabbitmq_running", "running is %g", MODE_NODE},
	{"rabbitmq_mem_alarm", "memory alarm is %g", MODE_NODE},
	{"rabbitmq_disk_free_alarm", "disk free alarm is %g", MODE_NODE},
	{"rabbitmq_mem_used", "uses %g bytes of memory", MODE_NODE},
	{"rabbitmq_mem_limit", "has a memory limit of %g bytes", MODE_NODE},
	{"rabbitmq_disk_free", "has %g bytes of disk free", MODE_NODE},
	{"rabbitmq_fds_used", "uses %g file descriptors", MODE_NODE},
	{"rabbitmq_fds_pct", "uses %.1f%% of its file descriptors", MODE_NODE},
	{"rabbitmq_sockets_used", "uses %g sockets", MODE_NODE},
	{"rabbitmq_sockets_pct", "uses %.1f%% of its sockets", MODE_NODE},
	{"rabbitmq_procs_used", "runs %g Erlang processes", MODE_NODE},
	{"rabbitmq_procs_pct", "uses %.1f%% of its Erlang processes", MODE_NODE},
};
#define NMETRICS (sizeof(table) / sizeof(table[0]))
static const char *metrics[NMETRICS + 1];
/* The health checks asked for; one a server lacks (404) is skipped. */
static const char *const health_checks[] = {"alarms",
					    "local-alarms",
					    "virtual-hosts",
					    "node-is-quorum-critical",
					    "node-is-mirror-sync-critical",
					    "ready-to-serve-clients",
					    NULL};

static const struct plugin_option options[] = {
	{"url", 'u', "URL", "The API's base URL, e.g. https://mq1:15671 (instead of -H and -p)."},
	{"mode", OPT_MODE, "MODE",
	 "queue (the default with --queue, --queue-regex or --vhost), overview\n"
	 "(the default otherwise), node, or health."},
	{"queue", OPT_QUEUE, "NAME", "Check the queue NAME; repeatable. A missing queue is CRITICAL."},
	{"queue-regex", OPT_QUEUE_REGEX, "RE",
	 "Check every queue whose name matches the POSIX ERE RE."},
	{"vhost", OPT_VHOST, "NAME", "The virtual host of the queues (default /)."},
	{"node", OPT_NODE, "NAME", "--mode node: only the node NAME (default: every node)."},
	{"ca-file", OPT_CA_FILE, "FILE", "Verify the server's certificate against the CAs in FILE."},
	{"insecure", OPT_INSECURE, NULL, "Do not verify the server's certificate (only when asked)."},
	{NULL, 0, NULL, NULL},
};

static int on_option(void *ctx, int val, const char *arg, char *err, size_t errlen)
{
	struct opts *o = ctx;
	int rc;

	switch (val) {
	case OPT_MODE:
		for (int m = MODE_QUEUE; m <= MODE_HEALTH; m++)
			if (strcmp(arg, mode_names[m]) == 0)
				o->mode = (enum mode)m;
		if (o->mode != MODE_DEFAULT)
			return 0;
		snprintf(err, errlen, "invalid --mode '%s': queue, overview, node or health", arg);
		return -1;
	case OPT_QUEUE:
		o->names = xgrow(o->names, o->nnames, sizeof(*o->names));
		o->names[o->nnames++] = arg;
		return 0;
	case OPT_QUEUE_REGEX:
		if (o->regex_text != NULL)
			regfree(&o->regex);
		o->regex_text = NULL;
		rc = regcomp(&o->regex, arg, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			char why[128];

			regerror(rc, &o->regex, why, sizeof(why));
			snprintf(err, errlen, "invalid --queue-regex '%s': %s", arg, why);
			return -1;
		}
		o->regex_text = arg;
		return 0;
	case 'u':
		o->url = arg;
		return 0;
	case OPT_VHOST:
		o->vhost = arg;
		return 0;
	case OPT_NODE:
		o->node = arg;
		return 0;
	case OPT_CA_FILE:
		o->target.ca_file = arg;
		return 0;
	case OPT_INSECURE:
		o->target.insecure = true;
		return 0;
	}
	return 0;
}

static const struct plugin check_rabbitmq = {
	.name = "check_rabbitmq",
	.service = "RABBITMQ",
	.purpose = "Checks a RabbitMQ broker through its management HTTP API. --mode queue:\n"
	       "the depth, consumers, idle time, state and rates of queues; a missing\n"
	       "queue or one not running is CRITICAL. --mode overview: the cluster's\n"
	       "message totals, rates and object counts. --mode node: a node not running,\n"
	       "a memory or disk alarm is CRITICAL; memory, file descriptors, sockets and\n"
	       "Erlang processes against their limits. --mode health: the server's\n"
	       "health checks (alarms, virtual hosts, quorum; the aliveness test before\n"
	       "RabbitMQ 4.0); a failed one is CRITICAL with the server's reason.\n"
	       "Perfdata labels are METRIC_QUEUE in vhost /, METRIC_VHOST/QUEUE in\n"
	       "other vhosts, METRIC_NODE for nodes. Logs in as guest (password guest)\n"
	       "unless --user is given. The default port is 15672.",
	.synopsis = "[-H HOST [-p PORT] | -u URL] [--user NAME [--password-file FILE]] "
		"[--mode MODE] [--vhost NAME] [--queue NAME]... [--queue-regex RE] "
		"[--node NAME] [-w [METRIC=]RANGE] [-c [METRIC=]RANGE] [-t SECONDS[:STATE]]",
	.common = PLUGIN_HOST | PLUGIN_PORT | PLUGIN_FAMILY | PLUGIN_LOGIN,
	.options = options,
	.metrics = metrics,
	.nmain = 1,
	.thresholds_help = "A bare -w/-c applies to the main metric of the mode: queue_depth of\n"
		       "  each queue (queue), rabbitmq_messages (overview), rabbitmq_mem_pct of\n"
		       "  each node (node); health takes none. Rates are per second, as the API\n"
		       "  computes them.",
	.host_help = "Host name or address of the management API (default 127.0.0.1).",
	.password_env = "RABBITMQ_PASSWORD",
	.examples = "  check_rabbitmq --queue celery -w 100 -c 1000 -c queue_consumers=1:\n"
		"      Celery's queue: deep, or nobody consuming it, is an alert.\n"
		"  check_rabbitmq -u https://mq1:15671 --ca-file /etc/ssl/mq.pem --mode node\n"
		"      Every node's alarms; CRITICAL on a memory or disk alarm.\n"
		"  check_rabbitmq --user nagios --password-file /etc/nagios/mq --mode health\n"
		"      The server's own health checks.",
	.option = on_option,
};

/* What main() holds for the whole run, so that an early end frees it too. */
static CURL *handle;
static struct metric_set *run_set;

/* Free what main() holds. */
static void run_free(void)
{
	curl_easy_cleanup(handle);
	metric_set_free(run_set);
	curl_global_cleanup();
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

/* "queue NAME", "node NAME" or "" for the overview; and the perfdata label of m. */
static void subject(const struct metric *m, char *who, size_t wholen, char *label, size_t labellen)
{
	const char *q = metric_label(m, "queue"), *n = metric_label(m, "node");
	const char *vhost = metric_label(m, "vhost");

	snprintf(who, wholen, "%s%s%s",
		 q != NULL   ? "queue "
		 : n != NULL ? "node "
			     : "",
		 q != NULL   ? q
		 : n != NULL ? n
			     : "",
		 q != NULL || n != NULL ? " " : "");
	if (q != NULL && strcmp(vhost, "/") != 0)
		snprintf(label, labellen, "%s_%s/%s", m->name, vhost, q);
	else
		snprintf(label, labellen, "%s%s%s", m->name, q != NULL || n != NULL ? "_" : "",
			 q != NULL   ? q
			 : n != NULL ? n
				     : "");
}

/* Perfdata and thresholds for metric number k of the table, of every object in set. */
static void check_metric(struct result *r, const struct plugin_args *a,
			 const struct metric_set *set, size_t k, const char *main)
{
	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);
		char who[600], label[700], why[128], words[128];
		struct perf p;
		enum state s;

		if (strcmp(m->name, table[k].name) != 0)
			continue;
		subject(m, who, sizeof(who), label, sizeof(label));
		p = perf_make(label, m->value, m->unit);
		p.min = 0;
		p.max = strcmp(m->unit, "%") == 0 ? 100 : NAN;
		s = plugin_metric(r, a, m->name, strcmp(m->name, main) == 0 ? 0 : -1, &p, why,
				  sizeof(why));
		snprintf(words, sizeof(words), table[k].words, m->value);
		if (s != STATE_OK && strcmp(m->name, "queue_consumers") == 0 && m->value == 0)
			snprintf(words, sizeof(words), "has no consumers");
		if (s != STATE_OK)
			result_add(r, s, "%s%s%s", who, words, why);
	}
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
	for (size_t k = 0; k < NMETRICS; k++)
		if (table[k].mode == mode)
			check_metric(r, a, set, k, main);
}

/* --mode queue: the named queues, or those the regex matches, or all of the vhost. */
static void mode_queue(struct result *r, const struct plugin_args *a, struct opts *o, CURL *h,
		       struct metric_set *set, const char *instance)
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
	rabbitmq_queues_metrics(&qs, instance, set);
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
static void mode_broker(struct result *r, const struct plugin_args *a, struct opts *o, CURL *h,
			struct metric_set *set, const char *instance)
{
	struct rabbitmq_overview ov;
	struct rabbitmq_nodes ns = {0};
	char err[1024];
	int why;

	if (o->mode == MODE_OVERVIEW) {
		why = probe_rabbitmq_overview(h, &o->target, &ov, err, sizeof(err));
		if (why != 0)
			fail(r, a, why, err);
		rabbitmq_overview_metrics(&ov, instance, set);
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
	rabbitmq_nodes_metrics(&ns, instance, set);
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
static void health_one(struct result *r, const struct plugin_args *a, struct opts *o, CURL *h,
		       const char *path, size_t *passed)
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
static void mode_health(struct result *r, const struct plugin_args *a, struct opts *o, CURL *h)
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
	probe_rabbitmq_escape(h, o->vhost, vhost, sizeof(vhost));
	snprintf(path, sizeof(path), "aliveness-test/%s", vhost);
	if (rabbitmq_version_before(ov.version, 4))
		health_one(r, a, o, h, path, &passed);
	result_add(r, STATE_OK, "%zu health checks passed, RabbitMQ %s", passed, ov.version);
}

/* Usage errors plugin_start cannot know about; exits 3 on the first. */
static void check_args(const struct plugin_args *a, struct opts *o)
{
	struct threshold t = thresholds_get(a->thresholds, "", 0);

	if (o->mode == MODE_DEFAULT)
		o->mode = o->nnames > 0 || o->regex_text != NULL || o->vhost != NULL
			      ? MODE_QUEUE
			      : MODE_OVERVIEW;
	if (o->url != NULL && (a->host != NULL || a->port != 0))
		plugin_usage_error("give either -u URL or -H HOST and -p PORT, not both");
	if (o->url != NULL && strncmp(o->url, "http://", 7) != 0 &&
	    strncmp(o->url, "https://", 8) != 0)
		plugin_usage_error("invalid -u '%s': expected http://HOST:PORT or https://...",
				   o->url);
	if (a->host != NULL &&
	    strspn(a->host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789.-_:") != strlen(a->host))
		plugin_usage_error("invalid host '%s': expected a name or an address", a->host);
	if (o->mode != MODE_QUEUE && (o->nnames > 0 || o->regex_text != NULL))
		plugin_usage_error("--queue and --queue-regex are for --mode queue");
	if (o->node != NULL && o->mode != MODE_NODE)
		plugin_usage_error("--node is for --mode node");
	if (o->mode == MODE_HEALTH && (t.has_warn || t.has_crit))
		plugin_usage_error("--mode health takes no bare -w/-c: it has no main metric");
	for (size_t k = 0; k < NMETRICS; k++) {
		t = thresholds_get(a->thresholds, table[k].name, -1);
		if ((t.has_warn || t.has_crit) && table[k].mode != o->mode)
			plugin_usage_error("%s is not a metric of --mode %s", table[k].name,
					   mode_names[o->mode]);
	}
}

/* http://HOST:PORT from -H and -p, an IPv6 literal in brackets. */
static void default_url(const struct plugin_args *a, char *out, size_t outlen)
{
	const char *host = a->host != NULL ? a->host : "127.0.0.1";
	bool v6 = strchr(host, ':') != NULL;

	snprintf(out, outlen, "http://%s%s%s:%ld", v6 ? "[" : "", host, v6 ? "]" : "",
		 a->port != 0 ? a->port : (long)PROBE_RABBITMQ_PORT);
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	struct plugin_args a;
	struct metric_set *set;
	struct result *r;
	char url[600], instance[300];
	CURL *h;

	for (size_t k = 0; k < NMETRICS; k++)
		metrics[k] = table[k].name;
	plugin_start(&check_rabbitmq, argc, argv, &o, &a);
	check_args(&a, &o);
	if (o.url == NULL)
		default_url(&a, url, sizeof(url));
	o.vhost = o.vhost != NULL ? o.vhost : "/";
	o.target.url = o.url != NULL ? o.url : url;
	o.target.user = a.user != NULL ? a.user : "guest";
	o.target.password = a.password != NULL ? a.password : a.user == NULL ? "guest" : "";
	o.target.family = a.family;
	o.target.deadline = time_now() + a.timeout;
	o.target.limit = a.timeout;
	o.target.user_agent = "check_rabbitmq/" PACKAGE_VERSION;
	o.target.ca_hint = "--ca-file";
	probe_rabbitmq_instance(&o.target, instance, sizeof(instance));
	h = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? curl_easy_init() : NULL;
	if (h == NULL)
		plugin_exit(STATE_UNKNOWN, "cannot initialise libcurl");
	set = metric_set_new();
	handle = h;
	run_set = set;
	r = result_new(check_rabbitmq.service);
	if (o.mode == MODE_QUEUE)
		mode_queue(r, &a, &o, h, set, instance);
	else if (o.mode == MODE_HEALTH)
		mode_health(r, &a, &o, h);
	else
		mode_broker(r, &a, &o, h, set, instance);
	run_free();
	free(o.names);
	if (o.regex_text != NULL)
		regfree(&o.regex);
	plugin_finish(r);
}
