/*
 * lib/checkwire.c: the check endpoint's JSON, encoded as the agent writes
 * it and decoded as check_vakt reads it.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "checkwire.h"

/* Encode st and text, decode it back into w; the decoder's result. */
static int round_trip(enum state st, const char *text, struct checkwire *w)
{
	struct buf b;
	int r;

	buf_init(&b, 1 << 16);
	checkwire_encode(st, text, &b);
	r = checkwire_decode(buf_str(&b), b.len, w);
	buf_free(&b);
	return r;
}

Test(checkwire, encodes_the_output_and_its_parts)
{
	struct buf b;

	buf_init(&b, 4096);
	checkwire_encode(STATE_WARNING, "VAKT WARNING - load1 is 5 (> 4) | load1=5;4;8\n", &b);
	cr_expect_str_eq(
	    buf_str(&b),
	    "{\"state\":\"WARNING\",\"exit_code\":1,\"output\":\"VAKT WARNING - load1 is "
	    "5 (> 4) | load1=5;4;8\\n\",\"perfdata\":\"load1=5;4;8\",\"status_line\":"
	    "\"VAKT WARNING - load1 is 5 (> 4)\"}\n");
	buf_free(&b);
}

Test(checkwire, what_the_agent_writes_check_vakt_reads)
{
	const char *text = "VAKT CRITICAL - listen_queue{port=443} is 12 (> 10) | "
			   "listen_queue_0.0.0.0:443=12;5;10\nlong output, UTF-8: \xc3\xa5\n";
	struct checkwire w;

	cr_assert_eq(round_trip(STATE_CRITICAL, text, &w), 0);
	cr_expect_eq(w.state, STATE_CRITICAL);
	cr_expect_str_eq(w.output, text);
	cr_expect_str_eq(w.status_line, "VAKT CRITICAL - listen_queue{port=443} is 12 (> 10)");
	checkwire_free(&w);
	cr_assert_eq(round_trip(STATE_OK, "VAKT OK - fine\n", &w), 0, "no perfdata");
	cr_expect_str_eq(w.status_line, "VAKT OK - fine");
	checkwire_free(&w);
	/* A plugin's service, as check_mysql_locks names it. */
	cr_assert_eq(round_trip(STATE_OK, "MYSQL-LOCKS OK - no lock waits\n", &w), 0);
	cr_expect_str_eq(w.status_line, "MYSQL-LOCKS OK - no lock waits");
	checkwire_free(&w);
}

#define REFUSED(test, body)                                                                        \
	Test(refused, test)                                                                        \
	{                                                                                          \
		struct checkwire w;                                                                \
		const char b[] = body;                                                             \
                                                                                                   \
		cr_expect_eq(checkwire_decode(b, sizeof(b) - 1, &w), -1);                          \
		cr_expect_null(w.output);                                                          \
	}

#define GOOD_TAIL "\"perfdata\":\"\",\"status_line\":\"VAKT OK - x\""
REFUSED(not_json, "VAKT OK - x\n")
REFUSED(not_an_object, "[1]")
REFUSED(trailing_bytes,
	"{\"state\":\"OK\",\"exit_code\":0,\"output\":\"VAKT OK - x\\n\"," GOOD_TAIL "} {}")
REFUSED(missing_field, "{\"state\":\"OK\",\"exit_code\":0," GOOD_TAIL "}")
REFUSED(code_out_of_range,
	"{\"state\":\"OK\",\"exit_code\":4,\"output\":\"VAKT OK - x\\n\"," GOOD_TAIL "}")
REFUSED(code_and_state_disagree,
	"{\"state\":\"OK\",\"exit_code\":2,\"output\":\"VAKT OK - x\\n\"," GOOD_TAIL "}")
REFUSED(code_as_a_string,
	"{\"state\":\"OK\",\"exit_code\":\"0\",\"output\":\"VAKT OK - x\\n\"," GOOD_TAIL "}")
REFUSED(line_of_another_state, "{\"state\":\"OK\",\"exit_code\":0,\"output\":\"VAKT CRITICAL - "
			       "x\\n\",\"perfdata\":\"\",\"status_line\":\"VAKT CRITICAL - x\"}")
REFUSED(output_not_starting_with_the_line,
	"{\"state\":\"OK\",\"exit_code\":0,\"output\":\"other\\n\"," GOOD_TAIL "}")
REFUSED(output_without_its_newline,
	"{\"state\":\"OK\",\"exit_code\":0,\"output\":\"VAKT OK - x\"," GOOD_TAIL "}")
REFUSED(an_escape_sequence, "{\"state\":\"OK\",\"exit_code\":0,\"output\":\"VAKT OK - "
			    "x\\n\\u001b[2J\\n\"," GOOD_TAIL "}")
REFUSED(a_nul_inside,
	"{\"state\":\"OK\",\"exit_code\":0,\"output\":\"VAKT OK - x\\n\\u0000\\n\"," GOOD_TAIL "}")

/* A check's verdict answers in its plugin's name. */
Test(checkwire, a_verdict_in_its_plugins_name)
{
	struct checkwire w;

	cr_assert_eq(round_trip(STATE_CRITICAL, "HAPROXY CRITICAL - app/web1 is DOWN\n", &w), 0);
	cr_expect_str_eq(w.status_line, "HAPROXY CRITICAL - app/web1 is DOWN");
	checkwire_free(&w);
	cr_assert_eq(round_trip(STATE_OK, "MYSQL_LOCKS OK - no lock waits\n", &w), 0);
	checkwire_free(&w);
}

REFUSED(no_service_word,
	"{\"state\":\"OK\",\"exit_code\":0,\"output\":\" OK - x\\n\",\"perfdata\":\"\","
	"\"status_line\":\" OK - x\"}")
REFUSED(a_service_in_small_letters,
	"{\"state\":\"OK\",\"exit_code\":0,\"output\":\"vakt OK - x\\n\",\"perfdata\":\"\","
	"\"status_line\":\"vakt OK - x\"}")
