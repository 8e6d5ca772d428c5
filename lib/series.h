/*
 * Thresholds over every series of a metric: a plugin names a metric
 * ("haproxy_sessions_pct") and the labels that tell its objects apart
 * ("proxy", "server"), and each object gets its perfdata entry
 * ("haproxy_sessions_pct_web/app1"), its threshold check under the metric's
 * -w/-c, and a summary item in words when it crosses one
 * ("web/app1 sessions at 95% (> 90)"). Counters get the same as a rate per
 * second since the last run, kept in a state file.
 *
 * The words are "SUBJECT WHAT VALUE" by default. A what holding a '%' is a
 * printf format of the value alone, for words that put it elsewhere
 * ("%.2f keys evicted/s" makes "0.50 keys evicted/s"); a plugin whose
 * objects each need their own words gives a series_words_fn.
 */
#ifndef VAKT_SERIES_H
#define VAKT_SERIES_H

#include "metric.h"
#include "output.h"
#include "plugin.h"
#include "statefile.h"

/*
 * Who a series is about: the values of keys (NULL-terminated) joined by "/";
 * "" without keys. A key "LABEL=VALUE" leaves LABEL out where it has VALUE
 * (RabbitMQ's default vhost: "vhost=/").
 */
void series_subject(const struct metric *m, const char *const *keys, char *out, size_t outlen);

/*
 * Value v of m (a rate, say) in words with its unit: "1.5 MiB", "0.250 ms",
 * "95%", "3".
 */
void series_value(double v, const char *unit, char *out, size_t outlen);

/*
 * The words for series m at value v that crossed a bound, given the
 * caller's what; the bound (" (> 5)") follows them.
 */
typedef void series_words_fn(const struct metric *m, double v, const char *what, char *out,
			     size_t outlen);

/*
 * Every metric called name in set, as above: perfdata labelled name, then
 * "_" and the subject when there is one; the threshold of name (main metric
 * number main_index, or -1); an item "SUBJECT WHAT VALUE (> N)" when crossed.
 * Returns the worst state found.
 */
enum state series_check(struct result *r, const struct plugin_args *a, const struct metric_set *set,
			const char *name, int main_index, const char *const *keys,
			const char *what);

/* series_check with the words of each crossed item from words(m, v, what). */
enum state series_check_words(struct result *r, const struct plugin_args *a,
			      const struct metric_set *set, const char *name, int main_index,
			      const char *const *keys, const char *what, series_words_fn *words);

/*
 * The counters the plugin kept on its last run with the same options
 * (a->state_key) and target, from --state-dir. target is what the options
 * resolved to where that can change outside the command line (a defaults
 * file's host, say), or NULL. NULL when there is no usable state
 * directory: then err says why, and so does a long-output line "no rates:
 * ERR"; pass err on to series_rate().
 */
struct statefile *series_state_open(struct result *r, const struct plugin_args *a,
				    const char *target, char *err, size_t errlen);
/* Keep the counters of sf for the next run ("rates not saved: ERR" when not) and free sf. */
void series_state_close(struct result *r, struct statefile *sf);

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

/*
 * The summary item of a plugin that watched n queues, the deepest called
 * deepest with depth messages: "queue X has N messages" for one queue,
 * "N queues, deepest X with M messages" for several. When the deepest queue
 * is already named by an item of its own (named), only "N queues" is said,
 * and nothing at all for a single queue.
 */
void series_queues(struct result *r, size_t n, const char *deepest, double depth, bool named);

#endif
