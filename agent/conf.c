/*
 * vaktd's configuration file (see conf.h and vaktd.conf(5)). The file is
 * read over the built-in defaults in one pass; everything that depends on
 * more than one key ([collect] defaults reaching the collectors, the two TLS
 * files, the per-client limit) is settled after the last line, so the order
 * of sections never matters. Every problem is reported, each with its line,
 * so that one run shows all of them. The keys of a collector's section are
 * its kind's (collector.h, confkeys.h): conf.c itself knows only enabled,
 * interval and timeout, and runs each kind's defaults and finish hook
 * after the last line.
 */
#include "config.h"

#include <arpa/inet.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "address.h"
#include "allow.h"
#include "buf.h"
#include "collector.h"
#include "confkeys.h"
#include "fileio.h"
#include "num.h"
#include "xalloc.h"

#define CONFIG_MAX_FILE (1024 * 1024)
#define CONFIG_MAX_LINE 4096
/* Past this many errors the rest of the file is most likely not a vaktd.conf. */
#define CONFIG_MAX_ERRORS 100
#define CONFIG_ERRORS_CAP (256 * 1024)

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
#define MAX_PING_INTERVAL 3600
/* A unix socket's path fits in sockaddr_un's sun_path. */
#define MAX_SOCKET_PATH 107

enum section { SEC_NONE, SEC_SKIP, SEC_AGENT, SEC_COLLECT, SEC_SNMP, SEC_COLLECTOR };

/* A collector while the file is read: its settings and where they came from. */
struct pcoll {
	const struct collector_kind *k;
	char *instance; /* NAME of [process NAME], NULL for the others */
	char *title;	/* "[load]", "[process nginx]" for messages */
	bool enabled;
	double interval, timeout; /* 0: not set in its section */
	unsigned interval_line, timeout_line;
	void *settings;	   /* the kind's settings struct */
	struct seen *keys; /* the keys its section gave, with their lines */
	size_t nkeys;
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

/* One reading of a file; the kinds' keys see it as opaque (confkeys.h). */
struct conf_ctx {
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
	struct seen *keys; /* in the current [agent] or [collect] section */
	size_t nkeys;
	/* lines of keys checked against each other at the end; 0: not set */
	unsigned interval_line, timeout_line, tls_cert_line, tls_key_line, per_client_line;
	struct group_secret *gsecrets; /* secret files their group may read */
	size_t ngsecrets;
};

/* A secret file readable by its group, fine only if that is vaktd's group. */
struct group_secret {
	unsigned line, gid, mode;
	char *key, *path;
};

/* A key of [agent], [collect], [snmp], or of every collector's section. */
struct key {
	enum section sec;
	const char *name;
	void (*set)(struct conf_ctx *p, const char *key, const char *value);
	const char *help;
	const char *def; /* its default, for vaktd.conf(5)'s test; NULL: none given here */
};

/* Record an error at line (0: about the whole file). */
void conf_error_at(struct conf_ctx *p, unsigned line, const char *fmt, ...)
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
static char *errors_text(struct conf_ctx *p)
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

void conf_error(struct conf_ctx *p, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conf_error_at(p, p->line, "%s", msg);
}

unsigned conf_key_line(const struct conf_ctx *p, const char *key)
{
	for (size_t i = 0; p->cur != NULL && i < p->cur->nkeys; i++)
		if (strcmp(p->cur->keys[i].name, key) == 0)
			return p->cur->keys[i].line;
	return 0;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Parse a whole number for key into *out; 0, or -1 after reporting why not. */
static int get_uint(struct conf_ctx *p, const char *key, const char *value, long min, long max,
		    unsigned *out)
{
	char q[CONF_QUOTE_BUFSZ];
	long n;

	if (num_parse_long(value, LONG_MIN, LONG_MAX, &n) != 0) {
		conf_error_at(p, p->line,
			      "invalid %s '%s' (expected a whole number from %ld to %ld)", key,
			      conf_quote(value, q), min, max);
		return -1;
	}
	if (n < min || n > max) {
		conf_error(p, "%s %s is out of range (%ld to %ld)", key, value, min, max);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

/*
 * Parse a size in bytes for key, a whole number with an optional K, M or G
 * (KiB, MiB, GiB), from min to max; 0, or -1 after reporting why not.
 */
static int get_size(struct conf_ctx *p, const char *key, const char *value, size_t min, size_t max,
		    size_t *out)
{
	static const char units[] = "KMG";
	char q[CONF_QUOTE_BUFSZ], *digits = xstrdup(value);
	size_t len = strlen(digits);
	const char *unit = len > 0 ? strchr(units, digits[len - 1]) : NULL;
	size_t bytes;
	long n;
	int r = -1;

	if (unit != NULL)
		digits[len - 1] = '\0';
	if (num_parse_long(digits, 0, LONG_MAX >> 30, &n) != 0) {
		conf_error(p, "invalid %s '%s' (expected bytes, like 67108864 or 64M)", key,
			   conf_quote(value, q));
	} else {
		bytes = (size_t)n << (unit != NULL ? 10 * (unit - units + 1) : 0);
		if (bytes < min || bytes > max) {
			conf_error(p, "%s %s is out of range (%zuK to %zuM)", key, value, min >> 10,
				   max >> 20);
		} else {
			*out = bytes;
			r = 0;
		}
	}
	free(digits);
	return r;
}

/* Parse a number of seconds in (0, 86400] for key; 0, or -1 after reporting. */
static int get_seconds(struct conf_ctx *p, const char *key, const char *value, double *out)
{
	char q[CONF_QUOTE_BUFSZ];
	double d;

	if (num_parse(value, &d) != 0) {
		conf_error(p, "invalid %s '%s' (expected seconds, like 15 or 0.5)", key,
			   conf_quote(value, q));
		return -1;
	}
	if (d <= 0 || d > MAX_SECONDS) {
		conf_error_at(p, p->line,
			      "%s %s is out of range (more than 0, at most %.0f seconds)", key,
			      value, MAX_SECONDS);
		return -1;
	}
	*out = d;
	return 0;
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

static void set_listen(struct conf_ctx *p, const char *key, const char *value)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char err[512];

	(void)key;
	if (address_listen(value, &ss, &len, err, sizeof(err)) != 0) {
		conf_error(p, "%s", err);
		return;
	}
	conf_set_str(&p->c->listen, value);
}

static void set_token_file(struct conf_ctx *p, const char *key, const char *value)
{
	if (conf_check_file(p, key, value, true) == 0)
		conf_set_str(&p->c->token_file, value);
}

static void set_tls_cert(struct conf_ctx *p, const char *key, const char *value)
{
	p->tls_cert_line = p->line;
	if (conf_check_file(p, key, value, false) == 0)
		conf_set_str(&p->c->tls_cert, value);
}

static void set_tls_key(struct conf_ctx *p, const char *key, const char *value)
{
	p->tls_key_line = p->line;
	if (conf_check_file(p, key, value, true) == 0)
		conf_set_str(&p->c->tls_key, value);
}

struct allow_list {
	struct allow_net *nets;
	size_t n;
};

static int allow_item(struct conf_ctx *p, const char *item, void *arg)
{
	struct allow_list *l = arg;
	char err[512];

	if (*item == '\0') {
		conf_error(p, "empty network in allow list");
		return -1;
	}
	l->nets = xgrow(l->nets, l->n, sizeof(*l->nets));
	if (allow_parse(item, &l->nets[l->n], err, sizeof(err)) != 0) {
		conf_error(p, "%s", err);
		return -1;
	}
	l->n++;
	return 0;
}

static void set_allow(struct conf_ctx *p, const char *key, const char *value)
{
	struct allow_list l = {NULL, 0};

	(void)key;
	if (conf_split(p, value, allow_item, &l) != 0) {
		free(l.nets);
		return;
	}
	free(p->c->allow);
	p->c->allow = l.nets;
	p->c->nallow = l.n;
}

static void set_max_connections(struct conf_ctx *p, const char *key, const char *value)
{
	get_uint(p, key, value, 1, MAX_CONNECTIONS, &p->c->max_connections);
}

static void set_max_per_client(struct conf_ctx *p, const char *key, const char *value)
{
	if (get_uint(p, key, value, 1, MAX_CONNECTIONS, &p->c->max_per_client) == 0)
		p->per_client_line = p->line;
}

static void set_connection_timeout(struct conf_ctx *p, const char *key, const char *value)
{
	get_uint(p, key, value, 1, MAX_CONNECTION_TIMEOUT, &p->c->connection_timeout);
}

static void set_max_answer_size(struct conf_ctx *p, const char *key, const char *value)
{
	get_size(p, key, value, MIN_ANSWER_SIZE, MAX_ANSWER_SIZE, &p->c->max_answer_size);
}

static void set_user(struct conf_ctx *p, const char *key, const char *value)
{
	(void)key;
	conf_set_str(&p->c->user, value);
}

/* [collect] keys. */

static void set_collect_interval(struct conf_ctx *p, const char *key, const char *value)
{
	if (get_seconds(p, key, value, &p->c->interval) == 0)
		p->interval_line = p->line;
}

static void set_collect_timeout(struct conf_ctx *p, const char *key, const char *value)
{
	if (get_seconds(p, key, value, &p->c->timeout) == 0)
		p->timeout_line = p->line;
}

/* [snmp] keys. */

static void set_snmp_enabled(struct conf_ctx *p, const char *key, const char *value)
{
	conf_parse_bool(p, key, value, &p->c->snmp.enabled);
}

static void set_snmp_notifications(struct conf_ctx *p, const char *key, const char *value)
{
	conf_parse_bool(p, key, value, &p->c->snmp.notifications);
}

/* Whether s is tcp:HOST:PORT with a port from 1 to 65535. */
static bool agentx_tcp_ok(const char *s)
{
	const char *colon = strrchr(s, ':');
	long port;

	if (strncmp(s, "tcp:", 4) != 0 || colon == NULL || colon <= s + 4)
		return false;
	return num_parse_long(colon + 1, 1, 65535, &port) == 0;
}

static void set_agentx_socket(struct conf_ctx *p, const char *key, const char *value)
{
	char q[CONF_QUOTE_BUFSZ];

	if (value[0] == '/' && strlen(value) > MAX_SOCKET_PATH) {
		conf_error(p, "%s is longer than a unix socket's path may be (%d bytes)", key,
			   MAX_SOCKET_PATH);
		return;
	}
	if (value[0] != '/' && !agentx_tcp_ok(value)) {
		conf_error(p, "invalid %s '%s' (expected an absolute path, or tcp:HOST:PORT)", key,
			   conf_quote(value, q));
		return;
	}
	conf_set_str(&p->c->snmp.agentx_socket, value);
}

int config_oid_parse(const char *s, unsigned long *arcs, size_t max)
{
	size_t n = 0;

	if (*s == '.')
		s++;
	while (*s != '\0') {
		unsigned long v = 0;
		size_t digits = 0;

		for (; *s >= '0' && *s <= '9'; s++, digits++) {
			v = v * 10 + (unsigned long)(*s - '0');
			if (v > 4294967295UL)
				return -1;
		}
		if (digits == 0 || n == max || (*s != '.' && *s != '\0') ||
		    (*s == '.' && s[1] == '\0'))
			return -1;
		arcs[n++] = v;
		if (*s == '.')
			s++;
	}
	return n == 0 ? -1 : (int)n;
}

static void set_base_oid(struct conf_ctx *p, const char *key, const char *value)
{
	unsigned long arcs[CONFIG_OID_MAX];
	char q[CONF_QUOTE_BUFSZ];
	int n = config_oid_parse(value, arcs, CONFIG_OID_MAX);

	if (n < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39)) {
		conf_error(p,
			   "invalid %s '%s' (expected a numeric OID of 2 to %d arcs, like "
			   "%s)",
			   key, conf_quote(value, q), CONFIG_OID_MAX, CONFIG_DEFAULT_SNMP_BASE_OID);
		return;
	}
	conf_set_str(&p->c->snmp.base_oid, value);
}

static void set_ping_interval(struct conf_ctx *p, const char *key, const char *value)
{
	get_uint(p, key, value, 1, MAX_PING_INTERVAL, &p->c->snmp.ping_interval);
}

/* Keys of every collector section. */

static void set_interval(struct conf_ctx *p, const char *key, const char *value)
{
	if (get_seconds(p, key, value, &p->cur->interval) == 0)
		p->cur->interval_line = p->line;
}

static void set_timeout(struct conf_ctx *p, const char *key, const char *value)
{
	if (get_seconds(p, key, value, &p->cur->timeout) == 0)
		p->cur->timeout_line = p->line;
}

static void set_enabled(struct conf_ctx *p, const char *key, const char *value)
{
	conf_parse_bool(p, key, value, &p->cur->enabled);
}

static const struct key keys[] = {
    {SEC_AGENT, "listen", set_listen, "the address and port to serve on", NULL},
    {SEC_AGENT, "token_file", set_token_file, "a file holding the bearer token clients must send",
     NULL},
    {SEC_AGENT, "tls_cert", set_tls_cert, "the PEM certificate to serve HTTPS with", NULL},
    {SEC_AGENT, "tls_key", set_tls_key, "the PEM private key of tls_cert", NULL},
    {SEC_AGENT, "allow", set_allow, "the client networks allowed to connect", NULL},
    {SEC_AGENT, "max_connections", set_max_connections, "connections served at once", NULL},
    {SEC_AGENT, "max_connections_per_client", set_max_per_client,
     "connections one client address may hold", NULL},
    {SEC_AGENT, "connection_timeout", set_connection_timeout,
     "seconds a connection may take for its request", NULL},
    {SEC_AGENT, "max_answer_size", set_max_answer_size, "the largest HTTP answer, in bytes", NULL},
    {SEC_AGENT, "user", set_user, "the user to run as once the port is bound", NULL},
    {SEC_COLLECT, "interval", set_collect_interval, "seconds between collections", NULL},
    {SEC_COLLECT, "timeout", set_collect_timeout, "seconds a collection may take", NULL},
    {SEC_SNMP, "enabled", set_snmp_enabled, "yes: register with the host's snmpd over AgentX",
     "no"},
    {SEC_SNMP, "agentx_socket", set_agentx_socket, "the AgentX master's socket",
     CONFIG_DEFAULT_AGENTX_SOCKET},
    {SEC_SNMP, "base_oid", set_base_oid, "the OID vakt's MIB is registered under",
     CONFIG_DEFAULT_SNMP_BASE_OID},
    {SEC_SNMP, "ping_interval", set_ping_interval,
     "seconds between pings of the master, and between attempts to reach it", "15"},
    {SEC_SNMP, "notifications", set_snmp_notifications,
     "yes: send a notification when a collector goes stale and when it is fresh again", "no"},
    {SEC_COLLECTOR, "interval", set_interval, "seconds between its collections", NULL},
    {SEC_COLLECTOR, "timeout", set_timeout, "seconds one collection may take", NULL},
    {SEC_COLLECTOR, "enabled", set_enabled, "no: do not run it", NULL},
};

/* Why this vaktd cannot read [snmp], or NULL when it can. */
#ifdef HAVE_NET_SNMP
static const char *const snmp_missing = NULL;
#else
static const char *const snmp_missing = "this vaktd was built without net-snmp";
#endif

void config_each_key(void (*fn)(const char *section, const char *key, const char *def,
				const char *help, void *arg),
		     void *arg)
{
	const struct collector_kind *k;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (keys[i].sec == SEC_SNMP && snmp_missing != NULL)
			continue;
		fn(keys[i].sec == SEC_AGENT	? "agent"
		   : keys[i].sec == SEC_COLLECT ? "collect"
		   : keys[i].sec == SEC_SNMP	? "snmp"
						: "*",
		   keys[i].name, keys[i].def, keys[i].help, arg);
	}
	if (snmp_missing != NULL)
		fn("snmp", "*", NULL, snmp_missing, arg);
	for (size_t i = 0; (k = collector_kind_at(i)) != NULL; i++) {
		if (k->missing != NULL)
			fn(k->kind, "*", NULL, k->missing, arg);
		for (const struct conf_key *key = k->keys; key != NULL && key->name != NULL; key++)
			fn(k->kind, key->name, key->def, key->help, arg);
	}
}

/* The key called name in the current section: one of every collector, or of its kind. */
static const struct key *key_find(const struct conf_ctx *p, const char *name)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].sec == p->sec && strcmp(keys[i].name, name) == 0)
			return &keys[i];
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

static struct pcoll *pcoll_add(struct conf_ctx *p, const struct collector_kind *k,
			       const char *instance)
{
	struct pcoll *pc;

	p->colls = xgrow(p->colls, p->ncolls, sizeof(*p->colls));
	pc = &p->colls[p->ncolls++];
	memset(pc, 0, sizeof(*pc));
	pc->k = k;
	pc->instance = instance == NULL ? NULL : xstrdup(instance);
	pc->title =
	    instance == NULL ? xasprintf("[%s]", k->kind) : xasprintf("[%s %s]", k->kind, instance);
	pc->enabled = true;
	pc->settings = conf_settings_new(k->settings_size);
	return pc;
}

static void pcoll_free(struct pcoll *pc)
{
	free(pc->instance);
	free(pc->title);
	conf_settings_free(pc->k->keys, pc->settings);
	seen_free(pc->keys, pc->nkeys);
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

/* The kind of a collector's section called kind, or NULL. */
static const struct collector_kind *section_kind(const char *kind)
{
	const struct collector_kind *k = collector_find(kind);

	return k != NULL && k->section != COLLECTOR_UNLISTED ? k : NULL;
}

/* Enter the section of a "[kind NAME]" header; kind and name are trimmed. */
static void enter_section(struct conf_ctx *p, const char *kind, const char *name)
{
	const struct collector_kind *k = section_kind(kind);
	bool named = k != NULL && k->section == COLLECTOR_NAMED;
	char *id;
	unsigned first;

	if (k == NULL && strcmp(kind, "agent") != 0 && strcmp(kind, "collect") != 0 &&
	    strcmp(kind, "snmp") != 0) {
		if (*name == '\0')
			conf_error(p, "unknown section [%s]", kind);
		else
			conf_error(p, "unknown section [%s %s]", kind, name);
		return;
	}
	if (!named && *name != '\0') {
		conf_error(p, "section [%s] takes no name", kind);
		return;
	}
	if (named && *name == '\0') {
		conf_error(p, "section [%s] needs a name: [%s NAME]", kind, kind);
		return;
	}
	if (named && !instance_ok(name)) {
		conf_error_at(p, p->line,
			      "invalid name '%s' in [%s] (letters, digits, '_', '.' and '-' only)",
			      name, kind);
		return;
	}
	id = named ? xasprintf("%s %s", kind, name) : xstrdup(kind);
	first = seen_add(&p->sections, &p->nsections, id, p->line);
	if (first != 0) {
		conf_error(p, "duplicate section [%s] (first at line %u)", id, first);
		free(id);
		return;
	}
	free(p->title);
	p->title = xasprintf("[%s]", id);
	free(id);
	if (k != NULL && k->missing != NULL) {
		conf_error(p, "%s: %s", p->title, k->missing);
		return;
	}
	if (strcmp(kind, "snmp") == 0 && snmp_missing != NULL) {
		conf_error(p, "%s: %s", p->title, snmp_missing);
		return;
	}
	if (strcmp(kind, "agent") == 0) {
		p->sec = SEC_AGENT;
	} else if (strcmp(kind, "snmp") == 0) {
		p->sec = SEC_SNMP;
	} else if (strcmp(kind, "collect") == 0) {
		p->sec = SEC_COLLECT;
	} else {
		p->sec = SEC_COLLECTOR;
		p->cur = NULL;
		for (size_t i = 0; !named && i < p->ncolls; i++)
			if (p->colls[i].k == k)
				p->cur = &p->colls[i];
		if (p->cur == NULL)
			p->cur = pcoll_add(p, k, named ? name : NULL);
	}
}

static void parse_header(struct conf_ctx *p, char *s)
{
	char *close = strchr(s, ']'), *inner, *name, *rest;
	char q[CONF_QUOTE_BUFSZ];

	/* Until a header is good, its keys are ignored rather than misfiled. */
	p->sec = SEC_SKIP;
	seen_free(p->keys, p->nkeys);
	p->keys = NULL;
	p->nkeys = 0;
	if (close == NULL) {
		conf_error(p, "section header '%s' lacks its closing ']'", conf_quote(s, q));
		return;
	}
	*close = '\0';
	rest = conf_trim(close + 1);
	if (*rest != '\0') {
		conf_error_at(
		    p, p->line,
		    "unexpected '%s' after the section header [%s] (a comment starts with # or ; "
		    "after a space)",
		    conf_quote(rest, q), conf_trim(s + 1));
		return;
	}
	inner = conf_trim(s + 1);
	if (*inner == '\0') {
		conf_error(p, "empty section name []");
		return;
	}
	name = inner + strcspn(inner, " \t");
	if (*name != '\0')
		*name++ = '\0';
	enter_section(p, inner, conf_trim(name));
}

static void parse_key(struct conf_ctx *p, const char *key, const char *value)
{
	const struct key *k;
	const struct conf_key *ck = NULL;
	bool coll = p->sec == SEC_COLLECTOR;
	unsigned first;

	if (p->sec == SEC_NONE) {
		conf_error(p, "key outside any section");
		return;
	}
	if (p->sec == SEC_SKIP)
		return;
	k = key_find(p, key);
	if (k == NULL && coll)
		ck = conf_key_find(p->cur->k->keys, key);
	if (k == NULL && ck == NULL) {
		char q[CONF_QUOTE_BUFSZ];

		conf_error(p, "unknown key '%s' in %s", conf_quote(key, q), p->title);
		return;
	}
	first = coll ? seen_add(&p->cur->keys, &p->cur->nkeys, key, p->line)
		     : seen_add(&p->keys, &p->nkeys, key, p->line);
	if (first != 0) {
		conf_error(p, "duplicate key '%s' in %s (first at line %u)", key, p->title, first);
		return;
	}
	if (*value == '\0') {
		conf_error(p, "no value for '%s'", key);
		return;
	}
	if (k != NULL) {
		k->set(p, key, value);
		return;
	}
	/* The type's check, the key's own, then the value. */
	if (p->cur->settings == NULL ||
	    (ck->type->check != NULL && ck->type->check(p, key, value) != 0) ||
	    (ck->check != NULL && ck->check(p, key, value) != 0))
		return;
	ck->type->set(p, key, value, (char *)p->cur->settings + ck->offset);
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

static void parse_line(struct conf_ctx *p, char *line)
{
	char *s, *eq, *key;

	strip_comment(line);
	s = conf_trim(line);
	if (*s == '\0')
		return;
	if (*s == '[') {
		parse_header(p, s);
		return;
	}
	eq = strchr(s, '=');
	if (eq == NULL || eq == s) {
		char q[CONF_QUOTE_BUFSZ];

		conf_error(p, "'%s' is neither a [section] header nor key = value",
			   conf_quote(s, q));
		return;
	}
	*eq = '\0';
	key = conf_trim(s);
	parse_key(p, key, conf_trim(eq + 1));
}

static void parse_lines(struct conf_ctx *p, const char *text)
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
			conf_error(p, "line longer than %d bytes", CONFIG_MAX_LINE);
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
static void finish_times(struct conf_ctx *p)
{
	struct config *c = p->c;
	char a[NUM_BUFSZ], b[NUM_BUFSZ];

	/* A default timeout yields to a shorter interval; one that was written does not. */
	if (p->timeout_line == 0 && c->timeout > c->interval)
		c->timeout = c->interval;
	if (c->timeout > c->interval) {
		num_format(c->timeout, a, sizeof(a));
		num_format(c->interval, b, sizeof(b));
		conf_error_at(p, p->timeout_line,
			      "timeout %s is longer than the interval %s in [collect]", a, b);
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
			conf_error_at(p, pc->timeout_line,
				      "timeout %s is longer than the interval %s of %s", a, b,
				      pc->title);
		}
	}
}

void conf_secret_group(struct conf_ctx *p, const char *key, const char *path, unsigned gid,
		       unsigned mode)
{
	p->gsecrets = xgrow(p->gsecrets, p->ngsecrets, sizeof(*p->gsecrets));
	p->gsecrets[p->ngsecrets++] =
	    (struct group_secret){p->line, gid, mode, xstrdup(key), xstrdup(path)};
}

/* A group's name for a message, or its number, copied to out (getgrgid's is reused). */
static const char *group_name(unsigned gid, char *out, size_t outlen)
{
	const struct group *g = getgrgid((gid_t)gid);

	if (g != NULL)
		snprintf(out, outlen, "%s", g->gr_name);
	else
		snprintf(out, outlen, "%u", gid);
	return out;
}

/*
 * A secret its group may read is vaktd's to read when that group is the one
 * vaktd reads it as: the group of user, or its own without one. An unknown
 * user is reported when vaktd starts.
 */
static void finish_secret_groups(struct conf_ctx *p)
{
	const struct passwd *pw = p->c->user != NULL ? getpwnam(p->c->user) : NULL;
	unsigned want = pw != NULL ? (unsigned)pw->pw_gid : (unsigned)getegid();
	char a[64], b[64];

	if (p->c->user != NULL && pw == NULL)
		return;
	for (size_t i = 0; i < p->ngsecrets; i++) {
		const struct group_secret *g = &p->gsecrets[i];

		if (g->gid != want)
			conf_error_at(p, g->line,
				      "%s %s is readable by its group %s, not vaktd's group %s "
				      "(mode %04o); chmod 600 it, or chgrp %s it",
				      g->key, g->path, group_name(g->gid, a, sizeof(a)),
				      group_name(want, b, sizeof(b)), g->mode, b);
	}
}

static void finish_agent(struct conf_ctx *p)
{
	struct config *c = p->c;

	if (p->tls_cert_line != 0 && p->tls_key_line == 0)
		conf_error_at(p, p->tls_cert_line,
			      "tls_cert is set but tls_key is not; give both or neither");
	if (p->tls_key_line != 0 && p->tls_cert_line == 0)
		conf_error_at(p, p->tls_key_line,
			      "tls_key is set but tls_cert is not; give both or neither");
	if (p->per_client_line == 0 && c->max_per_client > c->max_connections)
		c->max_per_client = c->max_connections;
	if (c->max_per_client > c->max_connections)
		conf_error_at(p, p->per_client_line,
			      "max_connections_per_client %u is more than max_connections %u",
			      c->max_per_client, c->max_connections);
}

/* Fill in the defaults of the keys pc's section did not give. */
static void apply_defaults(struct conf_ctx *p, struct pcoll *pc)
{
	for (const struct conf_key *k = pc->k->keys; k != NULL && k->name != NULL; k++)
		if (k->def != NULL && pc->settings != NULL && conf_key_line(p, k->name) == 0)
			k->type->set(p, k->name, k->def, (char *)pc->settings + k->offset);
}

/* Each collector's defaults, then its kind's checks across its keys. */
static void finish_kinds(struct conf_ctx *p)
{
	for (size_t i = 0; i < p->ncolls; i++) {
		struct pcoll *pc = &p->colls[i];

		p->cur = pc;
		apply_defaults(p, pc);
		if (pc->k->finish != NULL && pc->settings != NULL)
			pc->k->finish(p, pc->settings, pc->instance);
	}
	p->cur = NULL;
}

/*
 * What cc collects from, in words for messages: its URL without a user
 * name and password, or its address, or the libpq service or option file
 * that names the server; NULL for a collector of this host.
 */
static char *where(const struct config_collector *cc)
{
	char buf[64];
	const char *url = config_value(cc, "url", buf, sizeof(buf)), *v, *at, *scheme;

	if (url != NULL) {
		scheme = strstr(url, "://");
		at = scheme == NULL ? NULL : strchr(scheme + 3, '@');
		if (at != NULL && strcspn(scheme + 3, "/?#") > (size_t)(at - scheme - 3))
			return xasprintf("%.*s%s", (int)(scheme + 3 - url), url, at + 1);
		return xstrdup(url);
	}
	v = config_value(cc, "address", buf, sizeof(buf));
	if (v != NULL)
		return xstrdup(v);
	v = config_value(cc, "service", buf, sizeof(buf));
	if (v != NULL)
		return xasprintf("service %s", v);
	v = config_value(cc, "option_file", buf, sizeof(buf));
	if (v != NULL)
		return xasprintf("the server %s names", v);
	return NULL;
}

/* Move the enabled collectors into the configuration, in order. */
static void finish_collectors(struct conf_ctx *p)
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
		cc->kind = xstrdup(pc->k->kind);
		cc->name = pc->instance == NULL ? xstrdup(pc->k->kind)
						: xasprintf("%s %s", pc->k->kind, pc->instance);
		cc->interval = pc->interval;
		cc->timeout = pc->timeout;
		cc->settings = pc->settings;
		pc->settings = NULL;
		cc->where = where(cc);
	}
}

const char *config_value(const struct config_collector *cc, const char *key, char *out,
			 size_t outlen)
{
	const struct collector_kind *k = collector_find(cc->kind);
	const struct conf_key *ck = k == NULL ? NULL : conf_key_find(k->keys, key);

	if (ck == NULL || ck->type->show == NULL || cc->settings == NULL)
		return NULL;
	return ck->type->show((const char *)cc->settings + ck->offset, out, outlen);
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
	c->snmp.agentx_socket = xstrdup(CONFIG_DEFAULT_AGENTX_SOCKET);
	c->snmp.base_oid = xstrdup(CONFIG_DEFAULT_SNMP_BASE_OID);
	c->snmp.ping_interval = CONFIG_DEFAULT_SNMP_PING;
	return c;
}

static void parser_free(struct conf_ctx *p)
{
	for (size_t i = 0; i < p->ncolls; i++)
		pcoll_free(&p->colls[i]);
	free(p->colls);
	seen_free(p->sections, p->nsections);
	seen_free(p->keys, p->nkeys);
	free(p->title);
	for (size_t i = 0; i < p->ngsecrets; i++) {
		free(p->gsecrets[i].key);
		free(p->gsecrets[i].path);
	}
	free(p->gsecrets);
	for (size_t i = 0; i < p->nerrors; i++)
		free(p->errors[i].msg);
	free(p->errors);
}

/* Hand back the configuration, or NULL with the errors when there were any. */
static struct config *parser_end(struct conf_ctx *p, char **errors)
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
	const struct collector_kind *k;
	struct conf_ctx p;

	if (errors != NULL)
		*errors = NULL;
	memset(&p, 0, sizeof(p));
	p.path = path;
	p.c = config_base();
	if (strlen(text) > CONFIG_MAX_FILE) {
		conf_error_at(&p, 0, "larger than 1 MiB; refusing it");
		return parser_end(&p, errors);
	}
	for (size_t i = 0; (k = collector_kind_at(i)) != NULL; i++)
		if (k->section == COLLECTOR_DEFAULT)
			pcoll_add(&p, k, NULL);
	parse_lines(&p, text);
	if (!p.stop) {
		p.line = 0;
		finish_times(&p);
		finish_agent(&p);
		finish_secret_groups(&p);
		finish_kinds(&p);
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
	struct conf_ctx p;
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
		conf_error_at(&p, 0, "%s", err);
	else if (n > CONFIG_MAX_FILE)
		conf_error_at(&p, 0, "larger than 1 MiB; refusing it");
	else
		conf_error_at(&p, 0, "contains a NUL byte; not a text file");
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
	free(c->snmp.agentx_socket);
	free(c->snmp.base_oid);
	for (size_t i = 0; i < c->ncollectors; i++) {
		struct config_collector *cc = &c->collectors[i];
		const struct collector_kind *k = collector_find(cc->kind);

		conf_settings_free(k != NULL ? k->keys : NULL, cc->settings);
		free(cc->kind);
		free(cc->name);
		free(cc->where);
	}
	free(c->collectors);
	free(c);
}
