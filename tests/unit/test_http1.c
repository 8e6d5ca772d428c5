/*
 * lib/http1.c: URLs taken apart (schemes, ports, IPv6 literals and zones,
 * credentials, what cannot go in a request line), the exact request bytes,
 * Basic credentials against RFC 7617's example and every padding,
 * percent-encoding, and answers as nginx 1.22.1, HAProxy 2.6.12 and Python
 * 3.11's http.server sent them over loopback (Content-Length, chunked,
 * 100 Continue, a 301) next to broken and hostile ones. Answers are parsed
 * from exactly sized copies without a NUL after them, so the sanitizer build
 * catches a read past len.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "http1.h"
#include "testutil.h"
#include "xalloc.h"

/* ---- URLs ---- */

/* url must parse; returns what it was taken apart into. */
static struct http1_url url_ok(const char *url)
{
	struct http1_url u;
	char why[256] = "";

	cr_assert_eq(http1_url_parse(url, &u, why, sizeof(why)), 0, "%s refused: %s", url, why);
	return u;
}

/* url must be refused with reason why, or with any reason when why is NULL. */
static void url_refused(const char *url, const char *why)
{
	struct http1_url u;
	char got[256] = "";

	cr_expect_eq(http1_url_parse(url, &u, got, sizeof(got)), -1, "accepted: %s", url);
	cr_expect_neq(got[0], '\0', "no reason given for %s", url);
	if (why != NULL)
		cr_expect_str_eq(got, why, "for %s", url);
}

/* Whether u's path is exactly path. */
static bool path_is(const struct http1_url *u, const char *path)
{
	return u->pathlen == strlen(path) && memcmp(u->path, path, u->pathlen) == 0;
}

/* url must parse into these parts. */
static void url_is(const char *url, const char *host, const char *authority, const char *target,
		   long port, const char *path)
{
	struct http1_url u = url_ok(url);

	cr_expect_str_eq(u.host, host, "host of %s", url);
	cr_expect_str_eq(u.authority, authority, "authority of %s", url);
	cr_expect_str_eq(u.target, target, "target of %s", url);
	cr_expect_eq(u.port, port, "port of %s", url);
	cr_expect(path_is(&u, path), "path of %s", url);
}

Test(http1_url, http_default_port)
{
	struct http1_url u = url_ok("http://127.0.0.1/nginx_status");

	cr_expect(!u.tls);
	cr_expect(!u.userinfo);
	/* No default port in the Host header. */
	url_is("http://127.0.0.1/nginx_status", "127.0.0.1", "127.0.0.1", "127.0.0.1:80", 80,
	       "/nginx_status");
}

Test(http1_url, https_default_port)
{
	cr_expect(url_ok("https://example.com/api/overview").tls);
	url_is("https://example.com/api/overview", "example.com", "example.com", "example.com:443",
	       443, "/api/overview");
}

Test(http1_url, scheme_in_any_case)
{
	struct http1_url u = url_ok("HTTP://h/");

	cr_expect(!u.tls);
	cr_expect_eq(u.port, 80);
	u = url_ok("HtTpS://h");
	cr_expect(u.tls);
	cr_expect_eq(u.port, 443);
	cr_expect_str_eq(u.target, "h:443");
}

Test(http1_url, explicit_ports)
{
	struct http1_url u;

	url_is("http://localhost:8080/stats;csv", "localhost", "localhost:8080", "localhost:8080",
	       8080, "/stats;csv");
	u = url_ok("https://h:80/");
	cr_expect_eq(u.port, 80);
	cr_expect_str_eq(u.authority, "h:80", "80 is not https's default");
	u = url_ok("http://h:443/");
	cr_expect_str_eq(u.authority, "h:443");
	u = url_ok("http://h:80/");
	cr_expect_str_eq(u.authority, "h", "the default port given explicitly");
	cr_expect_str_eq(u.target, "h:80");
	u = url_ok("https://h:443");
	cr_expect_str_eq(u.authority, "h");
	cr_expect_str_eq(u.target, "h:443");
	u = url_ok("http://h:1");
	cr_expect_eq(u.port, 1);
	u = url_ok("http://h:65535?x");
	cr_expect_eq(u.port, 65535);
	cr_expect(path_is(&u, "?x"));
	u = url_ok("http://h:/x");
	cr_expect_eq(u.port, 80, "RFC 3986 allows an empty port");
	cr_expect_str_eq(u.authority, "h");
}

Test(http1_url, ipv6)
{
	struct http1_url u;

	url_is("http://[::1]:8080/nginx_status", "::1", "[::1]:8080", "[::1]:8080", 8080,
	       "/nginx_status");
	u = url_ok("http://[::1]/");
	cr_expect_str_eq(u.authority, "[::1]");
	cr_expect_str_eq(u.target, "[::1]:80");
	u = url_ok("https://[2001:DB8::1]");
	cr_expect_str_eq(u.host, "2001:DB8::1");
	cr_expect_str_eq(u.authority, "[2001:DB8::1]");
	cr_expect_str_eq(u.target, "[2001:DB8::1]:443");
	cr_expect_eq(u.pathlen, 0);
	u = url_ok("http://[::ffff:127.0.0.1]:81?q");
	cr_expect_str_eq(u.host, "::ffff:127.0.0.1");
	cr_expect(path_is(&u, "?q"));
}

/* RFC 6874: the zone is for getaddrinfo() and messages, never for the Host header. */
Test(http1_url, ipv6_zone)
{
	struct http1_url u;

	url_is("http://[fe80::1%25eth0]/x", "fe80::1%eth0", "[fe80::1]", "[fe80::1%25eth0]:80", 80,
	       "/x");
	u = url_ok("http://[fe80::1%eth0]:8080");
	cr_expect_str_eq(u.host, "fe80::1%eth0", "a bare '%' is taken too");
	cr_expect_str_eq(u.authority, "[fe80::1]:8080");
	cr_expect_str_eq(u.target, "[fe80::1%25eth0]:8080");
	u = url_ok("http://[fe80::a:b%25en-p0s3.1_~]/");
	cr_expect_str_eq(u.host, "fe80::a:b%en-p0s3.1_~");
}

Test(http1_url, userinfo_stripped)
{
	struct http1_url u = url_ok("http://monitor:s3cret@h:8080/p");

	cr_expect(u.userinfo);
	url_is("http://monitor:s3cret@h:8080/p", "h", "h:8080", "h:8080", 8080, "/p");
	u = url_ok("http://a@b@h/");
	cr_expect(u.userinfo);
	cr_expect_str_eq(u.host, "h", "credentials end at the last '@'");
	u = url_ok("http://u:p@[::1]:81/");
	cr_expect(u.userinfo);
	cr_expect_str_eq(u.host, "::1");
	cr_expect_str_eq(u.authority, "[::1]:81");
	u = url_ok("http://h/a@b");
	cr_expect(!u.userinfo, "an '@' in the path is no credential");
	cr_expect(path_is(&u, "/a@b"));
	u = url_ok("http://h?x@y");
	cr_expect(!u.userinfo);
	cr_expect(path_is(&u, "?x@y"));
}

Test(http1_url, path_and_fragment)
{
	static const char url[] = "http://h/a/b?x=1&y=2#frag";
	struct http1_url u = url_ok(url);

	cr_expect_eq(u.path, url + 8, "the path points into the URL");
	cr_expect(path_is(&u, "/a/b?x=1&y=2"), "the fragment is not sent");
	u = url_ok("http://h?x");
	cr_expect(path_is(&u, "?x"));
	u = url_ok("http://h#frag");
	cr_expect_eq(u.pathlen, 0);
	u = url_ok("http://h/#frag");
	cr_expect(path_is(&u, "/"));
	u = url_ok("http://h");
	cr_expect_eq(u.pathlen, 0);
	cr_expect_eq(u.path[0], '\0');
	u = url_ok("http://h/caf\xc3\xa9");
	cr_expect(path_is(&u, "/caf\xc3\xa9"), "bytes above 0x7f are kept for the request");
	u = url_ok("http://exa_mple-1.example~/");
	cr_expect_str_eq(u.host, "exa_mple-1.example~");
}

Test(http1_url, not_http)
{
	url_refused("ftp://h/", "only http:// and https:// URLs");
	url_refused("", "only http:// and https:// URLs");
	url_refused("h/x", "only http:// and https:// URLs");
	url_refused("http:/h", "only http:// and https:// URLs");
	url_refused("httpx://h", "only http:// and https:// URLs");
	url_refused("//h/", "only http:// and https:// URLs");
	url_refused("unix:///run/x.sock", "only http:// and https:// URLs");
}

Test(http1_url, no_host)
{
	url_refused("http://", "no host in it");
	url_refused("https://", "no host in it");
	url_refused("http:///x", "no host in it");
	url_refused("http://:80/", "no host in it");
	url_refused("http://user@/", "no host in it");
	url_refused("http://u:p@", "no host in it");
	url_refused("https://?x", "no host in it");
	url_refused("http://#f", "no host in it");
}

Test(http1_url, bad_ports)
{
	url_refused("http://h:0/", "port 0 is out of range");
	url_refused("http://h:00000/", "port 0 is out of range");
	url_refused("http://h:65536", "port 65536 is out of range");
	url_refused("http://h:99999", "port 99999 is out of range");
	url_refused("http://h:123456/", "'123456' is not a port");
	url_refused("http://h:abc", "'abc' is not a port");
	url_refused("http://h:80a", "'80a' is not a port");
	url_refused("http://h:-1", "'-1' is not a port");
	url_refused("http://h:+80", "'+80' is not a port");
	url_refused("http://h:80:81", "'80:81' is not a port");
	url_refused("http://h:abcdefghijklmnopqrstuvwxyz", "'abcdefghijklmnopqrst' is not a port");
	url_refused("http://[::1]:0", "port 0 is out of range");
	url_refused("http://[::1]:x/", "'x' is not a port");
	url_refused("http://[::1]x/", "'x' after the host");
	url_refused("http://[::1]]", "']' after the host");
}

Test(http1_url, spaces_and_control_characters)
{
	static const char *const urls[] = {
	    "http://h/a b",   "http://h/\t",   "http://h/\r\nX-Injected: 1",
	    "http://h/\n",    " http://h/",    "http://h/ ",
	    "http://h/\x7f",  "http://h\x01/", "http://h:8\x1b",
	    "http://[::1 ]/",
	};

	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++)
		url_refused(urls[i], "the URL holds a space or a control character");
}

Test(http1_url, bad_host_names)
{
	struct http1_url u;
	char url[512];

	url_refused("http://h!/", "'h!' is not a host name");
	url_refused("http://a,b/", "'a,b' is not a host name");
	url_refused("http://ex%41mple/", "'ex%41mple' is not a host name");
	url_refused("http://caf\xc3\xa9.example/", "'caf\xc3\xa9.example' is not a host name");
	url_refused("http://a[::1]/", "'a[' is not a host name");
	url_refused("http://h;x/", "'h;x' is not a host name");
	url_refused("http://h\"/", "'h\"' is not a host name");
	/* 255 bytes are a host name; 256 are not, and the message keeps 80 of them. */
	snprintf(url, sizeof(url), "http://%0255d/", 0);
	u = url_ok(url);
	cr_expect_eq(strlen(u.host), 255);
	snprintf(url, sizeof(url), "http://%0256d/", 0);
	url_refused(url, "'00000000000000000000000000000000000000000000000000000000000000000000000"
			 "000000000' is not a host name");
}

Test(http1_url, bad_ipv6)
{
	char url[512];

	url_refused("http://[::1", "an IPv6 address without its ']'");
	url_refused("http://[::1/]", "an IPv6 address without its ']'");
	url_refused("http://[fe80::1%25eth/0]", "an IPv6 address without its ']'");
	url_refused("http://[", "an IPv6 address without its ']'");
	url_refused("http://[]/", "'[]' is not an IPv6 address");
	url_refused("http://[::g]/", "'[::g]' is not an IPv6 address");
	url_refused("http://[example.com]/", "'[example.com]' is not an IPv6 address");
	url_refused("http://[fe80::1%]/", "'[fe80::1%]' is not an IPv6 address");
	url_refused("http://[fe80::1%25e!]/", "'[fe80::1%25e!]' is not an IPv6 address");
	url_refused("http://[%25eth0]/", "'[%25eth0]' is not an IPv6 address");
	/* "%25" is the encoded '%', so the zone is empty, not "25". */
	url_refused("http://[fe80::1%25]/", "'[fe80::1%25]' is not an IPv6 address");
	snprintf(url, sizeof(url), "http://[%0240d]/", 1);
	url_refused(url, NULL);
}

/* ---- Requests ---- */

/* The request http1_request() builds for url; the caller frees it. */
static char *request(const char *url, const char *user_agent, const char *authorization,
		     const char *const *headers)
{
	struct http1_url u = url_ok(url);
	struct buf b;

	buf_init(&b, 8192);
	buf_puts(&b, "left over from the last request\r\n");
	http1_request(&b, &u, user_agent, authorization, headers);
	cr_expect(!b.truncated);
	return buf_steal(&b);
}

/* The request for url with no options must be exactly want. */
static void request_is(const char *url, const char *const *headers, const char *want)
{
	char *got = request(url, NULL, NULL, headers);

	cr_expect_str_eq(got, want, "for %s", url);
	free(got);
}

Test(http1_request, simple)
{
	request_is("http://127.0.0.1/nginx_status", NULL,
		   "GET /nginx_status HTTP/1.0\r\n"
		   "Host: 127.0.0.1\r\n"
		   "Accept: */*\r\n"
		   "Connection: close\r\n"
		   "\r\n");
	request_is("http://[::1]:8080/stats;csv", NULL,
		   "GET /stats;csv HTTP/1.0\r\n"
		   "Host: [::1]:8080\r\n"
		   "Accept: */*\r\n"
		   "Connection: close\r\n"
		   "\r\n");
	request_is("http://[fe80::1%25eth0]:8080/", NULL,
		   "GET / HTTP/1.0\r\n"
		   "Host: [fe80::1]:8080\r\n"
		   "Accept: */*\r\n"
		   "Connection: close\r\n"
		   "\r\n");
}

Test(http1_request, every_option)
{
	static const char *const headers[] = {"X-Trace: 1", "Cache-Control: no-cache", NULL};
	char *got = request("http://monitor:pw@h:15672/api/overview?columns=x", "vakt/1.0",
			    "Basic bW9uaXRvcjpwdw==", headers);

	cr_expect_str_eq(got, "GET /api/overview?columns=x HTTP/1.0\r\n"
			      "Host: h:15672\r\n"
			      "Accept: */*\r\n"
			      "User-Agent: vakt/1.0\r\n"
			      "Authorization: Basic bW9uaXRvcjpwdw==\r\n"
			      "X-Trace: 1\r\n"
			      "Cache-Control: no-cache\r\n"
			      "Connection: close\r\n"
			      "\r\n");
	free(got);
}

Test(http1_request, path_forms)
{
	static const char tail[] =
	    " HTTP/1.0\r\nHost: h\r\nAccept: */*\r\nConnection: close\r\n\r\n";
	static const struct {
		const char *url, *line;
	} cases[] = {
	    {"http://h", "GET /"},
	    {"http://h/", "GET /"},
	    {"http://h?x=1", "GET /?x=1"},
	    {"http://h#frag", "GET /"},
	    {"http://h/a?b#c", "GET /a?b"},
	    {"http://h/a%20b", "GET /a%20b"},
	    {"http://h/caf\xc3\xa9?q=\xff", "GET /caf%C3%A9?q=%FF"},
	};
	char want[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(want, sizeof(want), "%s%s", cases[i].line, tail);
		request_is(cases[i].url, NULL, want);
	}
}

Test(http1_request, own_host_and_accept)
{
	static const char *const host[] = {"host: other.example", NULL};
	static const char *const upper[] = {"X-A: 1", "HOST:other", NULL};
	static const char *const hostname[] = {"Hostname: x", NULL};
	static const char *const accept[] = {"Accept: application/json", NULL};

	request_is(
	    "http://h/", host,
	    "GET / HTTP/1.0\r\nAccept: */*\r\nhost: other.example\r\nConnection: close\r\n\r\n");
	request_is(
	    "http://h/", upper,
	    "GET / HTTP/1.0\r\nAccept: */*\r\nX-A: 1\r\nHOST:other\r\nConnection: close\r\n\r\n");
	request_is("http://h/", hostname,
		   "GET / HTTP/1.0\r\nHost: h\r\nAccept: */*\r\nHostname: x\r\n"
		   "Connection: close\r\n\r\n");
	request_is("http://h/", accept,
		   "GET / HTTP/1.0\r\nHost: h\r\nAccept: application/json\r\n"
		   "Connection: close\r\n\r\n");
}

/* ---- Basic credentials ---- */

/* What http1_basic() appends to an empty buffer; the caller frees it. */
static char *basic(const char *user, const char *password)
{
	struct buf b;

	buf_init(&b, 4096);
	http1_basic(&b, user, password);
	return buf_steal(&b);
}

/* The credentials for user and password must be want. */
static void basic_is(const char *user, const char *password, const char *want)
{
	char *got = basic(user, password);

	cr_expect_str_eq(got, want, "for '%s' '%s'", user, password);
	free(got);
}

Test(http1_basic, rfc7617_example)
{
	basic_is("Aladdin", "open sesame", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

Test(http1_basic, padding)
{
	basic_is("a", "b", "Basic YTpi");
	basic_is("ab", "c", "Basic YWI6Yw==");
	basic_is("ab", "cd", "Basic YWI6Y2Q=");
	basic_is("monitor", "s3cr3t:with:colons", "Basic bW9uaXRvcjpzM2NyM3Q6d2l0aDpjb2xvbnM=");
}

Test(http1_basic, empty_parts)
{
	basic_is("user", "", "Basic dXNlcjo=");
	basic_is("", "pw", "Basic OnB3");
	basic_is("", "", "Basic Og==");
}

Test(http1_basic, high_bytes_and_last_digits)
{
	basic_is("\xff", "\xfe", "Basic /zr+");
	basic_is("\xc3\xa9t\xc3\xa9", "\xe2\x82\xac", "Basic w6l0w6k64oKs");
}

Test(http1_basic, appends)
{
	struct buf b;

	buf_init(&b, 4096);
	buf_puts(&b, "Authorization: ");
	http1_basic(&b, "a", "b");
	cr_expect_str_eq(buf_str(&b), "Authorization: Basic YTpi");
	buf_free(&b);
}

/* ---- Percent-encoding ---- */

/* What http1_escape() appends to "x=" for the len bytes of s must be want. */
static void escape_is(const char *s, size_t len, const char *want)
{
	struct buf b;

	buf_init(&b, 4096);
	buf_puts(&b, "x=");
	http1_escape(&b, s, len);
	cr_expect_str_eq(buf_str(&b), want);
	buf_free(&b);
}

Test(http1_escape, unreserved_kept)
{
	static const char s[] = "ABCXYZabcxyz0123456789-._~";

	escape_is(s, strlen(s), "x=ABCXYZabcxyz0123456789-._~");
	escape_is("abc/def", 3, "x=abc");
	escape_is("", 0, "x=");
}

Test(http1_escape, others_encoded)
{
	escape_is("/", 1, "x=%2F");
	escape_is(" ", 1, "x=%20");
	escape_is("%", 1, "x=%25");
	escape_is("a b/c?d=e&f+g", 13, "x=a%20b%2Fc%3Fd%3De%26f%2Bg");
	escape_is("\xe9\xff\x80", 3, "x=%E9%FF%80");
	escape_is("a\0b", 3, "x=a%00b");
	escape_is("\r\n", 2, "x=%0D%0A");
	escape_is("%2F", 3, "x=%252F");
}

/* ---- Answers ---- */

/* An answer parsed from an exactly sized copy, which its body points into. */
struct parsed {
	char *copy;
	size_t len;
	int rc;
	struct http1_reply r;
	char why[256];
};

/* Parse len bytes of text from a copy of exactly that size; free with parsed_free(). */
static struct parsed *parse_len(const char *text, size_t len)
{
	struct parsed *p = xcalloc(1, sizeof(*p));

	p->copy = xmalloc(len);
	p->len = len;
	memcpy(p->copy, text, len);
	p->rc = http1_reply_parse(p->copy, len, &p->r, p->why, sizeof(p->why));
	return p;
}

static void parsed_free(struct parsed *p)
{
	free(p->copy);
	free(p);
}

/* The len bytes of text must parse, with the body inside the copy; free with parsed_free(). */
static struct parsed *reply_ok_len(const char *text, size_t len)
{
	struct parsed *p = parse_len(text, len);

	cr_assert_eq(p->rc, 0, "refused: %s", p->why);
	cr_assert(p->r.body >= p->copy && p->r.body <= p->copy + len);
	cr_assert_leq(p->r.bodylen, (size_t)(p->copy + len - p->r.body));
	cr_assert_lt(strlen(p->r.location), (size_t)HTTP1_LOCATION_MAX);
	return p;
}

static struct parsed *reply_ok(const char *text)
{
	return reply_ok_len(text, strlen(text));
}

/* Whether p's body is exactly body. */
static bool body_is(const struct parsed *p, const char *body)
{
	return p->r.bodylen == strlen(body) && memcmp(p->r.body, body, p->r.bodylen) == 0;
}

/* text must parse to status and exactly body. */
static void reply_is(const char *text, long status, const char *body)
{
	struct parsed *p = reply_ok(text);

	cr_expect_eq(p->r.status, status, "for %s", text);
	cr_expect(body_is(p, body), "body '%.*s' for %s", (int)p->r.bodylen, p->r.body, text);
	parsed_free(p);
}

/* The len bytes of text must be refused with reason why, or any reason when why is NULL. */
static void refused_len(const char *text, size_t len, const char *why)
{
	struct parsed *p = parse_len(text, len);

	cr_expect_eq(p->rc, -1, "accepted: %.*s", (int)len, text);
	cr_expect_neq(p->why[0], '\0', "no reason given for %.*s", (int)len, text);
	if (why != NULL)
		cr_expect_str_eq(p->why, why, "for %.*s", (int)len, text);
	parsed_free(p);
}

static void refused(const char *text, const char *why)
{
	refused_len(text, strlen(text), why);
}

/* Recorded: `GET /nginx_status HTTP/1.0` to nginx 1.22.1's stub_status. */
static const char nginx_200[] = "HTTP/1.1 200 OK\r\n"
				"Server: nginx/1.22.1\r\n"
				"Date: Sun, 29 Nov 2026 11:07:09 GMT\r\n"
				"Content-Type: text/plain\r\n"
				"Content-Length: 97\r\n"
				"Connection: close\r\n"
				"\r\n"
				"Active connections: 1 \n"
				"server accepts handled requests\n"
				" 1 1 1 \n"
				"Reading: 0 Writing: 1 Waiting: 0 \n";

static const char stub_status_page[] = "Active connections: 1 \n"
				       "server accepts handled requests\n"
				       " 1 1 1 \n"
				       "Reading: 0 Writing: 1 Waiting: 0 \n";

Test(http1_reply, nginx_content_length)
{
	struct parsed *p = reply_ok(nginx_200);
	char more[sizeof(nginx_200) + 32];

	cr_expect_eq(p->r.status, 200);
	cr_expect(body_is(p, stub_status_page));
	cr_expect_eq(p->r.body, p->copy + strlen(nginx_200) - 97);
	cr_expect_str_eq(p->r.location, "");
	parsed_free(p);
	snprintf(more, sizeof(more), "%sHTTP/1.1 200 OK\r\n", nginx_200);
	reply_is(more, 200, stub_status_page); /* what follows Content-Length is not body */
}

/* Recorded: `GET /old HTTP/1.0` where nginx has `return 301 http://...`. */
Test(http1_reply, nginx_301_location)
{
	static const char text[] = "HTTP/1.1 301 Moved Permanently\r\n"
				   "Server: nginx/1.22.1\r\n"
				   "Date: Sun, 29 Nov 2026 11:07:09 GMT\r\n"
				   "Content-Type: text/html\r\n"
				   "Content-Length: 169\r\n"
				   "Connection: close\r\n"
				   "Location: http://127.0.0.1:18931/nginx_status\r\n"
				   "\r\n"
				   "<html>\r\n"
				   "<head><title>301 Moved Permanently</title></head>\r\n"
				   "<body>\r\n"
				   "<center><h1>301 Moved Permanently</h1></center>\r\n"
				   "<hr><center>nginx/1.22.1</center>\r\n"
				   "</body>\r\n"
				   "</html>\r\n";
	struct parsed *p = reply_ok(text);

	cr_expect_eq(p->r.status, 301);
	cr_expect_str_eq(p->r.location, "http://127.0.0.1:18931/nginx_status");
	cr_expect_eq(p->r.bodylen, 169);
	cr_expect_eq(strncmp(p->r.body, "<html>\r\n", 8), 0);
	parsed_free(p);
}

Test(http1_reply, location_forms)
{
	struct parsed *p = reply_ok("HTTP/1.1 302 Found\r\nlocation:\t /dir/ \t\r\n\r\n");
	struct buf b;

	cr_expect_str_eq(p->r.location, "/dir/", "any case, blank space trimmed");
	parsed_free(p);
	p = reply_ok("HTTP/1.1 302 Found\r\nLocation:\r\nX-Location: /no\r\n\r\n");
	cr_expect_str_eq(p->r.location, "");
	parsed_free(p);
	p = reply_ok("HTTP/1.1 301 Moved\r\nLocation: /a\r\nLocation: /b\r\n\r\n");
	cr_expect_str_eq(p->r.location, "/b");
	parsed_free(p);

	/* A Location longer than the field is cut, and still terminated. */
	buf_init(&b, 8192);
	buf_puts(&b, "HTTP/1.1 301 Moved\r\nLocation: http://h/");
	for (int i = 0; i < 2000; i++)
		buf_puts(&b, "x");
	buf_puts(&b, "\r\nContent-Length: 2\r\n\r\nokay");
	p = reply_ok_len(b.data, b.len);
	cr_expect_eq(strlen(p->r.location), HTTP1_LOCATION_MAX - 1);
	cr_expect_eq(strncmp(p->r.location, "http://h/xxxx", 13), 0);
	cr_expect(body_is(p, "ok"));
	parsed_free(p);
	buf_free(&b);
}

Test(http1_reply, body_to_the_end)
{
	reply_is("HTTP/1.0 200 OK\r\nServer: x\r\n\r\nhello\nworld", 200, "hello\nworld");
	reply_is("HTTP/1.0 200 OK\r\n\r\n", 200, "");
	reply_is("HTTP/1.1 500 Internal Server Error\r\n\r\n\r\n\r\n", 500, "\r\n\r\n");
	reply_is("HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\nall", 200, "all");
}

Test(http1_reply, bare_lf)
{
	reply_is("HTTP/1.1 200 OK\nContent-Length: 3\n\nabcdef", 200, "abc");
	reply_is("HTTP/1.1 200 OK\r\nServer: x\n\r\nbody", 200, "body");
	reply_is("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n2\nde\n0\n\n", 200,
		 "abcde");
}

Test(http1_reply, status_lines)
{
	reply_is("HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok", 200, "ok");
	reply_is("HTTP/1.1 404 \r\n\r\n", 404, "");
	reply_is("HTTP/1.0 503 Service Unavailable\r\n\r\ndown", 503, "down");
	reply_is("HTTP/1.1 999 Whatever\r\n\r\n", 999, "");
	reply_is("HTTP/1.1 200 OK\r\n\r\n", 200, "");
	reply_is("HTTP/9.9 200 OK\r\n\r\n", 200, "");
}

Test(http1_reply, header_forms)
{
	reply_is("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokay", 200, "ok");
	reply_is("HTTP/1.1 200 OK\r\nCONTENT-LENGTH:2\r\n\r\nokay", 200, "ok");
	reply_is("HTTP/1.1 200 OK\r\nContent-Length: \t 2 \t\r\n\r\nokay", 200, "ok");
	reply_is(
	    "HTTP/1.1 200 OK\r\nX-Long: a\r\n  folded: no colon matters\r\n\tContent-Length: 1\r\n"
	    "\r\nokay",
	    200, "okay");
	reply_is("HTTP/1.1 200 OK\r\nX-Content-Length: 1\r\nContent-Length-X: 1\r\n\r\nokay", 200,
		 "okay");
	reply_is("HTTP/1.1 200 OK\r\nX-Empty:\r\n:\r\n\r\nokay", 200, "okay");
}

Test(http1_reply, content_length_broke_off)
{
	refused("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
		"an answer that broke off after 3 of 10 bytes");
	refused("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n",
		"an answer that broke off after 0 of 1 bytes");
	refused("HTTP/1.1 200 OK\r\nContent-Length: 999999999999999\r\n\r\nabc",
		"an answer that broke off after 3 of 999999999999999 bytes");
	reply_is("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 200, "");
	reply_is("HTTP/1.1 200 OK\r\nContent-Length: 000003\r\n\r\nabc", 200, "abc");
}

Test(http1_reply, content_length_twice)
{
	refused("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
		"two different Content-Lengths");
	refused("HTTP/1.1 200 OK\r\nContent-Length: 0\r\ncontent-length: 3\r\n\r\nabc",
		"two different Content-Lengths");
	reply_is("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabcd", 200,
		 "abc");
}

Test(http1_reply, content_length_malformed)
{
	refused("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "a Content-Length of '-1'");
	refused("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n", "a Content-Length of 'abc'");
	refused("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", "a Content-Length of ''");
	refused("HTTP/1.1 200 OK\r\nContent-Length:  \r\n\r\n", "a Content-Length of ''");
	refused("HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n", "a Content-Length of '1 2'");
	refused("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc", "a Content-Length of '3, 3'");
	refused("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nabcde", "a Content-Length of '+5'");
	refused("HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n", "a Content-Length of '0x10'");
	refused("HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456\r\n\r\n",
		"a Content-Length of '1234567890123456'");
	refused("HTTP/1.1 200 OK\r\nContent-Length: 123456789012345678901234567890\r\n\r\n",
		"a Content-Length of '12345678901234567890'");
}

/* Recorded from HAProxy 2.6.12's stats page: chunked even to HTTP/1.0 (CSV cut to 6 columns). */
Test(http1_reply, haproxy_chunked)
{
	static const char csv[] = "# pxname,svname,qcur,qmax,scur,smax\n"
				  "stats,FRONTEND,,,1,1\n"
				  "stats,BACKEND,0,0,0,0\n";
	static const char head[] = "HTTP/1.1 200 OK\r\n"
				   "cache-control: no-cache\r\n"
				   "content-type: text/plain\r\n"
				   "connection: close\r\n"
				   "transfer-encoding: chunked\r\n"
				   "\r\n";
	char text[512];

	snprintf(text, sizeof(text), "%s4F\r\n%s\r\n0\r\n\r\n", head, csv);
	reply_is(text, 200, csv);
	snprintf(text, sizeof(text), "%s24\r\n%.36s\r\n2b\r\n%s\r\n0\r\n\r\n", head, csv, csv + 36);
	reply_is(text, 200, csv);
}

Test(http1_reply, chunked_several)
{
	/* Wikipedia's example, CR LF inside a chunk included. */
	reply_is("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		 "4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\n",
		 200, "Wikipedia in\r\n\r\nchunks.");
	reply_is("HTTP/1.1 200 OK\r\nTransfer-Encoding:  Chunked \r\n\r\n"
		 "a\r\n0123456789\r\nA\r\nabcdefghij\r\n0005\r\nklmno\r\n0\r\n\r\n",
		 200, "0123456789abcdefghijklmno");
	reply_is("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
		 "2\r\nok\r\n0\r\n\r\n",
		 200, "ok");
	reply_is("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 200, "");
	reply_is("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n\n\r\n1\r\n\r\r\n0\r\n",
		 200, "\n\r");
}

Test(http1_reply, chunk_extensions_and_trailers)
{
	reply_is("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		 "5;name=value\r\nhello\r\n6 ; x=\"y\"\r\n world\r\n1\t;z\r\n!\r\n"
		 "0;last\r\nExpires: never\r\nX-Sum: 1\r\n\r\n",
		 200, "hello world!");
	reply_is("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n", 200,
		 "abc");
}

struct chunk_case {
	const char *chunks, *why;
};

/* Each case's chunks after a chunked head must be refused with its reason. */
static void chunks_refused(const struct chunk_case *cases, size_t n)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	char text[256];

	for (size_t i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "%s%s", head, cases[i].chunks);
		refused(text, cases[i].why);
	}
}

Test(http1_reply, chunks_broken_off)
{
	static const struct chunk_case cases[] = {
	    {"", "an answer that broke off between chunks"},
	    {"5", "an answer that broke off between chunks"},
	    {"5\r\nhello\r\n", "an answer that broke off between chunks"},
	    {"5\r\nhello\r\n0", "an answer that broke off between chunks"},
	    {"5\r\nhel", "an answer that broke off inside a chunk"},
	    {"5\r\n", "an answer that broke off inside a chunk"},
	    {"5\r\nhello\r\n3\r\nab", "an answer that broke off inside a chunk"},
	    {"ffffffffffffff\r\nabc", "an answer that broke off inside a chunk"},
	    {"fffffffffffffff\r\nabc", "an answer that broke off inside a chunk"},
	    {"5\r\nhello", "an answer that broke off after a chunk"},
	    {"5\r\nhello\r", "an answer that broke off after a chunk"},
	};

	chunks_refused(cases, sizeof(cases) / sizeof(cases[0]));
}

Test(http1_reply, chunks_malformed)
{
	static const struct chunk_case cases[] = {
	    {"3\r\nhello\r\n0\r\n\r\n", "a chunk longer than its size"},
	    {"5\r\nhello world\r\n0\r\n\r\n", "a chunk longer than its size"},
	    {"zz\r\n", "a malformed chunk size"},
	    {"\r\nhello\r\n", "a malformed chunk size"},
	    {"-5\r\nhello\r\n", "a malformed chunk size"},
	    {"+5\r\nhello\r\n", "a malformed chunk size"},
	    {"5x\r\nhello\r\n", "a malformed chunk size"},
	    {"5 junk\r\nhello\r\n", "a malformed chunk size"},
	    {" 5\r\nhello\r\n", "a malformed chunk size"},
	    {"0x5\r\nhello\r\n", "a malformed chunk size"},
	    {"5\rx\r\nhello\r\n", "a malformed chunk size"},
	    {"1000000000000000\r\n", "a malformed chunk size"},
	    {"ffffffffffffffff\r\n", "a malformed chunk size"},
	    {"5\r\nhello\r\nG\r\n", "a malformed chunk size"},
	};

	chunks_refused(cases, sizeof(cases) / sizeof(cases[0]));
}

Test(http1_reply, transfer_encodings_not_decoded)
{
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx",
		"an answer in Transfer-Encoding 'gzip', which is not decoded here");
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
		"an answer in Transfer-Encoding 'gzip, chunked', which is not decoded here");
	refused(
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: deflate\r\n\r\n",
	    "an answer in Transfer-Encoding 'deflate', which is not decoded here");
	refused("HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n\r\n",
		"an answer in Transfer-Encoding '', which is not decoded here");
}

/* Recorded: Python 3.11's http.server to a GET with "Expect: 100-continue". */
Test(http1_reply, continue_then_ok)
{
	static const char text[] = "HTTP/1.1 100 Continue\r\n"
				   "\r\n"
				   "HTTP/1.1 200 OK\r\n"
				   "Server: SimpleHTTP/0.6 Python/3.11.7\r\n"
				   "Date: Sun, 29 Nov 2026 11:07:18 GMT\r\n"
				   "Content-type: text/html\r\n"
				   "Content-Length: 3\r\n"
				   "Last-Modified: Sun, 29 Nov 2026 11:07:05 GMT\r\n"
				   "\r\n"
				   "hi\n";
	struct parsed *p;

	reply_is(text, 200, "hi\n");
	reply_is("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
		 "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno",
		 404, "no");
	p = reply_ok("HTTP/1.1 103 Early Hints\r\nLocation: /early\r\n\r\nHTTP/1.1 200 OK\r\n\r\n");
	cr_expect_str_eq(p->r.location, "", "an interim answer's Location is not the answer's");
	parsed_free(p);
	refused("HTTP/1.1 100 Continue\r\n\r\n",
		"an answer that broke off after an interim HTTP 100");
	refused("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200", NULL);
	refused("HTTP/1.1 100 Continue\r\nTransfer-Encoding: gzip\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
		NULL);
}

Test(http1_reply, no_body)
{
	reply_is("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello", 204, "");
	reply_is("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n", 304, "");
	reply_is("HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n", 304, "");
	reply_is("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello", 101,
		 "");
	reply_is("HTTP/1.1 205 Reset Content\r\nContent-Length: 0\r\n\r\n", 205, "");
}

Test(http1_reply, not_http)
{
	static const char tls_alert[] = "\x15\x03\x01\x00\x02\x02\x46";
	static const char nul[] = "\0\0\0\0\0\0\0\0";

	/* What could still become a status line has broken off. */
	refused("", "an answer that broke off in its status line");
	refused("HTTP", "an answer that broke off in its status line");
	refused("HTTP1.1 200 OK\r\n\r\n", "not an HTTP answer");
	refused("http/1.1 200 OK\r\n\r\n", "not an HTTP answer");
	refused("<html><body>hello</body></html>\n", "not an HTTP answer");
	refused("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", "not an HTTP answer");
	refused("-ERR unknown command 'GET'\r\n", "not an HTTP answer");
	refused("\r\nHTTP/1.1 200 OK\r\n\r\n", "not an HTTP answer");
	refused(" HTTP/1.1 200 OK\r\n\r\n", "not an HTTP answer");
	refused_len(tls_alert, sizeof(tls_alert) - 1, "not an HTTP answer");
	refused_len(nul, sizeof(nul) - 1, "not an HTTP answer");
}

Test(http1_reply, malformed_status_lines)
{
	static const char *const lines[] = {
	    "HTTP/1.1 20 OK",	"HTTP/1.1 2000 OK", "HTTP/1.1 099 Low",
	    "HTTP/1.1 000",	"HTTP/11 200 OK",   "HTTP/2 200",
	    "HTTP/1.1  200 OK", "HTTP/1.1 abc OK",  "HTTP/x.1 200 OK",
	    "HTTP/1.x 200 OK",	"HTTP/1.1200 OK",   "HTTP/1.1\t200 OK",
	    "HTTP/1.1 2O0 OK",	"HTTP/1.1 200\tOK", "HTTP/1.1 200OK",
	    "HTTP/1.1 -20 OK",	"HTTP/1.1 +20 OK",  "HTTP/",
	    "HTTP/1.1",		"HTTP/1.1 200\r\r",
	};
	char text[128];

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(text, sizeof(text), "%s\r\n\r\n", lines[i]);
		refused(text, "a malformed status line");
	}
	refused("HTTP/1.1 200 OK", "an answer that broke off in its status line");
	refused("HTTP/1.1 200 OK\r", "an answer that broke off in its status line");
}

Test(http1_reply, header_line_without_colon)
{
	refused("HTTP/1.1 200 OK\r\nServer nginx\r\n\r\n", "a header line without ':'");
	refused("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n<html>\r\n\r\nok",
		"a header line without ':'");
	refused("HTTP/1.1 200 OK\r\n\r \r\n\r\n", "a header line without ':'");
}

Test(http1_reply, headers_never_end)
{
	refused("HTTP/1.1 200 OK\r\n", "an answer that broke off in its headers");
	refused("HTTP/1.1 200 OK\r\nServer: x\r\n", "an answer that broke off in its headers");
	refused("HTTP/1.1 200 OK\r\nServer: x\r\nContent-Le",
		"an answer that broke off in its headers");
	refused("HTTP/1.1 200 OK\r\nServer: x\r\n\r", "an answer that broke off in its headers");
}

/*
 * A NUL is no digit: strchr() finds a set's own terminator, which once made
 * "HTTP/1.1 9\0\0" status 372 and "Content-Length: 9\0" 42 bytes.
 */
Test(http1_reply, nul_is_no_digit)
{
	static const char status[] = "HTTP/1.1 9\0\0 OK\r\n\r\n";
	static const char interim[] = "HTTP/1.1 1\0\0 OK\r\n\r\nHTTP/1.1 200 OK\r\n\r\n";
	static const char length[] = "HTTP/1.1 200 OK\r\nContent-Length: 9\0\r\n\r\nabc";
	struct parsed *p;

	refused_len(status, sizeof(status) - 1, "a malformed status line");
	refused_len(interim, sizeof(interim) - 1, "a malformed status line");
	p = parse_len(length, sizeof(length) - 1);
	cr_expect_eq(p->rc, -1);
	cr_expect_eq(strncmp(p->why, "a Content-Length of", 19), 0, "refused for: %s", p->why);
	parsed_free(p);
}

/* ---- Whole answers, for a server that does not close ---- */

/* Whether the len bytes of text are a whole answer. */
static bool whole_len(const char *text, size_t len)
{
	char *copy = malloc(len == 0 ? 1 : len);
	bool whole;

	cr_assert_not_null(copy);
	memcpy(copy, text, len);
	whole = http1_reply_whole(copy, len);
	free(copy);
	return whole;
}

static bool whole(const char *text)
{
	return whole_len(text, strlen(text));
}

Test(http1_whole, by_content_length)
{
	cr_expect(whole("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"));
	cr_expect(whole("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
	cr_expect_not(whole("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhell"));
	cr_expect_not(whole("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"));
	cr_expect_not(whole("HTTP/1.1 200 OK\r\nContent-Len"));
	cr_expect_not(whole("HTT"));
	cr_expect_not(whole(""));
}

Test(http1_whole, by_chunks)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	char text[256];

	snprintf(text, sizeof(text), "%s5\r\nhello\r\n0\r\n\r\n", head);
	cr_expect(whole(text));
	snprintf(text, sizeof(text), "%s5\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n", head);
	cr_expect(whole(text), "trailers end in a blank line too");
	snprintf(text, sizeof(text), "%s5\r\nhello\r\n0\r\n", head);
	cr_expect_not(whole(text), "the blank line after the last chunk is still to come");
	snprintf(text, sizeof(text), "%s5\r\nhel\n\n", head);
	cr_expect_not(whole(text), "a blank line inside a chunk ends nothing");
	snprintf(text, sizeof(text), "%s5\r\nhello\r\n", head);
	cr_expect_not(whole(text));
	snprintf(text, sizeof(text), "%s5\r\nhel", head);
	cr_expect_not(whole(text));
	/* Walking the chunks to know decodes nothing: the bytes stay as they were. */
	snprintf(text, sizeof(text), "%s2\r\nab\r\n1\r\nc\r\n0\r\n\r\n", head);
	cr_expect(http1_reply_whole(text, strlen(text)));
	cr_expect_str_eq(text + strlen(head), "2\r\nab\r\n1\r\nc\r\n0\r\n\r\n");
}

Test(http1_whole, without_a_body_or_a_length)
{
	cr_expect(whole("HTTP/1.1 204 No Content\r\n\r\n"));
	cr_expect(whole("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"));
	cr_expect_not(whole("HTTP/1.1 100 Continue\r\n\r\n"),
		      "an interim answer is not the answer");
	/* A body without a length ends when the server closes. */
	cr_expect_not(whole("HTTP/1.0 200 OK\r\n\r\nActive connections: 1\n"));
}

Test(http1_whole, never_an_answer)
{
	/* Reading on would only wait for the time-out. */
	cr_expect(whole("-ERR unknown command\r\n"));
	cr_expect(whole("HTTP/1.1 2x0 OK\r\n\r\n"));
	cr_expect(whole("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"));
}

Test(http1_request, post)
{
	struct http1_url u = url_ok("http://localhost/RPC2");
	struct buf b;

	buf_init(&b, 8192);
	buf_puts(&b, "left over from the last request\r\n");
	http1_post(&b, &u, "vakt", "Basic eDp5", "text/xml", "<a/>", 4);
	cr_expect_str_eq(buf_str(&b), "POST /RPC2 HTTP/1.0\r\n"
				      "Host: localhost\r\n"
				      "Accept: */*\r\n"
				      "User-Agent: vakt\r\n"
				      "Authorization: Basic eDp5\r\n"
				      "Content-Type: text/xml\r\n"
				      "Content-Length: 4\r\n"
				      "Connection: close\r\n"
				      "\r\n"
				      "<a/>");
	buf_free(&b);
}
