/*
 * Result builder and renderer (see output.h).
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "output.h"
#include "xalloc.h"

/* "(N more lines not shown)\n" with the largest size_t. */
#define NOTE_MAX 48

struct item {
	enum state state;
	char *text;
};

struct result {
	char *name;
	struct item *items;
	size_t nitems;
	char **lines;
	size_t nlines;
	char **perf;
	size_t nperf;
};

struct result *result_new(const char *name)
{
	struct result *r = xcalloc(1, sizeof(*r));

	r->name = xstrdup(name);
	return r;
}

void result_free(struct result *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nitems; i++)
		free(r->items[i].text);
	for (size_t i = 0; i < r->nlines; i++)
		free(r->lines[i]);
	for (size_t i = 0; i < r->nperf; i++)
		free(r->perf[i]);
	free(r->items);
	free(r->lines);
	free(r->perf);
	free(r->name);
	free(r);
}

void output_clean(char *s)
{
	char *w = s;

	for (char *p = s; *p != '\0';) {
		size_t len = buf_utf8_len(p);
		unsigned char c = (unsigned char)*p;

		if (len > 1 && !buf_utf8_control(p, len)) {
			memmove(w, p, len);
			w += len;
			p += len;
			continue;
		}
		p += len > 1 ? len : 1;
		if (c == '|')
			continue;
		if (c == ';')
			*w++ = ',';
		else if (c == '\n' || c == '\r' || c == '\t')
			*w++ = ' ';
		else if (len != 1 || c < ' ' || c == 0x7f)
			*w++ = '?';
		else
			*w++ = (char)c;
	}
	*w = '\0';
}

/*
 * Cut the middle out of s, in place, when it is longer than OUTPUT_TEXT_MAX:
 * the start says what the text is about and the end holds the value and
 * the threshold ("queue NAME has 5 messages (> 3)"), so both stay.
 */
static void cut_middle(char *s)
{
	size_t len = strlen(s), head = (OUTPUT_TEXT_MAX - 3) * 2 / 3, tail;

	if (len <= OUTPUT_TEXT_MAX)
		return;
	while (head > 0 && ((unsigned char)s[head] & 0xC0) == 0x80)
		head--;
	tail = len - (OUTPUT_TEXT_MAX - 3 - head);
	while (s[tail] != '\0' && ((unsigned char)s[tail] & 0xC0) == 0x80)
		tail++;
	memcpy(s + head, "...", 3);
	memmove(s + head + 3, s + tail, len - tail + 1);
}

/* Format into a new string fit for a status line or long output (see output_clean). */
static char *clean_vformat(const char *fmt, va_list ap)
{
	char small[1024], *s;
	va_list again;
	int n;

	/* Most texts fit on the stack; vasprintf costs a second pass and more. */
	va_copy(again, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n < 0)
		s = xstrdup("(unprintable)");
	else if ((size_t)n < sizeof(small))
		s = xstrndup(small, (size_t)n);
	else if (vasprintf(&s, fmt, again) == -1)
		s = xstrdup("(out of memory)");
	va_end(again);
	output_clean(s);
	cut_middle(s);
	return s;
}

void result_add(struct result *r, enum state s, const char *fmt, ...)
{
	va_list ap;

	r->items = xgrow(r->items, r->nitems, sizeof(*r->items));
	va_start(ap, fmt);
	r->items[r->nitems].text = clean_vformat(fmt, ap);
	va_end(ap);
	r->items[r->nitems++].state = s;
}

void result_long(struct result *r, const char *fmt, ...)
{
	va_list ap;

	r->lines = xgrow(r->lines, r->nlines, sizeof(*r->lines));
	va_start(ap, fmt);
	r->lines[r->nlines++] = clean_vformat(fmt, ap);
	va_end(ap);
}

void result_perf(struct result *r, const struct perf *p)
{
	struct buf b;

	if (!isfinite(p->value)) {
		/* Named as the perfdata would name it. */
		buf_init(&b, PERFDATA_LABEL_MAX);
		perfdata_label(&b, p->label);
		result_long(r, "%s: no value, %s", buf_str(&b),
			    p->none != NULL ? p->none : "it could not be determined");
		buf_free(&b);
		return;
	}
	buf_init(&b, OUTPUT_MAX);
	if (perfdata_append(&b, p) != 0) {
		buf_free(&b);
		return;
	}
	r->perf = xgrow(r->perf, r->nperf, sizeof(*r->perf));
	r->perf[r->nperf++] = buf_steal(&b);
}

enum state result_state(const struct result *r)
{
	enum state s = STATE_OK;

	for (size_t i = 0; i < r->nitems; i++)
		s = state_worst(s, r->items[i].state);
	return s;
}

/* So the worst item, the first shown, is never left out. */
_Static_assert(OUTPUT_TEXT_MAX + 24 <= OUTPUT_SUMMARY_MAX, "an item fits in the summary");

/* Append the summary: items of severity sev, in the order they were added. */
static void append_items(const struct result *r, struct buf *b, int sev, size_t *shown,
			 size_t *left)
{
	for (size_t i = 0; i < r->nitems; i++) {
		const char *text = r->items[i].text;
		size_t need = strlen(text) + (*shown > 0 ? 2 : 0);

		if (state_severity(r->items[i].state) != sev)
			continue;
		/* Keep room for the " (and N more)" note. */
		if (b->len + need + 24 > OUTPUT_SUMMARY_MAX) {
			(*left)++;
			continue;
		}
		if (*shown > 0)
			buf_puts(b, ", ");
		buf_puts(b, text);
		(*shown)++;
	}
}

static void append_summary(const struct result *r, struct buf *b)
{
	size_t shown = 0, left = 0;

	for (int sev = 3; sev >= 0; sev--)
		append_items(r, b, sev, &shown, &left);
	if (left > 0)
		buf_printf(b, " (and %zu more)", left);
}

char *result_render(const struct result *r)
{
	struct buf b;
	size_t i;

	buf_init(&b, OUTPUT_MAX);
	buf_printf(&b, "%s %s", r->name, state_name(result_state(r)));
	if (r->nitems > 0) {
		struct buf s;

		buf_init(&s, OUTPUT_SUMMARY_MAX);
		append_summary(r, &s);
		buf_printf(&b, " - %s", buf_str(&s));
		buf_free(&s);
	}
	for (i = 0; i < r->nperf; i++) {
		size_t need = strlen(r->perf[i]) + (i == 0 ? 3 : 1);
		/* Room for the newline, and for the note if long output follows. */
		size_t reserve = 1 + (r->nlines > 0 ? NOTE_MAX : 0);

		if (b.len + need + reserve > OUTPUT_MAX)
			break;
		buf_puts(&b, i == 0 ? " | " : " ");
		buf_puts(&b, r->perf[i]);
	}
	buf_puts(&b, "\n");
	for (i = 0; i < r->nlines; i++) {
		size_t need = strlen(r->lines[i]) + 1;
		/* Room for the note, unless this is the last line. */
		size_t reserve = i + 1 < r->nlines ? NOTE_MAX : 0;

		if (b.len + need + reserve > OUTPUT_MAX)
			break;
		buf_puts(&b, r->lines[i]);
		buf_puts(&b, "\n");
	}
	if (i < r->nlines)
		buf_printf(&b, "(%zu more lines not shown)\n", r->nlines - i);
	return buf_steal(&b);
}
