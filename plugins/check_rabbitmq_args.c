/*
 * check_rabbitmq's command line (see check_rabbitmq.h): the metrics of each
 * mode, the option table and --help, each option into struct
 * check_rabbitmq_opts, and the usage errors only the options together show.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_rabbitmq.h"
#include "clock.h"
#include "xalloc.h"

enum { OPT_MODE = 256, OPT_QUEUE, OPT_QUEUE_REGEX, OPT_VHOST, OPT_NODE, OPT_CA_FILE, OPT_INSECURE };

static const char *const mode_names[] = {"", "queue", "overview", "node", "health"};

/* In perfdata order; a mode checks its own. */
const struct check_rabbitmq_metric check_rabbitmq_metrics[] = {
    {"queue_depth", "has %g messages", MODE_QUEUE},
    {"queue_ready", "has %g messages ready", MODE_QUEUE},
    {"queue_unacked", "has %g unacknowledged messages", MODE_QUEUE},
    {"queue_consumers", "has %g consumers", MODE_QUEUE},
    {"queue_idle", "has been idle for %g s", MODE_QUEUE},
    {"queue_running", "running is %g", MODE_QUEUE},
    {"queue_publish_rate", "gets %.2f messages/s published", MODE_QUEUE},
    {"queue_deliver_rate", "delivers %.2f messages/s", MODE_QUEUE},
    {"queue_ack_rate", "gets %.2f acks/s", MODE_QUEUE},
    {"queue_stalled", "is stalled for %g s", MODE_QUEUE},
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
#define NMETRICS (sizeof(check_rabbitmq_metrics) / sizeof(check_rabbitmq_metrics[0]))
const size_t check_rabbitmq_nmetrics = NMETRICS;
/* The names of check_rabbitmq_metrics, for -w/-c METRIC=RANGE; filled at start. */
static const char *metrics[NMETRICS + 1];

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
	struct check_rabbitmq_opts *o = ctx;
	bool compiled;
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
		o->target.ca_file = arg;
		return 0;
	case OPT_INSECURE:
		o->target.insecure = true;
		return 0;
	}
	return 0;
}

const struct plugin check_rabbitmq = {
    .name = "check_rabbitmq",
    .service = "RABBITMQ",
    .purpose = "Checks a RabbitMQ broker through its management HTTP API. --mode queue:\n"
	       "the depth, consumers, idle time, state and rates of queues; a missing\n"
	       "queue or one not running is CRITICAL; a stalled one (messages ready,\n"
	       "consumers attached, nothing delivered or acknowledged: queue_stalled) is\n"
	       "a WARNING after 60 s and CRITICAL after 300 s unless thresholds say else.\n"
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
    .common = PLUGIN_HOST | PLUGIN_PORT | PLUGIN_FAMILY | PLUGIN_LOGIN,
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
		       "  (-c queue_stalled=~: alone turns it off).",
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

/* Usage errors plugin_start cannot know about; exits 3 on the first. */
static void check_args(const struct plugin_args *a, struct check_rabbitmq_opts *o)
{
	struct threshold t = thresholds_get(a->thresholds, "", 0);
	char why[1400];

	if (o->mode == MODE_DEFAULT)
		o->mode = o->nnames > 0 || o->regex_text != NULL || o->vhost != NULL
			      ? MODE_QUEUE
			      : MODE_OVERVIEW;
	if (o->url != NULL && a->port != 0)
		plugin_usage_error("give either -u URL or -p PORT, not both");
	if (o->url != NULL && http1_url_check(o->url, "-u", why, sizeof(why)) != 0)
		plugin_usage_error("%s", why);
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
		const struct check_rabbitmq_metric *m = &check_rabbitmq_metrics[k];

		t = thresholds_get(a->thresholds, m->name, -1);
		if ((t.has_warn || t.has_crit) && m->mode != o->mode)
			plugin_usage_error("%s is not a metric of --mode %s", m->name,
					   mode_names[o->mode]);
	}
}

/*
 * A queue stalled for a minute is a WARNING, for five minutes CRITICAL,
 * unless a threshold on queue_stalled says otherwise: long tasks keep a
 * healthy consumer from acknowledging for a while.
 */
static void default_thresholds(struct plugin_args *a, const struct check_rabbitmq_opts *o)
{
	struct threshold t = thresholds_get(a->thresholds, "queue_stalled", -1);
	char err[128];

	if (o->mode != MODE_QUEUE || t.has_warn || t.has_crit)
		return;
	if (thresholds_add(a->thresholds, false, "queue_stalled=60", 1, err, sizeof(err)) != 0 ||
	    thresholds_add(a->thresholds, true, "queue_stalled=300", 1, err, sizeof(err)) != 0)
		plugin_usage_error("%s", err);
}

/* http://HOST:PORT from -H and -p, an IPv6 literal in brackets. */
static void default_url(const struct plugin_args *a, char *out, size_t outlen)
{
	const char *host = a->host != NULL ? a->host : "127.0.0.1";
	bool v6 = strchr(host, ':') != NULL;

	snprintf(out, outlen, "http://%s%s%s:%ld", v6 ? "[" : "", host, v6 ? "]" : "",
		 a->port != 0 ? a->port : (long)PROBE_RABBITMQ_PORT);
}

void check_rabbitmq_args(int argc, char **argv, struct check_rabbitmq_opts *o,
			 struct plugin_args *a)
{
	for (size_t k = 0; k < NMETRICS; k++)
		metrics[k] = check_rabbitmq_metrics[k].name;
	plugin_start(&check_rabbitmq, argc, argv, o, a);
	/* -u replaces -H: a command line that always passes the host's
	 * address (the Nagios commands) can still point at a URL. */
	if (o->url != NULL)
		a->host = NULL;
	check_args(a, o);
	default_thresholds(a, o);
	if (o->url == NULL)
		default_url(a, o->default_url, sizeof(o->default_url));
	o->vhost = o->vhost != NULL ? o->vhost : "/";
	o->target.url = o->url != NULL ? o->url : o->default_url;
	o->target.user = a->user != NULL ? a->user : "guest";
	o->target.password = a->password != NULL ? a->password : a->user == NULL ? "guest" : "";
	o->target.family = a->family;
	o->target.deadline = time_monotonic() + a->timeout;
	o->target.limit = a->timeout;
	o->target.user_agent = "check_rabbitmq/" PACKAGE_VERSION;
	o->target.ca_hint = "--ca-file";
	probe_rabbitmq_hostport(&o->target, o->hostport, sizeof(o->hostport));
}

void check_rabbitmq_opts_free(struct check_rabbitmq_opts *o)
{
	free(o->names);
	if (o->regex_text != NULL)
		regfree(&o->regex);
}
