/*
 * vaktd.conf: the defaults, every key, every error with its line, and the
 * checks on secret files.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* By path: a plain "config.h" would find autoconf's in the build tree. */
#include "address.h"
#include "collector.h"
#include "conf.h"
#include "testutil.h" /* TEST_DATA_DIR */
#include "xalloc.h"

static struct config *parse_ok(const char *text)
{
	char *errors = NULL;
	struct config *c = config_parse(text, "vaktd.conf", &errors);

	cr_assert_not_null(c, "rejected:\n%s---\n%s", text,
			   errors == NULL ? "(no errors)" : errors);
	cr_assert_null(errors);
	return c;
}

/* The error text for a file that must be rejected; the caller frees it. */
static char *parse_err(const char *text)
{
	char *errors = NULL;
	struct config *c = config_parse(text, "vaktd.conf", &errors);

	cr_assert_null(c, "accepted:\n%s", text);
	cr_assert_not_null(errors);
	config_free(c);
	return errors;
}

/* Reject text with exactly these error lines. */
static void expect_errors(const char *text, const char *expected)
{
	char *errors = parse_err(text);

	cr_expect_str_eq(errors, expected, "for:\n%s", text);
	free(errors);
}

/* A temporary file with content and mode; the caller unlinks and frees the path. */
static char *temp_file(const char *content, mode_t mode)
{
	char *path = xstrdup("/tmp/vakt-config-XXXXXX");
	int fd = mkstemp(path);
	size_t len = strlen(content);

	cr_assert_neq(fd, -1);
	cr_assert_eq(write(fd, content, len), (ssize_t)len);
	close(fd);
	cr_assert_eq(chmod(path, mode), 0);
	return path;
}

static void remove_temp(char *path)
{
	unlink(path);
	free(path);
}

/* Skip the test when this vaktd was built without the collector kind. */
static void need_kind(const char *kind)
{
	const struct collector_kind *k = collector_find(kind);

	cr_assert_not_null(k, "no kind %s", kind);
	if (k->missing != NULL)
		cr_skip_test("[%s]: %s", kind, k->missing);
}

static const struct config_collector *find(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->ncollectors; i++)
		if (strcmp(c->collectors[i].name, name) == 0)
			return &c->collectors[i];
	return NULL;
}

/* The value of key in cc's section as text, NULL when not set: the one view of a kind's settings.
 */
static const char *value(const struct config_collector *cc, const char *key)
{
	static char buf[256];

	return config_value(cc, key, buf, sizeof(buf));
}

static void expect_builtin_defaults(const struct config *c)
{
	static const char *const kinds[] = {"load", "fds", "listen"};

	cr_expect_str_eq(c->listen, CONFIG_DEFAULT_LISTEN);
	cr_expect_str_eq(c->listen, "127.0.0.1:9333");
	cr_expect_null(c->token_file);
	cr_expect_null(c->tls_cert);
	cr_expect_null(c->tls_key);
	cr_expect_null(c->user);
	cr_expect_eq(c->nallow, 0);
	cr_expect_eq(c->max_connections, 128);
	cr_expect_eq(c->max_per_client, 32);
	cr_expect_eq(c->connection_timeout, 10);
	cr_expect_eq(c->max_answer_size, 32 * 1024 * 1024);
	cr_expect_eq(c->interval, 15);
	cr_expect_eq(c->timeout, 5);
	cr_expect(!c->snmp.enabled);
	cr_expect_str_eq(c->snmp.agentx_socket, "/var/agentx/master");
	cr_expect_str_eq(c->snmp.base_oid, ".1.3.6.1.4.1.8072.9999.9999.5638");
	cr_expect_eq(c->snmp.ping_interval, 15);
	cr_expect(!c->snmp.notifications);
	cr_assert_eq(c->ncollectors, 3);
	for (size_t i = 0; i < 3; i++) {
		const struct config_collector *cc = &c->collectors[i];

		cr_expect_str_eq(cc->kind, kinds[i]);
		cr_expect_str_eq(cc->name, kinds[i]);
		cr_expect_eq(cc->interval, 15);
		cr_expect_eq(cc->timeout, 5);
		cr_expect_null(value(cc, "pressure"));
		cr_expect_null(cc->where, "a collector of this host");
	}
}

Test(config, defaults)
{
	struct config *c = config_default();

	cr_assert_not_null(c);
	expect_builtin_defaults(c);
	config_free(c);
	config_free(NULL);
}

Test(config, empty_and_comment_only_files_are_the_defaults)
{
	struct config *c = parse_ok("");

	expect_builtin_defaults(c);
	config_free(c);
	c = parse_ok(
	    "# vaktd\n\n; nothing here\n   \t\n  # indented comment\n[agent]\n[collect]\n");
	expect_builtin_defaults(c);
	config_free(c);
}

/* What users write: comments after values and headers, as in the README. */
Test(config, comment_rule)
{
	struct config *c = parse_ok("[agent]   # how the agent serves\n"
				    "listen = 127.0.0.1:9333       # *:9333 for every address\n"
				    "allow = 127.0.0.0/8, ::1/128\t; loopback only\n"
				    "user = va#kt;x # a '#' or ';' inside a word stays\n"
				    "[process nginx]               # every nginx\n"
				    "[collect] ; defaults\n"
				    "interval = 15 # seconds\n"
				    "timeout = 5\t#\n");

	cr_expect_str_eq(c->listen, "127.0.0.1:9333");
	cr_expect_eq(c->nallow, 2);
	cr_expect_str_eq(c->user, "va#kt;x");
	cr_expect_eq(c->interval, 15);
	cr_expect_eq(c->timeout, 5);
	cr_expect_not_null(find(c, "process nginx"));
	config_free(c);
}

Test(config, every_agent_key)
{
	char *token = temp_file("secret\n", 0600);
	char *cert = temp_file("cert\n", 0644);
	char *key = temp_file("key\n", 0400);
	char *text = xasprintf("[agent]\n"
			       "listen = 0.0.0.0:9400\n"
			       "token_file = %s\n"
			       "tls_cert = %s\n"
			       "tls_key = %s\n"
			       "allow = 10.0.0.0/8, ::1\n"
			       "max_connections = 100\n"
			       "max_connections_per_client = 100\n"
			       "connection_timeout = 3600\n"
			       "max_answer_size = 1G\n"
			       "user = vakt\n",
			       token, cert, key);
	struct config *c = parse_ok(text);

	cr_expect_str_eq(c->listen, "0.0.0.0:9400");
	cr_expect_str_eq(c->token_file, token);
	cr_expect_str_eq(c->tls_cert, cert);
	cr_expect_str_eq(c->tls_key, key);
	cr_assert_eq(c->nallow, 2);
	cr_expect_eq(c->allow[0].family, AF_INET);
	cr_expect_eq(c->allow[0].prefix, 8);
	cr_expect_eq(c->allow[1].family, AF_INET6);
	cr_expect_eq(c->allow[1].prefix, 128);
	cr_expect_eq(c->max_connections, 100);
	cr_expect_eq(c->max_per_client, 100);
	cr_expect_eq(c->connection_timeout, 3600);
	cr_expect_eq(c->max_answer_size, 1024 * 1024 * 1024);
	cr_expect_str_eq(c->user, "vakt");
	cr_expect_eq(c->ncollectors, 3, "[agent] leaves the collectors alone");
	config_free(c);
	free(text);
	remove_temp(token);
	remove_temp(cert);
	remove_temp(key);
}

Test(config, max_answer_size_in_bytes_or_units)
{
	struct config *c = parse_ok("[agent]\nmax_answer_size = 65536\n");

	cr_expect_eq(c->max_answer_size, 65536);
	config_free(c);
	c = parse_ok("[agent]\nmax_answer_size = 100K\n");
	cr_expect_eq(c->max_answer_size, 102400);
	config_free(c);
	c = parse_ok("[agent]\nmax_answer_size = 64M\n");
	cr_expect_eq(c->max_answer_size, 64 * 1024 * 1024);
	config_free(c);
}

Test(config, collect_and_collector_keys)
{
	struct config *c = parse_ok("[collect]\n"
				    "interval = 30\n"
				    "timeout = 2.5\n"
				    "[load]\n"
				    "pressure = cpu, memory\n"
				    "interval = 5\n"
				    "enabled = yes\n"
				    "[fds]\n"
				    "timeout = 10\n"
				    "[listen]\n"
				    "interval = 0.5\n");
	const struct config_collector *load = find(c, "load"), *fds = find(c, "fds"),
				      *listen = find(c, "listen");

	cr_expect_eq(c->interval, 30);
	cr_expect_eq(c->timeout, 2.5);
	cr_assert_not_null(load);
	cr_expect_eq(load->interval, 5);
	cr_expect_eq(load->timeout, 2.5);
	cr_expect_str_eq(value(load, "pressure"), "cpu, memory");
	cr_assert_not_null(fds);
	cr_expect_eq(fds->interval, 30);
	cr_expect_eq(fds->timeout, 10);
	cr_assert_not_null(listen);
	cr_expect_eq(listen->interval, 0.5);
	cr_expect_eq(listen->timeout, 0.5, "an inherited timeout yields to a shorter interval");
	config_free(c);
}

Test(config, all_pressures_and_spacing)
{
	struct config *c = parse_ok("  [ load ]  \r\n\tpressure=io,cpu ,  memory,io\r\n");

	cr_expect_str_eq(value(&c->collectors[0], "pressure"), "cpu, io, memory");
	config_free(c);
}

Test(config, booleans)
{
	static const char *const on[] = {"yes", "true", "on", "1", "YES", "True"};
	static const char *const off[] = {"no", "false", "off", "0", "No", "OFF"};

	for (size_t i = 0; i < sizeof(on) / sizeof(on[0]); i++) {
		char *t1 = xasprintf("[fds]\nenabled = %s\n", on[i]);
		char *t2 = xasprintf("[fds]\nenabled = %s\n", off[i]);
		struct config *c1 = parse_ok(t1), *c2 = parse_ok(t2);

		cr_expect_not_null(find(c1, "fds"), "%s", on[i]);
		cr_expect_null(find(c2, "fds"), "%s", off[i]);
		config_free(c1);
		config_free(c2);
		free(t1);
		free(t2);
	}
}

Test(config, enabled_no_removes_a_collector)
{
	struct config *c = parse_ok("[load]\nenabled = no\n[listen]\nenabled = off\n");

	cr_assert_eq(c->ncollectors, 1);
	cr_expect_str_eq(c->collectors[0].name, "fds");
	config_free(c);
	c = parse_ok("[process a]\nenabled = no\n[process b]\n");
	cr_assert_eq(c->ncollectors, 4);
	cr_expect_null(find(c, "process a"));
	cr_expect_not_null(find(c, "process b"));
	config_free(c);
}

Test(config, process_sections)
{
	struct config *c = parse_ok("[process nginx]\n"
				    "[process db]\n"
				    "name = postgres\n"
				    "interval = 60\n"
				    "timeout = 20\n"
				    "[process sshd.main]\n"
				    "pidfile = /run/sshd.pid\n");
	const struct config_collector *cc;

	cr_assert_eq(c->ncollectors, 6);
	cr_expect_str_eq(c->collectors[3].name, "process nginx", "file order after the built-ins");
	cr_expect_str_eq(c->collectors[4].name, "process db");
	cr_expect_str_eq(c->collectors[5].name, "process sshd.main");
	cc = &c->collectors[3];
	cr_expect_str_eq(cc->kind, "process");
	cr_expect_str_eq(value(cc, "name"), "nginx", "name defaults to the section's name");
	cr_expect_null(value(cc, "pidfile"));
	cr_expect_eq(cc->interval, 15);
	cr_expect_eq(cc->timeout, 5);
	cc = &c->collectors[4];
	cr_expect_str_eq(value(cc, "name"), "postgres");
	cr_expect_eq(cc->interval, 60);
	cr_expect_eq(cc->timeout, 20);
	cc = &c->collectors[5];
	cr_expect_null(value(cc, "name"), "a pidfile replaces the name");
	cr_expect_str_eq(value(cc, "pidfile"), "/run/sshd.pid");
	config_free(c);
}

/* [collect] applies to every collector wherever it stands in the file. */
Test(config, collect_section_order_does_not_matter)
{
	const char *before = "[collect]\ninterval = 60\ntimeout = 30\n"
			     "[load]\ninterval = 40\n[process x]\ntimeout = 3\n";
	const char *after = "[load]\ninterval = 40\n[process x]\ntimeout = 3\n"
			    "[collect]\ninterval = 60\ntimeout = 30\n";
	struct config *a = parse_ok(before), *b = parse_ok(after);

	cr_assert_eq(a->ncollectors, b->ncollectors);
	for (size_t i = 0; i < a->ncollectors; i++) {
		cr_expect_str_eq(a->collectors[i].name, b->collectors[i].name);
		cr_expect_eq(a->collectors[i].interval, b->collectors[i].interval, "%s",
			     a->collectors[i].name);
		cr_expect_eq(a->collectors[i].timeout, b->collectors[i].timeout, "%s",
			     a->collectors[i].name);
	}
	cr_expect_eq(find(b, "load")->interval, 40);
	cr_expect_eq(find(b, "load")->timeout, 30);
	cr_expect_eq(find(b, "fds")->interval, 60);
	cr_expect_eq(find(b, "fds")->timeout, 30);
	cr_expect_eq(find(b, "process x")->interval, 60);
	cr_expect_eq(find(b, "process x")->timeout, 3);
	config_free(a);
	config_free(b);
}

Test(config, timeouts_against_intervals)
{
	struct config *c = parse_ok("[collect]\ninterval = 2\n");

	cr_expect_eq(c->timeout, 2, "the default timeout yields to a shorter interval");
	cr_expect_eq(c->collectors[0].timeout, 2);
	config_free(c);
	c = parse_ok("[collect]\ntimeout = 15\n");
	cr_expect_eq(c->timeout, 15, "equal to the interval is fine");
	config_free(c);
	expect_errors("[collect]\ntimeout = 20\n",
		      "vaktd.conf:2: timeout 20 is longer than the interval 15 in [collect]\n");
	expect_errors("[load]\ntimeout = 20\n[collect]\ninterval = 10\n",
		      "vaktd.conf:2: timeout 20 is longer than the interval 10 of [load]\n");
	expect_errors("[process x]\ninterval = 1\ntimeout = 1.5\n",
		      "vaktd.conf:3: timeout 1.5 is longer than the interval 1 of [process x]\n");
}

Test(config, connection_limits)
{
	struct config *c = parse_ok("[agent]\nmax_connections = 4\n");

	cr_expect_eq(c->max_per_client, 4, "the default per-client limit yields to a lower total");
	config_free(c);
	c = parse_ok("[agent]\nmax_connections = 10000\nmax_connections_per_client = 10000\n");
	cr_expect_eq(c->max_connections, 10000);
	cr_expect_eq(c->max_per_client, 10000);
	config_free(c);
	expect_errors(
	    "[agent]\nmax_connections_per_client = 10\nmax_connections = 4\n",
	    "vaktd.conf:2: max_connections_per_client 10 is more than max_connections 4\n");
}

Test(config, ipv4_and_ipv6_listen)
{
	static const char *const good[] = {"127.0.0.1:9333", "[::1]:9333",    "*:9333",
					   "[::]:1",	     "0.0.0.0:65535", "[2001:db8::7]:80"};
	struct sockaddr_storage ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	socklen_t len;
	char err[256];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char *text = xasprintf("[agent]\nlisten = %s\n", good[i]);
		struct config *c = parse_ok(text);

		cr_expect_str_eq(c->listen, good[i]);
		config_free(c);
		free(text);
	}
	cr_assert_eq(address_listen("[::1]:9333", &ss, &len, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(s6->sin6_family, AF_INET6);
	cr_expect_eq(len, sizeof(*s6));
	cr_expect_eq(ntohs(s6->sin6_port), 9333);
	cr_expect(IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr));
	cr_assert_eq(address_listen("*:80", &ss, &len, err, sizeof(err)), 0);
	cr_expect_eq(s6->sin6_family, AF_INET6);
	cr_expect(IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr));
	cr_expect_eq(ntohs(s6->sin6_port), 80);
	cr_assert_eq(address_listen("127.0.0.1:9333", &ss, &len, err, sizeof(err)), 0);
	cr_expect_eq(s4->sin_family, AF_INET);
	cr_expect_eq(len, sizeof(*s4));
	cr_expect_eq(ntohl(s4->sin_addr.s_addr), 0x7f000001);
	cr_expect_eq(ntohs(s4->sin_port), 9333);
}

Test(config, bad_listen_addresses)
{
	expect_errors("[agent]\n\nlisten = 127.0.0.1\n",
		      "vaktd.conf:3: invalid listen address '127.0.0.1' (expected ADDR:PORT)\n");
	expect_errors("[agent]\nlisten = 127.0.0.1:0\n",
		      "vaktd.conf:2: invalid port '0' in listen address '127.0.0.1:0' "
		      "(expected 1 to 65535)\n");
	expect_errors("[agent]\nlisten = [::1]:65536\n",
		      "vaktd.conf:2: invalid port '65536' in listen address '[::1]:65536' "
		      "(expected 1 to 65535)\n");
	expect_errors("[agent]\nlisten = ::1:9333\n",
		      "vaktd.conf:2: invalid listen address '::1:9333' (an IPv6 address goes in "
		      "brackets: [::1]:9333)\n");
	expect_errors("[agent]\nlisten = localhost:9333\n",
		      "vaktd.conf:2: invalid listen address 'localhost:9333': localhost is not an "
		      "IPv4 address (names are not resolved; use '*' for every address)\n");
	expect_errors("[agent]\nlisten = [1.2.3.4]:80\n",
		      "vaktd.conf:2: invalid listen address '[1.2.3.4]:80': 1.2.3.4 is not an IPv6 "
		      "address\n");
	expect_errors("[agent]\nlisten = [::1]9333\n",
		      "vaktd.conf:2: invalid listen address '[::1]9333' (expected ADDR:PORT)\n");
	expect_errors("[agent]\nlisten = :9333\n",
		      "vaktd.conf:2: invalid listen address ':9333' (expected ADDR:PORT)\n");
}

static void expect_net(const struct allow_net *n, int family, const char *addr, unsigned prefix)
{
	unsigned char want[16] = {0};

	cr_assert_eq(inet_pton(family, addr, want), 1);
	cr_expect_eq(n->family, family);
	cr_expect_eq(n->prefix, prefix);
	cr_expect_arr_eq(n->addr, want, family == AF_INET ? 4 : 16, "expected %s/%u", addr, prefix);
}

Test(config, allow_networks_are_masked)
{
	struct config *c = parse_ok("[agent]\nallow = 10.1.2.3/8, 192.168.1.77/27,"
				    "2001:db8:ff::1/32,::1,203.0.113.9,0.0.0.0/0,fe80::1/127\n");

	cr_assert_eq(c->nallow, 7);
	expect_net(&c->allow[0], AF_INET, "10.0.0.0", 8);
	expect_net(&c->allow[1], AF_INET, "192.168.1.64", 27);
	expect_net(&c->allow[2], AF_INET6, "2001:db8::", 32);
	expect_net(&c->allow[3], AF_INET6, "::1", 128);
	expect_net(&c->allow[4], AF_INET, "203.0.113.9", 32);
	expect_net(&c->allow[5], AF_INET, "0.0.0.0", 0);
	expect_net(&c->allow[6], AF_INET6, "fe80::", 127);
	config_free(c);
}

static bool allows(const struct config *c, const char *addr)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;

	memset(&s4, 0, sizeof(s4));
	memset(&s6, 0, sizeof(s6));
	if (inet_pton(AF_INET, addr, &s4.sin_addr) == 1) {
		s4.sin_family = AF_INET;
		return allow_admits(c->allow, c->nallow, (struct sockaddr *)&s4);
	}
	cr_assert_eq(inet_pton(AF_INET6, addr, &s6.sin6_addr), 1, "%s", addr);
	s6.sin6_family = AF_INET6;
	return allow_admits(c->allow, c->nallow, (struct sockaddr *)&s6);
}

Test(config, allow_matches_clients)
{
	struct config *c = config_default();

	cr_expect(allows(c, "198.51.100.1"), "no allow-list: everyone");
	config_free(c);
	c = parse_ok("[agent]\nallow = 10.0.0.0/8, 192.168.1.64/27, 2001:db8::/32\n");
	cr_expect(allows(c, "10.255.0.1"));
	cr_expect(!allows(c, "11.0.0.1"));
	cr_expect(allows(c, "192.168.1.64"));
	cr_expect(allows(c, "192.168.1.95"));
	cr_expect(!allows(c, "192.168.1.96"));
	cr_expect(!allows(c, "192.168.1.63"));
	cr_expect(allows(c, "2001:db8:1::5"));
	cr_expect(!allows(c, "2001:db9::5"));
	cr_expect(allows(c, "::ffff:10.1.2.3"), "IPv4 clients of a dual-stack socket");
	cr_expect(!allows(c, "::ffff:11.1.2.3"));
	cr_expect(!allows(c, "::1"));
	config_free(c);
}

Test(config, bad_allow_networks_each_reported)
{
	expect_errors(
	    "[agent]\nallow = 10.0.0.0/33, ::/129, 10.0.0.0/-1, 10.0.0/8, , x::y, 1.2.3.4/\n",
	    "vaktd.conf:2: invalid prefix length in allow network '10.0.0.0/33' (0 to 32 for "
	    "IPv4)\n"
	    "vaktd.conf:2: invalid prefix length in allow network '::/129' (0 to 128 for IPv6)\n"
	    "vaktd.conf:2: invalid prefix length in allow network '10.0.0.0/-1' (0 to 32 for "
	    "IPv4)\n"
	    "vaktd.conf:2: invalid network '10.0.0/8' in allow: 10.0.0 is not an IPv4 address\n"
	    "vaktd.conf:2: empty network in allow list\n"
	    "vaktd.conf:2: invalid network 'x::y' in allow: x::y is not an IPv6 address\n"
	    "vaktd.conf:2: invalid prefix length in allow network '1.2.3.4/' (0 to 32 for IPv4)\n");
}

Test(config, syntax_errors)
{
	expect_errors("interval = 5\n", "vaktd.conf:1: key outside any section\n");
	expect_errors(
	    "[load]\nthis is not a setting\n",
	    "vaktd.conf:2: 'this is not a setting' is neither a [section] header nor key = "
	    "value\n");
	expect_errors("[load]\n= 5\n",
		      "vaktd.conf:2: '= 5' is neither a [section] header nor key = value\n");
	expect_errors("[load\n", "vaktd.conf:1: section header '[load' lacks its closing ']'\n");
	expect_errors("[load] interval = 5\n",
		      "vaktd.conf:1: unexpected 'interval = 5' after the section header [load] (a "
		      "comment starts with # or ; after a space)\n");
	expect_errors("[load]# no space\n",
		      "vaktd.conf:1: unexpected '# no space' after the section header [load] (a "
		      "comment starts with # or ; after a space)\n");
	expect_errors("[ ]\n", "vaktd.conf:1: empty section name []\n");
	expect_errors("[load]\n# a comment\nintervall = 5\n",
		      "vaktd.conf:3: unknown key 'intervall' in [load]\n");
	expect_errors("[fds]\npressure = cpu\n", "vaktd.conf:2: unknown key 'pressure' in [fds]\n");
	expect_errors("[agent]\ninterval = 5\n",
		      "vaktd.conf:2: unknown key 'interval' in [agent]\n");
	expect_errors("[collect]\nenabled = no\n",
		      "vaktd.conf:2: unknown key 'enabled' in [collect]\n");
	expect_errors("[load]\nname = x\n", "vaktd.conf:2: unknown key 'name' in [load]\n");
	expect_errors("[load]\ninterval =\n", "vaktd.conf:2: no value for 'interval'\n");
}

Test(config, section_errors)
{
	expect_errors("[loads]\ninterval = 5\n", "vaktd.conf:1: unknown section [loads]\n");
	expect_errors("[disk sda]\n", "vaktd.conf:1: unknown section [disk sda]\n");
	expect_errors("[load x]\n", "vaktd.conf:1: section [load] takes no name\n");
	expect_errors("[process]\n",
		      "vaktd.conf:1: section [process] needs a name: [process NAME]\n");
	expect_errors("[process my app]\n",
		      "vaktd.conf:1: invalid name 'my app' in [process] (letters, digits, '_', '.' "
		      "and '-' only)\n");
	expect_errors("[process nginx]\n\n\n[process nginx]\n[load]\n[agent]\n[load]\n",
		      "vaktd.conf:4: duplicate section [process nginx] (first at line 1)\n"
		      "vaktd.conf:7: duplicate section [load] (first at line 5)\n");
	expect_errors("[load]\ninterval = 5\ntimeout = 1\ninterval = 6\n",
		      "vaktd.conf:4: duplicate key 'interval' in [load] (first at line 2)\n");
	/* The same key in two sections is no duplicate. */
	config_free(parse_ok("[load]\ninterval = 5\n[fds]\ninterval = 5\n"));
}

Test(config, keys_under_a_bad_header_are_not_reported_again)
{
	expect_errors("[nope]\nfoo = 1\nbar = 2\n[load]\ninterval = 1\n[load]\nbaz = 3\n",
		      "vaktd.conf:1: unknown section [nope]\n"
		      "vaktd.conf:6: duplicate section [load] (first at line 4)\n");
}

Test(config, value_errors_give_the_range)
{
	expect_errors("[agent]\nmax_connections = 0\n",
		      "vaktd.conf:2: max_connections 0 is out of range (1 to 10000)\n");
	expect_errors("[agent]\nmax_connections = 10001\n",
		      "vaktd.conf:2: max_connections 10001 is out of range (1 to 10000)\n");
	expect_errors(
	    "[agent]\nmax_connections = many\n",
	    "vaktd.conf:2: invalid max_connections 'many' (expected a whole number from 1 to "
	    "10000)\n");
	expect_errors("[agent]\nmax_connections_per_client = 0\n",
		      "vaktd.conf:2: max_connections_per_client 0 is out of range (1 to 10000)\n");
	expect_errors("[agent]\nmax_answer_size = 63K\n",
		      "vaktd.conf:2: max_answer_size 63K is out of range (64K to 1024M)\n");
	expect_errors("[agent]\nmax_answer_size = 1025M\n",
		      "vaktd.conf:2: max_answer_size 1025M is out of range (64K to 1024M)\n");
	expect_errors("[agent]\nmax_answer_size = 64 MiB\n",
		      "vaktd.conf:2: invalid max_answer_size '64 MiB' (expected bytes, like "
		      "67108864 or 64M)\n");
	expect_errors("[agent]\nmax_answer_size = M\n",
		      "vaktd.conf:2: invalid max_answer_size 'M' (expected bytes, like 67108864 or "
		      "64M)\n");
	expect_errors(
	    "[agent]\nmax_answer_size = -1\n",
	    "vaktd.conf:2: invalid max_answer_size '-1' (expected bytes, like 67108864 or "
	    "64M)\n");
	expect_errors("[agent]\nconnection_timeout = 3601\n",
		      "vaktd.conf:2: connection_timeout 3601 is out of range (1 to 3600)\n");
	expect_errors(
	    "[agent]\nconnection_timeout = 1.5\n",
	    "vaktd.conf:2: invalid connection_timeout '1.5' (expected a whole number from 1 "
	    "to 3600)\n");
	expect_errors(
	    "[collect]\ninterval = 0\n",
	    "vaktd.conf:2: interval 0 is out of range (more than 0, at most 86400 seconds)\n");
	expect_errors("[load]\ninterval = 86400.5\n",
		      "vaktd.conf:2: interval 86400.5 is out of range (more than 0, at most 86400 "
		      "seconds)\n");
	expect_errors(
	    "[collect]\ntimeout = -1\n",
	    "vaktd.conf:2: timeout -1 is out of range (more than 0, at most 86400 seconds)\n");
	expect_errors("[collect]\ninterval = 15s\n",
		      "vaktd.conf:2: invalid interval '15s' (expected seconds, like 15 or 0.5)\n");
	/* A '#' inside a word is the value's, not a comment. */
	expect_errors("[collect]\ninterval = 15#seconds\n",
		      "vaktd.conf:2: invalid interval '15#seconds' (expected seconds, like 15 or "
		      "0.5)\n");
	expect_errors("[fds]\nenabled = maybe\n",
		      "vaktd.conf:2: invalid enabled 'maybe' (expected yes or no)\n");
	expect_errors(
	    "[load]\npressure = cpu, disk\n",
	    "vaktd.conf:2: invalid pressure 'disk' (expected cpu, io, memory or a list of "
	    "them)\n");
	config_free(parse_ok("[collect]\ninterval = 86400\ntimeout = 86400\n"));
}

Test(config, process_errors)
{
	expect_errors("[process x]\nname = x\npidfile = /run/x.pid\n",
		      "vaktd.conf:3: name and pidfile exclude each other (name at line 2)\n");
	expect_errors("[process x]\npidfile = /run/x.pid\nname = x\n",
		      "vaktd.conf:3: name and pidfile exclude each other (pidfile at line 2)\n");
	expect_errors("[process x]\npidfile = run/x.pid\n",
		      "vaktd.conf:2: pidfile run/x.pid is not an absolute path\n");
}

Test(config, tls_needs_both_files)
{
	char *cert = temp_file("cert\n", 0644);
	char *key = temp_file("key\n", 0600);
	char *t1 = xasprintf("[agent]\ntls_cert = %s\n", cert);
	char *t2 = xasprintf("[agent]\n\ntls_key = %s\n", key);
	char *e1 =
	    xasprintf("vaktd.conf:2: tls_cert is set but tls_key is not; give both or neither\n");
	char *e2 =
	    xasprintf("vaktd.conf:3: tls_key is set but tls_cert is not; give both or neither\n");

	expect_errors(t1, e1);
	expect_errors(t2, e2);
	free(t1);
	free(t2);
	free(e1);
	free(e2);
	remove_temp(cert);
	remove_temp(key);
}

Test(config, refuses_secret_files_others_can_read)
{
	char *open_token = temp_file("secret\n", 0644);
	char *group_token = temp_file("secret\n", 0640);
	char *writable_key = temp_file("key\n", 0602);
	char *cert = temp_file("cert\n", 0644);
	char *text = xasprintf("[agent]\n"
			       "token_file = %s\n"
			       "tls_cert = %s\n"
			       "tls_key = %s\n"
			       "[process x]\n"
			       "[collect]\n"
			       "[agent2]\n",
			       open_token, cert, writable_key);
	char *want = xasprintf("vaktd.conf:2: token_file %s is readable by others (mode 0644); "
			       "chmod 600 it\n"
			       "vaktd.conf:4: tls_key %s is writable by others (mode 0602); "
			       "chmod 600 it\n"
			       "vaktd.conf:7: unknown section [agent2]\n",
			       open_token, writable_key);
	char *errors = NULL, *ours, *nobodys;
	struct config *c;

	expect_errors(text, want);
	free(text);
	free(want);
	/* Read by its group: vaktd's own group (root:vakt 0640) is fine, another is not. */
	text = xasprintf("[agent]\ntoken_file = %s\n", group_token);
	c = config_parse(text, "vaktd.conf", &errors);
	cr_expect_not_null(c, "a token its group reads, vaktd's own group: %s", errors);
	config_free(c);
	free(errors);
	errors = NULL;
	free(text);
	cr_assert_neq(getpwnam("nobody")->pw_gid, getegid(), "run the test as another user");
	text = xasprintf("[agent]\ntoken_file = %s\nuser = nobody\n", group_token);
	/* getgrgid reuses its answer: one copy of each name. */
	ours = xstrdup(getgrgid(getegid())->gr_name);
	nobodys = xstrdup(getgrgid(getpwnam("nobody")->pw_gid)->gr_name);
	want = xasprintf("vaktd.conf:2: token_file %s is readable by its group %s, not vaktd's "
			 "group %s (mode 0640); chmod 600 it, or chgrp %s it\n",
			 group_token, ours, nobodys, nobodys);
	expect_errors(text, want);
	free(text);
	free(want);
	free(ours);
	free(nobodys);

	/* config_load refuses it the same way. */
	text = xasprintf("[agent]\ntoken_file = %s\n", open_token);
	remove_temp(group_token);
	group_token = temp_file(text, 0600);
	c = config_load(group_token, &errors);
	cr_expect_null(c);
	cr_assert_not_null(errors);
	want = xasprintf("%s:2: token_file %s is readable by others (mode 0644); chmod 600 it\n",
			 group_token, open_token);
	cr_expect_str_eq(errors, want);
	free(errors);
	free(want);
	free(text);
	remove_temp(open_token);
	remove_temp(group_token);
	remove_temp(writable_key);
	remove_temp(cert);
}

Test(config, missing_relative_and_odd_files)
{
	expect_errors(
	    "[agent]\ntoken_file = /nonexistent/vakt/token\n",
	    "vaktd.conf:2: token_file /nonexistent/vakt/token: No such file or directory\n");
	expect_errors("[agent]\ntoken_file = token\n",
		      "vaktd.conf:2: token_file token is not an absolute path\n");
	expect_errors("[agent]\ntls_cert = /tmp\ntls_key = /nonexistent/key\n",
		      "vaktd.conf:2: tls_cert /tmp is not a regular file\n"
		      "vaktd.conf:3: tls_key /nonexistent/key: No such file or directory\n");
}

Test(config, every_error_is_reported)
{
	expect_errors("# vaktd\n"
		      "user = x\n"
		      "[agent]\n"
		      "listen = 127.0.0.1\n"
		      "max_connections = 0\n"
		      "[load]\n"
		      "intervall = 5\n"
		      "pressure = cpu\n"
		      "pressure = io\n"
		      "[process nginx]\n"
		      "garbage\n"
		      "[process nginx]\n"
		      "[collect]\n"
		      "interval = 10\n"
		      "timeout = 11\n",
		      "vaktd.conf:2: key outside any section\n"
		      "vaktd.conf:4: invalid listen address '127.0.0.1' (expected ADDR:PORT)\n"
		      "vaktd.conf:5: max_connections 0 is out of range (1 to 10000)\n"
		      "vaktd.conf:7: unknown key 'intervall' in [load]\n"
		      "vaktd.conf:9: duplicate key 'pressure' in [load] (first at line 8)\n"
		      "vaktd.conf:11: 'garbage' is neither a [section] header nor key = value\n"
		      "vaktd.conf:12: duplicate section [process nginx] (first at line 10)\n"
		      "vaktd.conf:15: timeout 11 is longer than the interval 10 in [collect]\n");
}

Test(config, errors_come_in_line_order)
{
	expect_errors("[agent]\nmax_connections_per_client = 9\nmax_connections = 8\n"
		      "[load]\ntimeout = 20\n[collect]\ninterval = 10\nbogus\n",
		      "vaktd.conf:2: max_connections_per_client 9 is more than max_connections 8\n"
		      "vaktd.conf:5: timeout 20 is longer than the interval 10 of [load]\n"
		      "vaktd.conf:8: 'bogus' is neither a [section] header nor key = value\n");
}

Test(config, too_many_errors_stop)
{
	char *text = xmalloc(200 * 8 + 1), *errors, *p;
	size_t n = 0;

	text[0] = '\0';
	for (int i = 0; i < 200; i++)
		n += (size_t)snprintf(text + n, 200 * 8 + 1 - n, "oops\n");
	errors = parse_err(text);
	n = 0;
	for (p = errors; *p != '\0'; p++)
		n += *p == '\n';
	cr_expect_eq(n, 101);
	cr_expect(strstr(errors, "vaktd.conf:100: 'oops' is neither") != NULL);
	cr_expect(strstr(errors, "vaktd.conf:101:") == NULL);
	cr_expect(strstr(errors, "vaktd.conf: too many errors, stopping after 100\n") != NULL);
	free(errors);
	free(text);
}

Test(config, long_lines)
{
	char *text = xmalloc(3 * 4200);
	int n = snprintf(text, 3 * 4200, "[agent]\nuser = ");

	memset(text + n, 'u', 4096 - 7);
	n += 4096 - 7;
	n += snprintf(text + n, 3 * 4200 - (size_t)n, "\n[load]\n# ");
	memset(text + n, 'c', 4097 - 2);
	n += 4097 - 2;
	snprintf(text + n, 3 * 4200 - (size_t)n, "\r\ninterval = x\n");
	expect_errors(text,
		      "vaktd.conf:4: line longer than 4096 bytes\n"
		      "vaktd.conf:5: invalid interval 'x' (expected seconds, like 15 or 0.5)\n");
	free(text);
}

Test(config, crlf_and_byte_order_mark)
{
	struct config *c =
	    parse_ok("\xef\xbb\xbf[agent]\r\nuser = vakt\r\n\r\n[load]\r\nenabled=no");

	cr_expect_str_eq(c->user, "vakt");
	cr_expect_eq(c->ncollectors, 2);
	config_free(c);
}

Test(config, load_reads_files)
{
	char *path = temp_file("[agent]\nlisten = [::]:9444\n[fds]\nenabled = no\n", 0644);
	char *errors = NULL, dir[] = "/tmp/vakt-config-XXXXXX", fifo[64];
	struct config *c = config_load(path, &errors);

	cr_assert_not_null(c, "%s", errors);
	cr_expect_null(errors);
	cr_expect_str_eq(c->listen, "[::]:9444");
	cr_expect_eq(c->ncollectors, 2);
	config_free(c);
	remove_temp(path);

	c = config_load("/nonexistent/vaktd.conf", &errors);
	cr_expect_null(c);
	cr_expect_str_eq(
	    errors, "/nonexistent/vaktd.conf: cannot read the file: No such file or directory\n");
	free(errors);

	/* A FIFO would block the reading thread (on SIGHUP, the main one) for good. */
	cr_assert_not_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	c = config_load(fifo, &errors);
	cr_expect_null(c);
	cr_expect(strstr(errors, ": cannot read the file: it is a FIFO, not a regular file\n") !=
		      NULL,
		  "%s", errors);
	free(errors);
	unlink(fifo);
	rmdir(dir);

	path = temp_file("[agent]\n", 0600);
	cr_assert_eq(truncate(path, 1024 * 1024 + 1), 0);
	c = config_load(path, &errors);
	cr_expect_null(c);
	cr_assert_not_null(errors);
	cr_expect(strstr(errors, ": larger than 1 MiB; refusing it\n") != NULL, "%s", errors);
	free(errors);
	cr_assert_eq(truncate(path, 1024 * 1024), 0);
	c = config_load(path, &errors);
	cr_expect_null(c);
	cr_assert_not_null(errors);
	cr_expect(strstr(errors, ": contains a NUL byte; not a text file\n") != NULL, "%s", errors);
	free(errors);
	remove_temp(path);
}

Test(config, parse_refuses_huge_text)
{
	size_t n = 1024 * 1024 + 1;
	char *text = xmalloc(n + 1);

	memset(text, '\n', n);
	text[n] = '\0';
	expect_errors(text, "vaktd.conf: larger than 1 MiB; refusing it\n");
	text[n - 1] = '\0';
	config_free(parse_ok(text));
	free(text);
}

Test(config, errors_may_be_ignored)
{
	cr_expect_null(config_parse("nonsense\n", "x", NULL));
	cr_expect_null(config_load("/nonexistent/vaktd.conf", NULL));
}

/* [snmp]: every key, or, in a vaktd without net-snmp, the section says why not. */
Test(config, snmp_section)
{
	const char *text = "[snmp]\nenabled = yes\nagentx_socket = tcp:127.0.0.1:705\n"
			   "base_oid = 1.3.6.1.4.1.99999.1\nping_interval = 3600\n"
			   "notifications = yes\n";
	struct config *c;

#ifndef HAVE_NET_SNMP
	expect_errors(text, "vaktd.conf:1: [snmp]: this vaktd was built without net-snmp\n");
	return;
#endif
	c = parse_ok(text);
	cr_expect(c->snmp.enabled);
	cr_expect_str_eq(c->snmp.agentx_socket, "tcp:127.0.0.1:705");
	cr_expect_str_eq(c->snmp.base_oid, "1.3.6.1.4.1.99999.1");
	cr_expect_eq(c->snmp.ping_interval, 3600);
	cr_expect(c->snmp.notifications);
	config_free(c);
	c = parse_ok("[snmp]\nagentx_socket = /run/snmp/agentx\nbase_oid = .1.3\n");
	cr_expect_str_eq(c->snmp.agentx_socket, "/run/snmp/agentx");
	config_free(c);
}

Test(config, snmp_errors)
{
#ifndef HAVE_NET_SNMP
	return;
#endif
	expect_errors("[snmp]\nagentx_socket = master\nagentx_socket = tcp:host\n",
		      "vaktd.conf:2: invalid agentx_socket 'master' (expected an absolute path, or "
		      "tcp:HOST:PORT)\n"
		      "vaktd.conf:3: duplicate key 'agentx_socket' in [snmp] (first at line 2)\n");
	expect_errors(
	    "[snmp]\nagentx_socket = tcp:host\n",
	    "vaktd.conf:2: invalid agentx_socket 'tcp:host' (expected an absolute path, or "
	    "tcp:HOST:PORT)\n");
	expect_errors(
	    "[snmp]\nagentx_socket = tcp::705\n",
	    "vaktd.conf:2: invalid agentx_socket 'tcp::705' (expected an absolute path, or "
	    "tcp:HOST:PORT)\n");
	expect_errors(
	    "[snmp]\nagentx_socket = tcp:localhost:65536\n",
	    "vaktd.conf:2: invalid agentx_socket 'tcp:localhost:65536' (expected an absolute "
	    "path, or tcp:HOST:PORT)\n");
	for (const char *const *oid = (const char *const[]){"1", "1.3.", "1..3", "1.3.x", "3.1",
							    "1.40", "1.3.4294967296", ".", NULL};
	     *oid != NULL; oid++) {
		char *text = xasprintf("[snmp]\nbase_oid = %s\n", *oid);
		char *errors = parse_err(text);

		cr_expect(strstr(errors, "vaktd.conf:2: invalid base_oid") != NULL, "%s: %s", *oid,
			  errors);
		free(errors);
		free(text);
	}
	expect_errors("[snmp]\nping_interval = 0\n",
		      "vaktd.conf:2: ping_interval 0 is out of range (1 to 3600)\n");
	expect_errors("[snmp]\nping_interval = 3601\n",
		      "vaktd.conf:2: ping_interval 3601 is out of range (1 to 3600)\n");
	expect_errors("[snmp]\nenabled = maybe\nnosuch = 1\n[snmp x]\n",
		      "vaktd.conf:2: invalid enabled 'maybe' (expected yes or no)\n"
		      "vaktd.conf:3: unknown key 'nosuch' in [snmp]\n"
		      "vaktd.conf:4: section [snmp] takes no name\n");
}

/* config_oid_parse: dotted numbers of 32 bits, at most max of them. */
Test(config, oid_parse)
{
	unsigned long arcs[4];

	cr_expect_eq(config_oid_parse(".1.3.6.4294967295", arcs, 4), 4);
	cr_expect_eq(arcs[3], 4294967295UL);
	cr_expect_eq(config_oid_parse("1.3.6.1.2", arcs, 4), -1);
	cr_expect_eq(config_oid_parse("", arcs, 4), -1);
	cr_expect_eq(config_oid_parse("1.-3", arcs, 4), -1);
}

Test(config, template_parses)
{
	char *errors = NULL;
	struct config *c = config_load(TEST_DATA_DIR "/../../templates/vaktd.conf", &errors);

	cr_assert_not_null(c, "%s", errors);
	cr_expect_null(errors);
	expect_builtin_defaults(c);
	config_free(c);
}

/* A named section of every kind parses, or of one this vaktd was built without, says why not. */
Test(config, every_kind_is_configured_or_says_why_not)
{
	const struct collector_kind *k;
	size_t named = 0;

	for (size_t i = 0; (k = collector_kind_at(i)) != NULL; i++) {
		char *text, *want;

		if (k->section != COLLECTOR_NAMED)
			continue;
		named++;
		text = xasprintf("[%s x]\n", k->kind);
		if (k->missing == NULL) {
			config_free(parse_ok(text));
		} else {
			want = xasprintf("vaktd.conf:1: [%s x]: %s\n", k->kind, k->missing);
			expect_errors(text, want);
			cr_expect(strstr(k->missing, "built without") != NULL, "%s", k->missing);
			free(want);
		}
		free(text);
	}
	cr_expect_geq(named, 7);
}

Test(config, redis_section)
{
	need_kind("redis");
	char *errors = NULL;
	struct config *c = config_parse("[redis jobs]\nqueues = celery, mail\nresque = app\n"
					"celery = yes\n",
					"vaktd.conf", &errors);
	const struct config_collector *cc = NULL;

	cr_assert_not_null(c, "%s", errors);
	for (size_t i = 0; i < c->ncollectors; i++)
		if (strcmp(c->collectors[i].name, "redis jobs") == 0)
			cc = &c->collectors[i];
	cr_assert_not_null(cc);
	cr_assert_str_eq(value(cc, "address"), "127.0.0.1:6379");
	cr_assert_str_eq(value(cc, "queues"), "celery, mail");
	cr_assert_str_eq(value(cc, "resque"), "app");
	cr_assert_str_eq(value(cc, "celery"), "yes");
	config_free(c);
	c = config_parse("[redis jobs]\naddress = ::1\nqueue_regex = (\n", "vaktd.conf", &errors);
	cr_assert_null(c);
	cr_assert(strstr(errors, "vaktd.conf:2: invalid address") != NULL, "%s", errors);
	cr_assert(strstr(errors, "vaktd.conf:3: invalid queue_regex") != NULL, "%s", errors);
	free(errors);
}

/* The collector called name in c, or NULL. */
static const struct config_collector *find_collector(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->ncollectors; i++)
		if (strcmp(c->collectors[i].name, name) == 0)
			return &c->collectors[i];
	return NULL;
}

Test(config, nginx_and_haproxy_sections)
{
	need_kind("nginx");
	need_kind("haproxy");
	need_kind("rabbitmq");
	char *errors = NULL;
	struct config *c =
	    config_parse("[nginx web]\nhost_header = www.example.com\n"
			 "[haproxy lb]\n"
			 "[haproxy page]\nurl = http://127.0.0.1:8404/stats;csv\nuser = nagios\n"
			 "[haproxy tcp]\naddress = 127.0.0.1:9999\n",
			 "vaktd.conf", &errors);
	const struct config_collector *cc;

	cr_assert_not_null(c, "%s", errors);
	cc = find_collector(c, "nginx web");
	cr_assert_not_null(cc);
	cr_assert_str_eq(value(cc, "url"), "http://127.0.0.1/nginx_status");
	cr_assert_str_eq(value(cc, "host_header"), "www.example.com");
	cc = find_collector(c, "haproxy lb");
	cr_assert_not_null(cc);
	cr_assert_str_eq(value(cc, "address"), "/run/haproxy/admin.sock");
	cr_assert_null(value(cc, "url"));
	cc = find_collector(c, "haproxy page");
	cr_assert_not_null(cc);
	cr_assert_null(value(cc, "address"));
	cr_assert_str_eq(value(cc, "url"), "http://127.0.0.1:8404/stats;csv");
	cr_assert_str_eq(value(cc, "user"), "nagios");
	cr_assert_str_eq(value(find_collector(c, "haproxy tcp"), "address"), "127.0.0.1:9999");
	config_free(c);
	c = config_parse("[haproxy lb]\naddress = /run/haproxy.sock\nurl = http://x/;csv\n"
			 "[nginx web]\nurl = ftp://x\nqueues = a\n",
			 "vaktd.conf", &errors);
	cr_assert_null(c);
	cr_assert(strstr(errors, "vaktd.conf:3: give address or url, not both") != NULL, "%s",
		  errors);
	cr_assert(strstr(errors, "vaktd.conf:5: invalid url 'ftp://x'") != NULL, "%s", errors);
	cr_assert(strstr(errors, "vaktd.conf:6:") != NULL, "%s", errors);
	free(errors);
	/* Credentials belong in user and password_file: a URL shows up in messages. */
	c = config_parse("[nginx web]\nurl = http://nagios:s3cret@127.0.0.1/nginx_status\n"
			 "[rabbitmq mq]\nurl = http://127.0.0.1:99999/\n",
			 "vaktd.conf", &errors);
	cr_assert_null(c);
	cr_assert(strstr(errors, "vaktd.conf:2: invalid url: the URL holds credentials") != NULL,
		  "%s", errors);
	cr_assert(strstr(errors, "s3cret") == NULL, "%s", errors);
	cr_assert(strstr(errors, "vaktd.conf:4: invalid url 'http://127.0.0.1:99999/': port 99999 "
				 "is out of range") != NULL,
		  "%s", errors);
	free(errors);
}

Test(config, mysql_section_defaults)
{
	need_kind("mysql");
	struct config *c = parse_ok("[collect]\ninterval = 30\n[mysql shop]\n");
	const struct config_collector *cc = find_collector(c, "mysql shop");

	cr_assert_not_null(cc);
	cr_expect_str_eq(cc->kind, "mysql");
	cr_expect_str_eq(value(cc, "address"), "127.0.0.1:3306");
	cr_expect_str_eq(cc->where, "127.0.0.1:3306");
	cr_expect_null(value(cc, "user"));
	cr_expect_null(value(cc, "password_file"));
	cr_expect_null(value(cc, "database"));
	cr_expect_null(value(cc, "option_file"));
	cr_expect_null(value(cc, "ca_file"));
	cr_expect_null(value(cc, "sslmode"));
	cr_expect_eq(cc->interval, 30);
	cr_expect_eq(cc->timeout, 5);
	cr_expect_eq(c->ncollectors, 4, "[mysql] is added after the built-in collectors");
	config_free(c);
}

Test(config, mysql_every_key)
{
	need_kind("mysql");
	char *pass = temp_file("secret\n", 0600);
	char *cnf = temp_file("[client]\nuser = vakt\npassword = secret\n", 0600);
	char *ca = temp_file("ca\n", 0644);
	char *text = xasprintf("[mysql shop]\n"
			       "enabled = yes\n"
			       "interval = 10\n"
			       "timeout = 2.5\n"
			       "address = /run/mysqld/mysqld.sock\n"
			       "user = vakt\n"
			       "password_file = %s\n"
			       "database = shop\n"
			       "option_file = %s\n"
			       "ca_file = %s\n",
			       pass, cnf, ca);
	struct config *c = parse_ok(text);
	const struct config_collector *cc = find_collector(c, "mysql shop");

	cr_assert_not_null(cc);
	cr_expect_eq(cc->interval, 10);
	cr_expect_eq(cc->timeout, 2.5);
	cr_expect_str_eq(value(cc, "address"), "/run/mysqld/mysqld.sock");
	cr_expect_str_eq(value(cc, "user"), "vakt");
	cr_expect_str_eq(value(cc, "password_file"), pass);
	cr_expect_str_eq(value(cc, "database"), "shop");
	cr_expect_str_eq(value(cc, "option_file"), cnf);
	cr_expect_str_eq(value(cc, "ca_file"), ca);
	config_free(c);
	free(text);
	/* An option file names the server: no default address over it. */
	text = xasprintf("[mysql a]\noption_file = %s\n[mysql b]\naddress = [::1]:3307\n", cnf);
	c = parse_ok(text);
	cr_expect_null(value(find_collector(c, "mysql a"), "address"));
	cr_expect_str_eq(value(find_collector(c, "mysql b"), "address"), "[::1]:3307");
	config_free(c);
	free(text);
	remove_temp(pass);
	remove_temp(cnf);
	remove_temp(ca);
}

Test(config, mysql_errors)
{
	need_kind("mysql");
	char *cnf = temp_file("[client]\npassword = secret\n", 0644);
	char *text = xasprintf("[mysql shop]\n"
			       "option_file = etc/my.cnf\n"
			       "address = ::1\n"
			       "sslmode = require\n"
			       "[mysql]\n"
			       "[mysql other]\n"
			       "option_file = %s\n",
			       cnf);
	char *errors = parse_err(text);

	cr_expect(strstr(errors,
			 "vaktd.conf:2: option_file etc/my.cnf is not an absolute path\n") != NULL,
		  "%s", errors);
	cr_expect(strstr(errors, "vaktd.conf:3: invalid address '::1'") != NULL, "%s", errors);
	cr_expect(strstr(errors, "vaktd.conf:4: unknown key 'sslmode' in [mysql shop]\n") != NULL,
		  "%s", errors);
	cr_expect(strstr(errors, "vaktd.conf:5: section [mysql] needs a name: [mysql NAME]\n") !=
		      NULL,
		  "%s", errors);
	cr_expect(strstr(errors, "vaktd.conf:7: option_file ") != NULL &&
		      strstr(errors, "is readable by others (mode 0644); chmod 600 it") != NULL,
		  "%s", errors);
	free(errors);
	free(text);
	remove_temp(cnf);
}

Test(config, postgresql_section_defaults)
{
	need_kind("postgresql");
	struct config *c = parse_ok("[postgresql main]\n");
	const struct config_collector *cc = find_collector(c, "postgresql main");

	cr_assert_not_null(cc);
	cr_expect_str_eq(cc->kind, "postgresql");
	cr_expect_str_eq(value(cc, "address"), "127.0.0.1:5432");
	cr_expect_str_eq(cc->where, "127.0.0.1:5432");
	cr_expect_str_eq(value(cc, "database"), "postgres");
	cr_expect_null(value(cc, "user"));
	cr_expect_null(value(cc, "password_file"));
	cr_expect_null(value(cc, "service"));
	cr_expect_null(value(cc, "sslmode"));
	cr_expect_null(value(cc, "ca_file"));
	cr_expect_eq(cc->interval, 15);
	cr_expect_eq(cc->timeout, 5);
	config_free(c);
}

Test(config, postgresql_every_key)
{
	need_kind("postgresql");
	char *pass = temp_file("secret\n", 0400);
	char *ca = temp_file("ca\n", 0644);
	char *text = xasprintf("[postgresql main]\n"
			       "enabled = on\n"
			       "interval = 20\n"
			       "timeout = 4\n"
			       "address = /run/postgresql\n"
			       "user = vakt\n"
			       "password_file = %s\n"
			       "database = app\n"
			       "service = monitoring\n"
			       "sslmode = verify-ca\n"
			       "ca_file = %s\n"
			       "[postgresql v6]\n"
			       "address = [::1]:5433\n"
			       "[postgresql off]\n"
			       "enabled = no\n",
			       pass, ca);
	struct config *c = parse_ok(text);
	const struct config_collector *cc = find_collector(c, "postgresql main");

	cr_assert_not_null(cc);
	cr_expect_eq(cc->interval, 20);
	cr_expect_eq(cc->timeout, 4);
	cr_expect_str_eq(value(cc, "address"), "/run/postgresql");
	cr_expect_str_eq(value(cc, "user"), "vakt");
	cr_expect_str_eq(value(cc, "password_file"), pass);
	cr_expect_str_eq(value(cc, "database"), "app");
	cr_expect_str_eq(value(cc, "service"), "monitoring");
	cr_expect_str_eq(value(cc, "sslmode"), "verify-ca");
	cr_expect_str_eq(value(cc, "ca_file"), ca);
	cr_expect_str_eq(value(find_collector(c, "postgresql v6"), "address"), "[::1]:5433");
	cr_expect_null(find_collector(c, "postgresql off"));
	config_free(c);
	free(text);
	remove_temp(pass);
	remove_temp(ca);
}

Test(config, postgresql_service_and_ca_file_defaults)
{
	need_kind("postgresql");
	char *ca = temp_file("ca\n", 0644);
	char *text = xasprintf("[postgresql svc]\nservice = monitoring\n"
			       "[postgresql tls]\nca_file = %s\n"
			       "[postgresql req]\nca_file = %s\nsslmode = require\n",
			       ca, ca);
	struct config *c = parse_ok(text);
	const struct config_collector *cc = find_collector(c, "postgresql svc");

	/* A service names the server and the database: no defaults over it. */
	cr_expect_null(value(cc, "address"));
	cr_expect_null(value(cc, "database"));
	cr_expect_str_eq(value(cc, "service"), "monitoring");
	cr_expect_null(value(cc, "sslmode"));
	/* A CA file alone asks for verify-full; a written sslmode stays. */
	cr_expect_str_eq(value(find_collector(c, "postgresql tls"), "sslmode"), "verify-full");
	cr_expect_str_eq(value(find_collector(c, "postgresql tls"), "address"), "127.0.0.1:5432");
	cr_expect_str_eq(value(find_collector(c, "postgresql req"), "sslmode"), "require");
	config_free(c);
	free(text);
	remove_temp(ca);
}

Test(config, postgresql_errors)
{
	need_kind("postgresql");
	char *ca = temp_file("ca\n", 0644);
	char *text = xasprintf("[postgresql main]\n"
			       "sslmode = verify\n"
			       "address = run/postgresql\n"
			       "option_file = /etc/mysql/my.cnf\n"
			       "[postgresql plain]\n"
			       "sslmode = prefer\n"
			       "ca_file = %s\n"
			       "[postgresql bad!]\n",
			       ca);

	expect_errors(text,
		      "vaktd.conf:2: invalid sslmode 'verify' (expected disable, allow, prefer, "
		      "require, verify-ca or verify-full)\n"
		      "vaktd.conf:3: invalid address 'run/postgresql' (expected HOST:PORT, "
		      "[IPV6]:PORT or /socket/path)\n"
		      "vaktd.conf:4: unknown key 'option_file' in [postgresql main]\n"
		      "vaktd.conf:6: sslmode prefer may connect without TLS, so ca_file (line 7) "
		      "would not be used; use require, verify-ca or verify-full\n"
		      "vaktd.conf:8: invalid name 'bad!' in [postgresql] (letters, digits, '_', "
		      "'.' and '-' only)\n");
	free(text);
	remove_temp(ca);
}

Test(config, redis_database_is_still_a_number)
{
	need_kind("redis");
	need_kind("mysql");
	need_kind("postgresql");
	struct config *c = parse_ok("[redis jobs]\ndatabase = 3\n");

	cr_expect_str_eq(value(find_collector(c, "redis jobs"), "database"), "3");
	config_free(c);
	expect_errors("[redis jobs]\ndatabase = shop\n",
		      "vaktd.conf:2: invalid database 'shop' (expected a database number)\n");
	expect_errors("[mysql shop]\nqueues = a\n[postgresql x]\ncelery = yes\n",
		      "vaktd.conf:2: unknown key 'queues' in [mysql shop]\n"
		      "vaktd.conf:4: unknown key 'celery' in [postgresql x]\n");
}

/* A loopback listen address with an allow-list no local client passes. */
Test(config, unreachable_listen_is_warned_about)
{
	static const struct {
		const char *text;
		bool warn;
	} cases[] = {
	    {"[agent]\nallow = 10.0.0.0/8, ::1/128\n", true},
	    {"[agent]\nlisten = 127.0.0.5:9333\nallow = 10.0.0.0/8\n", true},
	    {"[agent]\nlisten = [::1]:9333\nallow = 127.0.0.1, 10.0.0.0/8\n", true},
	    {"[agent]\n", false},
	    {"[agent]\nallow = 127.0.0.1\n", false},
	    {"[agent]\nallow = 127.0.0.2/32, 10.0.0.0/8\n", false},
	    {"[agent]\nallow = 0.0.0.0/0\n", false},
	    {"[agent]\nlisten = [::1]:9333\nallow = ::1\n", false},
	    {"[agent]\nlisten = *:9333\nallow = 10.0.0.0/8\n", false},
	    {"[agent]\nlisten = 10.1.2.3:9333\nallow = 10.0.0.0/8\n", false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config *c = parse_ok(cases[i].text);
		char why[512] = "";

		cr_expect_eq(config_unreachable(c, why, sizeof(why)), cases[i].warn, "%s",
			     cases[i].text);
		if (cases[i].warn)
			cr_expect(strstr(why, "every connection will be refused") != NULL, "%s",
				  why);
		config_free(c);
	}
}

/*
 * The keys of one side (the code or the man page), as "SECTION KEY" lines,
 * each with a text: the code's default, the man page's paragraph.
 */
struct keyset {
	char *key[256];
	char *text[256];
	size_t n;
};

static size_t keyset_put(struct keyset *k, const char *section, const char *key, const char *text)
{
	cr_assert_lt(k->n, sizeof(k->key) / sizeof(k->key[0]));
	k->key[k->n] = xasprintf("%s %s", section, key);
	k->text[k->n] = text != NULL ? xstrdup(text) : NULL;
	return k->n++;
}

/*
 * config_each_key's callback: the key with its default, the table's or, for
 * one a kind's finish hook sets, the first word after "(default " in its help.
 */
static void keyset_add(const char *section, const char *key, const char *def, const char *help,
		       void *arg)
{
	const char *d = help != NULL ? strstr(help, "(default ") : NULL;
	char *word = NULL;

	cr_expect(help != NULL && help[0] != '\0', "%s %s has no help line", section, key);
	if (def == NULL && d != NULL) {
		d += strlen("(default ");
		word = xasprintf("%.*s", (int)strcspn(d, " )"), d);
	}
	keyset_put(arg, section, key, def != NULL ? def : word);
	free(word);
}

static void keyset_free(struct keyset *k)
{
	for (size_t i = 0; i < k->n; i++) {
		free(k->key[i]);
		free(k->text[i]);
	}
}

/* The index of SECTION KEY in k, or -1. */
static long keyset_find(const struct keyset *k, const char *section, const char *key)
{
	char want[256];

	snprintf(want, sizeof(want), "%s %s", section, key);
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->key[i], want) == 0)
			return (long)i;
	return -1;
}

static bool keyset_has(const struct keyset *k, const char *section, const char *key)
{
	return keyset_find(k, section, key) != -1;
}

/* Append a line of troff to *text, without the escapes that would split a word. */
static void text_append(char **text, const char *line)
{
	static const char *const escapes[] = {"\\&", "\\fB", "\\fI", "\\fR", "\\fP"};
	size_t n = *text == NULL ? 0 : strlen(*text);
	char *t = xmalloc(n + strlen(line) + 2);

	memcpy(t, *text == NULL ? "" : *text, n);
	for (const char *s = line; *s != '\0';) {
		size_t skip = 0;

		for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++)
			if (strncmp(s, escapes[i], strlen(escapes[i])) == 0)
				skip = strlen(escapes[i]);
		if (skip == 0 && strncmp(s, "\\-", 2) == 0) {
			t[n++] = '-';
			skip = 2;
		} else if (skip == 0) {
			t[n++] = *s;
			skip = 1;
		}
		s += skip;
	}
	t[n] = '\0';
	free(*text);
	*text = t;
}

/* Split "SECTION KEY" at its space; 0, or -1 when it does not fit. */
static int split_key(const char *s, char *section, size_t seclen, char *key, size_t keylen)
{
	size_t n = strcspn(s, " ");

	if (s[n] != ' ' || n >= seclen || strlen(s + n + 1) >= keylen)
		return -1;
	memcpy(section, s, n);
	section[n] = '\0';
	memcpy(key, s + n + 1, strlen(s + n + 1) + 1);
	return 0;
}

/*
 * The keys vaktd.conf(5) documents, from its .BI "KEY = " lines, by section,
 * each with its paragraph (keys joined by .TQ share one).
 */
static void man_keys(struct keyset *k, const struct keyset *code)
{
	FILE *f = fopen(TEST_DATA_DIR "/../../man/vaktd.conf.5", "r");
	char line[1024], section[64] = "";
	size_t open[8], nopen = 0;

	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		char key[64];
		size_t n;

		if (strncmp(line, ".SH \"THE [", 10) == 0)
			snprintf(section, sizeof(section), "%.*s", (int)strcspn(line + 10, "]"),
				 line + 10);
		else if (strncmp(line, ".SH COLLECTORS", 14) == 0)
			snprintf(section, sizeof(section), "*");
		else if (strncmp(line, ".SS \"[", 6) == 0)
			snprintf(section, sizeof(section), "%.*s", (int)strcspn(line + 6, " ]"),
				 line + 6);
		else if (strncmp(line, ".SH ", 4) == 0)
			section[0] = '\0';
		if (strncmp(line, ".TP", 3) == 0 || strncmp(line, ".PP", 3) == 0 ||
		    strncmp(line, ".SS", 3) == 0 || strncmp(line, ".SH", 3) == 0)
			nopen = 0;
		if (section[0] == '\0' || strncmp(line, ".BI \"", 5) != 0) {
			for (size_t i = 0; i < nopen && strncmp(line, ".TQ", 3) != 0; i++)
				text_append(&k->text[open[i]], line);
			continue;
		}
		n = strcspn(line + 5, " ");
		if (strncmp(line + 5 + n, " = ", 3) != 0 || n >= sizeof(key))
			continue;
		memcpy(key, line + 5, n);
		key[n] = '\0';
		/* A kind this vaktd was built without reads any key. */
		if (!keyset_has(code, section, "*") && nopen < sizeof(open) / sizeof(open[0]))
			open[nopen++] = keyset_put(k, section, key, NULL);
	}
	fclose(f);
}

/* Whether this vaktd has every collector kind (none gives the key "*"). */
static bool every_kind_built(const struct keyset *code)
{
	for (size_t i = 0; i < code->n; i++)
		if (strcmp(code->key[i] + strcspn(code->key[i], " "), " *") == 0)
			return false;
	return true;
}

/* vaktd.conf(5) documents every key the code reads, each in its section, and no other. */
Test(config, the_man_page_and_the_key_table_agree)
{
	struct keyset code = {0}, man = {0};

	config_each_key(keyset_add, &code);
	man_keys(&man, &code);
	if (every_kind_built(&code))
		cr_expect_gt(man.n, 40, "%zu keys found in vaktd.conf(5)", man.n);
	for (size_t i = 0; i < code.n; i++) {
		char section[64], key[64];

		cr_assert_eq(split_key(code.key[i], section, sizeof(section), key, sizeof(key)), 0);
		cr_expect(strcmp(key, "*") == 0 || keyset_has(&man, section, key),
			  "vaktd.conf(5) does not document %s", code.key[i]);
	}
	for (size_t i = 0; i < man.n; i++) {
		char section[64], key[64];

		cr_assert_eq(split_key(man.key[i], section, sizeof(section), key, sizeof(key)), 0);
		cr_expect(keyset_has(&code, section, key),
			  "vaktd.conf(5) documents %s, which vaktd does not read", man.key[i]);
	}
	keyset_free(&code);
	keyset_free(&man);
}

/* The default a key table gives a key is the one vaktd.conf(5) states for it. */
Test(config, the_man_page_states_the_key_tables_defaults)
{
	struct keyset code = {0}, man = {0};
	size_t checked = 0;

	config_each_key(keyset_add, &code);
	man_keys(&man, &code);
	for (size_t i = 0; i < code.n; i++) {
		char section[64], key[64];
		const char *text, *stated;
		long m;

		cr_assert_eq(split_key(code.key[i], section, sizeof(section), key, sizeof(key)), 0);
		m = keyset_find(&man, section, key);
		if (code.text[i] == NULL || m == -1)
			continue;
		text = man.text[m] != NULL ? man.text[m] : "";
		stated = strstr(text, "Default");
		cr_expect(stated != NULL && strstr(stated, code.text[i]) != NULL,
			  "vaktd.conf(5) does not give %s as the default of %s:\n%s", code.text[i],
			  code.key[i], text);
		checked++;
	}
	if (every_kind_built(&code))
		cr_expect_geq(checked, 8, "only %zu defaults checked", checked);
	keyset_free(&code);
	keyset_free(&man);
}
