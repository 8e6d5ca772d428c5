/*
 * check_nginx: nginx in front of the application, through its stub_status
 * page: connections by state, accepted, handled and served requests as
 * counters and per-second rates, connections dropped for want of
 * worker_connections, requests per connection and the page's response
 * time; optionally the kernel's accept queue of nginx's port.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fail.h"
#include "httpc.h"
#include "num.h"
#include "plugin.h"
#include "probe/listen.h"
#include "probe/nginx.h"
#include "series.h"
#include "statefile.h"

enum {
	OPT_URI = 256,
	OPT_HOST_HEADER,
	OPT_TLS,
	OPT_CA_FILE,
	OPT_INSECURE,
	OPT_LISTEN_QUEUE,
};

struct opts {
	const char *url, *uri, *host_header, *ca_file;
	bool tls, insecure, listen_queue;
};

static const struct plugin_option options[] = {
    {"url", 'u', "URL", "The stub_status page, http://HOST:PORT/PATH or https://..."},
    {"uri", OPT_URI, "PATH", "The page's path with -H (default /nginx_status)."},
    {"host-header", OPT_HOST_HEADER, "NAME",
     "Send Host: NAME, for a status page inside a virtual host."},
    {"tls", OPT_TLS, NULL, "With -H: talk HTTPS (default port 443)."},
    {"ca-file", OPT_CA_FILE, "FILE", "Verify the server's certificate against FILE."},
    {"insecure", OPT_INSECURE, NULL, "Do not verify the server's certificate."},
    {"listen-queue", OPT_LISTEN_QUEUE, NULL,
     "Also report the kernel's accept queue of nginx's port (run on the nginx\n"
     "host): connections waiting for a worker to accept them."},
    {NULL, 0, NULL, NULL},
};

static const char *const metrics[] = {"nginx_active",
				      "nginx_reading",
				      "nginx_writing",
				      "nginx_waiting",
				      "nginx_accepts_rate",
				      "nginx_handled_rate",
				      "nginx_requests_rate",
				      "nginx_dropped_rate",
				      "nginx_requests_per_conn",
				      "nginx_response_time",
				      "listen_queue",
				      "listen_queue_pct",
				      NULL};

static int on_option(void *ctx, int val, const char *arg, char *err, size_t errlen)
{
	struct opts *o = ctx;

	(void)err;
	(void)errlen;
	switch (val) {
	case 'u':
		o->url = arg;
		break;
	case OPT_URI:
		o->uri = arg;
		break;
	case OPT_HOST_HEADER:
		for (const char *c = arg; *c != '\0'; c++)
			if ((unsigned char)*c < ' ' || *c == 0x7f)
				plugin_usage_error("invalid --host-header: it holds a control "
						   "character");
		o->host_header = arg;
		break;
	case OPT_TLS:
		o->tls = true;
		break;
	case OPT_CA_FILE:
		o->ca_file = arg;
		break;
	case OPT_INSECURE:
		o->insecure = true;
		break;
	case OPT_LISTEN_QUEUE:
		o->listen_queue = true;
		break;
	}
	return 0;
}

static const struct plugin check_nginx = {
    .name = "check_nginx",
    .service = "NGINX",
    .purpose = "Checks nginx through its stub_status page: active, reading, writing and\n"
	       "waiting connections; accepted, handled and served requests as counters\n"
	       "and as rates per second since the last run; connections dropped per\n"
	       "second (accepted but not handled: worker_connections is exhausted);\n"
	       "requests per connection since nginx started; and the time the page took.\n"
	       "An HTTP error or a redirect is CRITICAL, naming the status; a 200 page\n"
	       "that is not stub_status is UNKNOWN. After a restart of nginx the rates\n"
	       "start again instead of going negative.",
    .synopsis = "[-H HOST [-p PORT] [--uri PATH] | -u URL] [--host-header NAME] "
		"[--user NAME --password-file FILE] [--listen-queue] [-w [METRIC=]RANGE] "
		"[-c [METRIC=]RANGE] [-t SECONDS[:STATE]]",
    .common = PLUGIN_HOST | PLUGIN_PORT | PLUGIN_FAMILY | PLUGIN_STATE_DIR | PLUGIN_LOGIN,
    .options = options,
    .metrics = metrics,
    .nmain = 1,
    .thresholds_help = "A bare -w/-c applies to active connections (nginx_active). Rates\n"
		       "  are per second since the last run.",
    .host_help = "Host name or address of nginx (default 127.0.0.1).",
    .password_env = "NGINX_STATUS_PASSWORD",
    .examples = "  check_nginx -w 800 -c 1000 -c nginx_dropped_rate=0\n"
		"      http://127.0.0.1/nginx_status: many connections, or any dropped.\n"
		"  check_nginx -u https://web1/status --host-header www.example.com\n"
		"      A status page inside a virtual host, over verified HTTPS.\n"
		"  check_nginx --listen-queue -w listen_queue_pct=50\n"
		"      Connections waiting for nginx's workers to accept them.",
    .option = on_option,
};

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

/* The accept queue of every listener on port, against its backlog. */
static void listen_queue(struct result *r, const struct plugin_args *a, long port)
{
	static const char *const keys[] = {"address", "port", NULL};
	struct metric_set *set = metric_set_new(), *mine = metric_set_new();
	char err[256], p[32];

	snprintf(p, sizeof(p), "%ld", port);
	if (probe_listen_collect(set, err, sizeof(err)) != 0)
		result_add(r, STATE_UNKNOWN, "no accept queue: %s", err);
	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);
		const struct metric *b = metric_set_find_like(set, "listen_backlog", m);
		struct metric *q, *pct;

		if (strcmp(m->name, "listen_queue") != 0 || strcmp(metric_label(m, "port"), p) != 0)
			continue;
		q = metric_set_add(mine, "listen_queue", METRIC_GAUGE, "", m->value);
		metric_label_add(q, "address", metric_label(m, "address"));
		metric_label_add(q, "port", p);
		pct = metric_set_add(mine, "listen_queue_pct", METRIC_GAUGE, "%",
				     b != NULL && b->value > 0 ? 100 * m->value / b->value : NAN);
		metric_label_add(pct, "address", metric_label(m, "address"));
		metric_label_add(pct, "port", p);
	}
	if (metric_set_count(mine) == 0)
		result_add(r, STATE_UNKNOWN, "nothing listens on port %ld here", port);
	series_check(r, a, mine, "listen_queue", -1, keys, "connections waiting to be accepted:");
	series_check(r, a, mine, "listen_queue_pct", -1, keys, "accept queue at");
	metric_set_free(set);
	metric_set_free(mine);
}

/* Rates since the last run, and requests per connection. */
static void rates(struct result *r, const struct plugin_args *a, const char *target,
		  const struct metric_set *set)
{
	double requests = metric_set_value(set, "nginx_requests", NULL, NULL);
	double handled = metric_set_value(set, "nginx_handled", NULL, NULL);
	struct metric_set *per = metric_set_new();
	struct rates rates;

	series_rates_open(r, a, target, &rates);
	series_rate(r, a, &rates, set, "nginx_dropped", NULL, "connections dropped per second:");
	series_rate(r, a, &rates, set, "nginx_accepts", NULL, "connections accepted per second:");
	series_rate(r, a, &rates, set, "nginx_handled", NULL, "connections handled per second:");
	series_rate(r, a, &rates, set, "nginx_requests", NULL, "requests per second:");
	series_rates_close(r, &rates);
	if (handled > 0)
		metric_set_add(per, "nginx_requests_per_conn", METRIC_GAUGE, "",
			       requests / handled);
	series_check(r, a, per, "nginx_requests_per_conn", -1, NULL, "requests per connection:");
	metric_set_free(per);
}

/* The target URL from -u, or from -H, -p, --tls and --uri. */
static void target_url(const struct plugin_args *a, const struct opts *o, char *out, size_t outlen)
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
	static const char *const none[] = {NULL};
	struct opts o = {0};
	struct plugin_args a;
	struct httpc_opts h = {0};
	struct metric_set *set;
	struct result *r;
	char url[2048], target[2600], host[600];
	const char *headers[] = {host, NULL};
	struct http1_url u;
	int why;

	plugin_start(&check_nginx, argc, argv, &o, &a);
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
	r = result_new(check_nginx.service);
	result_add(r, STATE_OK, "%g active connection%s",
		   metric_set_value(set, "nginx_active", NULL, NULL),
		   num_plural(metric_set_value(set, "nginx_active", NULL, NULL)));
	series_check(r, &a, set, "nginx_active", 0, none, "active connections:");
	series_check(r, &a, set, "nginx_reading", -1, none, "connections reading:");
	series_check(r, &a, set, "nginx_writing", -1, none, "connections writing:");
	series_check(r, &a, set, "nginx_waiting", -1, none, "connections waiting:");
	series_check(r, &a, set, "nginx_accepts", -1, none, "connections accepted:");
	series_check(r, &a, set, "nginx_handled", -1, none, "connections handled:");
	series_check(r, &a, set, "nginx_requests", -1, none, "requests:");
	series_check(r, &a, set, "nginx_response_time", -1, none, "the page took");
	snprintf(target, sizeof(target), "%s host=%s", url,
		 o.host_header != NULL ? o.host_header : "");
	rates(r, &a, target, set);
	if (o.listen_queue)
		listen_queue(r, &a, u.port);
	metric_set_free(set);
	plugin_finish(r);
}
