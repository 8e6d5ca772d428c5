/*
 * The agent's open connections (see conns.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conns.h"
#include "stats.h"
#include "xalloc.h"

/* The connections of one address. */
struct client {
	unsigned char key[CONN_KEY_LEN];
	unsigned n;    /* counted: not cut */
	unsigned refs; /* records that point here, cut or not */
};

struct conn {
	struct conn *prev, *next; /* every open connection, oldest accept first */
	struct client *client;
	char addr[RATELOG_KEY_MAX];
	int fd;
	double since; /* accepted, request started or answer ended: the deadline's start */
	bool serving;
	bool cut; /* shut down here, waiting for the server to close it */
};

struct conns {
	pthread_mutex_t lock;
	struct conns_limits lim;
	struct conn *head, *tail;
	void *clients; /* tsearch(3) tree of struct client */
	unsigned n;    /* counted: not cut */
	struct conns_cuts cuts;
};

void conn_client_of(const struct sockaddr *sa, unsigned char key[CONN_KEY_LEN], char *text,
		    size_t textlen)
{
	const unsigned char *a = NULL;
	int family = sa->sa_family;

	memset(key, 0, CONN_KEY_LEN);
	if (family == AF_INET) {
		a = (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)
			->sin_addr;
	} else if (family == AF_INET6) {
		const struct in6_addr *a6 =
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

		a = a6->s6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			family = AF_INET;
			a += 12;
		}
	}
	if (a == NULL) {
		snprintf(text, textlen, "an unknown address");
		return;
	}
	key[0] = (unsigned char)family;
	memcpy(key + 1, a, family == AF_INET ? 4 : 16);
	if (inet_ntop(family, a, text, (socklen_t)textlen) == NULL)
		snprintf(text, textlen, "an unknown address");
}

static int client_cmp(const void *a, const void *b)
{
	return memcmp(((const struct client *)a)->key, ((const struct client *)b)->key,
		      CONN_KEY_LEN);
}

struct conns *conns_new(const struct conns_limits *l)
{
	struct conns *t = xcalloc(1, sizeof(*t));

	pthread_mutex_init(&t->lock, NULL);
	t->lim = *l;
	return t;
}

void conns_free(struct conns *t)
{
	if (t == NULL)
		return;
	/* Normally empty by now; a server that could not stop leaves records behind. */
	while (t->head != NULL) {
		struct conn *c = t->head;

		t->head = c->next;
		free(c);
	}
	tdestroy(t->clients, free);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/*
 * Shut c down for reason and stop counting it; the server closes it when it
 * sees end of file.
 */
static void cut(struct conns *t, struct conn *c, enum conn_cut reason)
{
	t->cuts.n[reason]++;
	snprintf(t->cuts.addr[reason], RATELOG_KEY_MAX, "%s", c->addr);
	stats_count_cut(reason);
	stats_count_connection(-1);
	c->cut = true;
	c->client->n--;
	t->n--;
	shutdown(c->fd, SHUT_RDWR);
}

/*
 * The connection to give up its slot for newcomer: waiting for a request, of
 * the client holding the most connections, its oldest. NULL when every other
 * connection is being answered.
 */
static struct conn *victim_any(struct conns *t, const struct conn *newcomer)
{
	struct conn *best = NULL;

	for (struct conn *c = t->head; c != NULL; c = c->next) {
		if (c == newcomer || c->cut || c->serving)
			continue;
		if (best == NULL || c->client->n > best->client->n ||
		    (c->client->n == best->client->n && c->since < best->since))
			best = c;
	}
	return best;
}

/* The oldest of newcomer's client's connections that has waited grace for its request. */
static struct conn *victim_own(struct conns *t, const struct conn *newcomer, double now)
{
	struct conn *best = NULL;

	for (struct conn *c = t->head; c != NULL; c = c->next) {
		if (c == newcomer || c->cut || c->serving || c->client != newcomer->client ||
		    now - c->since < t->lim.grace)
			continue;
		if (best == NULL || c->since < best->since)
			best = c;
	}
	return best;
}

struct conn *conns_add(struct conns *t, int fd, const struct sockaddr *sa, double now,
		       enum conn_verdict *v)
{
	struct conn *c = xcalloc(1, sizeof(*c)), *victim;
	struct client *fresh = xcalloc(1, sizeof(*fresh)), **node;

	c->fd = fd;
	c->since = now;
	conn_client_of(sa, fresh->key, c->addr, sizeof(c->addr));
	*v = CONN_SERVE;
	pthread_mutex_lock(&t->lock);
	node = tsearch(fresh, &t->clients, client_cmp);
	if (node == NULL) {
		/* No memory for the tree: xalloc would have aborted; keep the compiler honest. */
		abort();
	}
	if (*node != fresh)
		free(fresh);
	c->client = *node;
	c->client->refs++;
	c->client->n++;
	t->n++;
	stats_count_connection(1);
	c->prev = t->tail;
	if (t->tail != NULL)
		t->tail->next = c;
	else
		t->head = c;
	t->tail = c;

	if (t->n > t->lim.max) {
		victim = victim_any(t, c);
		if (victim != NULL) {
			cut(t, victim, CONN_CUT_EVICTED);
		} else {
			cut(t, c, CONN_CUT_REFUSED);
			*v = CONN_CUT;
		}
	}
	if (*v == CONN_SERVE && c->client->n > t->lim.per_client) {
		victim = victim_own(t, c, now);
		if (victim != NULL) {
			cut(t, victim, CONN_CUT_EVICTED);
		} else if (c->client->n > t->lim.hard_per_client) {
			cut(t, c, CONN_CUT_REFUSED);
			*v = CONN_CUT;
		} else {
			*v = CONN_BUSY;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return c;
}

void conns_serving(struct conns *t, struct conn *c, double now)
{
	pthread_mutex_lock(&t->lock);
	c->serving = true;
	c->since = now;
	pthread_mutex_unlock(&t->lock);
}

void conns_done(struct conns *t, struct conn *c, double now)
{
	pthread_mutex_lock(&t->lock);
	c->serving = false;
	c->since = now;
	pthread_mutex_unlock(&t->lock);
}

void conns_remove(struct conns *t, struct conn *c)
{
	struct client *k = c->client;

	pthread_mutex_lock(&t->lock);
	if (!c->cut) {
		k->n--;
		t->n--;
		stats_count_connection(-1);
	}
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		t->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		t->tail = c->prev;
	if (--k->refs == 0) {
		tdelete(k, &t->clients, client_cmp);
		free(k);
	}
	pthread_mutex_unlock(&t->lock);
	free(c);
}

double conns_reap(struct conns *t, double now)
{
	double next = 0;

	pthread_mutex_lock(&t->lock);
	for (struct conn *c = t->head; c != NULL; c = c->next) {
		double due = c->since + t->lim.deadline;

		if (c->cut)
			continue;
		if (due <= now) {
			cut(t, c, CONN_CUT_OVERDUE);
		} else if (next == 0 || due < next) {
			next = due;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return next;
}

const char *conn_addr(const struct conn *c)
{
	return c->addr;
}

unsigned conns_count(struct conns *t, const struct conn *c, unsigned *from_client)
{
	unsigned n;

	pthread_mutex_lock(&t->lock);
	n = t->n;
	if (from_client != NULL)
		*from_client = c != NULL ? c->client->n : 0;
	pthread_mutex_unlock(&t->lock);
	return n;
}

void conns_take_cuts(struct conns *t, struct conns_cuts *out)
{
	pthread_mutex_lock(&t->lock);
	*out = t->cuts;
	memset(t->cuts.n, 0, sizeof(t->cuts.n));
	pthread_mutex_unlock(&t->lock);
}
