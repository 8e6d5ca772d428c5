/*
 * check_rabbitmq's verdict: a RabbitMQ broker through the metrics its
 * management API gave: the depth and flow of queues, the overview, the
 * nodes' alarms and limits, and the server's own health checks (--mode).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drain.h"
#include "fail.h"
#include "num.h"
#include "plugin.h"
#include "probe/rabbitmq_json.h"
#include "probe/rabbitmq_verdict.h"
#include "series.h"
#include "verdict.h"
#include "xalloc.h"

#define QUEUE RABBITMQ_MODE_QUEUE
#define OVERVIEW RABBITMQ_MODE_OVERVIEW
#define NODE RABBITMQ_MODE_NODE

/*
 * Every metric a threshold can name, in perfdata order, with the mode that
 * checks it and the words that say it crossed a bound: a printf format of
 * its value.
 */
#define METRICS(X)                                                                                 \
	X("queue_depth", "has %g messages", QUEUE)                                                 \
	X("queue_ready", "has %g messages ready", QUEUE)                                           \
	X("queue_unacked", "has %g unacknowledged messages", QUEUE)                                \
	X("queue_consumers", "has %g consumers", QUEUE)                                            \
	X("queue_idle", "has been idle for %g s", QUEUE)                                           \
	X("queue_running", "running is %g", QUEUE)                                                 \
	X("queue_publish_rate", "gets %.2f messages/s published", QUEUE)                           \
	X("queue_deliver_rate", "delivers %.2f messages/s", QUEUE)                                 \
	X("queue_ack_rate", "gets %.2f acks/s", QUEUE)                                             \
	X("queue_stalled", "is stalled for %g s", QUEUE)                                           \
	X("queue_not_draining_seconds", "has not drained for %g s", QUEUE)                         \
	X("queue_oldest_age_seconds", "has a message published %g s ago", QUEUE)                   \
	X("rabbitmq_messages", "%g messages queued", OVERVIEW)                                     \
	X("rabbitmq_messages_ready", "%g messages ready", OVERVIEW)                                \
	X("rabbitmq_messages_unacked", "%g messages unacknowledged", OVERVIEW)                     \
	X("rabbitmq_publish_rate", "%.2f messages/s published", OVERVIEW)                          \
	X("rabbitmq_deliver_rate", "%.2f messages/s delivered", OVERVIEW)                          \
	X("rabbitmq_ack_rate", "%.2f acks/s", OVERVIEW)                                            \
	X("rabbitmq_connections", "%g connections", OVERVIEW)                                      \
	X("rabbitmq_channels", "%g channels", OVERVIEW)                                            \
	X("rabbitmq_queues", "%g queues", OVERVIEW)                                                \
	X("rabbitmq_consumers", "%g consumers", OVERVIEW)                                          \
	X("rabbitmq_mem_pct", "uses %.1f%% of its memory limit", NODE)                             \
	X("rabbitmq_running", "running is %g", NODE)                                               \
	X("rabbitmq_mem_alarm", "memory alarm is %g", NODE)                                        \
	X("rabbitmq_disk_free_alarm", "disk free alarm is %g", NODE)                               \
	X("rabbitmq_mem_used", "uses %g bytes of memory", NODE)                                    \
	X("rabbitmq_mem_limit", "has a memory limit of %g bytes", NODE)                            \
	X("rabbitmq_disk_free", "has %g bytes of disk free", NODE)                                 \
	X("rabbitmq_fds_used", "uses %g file descriptors", NODE)                                   \
	X("rabbitmq_fds_pct", "uses %.1f%% of its file descriptors", NODE)                         \
	X("rabbitmq_sockets_used", "uses %g sockets", NODE)                                        \
	X("rabbitmq_sockets_pct", "uses %.1f%% of its sockets", NODE)                              \
	X("rabbitmq_procs_used", "runs %g Erlang processes", NODE)                                 \
	X("rabbitmq_procs_pct", "uses %.1f%% of its Erlang processes", NODE)

struct table_metric {
	const char *name, *words;
	enum rabbitmq_mode mode;
};

#define ROW(name, words, mode) {name, words, mode},
#define NAME(name, words, mode) name,
static const struct table_metric table[] = {METRICS(ROW)};
static const char *const metrics[] = {METRICS(NAME) NULL};
#define NMETRICS (sizeof(table) / sizeof(table[0]))

/* The metrics besides those of the table that a mode reads (for its words). */
static const struct table_metric also[] = {
    {"queue_info", NULL, QUEUE},
    {"queue_missing", NULL, QUEUE},
    {"queue_drain_rate", NULL, QUEUE},
    {"rabbitmq_queues_listed", NULL, QUEUE},
    {"rabbitmq_build_info", NULL, OVERVIEW},
    {"rabbitmq_build_info", NULL, RABBITMQ_MODE_HEALTH},
    {"rabbitmq_health_ok", NULL, RABBITMQ_MODE_HEALTH},
    {"rabbitmq_health_error", NULL, RABBITMQ_MODE_HEALTH},
    {"rabbitmq_fds_total", NULL, NODE},
    {"rabbitmq_procs_total", NULL, NODE},
};

static const char *const mode_names[] = {"", "queue", "overview", "node", "health"};

enum { OPT_MODE = 256, OPT_QUEUE, OPT_QUEUE_REGEX, OPT_VHOST, OPT_NODE, OPT_CA_FILE, OPT_INSECURE };

static const struct plugin_option options[] = {
    {"url", 'u', "URL",
     "The API's base URL, e.g. https://mq1:15671; it replaces -H\n"
     "and excludes -p."},
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

/* Take one of check_rabbitmq's own options into the opts at ctx; -1 with err for a bad one. */
static int on_option(void *ctx, int val, const char *arg, char *err, size_t errlen)
{
	struct rabbitmq_opts *o = ctx;
	bool compiled;
	int rc;

	switch (val) {
	case OPT_MODE:
		for (int m = QUEUE; m <= RABBITMQ_MODE_HEALTH; m++)
			if (strcmp(arg, mode_names[m]) == 0)
				o->mode = (enum rabbitmq_mode)m;
		if (o->mode != RABBITMQ_MODE_DEFAULT)
			return 0;
		snprintf(err, errlen, "invalid --mode '%s': queue, overview, node or health", arg);
		return -1;
	case OPT_QUEUE:
		o->names = xgrow(o->names, o->nnames, sizeof(*o->names));
		o->names[o->nnames++] = arg;
		return 0;
	case OPT_QUEUE_REGEX:
		compiled = o->regex_text != NULL;
		rc = plugin_regex(&o->regex, &compiled, "queue-regex", arg, err, errlen);
		o->regex_text = compiled ? arg : NULL;
		return rc;
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
		o->ca_file = arg;
		return 0;
	case OPT_INSECURE:
		o->insecure = true;
		return 0;
	}
	return 0;
}

static const struct plugin plugin = {
    .name = "check_rabbitmq",
    .service = "RABBITMQ",
    .purpose = "Checks a RabbitMQ broker through its management HTTP API. --mode queue:\n"
	       "the depth, consumers, idle time, state and rates of queues; a missing\n"
	       "queue or one not running is CRITICAL; a stalled one (messages ready,\n"
	       "consumers attached, nothing delivered or acknowledged: queue_stalled) is\n"
	       "a WARNING after 60 s and CRITICAL after 300 s unless thresholds say else;\n"
	       "one nobody drains (queue_not_draining_seconds) by thresholds.\n"
	       "--mode overview: the cluster's message totals, rates and object counts.\n"
	       "--mode node: a node not running, a memory or disk alarm is CRITICAL;\n"
	       "memory, file descriptors, sockets and Erlang processes against their\n"
	       "limits. --mode health: the server's\n"
	       "health checks (alarms, virtual hosts, quorum; the aliveness test before\n"
	       "RabbitMQ 4.0); a failed one is CRITICAL with the server's reason.\n"
	       "Perfdata labels are METRIC_QUEUE in vhost /, METRIC_VHOST/QUEUE in\n"
	       "other vhosts, METRIC_NODE for nodes. Logs in as guest (password guest)\n"
	       "unless --user is given. The default port is 15672.",
    .synopsis = "[-H HOST [-p PORT] | -u URL] [--user NAME [--password-file FILE]] "
		"[--mode MODE] [--vhost NAME] [--queue NAME]... [--queue-regex RE] "
		"[--node NAME] [-w [METRIC=]RANGE] [-c [METRIC=]RANGE] [-t SECONDS[:STATE]]",
    .common = PLUGIN_HOST | PLUGIN_PORT | PLUGIN_FAMILY | PLUGIN_LOGIN | PLUGIN_STATE_DIR,
    .options = options,
    .metrics = metrics,
    .nmain = 1,
    .thresholds_help = "A bare -w/-c applies to the main metric of the mode: queue_depth of\n"
		       "  each queue (queue), rabbitmq_messages (overview), rabbitmq_mem_pct of\n"
		       "  each node (node); health takes none. Rates are per second, as the API\n"
		       "  computes them. queue_stalled is how long (s, up to 600) a queue with\n"
		       "  messages ready and consumers attached has delivered and acknowledged\n"
		       "  nothing; without a threshold on it, -w queue_stalled=60\n"
		       "  -c queue_stalled=300 apply; any threshold on it replaces both\n"
		       "  (-c queue_stalled=~: alone turns it off).\n"
		       "  queue_not_draining_seconds is how long (s) messages have been ready\n"
		       "  while the depth never fell and nothing was delivered or acknowledged,\n"
		       "  consumers or not, from run to run (kept in the state file);\n"
		       "  queue_oldest_age_seconds the age of the first message where it carries\n"
		       "  a timestamp. Neither has a default threshold.",
    .host_help = "Host name or address of the management API (default 127.0.0.1).",
    .password_env = "RABBITMQ_PASSWORD",
    .examples = "  check_rabbitmq --queue celery -w 100 -c 1000 -c queue_consumers=1:\n"
		"      Celery's queue: deep, or nobody consuming it, is an alert.\n"
		"  check_rabbitmq --queue celery -w queue_not_draining_seconds=120\n"
		"      WARNING when messages have waited 2 minutes and none was taken.\n"
		"  check_rabbitmq -u https://mq1:15671 --ca-file /etc/ssl/mq.pem --mode node\n"
		"      Every node's alarms; CRITICAL on a memory or disk alarm.\n"
		"  check_rabbitmq --user nagios --password-file /etc/nagios/mq --mode health\n"
		"      The server's own health checks.",
    .option = on_option,
};

enum rabbitmq_mode rabbitmq_opts_mode(const struct rabbitmq_opts *o)
{
	if (o->mode != RABBITMQ_MODE_DEFAULT)
		return o->mode;
	return o->nnames > 0 || o->regex_text != NULL || o->vhost != NULL ? QUEUE : OVERVIEW;
}

static void opts_free(void *opts)
{
	struct rabbitmq_opts *o = opts;

	free(o->names);
	if (o->regex_text != NULL)
		regfree(&o->regex);
}

/*
 * Options that do not go together, and the default thresholds: a queue
 * stalled for a minute is a WARNING, for five minutes CRITICAL, unless a
 * threshold on queue_stalled says otherwise (long tasks keep a healthy
 * consumer from acknowledging for a while).
 */
static int opts_check(const void *opts, const struct plugin_args *a, char *err, size_t errlen)
{
	const struct rabbitmq_opts *o = opts;
	enum rabbitmq_mode mode = rabbitmq_opts_mode(o);
	struct threshold t = thresholds_get(a->thresholds, "", 0);

	if (mode != QUEUE && (o->nnames > 0 || o->regex_text != NULL)) {
		snprintf(err, errlen, "--queue and --queue-regex are for --mode queue");
		return -1;
	}
	if (o->node != NULL && mode != NODE) {
		snprintf(err, errlen, "--node is for --mode node");
		return -1;
	}
	if (mode == RABBITMQ_MODE_HEALTH && (t.has_warn || t.has_crit)) {
		snprintf(err, errlen, "--mode health takes no bare -w/-c: it has no main metric");
		return -1;
	}
	for (size_t k = 0; k < NMETRICS; k++) {
		t = thresholds_get(a->thresholds, table[k].name, -1);
		if ((t.has_warn || t.has_crit) && table[k].mode != mode) {
			snprintf(err, errlen, "%s is not a metric of --mode %s", table[k].name,
				 mode_names[mode]);
			return -1;
		}
	}
	t = thresholds_get(a->thresholds, "queue_stalled", -1);
	if (mode != QUEUE || t.has_warn || t.has_crit)
		return 0;
	if (thresholds_add(a->thresholds, false, "queue_stalled=60", 1, err, errlen) != 0 ||
	    thresholds_add(a->thresholds, true, "queue_stalled=300", 1, err, errlen) != 0)
		return -1;
	return 0;
}

/* Perfdata labels: METRIC_QUEUE in vhost /, METRIC_VHOST/QUEUE in others, METRIC_NODE. */
static const char *const keys[] = {"vhost=/", "queue", "node", NULL};

/* The set check_set() is looking at, for the words of a stalled queue. */
static _Thread_local const struct metric_set *checked_set;

/* Whether a and b are about the same queue. */
static bool same_queue(const struct metric *a, const struct metric *b)
{
	const char *av = metric_label(a, "vhost"), *bv = metric_label(b, "vhost");
	const char *aq = metric_label(a, "queue"), *bq = metric_label(b, "queue");

	return av != NULL && bv != NULL && aq != NULL && bq != NULL && strcmp(av, bv) == 0 &&
	       strcmp(aq, bq) == 0;
}

/*
 * The metric called name about the queue of m, looked for from the metric
 * number from on (a queue's metrics come together); NULL when none.
 */
static const struct metric *of_queue(const struct metric_set *set, size_t from,
				     const struct metric *m, const char *name)
{
	size_t n = metric_set_count(set);

	for (size_t k = 0; k < n; k++) {
		const struct metric *o = metric_set_at(set, (from + k) % n);

		if (strcmp(o->name, name) == 0 && same_queue(o, m))
			return o;
	}
	return NULL;
}

/* The value of the metric called name about the queue of m; NAN when none. */
static double queue_value(const struct metric_set *set, size_t from, const struct metric *m,
			  const char *name)
{
	const struct metric *o = of_queue(set, from, m, name);

	return o != NULL ? o->value : NAN;
}

/* The label of the queue's queue_info: its type or state; "" when not said. */
static const char *queue_word(const struct metric_set *set, size_t from, const struct metric *m,
			      const char *label)
{
	const struct metric *info = of_queue(set, from, m, "queue_info");
	const char *w = info != NULL ? metric_label(info, label) : NULL;

	return w != NULL ? w : "";
}

/*
 * "is stalled: 5 messages ready, 1 consumer holding 10 unacknowledged,
 * nothing delivered or acknowledged for 75 s" for the queue of m, stalled
 * for v seconds.
 */
static void stalled_words(const struct metric *m, double v, char *out, size_t outlen)
{
	char t[32], more[160] = "";

	num_duration(v, t, sizeof(t));
	if (checked_set != NULL && of_queue(checked_set, 0, m, "queue_depth") != NULL) {
		double ready = queue_value(checked_set, 0, m, "queue_ready"),
		       consumers = queue_value(checked_set, 0, m, "queue_consumers");

		snprintf(more, sizeof(more),
			 ": %g message%s ready, %g consumer%s holding %g unacknowledged,", ready,
			 num_plural(ready), consumers, num_plural(consumers),
			 queue_value(checked_set, 0, m, "queue_unacked"));
	}
	snprintf(out, outlen, "is stalled%s nothing delivered or acknowledged for %s%s", more, t,
		 v >= RABBITMQ_STALL_WINDOW ? " or more" : "");
}

/* "queue NAME has 5 messages": the words of a table entry for m at v, after whom they are about. */
static void say(const struct metric *m, double v, const char *words, char *out, size_t outlen)
{
	const char *q = metric_label(m, "queue"), *n = metric_label(m, "node");
	char said[256];

	if (strcmp(m->name, "queue_not_draining_seconds") == 0) {
		drain_say(m, v, words, out, outlen);
		return;
	}

	snprintf(said, sizeof(said), words, v);
	if (strcmp(m->name, "queue_consumers") == 0 && v == 0)
		snprintf(said, sizeof(said), "has no consumers");
	if (strcmp(m->name, "queue_stalled") == 0)
		stalled_words(m, v, said, sizeof(said));
	if (strcmp(m->name, "queue_oldest_age_seconds") == 0) {
		char t[32];

		num_duration(v, t, sizeof(t));
		snprintf(said, sizeof(said), "has a message published %s ago", t);
	}
	if (q != NULL)
		snprintf(out, outlen, "queue %s %s", q, said);
	else if (n != NULL)
		snprintf(out, outlen, "node %s %s", n, said);
	else
		snprintf(out, outlen, "%s", said);
}

/* The conditions that are CRITICAL whatever the thresholds, then every metric of mode. */
static void check_set(struct result *r, const struct plugin_args *a, const struct metric_set *set,
		      enum rabbitmq_mode mode, const char *main)
{
	checked_set = set;
	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);
		const char *q = metric_label(m, "queue"), *n = metric_label(m, "node");

		if (strcmp(m->name, "queue_running") == 0 && m->value == 0)
			result_add(r, STATE_CRITICAL, "queue %s is %s, not running", q,
				   queue_word(set, i, m, "state"));
		else if (strcmp(m->name, "queue_depth") == 0 && isnan(m->value))
			result_add(r, STATE_UNKNOWN, "queue %s has no statistics yet", q);
		else if (strcmp(m->name, "rabbitmq_running") == 0 && m->value == 0)
			result_add(r, STATE_CRITICAL, "node %s is not running", n);
		else if (strcmp(m->name, "rabbitmq_mem_alarm") == 0 && m->value == 1)
			result_add(r, STATE_CRITICAL,
				   "node %s has a memory alarm: publishers are blocked", n);
		else if (strcmp(m->name, "rabbitmq_disk_free_alarm") == 0 && m->value == 1)
			result_add(r, STATE_CRITICAL,
				   "node %s has a disk free alarm: publishers are blocked", n);
	}
	for (size_t k = 0; k < NMETRICS; k++)
		if (table[k].mode == mode)
			series_check_words(r, a, set, table[k].name,
					   strcmp(table[k].name, main) == 0 ? 0 : -1, keys,
					   table[k].words, say);
	checked_set = NULL;
}

/* The message rates of the queue of m in words; those the server did not give are left out. */
static void rates_words(const struct metric_set *set, size_t from, const struct metric *m,
			char *out, size_t outlen)
{
	static const char *const names[][2] = {{"queue_publish_rate", "published/s"},
					       {"queue_deliver_rate", "delivered/s"},
					       {"queue_ack_rate", "acks/s"}};
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && n < outlen; i++) {
		double v = queue_value(set, from, m, names[i][0]);
		int w;

		if (!isfinite(v))
			continue;
		w = snprintf(out + n, outlen - n, "%s%.2f %s", n > 0 ? ", " : "", v, names[i][1]);
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

		if (name == NULL || strcmp(name, q) != 0 || strcmp(m->name, "queue_info") == 0 ||
		    strcmp(m->name, "queue_missing") == 0)
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

/* One queue's line of long output, for its queue_depth, the metric number i. */
static void queue_line(struct result *r, const struct plugin_args *a, const struct metric_set *set,
		       size_t i)
{
	const struct metric *m = metric_set_at(set, i);
	double ready = queue_value(set, i, m, "queue_ready"),
	       unacked = queue_value(set, i, m, "queue_unacked"),
	       consumers = queue_value(set, i, m, "queue_consumers"),
	       stalled = queue_value(set, i, m, "queue_stalled"),
	       oldest = queue_value(set, i, m, "queue_oldest_age_seconds");
	char t[32] = "", more[256] = "", rates[160];
	size_t n = 0;

	if (stalled > 0) {
		num_duration(stalled, t, sizeof(t));
		n = (size_t)snprintf(more, sizeof(more), ", stalled for %s", t);
	}
	if (oldest >= 0 && n < sizeof(more)) {
		num_duration(oldest, t, sizeof(t));
		n += (size_t)snprintf(more + n, sizeof(more) - n, ", oldest message %s old", t);
	}
	if (n < sizeof(more) && drain_wanted(a))
		drain_words(set, m, more + n, sizeof(more) - n);
	rates_words(set, i, m, rates, sizeof(rates));
	result_long(r,
		    "queue %s: %g message%s (%g ready, %g unacknowledged), %g consumer%s, "
		    "%s %s, idle %g s, %s%s",
		    metric_label(m, "queue"), m->value, num_plural(m->value), ready, unacked,
		    consumers, num_plural(consumers), queue_word(set, i, m, "type"),
		    queue_word(set, i, m, "state"), queue_value(set, i, m, "queue_idle"), rates,
		    more);
}

/* --mode queue: the queues asked for, those missing, and what the listing found. */
static void mode_queue(struct result *r, const struct plugin_args *a, const struct rabbitmq_opts *o,
		       const struct metric_set *set)
{
	const struct metric *deepest = NULL, *listed = NULL;
	size_t n = 0, missing = 0;

	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);

		if (strcmp(m->name, "queue_missing") == 0 && m->value == 1) {
			result_add(r, STATE_CRITICAL, "queue %s not found in vhost %s",
				   metric_label(m, "queue"), metric_label(m, "vhost"));
			missing++;
		} else if (strcmp(m->name, "rabbitmq_queues_listed") == 0) {
			listed = m;
		}
	}
	check_set(r, a, set, QUEUE, "queue_depth");
	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);

		if (strcmp(m->name, "queue_depth") != 0)
			continue;
		queue_line(r, a, set, i);
		n++;
		if (deepest == NULL || m->value > deepest->value)
			deepest = m;
	}
	for (size_t i = 0; i < o->nnames; i++)
		if (metric_set_find(set, "queue_depth", "queue", o->names[i]) == NULL &&
		    metric_set_find(set, "queue_missing", "queue", o->names[i]) == NULL)
			result_add(r, STATE_UNKNOWN, "queue %s is not watched here", o->names[i]);
	if (deepest != NULL) {
		series_queues(r, n, metric_label(deepest, "queue"), deepest->value,
			      queue_named(a, set, metric_label(deepest, "queue")));
	} else if (listed != NULL && missing == 0 && o->nnames == 0) {
		const char *match =
		    o->regex_text != NULL ? o->regex_text : metric_label(listed, "match");

		result_add(r, STATE_OK, "no queues%s%s in vhost %s", match != NULL ? " match " : "",
			   match != NULL ? match : "", metric_label(listed, "vhost"));
	} else if (listed == NULL && missing == 0 && o->nnames == 0) {
		result_add(r, STATE_UNKNOWN, "no queues of vhost %s are watched here",
			   o->vhost != NULL ? o->vhost : "/");
	}
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

/* The version the overview gave, "" when none. */
static const char *version(const struct metric_set *set)
{
	const struct metric *m = metric_set_find(set, "rabbitmq_build_info", NULL, NULL);
	const char *v = m != NULL ? metric_label(m, "version") : NULL;

	return v != NULL ? v : "";
}

/* --mode overview. */
static void mode_overview(struct result *r, const struct plugin_args *a,
			  const struct metric_set *set)
{
	double messages = metric_set_value(set, "rabbitmq_messages", NULL, NULL),
	       ready = metric_set_value(set, "rabbitmq_messages_ready", NULL, NULL),
	       unacked = metric_set_value(set, "rabbitmq_messages_unacked", NULL, NULL);
	char queues[96], connections[96];

	check_set(r, a, set, OVERVIEW, "rabbitmq_messages");
	/* A new broker has no queue totals yet: no "nan messages". */
	if (isfinite(messages + ready + unacked))
		result_add(r, STATE_OK, "%g messages (%g ready, %g unacknowledged)", messages,
			   ready, unacked);
	else
		result_add(r, STATE_OK, "no message totals from the server yet");
	of_words(metric_set_value(set, "rabbitmq_queues", NULL, NULL), NAN, "queues", queues,
		 sizeof(queues));
	of_words(metric_set_value(set, "rabbitmq_connections", NULL, NULL), NAN, "connections",
		 connections, sizeof(connections));
	result_add(r, STATE_OK, "%s, %s, RabbitMQ %s", queues, connections, version(set));
}

/* --mode node. */
static void mode_node(struct result *r, const struct plugin_args *a, const struct rabbitmq_opts *o,
		      const struct metric_set *set)
{
	size_t n = 0;

	check_set(r, a, set, NODE, "rabbitmq_mem_pct");
	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);
		const char *node = metric_label(m, "node");
		char mem[96], fds[96], procs[96];

		if (strcmp(m->name, "rabbitmq_running") != 0 || node == NULL)
			continue;
		of_words(metric_set_value(set, "rabbitmq_mem_used", "node", node),
			 metric_set_value(set, "rabbitmq_mem_limit", "node", node),
			 "bytes of memory", mem, sizeof(mem));
		of_words(metric_set_value(set, "rabbitmq_fds_used", "node", node),
			 metric_set_value(set, "rabbitmq_fds_total", "node", node), "descriptors",
			 fds, sizeof(fds));
		of_words(metric_set_value(set, "rabbitmq_procs_used", "node", node),
			 metric_set_value(set, "rabbitmq_procs_total", "node", node), "processes",
			 procs, sizeof(procs));
		result_long(r, "node %s: %s, %s, %s, %s", node,
			    m->value == 1 ? "running" : "not running", mem, fds, procs);
		n++;
	}
	if (n == 0 && o->node != NULL)
		result_add(r, STATE_CRITICAL, "no node %s in the cluster", o->node);
	else
		result_add(r, STATE_OK, "%zu node%s", n, num_plural((double)n));
}

/* --mode health: the server's checks, and the aliveness test where it still means something. */
static void mode_health(struct result *r, const struct plugin_args *a, const struct metric_set *set)
{
	const struct metric *error = metric_set_find(set, "rabbitmq_health_error", NULL, NULL);
	size_t passed = 0, n = 0;

	/* The checks could not be run: the failure alone, as the plugin's. */
	if (error != NULL) {
		const char *why = metric_label(error, "reason");

		result_add(r, fail_state((int)error->value, a->timeout_state), "%s",
			   why != NULL ? why : "");
		return;
	}

	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);
		const char *path = metric_label(m, "check"), *reason = metric_label(m, "reason");

		if (strcmp(m->name, "rabbitmq_health_ok") != 0 || path == NULL)
			continue;
		n++;
		if (isnan(m->value)) {
			result_long(r, "%s: not on this server", path);
			continue;
		}
		reason = reason != NULL ? reason : "";
		if (m->value != 1)
			result_add(r, STATE_CRITICAL, "%s: %s", path, reason);
		result_long(r, "%s: %s", path, m->value == 1 ? "ok" : reason);
		passed += m->value == 1;
	}
	if (n == 0)
		result_add(r, STATE_UNKNOWN, "no health checks were run");
	else
		result_add(r, STATE_OK, "%zu health checks passed, RabbitMQ %s", passed,
			   version(set));
}

/* Whether m is one of mode's metrics (or one its words need). */
static bool of_mode(const struct metric *m, enum rabbitmq_mode mode)
{
	for (size_t k = 0; k < NMETRICS; k++)
		if (table[k].mode == mode && strcmp(table[k].name, m->name) == 0)
			return true;
	for (size_t k = 0; k < sizeof(also) / sizeof(also[0]); k++)
		if (also[k].mode == mode && strcmp(also[k].name, m->name) == 0)
			return true;
	return false;
}

/*
 * Whether m is about what o picks: the vhost, the queues named or matched,
 * the node. A plugin's set holds only those; the agent's all its section
 * watches.
 */
static bool wanted(const struct rabbitmq_opts *o, const struct metric *m)
{
	const char *vhost = metric_label(m, "vhost"), *q = metric_label(m, "queue"),
		   *node = metric_label(m, "node");
	bool named = false;

	if (o->vhost != NULL && vhost != NULL && strcmp(o->vhost, vhost) != 0)
		return false;
	if (o->node != NULL && node != NULL && strcmp(o->node, node) != 0)
		return false;
	if (q == NULL || (o->nnames == 0 && o->regex_text == NULL))
		return true;
	for (size_t i = 0; i < o->nnames && !named; i++)
		named = strcmp(o->names[i], q) == 0;
	return named || (o->regex_text != NULL && regexec(&o->regex, q, 0, NULL, 0) == 0);
}

static void judge(struct result *r, const struct verdict_in *in)
{
	const struct rabbitmq_opts *o = in->opts;
	enum rabbitmq_mode mode = rabbitmq_opts_mode(o);
	struct metric_set *view = metric_set_new();

	for (size_t i = 0; i < metric_set_count(in->set); i++) {
		const struct metric *m = metric_set_at(in->set, i);

		if (of_mode(m, mode) && wanted(o, m))
			metric_set_copy(view, m);
	}
	if (mode == QUEUE)
		mode_queue(r, in->args, o, view);
	else if (mode == OVERVIEW)
		mode_overview(r, in->args, view);
	else if (mode == NODE)
		mode_node(r, in->args, o, view);
	else
		mode_health(r, in->args, view);
	metric_set_free(view);
}

/*
 * Through the agent: the mode and thresholds, and --vhost, --queue,
 * --queue-regex and --node to pick from what its section watches. Where
 * and how to connect is the section's.
 */
static const char *const agent_options[] = {"mode", "queue", "queue-regex", "vhost", "node", NULL};

const struct verdict verdict_rabbitmq = {
    .name = "rabbitmq",
    .kind = "rabbitmq",
    .plugin = &plugin,
    .agent_options = agent_options,
    .opts_size = sizeof(struct rabbitmq_opts),
    .opts_free = opts_free,
    .opts_check = opts_check,
    .judge = judge,
};
