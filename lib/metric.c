/*
 * Metric sets (see metric.h).
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metric.h"
#include "xalloc.h"

struct metric_set {
	struct metric *v;
	size_t n;
	int refs; /* references less one: a new set has 0 */
};

struct metric_set *metric_set_new(void)
{
	return xcalloc(1, sizeof(struct metric_set));
}

struct metric_set *metric_set_ref(struct metric_set *s)
{
	if (s != NULL)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
	return s;
}

void metric_set_free(struct metric_set *s)
{
	/* Atomic, so that threads sharing a set give it back without a lock. */
	if (s == NULL || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) >= 0)
		return;
	for (size_t i = 0; i < s->n; i++) {
		struct metric *m = &s->v[i];

		for (size_t k = 0; k < m->nlabels; k++)
			free(m->labels[k].value);
		free(m->labels);
	}
	free(s->v);
	free(s);
}

struct metric *metric_set_add(struct metric_set *s, const char *name, enum metric_kind kind,
			      const char *unit, double value)
{
	struct metric *m;

	s->v = xgrow(s->v, s->n, sizeof(*s->v));
	m = &s->v[s->n++];
	memset(m, 0, sizeof(*m));
	m->name = name;
	m->unit = unit == NULL ? "" : unit;
	m->kind = kind;
	m->value = value;
	return m;
}

void metric_label_add(struct metric *m, const char *name, const char *value)
{
	/* Exactly as many as there are: a metric has a handful, and a host thousands of metrics. */
	m->labels = xreallocarray(m->labels, m->nlabels + 1, sizeof(*m->labels));
	m->labels[m->nlabels].name = name;
	m->labels[m->nlabels].value = xstrdup(value);
	m->nlabels++;
}

struct metric *metric_set_copy(struct metric_set *s, const struct metric *m)
{
	struct metric *c = metric_set_add(s, m->name, m->kind, m->unit, m->value);

	for (size_t i = 0; i < m->nlabels; i++)
		metric_label_add(c, m->labels[i].name, m->labels[i].value);
	return c;
}

void metric_set_label_missing(struct metric_set *s, const char *name, const char *value)
{
	for (size_t i = 0; i < s->n; i++)
		if (metric_label(&s->v[i], name) == NULL)
			metric_label_add(&s->v[i], name, value);
}

const char *metric_label(const struct metric *m, const char *name)
{
	for (size_t i = 0; i < m->nlabels; i++)
		if (strcmp(m->labels[i].name, name) == 0)
			return m->labels[i].value;
	return NULL;
}

size_t metric_set_count(const struct metric_set *s)
{
	return s->n;
}

const struct metric *metric_set_at(const struct metric_set *s, size_t i)
{
	return i < s->n ? &s->v[i] : NULL;
}

const struct metric *metric_set_find(const struct metric_set *s, const char *name,
				     const char *label, const char *value)
{
	for (size_t i = 0; i < s->n; i++) {
		const char *v;

		if (strcmp(s->v[i].name, name) != 0)
			continue;
		if (label == NULL)
			return &s->v[i];
		v = metric_label(&s->v[i], label);
		if (v != NULL && strcmp(v, value) == 0)
			return &s->v[i];
	}
	return NULL;
}

static bool same_labels(const struct metric *a, const struct metric *b)
{
	if (a->nlabels != b->nlabels)
		return false;
	for (size_t i = 0; i < a->nlabels; i++) {
		const char *v = metric_label(b, a->labels[i].name);

		if (v == NULL || strcmp(v, a->labels[i].value) != 0)
			return false;
	}
	return true;
}

const struct metric *metric_set_find_like(const struct metric_set *s, const char *name,
					  const struct metric *like)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0 && same_labels(&s->v[i], like))
			return &s->v[i];
	return NULL;
}

double metric_set_value(const struct metric_set *s, const char *name, const char *label,
			const char *value)
{
	const struct metric *m = metric_set_find(s, name, label, value);

	return m == NULL ? NAN : m->value;
}

void metric_endpoint(const char *address, const char *port, char *out, size_t outlen)
{
	bool v6 = strchr(address, ':') != NULL;

	snprintf(out, outlen, "%s%s%s:%s", v6 ? "[" : "", address, v6 ? "]" : "", port);
}
