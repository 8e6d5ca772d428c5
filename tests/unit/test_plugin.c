/*
 * The shared plugin front end: option parsing, usage errors (exit 3), the
 * time limit, and secrets. Criterion runs each test in its own process, so
 * the paths that exit are tested through .exit_code.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <criterion/redirect.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "plugin.h"
#include "testutil.h"

enum { OPT_FLAG = 256, OPT_NAME };

struct ctx {
	bool flag;
	const char *name;
};

static int on_option(void *c, int val, const char *arg, char *err, size_t errlen)
{
	struct ctx *x = c;

	if (val == OPT_FLAG) {
		x->flag = true;
		return 0;
	}
	if (arg[0] == '-') {
		snprintf(err, errlen, "bad name");
		return -1;
	}
	x->name = arg;
	return 0;
}

static const struct plugin_option options[] = {
    {"flag", OPT_FLAG, NULL, "A flag."},
    {"name", OPT_NAME, "NAME", "A name."},
    {"label", OPT_NAME, "NAME", NULL},
    {NULL, 0, NULL, NULL},
};

static const char *const metrics[] = {"depth", "rate", NULL};

static const struct plugin test_plugin = {
    .name = "check_test",
    .service = "TEST",
    .purpose = "Tests the plugin front end.",
    .synopsis = "[--flag] [--name NAME]",
    .common = PLUGIN_HOST | PLUGIN_PORT | PLUGIN_FAMILY | PLUGIN_STATE_DIR | PLUGIN_LOGIN,
    .options = options,
    .metrics = metrics,
    .nmain = 1,
    .thresholds_help = "A bare range applies to depth.",
    .password_env = "VAKT_TEST_PASSWORD",
    .examples = "  check_test --name x",
    .option = on_option,
};

static struct ctx ctx;
static struct plugin_args args;

/* Run plugin_start on the arguments first and ap, up to a NULL. */
static void vstart(const char *first, va_list ap)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = test_str("check_test");
	for (const char *a = first; a != NULL && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = test_str(a);
	argv[argc] = NULL;
	memset(&ctx, 0, sizeof(ctx));
	unsetenv("VAKT_TEST_PASSWORD");
	optind = 1;
	plugin_start(&test_plugin, argc, argv, &ctx, &args);
}

/* Run plugin_start on a NULL-terminated argument list. */
static void start(const char *first, ...)
{
	va_list ap;

	va_start(ap, first);
	vstart(first, ap);
	va_end(ap);
}

Test(plugin, defaults)
{
	start(NULL);
	cr_expect_eq(args.timeout, 10);
	cr_expect_eq(args.timeout_state, STATE_CRITICAL);
	cr_expect_eq(args.verbose, 0);
	cr_expect_null(args.host);
	cr_expect_eq(args.port, 0);
	cr_expect_eq(args.family, AF_UNSPEC);
	cr_expect_null(args.password);
}

Test(plugin, standard_and_plugin_options)
{
	start("-vvv", "-v", "-H", "::1", "-p", "6379", "-6", "--flag", "--name", "celery",
	      "--state-dir", "/tmp", "--user", "monitor", "-t", "2.5:unknown", NULL);
	cr_expect_eq(args.verbose, 3, "verbosity stops at 3");
	cr_expect_str_eq(args.host, "::1");
	cr_expect_eq(args.port, 6379);
	cr_expect_eq(args.family, AF_INET6);
	cr_expect(ctx.flag);
	cr_expect_str_eq(ctx.name, "celery");
	cr_expect_str_eq(args.state_dir, "/tmp");
	cr_expect_str_eq(args.user, "monitor");
	cr_expect_eq(args.timeout, 2.5);
	cr_expect_eq(args.timeout_state, STATE_UNKNOWN);
}

Test(plugin, long_forms)
{
	start("--hostname=db1", "--port=5432", "--ipv4", "--timeout=3", "--warning=5",
	      "--critical=depth=10", "--verbose", NULL);
	cr_expect_str_eq(args.host, "db1");
	cr_expect_eq(args.port, 5432);
	cr_expect_eq(args.family, AF_INET);
	cr_expect_eq(args.timeout, 3);
	cr_expect_eq(args.verbose, 1);
	cr_expect_str_eq(thresholds_get(args.thresholds, "depth", 0).warn.text, "5");
	cr_expect_str_eq(thresholds_get(args.thresholds, "depth", 0).crit.text, "10");
}

Test(plugin, repeated_thresholds)
{
	start("-w", "5", "-c", "10", "-w", "rate=1", "-c", "rate=@0:0.5", NULL);
	cr_expect_str_eq(thresholds_get(args.thresholds, "depth", 0).warn.text, "5");
	cr_expect_str_eq(thresholds_get(args.thresholds, "rate", -1).warn.text, "1");
	cr_expect_str_eq(thresholds_get(args.thresholds, "rate", -1).crit.text, "@0:0.5");
}

Test(plugin, password_from_file)
{
	char path[] = "/tmp/vakt-test-pw-XXXXXX";
	int fd = mkstemp(path);

	cr_assert_neq(fd, -1);
	cr_assert_eq(write(fd, "s3cret pass\nsecond line\n", 24), 24);
	close(fd);
	start("--password-file", path, NULL);
	unlink(path);
	cr_expect_str_eq(args.password, "s3cret pass");
}

Test(plugin, password_from_environment)
{
	char *argv[] = {test_str("check_test"), NULL};

	setenv("VAKT_TEST_PASSWORD", "from-env", 1);
	optind = 1;
	plugin_start(&test_plugin, 1, argv, &ctx, &args);
	cr_expect_str_eq(args.password, "from-env");
}

/* The state key of a command line, copied: the next start() replaces args. */
static char *key_of(const char *first, ...)
{
	va_list ap;

	va_start(ap, first);
	vstart(first, ap);
	va_end(ap);
	return strdup(args.state_key);
}

Test(state_key, every_counting_option_in_normal_form)
{
	start("-H", "lb1", "--name=web", "--flag", "-p", "80", NULL);
	cr_expect_str_eq(args.state_key, "--flag --hostname=lb1 --name=web --port=80");
	cr_expect_str_eq(args.program, "check_test");
}

Test(state_key, thresholds_timeout_verbosity_state_dir_and_secrets_left_out)
{
	char path[] = "/tmp/vakt-test-pw-XXXXXX";
	int fd = mkstemp(path);
	char *plain, *busy;

	cr_assert_neq(fd, -1);
	cr_assert_eq(write(fd, "pw\n", 3), 3);
	close(fd);
	plain = key_of("--name", "web", NULL);
	busy = key_of("--name", "web", "-w", "5", "-c", "rate=1", "-t", "3", "-vv", "--state-dir",
		      "/tmp", "--password-file", path, NULL);
	unlink(path);
	cr_expect_str_eq(busy, plain);
	free(plain);
	free(busy);
}

Test(state_key, spelling_and_order_do_not_matter)
{
	char *a = key_of("--name", "web", "-H", "lb1", NULL);
	char *b = key_of("--hostname=lb1", "--na=web", NULL);

	cr_expect_str_eq(a, b);
	free(a);
	free(b);
}

/* An alias is the option it spells: the same value, the same key. */
Test(state_key, an_alias_counts_as_its_option)
{
	char *a = key_of("--name", "web", NULL);
	char *b = key_of("--label=web", NULL);

	cr_expect_str_eq(b, "--name=web");
	cr_expect_str_eq(a, b);
	cr_expect_str_eq(ctx.name, "web");
	free(a);
	free(b);
}

Test(state_key, what_is_counted_changes_it)
{
	char *a = key_of("--name", "web", NULL);
	char *b = key_of("--name", "db", NULL);
	char *c = key_of("--name", "web", "--flag", NULL);
	char *d = key_of("--name", "a", "--name", "b", NULL);
	char *e = key_of("--name", "b", "--name", "a", NULL);

	cr_expect_str_neq(a, b);
	cr_expect_str_neq(a, c);
	cr_expect_str_neq(d, e, "the last of a repeated option wins: its order counts");
	free(a);
	free(b);
	free(c);
	free(d);
	free(e);
}

Test(state_key, parts_cannot_run_together)
{
	char *a = key_of("--name", "a --flag", NULL);
	char *b = key_of("--name", "a", "--flag", NULL);

	cr_expect_str_neq(a, b);
	cr_expect_str_eq(a, "--name=a%20--flag");
	free(a);
	free(b);
}

Test(plugin, help_exits_3, .exit_code = 3)
{
	cr_redirect_stdout();
	start("--help", NULL);
}

Test(plugin, version_exits_3, .exit_code = 3)
{
	cr_redirect_stdout();
	start("-V", NULL);
}

#define USAGE_ERROR(test, ...)                                                                     \
	Test(usage, test, .exit_code = 3)                                                          \
	{                                                                                          \
		cr_redirect_stdout();                                                              \
		start(__VA_ARGS__, NULL);                                                          \
	}

USAGE_ERROR(unknown_option, "--bogus")
USAGE_ERROR(unknown_short_option, "-x")
USAGE_ERROR(missing_argument, "-w")
USAGE_ERROR(positional_argument, "extra")
USAGE_ERROR(bad_range, "-w", "2:1")
USAGE_ERROR(bad_range_word, "-c", "ten")
USAGE_ERROR(list_where_one_range, "-w", "1,10")
USAGE_ERROR(unknown_metric, "-w", "detph=5")
USAGE_ERROR(timeout_zero, "-t", "0")
USAGE_ERROR(timeout_negative, "-t", "-1")
USAGE_ERROR(timeout_word, "-t", "soon")
USAGE_ERROR(timeout_bad_state, "-t", "5:maybe")
USAGE_ERROR(timeout_too_long, "-t", "86401")
USAGE_ERROR(port_zero, "-p", "0")
USAGE_ERROR(port_too_big, "-p", "65536")
USAGE_ERROR(port_word, "-p", "http")
USAGE_ERROR(empty_host, "-H", "")
USAGE_ERROR(plugin_option_error, "--name", "-x")
USAGE_ERROR(missing_password_file, "--password-file", "/nonexistent/vakt")

/* A secret option reached by an abbreviation is refused, its argument not shown. */
#define SECRET_ABBREVIATION(test, ...)                                                             \
	Test(secret, test, .exit_code = 3)                                                         \
	{                                                                                          \
		fflush(stdout);                                                                    \
		cr_redirect_stdout();                                                              \
		start(__VA_ARGS__, NULL);                                                          \
	}

SECRET_ABBREVIATION(password, "--password", "hunter2")
SECRET_ABBREVIATION(pass, "--pass", "hunter2")
SECRET_ABBREVIATION(password_f, "--password-f", "hunter2")
SECRET_ABBREVIATION(password_equals, "--password=hunter2")

Test(secret, refusal_does_not_show_the_argument)
{
	char *argv[] = {test_str("check_test"), test_str("--password"), test_str("hunter2"), NULL};
	int p[2];
	pid_t pid;
	char out[1024];
	ssize_t n;

	cr_assert_eq(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		optind = 1;
		plugin_start(&test_plugin, 3, argv, &ctx, &args);
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], out, sizeof(out) - 1);
	close(p[0]);
	cr_assert_gt(n, 0);
	out[n] = '\0';
	cr_expect_not_null(strstr(out, "unknown option '--password'"), "%s", out);
	cr_expect_null(strstr(out, "hunter2"), "%s", out);
}

Test(usage, empty_password_file, .exit_code = 3)
{
	cr_redirect_stdout();
	start("--password-file", "/dev/null", NULL);
}

Test(usage, reported_after_start, .exit_code = 3)
{
	cr_redirect_stdout();
	start(NULL);
	plugin_usage_error("give either -p or --all");
}

/* The limit ends a run that hangs in the kernel, with the state asked for. */
Test(timeout, ends_a_hung_read, .exit_code = 1, .timeout = 5)
{
	int fds[2];
	char c;

	cr_redirect_stdout();
	cr_assert_eq(pipe(fds), 0);
	start("-t", "0.2:warning", NULL);
	(void)read(fds[0], &c, 1);
}

Test(timeout, default_state_is_critical, .exit_code = 2, .timeout = 5)
{
	cr_redirect_stdout();
	start("-t", "0.1", NULL);
	pause();
}

Test(finish, exits_with_the_state, .exit_code = 2)
{
	struct result *r;

	cr_redirect_stdout();
	start(NULL);
	r = result_new("TEST");
	result_add(r, STATE_CRITICAL, "broken");
	plugin_finish(r);
}

Test(finish, plugin_exit_unknown, .exit_code = 3)
{
	cr_redirect_stdout();
	start(NULL);
	plugin_exit(STATE_UNKNOWN, "cannot parse %s", "x");
}

Test(eval, names_the_crossed_bound)
{
	char why[64];

	start("-w", "5", "-c", "rate=10:", NULL);
	cr_expect_eq(plugin_eval(&args, "depth", 0, 4, why, sizeof(why)), STATE_OK);
	cr_expect_str_eq(why, "");
	cr_expect_eq(plugin_eval(&args, "depth", 0, 6, why, sizeof(why)), STATE_WARNING);
	cr_expect_str_eq(why, " (> 5)");
	cr_expect_eq(plugin_eval(&args, "rate", -1, 3, why, sizeof(why)), STATE_CRITICAL);
	cr_expect_str_eq(why, " (< 10)");
	cr_expect_eq(plugin_eval(&args, "depth", 0, NAN, why, sizeof(why)), STATE_OK,
		     "an unknown value crosses nothing");
}

Test(plugin, regex_replaces_the_last_one_and_says_why_not)
{
	bool compiled = false;
	regex_t re;
	char err[256];

	cr_assert_eq(plugin_regex(&re, &compiled, "proxy", "^app$", err, sizeof(err)), 0);
	cr_assert(compiled);
	cr_assert_eq(regexec(&re, "app", 0, NULL, 0), 0);
	cr_assert_eq(plugin_regex(&re, &compiled, "proxy", "^db", err, sizeof(err)), 0);
	cr_assert_neq(regexec(&re, "app", 0, NULL, 0), 0);
	cr_assert_eq(plugin_regex(&re, &compiled, "proxy", "(", err, sizeof(err)), -1);
	cr_assert_not(compiled);
	cr_assert_eq(strncmp(err, "invalid --proxy '(': ", 21), 0, "%s", err);
}

/* The agent's way: NAME=VALUE pairs, only the options allowed, never an exit. */
static int pairs(const char *const *allowed, size_t n, const struct plugin_pair *p, char *err,
		 size_t errlen)
{
	int r;

	memset(&ctx, 0, sizeof(ctx));
	r = plugin_parse_pairs(&test_plugin, allowed, p, n, &ctx, &args, err, errlen);
	return r;
}

Test(plugin_pairs, allowed_options_thresholds_and_verbose)
{
	static const char *const allowed[] = {"flag", "name", NULL};
	const struct plugin_pair p[] = {{"flag", ""},		{"label", "jobs"}, {"warning", "5"},
					{"critical", "rate=9"}, {"verbose", ""},   {"verbose", ""}};
	struct threshold t;
	char err[256] = "";

	cr_assert_eq(pairs(allowed, 6, p, err, sizeof(err)), 0, "%s", err);
	cr_expect(ctx.flag);
	cr_expect_str_eq(ctx.name, "jobs", "an alias is its option");
	cr_expect_eq(args.verbose, 2);
	t = thresholds_get(args.thresholds, "depth", 0);
	cr_expect(t.has_warn && t.warn.end == 5 && !t.has_crit);
	t = thresholds_get(args.thresholds, "rate", -1);
	cr_expect(t.has_crit && t.crit.end == 9);
	cr_expect_eq(args.timeout, 10, "set up as plugin_start does");
	plugin_args_free(&args);
}

Test(plugin_pairs, refused_with_the_reason)
{
	static const char *const allowed[] = {"flag", "name", NULL};
	static const char *const none[] = {NULL};
	static const struct {
		struct plugin_pair p;
		const char *const *allowed;
		const char *why;
	} cases[] = {
	    {{"state-dir", "/tmp"}, allowed, "unknown option 'state-dir'"},
	    {{"password-file", "/etc/shadow"}, allowed, "unknown option 'password-file'"},
	    {{"hostname", "db1"}, allowed, "unknown option 'hostname'"},
	    {{"timeout", "5"}, allowed, "unknown option 'timeout'"},
	    {{"name", "x"}, none, "unknown option 'name'"},
	    {{"nam", "x"}, allowed, "unknown option 'nam'"},
	    {{"flag", "1"}, allowed, "option 'flag' takes no value"},
	    {{"verbose", "3"}, allowed, "option 'verbose' takes no value"},
	    {{"name", ""}, allowed, "option 'name' needs a non-empty value"},
	    {{"name", "-x"}, allowed, "bad name"},
	    {{"warning", "1:0"}, allowed, NULL},
	    {{"critical", "nosuch=5"}, allowed, "unknown metric 'nosuch' in a threshold"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[256] = "";

		cr_expect_eq(pairs(cases[i].allowed, 1, &cases[i].p, err, sizeof(err)), -1, "%s",
			     cases[i].p.name);
		if (cases[i].why != NULL)
			cr_expect_str_eq(err, cases[i].why);
		else
			cr_expect_neq(err[0], '\0', "%s says why", cases[i].p.name);
		plugin_args_free(&args);
	}
}

Test(plugin_pairs, hostname_and_port_where_they_select)
{
	static const char *const allowed[] = {"hostname", "port", NULL};
	const struct plugin_pair p[] = {{"hostname", "::1"}, {"port", "443"}};
	const struct plugin_pair bad[] = {{"port", "70000"}};
	char err[256] = "";

	cr_assert_eq(pairs(allowed, 2, p, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(args.host, "::1");
	cr_expect_eq(args.port, 443);
	plugin_args_free(&args);
	cr_expect_eq(pairs(allowed, 1, bad, err, sizeof(err)), -1);
	cr_expect_str_eq(err, "invalid port '70000': expected 1 to 65535");
	plugin_args_free(&args);
}
