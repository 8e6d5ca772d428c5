/*
 * Fuzz target for lib/output.c and lib/perfdata.c: the input is a list of
 * operations (add a summary item, a long output line or a perfdata entry,
 * each repeated up to 256 times so the 8 KiB cap is reached) applied to one
 * result, which is then rendered. The rendering must be at most OUTPUT_MAX
 * bytes, end in '\n', start with "NAME STATE", be valid UTF-8 without control
 * characters but line ends, carry '|' only as the perfdata separator, and
 * cut long output at a line boundary with a correct note.
 *
 * Input: byte 0 picks the service name; then records of
 *   op, repeat, payload
 * where op % 4 is 0 item (state = op >> 2 & 3, text), 1 long line (text),
 * 2 or 3 perfdata (flags, label, value, unit, warn range, crit range, min,
 * max; a value that is not a number makes a long output line instead);
 * texts are NUL-terminated.
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "fuzz.h"
#include "output.h"
#include "perfdata.h"
#include "range.h"

/* Enough operations to overflow every cap, few enough to stay fast. */
#define MAX_OPS 4000

static const char *const names[] = {
    "LOAD", "FDS", "LISTEN", "NETSTAT", "REDIS", "X", "A_RATHER_LONG_SERVICE_NAME"};
static const char *const uoms[] = {"",	 NULL, "s",  "ms", "us", "%", "B",
				   "KB", "MB", "GB", "TB", "c",	 "x", "KiB"};

static double pick_double(struct fuzz_in *in)
{
	uint8_t k = fuzz_byte(in);

	switch (k % 10) {
	case 0:
		return fuzz_double(in);
	case 1:
		return NAN;
	case 2:
		return k & 0x80 ? -INFINITY : INFINITY;
	case 3:
		return -0.0;
	case 4:
		return k & 0x80 ? -DBL_MAX : DBL_MAX;
	case 5:
		return k & 0x80 ? -DBL_MIN : 1e-300;
	default:
		return (double)(int8_t)fuzz_byte(in) / (double)(1 + (k >> 4));
	}
}

/* Parse text as a range into r; false (and r unused) when it is not one. */
static bool pick_range(struct fuzz_in *in, struct range *r)
{
	char err[128];
	char *text = fuzz_string(in);
	bool ok = range_parse(text, r, err, sizeof(err)) == 0;

	free(text);
	return ok;
}

/* Add a perfdata entry repeat times; how many long output lines that made. */
static unsigned add_perf(struct result *res, struct fuzz_in *in, unsigned repeat)
{
	uint8_t flags = fuzz_byte(in);
	char *label = fuzz_string(in);
	struct threshold thr = {0};
	struct perf p = perf_make(label, pick_double(in), uoms[fuzz_byte(in) % 14]);

	if (flags & 1)
		thr.has_warn = pick_range(in, &thr.warn);
	if (flags & 2)
		thr.has_crit = pick_range(in, &thr.crit);
	if (flags & 3)
		p.thr = &thr;
	if (flags & 4)
		p.min = pick_double(in);
	if (flags & 8)
		p.max = pick_double(in);
	for (unsigned i = 0; i < repeat; i++)
		result_perf(res, &p);
	free(label);
	/* A value that is not a number is left out, with a line saying so. */
	return isfinite(p.value) ? 0 : repeat;
}

static size_t count_char(const char *s, const char *end, char c)
{
	size_t n = 0;

	for (; s < end; s++)
		n += *s == c;
	return n;
}

/* Check the rendering of a result that got nlines long output lines. */
static void check_render(const char *out, const char *name, enum state st, size_t nitems,
			 size_t nlines)
{
	size_t len = strlen(out), namelen = strlen(name), shown = 0, n;
	const char *nl = strchr(out, '\n'), *last, *p;
	char head[64], note[64];

	FUZZ_CHECK(len > 0 && len <= OUTPUT_MAX);
	FUZZ_CHECK(out[len - 1] == '\n');
	snprintf(head, sizeof(head), "%s %s%s", name, state_name(st), nitems > 0 ? " - " : "");
	FUZZ_CHECK(strncmp(out, head, strlen(head)) == 0);
	FUZZ_CHECK(strncmp(out, name, namelen) == 0);
	/* Valid UTF-8 without a control character but the line ends. */
	for (p = out; *p != '\0'; p += n) {
		n = buf_utf8_len(p);
		FUZZ_CHECK(n > 0);
		FUZZ_CHECK(*p == '\n' || !buf_utf8_control(p, n));
	}
	/* '|' only as the perfdata separator, on the first line. */
	FUZZ_CHECK(count_char(out, nl, '|') <= 1);
	FUZZ_CHECK(strchr(nl, '|') == NULL);
	if (nitems == 0)
		FUZZ_CHECK(out[strlen(head)] == '\n' || out[strlen(head)] == ' ');

	/* Long output: all lines, or the first k and a note of the rest. */
	shown = count_char(nl + 1, out + len, '\n');
	if (shown == nlines)
		return;
	FUZZ_CHECK(shown >= 1 && shown - 1 < nlines);
	last = out + len - 1;
	for (p = last; p[-1] != '\n'; p--)
		;
	snprintf(note, sizeof(note), "(%zu more lines not shown)\n", nlines - (shown - 1));
	FUZZ_CHECK(strcmp(p, note) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	const char *name;
	struct result *res;
	enum state worst = STATE_OK;
	size_t nitems = 0, nlines = 0, ops = 0;
	char *out, *text;

	if (size == 0)
		return 0;
	name = names[fuzz_byte(&in) % (sizeof(names) / sizeof(names[0]))];
	res = result_new(name);
	while (in.left > 0 && ops < MAX_OPS) {
		uint8_t op = fuzz_byte(&in);
		unsigned repeat = 1 + fuzz_byte(&in);
		enum state st = (enum state)((op >> 2) & 3);

		if (repeat > MAX_OPS - ops)
			repeat = (unsigned)(MAX_OPS - ops);
		ops += repeat;
		switch (op % 4) {
		case 0:
			text = fuzz_string(&in);
			for (unsigned i = 0; i < repeat; i++)
				result_add(res, st, "%s", text);
			worst = state_worst(worst, st);
			nitems += repeat;
			free(text);
			break;
		case 1:
			text = fuzz_string(&in);
			for (unsigned i = 0; i < repeat; i++)
				result_long(res, "%s", text);
			nlines += repeat;
			free(text);
			break;
		default:
			nlines += add_perf(res, &in, repeat);
			break;
		}
	}
	FUZZ_CHECK(result_state(res) == worst);
	out = result_render(res);
	FUZZ_CHECK(out != NULL);
	check_render(out, name, worst, nitems, nlines);
	free(out);
	result_free(res);
	return 0;
}
