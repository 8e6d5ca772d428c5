/*
 * The Supervisor probe (see supervisor.h): XML-RPC calls as HTTP/1.0
 * POSTs, one connection each (supervisord's medusa server closes an
 * HTTP/1.0 connection after its answer, as supervisorctl's transport
 * expects), all before one deadline.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "fail.h"
#include "http1.h"
#include "net.h"
#include "output.h"
#include "probe/supervisor.h"
#include "probe/supervisor_verdict.h"
#include "xalloc.h"

/* Room for the status line and headers around an answer. */
#define HEAD_ROOM (64 * 1024)

struct conn {
	const struct supervisor_target *t;
	struct http1_url u;
	double deadline;
	char who[HTTP1_HOST_MAX + 300];
};

void probe_supervisor_describe(const struct supervisor_target *t, char *out, size_t outlen)
{
	struct http1_url u;
	char why[256];

	if (t->socket != NULL)
		snprintf(out, outlen, "%s", t->socket);
	else if (http1_url_parse(t->url, &u, why, sizeof(why)) == 0)
		snprintf(out, outlen, "%s", u.target);
	else
		snprintf(out, outlen, "supervisord");
}

/* The POST of body into req; 0, or FAIL_LOCAL when too big. */
static int build(const struct conn *c, const struct buf *body, struct buf *req, char *err,
		 size_t errlen)
{
	struct buf auth;
	int r = 0;

	buf_init(&auth, 8192);
	if (c->t->user != NULL)
		http1_basic(&auth, c->t->user, c->t->password != NULL ? c->t->password : "");
	http1_post(req, &c->u, "vakt", auth.len > 0 ? buf_str(&auth) : NULL, "text/xml", body->data,
		   body->len);
	if (body->truncated || auth.truncated || req->truncated) {
		snprintf(err, errlen, "the request for %s is too big", c->who);
		r = FAIL_LOCAL;
	}
	if (auth.data != NULL)
		explicit_bzero(auth.data, auth.len);
	buf_free(&auth);
	return r;
}

/* The HTTP answer to a call of method in answer, into r; 0 or an enum fail. */
static int read_answer(const struct conn *c, const char *method, struct buf *answer,
		       struct xmlrpc_response *r, char *err, size_t errlen)
{
	struct http1_reply reply;
	char why[256];

	if (answer->len == 0) {
		snprintf(err, errlen, "%s closed the connection without answering", c->who);
		return FAIL_DOWN;
	}
	if (http1_reply_parse(answer->data, answer->len, &reply, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s answered %s: %s", c->who, method, why);
		return FAIL_BROKEN;
	}
	if (reply.status == 401) {
		snprintf(err, errlen,
			 "supervisord at %s refused the login (HTTP 401): check --user and "
			 "--password-file",
			 c->who);
		return FAIL_DENIED;
	}
	if (reply.status != 200) {
		snprintf(err, errlen, "supervisord at %s answered HTTP %ld to %s", c->who,
			 reply.status, method);
		return FAIL_HTTP;
	}
	if (xmlrpc_parse(reply.body, reply.bodylen, r, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s did not answer %s in XML-RPC: %s", c->who, method, why);
		return FAIL_BROKEN;
	}
	return 0;
}

/*
 * The n calls at c in one system.multicall, named in messages by the first
 * call's method; the answer into r (the caller frees it). 0, or an enum
 * fail with err; a fault of the multicall itself is FAIL_BROKEN.
 */
static int multicall(const struct conn *c, const struct xmlrpc_call *calls, size_t n,
		     struct xmlrpc_response *r, char *err, size_t errlen)
{
	struct net_target nt = {.path = c->t->socket,
				.host = c->u.host,
				.port = c->u.port,
				.family = c->t->family,
				.deadline = c->deadline,
				.limit = c->t->timeout,
				.what = calls[0].method,
				.name = c->who};
	struct buf body, req, answer;
	int rc;

	memset(r, 0, sizeof(*r));
	buf_init(&body, 64 * 1024);
	buf_init(&req, 128 * 1024);
	xmlrpc_multicall(&body, calls, n);
	rc = build(c, &body, &req, err, errlen);
	buf_init(&answer, XMLRPC_MAX_ANSWER + HEAD_ROOM);
	if (rc == 0)
		rc = net_exchange(&nt, req.data, req.len, &answer, http1_reply_whole, err, errlen);
	if (rc == FAIL_TOO_BIG)
		snprintf(err, errlen, "the answer of %s to %s is too big", c->who, calls[0].method);
	if (rc == 0)
		rc = read_answer(c, calls[0].method, &answer, r, err, errlen);
	if (rc == 0 && r->fault) {
		snprintf(err, errlen, "supervisord at %s: system.multicall failed: %s (fault %lld)",
			 c->who, r->fault_string, r->fault_code);
		xmlrpc_response_free(r);
		rc = FAIL_BROKEN;
	}
	if (req.data != NULL)
		explicit_bzero(req.data, req.len);
	buf_free(&body);
	buf_free(&req);
	buf_free(&answer);
	return rc;
}

/* getState's answer v into set; *up whether supervisord is RUNNING. 0 or FAIL_BROKEN. */
static int get_state(const struct conn *c, const struct xmlrpc_value *v, const char *fault,
		     struct metric_set *set, bool *up, char *err, size_t errlen)
{
	const char *name = xmlrpc_member_str(v, "statename");
	long long code;

	if (v == NULL || xmlrpc_member_int(v, "statecode", &code) != 0 || name == NULL) {
		snprintf(err, errlen, "supervisord at %s: getState gave no statecode%s%s", c->who,
			 fault != NULL ? ": " : "", fault != NULL ? fault : "");
		return FAIL_BROKEN;
	}
	/* supervisord's RUNNING is statecode 1 (supervisor/states.py). */
	*up = code == 1;
	metric_set_add(set, "supervisor_up", METRIC_GAUGE, "", *up ? 1 : 0);
	metric_label_add(metric_set_add(set, "supervisor_state", METRIC_GAUGE, "", 1), "state",
			 name);
	return 0;
}

/* The last lines of log (at most SUPERVISOR_TAIL_LINES, each cut and cleaned), "\n"-joined. */
static char *tail_of(const char *log, size_t len)
{
	const char *end = log + len, *start[SUPERVISOR_TAIL_LINES];
	size_t lens[SUPERVISOR_TAIL_LINES], n = 0;
	struct buf b;

	while (n < SUPERVISOR_TAIL_LINES && end > log) {
		const char *e = end, *s;

		while (e > log && (e[-1] == '\n' || e[-1] == '\r'))
			e--;
		s = e;
		while (s > log && s[-1] != '\n')
			s--;
		if (e > s) {
			start[n] = s;
			lens[n++] = (size_t)(e - s);
		}
		end = s;
	}
	buf_init(&b, SUPERVISOR_TAIL_LINES * (SUPERVISOR_TAIL_LINE_MAX + 1));
	while (n-- > 0) {
		char *line =
		    xstrndup(start[n], lens[n] > SUPERVISOR_TAIL_LINE_MAX ? SUPERVISOR_TAIL_LINE_MAX
									  : lens[n]);

		/* Cut in the middle of a character, the rest of it is made '?' here. */
		output_clean(line);
		if (b.len > 0)
			buf_puts(&b, "\n");
		buf_puts(&b, line);
		free(line);
	}
	return buf_steal(&b);
}

/*
 * Read method (a readProcess*Log) of each process named in names[] whose
 * tails[] is still NULL, in one multicall: the last 2048 bytes, as tails.
 * A fault (no such log) leaves it NULL. 0, or an enum fail.
 */
static int read_logs(const struct conn *c, const char *method, char **names, char **tails, size_t n,
		     char *err, size_t errlen)
{
	struct xmlrpc_param *params = xcalloc(n * 3 + 1, sizeof(*params));
	struct xmlrpc_call *calls = xcalloc(n + 1, sizeof(*calls));
	size_t *which = xcalloc(n + 1, sizeof(*which)), k = 0;
	struct xmlrpc_response r;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		if (tails[i] != NULL)
			continue;
		params[3 * k] = (struct xmlrpc_param){.s = names[i]};
		params[3 * k + 1] = (struct xmlrpc_param){.i = -2048};
		params[3 * k + 2] = (struct xmlrpc_param){.i = 0};
		calls[k] = (struct xmlrpc_call){method, &params[3 * k], 3};
		which[k++] = i;
	}
	if (k > 0)
		rc = multicall(c, calls, k, &r, err, errlen);
	for (size_t j = 0; k > 0 && rc == 0 && j < k; j++) {
		const char *fault;
		const struct xmlrpc_value *v = xmlrpc_multicall_result(r.value, j, &fault);

		if (v != NULL && v->type == XMLRPC_STRING && v->len > 0)
			tails[which[j]] = tail_of(v->s, v->len);
		if (tails[which[j]] != NULL && tails[which[j]][0] == '\0') {
			free(tails[which[j]]);
			tails[which[j]] = NULL;
		}
	}
	if (rc == 0 && k > 0)
		xmlrpc_response_free(&r);
	free(params);
	free(calls);
	free(which);
	return rc;
}

/*
 * The log tails of the bad processes of set, as supervisor_process_log with
 * a tail label: stderr first, then stdout for those whose stderr had
 * nothing (a program with redirect_stderr logs there). Two round trips at
 * most, whatever the number of processes.
 */
static int tails(const struct conn *c, struct metric_set *set, char *err, size_t errlen)
{
	size_t count = metric_set_count(set), n = 0;
	char **names = xcalloc(count + 1, sizeof(*names));
	char **tail = xcalloc(count + 1, sizeof(*tail));
	size_t *at = xcalloc(count + 1, sizeof(*at));
	int rc;

	for (size_t i = 0; i < count; i++) {
		const struct metric *m = metric_set_at(set, i);

		if (strcmp(m->name, "supervisor_process_log") != 0)
			continue;
		names[n] = xasprintf("%s:%s", metric_label(m, "group"), metric_label(m, "name"));
		at[n++] = i;
	}
	rc = read_logs(c, "supervisor.readProcessStderrLog", names, tail, n, err, errlen);
	if (rc == 0)
		rc = read_logs(c, "supervisor.readProcessStdoutLog", names, tail, n, err, errlen);
	for (size_t j = 0; rc == 0 && j < n; j++) {
		/* A new metric with its tail: labels are added, never changed. */
		struct metric *log =
		    metric_set_add(set, "supervisor_process_log", METRIC_GAUGE, "", 1);
		const struct metric *m = metric_set_at(set, at[j]);

		metric_label_add(log, "group", metric_label(m, "group"));
		metric_label_add(log, "name", metric_label(m, "name"));
		metric_label_add(log, "spawnerr", metric_label(m, "spawnerr"));
		metric_label_add(log, "tail", tail[j] != NULL ? tail[j] : "");
	}
	for (size_t j = 0; j < n; j++) {
		free(names[j]);
		free(tail[j]);
	}
	free(names);
	free(tail);
	free(at);
	return rc;
}

/* set without the supervisor_process_log metrics that have no tail label. */
static struct metric_set *without_bare_logs(struct metric_set *set)
{
	struct metric_set *out = metric_set_new();

	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);

		if (strcmp(m->name, "supervisor_process_log") != 0 ||
		    metric_label(m, "tail") != NULL)
			metric_set_copy(out, m);
	}
	metric_set_free(set);
	return out;
}

int probe_supervisor(const struct supervisor_target *t, struct metric_set *set, char *err,
		     size_t errlen)
{
	static const struct xmlrpc_call first[] = {{"supervisor.getState", NULL, 0},
						   {"supervisor.getAllProcessInfo", NULL, 0}};
	struct conn c = {.t = t, .deadline = time_monotonic() + t->timeout};
	const struct xmlrpc_value *state, *procs;
	struct xmlrpc_response r;
	struct metric_set *found;
	const char *fault;
	char why[256];
	bool up = false;
	int rc;

	probe_supervisor_describe(t, c.who, sizeof(c.who));
	/* Over a unix socket the URL is only the request line's and Host's. */
	if (http1_url_parse(t->socket != NULL ? "http://localhost/RPC2" : t->url, &c.u, why,
			    sizeof(why)) != 0) {
		snprintf(err, errlen, "invalid URL: %s", why);
		return FAIL_LOCAL;
	}
	/* Both in one round trip: most of what a check costs is supervisord answering. */
	rc = multicall(&c, first, 2, &r, err, errlen);
	if (rc != 0)
		return rc;
	procs = xmlrpc_multicall_result(r.value, 1, &fault);
	if (procs == NULL && strncmp(fault, "SHUTDOWN_STATE", 14) == 0) {
		/* Going down or restarting: its calls but getState are refused meanwhile. */
		metric_set_add(set, "supervisor_up", METRIC_GAUGE, "", 0);
		metric_label_add(metric_set_add(set, "supervisor_state", METRIC_GAUGE, "", 1),
				 "state", "SHUTDOWN");
		xmlrpc_response_free(&r);
		return 0;
	}
	state = xmlrpc_multicall_result(r.value, 0, &fault);
	rc = get_state(&c, state, fault, set, &up, err, errlen);
	procs = xmlrpc_multicall_result(r.value, 1, &fault);
	if (rc == 0 && up && procs == NULL) {
		snprintf(err, errlen, "supervisord at %s: getAllProcessInfo failed: %s", c.who,
			 fault);
		rc = FAIL_BROKEN;
	}
	if (rc != 0 || !up) {
		xmlrpc_response_free(&r);
		return rc;
	}
	found = metric_set_new();
	if (supervisor_processes(procs, found, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "supervisord at %s: getAllProcessInfo: %s", c.who, why);
		rc = FAIL_BROKEN;
	}
	xmlrpc_response_free(&r);
	if (rc == 0)
		rc = tails(&c, found, err, errlen);
	found = without_bare_logs(found);
	for (size_t i = 0; rc == 0 && i < metric_set_count(found); i++)
		metric_set_copy(set, metric_set_at(found, i));
	metric_set_free(found);
	return rc;
}

/* The seconds process p has been in state, by its own clock (the answer's now). */
static double in_state(const char *state, double start, double stop, double now)
{
	bool from_start = strcmp(state, "RUNNING") == 0 || strcmp(state, "STARTING") == 0 ||
			  strcmp(state, "BACKOFF") == 0;
	double since = from_start ? start : stop;

	return since > 0 && now >= since ? now - since : NAN;
}

/* A metric called name for the process group:name. */
static void add(struct metric_set *set, const char *metric, const char *unit, double v,
		const char *group, const char *name)
{
	struct metric *m = metric_set_add(set, metric, METRIC_GAUGE, unit, v);

	metric_label_add(m, "group", group);
	metric_label_add(m, "name", name);
}

/* The metrics of one process of a getAllProcessInfo answer; 0 or -1. */
static int process(const struct xmlrpc_value *p, struct metric_set *set)
{
	const char *name = xmlrpc_member_str(p, "name"), *group = xmlrpc_member_str(p, "group"),
		   *state = xmlrpc_member_str(p, "statename"),
		   *spawnerr = xmlrpc_member_str(p, "spawnerr");
	long long start, stop, now, exitstatus;
	struct metric *m;

	if (name == NULL || group == NULL || state == NULL ||
	    xmlrpc_member_int(p, "start", &start) != 0 ||
	    xmlrpc_member_int(p, "stop", &stop) != 0 || xmlrpc_member_int(p, "now", &now) != 0 ||
	    xmlrpc_member_int(p, "exitstatus", &exitstatus) != 0)
		return -1;
	spawnerr = spawnerr != NULL ? spawnerr : "";
	m = metric_set_add(set, "supervisor_process_state", METRIC_GAUGE, "s",
			   in_state(state, (double)start, (double)stop, (double)now));
	metric_label_add(m, "group", group);
	metric_label_add(m, "name", name);
	metric_label_add(m, "state", state);
	add(set, "supervisor_process_running", "", strcmp(state, "RUNNING") == 0, group, name);
	add(set, "supervisor_process_start_time_seconds", "s", start > 0 ? (double)start : NAN,
	    group, name);
	add(set, "supervisor_process_exit_status", "", (double)exitstatus, group, name);
	if (supervisor_bad(state, (double)exitstatus, spawnerr)) {
		/* Its tail is added by the probe, which replaces this one. */
		m = metric_set_add(set, "supervisor_process_log", METRIC_GAUGE, "", 1);
		metric_label_add(m, "group", group);
		metric_label_add(m, "name", name);
		metric_label_add(m, "spawnerr", spawnerr);
	}
	return 0;
}

int supervisor_processes(const struct xmlrpc_value *v, struct metric_set *set, char *why,
			 size_t whylen)
{
	if (v == NULL || v->type != XMLRPC_ARRAY) {
		snprintf(why, whylen, "not an array of processes");
		return -1;
	}
	for (size_t i = 0; i < v->n; i++)
		if (process(v->items[i], set) != 0) {
			snprintf(why, whylen,
				 "process %zu lacks name, group, statename, start, stop, "
				 "now or exitstatus",
				 i + 1);
			return -1;
		}
	supervisor_groups(set);
	return 0;
}
