/*
 * check_nginx's verdict: connections by state, accepted, handled and served
 * requests as counters and per-second rates, connections dropped for want
 * of worker_connections, requests per connection and the page's response
 * time; with --listen-queue, the kernel's accept queue of nginx's port.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "num.h"
#include "plugin.h"
#include "probe/nginx_verdict.h"
#include "series.h"
#include "verdict.h"

enum {
	OPT_URI = 256,
	OPT_HOST_HEADER,
	OPT_TLS,
	OPT_CA_FILE,
	OPT_INSECURE,
	OPT_LISTEN_QUEUE,
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
	struct nginx_opts *o = ctx;

	switch (val) {
	case 'u':
		o->url = arg;
		break;
	case OPT_URI:
		o->uri = arg;
		break;
	case OPT_HOST_HEADER:
		for (const char *c = arg; *c != '\0'; c++) {
			if ((unsigned char)*c < ' ' || *c == 0x7f) {
				snprintf(err, errlen,
					 "invalid --host-header: it holds a control character");
				return -1;
			}
		}
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

static const struct plugin plugin = {
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

/* The accept queue of every listener on nginx's port, against its backlog. */
static void listen_queue(struct result *r, const struct plugin_args *a, const struct nginx_opts *o,
			 const struct metric_set *set)
{
	static const char *const keys[] = {"address", "port", NULL};
	struct metric_set *mine;
	char p[32];

	if (o->port == 0) {
		result_add(r, STATE_UNKNOWN,
			   "no accept queue: vaktd's [nginx] collector reads the stub_status page "
			   "only, the host's accept queues are its [listen] collector's");
		return;
	}
	if (o->listen_err != NULL)
		result_add(r, STATE_UNKNOWN, "no accept queue: %s", o->listen_err);
	snprintf(p, sizeof(p), "%ld", o->port);
	mine = metric_set_new();
	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);
		const char *port = metric_label(m, "port");
		const struct metric *b;
		struct metric *q, *pct;

		if (strcmp(m->name, "listen_queue") != 0 || port == NULL || strcmp(port, p) != 0)
			continue;
		b = metric_set_find_like(set, "listen_backlog", m);
		q = metric_set_add(mine, "listen_queue", METRIC_GAUGE, "", m->value);
		metric_label_add(q, "address", metric_label(m, "address"));
		metric_label_add(q, "port", p);
		pct = metric_set_add(mine, "listen_queue_pct", METRIC_GAUGE, "%",
				     b != NULL && b->value > 0 ? 100 * m->value / b->value : NAN);
		metric_label_add(pct, "address", metric_label(m, "address"));
		metric_label_add(pct, "port", p);
	}
	if (metric_set_count(mine) == 0)
		result_add(r, STATE_UNKNOWN, "nothing listens on port %ld here", o->port);
	series_check(r, a, mine, "listen_queue", -1, keys, "connections waiting to be accepted:");
	series_check(r, a, mine, "listen_queue_pct", -1, keys, "accept queue at");
	metric_set_free(mine);
}

/* Rates since the last run, and requests per connection. */
static void rates(struct result *r, const struct plugin_args *a, struct rates *rates,
		  const struct metric_set *set)
{
	double requests = metric_set_value(set, "nginx_requests", NULL, NULL);
	double handled = metric_set_value(set, "nginx_handled", NULL, NULL);
	struct metric_set *per = metric_set_new();

	series_rate(r, a, rates, set, "nginx_dropped", NULL, "connections dropped per second:");
	series_rate(r, a, rates, set, "nginx_accepts", NULL, "connections accepted per second:");
	series_rate(r, a, rates, set, "nginx_handled", NULL, "connections handled per second:");
	series_rate(r, a, rates, set, "nginx_requests", NULL, "requests per second:");
	if (handled > 0)
		metric_set_add(per, "nginx_requests_per_conn", METRIC_GAUGE, "",
			       requests / handled);
	series_check(r, a, per, "nginx_requests_per_conn", -1, NULL, "requests per connection:");
	metric_set_free(per);
}

static void judge(struct result *r, const struct verdict_in *in)
{
	static const char *const none[] = {NULL};
	const struct nginx_opts *o = in->opts;
	const struct plugin_args *a = in->args;
	const struct metric_set *set = in->set;
	/* No rates given: as the agent before its second collection. */
	struct rates no_rates = {.agent = true};
	double active = metric_set_value(set, "nginx_active", NULL, NULL);

	result_add(r, STATE_OK, "%g active connection%s", active, num_plural(active));
	series_check(r, a, set, "nginx_active", 0, none, "active connections:");
	series_check(r, a, set, "nginx_reading", -1, none, "connections reading:");
	series_check(r, a, set, "nginx_writing", -1, none, "connections writing:");
	series_check(r, a, set, "nginx_waiting", -1, none, "connections waiting:");
	series_check(r, a, set, "nginx_accepts", -1, none, "connections accepted:");
	series_check(r, a, set, "nginx_handled", -1, none, "connections handled:");
	series_check(r, a, set, "nginx_requests", -1, none, "requests:");
	series_check(r, a, set, "nginx_response_time", -1, none, "the page took");
	rates(r, a, in->rates != NULL ? in->rates : &no_rates, set);
	if (o->listen_queue)
		listen_queue(r, a, o, set);
}

/*
 * Only what changes the judgement. --listen-queue is one: through the agent
 * it is UNKNOWN with the reason, rather than a silent OK.
 */
static const char *const agent_options[] = {"listen-queue", NULL};

const struct verdict verdict_nginx = {
    .name = "nginx",
    .kind = "nginx",
    .plugin = &plugin,
    .agent_options = agent_options,
    .opts_size = sizeof(struct nginx_opts),
    .judge = judge,
};
