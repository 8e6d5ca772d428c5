/*
 * The Prometheus and JSON expositions of a snapshot (see expose.h).
 *
 * Prometheus: every metric becomes a sample of its family (vakt_ name, base
 * unit, _total for counters, from metricdoc). The samples are sorted by
 * family, then by their rendered label set, then by where they came from, so
 * a family's samples sit together under one HELP/TYPE and a repeated series
 * is the neighbour of the one that came first, which is kept.
 *
 * Numbers go out in the C locale whatever the process's is, in the fewest
 * digits that read back to the same double. Text goes out as valid UTF-8
 * (a process can name itself anything; a scraper rejects bad bytes).
 */
#include "config.h"

#include <json-c/json.h>
#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expose.h"
#include "metricdoc.h"
#include "xalloc.h"

/* Longest family name written; metricdoc cuts longer ones. */
#define FAMILY_MAX 256
/* A label set this long is not a probe's; such a sample is left out. */
#define LABELS_MAX 65536
/* Room for "-2.2250738585072014e-308". */
#define VALUE_MAX 32

/* The thread's locale while we write numbers, and the one to restore. */
struct c_numeric {
	locale_t c;
	locale_t old;
};

/*
 * Switch this thread (only) to the C locale, so snprintf and strtod use '.'.
 * Without memory for a locale we go on in the thread's own, which in the
 * agent is "C" anyway.
 */
static void c_numeric_enter(struct c_numeric *cn)
{
	cn->c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	cn->old = (locale_t)0;
	if (cn->c != (locale_t)0)
		cn->old = uselocale(cn->c);
}

static void c_numeric_leave(struct c_numeric *cn)
{
	if (cn->c == (locale_t)0)
		return;
	uselocale(cn->old);
	freelocale(cn->c);
}

/*
 * Write v in the fewest significant digits (up to 17) that read back as v:
 * integers plainly, NaN and infinities as Prometheus spells them. Needs the
 * C locale (c_numeric_enter).
 */
static void format_value(double v, char *out, size_t outlen)
{
	if (isnan(v)) {
		snprintf(out, outlen, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(out, outlen, "%s", v > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (fabs(v) < 1e15 && trunc(v) == v) {
		snprintf(out, outlen, "%.0f", v);
		return;
	}
	for (int prec = 15; prec < 17; prec++) {
		snprintf(out, outlen, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
	snprintf(out, outlen, "%.17g", v);
}

/* Significant digits of a number as %g writes it: "0.0123" has 3, "0" has 1. */
static int significant_digits(const char *s)
{
	bool started = false;
	int n = 0;

	for (; *s != '\0' && *s != 'e'; s++) {
		if (*s < '0' || *s > '9')
			continue;
		if (*s != '0')
			started = true;
		if (started)
			n++;
	}
	return n > 0 ? n : 1;
}

/*
 * Write v, in a unit factor times the base unit, in the base unit. Powers of
 * 1024 scale exactly. Powers of ten do not (3.7 % / 100 is the double
 * 0.037000000000000005), so the scaled value is written with as many
 * significant digits as v needed: a decimal shift, 3.7 % reads 0.037.
 * Needs the C locale (c_numeric_enter).
 */
static void format_scaled(double v, double factor, char *out, size_t outlen)
{
	double scaled;

	if (!(factor > 0 && factor < 1) || !isfinite(v)) {
		format_value(v * factor, out, outlen);
		return;
	}
	scaled = v / round(1 / factor); /* one rounding, not the two of v * 0.01 */
	format_value(v, out, outlen);
	snprintf(out, outlen, "%.*g", significant_digits(out), scaled);
}

/* Length of the valid UTF-8 sequence at s, 0 when the byte there starts none. */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		/* Overlong forms and UTF-16 surrogates are not UTF-8. */
		if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0))
			return 0;
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

static bool utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	for (; *p != '\0'; p += n) {
		n = utf8_len(p);
		if (n == 0)
			return false;
	}
	return true;
}

/* Where text goes, which decides what must be escaped. */
enum escape {
	ESC_NONE,  /* JSON: json-c escapes */
	ESC_HELP,  /* a HELP line: \ and newline */
	ESC_LABEL, /* a label value: \, " and newline */
};

/* Append s, each byte that is not UTF-8 replaced by U+FFFD, escaped for esc. */
static void put_text(struct buf *b, const char *s, enum escape esc)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	for (; *p != '\0'; p += n) {
		n = utf8_len(p);
		if (n == 0) {
			buf_puts(b, "\xef\xbf\xbd");
			n = 1;
		} else if (*p == '\\' && esc != ESC_NONE) {
			buf_puts(b, "\\\\");
		} else if (*p == '\n' && esc != ESC_NONE) {
			buf_puts(b, "\\n");
		} else if (*p == '"' && esc == ESC_LABEL) {
			buf_puts(b, "\\\"");
		} else {
			buf_append(b, (const char *)p, n);
		}
	}
}

/* Append a label name, made to match [a-zA-Z_][a-zA-Z0-9_]*. */
static void put_label_name(struct buf *b, const char *name)
{
	if (name[0] >= '0' && name[0] <= '9')
		buf_puts(b, "_");
	for (const char *p = name; *p != '\0'; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			  (*p >= '0' && *p <= '9') || *p == '_';

		buf_append(b, ok ? p : "_", 1);
	}
}

/*
 * Append the label set of m as Prometheus writes it ("{a=\"x\",b=\"y\"}",
 * "" with no labels) and a NUL to text, sorted by name so that equal sets
 * render alike; a repeated label name keeps its first value. 0, or -1 with
 * nothing appended when it would exceed LABELS_MAX.
 */
static int render_labels(const struct metric *m, struct buf *text)
{
	const struct metric_label *few[8], **sorted = few;
	size_t start = text->len;

	if (m->nlabels > sizeof(few) / sizeof(few[0]))
		sorted = xcalloc(m->nlabels, sizeof(*sorted));
	/* Insertion sort: stable, and a metric has a handful of labels. */
	for (size_t i = 0; i < m->nlabels; i++) {
		size_t k = i;

		for (; k > 0 && strcmp(sorted[k - 1]->name, m->labels[i].name) > 0; k--)
			sorted[k] = sorted[k - 1];
		sorted[k] = &m->labels[i];
	}
	for (size_t i = 0; i < m->nlabels; i++) {
		if (i > 0 && strcmp(sorted[i - 1]->name, sorted[i]->name) == 0)
			continue;
		buf_puts(text, i > 0 ? "," : "{");
		put_label_name(text, sorted[i]->name);
		buf_puts(text, "=\"");
		put_text(text, sorted[i]->value, ESC_LABEL);
		buf_puts(text, "\"");
	}
	if (m->nlabels > 0)
		buf_puts(text, "}");
	if (sorted != few)
		free(sorted);
	if (text->len - start > LABELS_MAX) {
		buf_truncate(text, start);
		return -1;
	}
	buf_append(text, "", 1);
	return 0;
}

/* One line of /metrics, before sorting. */
struct sample {
	const char *family; /* the Prometheus name, in the samples' text */
	const char *labels; /* rendered by render_labels(), in the samples' text */
	size_t family_at;   /* where they are in the text, while it grows */
	size_t labels_at;
	const char *name; /* the vakt name, for HELP */
	enum metric_kind kind;
	double value;  /* as the probe measured it */
	double factor; /* value * factor is in the family's base unit */
	size_t order;  /* position in the snapshot: the first of equal series wins */
};

/*
 * The samples and, in one buffer rather than two small allocations a
 * sample, their families and label sets: a host may have tens of thousands.
 */
struct samples {
	struct sample *v;
	size_t n;
	struct buf text;
};

/* Add every metric of set to ss; samples_seal() before reading them. */
static void samples_add_set(struct samples *ss, const struct metric_set *set)
{
	size_t count = metric_set_count(set);

	for (size_t i = 0; i < count; i++) {
		const struct metric *m = metric_set_at(set, i);
		char family[FAMILY_MAX];
		struct sample *sm;
		size_t labels_at = ss->text.len;
		double factor;

		if (render_labels(m, &ss->text) != 0)
			continue;
		metricdoc_prometheus_name(m->name, m->unit, m->kind, family, sizeof(family),
					  &factor);
		ss->v = xgrow(ss->v, ss->n, sizeof(*ss->v));
		sm = &ss->v[ss->n];
		/* A set gives a family's metrics one after another: write it once for them. */
		if (ss->n > 0 && strcmp(ss->text.data + sm[-1].family_at, family) == 0) {
			sm->family_at = sm[-1].family_at;
		} else {
			sm->family_at = ss->text.len;
			buf_append(&ss->text, family, strlen(family) + 1);
		}
		sm->labels_at = labels_at;
		sm->name = m->name;
		sm->kind = m->kind;
		sm->value = m->value;
		sm->factor = factor;
		sm->order = ss->n++;
	}
}

/* Point the samples into their text, which no longer grows. */
static void samples_seal(struct samples *ss)
{
	for (size_t i = 0; i < ss->n; i++) {
		ss->v[i].family = ss->text.data + ss->v[i].family_at;
		ss->v[i].labels = ss->text.data + ss->v[i].labels_at;
	}
}

static void samples_free(struct samples *ss)
{
	free(ss->v);
	buf_free(&ss->text);
}

static int sample_cmp(const void *a, const void *b)
{
	const struct sample *x = a, *y = b;
	int c = strcmp(x->family, y->family);

	if (c != 0)
		return c;
	c = strcmp(x->labels, y->labels);
	if (c != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The agent's metrics about its collectors and itself, as a set the caller frees. */
static struct metric_set *self_metrics(const struct snapshot *s, double now)
{
	struct metric_set *set = metric_set_new();

	for (size_t i = 0; i < s->n; i++)
		source_health_metrics(&s->sources[i], now, set);
	metric_set_add(set, "uptime", METRIC_GAUGE, "s", now - s->started_at);
	return set;
}

/* Append one family: HELP and TYPE, then its n samples, each series once. */
static void put_family(struct buf *out, const struct sample *v, size_t n)
{
	const char *help = NULL;
	char value[VALUE_MAX];

	for (size_t i = 0; i < n && help == NULL; i++)
		help = metricdoc_help(v[i].name);
	buf_printf(out, "# HELP %s ", v[0].family);
	if (help != NULL) {
		put_text(out, help, ESC_HELP);
	} else {
		buf_puts(out, "vakt metric ");
		put_text(out, v[0].name, ESC_HELP);
	}
	buf_printf(out, "\n# TYPE %s %s\n", v[0].family,
		   v[0].kind == METRIC_COUNTER ? "counter" : "gauge");
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(v[i - 1].labels, v[i].labels) == 0)
			continue;
		format_scaled(v[i].value, v[i].factor, value, sizeof(value));
		buf_printf(out, "%s%s %s\n", v[i].family, v[i].labels, value);
	}
}

void expose_prometheus(const struct snapshot *s, double now, struct buf *out)
{
	struct samples ss = {NULL, 0, {NULL, 0, 0, 0, false}};
	struct metric_set *self = self_metrics(s, now);
	struct c_numeric cn;
	size_t i, j;

	/* Only the label sets have a cap (LABELS_MAX each); out has the document's. */
	buf_init(&ss.text, SIZE_MAX);

	for (i = 0; i < s->n; i++) {
		const struct source *src = &s->sources[i];

		if (src->metrics != NULL && !source_is_stale(src, now))
			samples_add_set(&ss, src->metrics);
	}
	samples_add_set(&ss, self);
	samples_seal(&ss);
	qsort(ss.v, ss.n, sizeof(*ss.v), sample_cmp);
	c_numeric_enter(&cn);
	for (i = 0; i < ss.n; i = j) {
		for (j = i + 1; j < ss.n && strcmp(ss.v[j].family, ss.v[i].family) == 0; j++)
			;
		put_family(out, ss.v + i, j - i);
	}
	c_numeric_leave(&cn);
	samples_free(&ss);
	metric_set_free(self);
}

int expose_series_key(const struct metric *m, struct buf *out, double *factor)
{
	char family[FAMILY_MAX];
	size_t start = out->len;

	metricdoc_prometheus_name(m->name, m->unit, m->kind, family, sizeof(family), factor);
	buf_puts(out, family);
	if (render_labels(m, out) != 0) {
		buf_truncate(out, start);
		return -1;
	}
	return 0;
}

void expose_value(double v, double factor, char *out, size_t outlen)
{
	struct c_numeric cn;

	c_numeric_enter(&cn);
	format_scaled(v, factor, out, outlen);
	c_numeric_leave(&cn);
}

/* A JSON number as format_value writes it; null (NULL) when v is not finite. */
static struct json_object *json_number(double v)
{
	char text[VALUE_MAX];

	if (!isfinite(v))
		return NULL;
	format_value(v, text, sizeof(text));
	return json_object_new_double_s(v, text);
}

/* A JSON string of s with bad bytes replaced; null (NULL) when s is NULL. */
static struct json_object *json_text(const char *s)
{
	struct json_object *o;
	struct buf b;

	if (s == NULL)
		return NULL;
	if (utf8_valid(s))
		return json_object_new_string(s);
	buf_init(&b, 3 * strlen(s) + 1);
	put_text(&b, s, ESC_NONE);
	o = json_object_new_string_len(buf_str(&b), (int)b.len);
	buf_free(&b);
	return o;
}

/* Seconds since src's last success, null before the first. */
static struct json_object *json_age(const struct source *src, double now)
{
	return src->collected_at == 0 ? NULL : json_number(source_age(src, now));
}

static struct json_object *json_metric(const struct source *src, const struct metric *m, bool stale,
				       double now)
{
	struct json_object *o = json_object_new_object();
	struct json_object *labels = json_object_new_object();

	for (size_t i = 0; i < m->nlabels; i++)
		json_object_object_add(labels, m->labels[i].name, json_text(m->labels[i].value));
	json_object_object_add(o, "name", json_text(m->name));
	json_object_object_add(o, "labels", labels);
	json_object_object_add(o, "value", json_number(m->value));
	json_object_object_add(o, "unit", json_text(m->unit));
	json_object_object_add(
	    o, "kind", json_object_new_string(m->kind == METRIC_COUNTER ? "counter" : "gauge"));
	json_object_object_add(o, "age_seconds", json_age(src, now));
	json_object_object_add(o, "collector", json_text(src->name));
	json_object_object_add(o, "help", json_text(metricdoc_help(m->name)));
	json_object_object_add(o, "stale", json_object_new_boolean(stale));
	return o;
}

static struct json_object *json_collector(const struct source *src, double now)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_text(src->name));
	json_object_object_add(o, "fresh", json_object_new_boolean(!source_is_stale(src, now)));
	json_object_object_add(o, "age_seconds", json_age(src, now));
	json_object_object_add(o, "last_success",
			       src->collected_at == 0 ? NULL : json_number(src->collected_at));
	json_object_object_add(o, "last_error", json_text(src->last_error));
	json_object_object_add(o, "duration_seconds", json_number(src->duration));
	json_object_object_add(o, "runs", json_object_new_int64((int64_t)src->runs));
	json_object_object_add(o, "errors", json_object_new_int64((int64_t)src->errors));
	return o;
}

/*
 * Append o (taken over) to out as one element of an array, after a comma
 * unless it is the first; 0, or -1 when json-c cannot write it.
 */
static int put_element(struct buf *out, struct json_object *o, bool first)
{
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								 JSON_C_TO_STRING_NOSLASHESCAPE);

	if (text != NULL) {
		if (!first)
			buf_puts(out, ",");
		buf_puts(out, text);
	}
	json_object_put(o);
	return text == NULL ? -1 : 0;
}

/*
 * Append src's metrics (those called family, unless NULL) to the array
 * being written, *n of them so far; 0, or -1 when json-c fails.
 */
static int json_add_metrics(struct buf *out, const struct source *src, double now,
			    const char *family, int *n)
{
	bool stale = source_is_stale(src, now) != 0;
	size_t count;

	if (src->metrics == NULL)
		return 0;
	count = metric_set_count(src->metrics);
	/* A cut buffer is refused anyway: no point writing on. */
	for (size_t i = 0; i < count && !out->truncated; i++) {
		const struct metric *m = metric_set_at(src->metrics, i);

		if (family != NULL && strcmp(m->name, family) != 0)
			continue;
		if (put_element(out, json_metric(src, m, stale, now), *n == 0) != 0)
			return -1;
		(*n)++;
	}
	return 0;
}

/*
 * The document is written one metric at a time, in the form json-c gives a
 * whole tree (JSON_C_TO_STRING_PLAIN): a tree of every metric would take
 * many times the memory of its text.
 */
int expose_json(const struct snapshot *s, double now, const char *family, struct buf *out)
{
	size_t start = out->len;
	struct c_numeric cn;
	int n = 0, r = 0;

	c_numeric_enter(&cn);
	buf_puts(out, "{\"metrics\":[");
	for (size_t i = 0; i < s->n && r == 0; i++)
		r = json_add_metrics(out, &s->sources[i], now, family, &n);
	buf_puts(out, "],\"collectors\":[");
	for (size_t i = 0; i < s->n && r == 0; i++)
		r = put_element(out, json_collector(&s->sources[i], now), i == 0);
	buf_puts(out, "]}");
	c_numeric_leave(&cn);
	if (r != 0) {
		/* Nothing appended, as promised. */
		buf_truncate(out, start);
		return -1;
	}
	return n;
}
