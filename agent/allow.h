/*
 * The agent's allow-list (vaktd.conf [agent] allow): client networks, and
 * whether one of them holds a client's address.
 */
#ifndef VAKT_ALLOW_H
#define VAKT_ALLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* A client network for the allow-list: address and prefix length. */
struct allow_net {
	int family;		/* AF_INET or AF_INET6 */
	unsigned char addr[16]; /* network byte order; 4 bytes used for AF_INET */
	unsigned prefix;	/* 0..32 or 0..128 */
};

/* Parse one "ADDR[/PREFIX]" into net; 0, or -1 with the reason in err. */
int allow_parse(const char *s, struct allow_net *net, char *err, size_t errlen);
/*
 * True when the n networks admit the client at sa (AF_INET or AF_INET6):
 * n is 0 or one of them holds the address. An IPv4 client on a dual-stack
 * socket (::ffff:a.b.c.d) matches IPv4 networks.
 */
bool allow_admits(const struct allow_net *nets, size_t n, const struct sockaddr *sa);

#endif
