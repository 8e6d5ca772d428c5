/*
 * lib/probe/haproxy_stat.c: `show stat` and `show info` recorded from
 * HAProxy 2.6 (the stats socket, the ;csv page, and a moment with servers
 * changing state), files built from the documented column lists of 1.5 to
 * 3.0 (tests/data/haproxy/README says which is which), and small made-up
 * texts for the corners: quoting, CRLF, the "-" column, what is not CSV.
 * Every text is parsed from an exactly sized copy without a terminating
 * NUL, so the sanitizer build catches a read past len.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "probe/haproxy_stat.h"
#include "testutil.h"
#include "verdict.h"
#include "xalloc.h"

/* Parse len bytes of text from a copy of exactly that size; returns what the parser did. */
static int parse_len(const char *text, size_t len, struct haproxy_stat *s, char *err, size_t errlen)
{
	char *copy = xmalloc(len);
	int rc;

	memcpy(copy, text, len);
	rc = haproxy_stat_parse(copy, len, s, err, errlen);
	free(copy);
	return rc;
}

static struct haproxy_stat parse(const char *text)
{
	struct haproxy_stat s;
	char err[256] = "";

	cr_assert_eq(parse_len(text, strlen(text), &s, err, sizeof(err)), 0, "refused: %s", err);
	return s;
}

static struct haproxy_stat parse_file(const char *name)
{
	return parse(test_data(name));
}

/* Parse text, which must be refused; the reason goes to err. */
static void refused(const char *text, char *err, size_t errlen)
{
	struct haproxy_stat s = {(struct haproxy_row *)1, 99};

	err[0] = '\0';
	cr_assert_eq(parse_len(text, strlen(text), &s, err, errlen), -1, "accepted: %s", text);
	cr_assert_null(s.rows, "nothing to free after a refusal");
	cr_assert_eq(s.n, 0);
}

static const struct haproxy_row *row(const struct haproxy_stat *s, const char *proxy,
				     const char *server)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->rows[i].proxy, proxy) == 0 && strcmp(s->rows[i].server, server) == 0)
			return &s->rows[i];
	cr_assert_fail("no row %s/%s", proxy, server);
	return NULL;
}

/* The metric name labelled proxy and server, or NULL. */
static const struct metric *find(const struct metric_set *set, const char *name, const char *proxy,
				 const char *server)
{
	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);
		const char *p = metric_label(m, "proxy"), *s = metric_label(m, "server");

		if (strcmp(m->name, name) == 0 && p != NULL && s != NULL && strcmp(p, proxy) == 0 &&
		    strcmp(s, server) == 0)
			return m;
	}
	return NULL;
}

/* The value of find(), or NAN. */
static double value(const struct metric_set *set, const char *name, const char *proxy,
		    const char *server)
{
	const struct metric *m = find(set, name, proxy, server);

	return m == NULL ? NAN : m->value;
}

static size_t count(const struct metric_set *set, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < metric_set_count(set); i++)
		n += strcmp(metric_set_at(set, i)->name, name) == 0;
	return n;
}

/*
 * The same HAProxy in every built version file: frontend web (HTTP, 5 of
 * 100 sessions, 7 5xx), backend app with web1 UP, web2 DOWN (L4CON), web3
 * in MAINT, spare a backup, a backend queue time of 250 ms, and a TCP
 * proxy db. desc: the version has check_desc (1.7+).
 */
static void check_version(const char *file, bool desc)
{
	struct haproxy_stat s = parse_file(file);
	struct metric_set *set = metric_set_new();
	const struct haproxy_row *r;

	cr_assert_eq(s.n, 9, "%s: %zu rows, the listener skipped", file, s.n);
	r = row(&s, "web", "FRONTEND");
	cr_expect_eq(r->type, HAPROXY_FRONTEND);
	cr_expect_str_eq(r->status, "OPEN");
	cr_expect_eq(r->state, HAPROXY_OTHER);
	cr_expect(r->http, "%s: web is HTTP", file);
	cr_expect_eq(r->scur, 5);
	cr_expect_eq(r->slim, 100);
	cr_expect_eq(r->hrsp_5xx, 7);
	cr_expect_eq(r->req_tot, 1200);
	cr_expect(isnan(r->qcur), "a frontend has no queue");

	r = row(&s, "app", "web1");
	cr_expect_eq(r->type, HAPROXY_SERVER);
	cr_expect_eq(r->state, HAPROXY_UP);
	cr_expect_str_eq(r->check_status, "L7OK");
	cr_expect_eq(r->check_code, 200);
	cr_expect_str_eq(r->check_desc, desc ? "Layer7 check passed" : "");
	cr_expect_not(r->backup);
	cr_expect_eq(r->qtime, 12);
	cr_expect_eq(r->hrsp_5xx, 4);
	cr_expect_eq(r->lastchg, 3600);

	r = row(&s, "app", "web2");
	cr_expect_eq(r->state, HAPROXY_DOWN, "%s: web2 %s", file, r->status);
	cr_expect_str_eq(r->check_status, "L4CON");
	cr_expect_str_eq(r->check_desc, desc ? "Layer4 connection problem" : "");
	cr_expect(isnan(r->check_code));
	cr_expect_eq(r->chkfail, 3);
	cr_expect_eq(r->chkdown, 1);
	cr_expect_eq(r->downtime, 120);
	cr_expect_eq(r->econ, 2, "%s: the quoted last_chk before it kept columns in place", file);
	cr_expect_eq(r->ttime, 18);

	cr_expect_eq(row(&s, "app", "web3")->state, HAPROXY_MAINT);
	cr_expect_str_eq(row(&s, "app", "web3")->check_status, "");
	cr_expect(row(&s, "app", "spare")->backup);
	cr_expect_eq(row(&s, "app", "spare")->state, HAPROXY_UP);

	r = row(&s, "app", "BACKEND");
	cr_expect_eq(r->type, HAPROXY_BACKEND);
	cr_expect_eq(r->state, HAPROXY_OTHER);
	cr_expect_eq(r->act, 1);
	cr_expect_eq(r->bck, 1);
	cr_expect_not(r->backup, "backup is for servers");
	cr_expect_eq(r->qcur, 2);
	cr_expect_eq(r->qtime, 250);

	cr_expect_not(row(&s, "db", "FRONTEND")->http, "%s: db is TCP", file);
	cr_expect_not(row(&s, "db", "pg1")->http);
	cr_expect_str_eq(row(&s, "db", "pg1")->check_status, "L4OK");

	haproxy_stat_metrics(&s, set);
	cr_expect_eq(value(set, "haproxy_up", "web", "FRONTEND"), 1);
	cr_expect_eq(value(set, "haproxy_up", "app", "web1"), 1);
	cr_expect_eq(value(set, "haproxy_up", "app", "web2"), 0);
	cr_expect_eq(value(set, "haproxy_up", "app", "web3"), 0);
	cr_expect_eq(value(set, "haproxy_up", "app", "BACKEND"), 1);
	cr_expect_eq(value(set, "haproxy_state", "app", "web2"), HAPROXY_DOWN);
	cr_expect_eq(value(set, "haproxy_state", "app", "web3"), HAPROXY_MAINT);
	cr_expect_null(find(set, "haproxy_state", "app", "BACKEND"), "state is for servers");
	cr_expect_eq(value(set, "haproxy_sessions", "web", "FRONTEND"), 5);
	cr_expect_float_eq(value(set, "haproxy_sessions_pct", "web", "FRONTEND"), 5, 1e-9);
	cr_expect_float_eq(value(set, "haproxy_sessions_pct", "app", "web1"), 6, 1e-9);
	cr_expect_float_eq(value(set, "haproxy_sessions_pct", "app", "BACKEND"), 30, 1e-9);
	cr_expect_float_eq(value(set, "haproxy_sessions_pct", "db", "FRONTEND"), 0.5, 1e-9);
	cr_expect_null(find(set, "haproxy_sessions_pct", "app", "web2"), "web2 has no limit");
	cr_expect_null(find(set, "haproxy_queue", "web", "FRONTEND"));
	cr_expect_eq(value(set, "haproxy_queue", "app", "BACKEND"), 2);
	cr_expect_float_eq(value(set, "haproxy_queue_time", "app", "BACKEND"), 0.25, 1e-12);
	cr_expect_float_eq(value(set, "haproxy_queue_time", "app", "web1"), 0.012, 1e-12);
	cr_expect_str_eq(find(set, "haproxy_queue_time", "app", "BACKEND")->unit, "s");
	cr_expect_eq(value(set, "haproxy_responses_5xx", "web", "FRONTEND"), 7);
	cr_expect_eq(value(set, "haproxy_responses_5xx", "app", "BACKEND"), 4);
	cr_expect_eq(find(set, "haproxy_responses_5xx", "app", "BACKEND")->kind, METRIC_COUNTER);
	cr_expect_null(find(set, "haproxy_responses_5xx", "db", "BACKEND"), "db is TCP");
	cr_expect_eq(value(set, "haproxy_servers", "app", "BACKEND"), 2,
		     "web1 and web2: not the backup, not web3 in MAINT");
	cr_expect_eq(value(set, "haproxy_servers_up", "app", "BACKEND"), 1);
	cr_expect_float_eq(value(set, "haproxy_servers_up_pct", "app", "BACKEND"), 50, 1e-9);
	cr_expect_str_eq(find(set, "haproxy_servers_up_pct", "app", "BACKEND")->unit, "%");
	cr_expect_eq(value(set, "haproxy_servers", "db", "BACKEND"), 1);
	cr_expect_float_eq(value(set, "haproxy_servers_up_pct", "db", "BACKEND"), 100, 1e-9);
	cr_expect_null(find(set, "haproxy_servers", "app", "web1"), "servers is for backends");
	metric_set_free(set);
	haproxy_stat_free(&s);
}

Test(haproxy_stat, version_1_5)
{
	check_version("haproxy/1.5.csv", false);
}

Test(haproxy_stat, version_1_7)
{
	check_version("haproxy/1.7.csv", true);
}

Test(haproxy_stat, version_1_8)
{
	check_version("haproxy/1.8.csv", true);
}

Test(haproxy_stat, version_2_0)
{
	check_version("haproxy/2.0.csv", true);
}

Test(haproxy_stat, version_2_4)
{
	check_version("haproxy/2.4.csv", true);
}

Test(haproxy_stat, version_2_8)
{
	check_version("haproxy/2.8.csv", true);
}

Test(haproxy_stat, version_3_0)
{
	check_version("haproxy/3.0.csv", true);
}

/* What HAProxy 2.6 said on its stats socket (see the README for the setup). */
static void check_recorded_2_6(const char *file, double stats_sessions)
{
	struct haproxy_stat s = parse_file(file);
	struct metric_set *set = metric_set_new();
	const struct haproxy_row *r;

	cr_assert_eq(s.n, 8, "%s", file);
	r = row(&s, "app", "web1");
	cr_expect_eq(r->state, HAPROXY_UP);
	cr_expect_str_eq(r->check_status, "L7OK");
	cr_expect_eq(r->check_code, 200);
	cr_expect_str_eq(r->check_desc, "Layer7 check passed");
	cr_expect(r->http);
	cr_expect_eq(r->stot, 6);
	r = row(&s, "app", "web2");
	cr_expect_eq(r->state, HAPROXY_DOWN);
	cr_expect_str_eq(r->check_status, "L4CON");
	cr_expect_str_eq(r->check_desc, "Layer4 connection problem");
	cr_expect(isnan(r->check_code));
	cr_expect_eq(row(&s, "app", "web3")->state, HAPROXY_MAINT);
	cr_expect_str_eq(row(&s, "app", "web3")->status, "MAINT");
	cr_expect(row(&s, "app", "spare")->backup);
	cr_expect_eq(row(&s, "web", "FRONTEND")->slim, 100);
	cr_expect_eq(row(&s, "web", "FRONTEND")->hrsp_5xx, 0);
	cr_expect_eq(row(&s, "stats", "FRONTEND")->scur, stats_sessions);
	haproxy_stat_metrics(&s, set);
	cr_expect_eq(value(set, "haproxy_servers", "app", "BACKEND"), 2);
	cr_expect_eq(value(set, "haproxy_servers_up", "app", "BACKEND"), 1);
	cr_expect_float_eq(value(set, "haproxy_servers_up_pct", "app", "BACKEND"), 50, 1e-9);
	/* A stats section has no servers by design: no counts that read as an outage. */
	cr_expect_null(find(set, "haproxy_servers", "stats", "BACKEND"));
	cr_expect_null(find(set, "haproxy_servers_up", "stats", "BACKEND"));
	cr_expect_null(find(set, "haproxy_servers_up_pct", "stats", "BACKEND"),
		       "no servers, no percentage");
	cr_expect_not_null(find(set, "haproxy_up", "stats", "BACKEND"));
	cr_expect_eq(value(set, "haproxy_sessions_pct", "web", "FRONTEND"), 0);
	cr_expect_eq(value(set, "haproxy_responses_5xx", "app", "web2"), 0);
	cr_expect_eq(value(set, "haproxy_queue_time", "app", "BACKEND"), 0);
	cr_expect_eq(count(set, "haproxy_state"), 4);
	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);

		cr_expect_not_null(metric_label(m, "proxy"), "%s has no proxy label", m->name);
		cr_expect_not_null(metric_label(m, "server"), "%s has no server label", m->name);
	}
	metric_set_free(set);
	haproxy_stat_free(&s);
}

Test(haproxy_stat, recorded_socket_2_6)
{
	check_recorded_2_6("haproxy/2.6.csv", 0);
}

Test(haproxy_stat, recorded_page_2_6)
{
	check_recorded_2_6("haproxy/2.6-http.csv", 1);
}

Test(haproxy_stat, recorded_transitions_2_6)
{
	struct haproxy_stat s = parse_file("haproxy/2.6-transitions.csv");
	struct metric_set *set = metric_set_new();
	const struct haproxy_row *r;

	r = row(&s, "flap", "a");
	cr_expect_str_eq(r->status, "UP 1/3");
	cr_expect_eq(r->state, HAPROXY_GOING_DOWN);
	cr_expect_str_eq(r->check_status, "L4CON");
	r = row(&s, "flap", "b");
	cr_expect_str_eq(r->status, "DOWN 1/3");
	cr_expect_eq(r->state, HAPROXY_COMING_UP);
	r = row(&s, "flap", "slow");
	cr_expect_eq(r->state, HAPROXY_DOWN);
	cr_expect_str_eq(r->check_status, "L7TOUT", "\"* L7TOUT\": a check is running");
	cr_expect_str_eq(row(&s, "pool", "d2")->check_status, "L7OK", "\"* L7OK\"");
	cr_expect_eq(row(&s, "misc", "base")->state, HAPROXY_MAINT);
	r = row(&s, "misc", "follower");
	cr_expect_str_eq(r->status, "MAINT (via misc/base)");
	cr_expect_eq(r->state, HAPROXY_MAINT);
	cr_expect_eq(row(&s, "misc", "nocheck")->state, HAPROXY_NO_CHECK);
	r = row(&s, "misc", "nolb");
	cr_expect_eq(r->state, HAPROXY_NOLB);
	cr_expect_str_eq(r->check_status, "L7OKC");
	cr_expect_eq(r->check_code, 404);
	cr_expect_eq(row(&s, "pool", "d1")->state, HAPROXY_DRAIN);
	cr_expect_eq(row(&s, "pool", "d2")->state, HAPROXY_UP);

	haproxy_stat_metrics(&s, set);
	cr_expect_eq(value(set, "haproxy_up", "flap", "a"), 1, "going down, still in use");
	cr_expect_eq(value(set, "haproxy_up", "flap", "b"), 0, "coming up, not yet in use");
	cr_expect_eq(value(set, "haproxy_state", "flap", "a"), HAPROXY_GOING_DOWN);
	cr_expect_eq(value(set, "haproxy_state", "flap", "b"), HAPROXY_COMING_UP);
	cr_expect_eq(value(set, "haproxy_servers", "flap", "BACKEND"), 3);
	cr_expect_eq(value(set, "haproxy_servers_up", "flap", "BACKEND"), 1);
	cr_expect_eq(value(set, "haproxy_servers", "misc", "BACKEND"), 3,
		     "base and its follower are in MAINT");
	cr_expect_eq(value(set, "haproxy_servers_up", "misc", "BACKEND"), 3,
		     "no check and NOLB count as up");
	cr_expect_eq(value(set, "haproxy_servers_up", "pool", "BACKEND"), 2, "DRAIN is up");
	metric_set_free(set);
	haproxy_stat_free(&s);
}

/* haproxy_status: what a verdict needs of each row, as labels and the time since it changed. */
Test(haproxy_stat, status_series)
{
	struct haproxy_stat s = parse_file("haproxy/2.6-transitions.csv");
	struct metric_set *set = metric_set_new();
	const struct metric *m;

	haproxy_stat_metrics(&s, set);
	cr_expect_eq(count(set, "haproxy_status"), s.n, "one for every row");
	m = find(set, "haproxy_status", "flap", "a");
	cr_assert_not_null(m);
	cr_expect_str_eq(m->unit, "s");
	cr_expect_eq(m->value, 3, "lastchg");
	cr_expect_str_eq(metric_label(m, "type"), "server");
	cr_expect_str_eq(metric_label(m, "status"), "UP 1/3");
	cr_expect_str_eq(metric_label(m, "backup"), "0");
	cr_expect_str_eq(metric_label(m, "check"), "L4CON");
	cr_expect_str_eq(metric_label(m, "check_reason"), "Connection refused",
			 "the last check's words before its kind's");
	m = find(set, "haproxy_status", "flap", "slow");
	cr_expect_str_eq(metric_label(m, "check"), "L7TOUT", "without the running check's \"* \"");
	cr_expect_str_eq(metric_label(m, "check_reason"), "Layer7 timeout", "check_desc");
	m = find(set, "haproxy_status", "misc", "base");
	cr_expect_null(metric_label(m, "check"), "no check, no label");
	cr_expect_null(metric_label(m, "check_reason"));
	m = find(set, "haproxy_status", "web", "FRONTEND");
	cr_expect_str_eq(metric_label(m, "type"), "frontend");
	cr_expect_str_eq(metric_label(m, "status"), "OPEN");
	cr_expect_null(metric_label(m, "backup"), "servers only");
	cr_expect(isnan(m->value), "HAProxy gives a frontend no lastchg");
	cr_expect_str_eq(metric_label(find(set, "haproxy_status", "pool", "BACKEND"), "type"),
			 "backend");
	metric_set_free(set);
	haproxy_stat_free(&s);
}

/*
 * verdict_haproxy over the set of a row text, as the agent holds it (every
 * series labelled target="lb"), with the options of pairs; the rendered
 * answer, to be freed.
 */
static char *judged(const char *file, const struct plugin_pair *pairs, size_t n)
{
	struct haproxy_stat s = {0};
	struct metric_set *set = metric_set_new();
	void *opts = xcalloc(1, verdict_haproxy.opts_size);
	struct plugin_args a;
	struct result *r;
	char err[256], *out;

	if (file != NULL)
		s = parse_file(file);
	haproxy_stat_metrics(&s, set);
	metric_set_label_missing(set, "target", "lb");
	cr_assert_eq(verdict_parse(&verdict_haproxy, pairs, n, opts, &a, err, sizeof(err)), 0, "%s",
		     err);
	r = verdict_judge(
	    &verdict_haproxy,
	    &(struct verdict_in){.args = &a, .opts = opts, .set = set, .source = "lb"});
	out = result_render(r);
	result_free(r);
	verdict_free_opts(&verdict_haproxy, opts, &a);
	free(opts);
	metric_set_free(set);
	haproxy_stat_free(&s);
	return out;
}

#define expect_has(out, text) cr_expect_not_null(strstr(out, text), "no \"%s\" in: %s", text, out)

Test(haproxy_verdict, servers_from_the_set)
{
	static const struct plugin_pair maint[] = {{"maint", "warning"}};
	char *out = judged("haproxy/2.6-transitions.csv", maint, 1);

	cr_expect(strncmp(out, "HAPROXY CRITICAL - ", 19) == 0, "%s", out);
	expect_has(out, "flap/b is coming back: DOWN 1/3 (L7OK: Layer7 check passed) for 3 s");
	expect_has(out, "flap/slow is DOWN (L7TOUT: Layer7 timeout) for 0 s");
	expect_has(out, "misc/follower is MAINT (via misc/base) for 0 s");
	expect_has(out, "pool/d1 is DRAIN (L7OK: Layer7 check passed) for 0 s");
	expect_has(out, "flap/a is going down: UP 1/3 (L4CON: Connection refused) for 3 s");
	expect_has(out, "4 backends, 3 of 10 servers up |");
	expect_has(out, "haproxy_servers_up_flap/BACKEND=1;;;0 ");
	cr_expect_null(strstr(out, "haproxy_status"), "not judged by thresholds: %s", out);
	free(out);
}

Test(haproxy_verdict, filters_count_what_they_leave)
{
	static const struct plugin_pair pairs[] = {
	    {"proxy", "^flap$"}, {"exclude", "^flap/slow$"}, {"min-up", "2"}};
	char *out = judged("haproxy/2.6-transitions.csv", pairs, 3);

	expect_has(out, "backend flap has 1 of 2 servers up, below --min-up 2");
	expect_has(out, "1 backend, 1 of 2 servers up |");
	expect_has(out, "haproxy_servers_up_pct_flap/BACKEND=50%");
	cr_expect_null(strstr(out, "slow"), "%s", out);
	cr_expect_null(strstr(out, "misc"), "%s", out);
	free(out);
}

Test(haproxy_verdict, nothing_to_judge)
{
	static const struct plugin_pair none[] = {{"proxy", "^nothing$"}};
	char *out = judged("haproxy/2.6-transitions.csv", none, 1);

	cr_expect_str_eq(out, "HAPROXY UNKNOWN - no proxy or server matches the filters in lb\n");
	free(out);
	out = judged(NULL, NULL, 0);
	cr_expect_str_eq(out, "HAPROXY UNKNOWN - lb lists no frontend, backend or server\n");
	free(out);
}

/* The agent takes only what judges: never where the statistics are. */
Test(haproxy_verdict, agent_options)
{
	static const struct plugin_pair url[] = {{"url", "http://127.0.0.1:1/;csv"}};
	void *opts = xcalloc(1, verdict_haproxy.opts_size);
	struct plugin_args a;
	char err[256];

	cr_expect_eq(verdict_parse(&verdict_haproxy, url, 1, opts, &a, err, sizeof(err)), -1);
	cr_expect_str_eq(err, "unknown option 'url'");
	verdict_free_opts(&verdict_haproxy, opts, &a);
	free(opts);
}

/* Each status word HAProxy has printed, and one it has not. */
Test(haproxy_stat, status_words)
{
	static const struct {
		const char *status;
		enum haproxy_state state;
	} cases[] = {
	    {"UP", HAPROXY_UP},
	    {"UP 2/3", HAPROXY_GOING_DOWN},
	    {"DOWN", HAPROXY_DOWN},
	    {"DOWN 1/2", HAPROXY_COMING_UP},
	    {"DOWN (agent)", HAPROXY_DOWN},
	    {"NOLB", HAPROXY_NOLB},
	    {"NOLB 1/3", HAPROXY_NOLB},
	    {"DRAIN", HAPROXY_DRAIN},
	    {"DRAIN (agent)", HAPROXY_DRAIN},
	    {"DRAIN 1/3", HAPROXY_DRAIN},
	    {"MAINT", HAPROXY_MAINT},
	    {"MAINT(via)", HAPROXY_MAINT},
	    {"MAINT(resolution)", HAPROXY_MAINT},
	    {"MAINT (resolution)", HAPROXY_MAINT},
	    {"MAINT (via app/web1)", HAPROXY_MAINT},
	    {"no check", HAPROXY_NO_CHECK},
	    {"UPPER", HAPROXY_OTHER},
	    {"up", HAPROXY_OTHER},
	    {"", HAPROXY_OTHER},
	};
	char text[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct haproxy_stat s;

		snprintf(text, sizeof(text), "# pxname,svname,status,type\np,s,%s,2\n",
			 cases[i].status);
		s = parse(text);
		cr_expect_eq(s.rows[0].state, cases[i].state, "\"%s\": %s", cases[i].status,
			     haproxy_state_word(s.rows[0].state));
		haproxy_stat_free(&s);
	}
}

Test(haproxy_stat, state_words)
{
	cr_expect_str_eq(haproxy_state_word(HAPROXY_UP), "UP");
	cr_expect_str_eq(haproxy_state_word(HAPROXY_GOING_DOWN), "going down");
	cr_expect_str_eq(haproxy_state_word(HAPROXY_COMING_UP), "coming up");
	cr_expect_str_eq(haproxy_state_word(HAPROXY_MAINT), "MAINT");
	cr_expect_str_eq(haproxy_state_word(HAPROXY_NO_CHECK), "no check");
	cr_expect_str_eq(haproxy_state_word(HAPROXY_OTHER), "other");
	cr_expect_str_eq(haproxy_state_word((enum haproxy_state)42), "other");
}

Test(haproxy_stat, running_check)
{
	struct haproxy_stat s = parse("# pxname,svname,type,status,check_status,check_desc\n"
				      "app,web2,2,DOWN,* L4CON,Layer4 connection problem\n"
				      "app,web3,2,DOWN,*,\n"
				      "app,web4,2,UP,*L7OK,\n");

	cr_expect_str_eq(s.rows[0].check_status, "L4CON");
	cr_expect_str_eq(s.rows[0].check_desc, "Layer4 connection problem");
	cr_expect_str_eq(s.rows[1].check_status, "*", "nothing after the star to keep");
	cr_expect_str_eq(s.rows[2].check_status, "*L7OK", "not HAProxy's \"* \": left alone");
	haproxy_stat_free(&s);
}

Test(haproxy_stat, quoted_fields)
{
	struct haproxy_stat s = parse("# pxname,svname,check_desc,scur,type,status,last_chk\n"
				      "\"a,b\",\"s\",\"said \"\"no\"\"\",3,2,UP,\"x\ny\"\n"
				      "\"\",s2,\"\"\"\",4,2,\"DOWN\",\n"
				      "c,s3,x,5,2,UP,\"unterminated\n");
	char err[256];

	cr_assert_eq(s.n, 3);
	cr_expect_str_eq(s.rows[2].status, "UP", "an unterminated quote at the end is a field");
	cr_expect_str_eq(s.rows[0].proxy, "a,b");
	cr_expect_str_eq(s.rows[0].server, "s");
	cr_expect_str_eq(s.rows[0].check_desc, "said \"no\"");
	cr_expect_eq(s.rows[0].scur, 3);
	cr_expect_eq(s.rows[1].scur, 4, "a newline inside quotes did not end the line");
	cr_expect_str_eq(s.rows[1].proxy, "");
	cr_expect_str_eq(s.rows[1].check_desc, "\"");
	cr_expect_str_eq(s.rows[1].status, "DOWN");
	haproxy_stat_free(&s);
	refused("# pxname,svname,check_desc,type,status\np,s,\"open,2,UP\np,t,,2,UP\n", err,
		sizeof(err));
	cr_expect_str_eq(err, "row 1 has no type", "the open quote took the rest of the text");
}

/* The recorded socket answer with every LF made CRLF. */
Test(haproxy_stat, crlf)
{
	const char *lf = test_data("haproxy/2.6.csv");
	char *crlf = xmalloc(2 * strlen(lf) + 1), *o = crlf;
	struct haproxy_stat s;
	struct metric_set *set = metric_set_new();

	for (const char *p = lf; *p != '\0'; p++) {
		if (*p == '\n')
			*o++ = '\r';
		*o++ = *p;
	}
	*o = '\0';
	s = parse(crlf);
	cr_expect_eq(s.n, 8);
	cr_expect_str_eq(row(&s, "app", "web1")->status, "UP");
	haproxy_stat_metrics(&s, set);
	cr_expect_eq(value(set, "haproxy_servers_up", "app", "BACKEND"), 1);
	metric_set_free(set);
	haproxy_stat_free(&s);
	free(crlf);

	s = parse("# pxname,svname,type,status\r\np,s,2,UP\r\np,t,2,DOWN 1/2");
	cr_expect_str_eq(s.rows[0].status, "UP", "no CR kept at the end of the line");
	cr_expect_eq(s.rows[1].state, HAPROXY_COMING_UP, "no newline at the end");
	haproxy_stat_free(&s);
}

Test(haproxy_stat, trailing_comma_or_not)
{
	struct haproxy_stat a = parse("# pxname,svname,type,status,\np,s,2,UP,\n");
	struct haproxy_stat b = parse("# pxname,svname,type,status\np,s,2,UP\n");

	cr_expect_str_eq(a.rows[0].status, "UP");
	cr_expect_str_eq(b.rows[0].status, "UP");
	haproxy_stat_free(&a);
	haproxy_stat_free(&b);
}

/* Short rows, long rows, columns read twice, and what follows the "-" column. */
Test(haproxy_stat, columns)
{
	struct haproxy_stat s = parse("# pxname,svname,type,status,-,scur,qtime\n"
				      "p,BACKEND,1,UP,-,5,7\n"
				      "p,t,2,UP,-,1,2,3,4,5,6\n");
	cr_expect(isnan(s.rows[0].scur), "columns after '-' are module statistics");
	cr_expect(isnan(s.rows[0].qtime));
	haproxy_stat_free(&s);
	s = parse("# pxname,svname,type,status,scur,scur\np,s,2,UP,1,2\np,u,2\n");
	cr_expect_eq(s.rows[0].scur, 1, "of two columns with one name, the first");
	cr_expect_str_eq(s.rows[1].status, "", "a short row");
	cr_expect(isnan(s.rows[1].scur));
	cr_expect_eq(s.rows[1].state, HAPROXY_OTHER);
	haproxy_stat_free(&s);
}

Test(haproxy_stat, rows_without_type)
{
	char err[256];

	refused("# pxname,svname,type,status\np,s,2,UP\np,s\n", err, sizeof(err));
	cr_expect_str_eq(err, "row 2 has no type");
	refused("# pxname,svname,type,status\np,s,x,UP\n", err, sizeof(err));
	cr_expect_str_eq(err, "row 1 has no type");
	refused("# pxname,svname,type,status\np,s,1.5,UP\n", err, sizeof(err));
	cr_expect_str_eq(err, "row 1 has no type");
}

Test(haproxy_stat, other_types_skipped)
{
	struct haproxy_stat s = parse("# pxname,svname,type,status\n"
				      "p,l,3,OPEN\np,x,7,?\np,y,-1,?\np,FRONTEND,0,OPEN\n");

	cr_assert_eq(s.n, 1);
	cr_expect_str_eq(s.rows[0].server, "FRONTEND");
	haproxy_stat_free(&s);
}

Test(haproxy_stat, not_statistics)
{
	char err[256];

	refused("", err, sizeof(err));
	cr_expect_str_eq(err, "no '# pxname' header");
	refused("\n\r\n", err, sizeof(err));
	cr_expect_str_eq(err, "no '# pxname' header");
	refused("<html><body><h1>503 Service Unavailable</h1></body></html>\n", err, sizeof(err));
	cr_expect_str_eq(err, "no '# pxname' header");
	refused(test_data("haproxy/2.6-info.txt"), err, sizeof(err));
	cr_expect_str_eq(err, "no '# pxname' header");
	refused("# just a comment\n", err, sizeof(err));
	cr_expect_str_eq(err, "no pxname column");
	refused("# pxname,type\n", err, sizeof(err));
	cr_expect_str_eq(err, "no svname column");
	refused("# pxname,svname,status\np,s,UP\n", err, sizeof(err));
	cr_expect_str_eq(err, "no type column");
	refused("# pxname,svname,-,type\n", err, sizeof(err));
	cr_expect_str_eq(err, "no type column", "a module column cannot stand for a static one");
}

Test(haproxy_stat, header_only)
{
	const char *full = test_data("haproxy/2.6.csv");
	size_t first = (size_t)(strchr(full, '\n') - full);
	struct haproxy_stat s;
	struct metric_set *set = metric_set_new();

	cr_assert_eq(parse_len(full, first + 1, &s, NULL, 0), 0);
	cr_expect_eq(s.n, 0);
	cr_expect_null(s.rows);
	haproxy_stat_metrics(&s, set);
	cr_expect_eq(metric_set_count(set), 0);
	cr_assert_eq(parse_len(full, first, &s, NULL, 0), 0, "without its newline");
	cr_expect_eq(s.n, 0);
	metric_set_free(set);
	haproxy_stat_free(&s);
	haproxy_stat_free(&s);
}

/* Missing or empty numbers give no metric rather than 0. */
Test(haproxy_stat, missing_columns)
{
	struct haproxy_stat s = parse("# pxname,svname,type,status,scur,slim\n"
				      "p,FRONTEND,0,STOP,,0\n"
				      "p,BACKEND,1,DOWN,x,\n");
	struct metric_set *set = metric_set_new();

	haproxy_stat_metrics(&s, set);
	cr_expect_eq(value(set, "haproxy_up", "p", "FRONTEND"), 0, "STOP is not OPEN");
	cr_expect_eq(value(set, "haproxy_up", "p", "BACKEND"), 0);
	cr_expect_eq(count(set, "haproxy_sessions"), 0, "empty and not a number");
	cr_expect_eq(count(set, "haproxy_sessions_pct"), 0, "no limit, no percentage");
	cr_expect_eq(count(set, "haproxy_queue"), 0, "no qcur column");
	cr_expect_eq(count(set, "haproxy_queue_time"), 0, "no qtime column");
	cr_expect_eq(count(set, "haproxy_responses_5xx"), 0);
	cr_expect_eq(count(set, "haproxy_servers"), 0, "a backend without servers has no counts");
	cr_expect_eq(count(set, "haproxy_servers_up_pct"), 0);
	metric_set_free(set);
	haproxy_stat_free(&s);
}

/* HTTP before 1.7 (no mode column): hrsp_5xx filled; from 1.7 the mode column says. */
Test(haproxy_stat, http_without_mode_column)
{
	struct haproxy_stat s = parse("# pxname,svname,type,status,hrsp_5xx\n"
				      "h,FRONTEND,0,OPEN,3\nt,FRONTEND,0,OPEN,\n");

	cr_expect(s.rows[0].http);
	cr_expect_not(s.rows[1].http);
	haproxy_stat_free(&s);
	s = parse("# pxname,svname,type,status,hrsp_5xx,mode\n"
		  "h,FRONTEND,0,OPEN,3,tcp\nt,FRONTEND,0,OPEN,,http\n");
	cr_expect_not(s.rows[0].http, "the mode column wins");
	cr_expect(s.rows[1].http);
	haproxy_stat_free(&s);
}

/* A server listed apart from its backend still counts for it. */
Test(haproxy_stat, servers_by_proxy_name)
{
	struct haproxy_stat s = parse("# pxname,svname,type,status,bck\n"
				      "a,s1,2,UP,0\nb,s1,2,DOWN,0\na,BACKEND,1,UP,\n"
				      "b,BACKEND,1,DOWN,\na,s2,2,no check,0\na,s3,2,UP,1\n");
	struct metric_set *set = metric_set_new();

	haproxy_stat_metrics(&s, set);
	cr_expect_eq(value(set, "haproxy_servers", "a", "BACKEND"), 2);
	cr_expect_eq(value(set, "haproxy_servers_up", "a", "BACKEND"), 2);
	cr_expect_eq(value(set, "haproxy_servers", "b", "BACKEND"), 1);
	cr_expect_eq(value(set, "haproxy_servers_up", "b", "BACKEND"), 0);
	cr_expect_eq(value(set, "haproxy_servers_up_pct", "b", "BACKEND"), 0);
	metric_set_free(set);
	haproxy_stat_free(&s);
}

/* Text of n rows "pN,s,2,UP" (or n backends of one server each with backends set). */
static char *many_rows(size_t n, bool backends, size_t *len)
{
	struct buf b;

	buf_init(&b, 64 * 1024 * 1024);
	buf_puts(&b, "# pxname,svname,type,status\n");
	for (size_t i = 0; i < n; i++) {
		buf_printf(&b, "p%zu,s,2,UP\n", i);
		if (backends)
			buf_printf(&b, "p%zu,BACKEND,1,UP\n", i);
	}
	cr_assert_not(b.truncated);
	*len = b.len;
	return buf_steal(&b);
}

Test(haproxy_stat, row_cap)
{
	struct haproxy_stat s;
	char err[256] = "";
	size_t len;
	char *text = many_rows(100000, false, &len);

	cr_assert_eq(parse_len(text, len, &s, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(s.n, 100000);
	haproxy_stat_free(&s);
	free(text);
	text = many_rows(100001, false, &len);
	cr_assert_eq(parse_len(text, len, &s, err, sizeof(err)), -1);
	cr_expect_str_eq(err, "more than 100000 rows");
	free(text);
}

/* 50000 backends of one server: counting servers per backend must not be quadratic. */
Test(haproxy_stat, many_backends, .timeout = 20)
{
	struct haproxy_stat s;
	struct metric_set *set = metric_set_new();
	size_t len;
	char *text = many_rows(50000, true, &len);

	cr_assert_eq(parse_len(text, len, &s, NULL, 0), 0);
	haproxy_stat_metrics(&s, set);
	cr_expect_eq(count(set, "haproxy_servers_up_pct"), 50000);
	cr_expect_eq(value(set, "haproxy_servers_up", "p49999", "BACKEND"), 1);
	metric_set_free(set);
	haproxy_stat_free(&s);
	free(text);
}

static struct haproxy_info info_of(const char *text)
{
	struct haproxy_info in;
	char *copy = xmalloc(strlen(text) + 1);
	size_t len = strlen(text);

	memcpy(copy, text, len);
	cr_assert_eq(haproxy_info_parse(copy, len, &in), 0);
	free(copy);
	return in;
}

Test(haproxy_info, recorded_2_6)
{
	struct haproxy_info in = info_of(test_data("haproxy/2.6-info.txt"));
	struct metric_set *set = metric_set_new();

	cr_expect_str_eq(in.version, "2.6.12-1+deb12u4");
	cr_expect_eq(in.curr_conns, 0);
	cr_expect_eq(in.maxconn, 9983);
	cr_expect_eq(in.idle_pct, 100);
	cr_expect_eq(in.uptime, 3);
	haproxy_info_metrics(&in, set);
	cr_expect_eq(metric_set_value(set, "haproxy_conns", NULL, NULL), 0);
	cr_expect_eq(metric_set_value(set, "haproxy_conns_max", NULL, NULL), 9983);
	cr_expect_eq(metric_set_value(set, "haproxy_conns_pct", NULL, NULL), 0);
	cr_expect_eq(metric_set_value(set, "haproxy_idle_pct", NULL, NULL), 100);
	cr_expect_str_eq(metric_set_find(set, "haproxy_idle_pct", NULL, NULL)->unit, "%");
	cr_expect_eq(metric_set_find(set, "haproxy_conns", NULL, NULL)->nlabels, 0);
	metric_set_free(set);
}

Test(haproxy_info, crlf_and_partial)
{
	struct haproxy_info in = info_of("CurrConns: 250\r\nMaxconn: 1000 \r\nIdle_pct: x\r\n");
	struct metric_set *set = metric_set_new();

	cr_expect_str_eq(in.version, "");
	cr_expect_eq(in.curr_conns, 250);
	cr_expect(isnan(in.idle_pct));
	cr_expect(isnan(in.uptime));
	haproxy_info_metrics(&in, set);
	cr_expect_eq(metric_set_value(set, "haproxy_conns_pct", NULL, NULL), 25);
	cr_expect_null(metric_set_find(set, "haproxy_idle_pct", NULL, NULL));
	metric_set_free(set);
	in = info_of("Name: HAProxy\nMaxconn: 0\n");
	set = metric_set_new();
	haproxy_info_metrics(&in, set);
	cr_expect_null(metric_set_find(set, "haproxy_conns_pct", NULL, NULL), "no limit");
	cr_expect_null(metric_set_find(set, "haproxy_conns", NULL, NULL));
	metric_set_free(set);
}

Test(haproxy_info, long_version_cut)
{
	char text[200];
	struct haproxy_info in;

	snprintf(text, sizeof(text), "Version: %0100d\n", 7);
	in = info_of(text);
	cr_expect_eq(strlen(in.version), sizeof(in.version) - 1);
}

Test(haproxy_info, not_show_info)
{
	struct haproxy_info in;
	const char *html = "<html><body>Nope</body></html>";
	const char *csv = test_data("haproxy/2.6.csv");

	cr_expect_eq(haproxy_info_parse("", 0, &in), -1);
	cr_expect_eq(haproxy_info_parse(html, strlen(html), &in), -1);
	cr_expect_eq(haproxy_info_parse(csv, strlen(csv), &in), -1);
	cr_expect_eq(haproxy_info_parse("Maxconn: 5\n", 11, &in), -1,
		     "neither Name, Version nor CurrConns");
	cr_expect_eq(haproxy_info_parse("Name: HAProxy", 4, &in), -1, "len, not the NUL");
}
