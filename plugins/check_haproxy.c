/*
 * check_haproxy: HAProxy balancing app servers and database replicas. The
 * options and the verdict are verdict_haproxy's (lib/probe/haproxy_verdict.c);
 * here the statistics are read from the stats socket or the stats page.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>

#include "clock.h"
#include "fail.h"
#include "http1.h"
#include "httpc.h"
#include "plugin.h"
#include "probe/haproxy.h"
#include "probe/haproxy_verdict.h"
#include "series.h"
#include "verdict.h"

/* What main() holds, so that an early end frees it too. */
static struct haproxy_opts run_opts;
static struct httpc client;

static void run_free(void)
{
	verdict_haproxy.opts_free(&run_opts);
	httpc_free(&client);
}

/* Read the statistics from the socket or the page; exits on failure. */
static void fetch(const struct plugin_args *a, const struct haproxy_opts *o,
		  struct haproxy_stat *st, struct haproxy_info *in, char *source, size_t sourcelen)
{
	struct net_target t = {.host = a->host,
			       .port = a->port,
			       .family = a->family,
			       .deadline = time_monotonic() + a->timeout,
			       .limit = a->timeout};
	struct httpc_opts h = {.url = o->url,
			       .timeout = a->timeout,
			       .user = a->user,
			       .password = a->password,
			       .ca_file = o->ca_file,
			       .insecure = o->insecure,
			       .family = a->family,
			       .user_agent = "check_haproxy/" PACKAGE_VERSION,
			       .ca_hint = "--ca-file"};
	char err[1024];
	int why;

	if (o->url == NULL && a->port == 0)
		t.path = a->host != NULL ? a->host : "/run/haproxy/admin.sock";
	if (o->url != NULL)
		snprintf(source, sourcelen, "%s", o->url);
	else
		net_describe(&t, source, sourcelen);
	if (o->url != NULL) {
		httpc_init(&client, false, err, sizeof(err));
		why = probe_haproxy_http(&client, &h, st, err, sizeof(err));
	} else {
		why = probe_haproxy_socket(&t, st, in, err, sizeof(err));
	}
	if (why == 0)
		return;
	run_free();
	plugin_exit(fail_state(why, a->timeout_state), "%s", err);
}

int main(int argc, char **argv)
{
	struct plugin_args a;
	struct haproxy_stat st;
	struct haproxy_info in = {.curr_conns = NAN};
	struct metric_set *set;
	struct result *r;
	struct rates rates;
	char source[1024], why[1400];

	verdict_start(&verdict_haproxy, argc, argv, &run_opts, &a);
	if (run_opts.url != NULL && a.port != 0)
		plugin_usage_error("give either -u URL or -H HOST -p PORT, not both");
	/* -u replaces -H SOCKET: the Nagios commands always pass a socket. */
	if (run_opts.url != NULL)
		a.host = NULL;
	if (run_opts.url != NULL && http1_url_check(run_opts.url, "-u", why, sizeof(why)) != 0)
		plugin_usage_error("%s", why);
	fetch(&a, &run_opts, &st, &in, source, sizeof(source));
	set = metric_set_new();
	haproxy_stat_metrics(&st, set);
	if (!isnan(in.curr_conns))
		haproxy_info_metrics(&in, set);
	haproxy_stat_free(&st);
	r = result_new(verdict_haproxy.plugin->service);
	series_rates_open(r, &a, source, &rates);
	verdict_haproxy.judge(
	    r, &(struct verdict_in){
		   .args = &a, .opts = &run_opts, .set = set, .source = source, .rates = &rates});
	series_rates_close(r, &rates);
	metric_set_free(set);
	run_free();
	plugin_finish(r);
}
