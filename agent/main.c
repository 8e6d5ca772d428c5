/*
 * vaktd: collects host (and later service) metrics on an interval and serves
 * them over HTTP. Signals are taken synchronously by the main thread:
 * SIGHUP reloads the configuration (a bad file is reported and the running
 * one kept), SIGTERM and SIGINT stop.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <malloc.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "address.h"
#include "clock.h"
#include "collector.h"
#include "conf.h"
#include "fileio.h"
#include "http.h"
#include "log.h"
#include "notify.h"
#include "privs.h"
#include "scheduler.h"
#include "secret.h"
#ifdef HAVE_NET_SNMP
#include "snmp.h"
#endif
#include "xalloc.h"

struct options {
	bool foreground;
	bool check_only;
	const char *file;   /* NULL: built-in defaults */
	const char *listen; /* overrides [agent] listen */
};

static void usage(FILE *to)
{
	fprintf(to,
		"Usage: vaktd [-f] [-c FILE] [-l ADDR:PORT] [--check-config] [-V] [-h]\n"
		"\n"
		"Collects load, file descriptors, listen queues and its own health and serves\n"
		"them over HTTP on " CONFIG_DEFAULT_LISTEN " unless told otherwise (see vaktd(8),\n"
		"vaktd.conf(5)).\n"
		"\n"
		"  -f, --foreground      stay in the foreground and log to stderr\n"
		"  -c, --config=FILE     read FILE (default: built-in settings, no file)\n"
		"  -l, --listen=ADDR:PORT  listen there instead ([::1]:PORT for IPv6,\n"
		"                        *:PORT for every address)\n"
		"      --check-config    report every error in the file and exit (0 if none)\n"
		"  -V, --version         print the version and exit\n"
		"  -h, --help            print this help and exit\n");
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
	    {"foreground", no_argument, NULL, 'f'},
	    {"config", required_argument, NULL, 'c'},
	    {"listen", required_argument, NULL, 'l'},
	    {"check-config", no_argument, NULL, 'C'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "fc:l:Vh", longs, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->foreground = true;
			break;
		case 'c':
			o->file = optarg;
			break;
		case 'l':
			o->listen = optarg;
			break;
		case 'C':
			o->check_only = true;
			break;
		case 'V':
			printf("vaktd %s\n", PACKAGE_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vaktd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		exit(2);
	}
}

/* Log each line of text as its own message (syslog wants one line each). */
static void log_lines(int prio, const char *text)
{
	while (*text != '\0') {
		size_t n = strcspn(text, "\n");

		log_msg(prio, "%.*s", (int)n, text);
		text += n + (text[n] == '\n');
	}
}

/* The configuration from the file (or the defaults), with -l applied; NULL after logging why. */
static struct config *load_config(const struct options *o)
{
	struct config *c;
	char *errors = NULL;

	if (o->file == NULL) {
		c = config_default();
	} else {
		c = config_load(o->file, &errors);
		if (c == NULL) {
			log_lines(LOG_ERR,
				  errors != NULL ? errors : "cannot read the configuration");
			free(errors);
			return NULL;
		}
	}
	if (o->listen != NULL) {
		struct sockaddr_storage ss;
		socklen_t len;
		char err[256];

		if (address_listen(o->listen, &ss, &len, err, sizeof(err)) != 0) {
			log_msg(LOG_ERR, "-l %s: %s", o->listen, err);
			config_free(c);
			return NULL;
		}
		free(c->listen);
		c->listen = xstrdup(o->listen);
	}
	return c;
}

/* Warn about what is valid but cannot work; the number of warnings. */
static int warn_config(const struct options *o, const struct config *c)
{
	char why[512];

	if (!config_unreachable(c, why, sizeof(why)))
		return 0;
	log_msg(LOG_WARNING, "%s: %s", o->file != NULL ? o->file : "built-in defaults", why);
	return 1;
}

/* Read the token and TLS files named in c; 0, or -1 after logging why. */
static int load_secrets(const struct config *c, char **token, char **cert, char **key)
{
	char err[512], what[4200];

	*token = *cert = *key = NULL;
	snprintf(what, sizeof(what), "token_file %s", c->token_file != NULL ? c->token_file : "");
	if (c->token_file != NULL &&
	    secret_load_as(c->token_file, what, NULL, token, err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "%s", err);
		return -1;
	}
	if (c->tls_cert == NULL)
		return 0;
	/* Zeroed: a failed read leaves them for secret_free(), which wipes up to a NUL. */
	*cert = xcalloc(1, SECRET_MAX * 16);
	*key = xcalloc(1, SECRET_MAX * 16);
	if (file_read_as(c->tls_cert, c->tls_cert, *cert, SECRET_MAX * 16, NULL, err,
			 sizeof(err)) == -1 ||
	    file_read_as(c->tls_key, c->tls_key, *key, SECRET_MAX * 16, NULL, err, sizeof(err)) ==
		-1) {
		log_msg(LOG_ERR, "%s", err);
		return -1;
	}
	return 0;
}

/*
 * Detach from the terminal, but keep the starting command honest: the
 * parent waits for the child's verdict on a pipe, prints its errors and
 * exits 1, or exits 0 once the child serves. Returns in the child only.
 */
static void detach(void)
{
	char msg[4096];
	size_t len = 0;
	ssize_t n;
	int fds[2], null;
	pid_t pid;

	pid = pipe(fds) == -1 ? -1 : fork();
	if (pid == -1) {
		fprintf(stderr, "vaktd: cannot detach: %s\n", strerror(errno));
		exit(1);
	}
	if (pid > 0) {
		close(fds[1]);
		while (len < sizeof(msg) - 1) {
			n = read(fds[0], msg + len, sizeof(msg) - 1 - len);
			if (n <= 0)
				break;
			len += (size_t)n;
		}
		msg[len] = '\0';
		if (strcmp(msg, "ok\n") == 0)
			_exit(0);
		fprintf(stderr, "vaktd: %s", len > 0 ? msg : "did not start (see syslog)\n");
		_exit(1);
	}
	close(fds[0]);
	log_detached();
	setsid();
	if (chdir("/") == -1)
		log_msg(LOG_WARNING, "cannot change to /: %s", strerror(errno));
	null = open("/dev/null", O_RDWR);
	if (null != -1) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	log_startup_fd(fds[1]);
}

/* Whether c->user, if one is set, names a user of this host; 0, or -1 after logging why. */
static int check_user(const struct config *c)
{
	if (c->user == NULL || getpwnam(c->user) != NULL)
		return 0;
	log_msg(LOG_ERR, "no such user '%s' to run as", c->user);
	return -1;
}

/*
 * Set once privileges are dropped: who vaktd runs as ("user nobody,
 * capabilities: none"), for a reload that cannot read a file any more.
 */
static char running_as[256];

/*
 * A reload's error for a file it may no longer read: say why, once
 * privileges were dropped at start.
 */
static void explain_denied(const char *err)
{
	if (running_as[0] != '\0' && strstr(err, strerror(EACCES)) != NULL)
		log_msg(LOG_ERR,
			"reload: vaktd read its files as root at start and is %s now: make the "
			"file readable by that user, or restart vaktd to read it as root",
			running_as);
}

static bool same_string(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Whether two configurations serve HTTP alike (a reload cannot rebind). */
static bool same_http(const struct config *a, const struct config *b)
{
	return strcmp(a->listen, b->listen) == 0 && same_string(a->token_file, b->token_file) &&
	       same_string(a->tls_cert, b->tls_cert) && same_string(a->tls_key, b->tls_key) &&
	       same_string(a->user, b->user) && a->nallow == b->nallow &&
	       (a->nallow == 0 || memcmp(a->allow, b->allow, a->nallow * sizeof(*a->allow)) == 0) &&
	       a->max_connections == b->max_connections && a->max_per_client == b->max_per_client &&
	       a->connection_timeout == b->connection_timeout;
}

/*
 * glibc gives every thread that allocates an arena of its own, keeps what is
 * freed there, and raises its mmap threshold to the largest block freed:
 * with a thread per collector and answers of megabytes built in the HTTP
 * threads, vaktd held 3.5 times the memory its data needs (bench/scale.sh:
 * 1,365 bytes a series, 382 with this). One arena, and blocks of 128 KiB
 * and more mapped and given back: the agent allocates little, and never in
 * a hot loop.
 */
static void tune_malloc(void)
{
#if defined(M_ARENA_MAX) && defined(M_MMAP_THRESHOLD)
	mallopt(M_ARENA_MAX, 1);
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}

/* Whether two configurations run the SNMP subagent alike (a reload cannot restart it). */
static bool same_snmp(const struct config *a, const struct config *b)
{
	return a->snmp.enabled == b->snmp.enabled &&
	       strcmp(a->snmp.agentx_socket, b->snmp.agentx_socket) == 0 &&
	       strcmp(a->snmp.base_oid, b->snmp.base_oid) == 0 &&
	       a->snmp.ping_interval == b->snmp.ping_interval;
}

/* When the agent started; uptime counts from here across reloads. */
static double started_at;

/* The SNMP subagent, NULL when [snmp] is off or this vaktd has no net-snmp. */
#ifdef HAVE_NET_SNMP
static struct snmp_agent *snmp;
#endif

/* SIGHUP: a new scheduler for a good file; the old one keeps running otherwise. */
static void reload(const struct options *o, struct config **c, struct scheduler **s,
		   struct http_server *h)
{
	struct config *next = load_config(o);
	struct scheduler *old = *s, *fresh;
	char err[512];

	if (next == NULL) {
		if (o->file != NULL && access(o->file, R_OK) == -1)
			explain_denied(strerror(errno));
		log_msg(LOG_ERR, "reload failed; still running the previous configuration");
		return;
	}
	warn_config(o, next);
	if (!same_http(*c, next))
		log_msg(LOG_WARNING, "reload: listen, TLS, token, allow, user and connection "
				     "settings change only on restart; keeping the running ones");
	if (!same_snmp(*c, next))
		log_msg(LOG_WARNING,
			"reload: [snmp] enabled, agentx_socket, base_oid and "
			"ping_interval change only on restart; keeping the running ones");
	fresh = scheduler_start(next, started_at, err, sizeof(err));
	if (fresh == NULL) {
		explain_denied(err);
		log_msg(LOG_ERR, "reload failed: %s; still running the previous configuration",
			err);
		config_free(next);
		return;
	}
	/* Serve the old metrics until the new collectors have something (or time out). */
	scheduler_wait_first(fresh, 2 * next->timeout);
	http_set_scheduler(h, fresh);
	http_set_max_answer(h, next->max_answer_size);
#ifdef HAVE_NET_SNMP
	snmp_set_scheduler(snmp, fresh);
	snmp_set_notifications(snmp, next->snmp.notifications);
#endif
	*s = fresh;
	scheduler_stop(old);
	config_free(*c);
	*c = next;
	log_msg(LOG_INFO, "configuration reloaded");
}

/* Tell systemd (Type=notify) how vaktd is doing; a failure is logged once. */
static void tell_manager(const char *state)
{
	static bool warned;

	if (notify_send(state) == -1 && !warned) {
		log_msg(LOG_WARNING, "cannot notify the service manager at $NOTIFY_SOCKET: %s",
			strerror(errno));
		warned = true;
	}
}

/* A reload begins; systemd wants the CLOCK_MONOTONIC time it began at. */
static void tell_reloading(void)
{
	struct timespec ts;
	char state[64];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(state, sizeof(state), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ULL +
		     (unsigned long long)ts.tv_nsec / 1000);
	tell_manager(state);
}

int main(int argc, char **argv)
{
	struct options o;
	struct config *c = NULL;
	struct scheduler *s = NULL;
	struct http_server *h;
	char *token = NULL, *cert = NULL, *key = NULL, *path = NULL, err[512], ready[300];
	sigset_t sigs;
	int sig = 0, warnings, fd, r = 1;

	tune_malloc();
	parse_options(argc, argv, &o);
	log_init(o.foreground || o.check_only);
	/* daemon() moves to /, and a reload must still find the file. */
	if (o.file != NULL) {
		path = realpath(o.file, NULL);
		if (path == NULL) {
			log_msg(LOG_ERR, "%s: %s", o.file, strerror(errno));
			return 1;
		}
		o.file = path;
	}
	c = load_config(&o);
	if (c == NULL)
		goto out;
	warnings = warn_config(&o, c);
	if (o.check_only) {
		/* What start would stop on: a user that does not exist, an empty token file. */
		if (check_user(c) != 0 || load_secrets(c, &token, &cert, &key) != 0)
			goto out;
		/* A warning is for a person to read; the file is valid, so exit 0. */
		printf("%s: configuration OK%s\n", o.file != NULL ? o.file : "built-in defaults",
		       warnings > 0 ? " (with a warning on stderr)" : "");
		r = 0;
		goto out;
	}
	if (load_secrets(c, &token, &cert, &key) != 0)
		goto out;
	/* Signals go to this thread only, through sigwait; block them before any thread starts. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (!o.foreground)
		detach();
	/*
	 * Everything that may need root first: the collectors' password files
	 * and the listen address (a port below 1024). Then vaktd becomes its
	 * user, with only the capabilities its collectors need, before a single
	 * thread starts: every collector and every request runs unprivileged.
	 */
	started_at = time_now();
	s = scheduler_new(c, started_at, err, sizeof(err));
	if (s == NULL) {
		log_msg(LOG_ERR, "%s", err);
		goto out;
	}
	fd = http_bind(c, err, sizeof(err));
	if (fd == -1) {
		log_msg(LOG_ERR, "%s", err);
		goto out;
	}
	if (privs_drop(c->user, collector_caps(c), running_as, sizeof(running_as), err,
		       sizeof(err)) != 0) {
		log_msg(LOG_ERR, "%s", err);
		close(fd);
		goto out;
	}
	if (getuid() == 0 && geteuid() == 0) {
		log_msg(LOG_WARNING, "running as %s: set user in [agent] to run unprivileged",
			running_as);
		running_as[0] = '\0';
	} else {
		log_msg(LOG_INFO, "running as %s", running_as);
	}
	if (scheduler_run(s, err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "%s", err);
		close(fd);
		goto out;
	}
	h = http_start(c, fd, s, token, cert, key, err, sizeof(err));
	secret_free(token);
	secret_free(key);
	free(cert);
	token = key = cert = NULL;
	if (h == NULL) {
		log_msg(LOG_ERR, "%s", err);
		goto out;
	}
#ifdef HAVE_NET_SNMP
	if (c->snmp.enabled) {
		snmp = snmp_start(c, s, err, sizeof(err));
		if (snmp == NULL) {
			log_msg(LOG_ERR, "%s", err);
			http_stop(h);
			goto out;
		}
	}
#endif
	log_msg(LOG_INFO, "serving on %s", c->listen);
	log_started();
	snprintf(ready, sizeof(ready), "READY=1\nSTATUS=serving on %s", c->listen);
	tell_manager(ready);
	while (sigwait(&sigs, &sig) == 0 && sig == SIGHUP) {
		tell_reloading();
		reload(&o, &c, &s, h);
		tell_manager(ready);
	}
	log_msg(LOG_INFO, "stopping on signal %d", sig);
	tell_manager("STOPPING=1");
#ifdef HAVE_NET_SNMP
	snmp_stop(snmp);
#endif
	http_stop(h);
	r = 0;
out:
	scheduler_stop(s);
	secret_free(token);
	secret_free(key);
	free(cert);
	config_free(c);
	free(path);
	return r;
}
