/*
 * agent/address.c: the listen address and a collector's address.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "address.h"

Test(address, a_listen_address_of_each_family)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	char err[256];

	cr_assert_eq(address_listen("10.1.2.3:80", &ss, &len, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(s4->sin_family, AF_INET);
	cr_expect_eq(ntohl(s4->sin_addr.s_addr), 0x0a010203);
	cr_assert_eq(address_listen("[::]:443", &ss, &len, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(s6->sin6_family, AF_INET6);
	cr_expect(IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr));
	cr_expect_eq(ntohs(s6->sin6_port), 443);
	cr_expect_eq(address_listen("localhost:80", &ss, &len, err, sizeof(err)), -1);
	cr_expect(strstr(err, "names are not resolved") != NULL, "%s", err);
	cr_expect_eq(address_listen("::1:80", &ss, &len, err, sizeof(err)), -1);
	cr_expect(strstr(err, "[::1]:80") != NULL, "%s", err);
	cr_expect_eq(address_listen("127.0.0.1:0", &ss, &len, err, sizeof(err)), -1);
	cr_expect_eq(address_listen("127.0.0.1", &ss, &len, err, sizeof(err)), -1);
}

Test(address, a_collector_address_in_its_three_forms)
{
	char host[256], err[256];
	long port;

	cr_assert_eq(address_split("127.0.0.1:6379", host, sizeof(host), &port, err, sizeof(err)),
		     0);
	cr_assert_str_eq(host, "127.0.0.1");
	cr_assert_eq(port, 6379);
	cr_assert_eq(address_split("[::1]:6380", host, sizeof(host), &port, err, sizeof(err)), 0);
	cr_assert_str_eq(host, "::1");
	cr_assert_eq(port, 6380);
	cr_assert_eq(address_split("/run/redis.sock", host, sizeof(host), &port, err, sizeof(err)),
		     0);
	cr_assert_str_eq(host, "/run/redis.sock");
	cr_assert_eq(port, 0);
	cr_assert_eq(address_split("::1", host, sizeof(host), &port, err, sizeof(err)), -1);
	cr_assert_eq(address_split("::1:6379", host, sizeof(host), &port, err, sizeof(err)), -1);
	cr_assert(strstr(err, "[::1]:6379") != NULL, "%s", err);
	cr_assert_eq(address_split("redis", host, sizeof(host), &port, err, sizeof(err)), -1);
	cr_assert_eq(address_split("redis:0", host, sizeof(host), &port, err, sizeof(err)), -1);
}
