/*
 * Perfdata writer (see perfdata.h). Numbers go through num_format so the
 * output is the same under every locale.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "num.h"
#include "perfdata.h"

static const char *const uoms[] = {"", "s", "ms", "us", "%", "B", "KB", "MB", "GB", "TB", "c", NULL};

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

/* Write the label, quoted when Nagios would otherwise misread it. */
static void append_label(struct buf *b, const char *label)
{
	bool quote = strpbrk(label, " ='") != NULL;
	const char *p = label;

	if (quote)
		buf_puts(b, "'");
	while (*p != '\0') {
		size_t plain = 0, n;

		/* Copy a run of plain ASCII in one go, then deal with what ends it. */
		while (p[plain] >= ' ' && p[plain] < 0x7f && p[plain] != '\'' && p[plain] != '|')
			plain++;
		buf_append(b, p, plain);
		p += plain;
		if (*p == '\0')
			break;
		n = buf_utf8_len(p);
		if ((unsigned char)*p >= 0x80 && n > 0) {
			buf_append(b, p, n); /* a well-formed multibyte character */
			p += n;
			continue;
		}
		/* '|', a control byte or invalid UTF-8 would break the perfdata. */
		buf_puts(b, *p == '\'' ? "''" : "_");
		p++;
	}
	if (quote)
		buf_puts(b, "'");
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
