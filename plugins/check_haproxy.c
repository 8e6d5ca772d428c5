/*
 * check_haproxy: HAProxy balancing app servers and database replicas. The
 * state of every server (an active one DOWN is CRITICAL, a backup WARNING),
 * backends with no server or too few up, frontends not open, sessions
 * against their limits, queues, 5xx responses per second, and the
 * process's connections against maxconn.
 */
#include "config.h"

#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fail.h"
#include "httpc.h"
#include "num.h"
#include "plugin.h"
#include "probe/haproxy.h"
#include "series.h"
#include "statefile.h"
#include "xalloc.h"

enum {
	OPT_PROXY = 256,
	OPT_SERVER,
	OPT_EXCLUDE,
	OPT_MAINT,
	OPT_MIN_UP,
	OPT_CA_FILE,
	OPT_INSECURE,
};

struct opts {
	const char *url, *ca_file;
	bool insecure;
	regex_t re[3]; /* --proxy, --server, --exclude */
	bool has_re[3];
	enum state maint;
	double min_up;
	bool min_up_pct;
};

static const struct plugin_option options[] = {
    {"url", 'u', "URL",
     "The stats page's CSV, http://HOST:PORT/PATH;csv or https://...;\n"
     "it replaces -H and excludes -p."},
    {"proxy", OPT_PROXY, "RE", "Only frontends and backends whose name matches RE."},
    {"server", OPT_SERVER, "RE", "Only servers whose name matches RE."},
    {"exclude", OPT_EXCLUDE, "RE", "Leave out every object whose PROXY/SERVER matches RE."},
    {"maint", OPT_MAINT, "STATE",
     "The state of a server in MAINT, DRAIN or NOLB: ok (default, reported\n"
     "only), warning or critical."},
    {"min-up", OPT_MIN_UP, "N[%]",
     "CRITICAL when fewer than N active servers (or N% of them) are up in a\n"
     "backend. Servers in MAINT do not count."},
    {"ca-file", OPT_CA_FILE, "FILE", "Verify the stats page's certificate against FILE."},
    {"insecure", OPT_INSECURE, NULL, "Do not verify the stats page's certificate."},
    {NULL, 0, NULL, NULL},
};

static const char *const metrics[] = {"haproxy_sessions_pct",
				      "haproxy_sessions",
				      "haproxy_queue",
				      "haproxy_queue_time",
				      "haproxy_responses_5xx_rate",
				      "haproxy_servers_up",
				      "haproxy_servers_up_pct",
				      "haproxy_conns_pct",
				      "haproxy_idle_pct",
				      NULL};

static int on_option(void *ctx, int val, const char *arg, char *err, size_t errlen)
{
	struct opts *o = ctx;
	const char *end;
	int i;

	switch (val) {
	case 'u':
		o->url = arg;
		return 0;
	case OPT_CA_FILE:
		o->ca_file = arg;
		return 0;
	case OPT_INSECURE:
		o->insecure = true;
		return 0;
	case OPT_MAINT:
		if (strcmp(arg, "ok") == 0 || strcmp(arg, "warning") == 0 ||
		    strcmp(arg, "critical") == 0)
			return state_parse(arg, &o->maint);
		snprintf(err, errlen, "invalid --maint '%s': expected ok, warning or critical",
			 arg);
		return -1;
	case OPT_MIN_UP:
		/* A count of servers is whole; a share of them is at most all. */
		if (num_parse_prefix(arg, &o->min_up, &end) != 0 || o->min_up < 0 ||
		    (strcmp(end, "%") != 0 && end[0] != '\0') ||
		    (end[0] == '%' ? o->min_up > 100 : o->min_up != floor(o->min_up))) {
			snprintf(err, errlen,
				 "invalid --min-up '%s': expected a whole number of servers N, or "
				 "N%% from 0 to 100",
				 arg);
			return -1;
		}
		o->min_up_pct = end[0] == '%';
		return 0;
	}
	i = val - OPT_PROXY;
	return plugin_regex(&o->re[i], &o->has_re[i], options[i + 1].name, arg, err, errlen);
}

static const struct plugin check_haproxy = {
    .name = "check_haproxy",
    .service = "HAPROXY",
    .purpose = "Checks HAProxy through its stats socket (show info, show stat) or the\n"
	       "CSV of its stats page. An active server DOWN is CRITICAL, a backup\n"
	       "server DOWN a WARNING; MAINT, DRAIN and NOLB are reported and alert\n"
	       "only with --maint; servers failing or passing checks on their way down\n"
	       "or up are named so. A backend with no server up, or fewer than --min-up,\n"
	       "and a frontend that is not OPEN are CRITICAL. Sessions against their\n"
	       "limits, queues, queue time, 5xx responses per second, and (socket\n"
	       "only) connections against maxconn and idle time, with thresholds.\n"
	       "Perfdata labels are METRIC_PROXY/SERVER, SERVER being FRONTEND or\n"
	       "BACKEND for those.",
    .synopsis = "[-H SOCKET|HOST -p PORT | -u URL] [--proxy RE] [--server RE] "
		"[--exclude RE] [--maint STATE] [--min-up N[%]] [-w [METRIC=]RANGE] "
		"[-c [METRIC=]RANGE] [-t SECONDS[:STATE]]",
    .common = PLUGIN_HOST | PLUGIN_PORT | PLUGIN_FAMILY | PLUGIN_STATE_DIR | PLUGIN_LOGIN,
    .options = options,
    .metrics = metrics,
    .nmain = 1,
    .thresholds_help = "A bare -w/-c applies to sessions as % of their limit\n"
		       "  (haproxy_sessions_pct) of every frontend, backend and server that\n"
		       "  has one. Rates are per second since the last run.",
    .host_help = "The stats socket's path, or with -p the host of a TCP stats socket\n"
		 "(default /run/haproxy/admin.sock).",
    .password_env = "HAPROXY_STATS_PASSWORD",
    .examples = "  check_haproxy -H /run/haproxy/admin.sock --min-up 50% -w 80 -c 95\n"
		"      Servers, and sessions at 80% or 95% of their limits.\n"
		"  check_haproxy -u 'http://lb1:8404/stats;csv' --user nagios \\\n"
		"      --password-file /etc/nagios/haproxy --proxy '^(app|db_read)$'\n"
		"      Two backends from the stats page.\n"
		"  check_haproxy --maint warning -c haproxy_responses_5xx_rate=5\n"
		"      Servers in maintenance warn; more than 5 errors a second alert.",
    .option = on_option,
};

/* True when row r is one the filters select. */
static bool selected(const struct opts *o, const struct haproxy_row *r)
{
	char both[600];

	snprintf(both, sizeof(both), "%s/%s", r->proxy, r->server);
	if (o->has_re[0] && regexec(&o->re[0], r->proxy, 0, NULL, 0) != 0)
		return false;
	if (o->has_re[1] && r->type == HAPROXY_SERVER &&
	    regexec(&o->re[1], r->server, 0, NULL, 0) != 0)
		return false;
	return !o->has_re[2] || regexec(&o->re[2], both, 0, NULL, 0) != 0;
}

/* A server: its state in words, with the check's reason and how long. */
static void server(struct result *r, const struct opts *o, const struct haproxy_row *row,
		   size_t *up, size_t *total)
{
	enum state s = STATE_OK;
	char since[64] = "", check[300] = "";
	const char *why;

	(*total)++;
	if (!isnan(row->lastchg))
		num_duration(row->lastchg, since, sizeof(since));
	/* The last check's own words ("Connection refused") say more than its kind's. */
	why = row->last_chk[0] != '\0' ? row->last_chk : row->check_desc;
	if (row->check_status[0] != '\0')
		snprintf(check, sizeof(check), " (%s%s%s)", row->check_status,
			 why[0] != '\0' ? ": " : "", why);
	switch (row->state) {
	case HAPROXY_DOWN:
	case HAPROXY_COMING_UP:
		s = row->backup ? STATE_WARNING : STATE_CRITICAL;
		break;
	case HAPROXY_MAINT:
	case HAPROXY_DRAIN:
	case HAPROXY_NOLB:
		s = o->maint;
		break;
	case HAPROXY_OTHER:
		s = STATE_UNKNOWN;
		break;
	default:
		(*up)++;
		break;
	}
	if (row->state == HAPROXY_UP || row->state == HAPROXY_NO_CHECK)
		return;
	result_add(r, s, "%s%s/%s %s%s%s%s%s", row->backup ? "backup " : "", row->proxy,
		   row->server,
		   row->state == HAPROXY_GOING_DOWN  ? "is going down: "
		   : row->state == HAPROXY_COMING_UP ? "is coming back: "
						     : "is ",
		   row->status, check, since[0] != '\0' ? " for " : "", since);
}

/* A backend with fewer active servers up than --min-up asks for. */
static void min_up(struct result *r, const struct opts *o, const char *proxy, double n, double n_up)
{
	const char *pct = o->min_up_pct ? "%" : "";

	if (n == 0)
		result_add(r, STATE_CRITICAL,
			   "backend %s has no active server (all in MAINT or backup), below "
			   "--min-up %g%s",
			   proxy, o->min_up, pct);
	else
		result_add(r, STATE_CRITICAL,
			   "backend %s has %g of %g servers up, below --min-up %g%s", proxy, n_up,
			   n, o->min_up, pct);
}

/* Frontends, backends and servers: what HAProxy says of each. */
static void states(struct result *r, const struct opts *o, const struct haproxy_stat *st,
		   const struct metric_set *set)
{
	size_t up = 0, total = 0, backends = 0, frontends = 0;

	for (size_t i = 0; i < st->n; i++) {
		const struct haproxy_row *row = &st->rows[i];
		double n, n_up;

		frontends += row->type == HAPROXY_FRONTEND;
		if (row->type == HAPROXY_SERVER) {
			server(r, o, row, &up, &total);
		} else if (row->type == HAPROXY_FRONTEND && strcmp(row->status, "OPEN") != 0) {
			result_add(r, STATE_CRITICAL, "frontend %s is %s", row->proxy, row->status);
		} else if (row->type == HAPROXY_BACKEND) {
			backends++;
			n = metric_set_value(set, "haproxy_servers", "proxy", row->proxy);
			n_up = metric_set_value(set, "haproxy_servers_up", "proxy", row->proxy);
			/* n is NAN for a backend without servers (stats, redirects): exempt. */
			if (strcmp(row->status, "UP") != 0)
				result_add(r, STATE_CRITICAL, "backend %s is %s: no server up",
					   row->proxy, row->status);
			else if (o->min_up > 0 && !isnan(n_up) &&
				 n_up < (o->min_up_pct ? ceil(o->min_up * n / 100) : o->min_up))
				min_up(r, o, row->proxy, n, n_up);
		}
	}
	/* Only what there is: "0 of 0 servers up" would read like an outage. */
	if (total > 0)
		result_add(r, STATE_OK, "%zu backend%s, %zu of %zu server%s up", backends,
			   num_plural(backends), up, total, num_plural(total));
	else if (backends > 0)
		result_add(r, STATE_OK, "%zu backend%s without servers", backends,
			   num_plural(backends));
	else if (frontends > 0)
		result_add(r, STATE_OK, "%zu frontend%s", frontends, num_plural(frontends));
}

/* Thresholds on the numbers, and 5xx responses per second. */
static void numbers(struct result *r, const struct plugin_args *a, const char *source,
		    const struct metric_set *set)
{
	static const char *const keys[] = {"proxy", "server", NULL};
	struct rates rates;

	series_check(r, a, set, "haproxy_sessions_pct", 0, keys, "sessions at");
	series_check(r, a, set, "haproxy_sessions", -1, keys, "sessions:");
	series_check(r, a, set, "haproxy_queue", -1, keys, "requests queued:");
	series_check(r, a, set, "haproxy_queue_time", -1, keys, "requests wait in the queue");
	series_check(r, a, set, "haproxy_servers_up", -1, keys, "servers up:");
	series_check(r, a, set, "haproxy_servers_up_pct", -1, keys, "servers up:");
	series_check(r, a, set, "haproxy_conns_pct", -1, NULL, "connections at");
	series_check(r, a, set, "haproxy_idle_pct", -1, NULL, "idle");
	series_rates_open(r, a, source, &rates);
	series_rate(r, a, &rates, set, "haproxy_responses_5xx", keys, "5xx responses per second:");
	series_rates_close(r, &rates);
}

/* What main() holds, so that an early end frees it too. */
static struct opts run_opts;
static struct httpc client;

static void run_free(void)
{
	for (int i = 0; i < 3; i++)
		if (run_opts.has_re[i])
			regfree(&run_opts.re[i]);
	httpc_free(&client);
}

/* Read the statistics from the socket or the page; exits on failure. */
static void fetch(const struct plugin_args *a, const struct opts *o, struct haproxy_stat *st,
		  struct haproxy_info *in, char *source, size_t sourcelen)
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
	struct haproxy_stat st, mine = {0};
	struct haproxy_info in = {.curr_conns = NAN};
	struct metric_set *set;
	struct result *r;
	char source[1024], why[1400];

	plugin_start(&check_haproxy, argc, argv, &run_opts, &a);
	if (run_opts.url != NULL && a.port != 0)
		plugin_usage_error("give either -u URL or -H HOST -p PORT, not both");
	/* -u replaces -H SOCKET: the Nagios commands always pass a socket. */
	if (run_opts.url != NULL)
		a.host = NULL;
	if (run_opts.url != NULL && http1_url_check(run_opts.url, "-u", why, sizeof(why)) != 0)
		plugin_usage_error("%s", why);
	fetch(&a, &run_opts, &st, &in, source, sizeof(source));
	mine.rows = xcalloc(st.n + 1, sizeof(*mine.rows));
	for (size_t i = 0; i < st.n; i++)
		if (selected(&run_opts, &st.rows[i]))
			mine.rows[mine.n++] = st.rows[i];
	set = metric_set_new();
	haproxy_stat_metrics(&mine, set);
	if (!isnan(in.curr_conns))
		haproxy_info_metrics(&in, set);
	r = result_new(check_haproxy.service);
	if (st.n == 0)
		result_add(r, STATE_UNKNOWN, "%s lists no frontend, backend or server", source);
	else if (mine.n == 0)
		result_add(r, STATE_UNKNOWN, "no proxy or server matches the filters in %s",
			   source);
	states(r, &run_opts, &mine, set);
	numbers(r, &a, source, set);
	free(mine.rows);
	haproxy_stat_free(&st);
	metric_set_free(set);
	run_free();
	plugin_finish(r);
}
