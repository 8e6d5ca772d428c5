/*
 * One check, judged the same way by its plugin and by the agent's check
 * endpoint (/api/v1/check/NAME): the plugin's option table and help, the
 * struct its options fill, and the verdict that turns a metric set into
 * states and words. The plugin fills the set from its probe; the agent hands
 * over what its collector last collected. Neither front end judges anything
 * itself, so check_vakt against an agent says what the plugin says on the
 * host.
 *
 * A plugin is then: plugin_start() with v->plugin, its probe into a set,
 * verdict_judge(), plugin_finish(). What only a plugin can get wrong (a URL
 * and a socket both given) stays in its main().
 */
#ifndef VAKT_VERDICT_H
#define VAKT_VERDICT_H

#include <stddef.h>

#include "metric.h"
#include "output.h"
#include "plugin.h"
#include "series.h"

/*
 * The most options one check request may give (thresholds and verbose
 * included, instance and format not): the agent's limit, which check_vakt
 * holds its command line to.
 */
#define VERDICT_MAX_OPTIONS 32

/* What a verdict judges. */
struct verdict_in {
	const struct plugin_args *args; /* thresholds and -v */
	const void *opts;		/* the check's own options, parsed */
	const struct metric_set *set;	/* what the probe or the collector found */
	const char *source;		/* where from, in words: "127.0.0.1:6379", a URL */
	struct rates *rates;		/* the counters' previous sample */
};

struct verdict {
	const char *name; /* the check endpoint's: "haproxy", "mysql_locks" */
	const char *kind; /* the collector kind whose metrics it judges: "haproxy", "mysql" */
	const struct plugin *plugin;
	/*
	 * The plugin options the check endpoint takes (NULL-ended long names):
	 * those that change only the judgement. Where and how to connect is the
	 * agent's configuration, never a client's to choose.
	 */
	const char *const *agent_options;
	size_t opts_size;	       /* the size of the options' struct */
	void (*opts_init)(void *opts); /* defaults into a zeroed struct; NULL: zeros */
	void (*opts_free)(void *opts); /* free what options hold; NULL: nothing */
	/*
	 * After every option: a combination that cannot be judged (a threshold
	 * on the other mode's metrics), -1 with the usage error in err; NULL:
	 * none. It may add to a->thresholds the defaults that depend on the
	 * options (check_rabbitmq's queue_stalled in queue mode), so that both
	 * front ends have them.
	 */
	int (*opts_check)(const void *opts, const struct plugin_args *a, char *err, size_t errlen);
	/*
	 * The agent's section to judge when the options name it (--process
	 * nginx: [process nginx]): its kind and NAME into *kind and *instance.
	 * NULL: always [kind], NAME from the request's instance=.
	 */
	void (*section)(const void *opts, const char **kind, const char **instance);
	void (*judge)(struct result *r, const struct verdict_in *in);
};

extern const struct verdict verdict_haproxy;
extern const struct verdict verdict_load;
extern const struct verdict verdict_fds;
extern const struct verdict verdict_listen;
extern const struct verdict verdict_mysql_locks;
extern const struct verdict verdict_pgsql_locks;
extern const struct verdict verdict_redis;
extern const struct verdict verdict_rabbitmq;
extern const struct verdict verdict_nginx;
extern const struct verdict verdict_supervisor;

/*
 * A plugin's plugin_start() for v, with opts (v->opts_size bytes) set up by
 * v->opts_init and checked by v->opts_check (a usage error exits 3).
 */
void verdict_start(const struct verdict *v, int argc, char **argv, void *opts,
		   struct plugin_args *a);
/*
 * The agent's: opts (v->opts_size bytes, set up here) and a from the pairs
 * of a request, as plugin_parse_pairs() and v->opts_check. 0, or -1 with
 * the usage error in err; free both with verdict_free_opts() either way.
 */
int verdict_parse(const struct verdict *v, const struct plugin_pair *pairs, size_t n, void *opts,
		  struct plugin_args *a, char *err, size_t errlen);
void verdict_free_opts(const struct verdict *v, void *opts, struct plugin_args *a);

/* Judge in by v into a new result named after v's service (the caller frees it). */
struct result *verdict_judge(const struct verdict *v, const struct verdict_in *in);

/* Every verdict, NULL-ended: what the agent's check endpoint serves. */
extern const struct verdict *const verdicts[];

/* The verdict called name, or NULL. */
const struct verdict *verdict_find(const char *name);

#endif
