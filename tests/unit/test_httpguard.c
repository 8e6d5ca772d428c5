/*
 * What vaktd's HTTP front end accepts: the request target as sent, the
 * header fields, and the query as the check endpoint reads it.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "httpguard.h"

/* The status the rules give target (0: accepted). */
static unsigned target_status(const char *target)
{
	struct httpguard_verdict v = {0};

	httpguard_target(target, &v);
	cr_expect((v.status == 0) == (v.why[0] == '\0'), "%s: a refusal says why", target);
	return v.status;
}

Test(httpguard, plain_targets_pass)
{
	cr_expect_eq(target_status("/health"), 0);
	cr_expect_eq(target_status("/metrics"), 0);
	cr_expect_eq(target_status("/api/v1/check/load_1?warning=10&critical=20%2C5&format=nagios"),
		     0);
	cr_expect_eq(target_status("/api/v1/check/x?process=a+b&pid=%41"), 0);
	cr_expect_eq(target_status("/a?"), 0);
}

Test(httpguard, nul_escapes_are_refused_anywhere)
{
	cr_expect_eq(target_status("/health%00junk"), 400);
	cr_expect_eq(target_status("/api/v1/check/load_1?warning=10%005"), 400);
	cr_expect_eq(target_status("/x?a%00=1"), 400);
	/* %00 is one of many; %100 is "%10" then "0". */
	cr_expect_eq(target_status("/x?a=%100"), 0);
}

Test(httpguard, bad_escapes_and_bytes_are_refused)
{
	cr_expect_eq(target_status("/health%"), 400);
	cr_expect_eq(target_status("/health%4"), 400);
	cr_expect_eq(target_status("/health%zz"), 400);
	cr_expect_eq(target_status("/a b"), 400);
	cr_expect_eq(target_status("/a\tb"), 400);
	cr_expect_eq(target_status("/a\x7f"), 400);
	cr_expect_eq(target_status("/\xc3\xa5"), 400);
	cr_expect_eq(target_status(NULL), 400);
}

Test(httpguard, many_query_parameters_are_refused)
{
	char target[4096] = "/health?";
	size_t n = strlen(target);
	struct httpguard_verdict v = {0};

	for (int i = 0; i < HTTPGUARD_QUERY_MAX; i++)
		n += (size_t)snprintf(target + n, sizeof(target) - n, "%sa=1", i == 0 ? "" : "&");
	cr_expect_eq(target_status(target), 0, "exactly the maximum");
	snprintf(target + n, sizeof(target) - n, "&a=1");
	httpguard_target(target, &v);
	cr_expect_eq(v.status, 400);
	cr_expect_str_eq(v.why, "more than 32 query parameters");
	/* Before the query, '&' is a path's. */
	cr_expect_eq(target_status("/&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&"), 0);
}

Test(httpguard, the_first_rule_broken_is_kept)
{
	struct httpguard_verdict v = {0};

	httpguard_target("/a%00", &v);
	httpguard_target("/a b", &v);
	cr_expect_str_eq(v.why, "the request target holds %00");
}

/* The verdict on the header fields (name, value pairs, NULL-ended) of an HTTP/1.1 request. */
static struct httpguard_verdict head(bool http11, const char *const *fields)
{
	struct httpguard_head h = {0};
	struct httpguard_verdict v = {0};

	for (size_t i = 0; fields[i] != NULL; i += 2)
		httpguard_field(&h, fields[i], fields[i + 1]);
	httpguard_head_judge(&h, http11, &v);
	return v;
}

#define HEAD(...) head(true, (const char *const[]){__VA_ARGS__, NULL})
#define HEAD10(...) head(false, (const char *const[]){__VA_ARGS__, NULL})

Test(httpguard, a_plain_head_passes)
{
	cr_expect_eq(HEAD("Host", "x", "Accept", "*/*").status, 0);
	cr_expect_eq(HEAD("host", "", "Content-Length", "0").status, 0);
	cr_expect_eq(HEAD("Host", "x", "Content-Length", "000 ").status, 0);
	cr_expect_eq(HEAD10("Accept", "*/*").status, 0);
}

Test(httpguard, content_length_is_one_decimal_number)
{
	struct httpguard_verdict v =
	    HEAD("Host", "x", "Content-Length", "0", "Content-Length", "40");

	cr_expect_eq(v.status, 400);
	cr_expect_str_eq(v.why, "more than one Content-Length");
	cr_expect_eq(HEAD("Host", "x", "Content-Length", "0", "Content-Length", "0").status, 400);
	cr_expect_eq(HEAD("Host", "x", "Content-Length", "-1").status, 400);
	cr_expect_eq(HEAD("Host", "x", "Content-Length", "+1").status, 400);
	cr_expect_eq(HEAD("Host", "x", "Content-Length", "").status, 400);
	cr_expect_eq(HEAD("Host", "x", "Content-Length", "1, 1").status, 400);
	cr_expect_eq(HEAD("Host", "x", "Content-Length", "0x10").status, 400);
	cr_expect_eq(HEAD("Host", "x", "Content-Length", "99999999999999999999999").status, 400);
	cr_expect_eq(HEAD("Host", "x", "Content-Length", "1000000000000000000").status, 400);
}

Test(httpguard, a_body_is_413)
{
	struct httpguard_verdict v = HEAD("Host", "x", "Content-Length", "1");

	cr_expect_eq(v.status, 413);
	cr_expect_str_eq(v.why, "request bodies are not accepted");
	cr_expect_eq(HEAD("Host", "x", "Content-Length", "999999999999999999").status, 413);
	cr_expect_eq(HEAD("Host", "x", "Transfer-Encoding", "chunked").status, 413);
	cr_expect_eq(HEAD("Host", "x", "Transfer-Encoding", "Chunked ").status, 413);
}

Test(httpguard, transfer_encoding_is_chunked_alone)
{
	struct httpguard_verdict v =
	    HEAD("Host", "x", "Content-Length", "5", "Transfer-Encoding", "chunked");

	cr_expect_eq(v.status, 400);
	cr_expect_str_eq(v.why, "Content-Length together with Transfer-Encoding");
	v = HEAD("Host", "x", "Transfer-Encoding", "gzip");
	cr_expect_eq(v.status, 400);
	cr_expect_str_eq(v.why, "a Transfer-Encoding other than chunked");
	cr_expect_eq(HEAD("Host", "x", "Transfer-Encoding", "gzip, chunked").status, 400);
	cr_expect_eq(
	    HEAD("Host", "x", "Transfer-Encoding", "chunked", "Transfer-Encoding", "chunked")
		.status,
	    400);
}

Test(httpguard, http11_needs_one_host)
{
	struct httpguard_verdict v = HEAD("Accept", "*/*");

	cr_expect_eq(v.status, 400);
	cr_expect_str_eq(v.why, "HTTP/1.1 without Host");
	cr_expect_eq(HEAD("Host", "a", "Host", "b").status, 400);
	cr_expect_eq(HEAD10("Host", "a", "Host", "b").status, 400);
}

Test(httpguard, names_are_tokens_and_values_have_no_controls)
{
	struct httpguard_verdict v = HEAD("Host", "x", "Content-Length ", "5");

	cr_expect_eq(v.status, 400);
	cr_expect_str_eq(v.why, "a header field name is not a token: \"Content-Length \"");
	v = HEAD("Host", "x", "a\x1b[31m\xff", "1");
	cr_expect_str_eq(v.why, "a header field name is not a token: \"a?[31m?\"");
	cr_expect_eq(HEAD("Host", "x", "", "1").status, 400);
	cr_expect_eq(HEAD("Host", "x", "X", "a\x01").status, 400);
	cr_expect_eq(HEAD("Host", "x", "X", "a\tb").status, 0);
	cr_expect_eq(HEAD("Host", "x", "X", NULL).status, 0);
}

/* The query's parameters as "key=value;" each. */
static void query(const char *q, const char *want)
{
	char copy[256], got[256] = "", *cursor = copy, *key, *value;
	size_t n = 0;

	snprintf(copy, sizeof(copy), "%s", q);
	while (httpguard_query_next(&cursor, &key, &value))
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s=%s;", key, value);
	cr_expect_str_eq(got, want, "query %s", q);
}

Test(httpguard, the_query_splits_and_decodes)
{
	query("", "");
	query("warning=10&critical=20", "warning=10;critical=20;");
	query("process=a+b%2Bc&x=%3d%26", "process=a b+c;x==&;");
	query("a&b=&=c", "a=;b=;=c;");
	query("&&a=1&&", "a=1;");
	query("a=b=c", "a=b=c;");
}
