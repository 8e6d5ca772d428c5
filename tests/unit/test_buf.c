/*
 * The capped buffer.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"

Test(buf, append_and_printf)
{
	struct buf b;

	buf_init(&b, 100);
	cr_expect_str_eq(buf_str(&b), "");
	buf_puts(&b, "abc");
	buf_printf(&b, "-%d-", 42);
	cr_expect_str_eq(buf_str(&b), "abc-42-");
	cr_expect_eq(b.len, 7);
	buf_free(&b);
}

Test(buf, cap_holds)
{
	struct buf b;
	char big[1000];

	memset(big, 'x', sizeof(big));
	buf_init(&b, 10);
	cr_expect_eq(buf_append(&b, big, 8), 0);
	cr_expect_eq(buf_append(&b, big, 8), -1);
	cr_expect_eq(b.len, 10);
	cr_expect(b.truncated);
	cr_expect_eq(buf_printf(&b, "%s", "more"), -1);
	cr_expect_eq(strlen(buf_str(&b)), 10);
	buf_free(&b);
}

Test(buf, truncate_drops_the_tail)
{
	struct buf b;

	buf_init(&b, 100);
	buf_truncate(&b, 0);
	cr_expect_str_eq(buf_str(&b), "");
	buf_puts(&b, "abcdef");
	buf_truncate(&b, 10);
	cr_expect_str_eq(buf_str(&b), "abcdef");
	buf_truncate(&b, 3);
	cr_expect_str_eq(buf_str(&b), "abc");
	cr_expect_eq(b.len, 3);
	buf_puts(&b, "x");
	cr_expect_str_eq(buf_str(&b), "abcx");
	buf_free(&b);
}

Test(buf, long_printf_and_steal)
{
	struct buf b;
	char *s;

	buf_init(&b, 4096);
	buf_printf(&b, "%0600d", 7);
	cr_expect_eq(b.len, 600);
	s = buf_steal(&b);
	cr_expect_eq(strlen(s), 600);
	cr_expect_eq(b.len, 0);
	free(s);
	buf_free(&b);
}

Test(buf, utf8_len)
{
	cr_expect_eq(buf_utf8_len("a"), 1);
	cr_expect_eq(buf_utf8_len(""), 0);
	cr_expect_eq(buf_utf8_len("\xc3\xb6"), 2);
	cr_expect_eq(buf_utf8_len("\xe2\x82\xac"), 3);
	cr_expect_eq(buf_utf8_len("\xf0\x9f\x98\x80"), 4);
	cr_expect_eq(buf_utf8_len("\x80"), 0, "a stray continuation byte");
	cr_expect_eq(buf_utf8_len("\xc0\xaf"), 0, "overlong");
	cr_expect_eq(buf_utf8_len("\xe0\x80\xaf"), 0, "overlong");
	cr_expect_eq(buf_utf8_len("\xed\xa0\x80"), 0, "a surrogate");
	cr_expect_eq(buf_utf8_len("\xf4\x90\x80\x80"), 0, "above U+10FFFF");
	cr_expect_eq(buf_utf8_len("\xe2\x82"), 0, "cut short");
	cr_expect_eq(buf_utf8_len("\xff"), 0);
}

/* What a status line must not carry as it is, and what it may. */
Test(buf, utf8_control)
{
	static const char *const bad[] = {
	    "\x01",	    "\x1b",	    "\t",	    "\x7f",
	    "\xc2\x80",	    "\xc2\x9b",	    "\xc2\x9f",	    "\xd8\x9c",
	    "\xe2\x80\x8e", "\xe2\x80\x8f", "\xe2\x80\xa8", "\xe2\x80\xa9",
	    "\xe2\x80\xaa", "\xe2\x80\xae", "\xe2\x81\xa6", "\xe2\x81\xa9",
	};
	static const char *const good[] = {
	    "a",
	    " ",
	    "~",
	    "\xc2\xa0",
	    "\xc3\xb6",
	    "\xe2\x80\x8d",
	    "\xe2\x80\xa7",
	    "\xe2\x80\xaf",
	    "\xe2\x81\xa5",
	    "\xe2\x81\xaa",
	    "\xe2\x82\xac",
	    "\xf0\x9f\x98\x80",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect(buf_utf8_control(bad[i], buf_utf8_len(bad[i])), "#%zu is a control", i);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cr_expect(!buf_utf8_control(good[i], buf_utf8_len(good[i])), "#%zu is printable",
			  i);
}
