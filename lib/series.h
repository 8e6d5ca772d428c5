/*
 * Thresholds over every series of a metric: a plugin names a metric
 * ("haproxy_sessions_pct") and the labels that tell its objects apart
 * ("proxy", "server"), and each object gets its perfdata entry
 * ("haproxy_sessions_pct_web/app1"), its threshold check under the metric's
 * -w/-c, and a summary item in words when it crosses one
 * ("web/app1 sessions at 95% (> 90)"). Counters get the same as a rate per
 * second since the last run, kept in a state file.
 */
#ifndef VAKT_SERIES_H
#define VAKT_SERIES_H

#include "metric.h"
#include "output.h"
#include "plugin.h"
#include "statefile.h"

/* Who a series is about: the values of keys (NULL-terminated) joined by "/"; "" without keys. */
void series_subject(const struct metric *m, const char *const *keys, char *out, size_t outlen);

/*
 * Value v of m (a rate, say) in words with its unit: "1.5 MiB", "0.250 ms",
 * "95%", "3".
 */
void series_value(double v, const char *unit, char *out, size_t outlen);

/*
 * Every metric called name in set, as above: perfdata labelled name, then
 * "_" and the subject when there is one; the threshold of name (main metric
 * number main_index, or -1); an item "SUBJECT WHAT VALUE (> N)" when crossed.
 * Returns the worst state found.
 */
enum state series_check(struct result *r, const struct plugin_args *a,
			const struct metric_set *set, const char *name, int main_index,
			const char *const *keys, const char *what);

/*
 * Every counter called name in set, as a rate per second "NAME_rate" since
 * the sample sf kept from the last run (one per subject). The first run, a
 * counter that went backwards and an old sample give no rate, with the
 * reason in long output. When sf is NULL (sf_err says why) there are no
 * rates, and a threshold set on NAME_rate is UNKNOWN rather than a silent
 * OK. Returns the worst state found.
 */
enum state series_rate(struct result *r, const struct plugin_args *a, struct statefile *sf,
		       const char *sf_err, const struct metric_set *set, const char *name,
		       const char *const *keys, const char *what);

#endif
