/*
 * What each metric means, said once: the one-line description of every
 * metric name the probes and the agent produce, and how a vakt name and unit
 * become a Prometheus family name in base units. The agent's /metrics and
 * JSON API take their wording from here; anything else that describes a
 * metric should too.
 */
#ifndef VAKT_METRICDOC_H
#define VAKT_METRICDOC_H

#include <stddef.h>

#include "metric.h"

/* The one-line description of the metric called name, or NULL for an unknown name. */
const char *metricdoc_help(const char *name);

/*
 * Write the Prometheus family name of metric name with unit and kind into out
 * ("vakt_" prefix, the unit's base-unit suffix, "_total" for counters; any
 * character Prometheus does not allow becomes '_'; cut to fit outlen), and
 * set *factor to what a value must be multiplied by to be in that base unit
 * (0.001 for "ms", 0.01 for "%", 1 for units without a base unit).
 */
void metricdoc_prometheus_name(const char *name, const char *unit, enum metric_kind kind, char *out,
			       size_t outlen, double *factor);

/*
 * The base unit a value of unit is in once metricdoc_prometheus_name's
 * factor is applied, in words: "seconds", "bytes", "ratio", "" for a
 * count or none, and unit itself for a unit the table does not know
 * (its values are not scaled).
 */
const char *metricdoc_base_unit(const char *unit);

#endif
