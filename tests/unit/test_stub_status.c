/*
 * lib/probe/stub_status.c: the page recorded from nginx 1.22, the same with
 * CRLF, without its last newline and with odd spacing, and what is not a
 * stub_status page (nginx's own 404 page among them). Texts are parsed from
 * exactly sized copies, so the sanitizer build catches a read past len.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "probe/nginx_verdict.h"
#include "probe/stub_status.h"
#include "testutil.h"
#include "verdict.h"
#include "xalloc.h"

/* Parse strlen(text) bytes from a copy without the NUL; returns what the parser did. */
static int parse_text(const char *text, struct stub_status *st, char *err, size_t errlen)
{
	size_t len = strlen(text);
	char *copy = xmalloc(len);
	int rc;

	memcpy(copy, text, len);
	err[0] = '\0';
	rc = stub_status_parse(copy, len, st, err, errlen);
	free(copy);
	return rc;
}

static struct stub_status parse(const char *text)
{
	struct stub_status st;
	char err[256];

	cr_assert_eq(parse_text(text, &st, err, sizeof(err)), 0, "refused: %s", err);
	return st;
}

/* text must be refused with reason why. */
static void refused(const char *text, const char *why)
{
	struct stub_status st;
	char err[256];

	cr_expect_eq(parse_text(text, &st, err, sizeof(err)), -1, "accepted: %s", text);
	cr_expect_str_eq(err, why);
}

Test(stub_status, recorded_1_22)
{
	struct stub_status st = parse(test_data("nginx/stub_status-1.22.txt"));
	struct metric_set *set = metric_set_new();

	cr_expect_eq(st.active, 1);
	cr_expect_eq(st.accepts, 4);
	cr_expect_eq(st.handled, 4);
	cr_expect_eq(st.requests, 4);
	cr_expect_eq(st.reading, 0);
	cr_expect_eq(st.writing, 1);
	cr_expect_eq(st.waiting, 0);
	stub_status_metrics(&st, set);
	cr_expect_eq(metric_set_count(set), 8);
	cr_expect_eq(metric_set_value(set, "nginx_active", NULL, NULL), 1);
	cr_expect_eq(metric_set_value(set, "nginx_writing", NULL, NULL), 1);
	cr_expect_eq(metric_set_value(set, "nginx_requests", NULL, NULL), 4);
	cr_expect_eq(metric_set_value(set, "nginx_dropped", NULL, NULL), 0);
	cr_expect_eq(metric_set_find(set, "nginx_accepts", NULL, NULL)->kind, METRIC_COUNTER);
	cr_expect_eq(metric_set_find(set, "nginx_dropped", NULL, NULL)->kind, METRIC_COUNTER);
	cr_expect_eq(metric_set_find(set, "nginx_waiting", NULL, NULL)->kind, METRIC_GAUGE);
	cr_expect_str_eq(metric_set_find(set, "nginx_active", NULL, NULL)->unit, "");
	cr_expect_eq(metric_set_find(set, "nginx_active", NULL, NULL)->nlabels, 0);
	metric_set_free(set);
}

Test(stub_status, line_endings_and_spacing)
{
	struct stub_status st;

	st = parse("Active connections: 291 \r\nserver accepts handled requests\r\n"
		   " 16630948 16630948 31070465 \r\nReading: 6 Writing: 179 Waiting: 106 \r\n");
	cr_expect_eq(st.active, 291);
	cr_expect_eq(st.requests, 31070465);
	cr_expect_eq(st.waiting, 106);
	st = parse("Active connections: 2\nserver accepts handled requests\n 7 5 9\n"
		   "Reading: 0 Writing: 1 Waiting: 1");
	cr_expect_eq(st.waiting, 1, "no newline at the end");
	cr_expect_eq(st.handled, 5);
	st = parse("\n\nActive connections:\t3\t\n\nserver  accepts handled   requests\n\n"
		   "\t10\t\t10   20\nReading:  0  Writing: 3\tWaiting: 0   \n\n");
	cr_expect_eq(st.active, 3, "blank lines and any blank space between words");
	cr_expect_eq(st.requests, 20);
}

Test(stub_status, unknown_lines_skipped)
{
	struct stub_status st = parse("Active connections: 1 \nserver accepts handled requests\n"
				      " 1 1 1 \nReading: 0 Writing: 1 Waiting: 0 \n"
				      "Some future line: 42\n");

	cr_expect_eq(st.requests, 1);
}

Test(stub_status, not_stub_status)
{
	refused("", "an empty page");
	refused("hello\n", "no 'Active connections:' line");
	refused(test_data("nginx/404-1.22.html"), "no 'Active connections:' line");
	refused("Active connections: 1 \n", "no 'server accepts handled requests' line");
	refused("Active connections: 1 \nserver accepts handled requests\n",
		"no accepts, handled and requests numbers");
	refused("Active connections: 1 \nserver accepts handled requests\n 1 1 1 \n",
		"no 'Reading: Writing: Waiting:' line");
	refused("server accepts handled requests\n 1 1 1 \nReading: 0 Writing: 1 Waiting: 0\n",
		"no 'Active connections:' line");
}

Test(stub_status, bad_numbers)
{
	static const char *const actives[] = {"-1", "1.5", "1e3", "0x10", "one", "+1", "", "1 2"};
	static const char tail[] =
	    "\nserver accepts handled requests\n 1 1 1 \nReading: 0 Writing: 1 Waiting: 0\n";
	char text[256];

	for (size_t i = 0; i < sizeof(actives) / sizeof(actives[0]); i++) {
		snprintf(text, sizeof(text), "Active connections: %s%s", actives[i], tail);
		refused(text, "a bad 'Active connections:' line");
	}
	refused("Active connections: 1\nserver accepts handled requests\n 1 1 \n"
		"Reading: 0 Writing: 1 Waiting: 0\n",
		"no accepts, handled and requests numbers");
	refused("Active connections: 1\nserver accepts handled requests\n 1 -1 1 \n"
		"Reading: 0 Writing: 1 Waiting: 0\n",
		"no accepts, handled and requests numbers");
	refused("Active connections: 1\nserver accepts handled requests\n 1 1 1\n"
		"Reading: 0 Writing: 1\n",
		"a bad 'Reading: Writing: Waiting:' line");
	refused("Active connections: 1\nserver accepts handled requests\n 1 1 1\n"
		"Reading: 0 Waiting: 1 Writing: 0\n",
		"a bad 'Reading: Writing: Waiting:' line");
	refused("Active connections: 1\nActive connections: 2\n",
		"a bad 'Active connections:' line");
}

Test(stub_status, handled_more_than_accepts)
{
	refused("Active connections: 1\nserver accepts handled requests\n 10 11 12\n"
		"Reading: 0 Writing: 1 Waiting: 0\n",
		"handled (11) is more than accepts (10)");
}

/* nginx's counters are 64-bit; one more digit is no counter of nginx's. */
Test(stub_status, huge_numbers)
{
	struct stub_status st = parse("Active connections: 18446744073709551615\n"
				      "server accepts handled requests\n"
				      " 18446744073709551615 18446744073709551615 "
				      "18446744073709551615\n"
				      "Reading: 0 Writing: 00000000000000000001 Waiting: 0\n");
	struct metric_set *set = metric_set_new();

	cr_expect_float_eq(st.active, 18446744073709551615.0, 1);
	cr_expect_float_eq(st.accepts, 1.8446744073709552e19, 1);
	cr_expect_eq(st.writing, 1);
	stub_status_metrics(&st, set);
	cr_expect_eq(metric_set_value(set, "nginx_dropped", NULL, NULL), 0);
	metric_set_free(set);
	refused("Active connections: 184467440737095516150\nserver accepts handled requests\n"
		" 1 1 1\nReading: 0 Writing: 1 Waiting: 0\n",
		"a bad 'Active connections:' line");
}

Test(stub_status, metrics_of_drops)
{
	struct stub_status st = parse("Active connections: 3\nserver accepts handled requests\n"
				      " 100 97 250\nReading: 1 Writing: 1 Waiting: 1\n");
	struct metric_set *set = metric_set_new();

	stub_status_metrics(&st, set);
	cr_expect_eq(metric_set_value(set, "nginx_dropped", NULL, NULL), 3);
	cr_expect_eq(metric_set_value(set, "nginx_handled", NULL, NULL), 97);
	metric_set_free(set);
}

/*
 * verdict_nginx over the recorded page's set as the agent holds it (labelled
 * target), with the options of pairs; the rendered answer, to be freed.
 */
static char *judged(const struct plugin_pair *pairs, size_t n, long port)
{
	struct stub_status st = parse(test_data("nginx/stub_status-1.22.txt"));
	struct metric_set *set = metric_set_new();
	struct nginx_opts o;
	struct plugin_args a;
	struct result *r;
	char err[256], *out;

	stub_status_metrics(&st, set);
	metric_set_label_missing(set, "target", "web");
	cr_assert_eq(verdict_parse(&verdict_nginx, pairs, n, &o, &a, err, sizeof(err)), 0, "%s",
		     err);
	o.port = port;
	r = verdict_judge(&verdict_nginx, &(struct verdict_in){
					      .args = &a, .opts = &o, .set = set, .source = "web"});
	out = result_render(r);
	result_free(r);
	verdict_free_opts(&verdict_nginx, &o, &a);
	metric_set_free(set);
	return out;
}

Test(nginx_verdict, the_page)
{
	static const struct plugin_pair pairs[] = {{"critical", "nginx_active=0"}};
	char *out = judged(pairs, 1, 0);

	cr_expect_eq(
	    strncmp(out, "NGINX CRITICAL - active connections: 1 (> 0), 1 active connection |", 67),
	    0, "%s", out);
	cr_expect_not_null(strstr(out, " nginx_requests_per_conn="), "%s", out);
	free(out);
}

/* The agent's [nginx] collector reads no listen sockets: UNKNOWN, and why, never OK. */
Test(nginx_verdict, listen_queue_through_the_agent)
{
	static const struct plugin_pair pairs[] = {{"listen-queue", ""}};
	char *out = judged(pairs, 1, 0);

	cr_expect_eq(strncmp(out, "NGINX UNKNOWN - no accept queue: vaktd's [nginx] collector", 58),
		     0, "%s", out);
	free(out);
	/* The plugin found nothing listening on its port: UNKNOWN too, in its words. */
	out = judged(pairs, 1, 8080);
	cr_expect_eq(strncmp(out, "NGINX UNKNOWN - nothing listens on port 8080 here", 49), 0, "%s",
		     out);
	free(out);
}

/* The agent takes only what judges: never where the page is. */
Test(nginx_verdict, agent_options)
{
	static const struct plugin_pair pairs[] = {{"host-header", "www.example.com"}};
	struct nginx_opts o;
	struct plugin_args a;
	char err[256];

	cr_expect_eq(verdict_parse(&verdict_nginx, pairs, 1, &o, &a, err, sizeof(err)), -1);
	cr_expect_str_eq(err, "unknown option 'host-header'");
	verdict_free_opts(&verdict_nginx, &o, &a);
}
