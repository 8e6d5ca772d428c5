/*
 * Addresses in vaktd.conf: the agent's listen address and a collector's
 * address, taken apart the same way wherever they are read.
 */
#ifndef VAKT_ADDRESS_H
#define VAKT_ADDRESS_H

#include <stddef.h>
#include <sys/socket.h>

/*
 * Turn a listen value ("127.0.0.1:9333", "[::1]:9333", "*:9333") into a
 * socket address, by the rules vaktd.conf(5) gives. "*" gives
 * the IPv6 any-address, like "[::]": clear IPV6_V6ONLY on the socket so that
 * IPv4 clients reach it too. Returns 0, or -1 with the reason in err.
 */
int address_listen(const char *listen, struct sockaddr_storage *addr, socklen_t *addrlen, char *err,
		   size_t errlen);
/*
 * Split a collector address ("host:6379", "[::1]:6379", "/run/redis.sock")
 * into host (or socket path) and port (0 for a socket). Returns 0, or -1
 * with the reason in err.
 */
int address_split(const char *addr, char *host, size_t hostlen, long *port, char *err,
		  size_t errlen);

#endif
