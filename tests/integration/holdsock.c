/*
 * A test peer that holds a known state for the integration tests:
 *
 *   holdsock listen ADDRESS BACKLOG N   listen on ADDRESS (port chosen by the
 *                                       kernel) and complete N connections
 *                                       that are never accepted
 *   holdsock fds N LIMIT [NAME]         hold exactly 3 + N descriptors open
 *                                       under a soft RLIMIT_NOFILE of LIMIT,
 *                                       as command NAME (vakt-fdholder)
 *   holdsock listeners PORT N           listen on PORT of N loopback addresses,
 *                                       127.77.0.1, 127.77.0.2, ... (250 to a
 *                                       /24), in as many processes as the
 *                                       descriptor limit needs: N listeners
 *                                       for the agent's [listen] collector
 *   holdsock flood ADDRESS PORT N KEEP  open N connections to an HTTP server
 *                                       at once, wait (up to 20 s) until it
 *                                       has closed all but KEEP, then send
 *                                       GET /health on each that is left and
 *                                       keep them open
 *
 * It prints one line ("port P", "pid P", "listeners N", or for flood "flood
 * closed=C,200=A,503=B,other=D") when the state is in place, then waits
 * until it is killed (the processes of listeners with it).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int fail(const char *what)
{
	perror(what);
	return 1;
}

/* Fill addr from a literal; returns its length, 0 when not an address. */
static socklen_t make_addr(const char *text, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		return sizeof(*in4);
	}
	if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		return sizeof(*in6);
	}
	return 0;
}

static int hold_listen(const char *addr, int backlog, int n)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(addr, &ss);
	int s;

	if (len == 0)
		return fail("address");
	s = socket(ss.ss_family, SOCK_STREAM, 0);
	if (s == -1 || bind(s, (struct sockaddr *)&ss, len) == -1 || listen(s, backlog) == -1)
		return fail("listen");
	if (getsockname(s, (struct sockaddr *)&ss, &len) == -1)
		return fail("getsockname");
	for (int i = 0; i < n; i++) {
		/* connect() returns once the handshake is done: the connection is queued. */
		int c = socket(ss.ss_family, SOCK_STREAM, 0);

		if (c == -1 || connect(c, (struct sockaddr *)&ss, len) == -1)
			return fail("connect");
	}
	printf("port %u\n",
	       ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					     : ((struct sockaddr_in6 *)&ss)->sin6_port));
	return 0;
}

static int hold_fds(int n, int limit, const char *name)
{
	struct rlimit rl;

	/* A name of our own, so --process finds only this peer (tests run in parallel). */
	prctl(PR_SET_NAME, name);
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	for (int i = 0; i < n; i++)
		if (open("/dev/null", O_RDONLY) == -1)
			return fail("open");
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return fail("getrlimit");
	rl.rlim_cur = (rlim_t)limit;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		return fail("setrlimit");
	printf("pid %ld\n", (long)getpid());
	return 0;
}

/* Listen on port of 127.77.X.Y for the addresses numbered from to to - 1; 0 or 1. */
static int listen_range(int port, int from, int to)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};

	for (int i = from; i < to; i++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);

		/* 127.77.0.0/16 is loopback, and no other test listens there. */
		a.sin_addr.s_addr =
		    htonl(0x7f4d0000U | (unsigned)(i / 250) << 8 | (unsigned)(i % 250 + 1));
		if (s == -1 || bind(s, (struct sockaddr *)&a, sizeof(a)) == -1 ||
		    listen(s, 8) == -1)
			return fail("listen");
	}
	return 0;
}

/*
 * N listeners on one port (one port, so that the ephemeral ports other tests
 * connect from are not used up), a process for each slice the descriptor
 * limit allows; each child dies with this process.
 */
static int hold_listeners(int port, int n)
{
	struct rlimit rl;
	int per, ready[2];
	char b;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return fail("getrlimit");
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		return fail("setrlimit");
	per = rl.rlim_cur > 10100 ? 10000 : (int)rl.rlim_cur - 100;
	if (per < 1 || pipe(ready) == -1)
		return fail("descriptors");
	for (int from = per; from < n; from += per) {
		pid_t pid = fork();

		if (pid == -1)
			return fail("fork");
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(ready[0]);
			if (listen_range(port, from, from + per < n ? from + per : n) != 0)
				_exit(1);
			if (write(ready[1], "x", 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
	}
	close(ready[1]);
	if (listen_range(port, 0, per < n ? per : n) != 0)
		return 1;
	for (int from = per; from < n; from += per)
		if (read(ready[0], &b, 1) != 1)
			return fail("a child");
	printf("listeners %d\n", n);
	return 0;
}

/* Whether the server closed c (end of file or a reset), without waiting. */
static int closed(int c)
{
	char b;
	ssize_t n = recv(c, &b, 1, MSG_DONTWAIT | MSG_PEEK);

	return n == 0 || (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* The status of the answer to GET /health on c: 200, 503, or 0 for none. */
static int ask(int c)
{
	static const char req[] = "GET /health HTTP/1.1\r\nHost: flood\r\n\r\n";
	char line[64];
	size_t got = 0;
	struct pollfd p = {c, POLLIN, 0};

	if (send(c, req, sizeof(req) - 1, MSG_NOSIGNAL) != (ssize_t)sizeof(req) - 1)
		return 0;
	/* "HTTP/1.1 200 OK": the status is all that is read; the rest stays unread. */
	while (got < 12 && poll(&p, 1, 10000) == 1) {
		ssize_t n = recv(c, line + got, 12 - got, 0);

		if (n <= 0)
			return 0;
		got += (size_t)n;
	}
	line[got] = '\0';
	return got == 12 ? (int)strtol(line + 9, NULL, 10) : 0;
}

static int flood(const char *addr, int port, int n, int keep)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(addr, &ss);
	int *fd = calloc((size_t)n, sizeof(*fd)), nclosed = 0, ok = 0, busy = 0, other = 0;
	time_t until = time(NULL) + 20;

	if (len == 0 || fd == NULL)
		return fail("address");
	((struct sockaddr_in *)&ss)->sin_port = htons((unsigned short)port); /* same place in v6 */
	for (int i = 0; i < n; i++) {
		fd[i] = socket(ss.ss_family, SOCK_STREAM, 0);
		if (fd[i] == -1 || connect(fd[i], (struct sockaddr *)&ss, len) == -1)
			return fail("connect");
	}
	while (time(NULL) < until) {
		nclosed = 0;
		for (int i = 0; i < n; i++)
			nclosed += closed(fd[i]);
		if (nclosed >= n - keep)
			break;
		usleep(50000);
	}
	for (int i = 0; i < n; i++) {
		int st = closed(fd[i]) ? -1 : ask(fd[i]);

		ok += st == 200;
		busy += st == 503;
		other += st != 200 && st != 503 && st != -1;
	}
	printf("flood closed=%d,200=%d,503=%d,other=%d\n", nclosed, ok, busy, other);
	return 0;
}

/* A whole number from the command line; exits 2 on anything else. */
static int arg(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < INT_MIN || v > INT_MAX) {
		fprintf(stderr, "holdsock: not a whole number: %s\n", s);
		exit(2);
	}
	return (int)v;
}

int main(int argc, char **argv)
{
	int r;

	if (argc == 5 && strcmp(argv[1], "listen") == 0)
		r = hold_listen(argv[2], arg(argv[3]), arg(argv[4]));
	else if ((argc == 4 || argc == 5) && strcmp(argv[1], "fds") == 0)
		r = hold_fds(arg(argv[2]), arg(argv[3]), argc == 5 ? argv[4] : "vakt-fdholder");
	else if (argc == 4 && strcmp(argv[1], "listeners") == 0)
		r = hold_listeners(arg(argv[2]), arg(argv[3]));
	else if (argc == 6 && strcmp(argv[1], "flood") == 0)
		r = flood(argv[2], arg(argv[3]), arg(argv[4]), arg(argv[5]));
	else
		r = fail("usage: holdsock listen ADDRESS BACKLOG N | fds N LIMIT [NAME] | "
			 "listeners PORT N | flood ADDRESS PORT N KEEP");
	if (r != 0)
		return r;
	fflush(stdout);
	for (;;)
		pause();
}
