/*
 * check_nginx: nginx in front of the application, through its stub_status
 * page, and optionally the kernel's accept queue of nginx's port. The
 * options and the verdict are verdict_nginx's (lib/probe/nginx_verdict.c);
 * here the page, and the host's listen sockets, are read.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fail.h"
#include "http1.h"
#include "httpc.h"
#include "plugin.h"
#include "probe/listen.h"
#include "probe/nginx.h"
#include "probe/nginx_verdict.h"
#include "series.h"
#include "verdict.h"

/* What main() holds for the whole run, so that an early end frees it too. */
static struct httpc client;

static void run_free(void)
{
	httpc_free(&client);
}

/* End the run for a probe failure, in the state fail_state() gives it. */
static void fail(const struct plugin_args *a, int why, const char *err) __attribute__((noreturn));
static void fail(const struct plugin_args *a, int why, const char *err)
{
	run_free();
	plugin_exit(fail_state(why, a->timeout_state), "%s", err);
}

/* The target URL from -u, or from -H, -p, --tls and --uri. */
static void target_url(const struct plugin_args *a, const struct nginx_opts *o, char *out,
		       size_t outlen)
{
	const char *host = a->host != NULL ? a->host : "127.0.0.1";
	bool v6 = strchr(host, ':') != NULL;
	char why[2400];
	long port = a->port != 0 ? a->port : o->tls ? 443 : 80;

	if (o->url != NULL && (a->host != NULL || a->port != 0 || o->uri != NULL || o->tls))
		plugin_usage_error("give either -u URL or -H, -p, --uri and --tls, not both");
	if (o->url != NULL && http1_url_check(o->url, "-u", why, sizeof(why)) != 0)
		plugin_usage_error("%s", why);
	if (o->uri != NULL && o->uri[0] != '/')
		plugin_usage_error("invalid --uri '%s': expected a path starting with /", o->uri);
	if (o->url != NULL)
		snprintf(out, outlen, "%s", o->url);
	else
		snprintf(out, outlen, "%s://%s%s%s:%ld%s", o->tls ? "https" : "http", v6 ? "[" : "",
			 host, v6 ? "]" : "", port, o->uri != NULL ? o->uri : "/nginx_status");
}

int main(int argc, char **argv)
{
	struct nginx_opts o;
	struct plugin_args a;
	struct httpc_opts h = {0};
	struct metric_set *set;
	struct result *r;
	struct rates rates;
	char url[2048], target[2600], host[600], listen_err[256];
	const char *headers[] = {host, NULL};
	struct http1_url u;
	int why;

	verdict_start(&verdict_nginx, argc, argv, &o, &a);
	target_url(&a, &o, url, sizeof(url));
	h.url = url;
	h.timeout = a.timeout;
	h.user = a.user;
	h.password = a.password;
	h.ca_file = o.ca_file;
	h.insecure = o.insecure;
	h.family = a.family;
	h.user_agent = "check_nginx/" PACKAGE_VERSION;
	h.ca_hint = "--ca-file";
	if (http1_url_parse(url, &u, target, sizeof(target)) != 0)
		plugin_usage_error("invalid -u '%s': no host and port in it", url);
	if (o.host_header != NULL) {
		snprintf(host, sizeof(host), "Host: %s", o.host_header);
		h.headers = headers;
	}
	httpc_init(&client, false, NULL, 0);
	set = metric_set_new();
	why = probe_nginx(&client, &h, set, target, sizeof(target));
	if (why != 0) {
		metric_set_free(set);
		fail(&a, why, target);
	}
	run_free();
	/* The listeners of the host, for the verdict to pick nginx's port's. */
	if (o.listen_queue) {
		o.port = u.port;
		if (probe_listen_collect(set, listen_err, sizeof(listen_err)) != 0)
			o.listen_err = listen_err;
	}
	snprintf(target, sizeof(target), "%s host=%s", url,
		 o.host_header != NULL ? o.host_header : "");
	r = result_new(verdict_nginx.plugin->service);
	series_rates_open(r, &a, target, &rates);
	verdict_nginx.judge(
	    r, &(struct verdict_in){
		   .args = &a, .opts = &o, .set = set, .source = url, .rates = &rates});
	series_rates_close(r, &rates);
	metric_set_free(set);
	plugin_finish(r);
}
