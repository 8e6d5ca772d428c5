/*
 * nginx's stub_status page (see stub_status.h). The page is read line by
 * line as blank-separated words, so CRLF, trailing spaces and a missing
 * final newline change nothing; lines that are none of the three parts are
 * skipped, so that a later nginx adding a line does not break the parser.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "num.h"
#include "probe/stub_status.h"

/* Words on one line of the page: no line of it has more than 6. */
#define MAX_WORDS 8
/* nginx's counters are 64-bit: 18446744073709551615 has 20 digits. */
#define MAX_DIGITS 20

struct word {
	const char *p;
	size_t n;
};

/* Split line (n bytes) at blanks into w; returns how many words there were, even past max. */
static size_t split(const char *line, size_t n, struct word *w, size_t max)
{
	size_t count = 0, i = 0;

	while (i < n) {
		size_t start;

		while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
			i++;
		if (i == n)
			break;
		start = i;
		while (i < n && line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			i++;
		if (count < max)
			w[count] = (struct word){line + start, i - start};
		count++;
	}
	return count;
}

/* Whether word w is exactly s. */
static bool word_is(const struct word *w, const char *s)
{
	return w->n == strlen(s) && memcmp(w->p, s, w->n) == 0;
}

/* The counter in word w (digits only) into *v; 0, or -1 when w is not one. */
static int counter(const struct word *w, double *v)
{
	char text[MAX_DIGITS + 1];

	if (w->n == 0 || w->n > MAX_DIGITS)
		return -1;
	for (size_t i = 0; i < w->n; i++)
		if (w->p[i] < '0' || w->p[i] > '9')
			return -1;
	memcpy(text, w->p, w->n);
	text[w->n] = '\0';
	return num_parse(text, v);
}

/* What has been found so far. */
struct found {
	bool active, counts, states;
	bool heading; /* "server accepts handled requests": the numbers come next */
};

/*
 * Take the words of one line (count of them, at most MAX_WORDS in w).
 * Returns 0, or -1 with err when the line is a part of the page gone wrong.
 */
static int take_line(const struct word *w, size_t count, struct stub_status *st, struct found *f,
		     char *err, size_t errlen)
{
	if (f->heading) {
		f->heading = false;
		if (count != 3 || counter(&w[0], &st->accepts) != 0 ||
		    counter(&w[1], &st->handled) != 0 || counter(&w[2], &st->requests) != 0) {
			snprintf(err, errlen, "no accepts, handled and requests numbers");
			return -1;
		}
		f->counts = true;
		return 0;
	}
	if (count >= 2 && word_is(&w[0], "Active") && word_is(&w[1], "connections:")) {
		if (f->active || count != 3 || counter(&w[2], &st->active) != 0) {
			snprintf(err, errlen, "a bad 'Active connections:' line");
			return -1;
		}
		f->active = true;
	} else if (count == 4 && word_is(&w[0], "server") && word_is(&w[1], "accepts") &&
		   word_is(&w[2], "handled") && word_is(&w[3], "requests")) {
		if (f->counts) {
			snprintf(err, errlen, "two 'server accepts handled requests' lines");
			return -1;
		}
		f->heading = true;
	} else if (count >= 1 && word_is(&w[0], "Reading:")) {
		if (f->states || count != 6 || !word_is(&w[2], "Writing:") ||
		    !word_is(&w[4], "Waiting:") || counter(&w[1], &st->reading) != 0 ||
		    counter(&w[3], &st->writing) != 0 || counter(&w[5], &st->waiting) != 0) {
			snprintf(err, errlen, "a bad 'Reading: Writing: Waiting:' line");
			return -1;
		}
		f->states = true;
	}
	return 0;
}

int stub_status_parse(const char *text, size_t len, struct stub_status *out, char *err,
		      size_t errlen)
{
	const char *p = text, *end = text + len;
	struct found f = {false, false, false, false};

	out->active = out->reading = out->writing = out->waiting = NAN;
	out->accepts = out->handled = out->requests = NAN;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl == NULL ? (size_t)(end - p) : (size_t)(nl - p), count;
		struct word w[MAX_WORDS];

		count = split(p, n, w, MAX_WORDS);
		p = nl == NULL ? end : nl + 1;
		if (count == 0)
			continue;
		if (take_line(w, count, out, &f, err, errlen) != 0)
			return -1;
	}
	if (!f.active) {
		snprintf(err, errlen, len == 0 ? "an empty page" : "no 'Active connections:' line");
		return -1;
	}
	if (!f.counts) {
		snprintf(err, errlen,
			 f.heading ? "no accepts, handled and requests numbers"
				   : "no 'server accepts handled requests' line");
		return -1;
	}
	if (!f.states) {
		snprintf(err, errlen, "no 'Reading: Writing: Waiting:' line");
		return -1;
	}
	if (out->handled > out->accepts) {
		snprintf(err, errlen, "handled (%.0f) is more than accepts (%.0f)", out->handled,
			 out->accepts);
		return -1;
	}
	return 0;
}

/* Add name = value unless value is not a number. */
static void add(struct metric_set *set, const char *name, enum metric_kind kind, double value)
{
	if (isfinite(value))
		metric_set_add(set, name, kind, "", value);
}

void stub_status_metrics(const struct stub_status *st, struct metric_set *set)
{
	add(set, "nginx_active", METRIC_GAUGE, st->active);
	add(set, "nginx_reading", METRIC_GAUGE, st->reading);
	add(set, "nginx_writing", METRIC_GAUGE, st->writing);
	add(set, "nginx_waiting", METRIC_GAUGE, st->waiting);
	add(set, "nginx_accepts", METRIC_COUNTER, st->accepts);
	add(set, "nginx_handled", METRIC_COUNTER, st->handled);
	add(set, "nginx_requests", METRIC_COUNTER, st->requests);
	add(set, "nginx_dropped", METRIC_COUNTER, st->accepts - st->handled);
}
