/*
 * A metric set: what one collection found, as named values with labels, a
 * unit and a kind. Probes fill one; the plugins read it to apply thresholds
 * and the agent publishes it. Names, units and label names are the probes'
 * string constants and are not copied; label values are copied and owned by
 * the set. A finished set can be shared (metric_set_ref): the agent hands one
 * collection's set to every snapshot that holds it, without copying it.
 */
#ifndef VAKT_METRIC_H
#define VAKT_METRIC_H

#include <stddef.h>

enum metric_kind {
	METRIC_GAUGE,	/* a level that goes up and down */
	METRIC_COUNTER, /* only grows, until the source restarts */
};

struct metric_label {
	const char *name; /* a string constant */
	char *value;
};

struct metric {
	const char *name; /* e.g. "load1", "listen_queue"; a string constant */
	const char *unit; /* perfdata unit: "", "s", "%", "B", ...; a string constant */
	enum metric_kind kind;
	double value; /* NAN when it could not be determined */
	struct metric_label *labels;
	size_t nlabels;
};

struct metric_set;

struct metric_set *metric_set_new(void);
/*
 * Another reference to s (NULL gives NULL), for another thread to read: s
 * must not change any more. Every reference is given back with
 * metric_set_free; the last one frees the set.
 */
struct metric_set *metric_set_ref(struct metric_set *s);
/* Give back a reference (a new set has one); the last frees s. NULL is fine. */
void metric_set_free(struct metric_set *s);
/*
 * Add a metric and return it, for metric_label_add(); valid until the set
 * changes. name and unit must outlive the set (string constants).
 */
struct metric *metric_set_add(struct metric_set *s, const char *name, enum metric_kind kind,
			      const char *unit, double value);
/* Add a label; name must outlive the set (a string constant), value is copied. */
void metric_label_add(struct metric *m, const char *name, const char *value);
/*
 * Add a copy of m, labels and all, to s and return it: a verdict's view of
 * the part of a set it judges (one node, the queues asked for).
 */
struct metric *metric_set_copy(struct metric_set *s, const struct metric *m);
/* Add label name = value to every metric of s that lacks a label called name. */
void metric_set_label_missing(struct metric_set *s, const char *name, const char *value);
/* The value of label name, or NULL. */
const char *metric_label(const struct metric *m, const char *name);
/*
 * A listener's address and port as one name, "127.0.0.1:80" or "[::1]:80":
 * the subject of every listen_queue perfdata label ("listen_queue_ADDR:PORT")
 * in the plugins and the agent's check endpoint.
 */
void metric_endpoint(const char *address, const char *port, char *out, size_t outlen);
size_t metric_set_count(const struct metric_set *s);
const struct metric *metric_set_at(const struct metric_set *s, size_t i);
/*
 * The first metric called name whose label has value (any metric called name
 * when label is NULL), or NULL.
 */
const struct metric *metric_set_find(const struct metric_set *s, const char *name,
				     const char *label, const char *value);
/* The metric called name with exactly the labels of like, or NULL. */
const struct metric *metric_set_find_like(const struct metric_set *s, const char *name,
					  const struct metric *like);
/* The value of metric_set_find(), or NAN when there is no such metric. */
double metric_set_value(const struct metric_set *s, const char *name, const char *label,
			const char *value);

#endif
