/*
 * Fuzz target for vaktd's HTTP front end (agent/http.c and the rules of
 * agent/httpguard.c), through its public interface: http_start() serves on
 * an ephemeral loopback port, and each input is written as it is to a fresh
 * connection, request line, header fields, query and body alike, so the
 * bytes meet libmicrohttpd's parser first, as a client's do. The scheduler
 * is replaced by the fixed snapshot of tests/unit/snapfixture.c (a "load"
 * and a failing "redis jobs" collector), so the check endpoint has metrics
 * to match its parameters against.
 *
 * The answer is read until the agent closes, or until it has been quiet
 * for a moment, then the sending side is shut and the rest read with a
 * short deadline. What came back must be a sequence of whole answers: a
 * status line "HTTP/1.1 NNN" of an expected status, header fields, and
 * exactly the body its Content-Length says (none to HEAD), each perhaps
 * after a bare "100 Continue" (to Expect: 100-continue), so a status
 * line and headers sent twice, or a body cut, show as bytes left over; no
 * more answers than the input holds requests; and an answer that says
 * "Connection: close" is the last. libFuzzer's own crash and ASan reports
 * cover the rest.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "fuzz.h"
#include "http.h"
#include "scheduler.h"
#include "snapfixture.h"
#include "snapshot.h"

/* How long the agent may be quiet before the request is taken as answered (ms). */
#define QUIET_MS 5
/* How long, after the sending side is shut, the agent has to close (ms). */
#define CLOSE_MS 1000
/* The most bytes of answers kept: more than any answer to the fixed snapshot. */
#define ANSWER_MAX (1 << 20)

static struct snapfixture fx;

/* The fake scheduler of this harness: always the fixed snapshot. */
const struct snapshot *scheduler_acquire(struct scheduler *s)
{
	(void)s;
	return &fx.snap;
}

void snapshot_release(const struct snapshot *s)
{
	(void)s;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct config *c = config_default();
	char err[256] = "";
	int r;

	(void)argc;
	(void)argv;
	/* Room for every connection the fuzzer leaves for the agent to reap. */
	c->max_connections = 1000;
	c->max_per_client = 500;
	c->connection_timeout = 2;
	r = snapfixture_serve(&fx, c, NULL, err, sizeof(err));
	config_free(c);
	if (r != 0) {
		fprintf(stderr, "fuzz_vaktd_http: cannot start the agent's HTTP server: %s\n", err);
		abort();
	}
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* How reading an answer ended. */
enum end { QUIET, CLOSED, RESET };

/*
 * Read from fd into a (up to ANSWER_MAX) until the agent closes, or has
 * been quiet for quiet_ms, or deadline passes. A reset may have taken
 * answers with it.
 */
static enum end read_until(int fd, char *a, size_t *len, int quiet_ms, long deadline)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		long left = deadline - now_ms();
		ssize_t n;

		int ready;

		if (left <= 0)
			return QUIET;
		ready = poll(&p, 1, quiet_ms < left ? quiet_ms : (int)left);
		if (ready == -1 && errno == EINTR)
			continue;
		if (ready <= 0)
			return QUIET;
		n = recv(fd, a + *len, ANSWER_MAX - *len, 0);
		if (n == 0)
			return CLOSED;
		if (n == -1 && errno != EINTR && errno != EAGAIN)
			return RESET;
		if (n > 0)
			*len += (size_t)n;
		if (*len == ANSWER_MAX)
			return QUIET;
	}
}

/* The bytes at s (n of them) as a line up to CR LF; its length, or n when there is none. */
static size_t line_len(const char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == '\r' && s[i + 1] == '\n')
			return i;
	return n;
}

/* Whether the n bytes at s start with a status line's "HTTP/1.x NNN ". */
static bool status_line_at(const char *s, size_t n)
{
	return n >= 13 && memcmp(s, "HTTP/1.", 7) == 0 && s[8] == ' ' && s[12] == ' ' &&
	       strspn(s + 9, "0123456789") >= 3;
}

/* Whether status is one the agent or libmicrohttpd may answer this harness. */
static bool expected_status(int status)
{
	static const int known[] = {200, 400, 404, 405, 413, 414, 431, 503, 505};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (status == known[i])
			return true;
	return false;
}

/* How many requests the input could hold: each needs two line ends (CR LF, CR or LF). */
static size_t requests_in(const uint8_t *data, size_t size)
{
	size_t ends = 0;

	for (size_t i = 0; i < size; i++) {
		if (data[i] == '\n' || (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n')))
			ends++;
	}
	return ends / 2 + 1;
}

/*
 * Check the answers in a (len bytes; closed: the agent closed after them).
 * head_sent: the input holds "HEAD", whose answers have no body.
 */
static void check_answers(const char *a, size_t len, bool closed, bool head_sent, size_t requests)
{
	size_t answers = 0;
	bool last = false;

	while (len > 0) {
		size_t n = line_len(a, len), length = 0;
		bool has_length = false, closes = false;
		int status;

		/* Not all of it came before the deadline: nothing to say about the rest. */
		if (n == len && !closed)
			return;
		FUZZ_CHECK(!last);
		FUZZ_CHECK(status_line_at(a, n) && (a[7] == '0' || a[7] == '1'));
		status = (a[9] - '0') * 100 + (a[10] - '0') * 10 + (a[11] - '0');
		a += n + 2;
		len -= n + 2;
		/* libmicrohttpd's "100 Continue" to Expect: an interim answer, only a status line.
		 */
		if (status == 100) {
			if (len < 2 && !closed)
				return;
			FUZZ_CHECK(len >= 2 && memcmp(a, "\r\n", 2) == 0);
			a += 2;
			len -= 2;
			continue;
		}
		FUZZ_CHECK(expected_status(status));
		answers++;
		FUZZ_CHECK(answers <= requests);
		/* Header fields, up to the empty line. */
		for (;;) {
			n = line_len(a, len);
			if (n == len && !closed)
				return;
			FUZZ_CHECK(n < len);
			if (n == 0)
				break;
			if (n > 15 && strncasecmp(a, "Content-Length:", 15) == 0) {
				FUZZ_CHECK(!has_length);
				has_length = true;
				length = strtoul(a + 15, NULL, 10);
			}
			if (n == 17 && strncasecmp(a, "Connection: close", 17) == 0)
				closes = true;
			a += n + 2;
			len -= n + 2;
		}
		a += 2;
		len -= 2;
		FUZZ_CHECK(has_length);
		/* A refusal closes: nothing of the request after it may be read. */
		if (status == 413 || status == 414 || status == 431)
			FUZZ_CHECK(closes);
		last = closes;
		/* No body to HEAD: the next answer or the end follows the head. */
		if (head_sent && (len == 0 || status_line_at(a, len)))
			continue;
		if (length > len && !closed)
			return;
		FUZZ_CHECK(length <= len);
		a += length;
		len -= length;
	}
}

/* A socket connected to addr; libFuzzer's timer signals interrupt a connect. */
static int connect_to(const struct sockaddr_in *addr)
{
	for (int i = 0; i < 10; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		FUZZ_CHECK(fd != -1);
		if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0)
			return fd;
		if (errno != EINTR) {
			fprintf(stderr, "fuzz_vaktd_http: connect: %s\n", strerror(errno));
			abort();
		}
		close(fd);
	}
	fprintf(stderr, "fuzz_vaktd_http: connect interrupted 10 times\n");
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_in addr = {.sin_family = AF_INET,
				   .sin_port = htons((uint16_t)fx.port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct timeval tv = {.tv_sec = 1};
	/* Reset, not closed: a closed socket waits a minute in TIME_WAIT, and ports run out. */
	struct linger reset = {.l_onoff = 1, .l_linger = 0};
	static char answer[ANSWER_MAX];
	size_t len = 0, sent = 0;
	enum end end;
	int fd = connect_to(&addr);

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
	while (sent < size) {
		ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* closed by the agent, which is allowed */
		sent += (size_t)n;
	}
	/*
	 * Shut the sending side only once the agent has read and answered:
	 * libmicrohttpd 0.9.75 can miss an end of input that comes with the
	 * last request and keep the connection until its time-out.
	 */
	end = read_until(fd, answer, &len, QUIET_MS, now_ms() + CLOSE_MS);
	if (end == QUIET) {
		shutdown(fd, SHUT_WR);
		end = read_until(fd, answer, &len, CLOSE_MS, now_ms() + CLOSE_MS);
	}
	close(fd);
	check_answers(answer, len, end == CLOSED, memmem(data, size, "HEAD", 4) != NULL,
		      requests_in(data, size));
	return 0;
}
