/*
 * The result builder: status line, aggregation, ordering, cleaning and the
 * 8 KiB cap.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

static struct result *r;
static char *out;

static void setup(void)
{
	r = result_new("REDIS");
	out = NULL;
}

static void teardown(void)
{
	result_free(r);
	free(out);
}

TestSuite(output, .init = setup, .fini = teardown);

static const char *render(void)
{
	free(out);
	out = result_render(r);
	return out;
}

Test(output, ok_line)
{
	struct perf p = perf_make("queue_celery", 3, "");

	result_add(r, STATE_OK, "queue celery has 3 messages");
	result_perf(r, &p);
	cr_expect_eq(result_state(r), STATE_OK);
	cr_expect_str_eq(render(), "REDIS OK - queue celery has 3 messages | queue_celery=3\n");
}

Test(output, no_items_no_perfdata)
{
	cr_expect_str_eq(render(), "REDIS OK\n");
}

Test(output, worst_state_and_non_ok_first)
{
	result_add(r, STATE_OK, "a fine");
	result_add(r, STATE_WARNING, "b warn");
	result_add(r, STATE_UNKNOWN, "c unknown");
	result_add(r, STATE_CRITICAL, "d crit");
	result_add(r, STATE_WARNING, "e warn");
	cr_expect_eq(result_state(r), STATE_CRITICAL);
	cr_expect_str_eq(render(), "REDIS CRITICAL - d crit, b warn, e warn, c unknown, a fine\n");
}

Test(output, unknown_ranks_below_warning)
{
	result_add(r, STATE_UNKNOWN, "u");
	cr_expect_eq(result_state(r), STATE_UNKNOWN);
	result_add(r, STATE_WARNING, "w");
	cr_expect_eq(result_state(r), STATE_WARNING);
	cr_expect_str_eq(render(), "REDIS WARNING - w, u\n");
}

Test(output, pipes_removed_and_lines_flattened)
{
	result_add(r, STATE_OK, "a|b\nc");
	result_long(r, "x|y");
	cr_expect_str_eq(render(), "REDIS OK - ab c\nxy\n");
}

Test(output, control_bytes_and_invalid_utf8_replaced)
{
	result_add(r, STATE_OK, "queue %s", "a\x1b[31mb\x7f");
	result_long(r, "queue %s", "k\xc3\xb6\xff\xe2\x82");
	cr_expect_str_eq(render(), "REDIS OK - queue a?[31mb?\nqueue k\xc3\xb6???\n");
}

/* A C1 control (CSI) acts like ESC [ on a terminal; a bidi override reorders what is shown. */
Test(output, unicode_controls_replaced)
{
	result_add(r, STATE_OK, "queue %s",
		   "a\xc2\x9b"
		   "31mb \xe2\x80\xae"
		   "evil\xe2\x81\xa6");
	result_long(r, "line%ssep", "\xe2\x80\xa8");
	cr_expect_str_eq(render(), "REDIS OK - queue a?31mb ?evil?\nline?sep\n");
}

/* A name from outside cannot fill the output: the middle goes, the value stays. */
Test(output, long_text_loses_its_middle)
{
	char name[5000];
	const char *nl;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	name[0] = 'A';
	name[sizeof(name) - 2] = 'Z';
	result_add(r, STATE_CRITICAL, "queue %s has 5 messages (> 3)", name);
	result_long(r, "%s", name);
	render();
	nl = strchr(out, '\n');
	cr_assert_not_null(nl);
	cr_expect_eq((size_t)(nl - out), strlen("REDIS CRITICAL - ") + OUTPUT_TEXT_MAX);
	cr_expect(strncmp(out, "REDIS CRITICAL - queue Ann", 26) == 0);
	cr_expect(strstr(out, "nnn...nnn") != NULL);
	cr_expect(strncmp(nl - 24, "nnZ has 5 messages (> 3)", 24) == 0);
	cr_expect_eq(strlen(nl + 1), OUTPUT_TEXT_MAX + 1, "the long line too");
}

/* A middle cut never splits a character. */
Test(output, long_text_cut_at_characters)
{
	char name[3001];

	for (size_t i = 0; i + 3 <= sizeof(name) - 1; i += 3)
		memcpy(name + i, "\xe2\x82\xac", 3);
	name[sizeof(name) - 1] = '\0';
	result_long(r, "x%s", name);
	render();
	cr_expect(strncmp(out, "REDIS OK\nx", 10) == 0);
	for (const char *p = out + 10; *p != '\n'; p += 3)
		cr_assert(strncmp(p, "\xe2\x82\xac", 3) == 0 || strncmp(p, "...", 3) == 0, "at %td",
			  p - out);
}

/* The name of a value not known is written as the perfdata would write it. */
Test(output, unknown_value_named_as_in_perfdata)
{
	struct perf p = perf_make("queue_depth_a|b=1;2;3", NAN, "");

	result_perf(r, &p);
	cr_expect_str_eq(render(),
			 "REDIS OK\nqueue_depth_a_b_1_2_3: no value, it could not be determined\n");
}

/* Nagios would show a ';' as ':' and Icinga as it is: both get a ','. */
Test(output, semicolons_as_commas)
{
	result_add(r, STATE_OK, "server %s", "a;b");
	result_long(r, "query %s", "select 1; select 2");
	cr_expect_str_eq(render(), "REDIS OK - server a,b\nquery select 1, select 2\n");
}

/* A value not known: no U in the perfdata, and the long output says why. */
Test(output, unknown_value_left_out_and_explained)
{
	struct perf a = perf_make("queue_a", 3, ""), b = perf_make("rate", NAN, "");
	struct perf c = perf_make("pct", NAN, "%");

	result_add(r, STATE_OK, "sum");
	result_perf(r, &a);
	b.none = "first sample, the next run will have one";
	result_perf(r, &b);
	result_perf(r, &c);
	cr_expect_str_eq(render(), "REDIS OK - sum | queue_a=3\n"
				   "rate: no value, first sample, the next run will have one\n"
				   "pct: no value, it could not be determined\n");
}

Test(output, long_output_after_first_line)
{
	struct perf p = perf_make("q", 1, "");

	result_add(r, STATE_OK, "sum");
	result_perf(r, &p);
	result_long(r, "line 1");
	result_long(r, "line 2");
	cr_expect_str_eq(render(), "REDIS OK - sum | q=1\nline 1\nline 2\n");
}

Test(output, capped_at_8k_without_cutting_the_first_line)
{
	char line[101];
	const char *nl;
	size_t first;

	memset(line, 'x', 100);
	line[100] = '\0';
	result_add(r, STATE_CRITICAL, "queue celery has 4210 messages");
	for (int i = 0; i < 200; i++) {
		char label[32];
		struct perf p;

		snprintf(label, sizeof(label), "queue_%03d", i);
		p = perf_make(label, i, "");
		result_perf(r, &p);
	}
	for (int i = 0; i < 200; i++)
		result_long(r, "%03d %s", i, line);
	render();
	cr_expect_leq(strlen(out), OUTPUT_MAX);
	nl = strchr(out, '\n');
	first = (size_t)(nl - out);
	cr_expect(strncmp(out, "REDIS CRITICAL - queue celery has 4210 messages | queue_000=0 ",
			  62) == 0);
	cr_expect(strstr(out, "queue_199=199\n") != NULL, "all 200 perfdata entries fit");
	cr_expect_lt(first, OUTPUT_MAX);
	cr_expect(strstr(out, "more lines not shown)\n") != NULL);
	cr_expect_eq(out[strlen(out) - 1], '\n');
}

Test(output, oversized_perfdata_dropped_whole)
{
	char label[PERFDATA_LABEL_MAX + 1];
	struct perf p;
	const char *nl;

	memset(label, 'l', sizeof(label) - 1);
	label[sizeof(label) - 1] = '\0';
	result_add(r, STATE_OK, "many");
	for (int i = 0; i < 60; i++) {
		snprintf(label, 8, "%03d_", i);
		label[4] = 'l';
		p = perf_make(label, 1000 + i, "");
		result_perf(r, &p);
	}
	render();
	cr_expect_leq(strlen(out), OUTPUT_MAX);
	nl = strchr(out, '\n');
	cr_assert_not_null(nl);
	/* Those that fit are there; the rest are left out, not cut. */
	cr_expect(strncmp(nl - 5, "=10", 3) == 0 && nl[-2] >= '0' && nl[-1] >= '0',
		  "the line ends with a whole entry: %s", nl - 20);
	cr_expect(strstr(out, "=1059") == NULL, "not all fit");
}

Test(output, long_summary_leaves_items_out_whole)
{
	char text[300];

	memset(text, 'w', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	for (int i = 0; i < 20; i++)
		result_add(r, STATE_WARNING, "%02d %s", i, text);
	render();
	cr_expect_leq(strchr(out, '\n') - out, OUTPUT_SUMMARY_MAX + 32);
	cr_expect(strstr(out, " more)\n") != NULL);
}

Test(output, invalid_unit_dropped)
{
	struct perf p = perf_make("x", 1, "bogus");

	result_perf(r, &p);
	cr_expect_str_eq(render(), "REDIS OK\n");
}

/* A first line filled by perfdata still leaves room for the long output note. */
Test(output, note_survives_a_full_first_line)
{
	result_add(r, STATE_OK, "many");
	for (int i = 0; i < 2000; i++) {
		char label[32];
		struct perf p;

		snprintf(label, sizeof(label), "p%06d", i);
		p = perf_make(label, 1, "");
		result_perf(r, &p);
	}
	result_long(r, "first long line that will not fit");
	result_long(r, "second");
	render();
	cr_expect_leq(strlen(out), OUTPUT_MAX);
	cr_expect_eq(out[strlen(out) - 1], '\n');
	cr_expect(strstr(out, "\n(2 more lines not shown)\n") != NULL, "%s",
		  out + strlen(out) - 60);
}

/* The worst item loses its middle to fit, it is never dropped. */
Test(output, oversized_first_item_is_cut_not_hidden)
{
	char text[3000];

	memset(text, 'q', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	result_add(r, STATE_CRITICAL, "queue %s is full", text);
	result_add(r, STATE_WARNING, "%s", text);
	render();
	cr_expect(strncmp(out, "REDIS CRITICAL - queue qqq", 26) == 0, "%.40s", out);
	cr_expect(strstr(out, "q...q") != NULL);
	cr_expect(strstr(out, "q is full (and 1 more)\n") != NULL);
	cr_expect_leq(strchr(out, '\n') - out, OUTPUT_SUMMARY_MAX + 32);
}
