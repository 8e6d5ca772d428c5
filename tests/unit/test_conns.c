/*
 * The agent's connection table: deadlines, who gives up a slot, and that a
 * cut connection's peer sees end of file. Sockets are socketpairs: the table
 * shuts down one end, the test reads the other.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* By path: a plain "config.h" would find autoconf's in the build tree. */
#include "conns.h"

/* One end the table holds, the other the "client". */
struct pair {
	int agent, client;
	struct conn *c;
	enum conn_verdict v;
};

static struct conns *table(unsigned max, unsigned per_client, unsigned hard)
{
	struct conns_limits l = {max, per_client, hard, 10, 0.05};

	return conns_new(&l);
}

static void add(struct conns *t, struct pair *p, const char *addr, double now)
{
	int sv[2];
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(addr, ':') != NULL) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;

		a6->sin6_family = AF_INET6;
		cr_assert_eq(inet_pton(AF_INET6, addr, &a6->sin6_addr), 1);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;

		a4->sin_family = AF_INET;
		cr_assert_eq(inet_pton(AF_INET, addr, &a4->sin_addr), 1);
	}
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	p->agent = sv[0];
	p->client = sv[1];
	p->c = conns_add(t, p->agent, (struct sockaddr *)&ss, now, &p->v);
}

/* Whether the table shut the agent's end down: the client reads end of file at once. */
static bool is_cut(const struct pair *p)
{
	char b;

	return recv(p->client, &b, 1, MSG_DONTWAIT) == 0;
}

static void drop(struct conns *t, struct pair *p)
{
	conns_remove(t, p->c);
	close(p->agent);
	close(p->client);
}

Test(conns, a_whole_request_within_the_deadline)
{
	struct conns *t = table(8, 8, 8);
	struct conns_cuts k;
	struct pair a, b;

	add(t, &a, "10.0.0.1", 100);
	add(t, &b, "10.0.0.2", 105);
	cr_expect_eq(a.v, CONN_SERVE);
	/* Nothing is due before 110; the next deadline is a's. */
	cr_expect_eq(conns_reap(t, 109.9), 110);
	cr_expect_not(is_cut(&a));
	/* A connection trickling bytes is still cut at its deadline. */
	cr_expect_eq(conns_reap(t, 110), 115);
	cr_expect(is_cut(&a));
	cr_expect_not(is_cut(&b));
	/* Being answered restarts the clock, and so does the end of the answer. */
	conns_serving(t, b.c, 114);
	cr_expect_eq(conns_reap(t, 115), 124);
	conns_done(t, b.c, 120);
	cr_expect_eq(conns_reap(t, 129), 130);
	cr_expect_not(is_cut(&b));
	cr_expect_eq(conns_reap(t, 130), 0);
	cr_expect(is_cut(&b));
	conns_take_cuts(t, &k);
	cr_expect_eq(k.n[CONN_CUT_OVERDUE], 2);
	cr_expect_str_eq(k.addr[CONN_CUT_OVERDUE], "10.0.0.2");
	conns_take_cuts(t, &k);
	cr_expect_eq(k.n[CONN_CUT_OVERDUE], 0);
	drop(t, &a);
	drop(t, &b);
	conns_free(t);
}

Test(conns, a_newcomer_takes_the_slot_of_the_client_holding_most)
{
	struct conns *t = table(3, 8, 8);
	struct conns_cuts k;
	struct pair a1, b, a2, c;
	unsigned from;

	add(t, &a1, "127.0.0.2", 100);
	add(t, &b, "127.0.0.3", 99); /* older than every connection of .2 */
	add(t, &a2, "127.0.0.2", 101);
	add(t, &c, "127.0.0.1", 102);
	/* .2 holds two: its oldest goes, not b although b is older. */
	cr_expect_eq(c.v, CONN_SERVE);
	cr_expect(is_cut(&a1));
	cr_expect_not(is_cut(&b));
	cr_expect_not(is_cut(&a2));
	cr_expect_eq(conns_count(t, a2.c, &from), 3);
	cr_expect_eq(from, 1);
	conns_take_cuts(t, &k);
	cr_expect_eq(k.n[CONN_CUT_EVICTED], 1);
	cr_expect_str_eq(k.addr[CONN_CUT_EVICTED], "127.0.0.2");
	drop(t, &a1);
	drop(t, &b);
	drop(t, &a2);
	drop(t, &c);
	conns_free(t);
}

Test(conns, connections_being_answered_keep_their_slots)
{
	struct conns *t = table(2, 8, 8);
	struct pair a, b, c;

	add(t, &a, "10.0.0.1", 100);
	add(t, &b, "10.0.0.2", 100);
	conns_serving(t, a.c, 100);
	conns_serving(t, b.c, 100);
	add(t, &c, "10.0.0.3", 101);
	/* No slot to take: the newcomer is closed at once, nobody else is. */
	cr_expect_eq(c.v, CONN_CUT);
	cr_expect(is_cut(&c));
	cr_expect_not(is_cut(&a));
	cr_expect_not(is_cut(&b));
	cr_expect_eq(conns_count(t, NULL, NULL), 2);
	drop(t, &c);
	/* Once one answer has ended, its connection waits and can be taken. */
	conns_done(t, a.c, 102);
	add(t, &c, "10.0.0.3", 103);
	cr_expect_eq(c.v, CONN_SERVE);
	cr_expect(is_cut(&a));
	drop(t, &a);
	drop(t, &b);
	drop(t, &c);
	conns_free(t);
}

Test(conns, one_client_beyond_its_limit)
{
	struct conns *t = table(100, 1, 2);
	struct pair a, b, c, d;

	add(t, &a, "192.0.2.7", 100);
	/* A burst: the first has not had time to send its request. */
	add(t, &b, "192.0.2.7", 100.01);
	cr_expect_eq(b.v, CONN_BUSY);
	add(t, &c, "192.0.2.7", 100.02);
	cr_expect_eq(c.v, CONN_CUT);
	cr_expect(is_cut(&c));
	drop(t, &c);
	/* Later, a connection that has waited makes room: the oldest, a. */
	add(t, &d, "192.0.2.7", 101);
	cr_expect_eq(d.v, CONN_SERVE);
	cr_expect(is_cut(&a));
	cr_expect_not(is_cut(&b));
	drop(t, &a);
	drop(t, &b);
	drop(t, &d);
	conns_free(t);
}

Test(conns, ipv4_mapped_is_the_ipv4_client)
{
	struct conns *t = table(100, 1, 1);
	struct pair a, b;

	add(t, &a, "127.0.0.1", 100);
	add(t, &b, "::ffff:127.0.0.1", 100);
	cr_expect_eq(b.v, CONN_CUT);
	cr_expect_str_eq(conn_addr(b.c), "127.0.0.1");
	drop(t, &a);
	drop(t, &b);
	/* Every record is gone: the table is empty. */
	cr_expect_eq(conns_count(t, NULL, NULL), 0);
	cr_expect_eq(conns_reap(t, 1000), 0);
	conns_free(t);
}
