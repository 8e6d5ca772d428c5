/*
 * vaktd's configuration file (see conf.h and vaktd.conf(5)). The file is
 * read over the built-in defaults in one pass; everything that depends on
 * more than one key ([collect] defaults reaching the collectors, the two TLS
 * files, the per-client limit) is settled after the last line, so the order
 * of sections never matters. Every problem is reported, each with its line,
 * so that one run shows all of them.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <regex.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "conf.h"
#include "address.h"
#include "allow.h"
#include "buf.h"
#include "fileio.h"
#include "http1.h"
#include "num.h"
#include "sslmode.h"
#include "xalloc.h"

#define CONFIG_MAX_FILE (1024 * 1024)
#define CONFIG_MAX_LINE 4096
/* Past this many errors the rest of the file is most likely not a vaktd.conf. */
#define CONFIG_MAX_ERRORS 100
#define CONFIG_ERRORS_CAP (256 * 1024)
/* Longest value quoted back in a message. */
#define CONFIG_QUOTE_MAX 80

#define DEFAULT_INTERVAL 15.0
#define DEFAULT_TIMEOUT 5.0
#define MAX_SECONDS 86400.0
#define DEFAULT_MAX_CONNECTIONS 128
#define MAX_CONNECTIONS 10000
#define DEFAULT_MAX_PER_CLIENT 32
#define DEFAULT_CONNECTION_TIMEOUT 10
#define MAX_CONNECTION_TIMEOUT 3600
#define MIN_ANSWER_SIZE ((size_t)64 << 10)
#define MAX_ANSWER_SIZE ((size_t)1 << 30)

enum section { SEC_NONE, SEC_SKIP, SEC_AGENT, SEC_COLLECT, SEC_COLLECTOR };

/* The built-in collectors, on by default, in this order. */
static const char *const builtin_kinds[] = {"load", "fds", "listen"};
#define NBUILTIN (sizeof(builtin_kinds) / sizeof(builtin_kinds[0]))

static const char *const pressure_names[] = {"cpu", "io", "memory"};

/* A collector while the file is read: its settings and where they came from. */
struct pcoll {
	char *kind;
	char *instance; /* NAME of [process NAME], NULL for the others */
	char *title;	/* "[load]", "[process nginx]" for messages */
	bool enabled;
	double interval, timeout; /* 0: not set in its section */
	unsigned interval_line, timeout_line, name_line, pidfile_line, sslmode_line, ca_file_line;
	char *process_name, *pidfile;
	bool pressure[3];
	/* the settings of the sections for a service: [redis X], [mysql X], ... */
	struct config_collector broker;
};

/* A section or key already seen, for "duplicate ... (first at line N)". */
struct seen {
	char *name;
	unsigned line;
};

/* One error, kept until the end to be sorted by line. */
struct perror {
	unsigned line;
	size_t seq;
	char *msg;
};

struct parser {
	const char *path;
	struct perror *errors;
	size_t nerrors;
	bool stop;
	unsigned line;
	struct config *c;
	enum section sec;
	char *title; /* the current section as written in messages */
	/* the current collector; set on each collector header, after any pcoll_add */
	struct pcoll *cur;
	struct pcoll *colls;
	size_t ncolls;
	struct seen *sections;
	size_t nsections;
	struct seen *keys; /* in the current section */
	size_t nkeys;
	/* lines of keys checked against each other at the end; 0: not set */
	unsigned interval_line, timeout_line, tls_cert_line, tls_key_line, per_client_line;
};

struct key {
	enum section sec;
	const char *kind; /* for SEC_COLLECTOR: only this kind, NULL: every collector */
	const char *name;
	void (*set)(struct parser *p, const char *key, const char *value);
};

/* Record an error at line (0: about the whole file). */
static void __attribute__((format(printf, 3, 4)))
perr(struct parser *p, unsigned line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (p->stop)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->errors = xgrow(p->errors, p->nerrors, sizeof(*p->errors));
	p->errors[p->nerrors].line = line;
	p->errors[p->nerrors].seq = p->nerrors;
	p->errors[p->nerrors].msg = xstrdup(msg);
	if (++p->nerrors == CONFIG_MAX_ERRORS)
		p->stop = true;
}

static int error_cmp(const void *a, const void *b)
{
	const struct perror *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * The errors as "PATH:LINE: message" lines, in line order: the checks made
 * after the last line (a timeout against its interval) report earlier lines.
 */
static char *errors_text(struct parser *p)
{
	struct buf b;

	qsort(p->errors, p->nerrors, sizeof(*p->errors), error_cmp);
	buf_init(&b, CONFIG_ERRORS_CAP);
	for (size_t i = 0; i < p->nerrors; i++) {
		if (p->errors[i].line == 0)
			buf_printf(&b, "%s: %s\n", p->path, p->errors[i].msg);
		else
			buf_printf(&b, "%s:%u: %s\n", p->path, p->errors[i].line, p->errors[i].msg);
	}
	if (p->stop)
		buf_printf(&b, "%s: too many errors, stopping after %d\n", p->path,
			   CONFIG_MAX_ERRORS);
	return buf_steal(&b);
}

/* Shorten v for quoting in a message; the result lives in out. */
static const char *quote(const char *v, char *out, size_t outlen)
{
	size_t n = strlen(v);

	if (n < outlen && n <= CONFIG_QUOTE_MAX)
		return v;
	snprintf(out, outlen, "%.*s...", CONFIG_QUOTE_MAX, v);
	return out;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Cut surrounding whitespace off s in place. */
static char *trim(char *s)
{
	size_t n;

	while (is_space(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		s[--n] = '\0';
	return s;
}

static void set_str(char **dst, const char *value)
{
	free(*dst);
	*dst = xstrdup(value);
}

/* Parse a whole number for key into *out; 0, or -1 after reporting why not. */
static int get_uint(struct parser *p, const char *key, const char *value, long min, long max,
		    unsigned *out)
{
	char q[CONFIG_QUOTE_MAX + 4];
	long n;

	if (num_parse_long(value, LONG_MIN, LONG_MAX, &n) != 0) {
		perr(p, p->line, "invalid %s '%s' (expected a whole number from %ld to %ld)", key,
		     quote(value, q, sizeof(q)), min, max);
		return -1;
	}
	if (n < min || n > max) {
		perr(p, p->line, "%s %s is out of range (%ld to %ld)", key, value, min, max);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

/*
 * Parse a size in bytes for key, a whole number with an optional K, M or G
 * (KiB, MiB, GiB), from min to max; 0, or -1 after reporting why not.
 */
static int get_size(struct parser *p, const char *key, const char *value, size_t min, size_t max,
		    size_t *out)
{
	static const char units[] = "KMG";
	char q[CONFIG_QUOTE_MAX + 4], *digits = xstrdup(value);
	size_t len = strlen(digits);
	const char *unit = len > 0 ? strchr(units, digits[len - 1]) : NULL;
	size_t bytes;
	long n;
	int r = -1;

	if (unit != NULL)
		digits[len - 1] = '\0';
	if (num_parse_long(digits, 0, LONG_MAX >> 30, &n) != 0) {
		perr(p, p->line, "invalid %s '%s' (expected bytes, like 67108864 or 64M)", key,
		     quote(value, q, sizeof(q)));
	} else {
		bytes = (size_t)n << (unit != NULL ? 10 * (unit - units + 1) : 0);
		if (bytes < min || bytes > max) {
			perr(p, p->line, "%s %s is out of range (%zuK to %zuM)", key, value,
			     min >> 10, max >> 20);
		} else {
			*out = bytes;
			r = 0;
		}
	}
	free(digits);
	return r;
}

/* Parse a number of seconds in (0, 86400] for key; 0, or -1 after reporting. */
static int get_seconds(struct parser *p, const char *key, const char *value, double *out)
{
	char q[CONFIG_QUOTE_MAX + 4];
	double d;

	if (num_parse(value, &d) != 0) {
		perr(p, p->line, "invalid %s '%s' (expected seconds, like 15 or 0.5)", key,
		     quote(value, q, sizeof(q)));
		return -1;
	}
	if (d <= 0 || d > MAX_SECONDS) {
		perr(p, p->line, "%s %s is out of range (more than 0, at most %.0f seconds)", key,
		     value, MAX_SECONDS);
		return -1;
	}
	*out = d;
	return 0;
}

static int get_bool(struct parser *p, const char *key, const char *value, bool *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	char q[CONFIG_QUOTE_MAX + 4];

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(value, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(value, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	perr(p, p->line, "invalid %s '%s' (expected yes or no)", key, quote(value, q, sizeof(q)));
	return -1;
}

/*
 * Check a file the agent will read: an absolute path to a regular file, and
 * for a secret one that nobody but its owner can read or write. The agent
 * changes directory when it starts, so a relative path would change meaning.
 */
static int check_file(struct parser *p, const char *key, const char *path, bool secret)
{
	struct stat st;
	unsigned mode;
	const char *what, *who;

	if (path[0] != '/') {
		perr(p, p->line, "%s %s is not an absolute path", key, path);
		return -1;
	}
	if (stat(path, &st) == -1) {
		perr(p, p->line, "%s %s: %s", key, path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		perr(p, p->line, "%s %s is not a regular file", key, path);
		return -1;
	}
	if (st.st_size == 0) {
		perr(p, p->line, "%s %s is empty", key, path);
		return -1;
	}
	mode = (unsigned)st.st_mode & 07777;
	if (!secret || (mode & 077) == 0)
		return 0;
	if ((mode & 044) != 0 && (mode & 022) != 0)
		what = "readable and writable";
	else if ((mode & 044) != 0)
		what = "readable";
	else if ((mode & 022) != 0)
		what = "writable";
	else
		what = "accessible";
	who = (mode & 007) != 0 ? "others" : "its group";
	perr(p, p->line, "%s %s is %s by %s (mode %04o); chmod 600 it", key, path, what, who, mode);
	return -1;
}

bool config_unreachable(const struct config *c, char *out, size_t outlen)
{
	struct sockaddr_storage ss, local;
	socklen_t len;
	char err[256];
	bool loopback;

	if (c->nallow == 0 || address_listen(c->listen, &ss, &len, err, sizeof(err)) != 0)
		return false;
	memset(&local, 0, sizeof(local));
	local.ss_family = ss.ss_family;
	if (ss.ss_family == AF_INET) {
		const struct in_addr *a = &((struct sockaddr_in *)&ss)->sin_addr;

		loopback = (ntohl(a->s_addr) >> 24) == 127;
		((struct sockaddr_in *)&local)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else {
		loopback = IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&ss)->sin6_addr);
		((struct sockaddr_in6 *)&local)->sin6_addr = in6addr_loopback;
	}
	/* Only this host reaches a loopback address, from 127.0.0.0/8 or ::1. */
	if (!loopback || allow_admits(c->allow, c->nallow, (struct sockaddr *)&local))
		return false;
	for (size_t i = 0; ss.ss_family == AF_INET && i < c->nallow; i++)
		if (c->allow[i].family == AF_INET && c->allow[i].addr[0] == 127)
			return false;
	snprintf(out, outlen,
		 "listen %s is a loopback address, which only this host can reach, and allow "
		 "admits no loopback client (%s): every connection will be refused (add %s to "
		 "allow, or listen where the allowed clients can connect)",
		 c->listen, ss.ss_family == AF_INET ? "127.0.0.0/8" : "::1",
		 ss.ss_family == AF_INET ? "127.0.0.1" : "::1");
	return true;
}

/* [agent] keys. */

static void set_listen(struct parser *p, const char *key, const char *value)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char err[512];

	(void)key;
	if (address_listen(value, &ss, &len, err, sizeof(err)) != 0) {
		perr(p, p->line, "%s", err);
		return;
	}
	set_str(&p->c->listen, value);
}

static void set_token_file(struct parser *p, const char *key, const char *value)
{
	if (check_file(p, key, value, true) == 0)
		set_str(&p->c->token_file, value);
}

static void set_tls_cert(struct parser *p, const char *key, const char *value)
{
	p->tls_cert_line = p->line;
	if (check_file(p, key, value, false) == 0)
		set_str(&p->c->tls_cert, value);
}

static void set_tls_key(struct parser *p, const char *key, const char *value)
{
	p->tls_key_line = p->line;
	if (check_file(p, key, value, true) == 0)
		set_str(&p->c->tls_key, value);
}

static void set_allow(struct parser *p, const char *key, const char *value)
{
	struct allow_net *nets = NULL;
	size_t n = 0;
	int bad = 0;
	const char *s = value;

	(void)key;
	for (;;) {
		size_t len = strcspn(s, ",");
		char item[CONFIG_MAX_LINE + 1], err[512], *t;

		memcpy(item, s, len);
		item[len] = '\0';
		t = trim(item);
		if (*t == '\0') {
			perr(p, p->line, "empty network in allow list");
			bad++;
		} else {
			nets = xgrow(nets, n, sizeof(*nets));
			if (allow_parse(t, &nets[n], err, sizeof(err)) == 0) {
				n++;
			} else {
				perr(p, p->line, "%s", err);
				bad++;
			}
		}
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
	if (bad > 0) {
		free(nets);
		return;
	}
	free(p->c->allow);
	p->c->allow = nets;
	p->c->nallow = n;
}

static void set_max_connections(struct parser *p, const char *key, const char *value)
{
	get_uint(p, key, value, 1, MAX_CONNECTIONS, &p->c->max_connections);
}

static void set_max_per_client(struct parser *p, const char *key, const char *value)
{
	if (get_uint(p, key, value, 1, MAX_CONNECTIONS, &p->c->max_per_client) == 0)
		p->per_client_line = p->line;
}

static void set_connection_timeout(struct parser *p, const char *key, const char *value)
{
	get_uint(p, key, value, 1, MAX_CONNECTION_TIMEOUT, &p->c->connection_timeout);
}

static void set_max_answer_size(struct parser *p, const char *key, const char *value)
{
	get_size(p, key, value, MIN_ANSWER_SIZE, MAX_ANSWER_SIZE, &p->c->max_answer_size);
}

static void set_user(struct parser *p, const char *key, const char *value)
{
	(void)key;
	set_str(&p->c->user, value);
}

/* [collect] keys. */

static void set_collect_interval(struct parser *p, const char *key, const char *value)
{
	if (get_seconds(p, key, value, &p->c->interval) == 0)
		p->interval_line = p->line;
}

static void set_collect_timeout(struct parser *p, const char *key, const char *value)
{
	if (get_seconds(p, key, value, &p->c->timeout) == 0)
		p->timeout_line = p->line;
}

/* Keys of every collector section. */

static void set_interval(struct parser *p, const char *key, const char *value)
{
	if (get_seconds(p, key, value, &p->cur->interval) == 0)
		p->cur->interval_line = p->line;
}

static void set_timeout(struct parser *p, const char *key, const char *value)
{
	if (get_seconds(p, key, value, &p->cur->timeout) == 0)
		p->cur->timeout_line = p->line;
}

static void set_enabled(struct parser *p, const char *key, const char *value)
{
	get_bool(p, key, value, &p->cur->enabled);
}

static void set_pressure(struct parser *p, const char *key, const char *value)
{
	bool on[3] = {false, false, false};
	const char *s = value;
	int bad = 0;

	(void)key;
	for (;;) {
		size_t len = strcspn(s, ",");
		char item[CONFIG_MAX_LINE + 1], q[CONFIG_QUOTE_MAX + 4], *t;
		size_t i;

		memcpy(item, s, len);
		item[len] = '\0';
		t = trim(item);
		for (i = 0; i < 3; i++)
			if (strcmp(t, pressure_names[i]) == 0)
				break;
		if (i < 3) {
			on[i] = true;
		} else {
			perr(p, p->line,
			     "invalid pressure '%s' (expected cpu, io, memory or a list of them)",
			     quote(t, q, sizeof(q)));
			bad++;
		}
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
	if (bad == 0)
		memcpy(p->cur->pressure, on, sizeof(on));
}

static void set_process_name(struct parser *p, const char *key, const char *value)
{
	(void)key;
	if (p->cur->pidfile_line != 0) {
		perr(p, p->line, "name and pidfile exclude each other (pidfile at line %u)",
		     p->cur->pidfile_line);
		return;
	}
	p->cur->name_line = p->line;
	set_str(&p->cur->process_name, value);
}

static void set_pidfile(struct parser *p, const char *key, const char *value)
{
	if (p->cur->name_line != 0) {
		perr(p, p->line, "name and pidfile exclude each other (name at line %u)",
		     p->cur->name_line);
		return;
	}
	p->cur->pidfile_line = p->line;
	if (value[0] != '/') {
		perr(p, p->line, "%s %s is not an absolute path", key, value);
		return;
	}
	set_str(&p->cur->pidfile, value);
}

/* [redis X] and [rabbitmq X] keys. */

static void set_address(struct parser *p, const char *key, const char *value)
{
	char host[256], err[512];
	long port;

	(void)key;
	if (address_split(value, host, sizeof(host), &port, err, sizeof(err)) != 0)
		perr(p, p->line, "%s", err);
	else
		set_str(&p->cur->broker.address, value);
	if (p->cur->broker.address != NULL && p->cur->broker.url != NULL)
		perr(p, p->line, "give address or url, not both");
}

static void set_database(struct parser *p, const char *key, const char *value)
{
	if (num_parse_long(value, 0, INT_MAX, &p->cur->broker.database) != 0)
		perr(p, p->line, "invalid %s '%s' (expected a database number)", key, value);
}

static void set_url(struct parser *p, const char *key, const char *value)
{
	char why[1400];

	if (http1_url_check(value, key, why, sizeof(why)) != 0)
		perr(p, p->line, "%s", why);
	else
		set_str(&p->cur->broker.url, value);
	if (p->cur->broker.address != NULL && p->cur->broker.url != NULL)
		perr(p, p->line, "give address or url, not both");
}

static void set_login_user(struct parser *p, const char *key, const char *value)
{
	(void)key;
	set_str(&p->cur->broker.user, value);
}

static void set_password_file(struct parser *p, const char *key, const char *value)
{
	if (check_file(p, key, value, true) == 0)
		set_str(&p->cur->broker.password_file, value);
}

static void set_ca_file(struct parser *p, const char *key, const char *value)
{
	p->cur->ca_file_line = p->line;
	if (check_file(p, key, value, false) == 0)
		set_str(&p->cur->broker.ca_file, value);
}

static void set_host_header(struct parser *p, const char *key, const char *value)
{
	(void)key;
	set_str(&p->cur->broker.host_header, value);
}

static void set_insecure(struct parser *p, const char *key, const char *value)
{
	get_bool(p, key, value, &p->cur->broker.insecure);
}

static void set_celery(struct parser *p, const char *key, const char *value)
{
	get_bool(p, key, value, &p->cur->broker.celery);
}

static void set_vhost(struct parser *p, const char *key, const char *value)
{
	(void)key;
	set_str(&p->cur->broker.vhost, value);
}

static void set_resque(struct parser *p, const char *key, const char *value)
{
	(void)key;
	set_str(&p->cur->broker.resque, value);
}

static void set_key_prefix(struct parser *p, const char *key, const char *value)
{
	(void)key;
	set_str(&p->cur->broker.key_prefix, value);
}

static void set_queue_regex(struct parser *p, const char *key, const char *value)
{
	regex_t re;
	int rc = regcomp(&re, value, REG_EXTENDED | REG_NOSUB);

	if (rc != 0) {
		char why[128];

		regerror(rc, &re, why, sizeof(why));
		perr(p, p->line, "invalid %s '%s': %s", key, value, why);
		return;
	}
	regfree(&re);
	set_str(&p->cur->broker.queue_regex, value);
}

/* [mysql X] and [postgresql X] keys. */

/* A database name; [redis] database is a number, read by set_database. */
static void set_dbname(struct parser *p, const char *key, const char *value)
{
	(void)key;
	set_str(&p->cur->broker.dbname, value);
}

/* A my.cnf-style file may hold the password, so it is checked as a secret. */
static void set_option_file(struct parser *p, const char *key, const char *value)
{
	if (check_file(p, key, value, true) == 0)
		set_str(&p->cur->broker.option_file, value);
}

static void set_service(struct parser *p, const char *key, const char *value)
{
	(void)key;
	set_str(&p->cur->broker.service, value);
}

/* libpq's sslmode values; a mistyped one would make libpq fail at every connection. */
static void set_sslmode(struct parser *p, const char *key, const char *value)
{
	char q[CONFIG_QUOTE_MAX + 4];

	p->cur->sslmode_line = p->line;
	if (sslmode_valid(value))
		set_str(&p->cur->broker.sslmode, value);
	else
		perr(p, p->line, "invalid %s '%s' (expected " SSLMODE_WORDS ")", key,
		     quote(value, q, sizeof(q)));
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* queues = a, b, c: names separated by commas, each trimmed. */
static void set_queues(struct parser *p, const char *key, const char *value)
{
	struct config_collector *b = &p->cur->broker;
	char **names = NULL;
	size_t n = 0;
	const char *s = value;

	for (;;) {
		size_t len = strcspn(s, ",");
		char item[CONFIG_MAX_LINE + 1], *t;

		memcpy(item, s, len);
		item[len] = '\0';
		t = trim(item);
		if (*t == '\0') {
			perr(p, p->line, "empty queue name in %s", key);
			free_list(names, n);
			return;
		}
		names = xgrow(names, n, sizeof(*names));
		names[n++] = xstrdup(t);
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
	free_list(b->queues, b->nqueues);
	b->queues = names;
	b->nqueues = n;
}

static const struct key keys[] = {
    {SEC_AGENT, NULL, "listen", set_listen},
    {SEC_AGENT, NULL, "token_file", set_token_file},
    {SEC_AGENT, NULL, "tls_cert", set_tls_cert},
    {SEC_AGENT, NULL, "tls_key", set_tls_key},
    {SEC_AGENT, NULL, "allow", set_allow},
    {SEC_AGENT, NULL, "max_connections", set_max_connections},
    {SEC_AGENT, NULL, "max_connections_per_client", set_max_per_client},
    {SEC_AGENT, NULL, "connection_timeout", set_connection_timeout},
    {SEC_AGENT, NULL, "max_answer_size", set_max_answer_size},
    {SEC_AGENT, NULL, "user", set_user},
    {SEC_COLLECT, NULL, "interval", set_collect_interval},
    {SEC_COLLECT, NULL, "timeout", set_collect_timeout},
    {SEC_COLLECTOR, NULL, "interval", set_interval},
    {SEC_COLLECTOR, NULL, "timeout", set_timeout},
    {SEC_COLLECTOR, NULL, "enabled", set_enabled},
    {SEC_COLLECTOR, "load", "pressure", set_pressure},
    {SEC_COLLECTOR, "process", "name", set_process_name},
    {SEC_COLLECTOR, "process", "pidfile", set_pidfile},
    {SEC_COLLECTOR, "redis", "address", set_address},
    {SEC_COLLECTOR, "redis", "database", set_database},
    {SEC_COLLECTOR, "redis", "user", set_login_user},
    {SEC_COLLECTOR, "redis", "password_file", set_password_file},
    {SEC_COLLECTOR, "redis", "queues", set_queues},
    {SEC_COLLECTOR, "redis", "queue_regex", set_queue_regex},
    {SEC_COLLECTOR, "redis", "celery", set_celery},
    {SEC_COLLECTOR, "redis", "resque", set_resque},
    {SEC_COLLECTOR, "redis", "key_prefix", set_key_prefix},
    {SEC_COLLECTOR, "rabbitmq", "url", set_url},
    {SEC_COLLECTOR, "rabbitmq", "user", set_login_user},
    {SEC_COLLECTOR, "rabbitmq", "password_file", set_password_file},
    {SEC_COLLECTOR, "rabbitmq", "vhost", set_vhost},
    {SEC_COLLECTOR, "rabbitmq", "queues", set_queues},
    {SEC_COLLECTOR, "rabbitmq", "queue_regex", set_queue_regex},
    {SEC_COLLECTOR, "rabbitmq", "ca_file", set_ca_file},
    {SEC_COLLECTOR, "rabbitmq", "insecure", set_insecure},
    {SEC_COLLECTOR, "nginx", "url", set_url},
    {SEC_COLLECTOR, "nginx", "host_header", set_host_header},
    {SEC_COLLECTOR, "nginx", "user", set_login_user},
    {SEC_COLLECTOR, "nginx", "password_file", set_password_file},
    {SEC_COLLECTOR, "nginx", "ca_file", set_ca_file},
    {SEC_COLLECTOR, "nginx", "insecure", set_insecure},
    {SEC_COLLECTOR, "haproxy", "address", set_address},
    {SEC_COLLECTOR, "haproxy", "url", set_url},
    {SEC_COLLECTOR, "haproxy", "user", set_login_user},
    {SEC_COLLECTOR, "haproxy", "password_file", set_password_file},
    {SEC_COLLECTOR, "haproxy", "ca_file", set_ca_file},
    {SEC_COLLECTOR, "haproxy", "insecure", set_insecure},
    {SEC_COLLECTOR, "mysql", "address", set_address},
    {SEC_COLLECTOR, "mysql", "user", set_login_user},
    {SEC_COLLECTOR, "mysql", "password_file", set_password_file},
    {SEC_COLLECTOR, "mysql", "database", set_dbname},
    {SEC_COLLECTOR, "mysql", "option_file", set_option_file},
    {SEC_COLLECTOR, "mysql", "ca_file", set_ca_file},
    {SEC_COLLECTOR, "postgresql", "address", set_address},
    {SEC_COLLECTOR, "postgresql", "user", set_login_user},
    {SEC_COLLECTOR, "postgresql", "password_file", set_password_file},
    {SEC_COLLECTOR, "postgresql", "database", set_dbname},
    {SEC_COLLECTOR, "postgresql", "service", set_service},
    {SEC_COLLECTOR, "postgresql", "sslmode", set_sslmode},
    {SEC_COLLECTOR, "postgresql", "ca_file", set_ca_file},
};

void config_each_key(void (*fn)(const char *section, const char *key, void *arg), void *arg)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		fn(keys[i].sec == SEC_AGENT	? "agent"
		   : keys[i].sec == SEC_COLLECT ? "collect"
		   : keys[i].kind != NULL	? keys[i].kind
						: "*",
		   keys[i].name, arg);
}

static const struct key *key_find(const struct parser *p, const char *name)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key *k = &keys[i];

		if (k->sec != p->sec || strcmp(k->name, name) != 0)
			continue;
		if (k->kind == NULL || strcmp(k->kind, p->cur->kind) == 0)
			return k;
	}
	return NULL;
}

/* The line where name was first seen in list, 0 when it was not; records it otherwise. */
static unsigned seen_add(struct seen **list, size_t *n, const char *name, unsigned line)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*list)[i].name, name) == 0)
			return (*list)[i].line;
	*list = xgrow(*list, *n, sizeof(**list));
	(*list)[*n].name = xstrdup(name);
	(*list)[*n].line = line;
	(*n)++;
	return 0;
}

static void seen_free(struct seen *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i].name);
	free(list);
}

static struct pcoll *pcoll_add(struct parser *p, const char *kind, const char *instance)
{
	struct pcoll *pc;

	p->colls = xgrow(p->colls, p->ncolls, sizeof(*p->colls));
	pc = &p->colls[p->ncolls++];
	memset(pc, 0, sizeof(*pc));
	pc->kind = xstrdup(kind);
	pc->instance = instance == NULL ? NULL : xstrdup(instance);
	pc->title =
	    instance == NULL ? xasprintf("[%s]", kind) : xasprintf("[%s %s]", kind, instance);
	pc->enabled = true;
	return pc;
}

/* Free the broker settings of cc. */
static void broker_free(struct config_collector *cc)
{
	free(cc->address);
	free(cc->url);
	free(cc->user);
	free(cc->password_file);
	free(cc->vhost);
	free_list(cc->queues, cc->nqueues);
	free(cc->queue_regex);
	free(cc->resque);
	free(cc->key_prefix);
	free(cc->ca_file);
	free(cc->host_header);
	free(cc->dbname);
	free(cc->option_file);
	free(cc->service);
	free(cc->sslmode);
}

static void pcoll_free(struct pcoll *pc)
{
	free(pc->kind);
	free(pc->instance);
	free(pc->title);
	free(pc->process_name);
	free(pc->pidfile);
	broker_free(&pc->broker);
}

/* Instance names become metric labels: keep them to a safe alphabet. */
static bool instance_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		bool ok = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			  (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-';

		if (!ok)
			return false;
	}
	return true;
}

static bool is_builtin(const char *kind)
{
	for (size_t i = 0; i < NBUILTIN; i++)
		if (strcmp(kind, builtin_kinds[i]) == 0)
			return true;
	return false;
}

/* Kinds whose sections take a name, "[redis jobs]", and may appear many times. */
static bool is_named(const char *kind)
{
	static const char *const named[] = {"process", "redis", "rabbitmq",   "nginx",
					    "haproxy", "mysql", "postgresql", NULL};

	for (size_t i = 0; named[i] != NULL; i++)
		if (strcmp(kind, named[i]) == 0)
			return true;
	return false;
}

/* Enter the section of a "[kind NAME]" header; kind and name are trimmed. */
static void enter_section(struct parser *p, const char *kind, const char *name)
{
	bool named = is_named(kind);
	char *id;
	unsigned first;

	if (!named && strcmp(kind, "agent") != 0 && strcmp(kind, "collect") != 0 &&
	    !is_builtin(kind)) {
		if (*name == '\0')
			perr(p, p->line, "unknown section [%s]", kind);
		else
			perr(p, p->line, "unknown section [%s %s]", kind, name);
		return;
	}
	if (!named && *name != '\0') {
		perr(p, p->line, "section [%s] takes no name", kind);
		return;
	}
	if (named && *name == '\0') {
		perr(p, p->line, "section [%s] needs a name: [%s NAME]", kind, kind);
		return;
	}
	if (named && !instance_ok(name)) {
		perr(p, p->line,
		     "invalid name '%s' in [%s] (letters, digits, '_', '.' and '-' only)", name,
		     kind);
		return;
	}
	id = named ? xasprintf("%s %s", kind, name) : xstrdup(kind);
	first = seen_add(&p->sections, &p->nsections, id, p->line);
	if (first != 0) {
		perr(p, p->line, "duplicate section [%s] (first at line %u)", id, first);
		free(id);
		return;
	}
	free(p->title);
	p->title = xasprintf("[%s]", id);
	free(id);
	if (strcmp(kind, "agent") == 0) {
		p->sec = SEC_AGENT;
	} else if (strcmp(kind, "collect") == 0) {
		p->sec = SEC_COLLECT;
	} else {
		p->sec = SEC_COLLECTOR;
		p->cur = NULL;
		for (size_t i = 0; !named && i < p->ncolls; i++)
			if (strcmp(p->colls[i].kind, kind) == 0)
				p->cur = &p->colls[i];
		if (p->cur == NULL)
			p->cur = pcoll_add(p, kind, named ? name : NULL);
	}
}

static void parse_header(struct parser *p, char *s)
{
	char *close = strchr(s, ']'), *inner, *name, *rest;
	char q[CONFIG_QUOTE_MAX + 4];

	/* Until a header is good, its keys are ignored rather than misfiled. */
	p->sec = SEC_SKIP;
	seen_free(p->keys, p->nkeys);
	p->keys = NULL;
	p->nkeys = 0;
	if (close == NULL) {
		perr(p, p->line, "section header '%s' lacks its closing ']'",
		     quote(s, q, sizeof(q)));
		return;
	}
	*close = '\0';
	rest = trim(close + 1);
	if (*rest != '\0') {
		perr(p, p->line,
		     "unexpected '%s' after the section header [%s] (a comment starts with # or ; "
		     "after a space)",
		     quote(rest, q, sizeof(q)), trim(s + 1));
		return;
	}
	inner = trim(s + 1);
	if (*inner == '\0') {
		perr(p, p->line, "empty section name []");
		return;
	}
	name = inner + strcspn(inner, " \t");
	if (*name != '\0')
		*name++ = '\0';
	enter_section(p, inner, trim(name));
}

static void parse_key(struct parser *p, const char *key, const char *value)
{
	const struct key *k;
	unsigned first;

	if (p->sec == SEC_NONE) {
		perr(p, p->line, "key outside any section");
		return;
	}
	if (p->sec == SEC_SKIP)
		return;
	k = key_find(p, key);
	if (k == NULL) {
		char q[CONFIG_QUOTE_MAX + 4];

		perr(p, p->line, "unknown key '%s' in %s", quote(key, q, sizeof(q)), p->title);
		return;
	}
	first = seen_add(&p->keys, &p->nkeys, key, p->line);
	if (first != 0) {
		perr(p, p->line, "duplicate key '%s' in %s (first at line %u)", key, p->title,
		     first);
		return;
	}
	if (*value == '\0') {
		perr(p, p->line, "no value for '%s'", key);
		return;
	}
	k->set(p, key, value);
}

/*
 * Cut a comment off s: a '#' or ';' at its start or after white space runs
 * to the end of the line. One inside a word stays, so URL fragments, "a;b"
 * and "pass#word" in a value are the value's.
 */
static void strip_comment(char *s)
{
	for (size_t i = 0; s[i] != '\0'; i++) {
		if ((s[i] == '#' || s[i] == ';') && (i == 0 || is_space(s[i - 1]))) {
			s[i] = '\0';
			return;
		}
	}
}

static void parse_line(struct parser *p, char *line)
{
	char *s, *eq, *key;

	strip_comment(line);
	s = trim(line);
	if (*s == '\0')
		return;
	if (*s == '[') {
		parse_header(p, s);
		return;
	}
	eq = strchr(s, '=');
	if (eq == NULL || eq == s) {
		char q[CONFIG_QUOTE_MAX + 4];

		perr(p, p->line, "'%s' is neither a [section] header nor key = value",
		     quote(s, q, sizeof(q)));
		return;
	}
	*eq = '\0';
	key = trim(s);
	parse_key(p, key, trim(eq + 1));
}

static void parse_lines(struct parser *p, const char *text)
{
	char line[CONFIG_MAX_LINE + 1];
	const char *s = text;

	/* An editor's byte order mark is not a syntax error. */
	if (strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	while (*s != '\0' && !p->stop) {
		size_t n = strcspn(s, "\n"), len = n;

		p->line++;
		if (len > 0 && s[len - 1] == '\r')
			len--;
		if (len > CONFIG_MAX_LINE) {
			perr(p, p->line, "line longer than %d bytes", CONFIG_MAX_LINE);
		} else {
			memcpy(line, s, len);
			line[len] = '\0';
			parse_line(p, line);
		}
		s += n;
		if (*s == '\n')
			s++;
	}
}

/* Settle the [collect] timeout, and a collector's interval and timeout from it. */
static void finish_times(struct parser *p)
{
	struct config *c = p->c;
	char a[NUM_BUFSZ], b[NUM_BUFSZ];

	/* A default timeout yields to a shorter interval; one that was written does not. */
	if (p->timeout_line == 0 && c->timeout > c->interval)
		c->timeout = c->interval;
	if (c->timeout > c->interval) {
		num_format(c->timeout, a, sizeof(a));
		num_format(c->interval, b, sizeof(b));
		perr(p, p->timeout_line, "timeout %s is longer than the interval %s in [collect]",
		     a, b);
	}
	for (size_t i = 0; i < p->ncolls; i++) {
		struct pcoll *pc = &p->colls[i];

		if (pc->interval_line == 0)
			pc->interval = c->interval;
		if (pc->timeout_line == 0) {
			pc->timeout = c->timeout < pc->interval ? c->timeout : pc->interval;
			continue;
		}
		if (pc->timeout > pc->interval) {
			num_format(pc->timeout, a, sizeof(a));
			num_format(pc->interval, b, sizeof(b));
			perr(p, pc->timeout_line, "timeout %s is longer than the interval %s of %s",
			     a, b, pc->title);
		}
	}
}

static void finish_agent(struct parser *p)
{
	struct config *c = p->c;

	if (p->tls_cert_line != 0 && p->tls_key_line == 0)
		perr(p, p->tls_cert_line,
		     "tls_cert is set but tls_key is not; give both or neither");
	if (p->tls_key_line != 0 && p->tls_cert_line == 0)
		perr(p, p->tls_key_line,
		     "tls_key is set but tls_cert is not; give both or neither");
	if (p->per_client_line == 0 && c->max_per_client > c->max_connections)
		c->max_per_client = c->max_connections;
	if (c->max_per_client > c->max_connections)
		perr(p, p->per_client_line,
		     "max_connections_per_client %u is more than max_connections %u",
		     c->max_per_client, c->max_connections);
}

/*
 * A CA file is there to verify the server; an sslmode that may fall back to
 * plain text would make it a false comfort.
 */
static void finish_databases(struct parser *p)
{
	for (size_t i = 0; i < p->ncolls; i++) {
		const struct pcoll *pc = &p->colls[i];
		const char *mode = pc->broker.sslmode;

		if (strcmp(pc->kind, "postgresql") != 0 || pc->broker.ca_file == NULL ||
		    mode == NULL)
			continue;
		if (sslmode_may_skip_tls(mode))
			perr(p, pc->sslmode_line,
			     "sslmode %s may connect without TLS, so ca_file (line %u) would not "
			     "be used; use require, verify-ca or verify-full",
			     mode, pc->ca_file_line);
	}
}

/* The defaults of a [postgresql] section. */
static void take_postgresql(struct config_collector *cc)
{
	if (cc->service == NULL && cc->address == NULL)
		cc->address = xstrdup(CONFIG_DEFAULT_POSTGRESQL);
	if (cc->service == NULL && cc->dbname == NULL)
		cc->dbname = xstrdup(CONFIG_DEFAULT_PGSQL_DATABASE);
	/* A CA file alone asks for the strictest check libpq makes. */
	if (cc->ca_file != NULL && cc->sslmode == NULL)
		cc->sslmode = xstrdup("verify-full");
}

/* Move the broker settings from b to cc, with the defaults for what is not set. */
static void take_broker(struct config_collector *cc, struct config_collector *b)
{
	cc->database = b->database;
	cc->celery = b->celery;
	cc->insecure = b->insecure;
	cc->user = b->user;
	cc->password_file = b->password_file;
	cc->queues = b->queues;
	cc->nqueues = b->nqueues;
	cc->queue_regex = b->queue_regex;
	cc->resque = b->resque;
	cc->key_prefix = b->key_prefix;
	cc->ca_file = b->ca_file;
	cc->address = b->address;
	cc->url = b->url;
	cc->vhost = b->vhost;
	cc->host_header = b->host_header;
	cc->dbname = b->dbname;
	cc->option_file = b->option_file;
	cc->service = b->service;
	cc->sslmode = b->sslmode;
	if (strcmp(cc->kind, "redis") == 0 && cc->address == NULL)
		cc->address = xstrdup(CONFIG_DEFAULT_REDIS);
	if (strcmp(cc->kind, "rabbitmq") == 0 && cc->url == NULL)
		cc->url = xstrdup(CONFIG_DEFAULT_RABBITMQ);
	if (strcmp(cc->kind, "rabbitmq") == 0 && cc->vhost == NULL)
		cc->vhost = xstrdup("/");
	if (strcmp(cc->kind, "nginx") == 0 && cc->url == NULL)
		cc->url = xstrdup(CONFIG_DEFAULT_NGINX);
	/* HAProxy is read from its stats page when a URL is given, else its socket. */
	if (strcmp(cc->kind, "haproxy") == 0 && cc->url == NULL && cc->address == NULL)
		cc->address = xstrdup(CONFIG_DEFAULT_HAPROXY);
	/* An option file or a service may name the server; a default would override it. */
	if (strcmp(cc->kind, "mysql") == 0 && cc->address == NULL && cc->option_file == NULL)
		cc->address = xstrdup(CONFIG_DEFAULT_MYSQL);
	if (strcmp(cc->kind, "postgresql") == 0)
		take_postgresql(cc);
	memset(b, 0, sizeof(*b));
}

/* Move the enabled collectors into the configuration, in order. */
static void finish_collectors(struct parser *p)
{
	struct config *c = p->c;

	c->collectors = xcalloc(p->ncolls == 0 ? 1 : p->ncolls, sizeof(*c->collectors));
	c->ncollectors = 0;
	for (size_t i = 0; i < p->ncolls; i++) {
		struct pcoll *pc = &p->colls[i];
		struct config_collector *cc;

		if (!pc->enabled)
			continue;
		cc = &c->collectors[c->ncollectors++];
		cc->kind = pc->kind;
		cc->name = pc->instance == NULL ? xstrdup(pc->kind)
						: xasprintf("%s %s", pc->kind, pc->instance);
		cc->interval = pc->interval;
		cc->timeout = pc->timeout;
		cc->process_name = pc->process_name;
		cc->pidfile = pc->pidfile;
		if (strcmp(pc->kind, "process") == 0 && cc->process_name == NULL &&
		    cc->pidfile == NULL)
			cc->process_name = xstrdup(pc->instance);
		memcpy(cc->pressure, pc->pressure, sizeof(cc->pressure));
		take_broker(cc, &pc->broker);
		pc->kind = NULL;
		pc->process_name = NULL;
		pc->pidfile = NULL;
	}
}

static struct config *config_base(void)
{
	struct config *c = xcalloc(1, sizeof(*c));

	c->listen = xstrdup(CONFIG_DEFAULT_LISTEN);
	c->max_connections = DEFAULT_MAX_CONNECTIONS;
	c->max_per_client = DEFAULT_MAX_PER_CLIENT;
	c->connection_timeout = DEFAULT_CONNECTION_TIMEOUT;
	c->max_answer_size = CONFIG_DEFAULT_MAX_ANSWER_SIZE;
	c->interval = DEFAULT_INTERVAL;
	c->timeout = DEFAULT_TIMEOUT;
	return c;
}

static void parser_free(struct parser *p)
{
	for (size_t i = 0; i < p->ncolls; i++)
		pcoll_free(&p->colls[i]);
	free(p->colls);
	seen_free(p->sections, p->nsections);
	seen_free(p->keys, p->nkeys);
	free(p->title);
	for (size_t i = 0; i < p->nerrors; i++)
		free(p->errors[i].msg);
	free(p->errors);
}

/* Hand back the configuration, or NULL with the errors when there were any. */
static struct config *parser_end(struct parser *p, char **errors)
{
	struct config *c = p->c;

	if (p->nerrors > 0) {
		if (errors != NULL)
			*errors = errors_text(p);
		config_free(c);
		c = NULL;
	}
	parser_free(p);
	return c;
}

struct config *config_parse(const char *text, const char *path, char **errors)
{
	struct parser p;

	if (errors != NULL)
		*errors = NULL;
	memset(&p, 0, sizeof(p));
	p.path = path;
	p.c = config_base();
	if (strlen(text) > CONFIG_MAX_FILE) {
		perr(&p, 0, "larger than 1 MiB; refusing it");
		return parser_end(&p, errors);
	}
	for (size_t i = 0; i < NBUILTIN; i++)
		pcoll_add(&p, builtin_kinds[i], NULL);
	parse_lines(&p, text);
	if (!p.stop) {
		p.line = 0;
		finish_times(&p);
		finish_agent(&p);
		finish_databases(&p);
	}
	if (p.nerrors == 0)
		finish_collectors(&p);
	return parser_end(&p, errors);
}

struct config *config_default(void)
{
	/* The empty file cannot fail: the defaults are valid. */
	return config_parse("", "(built-in)", NULL);
}

struct config *config_load(const char *path, char **errors)
{
	struct parser p;
	char *text = xmalloc(CONFIG_MAX_FILE + 2), err[512];
	/* Not a regular file (a FIFO would block a reload for good): refused at once. */
	ssize_t n =
	    file_read_as(path, "the file", text, CONFIG_MAX_FILE + 2, NULL, err, sizeof(err));
	struct config *c;

	if (n >= 0 && n <= CONFIG_MAX_FILE && strlen(text) == (size_t)n) {
		c = config_parse(text, path, errors);
		free(text);
		return c;
	}
	if (errors != NULL)
		*errors = NULL;
	memset(&p, 0, sizeof(p));
	p.path = path;
	p.c = config_base();
	if (n == -1)
		perr(&p, 0, "%s", err);
	else if (n > CONFIG_MAX_FILE)
		perr(&p, 0, "larger than 1 MiB; refusing it");
	else
		perr(&p, 0, "contains a NUL byte; not a text file");
	free(text);
	return parser_end(&p, errors);
}

void config_free(struct config *c)
{
	if (c == NULL)
		return;
	free(c->listen);
	free(c->token_file);
	free(c->tls_cert);
	free(c->tls_key);
	free(c->allow);
	free(c->user);
	for (size_t i = 0; i < c->ncollectors; i++) {
		free(c->collectors[i].kind);
		free(c->collectors[i].name);
		free(c->collectors[i].process_name);
		free(c->collectors[i].pidfile);
		broker_free(&c->collectors[i]);
	}
	free(c->collectors);
	free(c);
}
