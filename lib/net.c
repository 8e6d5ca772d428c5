/*
 * A plain socket client with a deadline (see net.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "net.h"
#include "num.h"
#include "progress.h"

void net_describe(const struct net_target *t, char *out, size_t outlen)
{
	if (t->name != NULL)
		snprintf(out, outlen, "%s", t->name);
	else if (t->path != NULL)
		snprintf(out, outlen, "%s", t->path);
	else if (strchr(t->host, ':') != NULL)
		snprintf(out, outlen, "[%s]:%ld", t->host, t->port);
	else
		snprintf(out, outlen, "%s:%ld", t->host, t->port);
}

int net_wait(int fd, short events, double deadline)
{
	struct pollfd p = {.fd = fd, .events = events};

	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	for (;;) {
		double ms = (deadline - time_monotonic()) * 1000;
		int n;

		if (ms <= 0)
			return 0;
		n = poll(&p, 1, ms > 1e9 ? 1000000000 : (int)ceil(ms));
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

/* Wait until fd is ready for events; 0, or FAIL_TIMEOUT. */
static int wait_for(const struct net_target *t, int fd, short events)
{
	return net_wait(fd, events, t->deadline) > 0 ? 0 : FAIL_TIMEOUT;
}

/* The time-out at step in words; returns FAIL_TIMEOUT. */
static int timed_out(const struct net_target *t, enum progress_step step, char *err, size_t errlen)
{
	char who[600];

	net_describe(t, who, sizeof(who));
	progress_format(err, errlen, t->limit, who, step, t->what);
	return FAIL_TIMEOUT;
}

static int failed(const struct net_target *t, int e, char *err, size_t errlen)
{
	char who[600];

	net_describe(t, who, sizeof(who));
	snprintf(err, errlen, "cannot connect to %s: %s", who, strerror(e));
	return e == EACCES || e == EPERM ? FAIL_LOCAL : FAIL_DOWN;
}

/* Connect a non-blocking socket to addr before the deadline; the socket, or an enum fail. */
static int connect_to(const struct net_target *t, int family, const struct sockaddr *addr,
		      socklen_t addrlen, int *oserr)
{
	int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	socklen_t len = sizeof(*oserr);

	*oserr = 0;
	if (fd < 0) {
		*oserr = errno;
		return FAIL_DOWN;
	}
	if (connect(fd, addr, addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS && errno != EAGAIN) {
		*oserr = errno;
		close(fd);
		return FAIL_DOWN;
	}
	if (wait_for(t, fd, POLLOUT) != 0) {
		close(fd);
		return FAIL_TIMEOUT;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, oserr, &len) != 0)
		*oserr = errno;
	if (*oserr != 0) {
		close(fd);
		return FAIL_DOWN;
	}
	return fd;
}

/* Open the connection; the socket, or an enum fail with err. */
static int open_socket(const struct net_target *t, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
	char port[32], who[600];
	int fd = FAIL_DOWN, oserr = 0, rc;

	net_describe(t, who, sizeof(who));
	progress_set(who, PROGRESS_CONNECT, NULL);
	if (t->path != NULL) {
		struct sockaddr_un sun = {.sun_family = AF_UNIX};

		if (strlen(t->path) >= sizeof(sun.sun_path)) {
			snprintf(err, errlen, "socket path too long: %s", t->path);
			return FAIL_LOCAL;
		}
		memcpy(sun.sun_path, t->path, strlen(t->path) + 1);
		fd = connect_to(t, AF_UNIX, (struct sockaddr *)&sun, sizeof(sun), &oserr);
		if (fd == FAIL_TIMEOUT)
			return timed_out(t, PROGRESS_CONNECT, err, errlen);
		return fd >= 0 ? fd : failed(t, oserr, err, errlen);
	}
	hints.ai_family = t->family;
	snprintf(port, sizeof(port), "%ld", t->port);
	rc = getaddrinfo(t->host, port, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "cannot resolve %s: %s", t->host, gai_strerror(rc));
		return FAIL_DOWN;
	}
	for (ai = res; ai != NULL && fd < 0 && fd != FAIL_TIMEOUT; ai = ai->ai_next)
		fd = connect_to(t, ai->ai_family, ai->ai_addr, ai->ai_addrlen, &oserr);
	freeaddrinfo(res);
	if (fd == FAIL_TIMEOUT)
		return timed_out(t, PROGRESS_CONNECT, err, errlen);
	return fd >= 0 ? fd : failed(t, oserr, err, errlen);
}

/* Send all of request; 0 or an enum fail with err. */
static int send_all(const struct net_target *t, int fd, const char *request, size_t len, char *err,
		    size_t errlen)
{
	while (len > 0) {
		ssize_t n = send(fd, request, len, MSG_NOSIGNAL);
		char who[600];

		if (n > 0) {
			request += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && errno == EAGAIN) {
			if (wait_for(t, fd, POLLOUT) != 0)
				return timed_out(t, PROGRESS_QUERY, err, errlen);
		} else {
			net_describe(t, who, sizeof(who));
			snprintf(err, errlen, "%s closed the connection: %s", who,
				 strerror(n < 0 ? errno : EPIPE));
			return FAIL_DOWN;
		}
	}
	return 0;
}

/* Read until the server closes or whole() says it is all there; 0 or an enum fail with err. */
static int read_all(const struct net_target *t, int fd, struct buf *answer, net_whole_fn *whole,
		    char *err, size_t errlen)
{
	char chunk[16384], who[600];

	for (;;) {
		ssize_t n = recv(fd, chunk, sizeof(chunk), 0);

		if (n == 0)
			return 0;
		if (n > 0 && buf_append(answer, chunk, (size_t)n) != 0) {
			net_describe(t, who, sizeof(who));
			snprintf(err, errlen, "%s sent an answer larger than %zu bytes", who,
				 answer->cap);
			return FAIL_TOO_BIG;
		}
		if (n > 0 && whole != NULL && whole(answer->data, answer->len))
			return 0;
		if (n > 0)
			progress_step(PROGRESS_ANSWER, NULL);
		if (n > 0 || errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			net_describe(t, who, sizeof(who));
			snprintf(err, errlen, "%s broke off its answer: %s", who, strerror(errno));
			return FAIL_DOWN;
		}
		if (wait_for(t, fd, POLLIN) != 0)
			return timed_out(t, answer->len > 0 ? PROGRESS_ANSWER : PROGRESS_QUERY, err,
					 errlen);
	}
}

int net_try(const struct net_target *t, char *err, size_t errlen)
{
	int fd = open_socket(t, err, errlen);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int net_exchange(const struct net_target *t, const char *request, size_t len, struct buf *answer,
		 net_whole_fn *whole, char *err, size_t errlen)
{
	int fd = open_socket(t, err, errlen), r;

	buf_reset(answer);
	if (fd < 0)
		return fd;
	progress_step(PROGRESS_QUERY, t->what);
	r = send_all(t, fd, request, len, err, errlen);
	if (r == 0)
		r = read_all(t, fd, answer, whole, err, errlen);
	close(fd);
	return r;
}
