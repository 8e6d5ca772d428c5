/*
 * check_listen's verdict: the kernel accept queue of TCP listeners
 * (connections the kernel completed that the application has not accepted
 * yet) against their backlog, and the rate of connections dropped because a
 * queue was full.
 */
#include "config.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "plugin.h"
#include "probe/listen_verdict.h"
#include "series.h"
#include "statefile.h"
#include "verdict.h"

enum { OPT_ALL = 256, OPT_PERCENT };

static const struct plugin_option options[] = {
    {"all", OPT_ALL, NULL, "Check every TCP listener instead of one port."},
    {"percent", OPT_PERCENT, NULL,
     "Apply a bare -w/-c to the queue fill in % of the backlog (queue_pct)\n"
     "instead of the number of waiting connections (queue)."},
    {NULL, 0, NULL, NULL},
};

static const char *const metrics[] = {"queue", "queue_pct", "listen_overflows_rate",
				      "listen_drops_rate", NULL};

static int on_option(void *ctx, int val, const char *arg, char *err, size_t errlen)
{
	struct listen_opts *o = ctx;

	(void)arg;
	(void)err;
	(void)errlen;
	if (val == OPT_ALL)
		o->all = true;
	else
		o->percent = true;
	return 0;
}

static const struct plugin plugin = {
    .name = "check_listen",
    .service = "LISTEN",
    .purpose = "Checks the accept queue of TCP listeners through netlink sock_diag: how\n"
	       "many connections the kernel has completed that the application has not\n"
	       "accepted yet, against the listen backlog. A full queue means new clients\n"
	       "are dropped (the kernel queues up to backlog + 1, so the fill can pass\n"
	       "100% just before it drops). Also reports the host-wide ListenOverflows and\n"
	       "ListenDrops counters as rates per second (kept between runs in the state\n"
	       "directory).\n"
	       "Nothing listening on the port is CRITICAL.",
    .synopsis = "-p PORT [-H ADDRESS] | --all [--percent] [-w RANGE] [-c RANGE] "
		"[--state-dir DIR] [-t SECONDS[:STATE]]",
    .common = PLUGIN_HOST | PLUGIN_PORT | PLUGIN_STATE_DIR,
    .options = options,
    .metrics = metrics,
    .host_help = "With -p, only listeners bound to this IPv4 or IPv6 address or to a "
		 "wildcard address.",
    .nmain = 1,
    .thresholds_help = "A bare -w/-c applies to each listener's queue length (queue), or with\n"
		       "  --percent to its fill in % of the backlog (queue_pct).",
    .examples = "  check_listen -p 80 -w 10 -c 100\n"
		"      WARNING when more than 10 connections wait to be accepted on port 80.\n"
		"  check_listen --all --percent -w 50 -c 90 -c listen_overflows_rate=1\n"
		"      Every listener by fill; CRITICAL on more than 1 overflow per second.",
    .option = on_option,
};

/* Whether a listener on addr accepts connections to want (a wildcard of its family). */
static bool serves(const char *addr, const char *want)
{
	/* "::" takes IPv4 too on a dual-stack host; "0.0.0.0" never takes IPv6. */
	return strcmp(addr, want) == 0 || strcmp(addr, "::") == 0 ||
	       (strcmp(addr, "0.0.0.0") == 0 && strchr(want, ':') == NULL);
}

/* Whether a listener is one the options select; want_addr is normalised or NULL. */
static bool selected(const struct metric *m, const struct plugin_args *a, const char *want_addr)
{
	char port[8];
	const char *addr = metric_label(m, "address");

	if (a->port == 0)
		return true;
	snprintf(port, sizeof(port), "%ld", a->port);
	if (strcmp(metric_label(m, "port"), port) != 0)
		return false;
	return want_addr == NULL || serves(addr, want_addr);
}

static void endpoint(const struct metric *m, char *out, size_t outlen)
{
	metric_endpoint(metric_label(m, "address"), metric_label(m, "port"), out, outlen);
}

/* Check one listener; returns its fill in %, to find the fullest. */
static double check_one(struct result *r, const struct plugin_args *a, const struct listen_opts *o,
			const struct metric *m, double backlog)
{
	char ep[80], label[112], why[128];
	double pct = backlog > 0 ? 100.0 * m->value / backlog : NAN;
	struct perf p;
	enum state s;

	endpoint(m, ep, sizeof(ep));
	snprintf(label, sizeof(label), "listen_queue_%s", ep);
	p = perf_make(label, m->value, "");
	p.min = 0;
	p.max = backlog;
	s = plugin_metric(r, a, "queue", o->percent ? -1 : 0, &p, why, sizeof(why));
	if (s != STATE_OK)
		result_add(r, s, "%s has %.0f connections waiting to be accepted%s", ep, m->value,
			   why);
	snprintf(label, sizeof(label), "listen_queue_pct_%s", ep);
	p = perf_make(label, pct, "%");
	p.min = 0;
	p.max = 100;
	p.none = "the backlog is 0";
	s = plugin_metric(r, a, "queue_pct", o->percent ? 0 : -1, &p, why, sizeof(why));
	if (s != STATE_OK)
		result_add(r, s, "%s accept queue is %.1f%% full%s", ep, pct, why);
	if (isfinite(pct))
		result_long(r, "%s: %.0f of %.0f waiting (%.1f%%)", ep, m->value, backlog, pct);
	else
		result_long(r, "%s: %.0f waiting, backlog %.0f", ep, m->value, backlog);
	return pct;
}

/* Every selected listener into r; false when -p names a port nothing listens on. */
static bool check_listeners(struct result *r, const struct plugin_args *a,
			    const struct listen_opts *o, const struct metric_set *set,
			    const char *want_addr)
{
	const struct metric *fullest = NULL;
	double fullest_pct = -1, fullest_backlog = 0;
	size_t n = 0;
	char ep[80];

	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i), *b;
		double backlog, pct;

		if (strcmp(m->name, "listen_queue") != 0 || !selected(m, a, want_addr))
			continue;
		b = metric_set_find_like(set, "listen_backlog", m);
		backlog = b != NULL ? b->value : NAN;
		n++;
		pct = check_one(r, a, o, m, backlog);
		if (pct > fullest_pct) {
			fullest = m;
			fullest_pct = pct;
			fullest_backlog = backlog;
		}
	}
	if (fullest == NULL && a->port != 0)
		return false;
	if (fullest == NULL) {
		result_add(r, STATE_OK, "no TCP listeners");
		return true;
	}
	endpoint(fullest, ep, sizeof(ep));
	if (n == 1)
		result_add(r, STATE_OK, "%s accept queue %.0f of %.0f (%.1f%%)", ep, fullest->value,
			   fullest_backlog, fullest_pct);
	else
		result_add(r, STATE_OK, "%zu listeners, fullest %s with %.0f of %.0f (%.1f%%)", n,
			   ep, fullest->value, fullest_backlog, fullest_pct);
	return true;
}

/* The overflow and drop counters as rates since the previous run. */
static void check_rates(struct result *r, const struct plugin_args *a, const struct metric_set *set,
			struct rates *rates)
{
	series_rate(r, a, rates, set, "listen_overflows", NULL,
		    "%.2f connections/s overflowed a full accept queue");
	series_rate(r, a, rates, set, "listen_drops", NULL, "%.2f connections/s dropped");
	if (rates->sf != NULL && a->verbose > 0)
		result_long(r, "counters kept in %s", statefile_path(rates->sf));
}

/* The -H address as inet_ntop writes it, so it compares with the labels; -1 if it is none. */
static int normalise_host(const char *host, char *out, size_t outlen)
{
	unsigned char bin[sizeof(struct in6_addr)];
	int family = strchr(host, ':') != NULL ? AF_INET6 : AF_INET;

	if (inet_pton(family, host, bin) != 1 ||
	    inet_ntop(family, bin, out, (socklen_t)outlen) == NULL)
		return -1;
	return 0;
}

static int opts_check(const void *opts, const struct plugin_args *a, char *err, size_t errlen)
{
	const struct listen_opts *o = opts;
	char addr[INET6_ADDRSTRLEN];

	if (o->all == (a->port != 0))
		snprintf(err, errlen, "give either -p PORT or --all");
	else if (o->all && a->host != NULL)
		snprintf(err, errlen, "-H selects an address for -p, not for --all");
	else if (a->host != NULL && normalise_host(a->host, addr, sizeof(addr)) != 0)
		snprintf(err, errlen,
			 "-H must be an IPv4 or IPv6 address for check_listen, not '%s'", a->host);
	else
		return 0;
	return -1;
}

static void judge(struct result *r, const struct verdict_in *in)
{
	const struct plugin_args *a = in->args;
	char addr[INET6_ADDRSTRLEN];
	bool host = a->host != NULL && normalise_host(a->host, addr, sizeof(addr)) == 0;

	if (!check_listeners(r, a, in->opts, in->set, host ? addr : NULL)) {
		result_add(r, STATE_CRITICAL, "nothing listens on TCP port %ld%s%s", a->port,
			   host ? " at " : "", host ? addr : "");
		return;
	}
	check_rates(r, a, in->set, in->rates);
}

/* -p and -H choose listeners here, they connect nowhere: the agent takes them. */
static const char *const agent_options[] = {"all", "percent", "port", "hostname", NULL};

const struct verdict verdict_listen = {
    .name = "listen",
    .kind = "listen",
    .plugin = &plugin,
    .agent_options = agent_options,
    .opts_size = sizeof(struct listen_opts),
    .opts_check = opts_check,
    .judge = judge,
};
