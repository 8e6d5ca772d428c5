/*
 * agent/allow.c: networks of the allow-list and the addresses they hold.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "allow.h"

static bool admits4(const struct allow_net *nets, size_t n, const char *addr)
{
	struct sockaddr_in s4 = {.sin_family = AF_INET};

	cr_assert_eq(inet_pton(AF_INET, addr, &s4.sin_addr), 1);
	return allow_admits(nets, n, (struct sockaddr *)&s4);
}

static bool admits6(const struct allow_net *nets, size_t n, const char *addr)
{
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};

	cr_assert_eq(inet_pton(AF_INET6, addr, &s6.sin6_addr), 1);
	return allow_admits(nets, n, (struct sockaddr *)&s6);
}

Test(allow, networks_hold_their_addresses_and_no_others)
{
	struct allow_net nets[3];
	char err[256];

	cr_assert_eq(allow_parse("10.0.0.0/8", &nets[0], err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(allow_parse("192.168.1.7", &nets[1], err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(allow_parse("2001:db8::/33", &nets[2], err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(nets[1].prefix, 32, "an address alone is one host");
	cr_expect(admits4(nets, 3, "10.200.3.4"));
	cr_expect(admits4(nets, 3, "192.168.1.7"));
	cr_expect(!admits4(nets, 3, "192.168.1.8"));
	cr_expect(!admits4(nets, 3, "11.0.0.1"));
	cr_expect(admits6(nets, 3, "2001:db8:7fff::1"));
	cr_expect(!admits6(nets, 3, "2001:db8:8000::1"), "past the 33rd bit");
	cr_expect(admits6(nets, 3, "::ffff:10.1.1.1"), "IPv4 on a dual-stack socket");
	cr_expect(admits4(nets, 0, "203.0.113.9"), "no list admits everyone");
}

Test(allow, host_bits_are_cleared_and_bad_networks_said_why)
{
	struct allow_net net;
	char err[256];

	cr_assert_eq(allow_parse("10.1.2.3/16", &net, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(memcmp(net.addr, (unsigned char[]){10, 1, 0, 0}, 4), 0);
	cr_expect_eq(allow_parse("10.0.0.0/33", &net, err, sizeof(err)), -1);
	cr_expect(strstr(err, "0 to 32") != NULL, "%s", err);
	cr_expect_eq(allow_parse("example.com", &net, err, sizeof(err)), -1);
	cr_expect_eq(allow_parse("", &net, err, sizeof(err)), -1);
}
