/*
 * check_vakt: ask a vakt agent for one metric, or for one check's verdict
 * (--check haproxy: what check_haproxy would say on that host), through its
 * check endpoint, GET /api/v1/check/NAME, and answer exactly what the agent
 * answers. The agent evaluates the thresholds; -w, -c and --option are
 * passed to it as given, after being checked here with the same parser the
 * agent uses, so a typo is a usage error before any request. Failing to reach the agent is
 * CRITICAL, like any service that refuses the connection; an answer that is not a check result is
 * UNKNOWN.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "checkwire.h"
#include "clock.h"
#include "fail.h"
#include "httpc.h"
#include "plugin.h"
#include "secret.h"
#include "verdict.h"
#include "xalloc.h"

#define DEFAULT_PORT 9333
/* The most of an answer read; the agent's are a few KiB (OUTPUT_MAX and JSON). */
#define ANSWER_MAX 65536
/* The agent's CHECK_MAX_LABELS: it refuses a request with more. */
#define MAX_LABELS 8
#define NOT_A_RESULT "the agent answered something that is not a check result"
/* Retries: the first pause, the longest, and the share of -t they may use. */
#define RETRY_FIRST 0.1
#define RETRY_MAX 1.0
#define RETRY_SHARE 0.5

enum { OPT_LABEL = 256, OPT_TLS, OPT_CA, OPT_TOKEN_FILE, OPT_CHECK, OPT_INSTANCE, OPT_OPTION };

struct opts {
	const char *metric;
	const struct verdict *check;			 /* --check, or NULL */
	const char *instance;				 /* --instance, or NULL */
	struct plugin_pair options[VERDICT_MAX_OPTIONS]; /* every --option, split at its '=' */
	size_t noptions;
	const char *labels[MAX_LABELS]; /* "NAME=VALUE" */
	size_t nlabels;
	bool tls;
	const char *ca;
	const char *token_file;
};

/* What one run needs after the options: for messages and the request. */
struct run {
	const struct plugin_args *args;
	const struct opts *opts;
	char target[800]; /* "HOST:PORT" as the URL has it (a 255-byte host, escaped) */
	char *url;
	char tries[64]; /* " (tried 3 times in 0.7 s)" after retries, else "" */
};

static const struct plugin_option options[] = {
    {"metric", 'm', "NAME",
     "The agent's metric to check, e.g. process_fds_open or listen_queue\n"
     "(the names /api/v1/metrics lists). Required."},
    {"label", OPT_LABEL, "NAME=VALUE",
     "Only the series of the metric whose label NAME is VALUE; repeatable,\n"
     "up to 8. Every series that matches is checked; the worst decides."},
    {"check", OPT_CHECK, "NAME",
     "Instead of -m: the verdict of check NAME (load, fds, listen, nginx,\n"
     "haproxy, redis, rabbitmq, mysql_locks, pgsql_locks) on the agent's\n"
     "metrics: the state, words, perfdata and long output the plugin\n"
     "check_NAME would give on that host with the same options."},
    {"instance", OPT_INSTANCE, "NAME",
     "With --check: the agent's section [KIND NAME] to judge, e.g. lb for\n"
     "[haproxy lb]; needed when the agent has several of that kind."},
    {"option", OPT_OPTION, "NAME[=VALUE]",
     "With --check: the plugin's option --NAME[=VALUE], e.g. --option\n"
     "min-up=50%; repeatable. Only options that change the judgement are\n"
     "taken; where and how to connect is the agent's configuration."},
    {"tls", OPT_TLS, NULL,
     "Use HTTPS and verify the agent's certificate and name against the\n"
     "system's CA certificates, or those of --ca-file."},
    {"ca-file", OPT_CA, "FILE",
     "With --tls: trust the CA certificates in FILE (PEM) instead of the\n"
     "system's. For a self-signed agent certificate, FILE is that certificate."},
    {"ca", OPT_CA, "FILE", NULL},
    {"token-file", OPT_TOKEN_FILE, "FILE",
     "Send the bearer token in the first line of FILE, in the Authorization\n"
     "header only; FILE must be a regular file not every user may read\n"
     "(chmod o-r). Without it, the token is taken from the environment variable\n"
     "VAKT_TOKEN when that is set."},
    {NULL, 0, NULL, NULL},
};

/* The agent reads these query parameters itself; they cannot be label names. */
static bool label_name_reserved(const char *name, size_t len)
{
	static const char *const reserved[] = {"warning", "critical", "format", NULL};

	for (size_t i = 0; reserved[i] != NULL; i++)
		if (strlen(reserved[i]) == len && strncmp(reserved[i], name, len) == 0)
			return true;
	return false;
}

static int on_option(void *ctx, int val, const char *arg, char *err, size_t errlen)
{
	struct opts *o = ctx;
	const char *eq;

	switch (val) {
	case 'm':
		if (arg[0] == '\0') {
			snprintf(err, errlen, "the metric name (-m) is empty");
			return -1;
		}
		o->metric = arg;
		return 0;
	case OPT_LABEL:
		eq = strchr(arg, '=');
		if (eq == NULL || eq == arg || label_name_reserved(arg, (size_t)(eq - arg))) {
			snprintf(err, errlen,
				 "invalid --label '%s': expected NAME=VALUE, NAME not warning, "
				 "critical or format",
				 arg);
			return -1;
		}
		if (o->nlabels == MAX_LABELS) {
			snprintf(err, errlen, "at most %d --label filters (the agent's limit)",
				 MAX_LABELS);
			return -1;
		}
		o->labels[o->nlabels++] = arg;
		return 0;
	case OPT_TLS:
		o->tls = true;
		return 0;
	case OPT_CA:
		o->ca = arg;
		return 0;
	case OPT_TOKEN_FILE:
		o->token_file = arg;
		return 0;
	case OPT_CHECK:
		o->check = verdict_find(arg);
		if (o->check != NULL)
			return 0;
		snprintf(err, errlen, "unknown check '%s': expected one of", arg);
		for (size_t i = 0; verdicts[i] != NULL; i++)
			snprintf(err + strlen(err), errlen - strlen(err), "%s %s", i > 0 ? "," : "",
				 verdicts[i]->name);
		return -1;
	case OPT_INSTANCE:
		o->instance = arg;
		return 0;
	case OPT_OPTION:
		if (o->noptions == VERDICT_MAX_OPTIONS) {
			snprintf(err, errlen,
				 "at most %d options and thresholds (the agent's limit)",
				 VERDICT_MAX_OPTIONS);
			return -1;
		}
		/* "min-up=50%" is min-up and 50%; a bare "per-cpu" is a flag. */
		eq = strchr(arg, '=');
		o->options[o->noptions++] = (struct plugin_pair){
		    eq != NULL ? xstrndup(arg, (size_t)(eq - arg)) : arg, eq != NULL ? eq + 1 : ""};
		return 0;
	}
	return 0;
}

static const struct plugin check_vakt = {
    .name = "check_vakt",
    .service = "VAKT",
    .purpose = "Asks a vakt agent (vaktd) for one metric, or with --check for a check's\n"
	       "verdict, through its check endpoint, GET /api/v1/check/NAME, and\n"
	       "answers exactly what the agent answers: the same output and exit\n"
	       "status. The agent evaluates the thresholds. With --check, vaktd and\n"
	       "check_vakt stand in for NRPE and check_NAME, and nothing is executed.\n"
	       "An agent that cannot be reached, refuses the connection, fails the TLS\n"
	       "handshake or does not answer within -t is CRITICAL. The default port\n"
	       "is 9333.\n"
	       "An agent that refuses, resets or closes the connection, or answers\n"
	       "503 because too many connections are open (a burst of checks), is asked\n"
	       "again after 0.1 s, then 0.2, 0.4 ... at most 1 s apart, while no more\n"
	       "than half of -t has passed; only then is it CRITICAL, and the message\n"
	       "says how often it was tried.",
    .synopsis = "-H HOST [-p PORT] [-4|-6] [--tls [--ca-file FILE]] [--token-file FILE] "
		"{-m NAME [--label NAME=VALUE]... | --check NAME [--instance NAME] "
		"[--option NAME[=VALUE]]...} [-w RANGE] [-c RANGE] [-t SECONDS[:STATE]]",
    .common = PLUGIN_HOST | PLUGIN_PORT | PLUGIN_FAMILY | PLUGIN_RAW_THRESHOLDS,
    .options = options,
    .metrics = NULL, /* the metric is -m's; METRIC=RANGE is refused in check_args */
    .nmain = 1,
    .thresholds_help = "A bare -w/-c RANGE is sent to the agent, which applies it to every\n"
		       "  series of the metric that matches. It is checked here first, so a bad\n"
		       "  range is a usage error before any request. METRIC=RANGE does not\n"
		       "  apply: the metric is the one -m names. With --check, -w and -c are\n"
		       "  the plugin's (check_NAME --help), METRIC=RANGE and lists included.",
    .host_help = "Host name, IPv4 address or IPv6 literal of the agent (required).",
    .examples = "  check_vakt -H web1 -m process_fds_open --label process=nginx -w 5000 -c 8000\n"
		"      Descriptors open by each nginx process the agent on web1 watches.\n"
		"  check_vakt -H web1 -m listen_queue --label port=443 -w 10 -c 100\n"
		"      Connections waiting to be accepted on port 443.\n"
		"  check_vakt -H 2001:db8::7 --tls --ca-file /etc/vakt/agent.pem -m load1 -w 4\n"
		"      Over HTTPS, trusting the agent's own (self-signed) certificate.\n"
		"  check_vakt -H web1 --token-file /etc/vakt/token -m load1 -w 4 -c 8\n"
		"      With the bearer token of the agent's token_file.\n"
		"  check_vakt -H web1 -m collector_up -c 1:\n"
		"      Every collector of the agent: CRITICAL, with its error, for one that\n"
		"      fails (add --label target=jobs for the one of [redis jobs]).\n"
		"  check_vakt -H web1 --check load --option per-cpu -w 1.5 -c 3\n"
		"      What check_load -r -w 1.5 -c 3 says on web1.",
    .option = on_option,
};

/* A host goes into the URL unescaped: only the characters of names and addresses. */
static bool host_valid(const char *h)
{
	return strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:%") ==
	       strlen(h);
}

/*
 * -w and -c of -m: bare ranges, checked here into a->thresholds as a plugin
 * with one metric would; exits 3 on a bad one.
 */
static void metric_thresholds(const struct plugin_args *a)
{
	static const char *const none[] = {NULL};
	const char *named;
	char err[512];

	for (size_t i = 0; i < a->nraw_thresholds; i++) {
		const struct plugin_pair *t = &a->raw_thresholds[i];

		if (thresholds_add(a->thresholds, strcmp(t->name, "critical") == 0, t->value, 1,
				   err, sizeof(err)) != 0)
			plugin_usage_error("%s", err);
	}
	named = thresholds_unknown_metric(a->thresholds, none);
	if (named != NULL)
		plugin_usage_error("unknown metric '%s' in a threshold: check_vakt checks the "
				   "metric -m names, give -w/-c a bare RANGE",
				   named);
}

/*
 * --check's thresholds and options as the agent will take them (NAME=VALUE
 * split), checked here with the agent's own parser; exits 3 on a bad one.
 */
static void check_options(const struct plugin_args *a, struct opts *o)
{
	struct plugin_pair pairs[VERDICT_MAX_OPTIONS];
	struct plugin_args parsed;
	void *opts = xcalloc(1, o->check->opts_size);
	size_t n = 0;
	char err[512];
	int r;

	/* The agent counts each -v too. */
	if (a->nraw_thresholds + o->noptions + (size_t)a->verbose > VERDICT_MAX_OPTIONS)
		plugin_usage_error("at most %d options and thresholds (the agent's limit)",
				   VERDICT_MAX_OPTIONS);
	for (size_t i = 0; i < a->nraw_thresholds; i++)
		pairs[n++] = a->raw_thresholds[i];
	for (size_t i = 0; i < o->noptions; i++)
		pairs[n++] = o->options[i];
	r = verdict_parse(o->check, pairs, n, opts, &parsed, err, sizeof(err));
	verdict_free_opts(o->check, opts, &parsed);
	free(opts);
	if (r != 0)
		plugin_usage_error("%s", err);
}

/* Usage errors plugin_start cannot know about; exits 3 on the first. */
static void check_args(const struct plugin_args *a, struct opts *o)
{
	if (o->check != NULL && (o->metric != NULL || o->nlabels > 0))
		plugin_usage_error("give either --check NAME or -m NAME [--label ...], not both");
	if (o->check == NULL && (o->instance != NULL || o->noptions > 0))
		plugin_usage_error("--instance and --option are for --check NAME");
	if (o->check != NULL)
		check_options(a, o);
	else
		metric_thresholds(a);
	if (o->metric == NULL && o->check == NULL)
		plugin_usage_error("which metric? give -m NAME (or --check NAME)");
	if (a->host == NULL)
		plugin_usage_error("which agent? give -H HOST");
	if (a->host[0] == '/')
		plugin_usage_error("'%s': the agent listens on TCP, not on a unix socket", a->host);
	if (!host_valid(a->host))
		plugin_usage_error("invalid host '%s': expected a name, an IPv4 address or an "
				   "IPv6 literal",
				   a->host);
	if (o->ca != NULL && !o->tls)
		plugin_usage_error("--ca-file is for --tls connections: add --tls");
}

/* Append "?NAME=VALUE" to the URL, or "&NAME=VALUE" after the first, both percent-encoded. */
static void query_add(struct buf *b, const char *name, size_t namelen, const char *value)
{
	/* The path is escaped, so a '?' in the URL is the query's. */
	buf_puts(b, strchr(buf_str(b), '?') == NULL ? "?" : "&");
	http1_escape(b, name, namelen);
	buf_puts(b, "=");
	httpc_escape(b, value);
}

/* The check endpoint's URL for this run; sets r->url and r->target. */
static void build_url(struct run *r)
{
	const struct plugin_args *a = r->args;
	const struct opts *o = r->opts;
	struct threshold t = thresholds_get(a->thresholds, "", 0);
	long port = a->port != 0 ? a->port : DEFAULT_PORT;
	struct buf host, url;

	/* An IPv6 literal goes in brackets; a zone's '%' is itself encoded. */
	buf_init(&host, 1024);
	if (strchr(a->host, ':') != NULL) {
		buf_puts(&host, "[");
		for (const char *p = a->host; *p != '\0'; p++)
			if (*p == '%')
				buf_puts(&host, "%25");
			else
				buf_append(&host, p, 1);
		buf_puts(&host, "]");
	} else {
		buf_puts(&host, a->host);
	}
	snprintf(r->target, sizeof(r->target), "%s:%ld", buf_str(&host), port);
	buf_init(&url, ANSWER_MAX);
	buf_printf(&url, "%s://%s/api/v1/check/", o->tls ? "https" : "http", r->target);
	httpc_escape(&url, o->check != NULL ? o->check->name : o->metric);
	buf_free(&host);
	if (o->check != NULL) {
		if (o->instance != NULL)
			query_add(&url, "instance", 8, o->instance);
		for (size_t i = 0; i < a->nraw_thresholds; i++)
			query_add(&url, a->raw_thresholds[i].name,
				  strlen(a->raw_thresholds[i].name), a->raw_thresholds[i].value);
		for (size_t i = 0; i < o->noptions; i++)
			query_add(&url, o->options[i].name, strlen(o->options[i].name),
				  o->options[i].value);
		/* -v is the check's too: its long output is the agent's to give. */
		for (int i = 0; i < a->verbose; i++)
			query_add(&url, "verbose", 7, "");
	}
	if (t.has_warn && o->check == NULL)
		query_add(&url, "warning", 7, t.warn.text);
	if (t.has_crit && o->check == NULL)
		query_add(&url, "critical", 8, t.crit.text);
	for (size_t i = 0; i < o->nlabels; i++) {
		const char *eq = strchr(o->labels[i], '=');

		query_add(&url, o->labels[i], (size_t)(eq - o->labels[i]), eq + 1);
	}
	if (url.truncated)
		plugin_usage_error("the metric name and labels make a URL longer than %d bytes",
				   ANSWER_MAX);
	r->url = buf_steal(&url);
}

/* End the run with one item in state s; with -v the long output names the URL. */
static void fail(const struct run *r, enum state s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));
static void fail(const struct run *r, enum state s, const char *fmt, ...)
{
	struct result *res = result_new(check_vakt.service);
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	result_add(res, s, "%s", msg);
	if (r->args->verbose > 0)
		result_long(res, "request: GET %s", r->url);
	plugin_finish(res);
}

/* The first line of a non-check answer, printable and short, for a message. */
static void first_line(const char *body, char *out, size_t outlen)
{
	size_t n = 0;

	for (const char *p = body; *p != '\0' && *p != '\n' && *p != '\r' && n + 1 < outlen; p++)
		out[n++] = (*p >= ' ' && *p < 0x7f) ? *p : '?';
	out[n] = '\0';
	if (n == 0)
		snprintf(out, outlen, "an empty answer");
}

/* Map an HTTP answer other than a check result to its state and exit. */
static void fail_http(const struct run *r, long status, const struct buf *body)
{
	struct checkwire ans;
	char text[200];
	const char *dash;

	if (status == 401)
		fail(r, STATE_UNKNOWN, "the agent wants a valid token (--token-file)");
	/* 400 (a bad range) and 404 (no such metric) come as UNKNOWN check results. */
	if ((status == 400 || status == 404) &&
	    checkwire_decode(buf_str(body), body->len, &ans) == 0 && ans.state == STATE_UNKNOWN) {
		/* A check's answer is in its own name ("HAPROXY UNKNOWN - ..."): as it came. */
		if (r->opts->check != NULL) {
			free(ans.status_line);
			plugin_relay(ans.state, ans.output);
		}
		dash = strstr(ans.status_line, " - ");
		snprintf(text, sizeof(text), "%s", dash != NULL ? dash + 3 : ans.status_line);
		checkwire_free(&ans);
		fail(r, STATE_UNKNOWN, "%s", text);
	}
	first_line(buf_str(body), text, sizeof(text));
	/* A server error is an agent that says it is broken. */
	fail(r, status >= 500 ? STATE_CRITICAL : STATE_UNKNOWN, "the agent answered HTTP %ld: %s%s",
	     status, text, r->tries);
}

/* End the run for a failed transfer (an enum fail, words in err) in the state fail_state() gives
 * it. */
static void fail_transfer(const struct run *r, int why, const char *err)
{
	enum state s = fail_state(why, r->args->timeout_state);

	if (why == FAIL_TOO_BIG)
		fail(r, s, NOT_A_RESULT " (more than %d bytes)", ANSWER_MAX);
	/* A time-out is the -t expiry (the request gives up a little before it): no retries to
	 * count. */
	if (why == FAIL_TIMEOUT || why == FAIL_LOCAL)
		fail(r, s, "%s", err);
	fail(r, s, "%s%s", err, r->tries);
}

/*
 * Whether the agent turned this attempt away rather than answered: it
 * refused, reset or closed the connection (a restart, a burst over its
 * connection limits), or said 503 without a check result (busy, come back).
 */
static bool turned_away(int rc, long status, const struct buf *body)
{
	struct checkwire ans;

	if (rc == FAIL_DOWN)
		return true;
	if (rc != 0 || status != 503)
		return false;
	if (checkwire_decode(buf_str(body), body->len, &ans) != 0)
		return true;
	checkwire_free(&ans);
	return false;
}

static void pause_for(double seconds)
{
	struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};

	while (nanosleep(&ts, &ts) == -1)
		;
}

/*
 * GET the check result, asking again while the agent turns the request away
 * and at most RETRY_SHARE of -t has passed, the pauses doubling from
 * RETRY_FIRST to RETRY_MAX, each a little shortened or stretched so that a
 * burst of checks does not come back in step. httpc_get's result.
 */
static int fetch(struct run *r, struct httpc *client, struct httpc_opts *req, struct buf *body,
		 long *status, char *err, size_t errlen)
{
	double start = time_monotonic(), limit = r->args->timeout, pause = RETRY_FIRST, spent;
	unsigned seed = (unsigned)getpid() * 2654435761u;
	int rc, n;

	req->timeout_named = limit;
	for (n = 1;; n++) {
		req->timeout = limit - (time_monotonic() - start);
		rc = httpc_get(client, req, body, status, err, errlen);
		if (!turned_away(rc, *status, body))
			break;
		seed = seed * 1103515245u + 12345u;
		spent =
		    time_monotonic() - start + pause * (0.75 + (double)(seed >> 16 & 0x3ff) / 2048);
		if (spent > limit * RETRY_SHARE)
			break;
		pause_for(spent - (time_monotonic() - start));
		pause = pause * 2 < RETRY_MAX ? pause * 2 : RETRY_MAX;
	}
	if (n > 1)
		snprintf(r->tries, sizeof(r->tries), " (tried %d times in %.1f s)", n,
			 time_monotonic() - start);
	return rc;
}

/* The request for this run: the URL, the limits, TLS and the token. */
static struct httpc_opts request(const struct run *r, const char *const *headers, const char *token)
{
	struct httpc_opts h = {0};

	h.url = r->url;
	h.timeout = r->args->timeout;
	h.target = r->target;
	h.family = r->args->family;
	h.user_agent = "check_vakt/" PACKAGE_VERSION;
	h.headers = headers;
	h.bearer = token;
	h.ca_file = r->opts->tls ? r->opts->ca : NULL;
	h.ca_hint = "--ca-file";
	h.plain_hint = " (does the agent want --tls?)";
	return h;
}

/* The token from --token-file or VAKT_TOKEN, or NULL; exits 3 when it is unusable. */
static char *load_token(const struct opts *o)
{
	char err[512], *token;

	if (secret_load_as(o->token_file, "--token-file", "VAKT_TOKEN", &token, err, sizeof(err)) <
	    0)
		plugin_usage_error("%s", err);
	for (const char *p = token; p != NULL && *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f) {
			secret_free(token);
			plugin_usage_error("the token has a control character, which cannot go in "
					   "an HTTP header");
		}
	return token;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	struct plugin_args a;
	struct run r = {0};
	/* The agent answers JSON unless asked for text; say which, not "any". */
	static const char *const headers[] = {"Accept: application/json", NULL};
	struct httpc_opts req;
	struct checkwire ans;
	struct buf body;
	char err[1024], *token;
	struct httpc client;
	long status = 0;
	int rc;

	plugin_start(&check_vakt, argc, argv, &o, &a);
	check_args(&a, &o);
	r.args = &a;
	r.opts = &o;
	token = load_token(&o);
	httpc_init(&client, false, NULL, 0);
	build_url(&r);
	buf_init(&body, ANSWER_MAX);
	req = request(&r, headers, token);
	rc = fetch(&r, &client, &req, &body, &status, err, sizeof(err));
	secret_free(token);
	if (rc != 0)
		fail_transfer(&r, rc, err);
	httpc_free(&client);
	if (status != 200)
		fail_http(&r, status, &body);
	if (checkwire_decode(buf_str(&body), body.len, &ans) != 0)
		fail(&r, STATE_UNKNOWN, NOT_A_RESULT);
	buf_free(&body);
	free(r.url);
	free(ans.status_line);
	/*
	 * The agent's answer goes out as it came, not through lib/output again:
	 * the agent rendered it with the same lib/output, and rendering it anew
	 * would need the state of each summary item (the JSON has only the
	 * joined line) and a perfdata round trip through num_parse and
	 * num_format that can change a number of more than 15 significant
	 * digits. As it came is what makes it the agent's, byte for byte.
	 */
	plugin_relay(ans.state, ans.output);
}
