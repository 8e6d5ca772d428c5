/*
 * The plain socket client against real loopback sockets this test opens: an
 * exchange over TCP and a unix socket, an answer taken as whole before the
 * server closes, and each failure as its enum fail with its words: refused,
 * a server that never answers or stalls, an answer over the cap, a unix
 * socket that is missing, forbidden or has too long a path.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "net.h"
#include "testserver.h"
#include "testutil.h"

#define REQUEST "show stat\n"

static char err[1024];
static char who[64];

/* A target for s's port or socket, with seconds until the deadline. */
static struct net_target target(const struct test_server *s, double seconds)
{
	struct net_target t = {
	    .deadline = time_monotonic() + seconds, .limit = seconds, .what = "show stat"};

	if (s->unix_socket) {
		t.path = s->path;
	} else {
		t.host = "127.0.0.1";
		t.port = s->port;
	}
	return t;
}

static int exchange(const struct net_target *t, struct buf *answer, net_whole_fn *whole)
{
	err[0] = '\0';
	return net_exchange(t, REQUEST, strlen(REQUEST), answer, whole, err, sizeof(err));
}

static struct buf answer;

static void done(void)
{
	buf_free(&answer);
	test_no_leaks();
}

/* Nothing leaked (in the sanitizer build). */
TestSuite(net, .fini = done);

/*
 * Serve s and exchange REQUEST with it, seconds to the deadline, the answer
 * capped at cap; then wait for the server to end and set who to its
 * "HOST:PORT". The result of net_exchange().
 */
static int exchange_with(struct test_server *s, double seconds, size_t cap, net_whole_fn *whole)
{
	struct net_target t;
	int r;

	test_server_start(s);
	t = target(s, seconds);
	buf_init(&answer, cap);
	r = exchange(&t, &answer, whole);
	test_server_join(s);
	snprintf(who, sizeof(who), "127.0.0.1:%ld", s->port);
	return r;
}

Test(net, an_exchange_over_tcp_reads_until_the_server_closes)
{
	struct test_server s = {.answer = "# pxname,svname\nweb,FRONTEND\n", .end = "\n"};

	cr_assert_eq(exchange_with(&s, 10, 4096, NULL), 0, "%s", err);
	cr_expect_str_eq(buf_str(&answer), "# pxname,svname\nweb,FRONTEND\n");
	cr_expect_str_eq(s.request, REQUEST);
}

Test(net, an_exchange_over_a_unix_socket)
{
	struct test_server s = {.answer = "pong\n", .end = "\n", .unix_socket = true};

	cr_assert_eq(exchange_with(&s, 10, 4096, NULL), 0, "%s", err);
	cr_expect_str_eq(buf_str(&answer), "pong\n");
	cr_expect_str_eq(s.request, REQUEST);
}

/* Whole once the answer ends with an empty line, as HAProxy's "show stat" does. */
static bool ends_with_empty_line(const char *data, size_t len)
{
	return len >= 2 && memcmp(data + len - 2, "\n\n", 2) == 0;
}

Test(net, whole_ends_the_read_before_the_server_closes)
{
	/* The server answers and keeps the connection open: only whole() can end the read. */
	struct test_server s = {.answer = "web,FRONTEND\n\n", .end = "\n", .hold = true};

	cr_assert_eq(exchange_with(&s, 30, 4096, ends_with_empty_line), 0, "%s", err);
	cr_expect_str_eq(buf_str(&answer), "web,FRONTEND\n\n");
	/* The server learnt that the client was done by its close, not its own. */
	cr_expect(s.client_closed);
}

Test(net, an_answer_that_stalls_times_out_naming_the_answer)
{
	/* Half an answer, and then nothing: whole() never says it is all there. */
	struct test_server s = {.answer = "web,FRONTEND\n", .end = "\n", .hold = true};
	char want[256];

	cr_assert_eq(exchange_with(&s, 0.3, 4096, ends_with_empty_line), FAIL_TIMEOUT);
	snprintf(want, sizeof(want), "timed out after 0.3 s: %s did not finish its answer", who);
	cr_expect_str_eq(err, want);
}

Test(net, a_server_that_never_answers_times_out_naming_the_request)
{
	struct test_server s = {.end = "\n", .hold = true};
	char want[256];

	cr_assert_eq(exchange_with(&s, 0.3, 4096, NULL), FAIL_TIMEOUT);
	snprintf(want, sizeof(want), "timed out after 0.3 s: %s did not answer show stat", who);
	cr_expect_str_eq(err, want);
	cr_expect_eq(answer.len, 0);
	/* It had sent its request before it gave up. */
	cr_expect_str_eq(s.request, REQUEST);
}

Test(net, an_answer_over_the_cap_is_too_big)
{
	static char big[4096];
	struct test_server s = {.answer = big, .end = "\n"};
	char want[256];

	memset(big, 'x', sizeof(big) - 1);
	cr_assert_eq(exchange_with(&s, 10, 100, NULL), FAIL_TOO_BIG);
	snprintf(want, sizeof(want), "%s sent an answer larger than 100 bytes", who);
	cr_expect_str_eq(err, want);
	cr_expect_leq(answer.len, 100);
}

Test(net, a_port_nothing_listens_on_is_down)
{
	struct net_target t = {.host = "127.0.0.1", .deadline = time_monotonic() + 10, .limit = 10};
	char want[256];
	int fd;

	t.port = test_server_refusing(&fd);
	buf_init(&answer, 4096);
	cr_assert_eq(exchange(&t, &answer, NULL), FAIL_DOWN);
	snprintf(want, sizeof(want), "cannot connect to 127.0.0.1:%ld: %s", t.port,
		 strerror(ECONNREFUSED));
	cr_expect_str_eq(err, want);
	cr_expect_eq(net_try(&t, err, sizeof(err)), FAIL_DOWN);
	cr_expect_str_eq(err, want);
	close(fd);
}

Test(net, net_try_connects_and_closes)
{
	struct test_server s = {.end = "\n"};
	struct net_target t;

	test_server_start(&s);
	t = target(&s, 10);
	cr_expect_eq(net_try(&t, err, sizeof(err)), 0, "%s", err);
	test_server_join(&s);
	/* Nothing was sent: the server read the client's close. */
	cr_expect_eq(s.request_len, 0);
	cr_expect(s.client_closed);
}

Test(net, a_missing_unix_socket_is_down)
{
	struct net_target t = {.path = "/nonexistent/vakt/haproxy.sock",
			       .deadline = time_monotonic() + 10,
			       .limit = 10};
	char want[256];

	buf_init(&answer, 4096);
	cr_assert_eq(exchange(&t, &answer, NULL), FAIL_DOWN);
	snprintf(want, sizeof(want), "cannot connect to /nonexistent/vakt/haproxy.sock: %s",
		 strerror(ENOENT));
	cr_expect_str_eq(err, want);
}

/*
 * A socket we may not open is our side's fault, not the service's. The
 * client runs in a child without the right to enter the socket's directory:
 * as root, which permissions do not stop, the child drops to nobody.
 */
Test(net, a_unix_socket_without_permission_is_local)
{
	struct test_server s = {.unix_socket = true};
	struct net_target t;
	char want[256], got[256] = "";
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	/* Only the listening socket: no connection ever reaches it. */
	test_server_listen(&s);
	cr_assert_eq(chmod(s.dir, geteuid() == 0 ? 0700 : 0), 0);
	t = target(&s, 10);
	cr_assert_eq(pipe(pipefd), 0);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		int r = -100;

		if (geteuid() != 0 || (setgid(65534) == 0 && setuid(65534) == 0))
			r = net_try(&t, err, sizeof(err));
		(void)!write(pipefd[1], err, strlen(err));
		_exit(-r);
	}
	close(pipefd[1]);
	n = read(pipefd[0], got, sizeof(got) - 1);
	got[n > 0 ? n : 0] = '\0';
	close(pipefd[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status));
	cr_expect_eq(-WEXITSTATUS(status), FAIL_LOCAL, "%s", got);
	snprintf(want, sizeof(want), "cannot connect to %s: %s", s.path, strerror(EACCES));
	cr_expect_str_eq(got, want);
	chmod(s.dir, 0700);
	test_server_close(&s);
}

Test(net, a_unix_socket_path_too_long_is_local)
{
	char path[200];
	struct net_target t = {.path = path, .deadline = time_monotonic() + 10, .limit = 10};

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	cr_expect_eq(net_try(&t, err, sizeof(err)), FAIL_LOCAL);
	cr_expect(strstr(err, "socket path too long: /aaa") == err, "%s", err);
}

Test(net, describe_names_a_path_a_host_and_an_ipv6_address)
{
	struct net_target t = {.path = "/run/haproxy.sock"};
	char out[64];

	net_describe(&t, out, sizeof(out));
	cr_expect_str_eq(out, "/run/haproxy.sock");
	t.path = NULL;
	t.host = "127.0.0.1";
	t.port = 9999;
	net_describe(&t, out, sizeof(out));
	cr_expect_str_eq(out, "127.0.0.1:9999");
	t.host = "::1";
	net_describe(&t, out, sizeof(out));
	cr_expect_str_eq(out, "[::1]:9999");
}

Test(net, wait_says_ready_timed_out_or_failed)
{
	int sv[2];

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	/* Nothing to read: the deadline passes (a past one at once). */
	cr_expect_eq(net_wait(sv[0], POLLIN, time_monotonic() + 0.01), 0);
	cr_expect_eq(net_wait(sv[0], POLLIN, time_monotonic() - 1), 0);
	cr_expect_eq(net_wait(sv[0], POLLOUT, time_monotonic() + 10), 1);
	cr_assert_eq(write(sv[1], "x", 1), 1);
	cr_expect_eq(net_wait(sv[0], POLLIN, time_monotonic() + 10), 1);
	errno = 0;
	cr_expect_eq(net_wait(-1, POLLIN, time_monotonic() + 10), -1);
	cr_expect_eq(errno, EBADF);
	close(sv[0]);
	close(sv[1]);
}
