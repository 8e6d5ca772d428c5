/*
 * The agent's expositions: a snapshot turned into bytes, for /metrics
 * (Prometheus text format 0.0.4) and the JSON API. Both are pure: no I/O,
 * no clock (the caller passes now), no state between calls; they only
 * append to out. A buffer cut at its cap (out->truncated) holds an invalid
 * document, which the caller must not serve.
 */
#ifndef VAKT_EXPOSE_H
#define VAKT_EXPOSE_H

#include "buf.h"
#include "snapshot.h"

/*
 * Append s as Prometheus text: every metric of every fresh source under its
 * Prometheus name (metricdoc_prometheus_name; values in base units), each
 * family once with HELP and TYPE, each series once (the first source that
 * has it wins); then vakt_collector_{up,duration_seconds,runs_total,
 * errors_total,last_success_seconds} labelled collector="NAME" (and
 * target="NAME" for a named one, see source_health_metrics) for every source,
 * stale or not, and vakt_uptime_seconds. Stale sources' metrics are left
 * out: a failing collector's series vanish and its vakt_collector_up is 0.
 */
void expose_prometheus(const struct snapshot *s, double now, struct buf *out);

/*
 * Append s as one JSON object {"metrics": [...], "collectors": [...]}: the
 * metrics of every source under their vakt names and units (stale ones
 * marked "stale": true), only those called family unless family is NULL,
 * and every collector's state. Returns how many metrics were written, or -1
 * when json-c could not build the document (nothing is appended then).
 */
int expose_json(const struct snapshot *s, double now, const char *family, struct buf *out);

/*
 * Append the key of m's series as /metrics writes it, "family{labels}"
 * ("family" without labels), and a NUL to out, and set *factor to what m's
 * value is multiplied by in /metrics (metricdoc_prometheus_name). 0, or -1
 * with nothing appended for a label set /metrics leaves out (too long).
 */
int expose_series_key(const struct metric *m, struct buf *out, double *factor);
/* Write v, in a unit factor times the base unit, as /metrics writes it. */
void expose_value(double v, double factor, char *out, size_t outlen);

#endif
