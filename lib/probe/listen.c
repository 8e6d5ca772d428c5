/*
 * sock_diag listen-queue probe (see listen.h). One dump request per address
 * family with only TCP_LISTEN in the state mask; for a listener, inet_diag
 * reports the accept queue length in idiag_rqueue and the backlog in
 * idiag_wqueue. Sockets of one address and port are merged after the dump,
 * by sorting: a host may have tens of thousands of listeners.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "probe/listen.h"
#include "xalloc.h"

struct listener {
	char addr[INET6_ADDRSTRLEN];
	unsigned port;
	double queue;
	double backlog;
	size_t seq; /* order in the dump: listeners are given in the order first seen */
};

struct dump {
	struct listener *v;
	size_t n;
};

/* Add one socket; merge() sums those of one address and port. */
static void add_socket(struct dump *d, const char *addr, unsigned port, double queue,
		       double backlog)
{
	struct listener *l;

	d->v = xgrow(d->v, d->n, sizeof(*d->v));
	l = &d->v[d->n];
	snprintf(l->addr, sizeof(l->addr), "%s", addr);
	l->port = port;
	l->queue = queue;
	l->backlog = backlog;
	l->seq = d->n++;
}

static int by_endpoint(const void *a, const void *b)
{
	const struct listener *x = a, *y = b;
	int c = strcmp(x->addr, y->addr);

	if (c != 0)
		return c;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int by_seq(const void *a, const void *b)
{
	const struct listener *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sum the sockets of one address and port (SO_REUSEPORT) into the first of them. */
static void merge(struct dump *d)
{
	size_t kept = 0;

	qsort(d->v, d->n, sizeof(*d->v), by_endpoint);
	for (size_t i = 0; i < d->n; i++) {
		const struct listener *l = &d->v[i];
		struct listener *last = kept > 0 ? &d->v[kept - 1] : NULL;

		if (last != NULL && last->port == l->port && strcmp(last->addr, l->addr) == 0) {
			last->queue += l->queue;
			last->backlog += l->backlog;
			continue;
		}
		d->v[kept++] = *l;
	}
	d->n = kept;
	qsort(d->v, d->n, sizeof(*d->v), by_seq);
}

static void emit(struct metric_set *set, const struct dump *d)
{
	char port[8];
	struct metric *m;

	for (size_t i = 0; i < d->n; i++) {
		snprintf(port, sizeof(port), "%u", d->v[i].port);
		m = metric_set_add(set, "listen_queue", METRIC_GAUGE, "", d->v[i].queue);
		metric_label_add(m, "address", d->v[i].addr);
		metric_label_add(m, "port", port);
		m = metric_set_add(set, "listen_backlog", METRIC_GAUGE, "", d->v[i].backlog);
		metric_label_add(m, "address", d->v[i].addr);
		metric_label_add(m, "port", port);
	}
}

static int on_message(const struct nlmsghdr *nlh, void *data)
{
	const struct inet_diag_msg *msg = mnl_nlmsg_get_payload(nlh);
	struct dump *d = data;
	char addr[INET6_ADDRSTRLEN];

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*msg) || msg->idiag_state != TCP_LISTEN)
		return MNL_CB_OK;
	if (inet_ntop(msg->idiag_family, msg->id.idiag_src, addr, sizeof(addr)) == NULL)
		return MNL_CB_OK;
	add_socket(d, addr, ntohs(msg->id.idiag_sport), msg->idiag_rqueue, msg->idiag_wqueue);
	return MNL_CB_OK;
}

static int dump_family(struct mnl_socket *nl, int family, struct dump *d, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;
	unsigned seq = (unsigned)time(NULL) + (unsigned)family;
	unsigned portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int r = MNL_CB_OK;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (unsigned char)family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = 1U << TCP_LISTEN;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) == -1) {
		snprintf(err, errlen, "sock_diag request failed: %s", strerror(errno));
		return -1;
	}
	while (r > MNL_CB_STOP) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n == -1) {
			snprintf(err, errlen, "sock_diag read failed: %s", strerror(errno));
			return -1;
		}
		r = mnl_cb_run(buf, (size_t)n, seq, portid, on_message, d);
	}
	if (r == MNL_CB_ERROR) {
		snprintf(err, errlen, "sock_diag dump failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int probe_listen_collect(struct metric_set *set, char *err, size_t errlen)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	struct dump d = {NULL, 0};
	int r;

	if (nl == NULL) {
		snprintf(err, errlen, "cannot open a sock_diag netlink socket: %s",
			 strerror(errno));
		return -1;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == -1) {
		snprintf(err, errlen, "cannot bind the sock_diag socket: %s", strerror(errno));
		mnl_socket_close(nl);
		return -1;
	}
	r = dump_family(nl, AF_INET, &d, err, errlen);
	if (r == 0)
		r = dump_family(nl, AF_INET6, &d, err, errlen);
	mnl_socket_close(nl);
	if (r == 0) {
		merge(&d);
		emit(set, &d);
	}
	free(d.v);
	return r;
}
