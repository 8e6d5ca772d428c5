/*
 * /proc/net/netstat parser on recorded and malformed input.
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "probe/netstat.h"
#include "testutil.h"

Test(netstat, recorded)
{
	const char *text = test_data("proc/netstat");
	double v;

	cr_assert_eq(netstat_parse(text, "TcpExt", "ListenOverflows", &v), 0);
	cr_expect_eq(v, 17);
	cr_assert_eq(netstat_parse(text, "TcpExt", "ListenDrops", &v), 0);
	cr_expect_eq(v, 23);
	cr_expect_eq(netstat_parse(text, "TcpExt", "SyncookiesSent", &v), 0);
	cr_expect_eq(netstat_parse(text, "IpExt", "InOctets", &v), 0);
}

Test(netstat, missing_names_and_groups)
{
	const char *text = test_data("proc/netstat");
	double v;

	cr_expect_eq(netstat_parse(text, "TcpExt", "NoSuchCounter", &v), -1);
	cr_expect_eq(netstat_parse(text, "TcpExt", "Listen", &v), -1, "prefix is not a name");
	cr_expect_eq(netstat_parse(text, "UdpExt", "ListenDrops", &v), -1);
}

Test(netstat, malformed)
{
	double v;

	cr_expect_eq(netstat_parse("", "TcpExt", "A", &v), -1);
	cr_expect_eq(netstat_parse("TcpExt: A B\n", "TcpExt", "A", &v), -1, "no value line");
	cr_expect_eq(netstat_parse("TcpExt: A B\nTcpExt: 1\n", "TcpExt", "B", &v), -1);
	cr_expect_eq(netstat_parse("TcpExt: A B\nIpExt: 1 2\n", "TcpExt", "A", &v), -1);
	cr_expect_eq(netstat_parse("TcpExt: A B\nTcpExt: 1 x\n", "TcpExt", "B", &v), -1);
	cr_expect_eq(netstat_parse("TcpExt: A B\nTcpExt: 1 2\n", "TcpExt", "B", &v), 0);
	cr_expect_eq(v, 2);
}

Test(probe_netstat, live)
{
	struct metric_set *set = metric_set_new();
	char err[256];
	const struct metric *m;

	cr_assert_eq(probe_netstat_collect(set, err, sizeof(err)), 0, "%s", err);
	m = metric_set_find(set, "listen_overflows", NULL, NULL);
	cr_assert_not_null(m);
	cr_expect_eq(m->kind, METRIC_COUNTER);
	metric_set_free(set);
}
