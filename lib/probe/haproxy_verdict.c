/*
 * check_haproxy's verdict: the state of every server (an active one DOWN is
 * CRITICAL, a backup WARNING), backends with no server or too few up,
 * frontends not open, sessions against their limits, queues, 5xx responses
 * per second, and the process's connections against maxconn.
 *
 * Everything is read from the metric set: the haproxy_status series of
 * each frontend, backend and server (its type, status, check and since
 * when), the numbers beside it. --proxy, --server and --exclude pick series
 * by their proxy and server labels, and the server counts of the backends
 * are made again from the servers picked.
 */
#include "config.h"

#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "plugin.h"
#include "probe/haproxy_stat.h"
#include "probe/haproxy_verdict.h"
#include "series.h"
#include "verdict.h"
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
	struct haproxy_opts *o = ctx;
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

static const struct plugin plugin = {
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

static void opts_free(void *opts)
{
	struct haproxy_opts *o = opts;

	for (int i = 0; i < 3; i++)
		if (o->has_re[i])
			regfree(&o->re[i]);
	memset(o->has_re, 0, sizeof(o->has_re));
}

/* One frontend, backend or server, as its haproxy_status series tells it. */
struct object {
	const struct metric *m;
	const char *proxy, *server, *status;
	enum haproxy_type type;
	enum haproxy_state state;
	bool backup, selected;
};

/* True when the object proxy/server (a server when server_row) is one the filters select. */
static bool selected(const struct haproxy_opts *o, const char *proxy, const char *server,
		     bool server_row)
{
	char both[600];

	snprintf(both, sizeof(both), "%s/%s", proxy, server);
	if (o->has_re[0] && regexec(&o->re[0], proxy, 0, NULL, 0) != 0)
		return false;
	if (o->has_re[1] && server_row && regexec(&o->re[1], server, 0, NULL, 0) != 0)
		return false;
	return !o->has_re[2] || regexec(&o->re[2], both, 0, NULL, 0) != 0;
}

/* m as an object into *obj; false when it is not a haproxy_status series. */
static bool object_of(const struct haproxy_opts *o, const struct metric *m, struct object *obj)
{
	static const enum haproxy_type types[] = {HAPROXY_FRONTEND, HAPROXY_BACKEND,
						  HAPROXY_SERVER};
	const char *type = metric_label(m, "type"), *backup = metric_label(m, "backup");
	size_t t = 0;

	if (strcmp(m->name, "haproxy_status") != 0 || type == NULL)
		return false;
	while (t < 3 && strcmp(type, haproxy_type_word(types[t])) != 0)
		t++;
	obj->m = m;
	obj->proxy = metric_label(m, "proxy");
	obj->server = metric_label(m, "server");
	obj->status = metric_label(m, "status");
	if (t == 3 || obj->proxy == NULL || obj->server == NULL || obj->status == NULL)
		return false;
	obj->type = types[t];
	obj->state = obj->type == HAPROXY_SERVER ? haproxy_state_parse(obj->status) : HAPROXY_OTHER;
	obj->backup = backup != NULL && strcmp(backup, "1") == 0;
	obj->selected = selected(o, obj->proxy, obj->server, obj->type == HAPROXY_SERVER);
	return true;
}

/* An object's place, sorted by proxy and server to find the object of each series. */
struct place {
	const char *proxy, *server;
	const struct object *obj;
};

static int place_cmp(const void *a, const void *b)
{
	const struct place *x = a, *y = b;
	int c = strcmp(x->proxy, y->proxy);

	return c != 0 ? c : strcmp(x->server, y->server);
}

/* What the verdict reads of a set: its objects, and the series the filters leave. */
struct view {
	struct object *obj; /* in the set's order */
	size_t n, nselected;
	struct metric_set *mine; /* the series picked, and the server counts of what is picked */
};

/* Whether series m is one of the objects the filters select. */
static bool series_selected(const struct haproxy_opts *o, const struct place *index, size_t n,
			    const struct metric *m)
{
	struct place key = {metric_label(m, "proxy"), metric_label(m, "server"), NULL};
	const struct place *p;

	if (key.proxy == NULL)
		return true; /* the process's: show info */
	if (key.server == NULL)
		key.server = "";
	p = bsearch(&key, index, n, sizeof(*index), place_cmp);
	return p != NULL ? p->obj->selected : selected(o, key.proxy, key.server, false);
}

/* Copy series m, every label with it, into set. */
static void copy_series(struct metric_set *set, const struct metric *m)
{
	struct metric *c = metric_set_add(set, m->name, m->kind, m->unit, m->value);

	for (size_t i = 0; i < m->nlabels; i++)
		metric_label_add(c, m->labels[i].name, m->labels[i].value);
}

/* The series of in->set that the filters pick, into v. */
static void view_make(struct view *v, const struct haproxy_opts *o, const struct metric_set *set)
{
	static const char *const counts[] = {"haproxy_servers", "haproxy_servers_up",
					     "haproxy_servers_up_pct"};
	size_t count = metric_set_count(set);
	struct place *index = xcalloc(count + 1, sizeof(*index));
	struct haproxy_member *mb = xcalloc(count + 1, sizeof(*mb));
	size_t nmb = 0;

	v->obj = xcalloc(count + 1, sizeof(*v->obj));
	v->n = v->nselected = 0;
	v->mine = metric_set_new();
	for (size_t i = 0; i < count; i++) {
		struct object *obj = &v->obj[v->n];

		if (!object_of(o, metric_set_at(set, i), obj))
			continue;
		v->n++;
		if (!obj->selected)
			continue;
		v->nselected++;
		mb[nmb++] = (struct haproxy_member){obj->proxy, obj->server, obj->type, obj->state,
						    obj->backup};
	}
	for (size_t i = 0; i < v->n; i++)
		index[i] = (struct place){v->obj[i].proxy, v->obj[i].server, &v->obj[i]};
	qsort(index, v->n, sizeof(*index), place_cmp);
	for (size_t i = 0; i < count; i++) {
		const struct metric *m = metric_set_at(set, i);
		bool count_series = false;

		for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++)
			count_series = count_series || strcmp(m->name, counts[k]) == 0;
		if (!count_series && series_selected(o, index, v->n, m))
			copy_series(v->mine, m);
	}
	haproxy_counts_metrics(mb, nmb, v->mine);
	free(index);
	free(mb);
}

static void view_free(struct view *v)
{
	free(v->obj);
	metric_set_free(v->mine);
}

/* A server: its state in words, with the check's reason and how long. */
static void server(struct result *r, const struct haproxy_opts *o, const struct object *obj,
		   size_t *up, size_t *total)
{
	const char *check = metric_label(obj->m, "check");
	const char *why = metric_label(obj->m, "check_reason");
	enum state s = STATE_OK;
	char since[64] = "", words[300] = "";

	(*total)++;
	if (!isnan(obj->m->value))
		num_duration(obj->m->value, since, sizeof(since));
	if (why == NULL)
		why = "";
	if (check != NULL)
		snprintf(words, sizeof(words), " (%s%s%s)", check, why[0] != '\0' ? ": " : "", why);
	switch (obj->state) {
	case HAPROXY_DOWN:
	case HAPROXY_COMING_UP:
		s = obj->backup ? STATE_WARNING : STATE_CRITICAL;
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
	if (obj->state == HAPROXY_UP || obj->state == HAPROXY_NO_CHECK)
		return;
	result_add(r, s, "%s%s/%s %s%s%s%s%s", obj->backup ? "backup " : "", obj->proxy,
		   obj->server,
		   obj->state == HAPROXY_GOING_DOWN  ? "is going down: "
		   : obj->state == HAPROXY_COMING_UP ? "is coming back: "
						     : "is ",
		   obj->status, words, since[0] != '\0' ? " for " : "", since);
}

/* A backend with fewer active servers up than --min-up asks for. */
static void min_up(struct result *r, const struct haproxy_opts *o, const char *proxy, double n,
		   double n_up)
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
static void states(struct result *r, const struct haproxy_opts *o, const struct view *v)
{
	size_t up = 0, total = 0, backends = 0, frontends = 0;

	for (size_t i = 0; i < v->n; i++) {
		const struct object *obj = &v->obj[i];
		double n, n_up;

		if (!obj->selected)
			continue;
		frontends += obj->type == HAPROXY_FRONTEND;
		if (obj->type == HAPROXY_SERVER) {
			server(r, o, obj, &up, &total);
		} else if (obj->type == HAPROXY_FRONTEND && strcmp(obj->status, "OPEN") != 0) {
			result_add(r, STATE_CRITICAL, "frontend %s is %s", obj->proxy, obj->status);
		} else if (obj->type == HAPROXY_BACKEND) {
			backends++;
			n = metric_set_value(v->mine, "haproxy_servers", "proxy", obj->proxy);
			n_up = metric_set_value(v->mine, "haproxy_servers_up", "proxy", obj->proxy);
			/* n is NAN for a backend without servers (stats, redirects): exempt. */
			if (strcmp(obj->status, "UP") != 0)
				result_add(r, STATE_CRITICAL, "backend %s is %s: no server up",
					   obj->proxy, obj->status);
			else if (o->min_up > 0 && !isnan(n_up) &&
				 n_up < (o->min_up_pct ? ceil(o->min_up * n / 100) : o->min_up))
				min_up(r, o, obj->proxy, n, n_up);
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
static void numbers(struct result *r, const struct plugin_args *a, struct rates *rates,
		    const struct metric_set *set)
{
	static const char *const keys[] = {"proxy", "server", NULL};

	series_check(r, a, set, "haproxy_sessions_pct", 0, keys, "sessions at");
	series_check(r, a, set, "haproxy_sessions", -1, keys, "sessions:");
	series_check(r, a, set, "haproxy_queue", -1, keys, "requests queued:");
	series_check(r, a, set, "haproxy_queue_time", -1, keys, "requests wait in the queue");
	series_check(r, a, set, "haproxy_servers_up", -1, keys, "servers up:");
	series_check(r, a, set, "haproxy_servers_up_pct", -1, keys, "servers up:");
	series_check(r, a, set, "haproxy_conns_pct", -1, NULL, "connections at");
	series_check(r, a, set, "haproxy_idle_pct", -1, NULL, "idle");
	series_rate(r, a, rates, set, "haproxy_responses_5xx", keys, "5xx responses per second:");
}

static void judge(struct result *r, const struct verdict_in *in)
{
	const struct haproxy_opts *o = in->opts;
	const char *source = in->source != NULL ? in->source : "HAProxy";
	/* No rates given: as the agent before its second collection. */
	struct rates none = {.agent = true};
	struct view v;

	view_make(&v, o, in->set);
	if (v.n == 0)
		result_add(r, STATE_UNKNOWN, "%s lists no frontend, backend or server", source);
	else if (v.nselected == 0)
		result_add(r, STATE_UNKNOWN, "no proxy or server matches the filters in %s",
			   source);
	states(r, o, &v);
	numbers(r, in->args, in->rates != NULL ? in->rates : &none, v.mine);
	view_free(&v);
}

/* What picks and judges servers; never where the statistics are or how to read them. */
static const char *const agent_options[] = {"proxy", "server", "exclude", "maint", "min-up", NULL};

const struct verdict verdict_haproxy = {
    .name = "haproxy",
    .kind = "haproxy",
    .plugin = &plugin,
    .agent_options = agent_options,
    .opts_size = sizeof(struct haproxy_opts),
    .opts_free = opts_free,
    .judge = judge,
};
