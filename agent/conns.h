/*
 * The agent's open connections and who gets a slot when there are too many.
 *
 * The HTTP server tells this table when a connection is accepted, when its
 * request starts being served, when the request ends and when the connection
 * closes; the table decides, and acts by shutting the connection's socket
 * down (the server then sees end of file and closes it at once):
 *
 * - A connection has deadline seconds to deliver a whole request, counted
 *   from its accept or the end of its previous answer, and as long again to
 *   take its answer. It is cut at the deadline however slowly it trickles:
 *   an idle time-out alone never fires for a client sending a byte every few
 *   seconds.
 * - Beyond max connections in all, a newcomer takes the slot of a
 *   connection that is waiting for its request (not being answered): one of
 *   the client that holds the most, its oldest. Legitimate clients send
 *   their request at once, so slow and idle connections go first, and a
 *   flood from many addresses cannot lock out anyone. Only when every slot
 *   is being answered is the newcomer cut.
 * - Beyond per_client connections from one address, the client's oldest
 *   connection that has waited grace seconds for its request gives up its
 *   slot; without one, the newcomer is marked busy (answered 503 and closed)
 *   and, beyond hard_per_client, cut.
 *
 * Every address is a client of its own, loopback ones included: any local
 * user can send from all of 127.0.0.0/8, so on loopback it is the rules
 * above, not the per-client limit, that keep the agent answering.
 *
 * Thread-safe: one lock around everything; all work under it is a walk of
 * at most max + a few connections.
 */
#ifndef VAKT_CONNS_H
#define VAKT_CONNS_H

#include <stdbool.h>
#include <sys/socket.h>

#include "ratelog.h"

struct conns;
struct conn;

struct conns_limits {
	unsigned max;		  /* connections in all */
	unsigned per_client;	  /* from one address before busy */
	unsigned hard_per_client; /* from one address before cut */
	double deadline;	  /* seconds for a whole request, and for its answer */
	double grace;		  /* seconds a connection may wait before it can lose its slot to
				     its own client's newcomer */
};

/* What became of a new connection. */
enum conn_verdict {
	CONN_SERVE = 0, /* serve it */
	CONN_BUSY,	/* answer 503 with Retry-After and close it */
	CONN_CUT,	/* already shut down: no slot for it */
};

/* An empty table; never NULL. */
struct conns *conns_new(const struct conns_limits *l);
/* Free the table; the connections must all have been removed. */
void conns_free(struct conns *t);

/*
 * A connection accepted on socket fd from sa at monotonic time now: counted,
 * other connections cut to make room if need be, and its verdict in *v.
 * The record is the caller's to hand back to the functions below.
 */
struct conn *conns_add(struct conns *t, int fd, const struct sockaddr *sa, double now,
		       enum conn_verdict *v);
/* Its request is complete and being answered: it no longer gives up its slot. */
void conns_serving(struct conns *t, struct conn *c, double now);
/* Its answer ended (or failed); the connection may wait for another request. */
void conns_done(struct conns *t, struct conn *c, double now);
/* The connection closed: forget and free it. Must come before its fd is closed. */
void conns_remove(struct conns *t, struct conn *c);
/*
 * Cut every connection past its deadline at time now. Returns the time of
 * the next deadline, or 0 when no connection is open.
 */
double conns_reap(struct conns *t, double now);

/* The client's address in words. */
const char *conn_addr(const struct conn *c);
/* Connections counted now (not cut), in all and from c's client. */
unsigned conns_count(struct conns *t, const struct conn *c, unsigned *from_client);

/*
 * The client at sa as a key of CONN_KEY_LEN bytes and in words; an IPv4
 * client on a dual-stack socket (::ffff:a.b.c.d) is the same client as over
 * IPv4.
 */
#define CONN_KEY_LEN 17
void conn_client_of(const struct sockaddr *sa, unsigned char key[CONN_KEY_LEN], char *text,
		    size_t textlen);

/* Why connections were cut, for the log. */
enum conn_cut {
	CONN_CUT_OVERDUE = 0, /* past the deadline */
	CONN_CUT_EVICTED,     /* made room for a newcomer */
	CONN_CUT_REFUSED,     /* a newcomer without a slot */
	CONN_CUT_REASONS,
};
/* Connections cut per reason, and the last one's address. */
struct conns_cuts {
	unsigned long n[CONN_CUT_REASONS];
	char addr[CONN_CUT_REASONS][RATELOG_KEY_MAX];
};
/* The cuts since the last call. */
void conns_take_cuts(struct conns *t, struct conns_cuts *out);

#endif
