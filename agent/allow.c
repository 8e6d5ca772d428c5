/* The agent's allow-list: client networks, and whether one holds an address (see allow.h). */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "allow.h"
#include "num.h"

/* Longest value quoted back in a message. */
#define ALLOW_QUOTE_MAX 80

/* Clear the host bits of a network address past prefix. */
static void net_mask(unsigned char *addr, size_t len, unsigned prefix)
{
	for (size_t i = 0; i < len; i++) {
		if (prefix >= 8 * (i + 1))
			continue;
		if (prefix <= 8 * i)
			addr[i] = 0;
		else
			addr[i] &= (unsigned char)(0xff << (8 - (prefix - 8 * i)));
	}
}

int allow_parse(const char *s, struct allow_net *net, char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t n = slash == NULL ? strlen(s) : (size_t)(slash - s);
	long max, prefix;

	memset(net, 0, sizeof(*net));
	if (n == 0 || n >= sizeof(addr)) {
		snprintf(err, errlen, "invalid network '%.*s' in allow", ALLOW_QUOTE_MAX, s);
		return -1;
	}
	memcpy(addr, s, n);
	addr[n] = '\0';
	net->family = strchr(addr, ':') != NULL ? AF_INET6 : AF_INET;
	max = net->family == AF_INET6 ? 128 : 32;
	if (inet_pton(net->family, addr, net->addr) != 1) {
		snprintf(err, errlen, "invalid network '%s' in allow: %s is not an %s address", s,
			 addr, net->family == AF_INET6 ? "IPv6" : "IPv4");
		return -1;
	}
	prefix = max;
	if (slash != NULL && num_parse_long(slash + 1, 0, max, &prefix) != 0) {
		snprintf(err, errlen,
			 "invalid prefix length in allow network '%s' (0 to %ld for %s)", s, max,
			 net->family == AF_INET6 ? "IPv6" : "IPv4");
		return -1;
	}
	net->prefix = (unsigned)prefix;
	net_mask(net->addr, net->family == AF_INET6 ? 16 : 4, net->prefix);
	return 0;
}

static bool net_contains(const struct allow_net *net, const unsigned char *addr)
{
	size_t full = net->prefix / 8;
	unsigned rest = net->prefix % 8;
	unsigned char mask;

	if (memcmp(net->addr, addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xff << (8 - rest));
	return (addr[full] & mask) == net->addr[full];
}

bool allow_admits(const struct allow_net *nets, size_t n, const struct sockaddr *sa)
{
	const unsigned char *v4 = NULL, *v6 = NULL;

	if (n == 0)
		return true;
	if (sa->sa_family == AF_INET) {
		v4 = (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)
			 ->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

		v6 = a->s6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a))
			v4 = a->s6_addr + 12;
	}
	for (size_t i = 0; i < n; i++) {
		const struct allow_net *net = &nets[i];

		if (net->family == AF_INET && v4 != NULL && net_contains(net, v4))
			return true;
		if (net->family == AF_INET6 && v6 != NULL && net_contains(net, v6))
			return true;
	}
	return false;
}
