/*
 * check_rabbitmq in two files: check_rabbitmq_args.c reads the command line
 * (the option table, --help, the metrics of each mode and what the options
 * together must make sense of) into struct check_rabbitmq_opts;
 * check_rabbitmq.c runs the check. Nothing else includes this.
 */
#ifndef VAKT_CHECK_RABBITMQ_H
#define VAKT_CHECK_RABBITMQ_H

#include <regex.h>
#include <stddef.h>

#include "plugin.h"
#include "probe/rabbitmq.h"

enum mode { MODE_DEFAULT, MODE_QUEUE, MODE_OVERVIEW, MODE_NODE, MODE_HEALTH };

/* What the command line asks for; check_rabbitmq_args fills it. */
struct check_rabbitmq_opts {
	enum mode mode;			/* never MODE_DEFAULT once parsed */
	const char *url, *vhost, *node; /* -u, --vhost (default /), --node */
	const char *regex_text;		/* --queue-regex, compiled into regex; NULL: none */
	const char **names;		/* --queue */
	size_t nnames;
	regex_t regex;
	struct rabbitmq_target target; /* the API to ask, its login and deadline */
	char hostport[300];	       /* the target label */
	char default_url[600];	       /* from -H and -p, when there is no -u */
};

/* A metric of one mode, and the words that say it crossed a bound: a printf format of its value. */
struct check_rabbitmq_metric {
	const char *name, *words;
	enum mode mode;
};

/* Every metric, in perfdata order. */
extern const struct check_rabbitmq_metric check_rabbitmq_metrics[];
extern const size_t check_rabbitmq_nmetrics;
extern const struct plugin check_rabbitmq;

/*
 * Parse the command line into o and a, and make o's target from both;
 * exits 3 on a usage error, as plugin_start does.
 */
void check_rabbitmq_args(int argc, char **argv, struct check_rabbitmq_opts *o,
			 struct plugin_args *a);
/* Free what check_rabbitmq_args kept in o. */
void check_rabbitmq_opts_free(struct check_rabbitmq_opts *o);

#endif
