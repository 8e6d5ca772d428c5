/*
 * Addresses in vaktd.conf: the agent's listen address, and a collector's
 * HOST:PORT, [IPV6]:PORT or /socket/path (see address.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "address.h"
#include "num.h"

/* Longest value quoted back in a message. */
#define ADDRESS_QUOTE_MAX 80

/* Split "ADDR:PORT" into its parts; the address part is written to host. */
static int listen_split(const char *listen, char *host, size_t hostlen, const char **port,
			bool *bracketed)
{
	const char *colon;
	size_t n;

	*bracketed = listen[0] == '[';
	if (*bracketed) {
		const char *close = strchr(listen, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		n = (size_t)(close - listen - 1);
		colon = close + 1;
		listen++;
	} else {
		colon = strrchr(listen, ':');
		if (colon == NULL)
			return -1;
		n = (size_t)(colon - listen);
	}
	if (n == 0 || n >= hostlen)
		return -1;
	memcpy(host, listen, n);
	host[n] = '\0';
	*port = colon + 1;
	return 0;
}

int address_listen(const char *listen, struct sockaddr_storage *addr, socklen_t *addrlen, char *err,
		   size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port;
	bool bracketed;
	long n;

	memset(addr, 0, sizeof(*addr));
	if (listen_split(listen, host, sizeof(host), &port, &bracketed) != 0) {
		snprintf(err, errlen, "invalid listen address '%.*s' (expected ADDR:PORT)",
			 ADDRESS_QUOTE_MAX, listen);
		return -1;
	}
	if (num_parse_long(port, 1, 65535, &n) != 0) {
		snprintf(err, errlen,
			 "invalid port '%s' in listen address '%s' (expected 1 to 65535)", port,
			 listen);
		return -1;
	}
	if (bracketed || strcmp(host, "*") == 0) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)addr;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)n);
		s6->sin6_addr = in6addr_any;
		if (bracketed && inet_pton(AF_INET6, host, &s6->sin6_addr) != 1) {
			snprintf(err, errlen,
				 "invalid listen address '%s': %s is not an IPv6 address", listen,
				 host);
			return -1;
		}
		*addrlen = sizeof(*s6);
		return 0;
	}
	if (strchr(host, ':') != NULL) {
		snprintf(err, errlen,
			 "invalid listen address '%s' (an IPv6 address goes in brackets: [%s]:%s)",
			 listen, host, port);
		return -1;
	}
	{
		struct sockaddr_in *s4 = (struct sockaddr_in *)addr;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)n);
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1) {
			snprintf(err, errlen,
				 "invalid listen address '%s': %s is not an IPv4 address "
				 "(names are not resolved; use '*' for every address)",
				 listen, host);
			return -1;
		}
		*addrlen = sizeof(*s4);
	}
	return 0;
}

int address_split(const char *addr, char *host, size_t hostlen, long *port, char *err,
		  size_t errlen)
{
	const char *colon, *end;
	bool bracketed;
	size_t len;

	*port = 0;
	if (addr[0] == '/') {
		if (strlen(addr) >= hostlen) {
			snprintf(err, errlen, "socket path %s is too long", addr);
			return -1;
		}
		memcpy(host, addr, strlen(addr) + 1);
		return 0;
	}
	colon = strrchr(addr, ':');
	end = colon;
	bracketed = addr[0] == '[';
	if (bracketed) {
		end = strchr(addr, ']');
		if (end == NULL || end + 1 != colon) {
			snprintf(err, errlen, "invalid address '%s' (expected [IPV6]:PORT)", addr);
			return -1;
		}
		addr++;
	}
	if (colon == NULL || end == addr || num_parse_long(colon + 1, 1, 65535, port) != 0) {
		snprintf(err, errlen,
			 "invalid address '%s' (expected HOST:PORT, [IPV6]:PORT or /socket/path)",
			 addr);
		return -1;
	}
	len = (size_t)(end - addr);
	if (!bracketed && memchr(addr, ':', len) != NULL) {
		snprintf(err, errlen, "invalid address '%s' (write an IPv6 address as [::1]:6379)",
			 addr);
		return -1;
	}
	if (len >= hostlen) {
		snprintf(err, errlen, "host name in '%s' is too long", addr);
		return -1;
	}
	memcpy(host, addr, len);
	host[len] = '\0';
	return 0;
}
