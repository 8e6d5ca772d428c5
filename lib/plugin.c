/*
 * Shared plugin front end (see plugin.h): option parsing, --help, usage
 * errors, the time limit, signals, and the one place a plugin prints its
 * result and exits.
 *
 * The time limit is a real-time interval timer whose handler writes a line
 * prepared in advance and calls _exit(), so a read that hangs in the kernel
 * cannot outlive -t.
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "buf.h"
#include "fileio.h"
#include "num.h"
#include "plugin.h"
#include "progress.h"
#include "secret.h"
#include "xalloc.h"

#define DEFAULT_TIMEOUT 10.0

enum {
	OPT_STATE_DIR = 1000,
	OPT_USER,
	OPT_PASSWORD_FILE,
};

static const struct plugin *current;
static struct plugin_args *current_args;

/* What the signal handlers write; set before any handler is armed. */
static const char *timeout_state_text; /* " CRITICAL - timed out after " */
static char timeout_secs[32];
static int timeout_code;

static void write_str(const char *s)
{
	file_write_str(STDOUT_FILENO, s);
}

/* Only write() and _exit() here: the handlers may interrupt anything. */
static void on_timeout(int sig)
{
	(void)sig;
	write_str(current->service);
	write_str(timeout_state_text);
	write_str(timeout_secs);
	write_str(" s");
	progress_write(STDOUT_FILENO);
	write_str("\n");
	_exit(timeout_code);
}

static void on_signal(int sig)
{
	(void)sig;
	write_str(current->service);
	write_str(" UNKNOWN - stopped by a signal\n");
	_exit(STATE_UNKNOWN);
}

#ifndef VAKT_SANITIZERS
static void on_crash(int sig)
{
	(void)sig;
	write_str(current->service);
	write_str(" UNKNOWN - internal error (the plugin crashed), please report it\n");
	_exit(STATE_UNKNOWN);
}
#endif

static void on_oom(void)
{
	write_str(current->service);
	write_str(" UNKNOWN - out of memory\n");
	_exit(STATE_UNKNOWN);
}

static void handle(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigfillset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void install_signals(void)
{
	handle(SIGPIPE, SIG_IGN);
	handle(SIGTERM, on_signal);
	handle(SIGINT, on_signal);
	handle(SIGHUP, on_signal);
#ifndef VAKT_SANITIZERS
	handle(SIGSEGV, on_crash);
	handle(SIGBUS, on_crash);
	handle(SIGFPE, on_crash);
	handle(SIGILL, on_crash);
	handle(SIGABRT, on_crash);
#endif
	xalloc_set_fail(on_oom);
}

static void arm_timeout(const struct plugin_args *a)
{
	static const char *const texts[] = {
	    [STATE_OK] = " OK - timed out after ",
	    [STATE_WARNING] = " WARNING - timed out after ",
	    [STATE_CRITICAL] = " CRITICAL - timed out after ",
	    [STATE_UNKNOWN] = " UNKNOWN - timed out after ",
	};
	struct itimerval it;

	num_format(a->timeout, timeout_secs, sizeof(timeout_secs));
	timeout_state_text = texts[a->timeout_state];
	timeout_code = (int)a->timeout_state;
	progress_enable();
	handle(SIGALRM, on_timeout);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = (time_t)a->timeout;
	it.it_value.tv_usec = (suseconds_t)((a->timeout - (double)it.it_value.tv_sec) * 1e6);
	if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0)
		it.it_value.tv_usec = 1;
	setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * The usage after an error, which Nagios and Icinga read as long output:
 * there a '|' would start perfdata, so the synopsis says "or" instead.
 */
static void print_short_usage(void)
{
	printf("Usage: %s ", current->name);
	for (const char *p = current->synopsis; *p != '\0'; p++) {
		if (*p != '|')
			putchar(*p);
		else if (p > current->synopsis && p[-1] == ' ')
			fputs("or", stdout);
		else
			fputs(" or ", stdout);
	}
	printf("\nTry '%s --help' for more information.\n", current->name);
}

void plugin_usage_error(const char *fmt, ...)
{
	struct result *r = result_new(current->service);
	char *msg, *out;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	/* Through the result, so that what the user typed is cleaned like any text. */
	result_add(r, STATE_UNKNOWN, "%s", msg != NULL ? msg : "out of memory");
	out = result_render(r);
	fflush(stdout);
	fputs(out, stdout);
	free(out);
	free(msg);
	result_free(r);
	print_short_usage();
	fflush(stdout);
	_exit(STATE_UNKNOWN);
}

/* Where option descriptions start, as in GNU --help (and as help2man reads it). */
#define HELP_COLUMN 24

/* Print text as lines of at most 79 columns, the first after col, the rest indented to col. */
static void print_wrapped(const char *text, int col)
{
	const char *p = text;
	int at = col;

	while (*p != '\0') {
		size_t word = strcspn(p, " \n");

		if (at > col && at + 1 + (int)word > 79) {
			printf("\n%*s", col, "");
			at = col;
		}
		if (at > col) {
			putchar(' ');
			at++;
		}
		printf("%.*s", (int)word, p);
		at += (int)word;
		p += word;
		while (*p == ' ' || *p == '\n')
			p++;
	}
	putchar('\n');
}

static void print_option(const char *shortopt, const char *longopt, const char *arg,
			 const char *help)
{
	/* An optional argument is written "[=NAME]" already. */
	const char *eq = arg != NULL && strncmp(arg, "[=", 2) != 0 ? "=" : "";
	char head[96];

	if (shortopt != NULL)
		snprintf(head, sizeof(head), "  -%s, --%s%s%s", shortopt, longopt, eq,
			 arg != NULL ? arg : "");
	else
		snprintf(head, sizeof(head), "      --%s%s%s", longopt, eq, arg != NULL ? arg : "");
	/* The help beside the option when it fits, else on the next line. */
	if ((int)strlen(head) < HELP_COLUMN - 1)
		printf("%-*s", HELP_COLUMN, head);
	else
		printf("%s\n%*s", head, HELP_COLUMN, "");
	print_wrapped(help, HELP_COLUMN);
}

static void print_help(void)
{
	const struct plugin *p = current;

	printf("%s v%s (vakt %s)\n\n%s\n\n", p->name, PACKAGE_VERSION, PACKAGE_VERSION, p->purpose);
	printf("Usage: %s %s\n\nOptions:\n", p->name, p->synopsis);
	print_option("h", "help", NULL, "Print this help and exit with status 3.");
	print_option("V", "version", NULL, "Print the version and exit with status 3.");
	print_option("v", "verbose", NULL, "More detail in the long output; repeatable.");
	print_option("t", "timeout", "SECONDS[:STATE]",
		     "Give up after SECONDS (default 10, decimals allowed) and report STATE:\n"
		     "ok, warning, critical (the default) or unknown.");
	print_option("w", "warning", "[METRIC=]RANGE",
		     "Warning threshold; repeatable. See Thresholds.");
	print_option("c", "critical", "[METRIC=]RANGE",
		     "Critical threshold; repeatable. See Thresholds.");
	if (p->common & PLUGIN_HOST)
		print_option("H", "hostname", "HOST",
			     p->host_help != NULL
				 ? p->host_help
				 : "Host name, IPv4 address, IPv6 literal or absolute unix "
				   "socket path.");
	if (p->common & PLUGIN_PORT)
		print_option("p", "port", "PORT", "TCP port.");
	if (p->common & PLUGIN_FAMILY) {
		print_option("4", "ipv4", NULL, "Use IPv4 only.");
		print_option("6", "ipv6", NULL, "Use IPv6 only.");
	}
	if (p->common & PLUGIN_LOGIN) {
		print_option(NULL, "user", "NAME", "Log in as NAME.");
		print_option(NULL, "password-file", "FILE",
			     p->password_env != NULL
				 ? "Read the password from the first line of FILE, a regular\n"
				   "file not every user may read (chmod o-r); without it,\n"
				   "from the environment (see below)."
				 : "Read the password from the first line of FILE, a regular\n"
				   "file not every user may read (chmod o-r).");
	}
	if (p->common & PLUGIN_STATE_DIR)
		print_option(NULL, "state-dir", "DIR",
			     "Keep counters for rates between runs in DIR (default " VAKT_STATEDIR
			     ",\nor a private directory under $TMPDIR when that is not writable).");
	for (const struct plugin_option *o = p->options; o->name != NULL; o++) {
		char s[2] = {(char)o->val, '\0'};
		struct buf help;

		if (o->help == NULL)
			continue;
		buf_init(&help, 4096);
		buf_puts(&help, o->help);
		for (const struct plugin_option *a = o + 1; a->name != NULL && a->help == NULL; a++)
			buf_printf(&help, "%s--%s", a == o + 1 ? "\nAlso " : ", ", a->name);
		if (o[1].name != NULL && o[1].help == NULL)
			buf_puts(&help, ".");
		print_option(o->val < 256 ? s : NULL, o->name, o->arg, buf_str(&help));
		buf_free(&help);
	}
	printf("\nThresholds:\n  %s\n", p->thresholds_help);
	printf("  RANGE is [@][START:][END]: alert when the value is outside START..END\n"
	       "  (inclusive; START defaults to 0, no END means no upper limit, '~' as\n"
	       "  START means no lower limit), or inside it with '@'. '10' alerts above\n"
	       "  10 or below 0, '10:' below 10, '~:10' above 10, '@10:20' from 10 to 20.\n");
	if (p->metrics != NULL && p->metrics[0] != NULL) {
		size_t col = 4;

		printf("  METRIC=RANGE sets a threshold on one metric; METRIC is one of:\n   ");
		for (size_t i = 0; p->metrics[i] != NULL; i++) {
			col += strlen(p->metrics[i]) + 1;
			if (col > 78) {
				printf("\n   ");
				col = 4 + strlen(p->metrics[i]) + 1;
			}
			printf(" %s", p->metrics[i]);
		}
		printf("\n");
	}
	if (p->password_env != NULL)
		printf("\nEnvironment:\n  %s  the password, when --password-file is not given.\n",
		       p->password_env);
	printf("\nExamples:\n%s\n", p->examples);
	printf("\nExit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n");
}

static int parse_timeout(const char *arg, struct plugin_args *a)
{
	const char *colon = strchr(arg, ':');
	char *secs = xstrndup(arg, colon == NULL ? strlen(arg) : (size_t)(colon - arg));
	int r = num_parse(secs, &a->timeout);

	free(secs);
	if (r != 0 || a->timeout <= 0 || a->timeout > 86400)
		return -1;
	if (colon != NULL && state_parse(colon + 1, &a->timeout_state) != 0)
		return -1;
	return 0;
}

/* Handle a standard option; 0, or -1 with err set. */
static int common_option(const struct plugin *p, int c, const char *arg, struct plugin_args *a,
			 char *err, size_t errlen)
{
	switch (c) {
	case 'v':
		a->verbose += a->verbose < 3;
		return 0;
	case 't':
		if (parse_timeout(arg, a) == 0)
			return 0;
		snprintf(
		    err, errlen,
		    "invalid timeout '%s': expected a positive number of seconds (at most 86400), "
		    "optionally followed by :ok, :warning, :critical or :unknown",
		    arg);
		return -1;
	case 'w':
	case 'c':
		if (p->common & PLUGIN_RAW_THRESHOLDS) {
			a->raw_thresholds = xgrow(a->raw_thresholds, a->nraw_thresholds,
						  sizeof(*a->raw_thresholds));
			a->raw_thresholds[a->nraw_thresholds++] =
			    (struct plugin_pair){c == 'c' ? "critical" : "warning", arg};
			return 0;
		}
		return thresholds_add(a->thresholds, c == 'c', arg, p->nmain, err, errlen);
	case 'H':
		if (arg[0] != '\0' && strlen(arg) < 256)
			a->host = arg;
		else
			snprintf(err, errlen, "invalid host '%s'", arg);
		return a->host == arg ? 0 : -1;
	case 'p':
		if (num_parse_long(arg, 1, 65535, &a->port) == 0)
			return 0;
		snprintf(err, errlen, "invalid port '%s': expected 1 to 65535", arg);
		return -1;
	case '4':
		a->family = AF_INET;
		return 0;
	case '6':
		a->family = AF_INET6;
		return 0;
	case OPT_STATE_DIR:
		a->state_dir = arg;
		return 0;
	case OPT_USER:
		a->user = arg;
		return 0;
	}
	snprintf(err, errlen, "internal error: option %d not handled", c);
	return -1;
}

struct optspec {
	struct option *longs;
	size_t n;
	struct buf shorts;
};

/* Add option name; an alias (another spelling of an option) is long-only. */
static void spec_add(struct optspec *s, const char *name, int has_arg, int val, bool alias)
{
	s->longs = xgrow(s->longs, s->n, sizeof(*s->longs));
	s->longs[s->n].name = name;
	s->longs[s->n].has_arg = has_arg;
	s->longs[s->n].flag = NULL;
	s->longs[s->n].val = val;
	s->n++;
	if (name != NULL && val < 256 && !alias) {
		char c = (char)val;

		buf_append(&s->shorts, &c, 1);
		if (has_arg == required_argument)
			buf_puts(&s->shorts, ":");
	}
}

static void build_spec(const struct plugin *p, struct optspec *s)
{
	unsigned c = p->common;

	memset(s, 0, sizeof(*s));
	buf_init(&s->shorts, 256);
	buf_puts(&s->shorts, ":"); /* report a missing argument as ':' */
	spec_add(s, "help", no_argument, 'h', false);
	spec_add(s, "version", no_argument, 'V', false);
	spec_add(s, "verbose", no_argument, 'v', false);
	spec_add(s, "timeout", required_argument, 't', false);
	spec_add(s, "warning", required_argument, 'w', false);
	spec_add(s, "critical", required_argument, 'c', false);
	if (c & PLUGIN_HOST)
		spec_add(s, "hostname", required_argument, 'H', false);
	if (c & PLUGIN_PORT)
		spec_add(s, "port", required_argument, 'p', false);
	if (c & PLUGIN_FAMILY) {
		spec_add(s, "ipv4", no_argument, '4', false);
		spec_add(s, "ipv6", no_argument, '6', false);
	}
	if (c & PLUGIN_STATE_DIR)
		spec_add(s, "state-dir", required_argument, OPT_STATE_DIR, false);
	if (c & PLUGIN_LOGIN) {
		spec_add(s, "user", required_argument, OPT_USER, false);
		spec_add(s, "password-file", required_argument, OPT_PASSWORD_FILE, false);
	}
	for (const struct plugin_option *o = p->options; o->name != NULL; o++)
		spec_add(s, o->name,
			 o->arg == NULL			 ? no_argument
			 : strncmp(o->arg, "[=", 2) == 0 ? optional_argument
							 : required_argument,
			 o->val, o->help == NULL);
	spec_add(s, NULL, 0, 0, false);
}

/*
 * The option getopt just stopped at, as the user wrote it but without an
 * "=ARGUMENT" (which may be a secret), for messages.
 */
static const char *option_text(char **argv)
{
	static char text[128];
	const char *arg = argv[optind - 1];

	/* For a short option inside a cluster ("-rx"), name just that letter. */
	if (optopt > 0 && optopt < 256 && strncmp(arg, "--", 2) != 0)
		snprintf(text, sizeof(text), "-%c", optopt);
	else
		snprintf(text, sizeof(text), "%.*s", (int)strcspn(arg, "="), arg);
	return text;
}

/* Whether a long option names or holds a secret, by its name. */
static bool secret_option(const char *name)
{
	static const char *const words[] = {"password", "passwd", "token", "secret", NULL};

	for (size_t i = 0; words[i] != NULL; i++)
		if (strstr(name, words[i]) != NULL)
			return true;
	return false;
}

/*
 * The argv element that held the long option getopt_long just returned:
 * the one before its argument when that came as the next element.
 */
static const char *long_option_typed(char **argv)
{
	const char *last = argv[optind - 1];

	if (optarg != NULL && optarg == last && optind >= 2)
		return argv[optind - 2];
	return last;
}

/* Exit 3 when the secret long option o was reached through an abbreviation. */
static void refuse_abbreviation(const struct option *o, char **argv)
{
	const char *typed = long_option_typed(argv);
	size_t len;

	if (!secret_option(o->name) || strncmp(typed, "--", 2) != 0)
		return;
	len = strcspn(typed + 2, "=");
	if (len != strlen(o->name))
		plugin_usage_error("unknown option '--%.*s' (an option for a secret must be "
				   "given in full, as --%s)",
				   (int)(len < 64 ? len : 64), typed + 2, o->name);
}

/* The options that make the state key, in the order given. */
struct keypart {
	const char *name;
	const char *arg; /* NULL for a flag */
};

/* Whether option c (long name name) can change what a plugin counts. */
static bool counts(int c, const char *name)
{
	return c != 'v' && c != 't' && c != 'w' && c != 'c' && c != OPT_STATE_DIR &&
	       c != OPT_PASSWORD_FILE && !secret_option(name);
}

/* Append s to b with '%', space and control bytes as %XX, so parts cannot run together. */
static void key_escape(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '%' || ch <= ' ' || ch == 0x7f)
			buf_printf(b, "%%%02X", ch);
		else
			buf_append(b, s, 1);
	}
}

/*
 * The state key: "--NAME=ARG" for every part, sorted by name but keeping the
 * order of one option given twice (the last of "--proxy a --proxy b" wins,
 * so that order matters; "--proxy a --server b" and "--server b --proxy a"
 * count the same).
 */
static char *state_key(struct keypart *parts, size_t n)
{
	struct buf b;

	/* Insertion sort: stable, and there are a handful of parts. */
	for (size_t i = 1; i < n; i++) {
		struct keypart k = parts[i];
		size_t j = i;

		for (; j > 0 && strcmp(parts[j - 1].name, k.name) > 0; j--)
			parts[j] = parts[j - 1];
		parts[j] = k;
	}
	buf_init(&b, 65536);
	for (size_t i = 0; i < n; i++) {
		buf_printf(&b, "%s--%s", i > 0 ? " " : "", parts[i].name);
		if (parts[i].arg != NULL) {
			buf_puts(&b, "=");
			key_escape(&b, parts[i].arg);
		}
	}
	return buf_steal(&b);
}

/* The long name of option c in s. */
static const char *spec_name(const struct optspec *s, int c)
{
	for (size_t i = 0; i < s->n && s->longs[i].name != NULL; i++)
		if (s->longs[i].val == c)
			return s->longs[i].name;
	return "?";
}

static void load_password(const struct plugin *p, const char *file, struct plugin_args *a)
{
	char err[512];

	if (secret_load_as(file, "--password-file", p->password_env, &a->password, err,
			   sizeof(err)) < 0)
		plugin_usage_error("%s", err);
}

static void args_init(const struct plugin *p, struct plugin_args *a)
{
	memset(a, 0, sizeof(*a));
	a->timeout = DEFAULT_TIMEOUT;
	a->timeout_state = STATE_CRITICAL;
	a->thresholds = thresholds_new();
	a->program = p->name;
}

/* The entry of p's table that option name (an alias too) stands for, or NULL. */
static const struct plugin_option *option_named(const struct plugin *p, const char *name)
{
	const struct plugin_option *main = NULL;

	for (const struct plugin_option *o = p->options; o->name != NULL; o++) {
		main = o->help != NULL ? o : main;
		if (strcmp(o->name, name) == 0)
			return main;
	}
	return NULL;
}

static bool listed(const char *const *list, const char *name)
{
	for (; list != NULL && *list != NULL; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

int plugin_parse_pairs(const struct plugin *p, const char *const *allowed,
		       const struct plugin_pair *pairs, size_t n, void *ctx, struct plugin_args *a,
		       char *err, size_t errlen)
{
	static const struct {
		const char *name;
		int val;
		bool always; /* taken by every check; the others only when allowed */
	} common[] = {{"warning", 'w', true},
		      {"critical", 'c', true},
		      {"verbose", 'v', true},
		      {"hostname", 'H', false},
		      {"port", 'p', false}};

	args_init(p, a);
	for (size_t i = 0; i < n; i++) {
		const char *name = pairs[i].name, *value = pairs[i].value;
		const struct plugin_option *o = option_named(p, name);
		bool flag = o != NULL && o->arg == NULL;
		int val = 0;

		for (size_t k = 0; k < sizeof(common) / sizeof(common[0]); k++)
			if (strcmp(name, common[k].name) == 0 &&
			    (common[k].always || listed(allowed, name)))
				val = common[k].val;
		if (val == 0 && (o == NULL || !listed(allowed, o->name))) {
			snprintf(err, errlen, "unknown option '%s'", name);
			return -1;
		}
		flag = flag || val == 'v';
		/* A flag takes no value ("?per-cpu"); an option needs one, as on a command line. */
		if (flag && value[0] != '\0') {
			snprintf(err, errlen, "option '%s' takes no value", name);
			return -1;
		}
		if (!flag && value[0] == '\0') {
			snprintf(err, errlen, "option '%s' needs a non-empty value", name);
			return -1;
		}
		err[0] = '\0';
		if ((val != 0 ? common_option(p, val, flag ? NULL : value, a, err, errlen)
			      : p->option(ctx, o->val, flag ? NULL : value, err, errlen)) != 0) {
			if (err[0] == '\0')
				snprintf(err, errlen, "invalid option '%s'", name);
			return -1;
		}
	}
	if (p->metrics != NULL) {
		const char *bad = thresholds_unknown_metric(a->thresholds, p->metrics);

		if (bad != NULL) {
			snprintf(err, errlen, "unknown metric '%s' in a threshold", bad);
			return -1;
		}
	}
	return 0;
}

void plugin_args_free(struct plugin_args *a)
{
	thresholds_free(a->thresholds);
	secret_free(a->password);
	free(a->state_key);
	free(a->raw_thresholds);
	memset(a, 0, sizeof(*a));
}

void plugin_start(const struct plugin *p, int argc, char **argv, void *ctx, struct plugin_args *a)
{
	struct optspec spec;
	const char *password_file = NULL;
	struct keypart *parts = xcalloc((size_t)argc + 1, sizeof(*parts));
	size_t nparts = 0;
	char err[512];
	size_t nplugin = 0;
	int c, longindex = -1;

	current = p;
	current_args = a;
	args_init(p, a);
	install_signals();
	build_spec(p, &spec);
	for (const struct plugin_option *o = p->options; o->name != NULL; o++)
		nplugin++;
	opterr = 0;
	while ((c = getopt_long(argc, argv, buf_str(&spec.shorts), spec.longs, &longindex)) != -1) {
		const char *name;
		bool typed_long = longindex >= 0;
		int r;

		err[0] = '\0';
		if (typed_long)
			refuse_abbreviation(&spec.longs[longindex], argv);
		name = typed_long ? spec.longs[longindex].name : spec_name(&spec, c);
		longindex = -1;
		/* The key names an option as its table does, whichever spelling was typed. */
		if (c != '?' && c != ':' && counts(c, name))
			parts[nparts++] = (struct keypart){spec_name(&spec, c), optarg};
		if (c == 'h' || c == 'V') {
			if (c == 'h')
				print_help();
			else
				printf("%s v%s (vakt %s)\n", p->name, PACKAGE_VERSION,
				       PACKAGE_VERSION);
			fflush(stdout);
			_exit(STATE_UNKNOWN);
		}
		if (c == '?')
			plugin_usage_error("unknown option '%s'", option_text(argv));
		if (c == ':')
			plugin_usage_error("option '%s' needs an argument", option_text(argv));
		/* No option gives an empty string a meaning: it is a slip, never "nothing". */
		if (optarg != NULL && optarg[0] == '\0')
			plugin_usage_error("option '%s%s' needs a non-empty argument",
					   typed_long ? "--" : "-",
					   typed_long ? name : (char[2]){(char)c, '\0'});
		if (c == OPT_PASSWORD_FILE) {
			password_file = optarg;
			continue;
		}
		r = -2; /* not a plugin option */
		for (size_t i = 0; i < nplugin; i++)
			if (p->options[i].val == c)
				r = p->option(ctx, c, optarg, err, sizeof(err));
		if (r == -2)
			r = common_option(p, c, optarg, a, err, sizeof(err));
		if (r != 0)
			plugin_usage_error("%s", err[0] != '\0' ? err : "invalid arguments");
	}
	a->state_key = state_key(parts, nparts);
	free(parts);
	free(spec.longs);
	buf_free(&spec.shorts);
	if (optind < argc)
		plugin_usage_error("unexpected argument '%s'", argv[optind]);
	if (p->metrics != NULL) {
		const char *bad = thresholds_unknown_metric(a->thresholds, p->metrics);

		if (bad != NULL)
			plugin_usage_error(
			    "unknown metric '%s' in a threshold (see --help for the list)", bad);
	}
	/* From here on, nothing may outlive -t: not even a password file on a FIFO. */
	arm_timeout(a);
	if (p->common & PLUGIN_LOGIN)
		load_password(p, password_file, a);
}

/* Print out (taken over), free what the run holds and exit s: the one way a plugin ends. */
static void finish(enum state s, char *out) __attribute__((noreturn));
static void finish(enum state s, char *out)
{
	/* Cancel the time limit: the answer is ready and must go out whole. */
	setitimer(ITIMER_REAL, &(struct itimerval){0}, NULL);
	fputs(out, stdout);
	fflush(stdout);
	free(out);
	if (current_args != NULL) {
		thresholds_free(current_args->thresholds);
		secret_free(current_args->password);
		free(current_args->state_key);
		free(current_args->raw_thresholds);
	}
	exit((int)s);
}

void plugin_finish(struct result *r)
{
	char *out = result_render(r);
	enum state s = result_state(r);

	result_free(r);
	finish(s, out);
}

void plugin_relay(enum state s, char *output)
{
	finish(s, output);
}

void plugin_exit(enum state s, const char *fmt, ...)
{
	struct result *r = result_new(current->service);
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	result_add(r, s, "%s", msg != NULL ? msg : "out of memory");
	free(msg);
	plugin_finish(r);
}

enum state plugin_eval(const struct plugin_args *a, const char *metric, int main_index,
		       double value, char *why, size_t whylen)
{
	struct threshold t = thresholds_get(a->thresholds, metric, main_index);

	return threshold_judge(&t, value, why, whylen);
}

enum state plugin_metric(struct result *r, const struct plugin_args *a, const char *metric,
			 int main_index, const struct perf *p, char *why, size_t whylen)
{
	struct threshold t = thresholds_get(a->thresholds, metric, main_index);
	struct perf q = *p;

	q.thr = &t;
	result_perf(r, &q);
	return threshold_judge(&t, p->value, why, whylen);
}

int plugin_regex(regex_t *re, bool *compiled, const char *option, const char *arg, char *err,
		 size_t errlen)
{
	char why[128];
	int rc;

	if (*compiled)
		regfree(re);
	rc = regcomp(re, arg, REG_EXTENDED | REG_NOSUB);
	*compiled = rc == 0;
	if (rc == 0)
		return 0;
	regerror(rc, re, why, sizeof(why));
	snprintf(err, errlen, "invalid --%s '%s': %s", option, arg, why);
	return -1;
}
