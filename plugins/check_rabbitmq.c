/*
 * check_rabbitmq: a RabbitMQ broker through its management HTTP API: the
 * depth and flow of its queues, the overview, the nodes' alarms and
 * limits, and the server's own health checks (--mode). The options and the
 * verdict are verdict_rabbitmq's (lib/probe/rabbitmq_verdict.c).
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "drain.h"
#include "fail.h"
#include "plugin.h"
#include "probe/rabbitmq.h"
#include "probe/rabbitmq_verdict.h"
#include "series.h"
#include "verdict.h"

/* What main() holds for the whole run, so that an early end frees it too. */
static struct httpc client;
static struct metric_set *run_set;
static struct rabbitmq_queues run_queues;
static struct rabbitmq_nodes run_nodes;

/* Free what main() holds. */
static void run_free(void)
{
	httpc_free(&client);
	metric_set_free(run_set);
	rabbitmq_queues_free(&run_queues);
	rabbitmq_nodes_free(&run_nodes);
}

/* End the run for a probe failure in state s: the failure alone is the answer. */
static void fail(enum state s, const char *err) __attribute__((noreturn));
static void fail(enum state s, const char *err)
{
	run_free();
	plugin_exit(s, "%s", err);
}

/* Usage errors only a command line can make; exits 3 on the first. */
static void check_usage(const struct plugin_args *a, const struct rabbitmq_opts *o)
{
	char why[1400];

	if (o->url != NULL && a->port != 0)
		plugin_usage_error("give either -u URL or -p PORT, not both");
	if (o->url != NULL && http1_url_check(o->url, "-u", why, sizeof(why)) != 0)
		plugin_usage_error("%s", why);
	if (a->host != NULL &&
	    strspn(a->host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789.-_:") != strlen(a->host))
		plugin_usage_error("invalid host '%s': expected a name or an address", a->host);
}

/* http://HOST:PORT from -H and -p, an IPv6 literal in brackets. */
static void default_url(const struct plugin_args *a, char *out, size_t outlen)
{
	const char *host = a->host != NULL ? a->host : "127.0.0.1";
	bool v6 = strchr(host, ':') != NULL;

	snprintf(out, outlen, "http://%s%s%s:%ld", v6 ? "[" : "", host, v6 ? "]" : "",
		 a->port != 0 ? a->port : (long)PROBE_RABBITMQ_PORT);
}

/* --mode queue: the named queues, or those the regex matches, or all of the vhost. */
static int probe_queues(const struct rabbitmq_opts *o, const struct rabbitmq_target *t,
			const char *vhost, char *err, size_t errlen)
{
	int why = 0;

	for (size_t i = 0; i < o->nnames && why == 0; i++) {
		why =
		    probe_rabbitmq_queue(&client, t, vhost, o->names[i], &run_queues, err, errlen);
		/* Noted in run_queues: the verdict says so. */
		why = why == FAIL_NOT_FOUND ? 0 : why;
	}
	if (why == 0 && (o->regex_text != NULL || o->nnames == 0))
		why = probe_rabbitmq_queues(&client, t, vhost,
					    o->regex_text != NULL ? &o->regex : NULL, o->regex_text,
					    0, &run_queues, err, errlen);
	return why;
}

int main(int argc, char **argv)
{
	struct rabbitmq_opts o;
	struct plugin_args a;
	struct rabbitmq_target t = {0};
	struct rabbitmq_overview ov;
	enum rabbitmq_mode mode;
	const char *vhost;
	char hostport[300], url[600], err[1024];
	struct rates rates = {0};
	struct result *r;
	int why;

	verdict_start(&verdict_rabbitmq, argc, argv, &o, &a);
	/* -u replaces -H: a command line that always passes the host's
	 * address (the Nagios commands) can still point at a URL. */
	if (o.url != NULL)
		a.host = NULL;
	check_usage(&a, &o);
	mode = rabbitmq_opts_mode(&o);
	vhost = o.vhost != NULL ? o.vhost : "/";
	if (o.url == NULL)
		default_url(&a, url, sizeof(url));
	t.url = o.url != NULL ? o.url : url;
	t.user = a.user != NULL ? a.user : "guest";
	t.password = a.password != NULL ? a.password : a.user == NULL ? "guest" : "";
	t.ca_file = o.ca_file;
	t.insecure = o.insecure;
	t.family = a.family;
	t.deadline = time_monotonic() + a.timeout;
	t.limit = a.timeout;
	t.user_agent = "check_rabbitmq/" PACKAGE_VERSION;
	t.ca_hint = "--ca-file";
	probe_rabbitmq_hostport(&t, hostport, sizeof(hostport));
	httpc_init(&client, false, NULL, 0);
	run_set = metric_set_new();
	if (mode == RABBITMQ_MODE_QUEUE) {
		why = probe_queues(&o, &t, vhost, err, sizeof(err));
		if (why == 0)
			rabbitmq_queues_metrics(&run_queues, hostport, run_set);
		if (why == 0)
			series_rates_open(NULL, &a, hostport, &rates);
		if (why == 0 && rates.sf != NULL)
			drain_track_state(run_set, rates.sf);
	} else if (mode == RABBITMQ_MODE_NODE) {
		why = probe_rabbitmq_nodes(&client, &t, o.node, &run_nodes, err, sizeof(err));
		if (why == FAIL_NOT_FOUND)
			fail(STATE_CRITICAL, err);
		if (why == 0)
			rabbitmq_nodes_metrics(&run_nodes, hostport, run_set);
	} else {
		why = probe_rabbitmq_overview(&client, &t, &ov, err, sizeof(err));
		if (why == 0)
			rabbitmq_overview_metrics(&ov, hostport, run_set);
		if (why == 0 && mode == RABBITMQ_MODE_HEALTH)
			why = probe_rabbitmq_health_all(&client, &t, vhost, ov.version, hostport,
							run_set, err, sizeof(err));
	}
	if (why != 0)
		fail(fail_state(why, a.timeout_state), err);
	r = verdict_judge(
	    &verdict_rabbitmq,
	    &(struct verdict_in){
		.args = &a, .opts = &o, .set = run_set, .source = hostport, .rates = &rates});
	series_rates_close(r, &rates);
	run_free();
	verdict_free_opts(&verdict_rabbitmq, &o, &a);
	plugin_finish(r);
}
