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
 * Where the rates of counters come from: a plugin's state file, kept from
 * its last run, or the agent's collection before the one judged. Neither
 * (no usable state directory, say) means no rates, and err says why.
 */
struct rates {
	struct statefile *sf;	       /* a plugin's counters from its last run */
	bool agent;		       /* the agent's: prev and elapsed, not sf */
	const struct metric_set *prev; /* the agent's previous collection; NULL: none yet */
	double elapsed;		       /* seconds between prev and the set judged */
	char err[512];		       /* why there are no rates at all */
};

/*
 * The counters the plugin kept on its last run with the same options
 * (a->state_key) and target, from --state-dir, into rates. target is what
 * the options resolved to where that can change outside the command line (a
 * defaults file's host, say), or NULL. Without a usable state directory
 * rates->sf is NULL, rates->err says why, and so does a long-output line
 * "no rates: ERR".
 */
void series_rates_open(struct result *r, const struct plugin_args *a, const char *target,
		       struct rates *rates);
/* Keep the counters for the next run ("rates not saved: ERR" when not) and let them go. */
void series_rates_close(struct result *r, struct rates *rates);

/*
 * The rate per second of counter m, called counter in a state file, since
 * the sample rates holds, into *per_s (NAN unless RATE_OK). rates must have
 * an sf or be the agent's.
 */
enum rate_status series_rate_one(struct rates *rates, const struct metric *m, const char *counter,
				 double *per_s);

/*
 * Every counter called name in set, as a rate per second "NAME_rate" since
 * the sample rates holds (one per subject). The first run, a counter that
 * went backwards and an old sample give no rate, with the reason in long
 * output. Without rates (rates->err says why) a threshold set on NAME_rate
 * is UNKNOWN rather than a silent OK. Returns the worst state found.
 */
enum state series_rate(struct result *r, const struct plugin_args *a, struct rates *rates,
		       const struct metric_set *set, const char *name, const char *const *keys,
		       const char *what);

/*
 * The summary item of a plugin that watched n queues, the deepest called
 * deepest with depth messages: "queue X has N messages" for one queue,
 * "N queues, deepest X with M messages" for several. When the deepest queue
 * is already named by an item of its own (named), only "N queues" is said,
 * and nothing at all for a single queue.
 */
void series_queues(struct result *r, size_t n, const char *deepest, double depth, bool named);

#endif
