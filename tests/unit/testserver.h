/*
 * A one-connection server for the unit tests of clients (lib/net.c,
 * lib/httpc.c): it listens on an ephemeral loopback port or a unix socket,
 * accepts one connection in a thread, keeps what the client sent up to an
 * end marker, then answers canned bytes, closes without a word, or holds
 * the connection until the client gives up. Every wait has a deadline, so
 * a client that misbehaves fails its test instead of hanging it.
 */
#ifndef VAKT_TESTSERVER_H
#define VAKT_TESTSERVER_H

#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* How long the server waits for its client at each step (ms). */
#define TEST_SERVER_WAIT_MS 10000

struct test_server {
	/* Set by the test before test_server_start(). */
	const char *answer; /* sent after the request; NULL: none */
	size_t answer_len;  /* bytes of answer; 0: strlen(answer) */
	bool hold;	    /* after answering (or not), wait for the client to close */
	const char *end;    /* the request ends with this; NULL: "\r\n\r\n" */
	bool unix_socket;   /* listen on dir/sock instead of TCP */
	/* Set by test_server_start(). */
	int listener;
	long port;
	char dir[64];
	char path[96];
	pthread_t thread;
	/* Set by the thread: what the client sent, NUL-terminated. */
	char request[16384];
	size_t request_len;
	bool client_closed; /* the client closed while the server held or read */
};

/* Whether fd is readable within TEST_SERVER_WAIT_MS. */
static inline bool test_server_readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, TEST_SERVER_WAIT_MS) == 1;
}

/* Read the request into s->request until its end marker, the client closing, or the wait. */
static inline void test_server_read(struct test_server *s, int fd)
{
	const char *end = s->end != NULL ? s->end : "\r\n\r\n";

	while (strstr(s->request, end) == NULL && s->request_len + 1 < sizeof(s->request)) {
		ssize_t n;

		if (!test_server_readable(fd))
			return;
		n = recv(fd, s->request + s->request_len, sizeof(s->request) - 1 - s->request_len,
			 0);
		if (n <= 0) {
			s->client_closed = n == 0;
			return;
		}
		s->request_len += (size_t)n;
		s->request[s->request_len] = '\0';
	}
}

static inline void *test_server_run(void *arg)
{
	struct test_server *s = arg;
	int fd;

	if (!test_server_readable(s->listener))
		return NULL;
	fd = accept(s->listener, NULL, NULL);
	if (fd == -1)
		return NULL;
	test_server_read(s, fd);
	for (size_t sent = 0; s->answer != NULL && sent < s->answer_len;) {
		ssize_t n = send(fd, s->answer + sent, s->answer_len - sent, MSG_NOSIGNAL);

		if (n <= 0)
			break; /* the client stopped reading: it had enough */
		sent += (size_t)n;
	}
	/* Hold until the client closes; what it sends meanwhile is dropped. */
	while (s->hold && !s->client_closed && test_server_readable(fd)) {
		char drop[512];

		s->client_closed = recv(fd, drop, sizeof(drop), 0) <= 0;
	}
	close(fd);
	return NULL;
}

/* Listen as s asks, without accepting yet. */
static inline void test_server_listen(struct test_server *s)
{
	if (s->answer != NULL && s->answer_len == 0)
		s->answer_len = strlen(s->answer);
	if (s->unix_socket) {
		struct sockaddr_un a = {.sun_family = AF_UNIX};

		snprintf(s->dir, sizeof(s->dir), "/tmp/vakt-unit-XXXXXX");
		cr_assert_not_null(mkdtemp(s->dir));
		snprintf(s->path, sizeof(s->path), "%s/sock", s->dir);
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", s->path);
		s->listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		cr_assert_neq(s->listener, -1);
		cr_assert_eq(bind(s->listener, (struct sockaddr *)&a, sizeof(a)), 0);
	} else {
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t len = sizeof(a);

		s->listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		cr_assert_neq(s->listener, -1);
		cr_assert_eq(bind(s->listener, (struct sockaddr *)&a, sizeof(a)), 0);
		cr_assert_eq(getsockname(s->listener, (struct sockaddr *)&a, &len), 0);
		s->port = ntohs(a.sin_port);
	}
	cr_assert_eq(listen(s->listener, 4), 0);
}

/* Listen as s asks and start serving its one connection. */
static inline void test_server_start(struct test_server *s)
{
	test_server_listen(s);
	cr_assert_eq(pthread_create(&s->thread, NULL, test_server_run, s), 0);
}

/* Stop listening, and remove a unix socket and its directory. */
static inline void test_server_close(struct test_server *s)
{
	close(s->listener);
	if (s->unix_socket) {
		unlink(s->path);
		rmdir(s->dir);
	}
}

/* A loopback port that refuses connections: bound, not listening, held by *fd until closed. */
static inline long test_server_refusing(int *fd)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);

	*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_neq(*fd, -1);
	cr_assert_eq(bind(*fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
	return ntohs(a.sin_port);
}

/* Wait for the connection to end and stop listening. */
static inline void test_server_join(struct test_server *s)
{
	pthread_join(s->thread, NULL);
	test_server_close(s);
}

#endif
