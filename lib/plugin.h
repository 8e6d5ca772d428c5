/*
 * What every check plugin shares: the standard options of the plugin
 * contract, --help and --version generated from one table per plugin, usage
 * errors, the -t time limit, and the final print-and-exit. A plugin's main()
 * is an option table, plugin_start(), a probe call, thresholds and
 * plugin_finish(); it never prints or exits on its own.
 */
#ifndef VAKT_PLUGIN_H
#define VAKT_PLUGIN_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "output.h"
#include "range.h"

/* One option given as NAME=VALUE (a query-string argument); VALUE "" for a flag. */
struct plugin_pair {
	const char *name; /* the long name, without "--" */
	const char *value;
};

/* Standard options a plugin takes besides -h -V -v -t -w -c. */
enum plugin_common {
	PLUGIN_HOST = 1 << 0,	   /* -H, --hostname */
	PLUGIN_PORT = 1 << 1,	   /* -p, --port */
	PLUGIN_FAMILY = 1 << 2,	   /* -4, -6 */
	PLUGIN_STATE_DIR = 1 << 3, /* --state-dir */
	PLUGIN_LOGIN = 1 << 4,	   /* --user, --password-file */
	/* -w and -c are kept as given in raw_thresholds, for the plugin to check and pass on */
	PLUGIN_RAW_THRESHOLDS = 1 << 5,
};

/* One plugin-specific option. */
/*
 * One option of a plugin. An entry without help is another spelling of the
 * entry before it with the same val (an old name kept working): accepted,
 * long-only, and named in that entry's --help ("Also --ssl-ca."); the state
 * key and messages use the entry's own name.
 */
struct plugin_option {
	const char *name; /* long name, without "--" */
	int val;	  /* short option character, or a code >= 256 for long-only */
	const char *arg;  /* argument name for --help, NULL for a flag, "[=NAME]" when optional */
	const char *help; /* one or more lines, without the option itself; NULL: an alias */
};

struct plugin {
	const char *name;		     /* program name, "check_load" */
	const char *service;		     /* first word of the status line, "LOAD" */
	const char *purpose;		     /* what it checks, a paragraph for --help */
	const char *synopsis;		     /* the usage line after the program name */
	unsigned common;		     /* PLUGIN_* flags */
	const struct plugin_option *options; /* terminated by an entry with name NULL */
	const char *const *metrics;  /* metric names for -w/-c METRIC=RANGE, NULL-terminated */
	size_t nmain;		     /* the first nmain metrics take a bare -w/-c */
	const char *thresholds_help; /* what a bare -w/-c RANGE applies to */
	const char *host_help;	     /* what -H means here, when not the usual host/socket */
	const char *password_env;    /* environment variable with the password, or NULL */
	const char *examples;	     /* lines for the Examples section of --help */
	/* Handle a plugin option; 0, or -1 with a message in err (a usage error). */
	int (*option)(void *ctx, int val, const char *arg, char *err, size_t errlen);
};

/* What the standard options said. */
struct plugin_args {
	int verbose;
	double timeout;		  /* seconds */
	enum state timeout_state; /* the state reported when it expires */
	struct thresholds *thresholds;
	const char *host;
	long port;	       /* 0: not given */
	int family;	       /* AF_UNSPEC, AF_INET or AF_INET6 */
	const char *state_dir; /* NULL: the default */
	const char *user;
	char *password;	     /* from --password-file or password_env; NULL if neither */
	const char *program; /* the plugin's name, "check_haproxy" */
	/*
	 * Every option given that can change what the plugin counts, in a
	 * normal form: all but -v -t -w -c, --state-dir and secrets. Rates are
	 * kept per program and state_key (see series_rates_open), so two
	 * services that differ in any such option never share counters, and a
	 * new option cannot be forgotten.
	 */
	char *state_key;
	/* With PLUGIN_RAW_THRESHOLDS: every -w ("warning") and -c ("critical") as given. */
	struct plugin_pair *raw_thresholds;
	size_t nraw_thresholds;
};

/*
 * Parse the command line: plugin options go to p->option, standard ones into
 * args. --help and --version print and exit 3; a usage error prints a short
 * usage and exits 3. On return the -t limit is running. An empty argument
 * ("--queue ''", "--resque=") is a usage error whatever the option: none
 * gives it a meaning, and taken as given it would check nothing and say
 * so in words that hide the slip.
 *
 * A long option whose name says it names or holds a secret ("password",
 * "passwd", "token" or "secret" in it) must be given in full: getopt_long
 * would take "--password foo" as --password-file foo, and the user who
 * typed that gave the password itself. Such an option's argument never
 * appears in a message.
 */
void plugin_start(const struct plugin *p, int argc, char **argv, void *ctx,
		  struct plugin_args *args);
/*
 * Parse options given as pairs, the agent's way: without exiting, printing,
 * signals or a timer. Only warning, critical, verbose and the options
 * named in allowed (NULL-ended; the ones that change the judgement, never
 * where or how to connect) are taken, by their long names or aliases: p's
 * own, and hostname and port where they select rather than connect. Each
 * is checked as on a command line. Returns 0, or -1 with a usage error in
 * err. Free a with plugin_args_free() either way.
 */
int plugin_parse_pairs(const struct plugin *p, const char *const *allowed,
		       const struct plugin_pair *pairs, size_t n, void *ctx, struct plugin_args *a,
		       char *err, size_t errlen);
/* Free what plugin_parse_pairs() put in a. */
void plugin_args_free(struct plugin_args *a);
/* Report a usage error found after plugin_start (a missing option, say); exits 3. */
void plugin_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Print r, free it, and exit with its state. */
void plugin_finish(struct result *r) __attribute__((noreturn));
/*
 * End the run with output that lib/output rendered elsewhere (check_vakt
 * relays the agent's answer, byte for byte): printed as it is, exit s, as
 * plugin_finish() does; output (allocated) is taken over.
 */
void plugin_relay(enum state s, char *output) __attribute__((noreturn));
/* Shortcut for a run that ends with one item: print it and exit with s. */
void plugin_exit(enum state s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
/*
 * The state of value under the thresholds for metric (main metric number
 * main_index, or -1); why gets " (> 5)" naming the crossed bound, or "".
 */
enum state plugin_eval(const struct plugin_args *args, const char *metric, int main_index,
		       double value, char *why, size_t whylen);
/*
 * Evaluate p->value against the thresholds for metric (main metric number
 * main_index, or -1), add p as perfdata with those thresholds, and return the
 * state. why gets " (> 5)" naming the crossed bound, or "" when OK.
 */
enum state plugin_metric(struct result *r, const struct plugin_args *args, const char *metric,
			 int main_index, const struct perf *p, char *why, size_t whylen);
/*
 * Compile arg, the value of --option, into re as a POSIX extended regular
 * expression without subexpressions. *compiled says whether re holds an
 * earlier one, which is freed first (the last option wins) and is set to
 * whether re holds this one. Returns 0, or -1 with "invalid --OPTION 'ARG':
 * WHY" in err.
 */
int plugin_regex(regex_t *re, bool *compiled, const char *option, const char *arg, char *err,
		 size_t errlen);

#endif
