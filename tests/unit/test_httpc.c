/*
 * The HTTP client's own plain-http path (HTTP/1.0 over lib/net.c, no
 * libcurl) against a server thread of this test that answers canned bytes:
 * a body by Content-Length and by chunks, a redirect's Location, the request
 * it sends (method, Host, credentials as a header and never from the URL),
 * and each failure as its enum fail with its words: closed without an
 * answer, not HTTP, a body over the cap, a stall before or during the
 * answer, a refused port; and opts.target naming the server in them.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "httpc.h"
#include "testserver.h"
#include "testutil.h"

static char err[1024];
static char url[256];
static char who[64];
static struct httpc client;
static struct buf body;
static long status;

static void setup(void)
{
	cr_assert_eq(httpc_init(&client, false, err, sizeof(err)), 0);
	buf_init(&body, 4096);
}

static void teardown(void)
{
	httpc_free(&client);
	buf_free(&body);
	test_no_leaks();
}

TestSuite(httpc, .init = setup, .fini = teardown);

/* Start s, and point url (with path) and who at it. */
static void serve(struct test_server *s, const char *path)
{
	test_server_start(s);
	snprintf(url, sizeof(url), "http://127.0.0.1:%ld%s", s->port, path);
	snprintf(who, sizeof(who), "127.0.0.1:%ld", s->port);
}

/* GET url with o (url and a 10 s timeout unless o sets them); its result. */
static int get(struct httpc_opts *o)
{
	int r;

	if (o->url == NULL)
		o->url = url;
	if (o->timeout == 0)
		o->timeout = 10;
	err[0] = '\0';
	r = httpc_get(&client, o, &body, &status, err, sizeof(err));
	/* A plain http:// request never sets libcurl up. */
	cr_expect_null(client.curl);
	return r;
}

/* Whether the server received the header line (without its CR LF). */
static bool received(const struct test_server *s, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\r\n%s\r\n", line);
	return strstr(s->request, want) != NULL;
}

Test(httpc, a_body_by_content_length)
{
	/* The server keeps the connection: the client stops at Content-Length. */
	struct test_server s = {
	    .answer =
		"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
	    .hold = true};
	struct httpc_opts o = {.user_agent = "vakt-test"};
	char host[80];

	serve(&s, "/nginx_status?full=1");
	cr_assert_eq(get(&o), 0, "%s", err);
	cr_expect_eq(status, 200);
	cr_expect_str_eq(buf_str(&body), "hello");
	cr_expect_str_eq(client.location, "");
	test_server_join(&s);
	cr_expect(strncmp(s.request, "GET /nginx_status?full=1 HTTP/1.0\r\n", 35) == 0, "%s",
		  s.request);
	snprintf(host, sizeof(host), "Host: %s", who);
	cr_expect(received(&s, host), "%s", s.request);
	cr_expect(received(&s, "Connection: close"), "%s", s.request);
	cr_expect(received(&s, "User-Agent: vakt-test"), "%s", s.request);
	cr_expect_null(strstr(s.request, "Authorization"), "%s", s.request);
}

Test(httpc, a_chunked_body)
{
	struct test_server s = {.answer = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
					  "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
				.hold = true};
	struct httpc_opts o = {0};

	serve(&s, "/");
	cr_assert_eq(get(&o), 0, "%s", err);
	cr_expect_eq(status, 200);
	cr_expect_str_eq(buf_str(&body), "hello world");
	test_server_join(&s);
}

Test(httpc, any_status_is_the_callers_to_judge)
{
	struct test_server s = {.answer =
				    "HTTP/1.0 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found"};
	struct httpc_opts o = {0};

	serve(&s, "/missing");
	cr_assert_eq(get(&o), 0, "%s", err);
	cr_expect_eq(status, 404);
	cr_expect_str_eq(buf_str(&body), "not found");
	test_server_join(&s);
}

Test(httpc, a_redirect_is_recorded_not_followed)
{
	struct test_server s = {
	    .answer =
		"HTTP/1.1 301 Moved Permanently\r\nLocation: /stats/\r\nContent-Length: 0\r\n\r\n"};
	struct httpc_opts o = {0};
	char want[128];

	serve(&s, "/stats");
	cr_assert_eq(get(&o), 0, "%s", err);
	cr_expect_eq(status, 301);
	/* A path alone is on the same server. */
	snprintf(want, sizeof(want), "http://%s/stats/", who);
	cr_expect_str_eq(client.location, want);
	test_server_join(&s);
}

Test(httpc, a_redirect_elsewhere_is_kept_as_it_is)
{
	struct test_server s = {.answer = "HTTP/1.1 302 Found\r\nLocation: https://example.org/"
					  "login\r\nContent-Length: 0\r\n\r\n"};
	struct httpc_opts o = {0};

	serve(&s, "/");
	cr_assert_eq(get(&o), 0, "%s", err);
	cr_expect_eq(status, 302);
	cr_expect_str_eq(client.location, "https://example.org/login");
	test_server_join(&s);
}

Test(httpc, user_and_password_go_as_basic_authorization)
{
	struct test_server s = {.answer = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"};
	struct httpc_opts o = {.user = "monitor", .password = "s3cret:x"};

	serve(&s, "/api/overview");
	cr_assert_eq(get(&o), 0, "%s", err);
	test_server_join(&s);
	cr_expect(received(&s, "Authorization: Basic bW9uaXRvcjpzM2NyZXQ6eA=="), "%s", s.request);
	cr_expect_null(strstr(s.request, "s3cret"));
}

Test(httpc, a_bearer_token_goes_as_bearer_authorization)
{
	struct test_server s = {.answer = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"};
	struct httpc_opts o = {.bearer = "t0ken", .user = "ignored", .password = "ignored"};
	const char *const headers[] = {"X-Probe: 1", NULL};

	o.headers = headers;
	serve(&s, "/api/v1/metrics");
	cr_assert_eq(get(&o), 0, "%s", err);
	test_server_join(&s);
	cr_expect(received(&s, "Authorization: Bearer t0ken"), "%s", s.request);
	cr_expect(received(&s, "X-Probe: 1"), "%s", s.request);
	cr_expect_null(strstr(s.request, "Basic"));
}

Test(httpc, credentials_in_the_url_are_refused_without_a_request)
{
	struct httpc_opts o = {.url = "http://monitor:s3cret@127.0.0.1:1/"};

	cr_expect_eq(get(&o), FAIL_LOCAL);
	cr_expect_neq(err[0], '\0');
	/* The message must not repeat them: it may end in a log. */
	cr_expect_null(strstr(err, "s3cret"), "%s", err);
	cr_expect_eq(status, 0);
}

Test(httpc, a_url_that_is_not_http_is_local)
{
	struct httpc_opts o = {.url = "ftp://127.0.0.1/"};

	cr_expect_eq(get(&o), FAIL_LOCAL);
	cr_expect_neq(strstr(err, "only http:// and https://"), NULL, "%s", err);
}

/*
 * Serve s, GET / with o, and check that it fails as fail, in the words of
 * fmt; an argument who is read after serve() has set it.
 */
static void fails_as(struct test_server *s, struct httpc_opts *o, int fail, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fails_as(struct test_server *s, struct httpc_opts *o, int fail, const char *fmt, ...)
{
	char want[256];
	va_list ap;

	serve(s, "/");
	cr_assert_eq(get(o), fail, "%s", err);
	test_server_join(s);
	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	cr_expect_str_eq(err, want);
}

Test(httpc, a_server_closing_without_an_answer_is_down)
{
	struct test_server s = {0};
	struct httpc_opts o = {.plain_hint = " (is it https?)"};

	fails_as(&s, &o, FAIL_DOWN, "%s closed the connection without answering (is it https?)",
		 who);
}

Test(httpc, an_answer_that_is_not_http_is_down)
{
	struct test_server s = {.answer = "SSH-2.0-OpenSSH_9.2\r\n"};
	struct httpc_opts o = {0};

	fails_as(&s, &o, FAIL_DOWN, "%s answered something that is not HTTP", who);
}

Test(httpc, a_body_over_the_cap_is_too_big)
{
	struct test_server s = {
	    .answer = "HTTP/1.0 200 OK\r\nContent-Length: 26\r\n\r\nabcdefghijklmnopqrstuvwxyz"};
	struct httpc_opts o = {0};

	buf_free(&body);
	buf_init(&body, 10);
	fails_as(&s, &o, FAIL_TOO_BIG, "the answer is too big");
}

Test(httpc, an_answer_over_the_cap_and_its_head_room_is_too_big)
{
	/* More than the body's cap plus the room for headers: cut while reading. */
	static char big[200 * 1024];
	struct test_server s = {.answer = big};
	struct httpc_opts o = {0};
	int n = snprintf(big, sizeof(big), "HTTP/1.0 200 OK\r\n\r\n");

	memset(big + n, 'x', sizeof(big) - 1 - (size_t)n);
	buf_free(&body);
	buf_init(&body, 10);
	fails_as(&s, &o, FAIL_TOO_BIG, "the answer is too big");
}

Test(httpc, a_server_that_stalls_times_out_naming_the_request)
{
	struct test_server s = {.hold = true};
	struct httpc_opts o = {.timeout = 0.3};

	fails_as(&s, &o, FAIL_TIMEOUT, "timed out after 0.3 s: %s did not answer the HTTP request",
		 who);
}

Test(httpc, a_time_out_names_the_limit_the_user_set)
{
	/* Half an answer, then nothing. */
	struct test_server s = {.answer = "HTTP/1.0 200 OK\r\nContent-Length: 100\r\n\r\nabc",
				.hold = true};
	struct httpc_opts o = {.timeout = 0.3, .timeout_named = 5};

	fails_as(&s, &o, FAIL_TIMEOUT, "timed out after 5 s: %s did not finish its answer", who);
}

Test(httpc, a_refused_port_is_down)
{
	struct httpc_opts o = {0};
	char want[160];
	int fd;
	long p = test_server_refusing(&fd);

	snprintf(url, sizeof(url), "http://127.0.0.1:%ld/", p);
	cr_assert_eq(get(&o), FAIL_DOWN);
	snprintf(want, sizeof(want), "cannot connect to 127.0.0.1:%ld: %s", p,
		 strerror(ECONNREFUSED));
	cr_expect_str_eq(err, want);
	close(fd);
}

/*
 * opts.target names the server in every message, as on the libcurl path:
 * check_vakt gives the HOST:PORT its user wrote. The failures from lib/net.c
 * (a refused port, a time-out) and from this module (closed without an
 * answer) alike.
 */
Test(httpc, messages_name_the_target_given)
{
	struct test_server closing = {0}, stalling = {.hold = true};
	struct httpc_opts o = {.target = "agent.example:9333"};
	char want[160];
	int fd;
	long p;

	fails_as(&closing, &o, FAIL_DOWN,
		 "agent.example:9333 closed the connection without answering");
	cr_expect_null(strstr(err, who), "%s", err);

	o = (struct httpc_opts){.target = "agent.example:9333", .timeout = 0.3};
	fails_as(&stalling, &o, FAIL_TIMEOUT,
		 "timed out after 0.3 s: agent.example:9333 did not answer the HTTP request");

	p = test_server_refusing(&fd);
	snprintf(url, sizeof(url), "http://127.0.0.1:%ld/", p);
	o = (struct httpc_opts){.target = "agent.example:9333"};
	cr_assert_eq(get(&o), FAIL_DOWN);
	snprintf(want, sizeof(want), "cannot connect to agent.example:9333: %s",
		 strerror(ECONNREFUSED));
	cr_expect_str_eq(err, want);
	close(fd);
}

Test(httpc, target_and_escape)
{
	char out[64];
	struct buf b;

	httpc_target("http://[::1]:9333/x", out, sizeof(out));
	cr_expect_str_eq(out, "[::1]:9333");
	httpc_target("https://web1/", out, sizeof(out));
	cr_expect_str_eq(out, "web1:443");
	httpc_target("ftp://web1/", out, sizeof(out));
	cr_expect_str_eq(out, "");
	buf_init(&b, 64);
	httpc_escape(&b, "a b/c");
	cr_expect_str_eq(buf_str(&b), "a%20b%2Fc");
	buf_free(&b);
}
