/*
 * A plain socket client with a deadline, for sources that speak over a
 * stream socket without a client library (HAProxy's stats socket): connect
 * to a unix socket path or a TCP host and port, send a request, read the
 * answer until the server closes, all before one deadline, the answer capped
 * by its buffer. Failures come in the words the checks print ("cannot
 * connect to 127.0.0.1:9999: Connection refused").
 */
#ifndef VAKT_NET_H
#define VAKT_NET_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "fail.h"

/* Where to connect: a unix socket when path is set, else host and port. */
struct net_target {
	const char *path; /* unix socket path, or NULL */
	const char *host; /* host name or address */
	long port;
	int family;	  /* AF_UNSPEC, AF_INET or AF_INET6 */
	double deadline;  /* time_monotonic() by which everything must have ended */
	double limit;	  /* the time limit a time-out message names, seconds */
	const char *what; /* the request, for a time-out ("show stat"); NULL: "the query" */
	const char *name; /* what messages call it ("HOST:PORT"); NULL: path, or host and port */
};

/*
 * Wait until fd is ready for events (POLLIN, POLLOUT) or time_monotonic() passes
 * deadline: 1 ready, 0 the deadline passed, -1 failed (errno).
 */
int net_wait(int fd, short events, double deadline);
/* t->name, else "PATH" or "HOST:PORT" ("[::1]:9999") of t, for messages and labels. */
void net_describe(const struct net_target *t, char *out, size_t outlen);

/*
 * Connect to t before its deadline and close again, to learn why a client
 * library could not: 0 when the connection is taken now, else an enum fail
 * with the reason in err ("cannot connect to 127.0.0.1:3306: Connection
 * refused").
 */
int net_try(const struct net_target *t, char *err, size_t errlen);

/* Whether the answer so far is whole, so that reading may stop before the server closes. */
typedef bool net_whole_fn(const char *data, size_t len);

/*
 * Connect to t, send the len bytes of request, read what the server sends
 * into answer (which is reset first) until it closes or, when whole is not
 * NULL, until whole() says the answer is all there. Returns 0, or a
 * enum fail with the reason in err.
 */
int net_exchange(const struct net_target *t, const char *request, size_t len, struct buf *answer,
		 net_whole_fn *whole, char *err, size_t errlen);

#endif
