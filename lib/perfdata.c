/*
 * Perfdata writer (see perfdata.h). Numbers go through num_format so the
 * output is the same under every locale.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "num.h"
#include "perfdata.h"

static const char *const uoms[] = {"",	 "s",  "ms", "us", "%", "B",
				   "KB", "MB", "GB", "TB", "c", NULL};

struct perf perf_make(const char *label, double value, const char *uom)
{
	struct perf p = {label, value, uom, NULL, NAN, NAN, NULL};

	return p;
}

bool perfdata_uom_valid(const char *uom)
{
	if (uom == NULL)
		return true;
	for (size_t i = 0; uoms[i] != NULL; i++)
		if (strcmp(uom, uoms[i]) == 0)
			return true;
	return false;
}

/* FNV-1a: a short, stable tag for a label that had to be cut. */
static unsigned long label_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

void perfdata_label(struct buf *b, const char *label)
{
	struct buf clean;
	size_t n;

	buf_init(&clean, PERFDATA_LABEL_MAX + 1);
	for (const char *p = label; *p != '\0' && !clean.truncated;) {
		size_t len = buf_utf8_len(p);

		if (len == 0 || buf_utf8_control(p, len) || strchr("='|;", *p) != NULL) {
			buf_puts(&clean, "_");
			p += len > 0 ? len : 1;
		} else {
			buf_append(&clean, p, len);
			p += len;
		}
	}
	n = clean.len;
	if (n > PERFDATA_LABEL_MAX) {
		/* Cut, with a tag that keeps labels that differ only at the end apart. */
		n = PERFDATA_LABEL_MAX - 9;
		while (n > 0 && ((unsigned char)clean.data[n] & 0xC0) == 0x80)
			n--;
		buf_append(b, clean.data, n);
		buf_printf(b, "_%08lx", label_hash(label));
	} else {
		buf_append(b, buf_str(&clean), n);
	}
	buf_free(&clean);
}

/* Write the label, quoted when it has a space (nothing else in it needs quotes). */
static void append_label(struct buf *b, const char *label)
{
	struct buf clean;

	buf_init(&clean, PERFDATA_LABEL_MAX);
	perfdata_label(&clean, label);
	if (strchr(buf_str(&clean), ' ') != NULL)
		buf_printf(b, "'%s'", buf_str(&clean));
	else
		buf_puts(b, buf_str(&clean));
	buf_free(&clean);
}

static void append_number(struct buf *b, double v)
{
	char s[NUM_BUFSZ];

	num_format(v, s, sizeof(s));
	buf_puts(b, s);
}

int perfdata_append(struct buf *b, const struct perf *p)
{
	const char *fields[2] = {NULL, NULL};
	int last = -1;

	if (!perfdata_uom_valid(p->uom) || p->label[0] == '\0' || !isfinite(p->value))
		return -1;
	if (p->thr != NULL && p->thr->has_warn)
		fields[0] = p->thr->warn.text;
	if (p->thr != NULL && p->thr->has_crit)
		fields[1] = p->thr->crit.text;
	/* Trailing empty fields are left out; inner ones stay as ';;'. */
	if (!isnan(p->max))
		last = 3;
	else if (!isnan(p->min))
		last = 2;
	else if (fields[1] != NULL)
		last = 1;
	else if (fields[0] != NULL)
		last = 0;

	if (b->len > 0)
		buf_append(b, " ", 1);
	append_label(b, p->label);
	buf_append(b, "=", 1);
	append_number(b, p->value);
	if (p->uom != NULL)
		buf_puts(b, p->uom);
	for (int i = 0; i <= last; i++) {
		buf_append(b, ";", 1);
		if (i < 2 && fields[i] != NULL)
			buf_puts(b, fields[i]);
		else if (i == 2 && !isnan(p->min))
			append_number(b, p->min);
		else if (i == 3)
			append_number(b, p->max);
	}
	return 0;
}
