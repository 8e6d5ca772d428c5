/*
 * The agent's HTTP layer (agent/http.c) through its public interface, as
 * tests/fuzz/fuzz_vaktd_http.c drives it: http_bind() and http_start() on
 * an ephemeral loopback port, the scheduler replaced by the fixed snapshot
 * of tests/unit/snapfixture.c, whose references this test counts. Raw
 * requests on sockets check each endpoint's status, headers and body, the
 * refusals (404, 405, 400 for two Content-Lengths), the bearer token, and
 * the 503 with Retry-After to a client over max_connections_per_client.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "conf.h"
#include "http.h"
#include "metric.h"
#include "scheduler.h"
#include "snapfixture.h"
#include "snapshot.h"
#include "testutil.h"

/* How long an answer may take on a busy machine (s). */
#define PATIENCE 20

static struct snapfixture fx;
static int held; /* snapshot references not given back */

/* The fake scheduler: always the fixed snapshot, its references counted. */
const struct snapshot *scheduler_acquire(struct scheduler *s)
{
	(void)s;
	__atomic_add_fetch(&held, 1, __ATOMIC_SEQ_CST);
	return &fx.snap;
}

void snapshot_release(const struct snapshot *s)
{
	cr_assert_eq(s, &fx.snap);
	__atomic_sub_fetch(&held, 1, __ATOMIC_SEQ_CST);
}

/* Serve the snapshot on a free loopback port, with token (or none) and per_client. */
static void serve(const char *token, unsigned per_client)
{
	struct config *c = config_default();
	char err[256] = "";
	int r;

	c->max_per_client = per_client;
	c->connection_timeout = PATIENCE;
	r = snapfixture_serve(&fx, c, token, err, sizeof(err));
	config_free(c);
	cr_assert_eq(r, 0, "%s", err);
}

static void serve_plain(void)
{
	serve(NULL, 32);
}

static void stop(void)
{
	snapfixture_stop(&fx);
	test_no_leaks();
}

TestSuite(http, .init = serve_plain, .fini = stop);

/* An answer as it came: status, head (status line and fields) and body. */
struct answer {
	int status;
	char head[4096];
	char body[65536];
	size_t bodylen;
};

static int connect_agent(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)fx.port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert_neq(fd, -1);
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0, "%s", strerror(errno));
	return fd;
}

static void send_text(int fd, const char *text)
{
	size_t len = strlen(text);

	cr_assert_eq(send(fd, text, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* The value of header field name in a's head, or NULL. */
static const char *field(const struct answer *a, const char *name)
{
	static char value[512];
	size_t n = strlen(name);

	for (const char *p = strstr(a->head, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n")) {
		const char *end;

		if (strncasecmp(p + 2, name, n) != 0 || p[2 + n] != ':')
			continue;
		p += 3 + n;
		p += strspn(p, " ");
		end = strstr(p, "\r\n");
		snprintf(value, sizeof(value), "%.*s", (int)(end - p), p);
		return value;
	}
	return NULL;
}

/* Read one whole answer from fd (by Content-Length), or until the agent closes. */
static void read_answer(int fd, struct answer *a)
{
	static char data[sizeof(a->head) + sizeof(a->body)];
	double deadline = time_monotonic() + PATIENCE;
	size_t len = 0, headlen = 0, want = 0;
	char *end = NULL;

	memset(a, 0, sizeof(*a));
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (end != NULL && len >= headlen + want)
			break;
		cr_assert_eq(poll(&p, 1, 1000 * PATIENCE), 1, "no answer");
		n = recv(fd, data + len, sizeof(data) - 1 - len, 0);
		cr_assert_geq(n, 0, "%s", strerror(errno));
		cr_assert_lt(time_monotonic(), deadline);
		if (n == 0)
			break;
		len += (size_t)n;
		data[len] = '\0';
		if (end == NULL && (end = strstr(data, "\r\n\r\n")) != NULL) {
			headlen = (size_t)(end + 4 - data);
			cr_assert_lt(headlen, sizeof(a->head));
			memcpy(a->head, data, headlen - 2);
			want = strtoul(
			    field(a, "Content-Length") != NULL ? field(a, "Content-Length") : "0",
			    NULL, 10);
		}
	}
	cr_assert_not_null(end, "no whole head in: %s", data);
	cr_assert_eq(strncmp(a->head, "HTTP/1.", 7), 0, "%s", a->head);
	a->status = (int)strtol(a->head + 9, NULL, 10);
	a->bodylen = len - headlen;
	cr_assert_lt(a->bodylen, sizeof(a->body));
	memcpy(a->body, data + headlen, a->bodylen);
	/* The agent gives its reference back before the answer goes out. */
	cr_expect_eq(__atomic_load_n(&held, __ATOMIC_SEQ_CST), 0, "a snapshot was not released");
}

/* Send raw on a new connection and read its answer. */
static void ask(const char *raw, struct answer *a)
{
	int fd = connect_agent();

	send_text(fd, raw);
	read_answer(fd, a);
	close(fd);
}

/* GET path with the extra header lines (each ending in CR LF, or ""). */
static void get(const char *path, const char *extra, struct answer *a)
{
	char raw[1024];

	snprintf(raw, sizeof(raw), "GET %s HTTP/1.1\r\nHost: vakt\r\n%sConnection: close\r\n\r\n",
		 path, extra);
	ask(raw, a);
}

static struct answer a;

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

Test(http, health_names_the_stale_collector_and_its_error)
{
	get("/health", "", &a);
	cr_expect_eq(a.status, 503);
	cr_expect_str_eq(a.body, "stale: redis jobs (connection refused)\n");
	cr_expect_str_eq(field(&a, "Content-Type"), "text/plain; charset=utf-8");
	cr_expect_str_eq(field(&a, "Cache-Control"), "no-store");
	cr_expect_str_eq(field(&a, "X-Content-Type-Options"), "nosniff");
}

Test(http, health_is_ok_when_every_collector_is_fresh)
{
	/* No request is in flight: the server reads the snapshot only while answering. */
	fx.sources[1].metrics = metric_set_new();
	fx.sources[1].collected_at = time_now();
	fx.sources[1].last_error = NULL;
	fx.sources[1].failing_since = 0;
	get("/health", "", &a);
	cr_expect_eq(a.status, 200);
	cr_expect_str_eq(a.body, "ok\n");
	metric_set_free(fx.sources[1].metrics);
}

Test(http, metrics_in_prometheus_text)
{
	get("/metrics", "", &a);
	cr_expect_eq(a.status, 200);
	cr_expect_str_eq(field(&a, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
	cr_expect_neq(strstr(a.body, "\nvakt_load1 0.5\n"), NULL, "%s", a.body);
	cr_expect_neq(strstr(a.body, "\nvakt_load_pressure{resource=\"cpu\"} 2\n"), NULL, "%s",
		      a.body);
	/* The failing collector says so in the agent's own metrics. */
	cr_expect_neq(
	    strstr(a.body, "\nvakt_collector_up{collector=\"redis jobs\",target=\"jobs\"} 0\n"),
	    NULL, "%s", a.body);
}

Test(http, metrics_as_json)
{
	get("/api/v1/metrics", "", &a);
	cr_expect_eq(a.status, 200);
	cr_expect_str_eq(field(&a, "Content-Type"), "application/json");
	cr_expect_eq(a.body[0], '{', "%s", a.body);
	cr_expect_neq(strstr(a.body, "\"load1\""), NULL, "%s", a.body);
	cr_expect_neq(strstr(a.body, "\"load_pressure\""), NULL, "%s", a.body);

	get("/api/v1/metrics/load1", "", &a);
	cr_expect_eq(a.status, 200);
	cr_expect_neq(strstr(a.body, "\"load1\""), NULL, "%s", a.body);
	cr_expect_eq(strstr(a.body, "\"load_pressure\""), NULL, "%s", a.body);

	get("/api/v1/metrics/no_such_metric", "", &a);
	cr_expect_eq(a.status, 404);
	cr_expect_str_eq(a.body, "no such metric\n");
}

Test(http, a_check_in_nagios_text_and_in_json)
{
	get("/api/v1/check/load1?warning=0.4&critical=2&format=nagios", "", &a);
	cr_expect_eq(a.status, 200);
	cr_expect_str_eq(field(&a, "Content-Type"), "text/plain; charset=utf-8");
	cr_expect(starts(a.body, "VAKT WARNING - load1 is 0.5 (> 0.4)"), "%s", a.body);
	cr_expect_neq(strstr(a.body, "load1=0.5;0.4;2"), NULL, "%s", a.body);

	/* Accept: text/plain alone asks for the same text. */
	get("/api/v1/check/load1?critical=2", "Accept: text/plain\r\n", &a);
	cr_expect_eq(a.status, 200);
	cr_expect_str_eq(a.body, "VAKT OK - load1 is 0.5 | load1=0.5;;2\n");

	get("/api/v1/check/load1?critical=0.1", "", &a);
	cr_expect_eq(a.status, 200);
	cr_expect_str_eq(field(&a, "Content-Type"), "application/json");
	cr_expect_neq(strstr(a.body, "CRITICAL"), NULL, "%s", a.body);
}

Test(http, a_check_of_what_a_failing_collector_gives_is_critical)
{
	get("/api/v1/check/redis_connected_clients?format=nagios", "", &a);
	cr_expect_eq(a.status, 200);
	cr_expect(starts(a.body,
			 "VAKT CRITICAL - collector redis jobs (127.0.0.1:6379) is failing: "
			 "connection refused"),
		  "%s", a.body);
}

Test(http, a_check_with_a_bad_argument_or_no_metric)
{
	get("/api/v1/check/load1?warning=abc", "", &a);
	cr_expect_eq(a.status, 400);
	cr_expect_neq(a.bodylen, 0);

	get("/api/v1/check/no_such_metric?format=nagios", "", &a);
	cr_expect_eq(a.status, 404);
	cr_expect(starts(a.body, "VAKT UNKNOWN - no metric no_such_metric"), "%s", a.body);
}

Test(http, an_unknown_path_is_404)
{
	get("/nothing/here", "", &a);
	cr_expect_eq(a.status, 404);
	cr_expect_str_eq(a.body, "not found\n");
	get("/api/v1/check/", "", &a);
	cr_expect_eq(a.status, 404);
}

Test(http, head_has_the_headers_and_no_body)
{
	ask("HEAD /health HTTP/1.1\r\nHost: vakt\r\nConnection: close\r\n\r\n", &a);
	cr_expect_eq(a.status, 503);
	cr_expect_str_eq(field(&a, "Content-Length"), "39");
	cr_expect_eq(a.bodylen, 0);
}

Test(http, post_is_405_with_allow)
{
	ask("POST /health HTTP/1.1\r\nHost: vakt\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
	    &a);
	cr_expect_eq(a.status, 405);
	cr_expect_str_eq(field(&a, "Allow"), "GET, HEAD");
	cr_expect_str_eq(a.body, "only GET and HEAD\n");
}

Test(http, two_content_lengths_are_400_and_close)
{
	ask("GET /health HTTP/1.1\r\nHost: vakt\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\n",
	    &a);
	cr_expect_eq(a.status, 400);
	cr_expect_str_eq(a.body, "more than one Content-Length\n");
	cr_expect_str_eq(field(&a, "Connection"), "close");
}

Test(http, http_1_1_without_host_is_400)
{
	ask("GET /health HTTP/1.1\r\nConnection: close\r\n\r\n", &a);
	cr_expect_eq(a.status, 400);
	cr_expect_str_eq(a.body, "HTTP/1.1 without Host\n");
}

Test(http, keep_alive_answers_two_requests_on_one_connection)
{
	int fd = connect_agent();

	send_text(fd, "GET /health HTTP/1.1\r\nHost: vakt\r\n\r\n");
	read_answer(fd, &a);
	cr_expect_eq(a.status, 503);
	send_text(fd, "GET /nothing HTTP/1.1\r\nHost: vakt\r\n\r\n");
	read_answer(fd, &a);
	cr_expect_eq(a.status, 404);
	close(fd);
}

/* Token tests: their own server, with a token. */
static void serve_token(void)
{
	serve("s3cret-t0ken", 32);
}

Test(http_token, a_token_is_required_and_checked, .init = serve_token, .fini = stop)
{
	get("/metrics", "", &a);
	cr_expect_eq(a.status, 401);
	cr_expect_str_eq(field(&a, "WWW-Authenticate"), "Bearer realm=\"vakt\"");
	cr_expect_str_eq(a.body, "a valid bearer token is required\n");
	cr_expect_null(strstr(a.body, "load1"));

	get("/metrics", "Authorization: Bearer s3cret-t0keN\r\n", &a);
	cr_expect_eq(a.status, 401);
	get("/metrics", "Authorization: Bearer s3cret-t0ke\r\n", &a);
	cr_expect_eq(a.status, 401);
	get("/metrics", "Authorization: Basic czNjcmV0LXQwa2Vu\r\n", &a);
	cr_expect_eq(a.status, 401);

	get("/metrics", "Authorization: Bearer s3cret-t0ken\r\n", &a);
	cr_expect_eq(a.status, 200);
	cr_expect_neq(strstr(a.body, "\nvakt_load1 0.5\n"), NULL, "%s", a.body);
	/* The scheme is case-insensitive (RFC 9110). */
	get("/health", "Authorization: bearer s3cret-t0ken\r\n", &a);
	cr_expect_eq(a.status, 503);
}

/*
 * Limit tests: their own server, one connection per client, and a /metrics
 * of 16 MB (512 samples with a 32 KB label each: expose leaves out label
 * sets over 64 KB).
 */
static void serve_one_per_client(void)
{
	static char value[32 * 1024];

	serve(NULL, 1);
	memset(value, 'x', sizeof(value) - 1);
	/* No request is in flight yet. */
	for (int i = 0; i < 512; i++) {
		struct metric *m =
		    metric_set_add(fx.sources[0].metrics, "load_big", METRIC_GAUGE, "", i);

		snprintf(value, 8, "%06d", i);
		value[6] = 'x';
		metric_label_add(m, "filler", value);
	}
}

Test(http_limits, a_connection_over_the_client_limit_is_told_to_retry, .init = serve_one_per_client,
     .fini = stop)
{
	int small = 4096, held_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), fd;
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)fx.port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct pollfd p;

	/*
	 * The held connection is being answered, and stays so: its 16 MB answer
	 * does not fit the socket buffers and it reads none of it. (Once
	 * answered, a connection waiting for its next request would give its
	 * slot up to its client's newcomer instead.)
	 */
	cr_assert_neq(held_fd, -1);
	cr_assert_eq(setsockopt(held_fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
	cr_assert_eq(connect(held_fd, (struct sockaddr *)&to, sizeof(to)), 0);
	send_text(held_fd, "GET /metrics HTTP/1.1\r\nHost: vakt\r\n\r\n");
	/* Its answer has begun: from now on it is being answered. */
	p = (struct pollfd){.fd = held_fd, .events = POLLIN};
	cr_assert_eq(poll(&p, 1, 1000 * PATIENCE), 1);

	fd = connect_agent();
	send_text(fd, "GET /health HTTP/1.1\r\nHost: vakt\r\n\r\n");
	read_answer(fd, &a);
	close(fd);
	close(held_fd);
	cr_expect_eq(a.status, 503);
	cr_expect_str_eq(field(&a, "Retry-After"), "1");
	cr_expect_str_eq(field(&a, "Connection"), "close");
	cr_expect_str_eq(
	    a.body, "busy: more than 1 connection at once from 127.0.0.1, retry in a second\n");
}
