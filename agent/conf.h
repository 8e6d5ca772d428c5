/*
 * vaktd's configuration: built-in defaults, overridden by an INI file
 * (vaktd.conf(5)). Parsing reports every error with its line number and
 * never exits.
 */
#ifndef VAKT_CONFIG_H
#define VAKT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "allow.h"

#define CONFIG_DEFAULT_PORT 9333
#define CONFIG_DEFAULT_LISTEN "127.0.0.1:9333"
/*
 * [agent] max_answer_size: /api/v1/metrics of 50,000 listeners' series is
 * about 12 MiB, /metrics 3 MiB.
 */
#define CONFIG_DEFAULT_MAX_ANSWER_SIZE ((size_t)32 << 20)

/* [snmp]: net-snmp's own AgentX socket, and NET-SNMP-MIB's netSnmpPlaypen.5638. */
#define CONFIG_DEFAULT_AGENTX_SOCKET "/var/agentx/master"
#define CONFIG_DEFAULT_SNMP_BASE_OID ".1.3.6.1.4.1.8072.9999.9999.5638"
#define CONFIG_DEFAULT_SNMP_PING 15
/*
 * Arcs a base_oid may have: the collector table's rows add 4 and up to 64
 * (a name), and net-snmp takes OIDs of at most 128 arcs.
 */
#define CONFIG_OID_MAX 32

/*
 * One collector to run: its kind, its instance and its times, which every
 * kind has, and the settings of its kind's own keys, which only the kind
 * reads (collector.h, confkeys.h).
 */
struct config_collector {
	char *kind;	 /* "load", "fds", "process", "listen", "redis", ... */
	char *name;	 /* instance name: the kind, or "process nginx" for [process nginx] */
	double interval; /* seconds */
	double timeout;	 /* seconds */
	void *settings;	 /* the kind's settings struct, NULL for a kind without keys */
	char *where;	 /* what it collects from, in words for messages; NULL: this host */
};

/* [snmp]: vaktd as an AgentX subagent (snmp.h). */
struct config_snmp {
	bool enabled;		/* default no */
	char *agentx_socket;	/* an absolute path or tcp:HOST:PORT */
	char *base_oid;		/* dotted numeric, as written */
	unsigned ping_interval; /* seconds, 1..3600 */
	bool notifications;	/* send vaktCollectorStale/Fresh through the master */
};

struct config {
	/* [agent] */
	char *listen;	  /* "ADDR:PORT" or "[V6]:PORT"; default CONFIG_DEFAULT_LISTEN */
	char *token_file; /* bearer token file, NULL: no token */
	char *tls_cert;	  /* PEM files; both or neither */
	char *tls_key;
	struct allow_net *allow; /* client networks allowed; none: everyone who can connect */
	size_t nallow;
	unsigned max_connections;    /* default 128; libmicrohttpd accepts no more */
	unsigned max_per_client;     /* default 32; more are answered 503, twice as many closed */
	unsigned connection_timeout; /* seconds, default 10 */
	size_t
	    max_answer_size; /* bytes an HTTP answer may have, default
				CONFIG_DEFAULT_MAX_ANSWER_SIZE; larger ones are refused with 500 */
	char *user;	     /* drop privileges to this user after binding, NULL: stay */
	/* [collect] defaults for every collector */
	double interval; /* default 15 */
	double timeout;	 /* default 5 */
	/* the collectors, in file order; defaults: load, fds, listen */
	struct config_collector *collectors;
	size_t ncollectors;
	struct config_snmp snmp;
};

/*
 * Parse a dotted numeric OID (".1.3.6.1", a leading dot optional) into at
 * most max arcs of 32 bits; the number of arcs, or -1 when it is not one.
 */
int config_oid_parse(const char *s, unsigned long *arcs, size_t max);

/* The built-in defaults (loopback, default port, host collectors on); never NULL. */
struct config *config_default(void);
/*
 * Read the file at path over the defaults. Returns the configuration, or
 * NULL with every problem in errors, one "PATH:LINE: message" per line (the
 * caller frees *errors).
 */
struct config *config_load(const char *path, char **errors);
/* Same for a file already in memory (path is only used in messages). */
struct config *config_parse(const char *text, const char *path, char **errors);
void config_free(struct config *c);

/*
 * Call fn for every key vaktd.conf knows, with its section: "agent",
 * "collect", a collector's kind ("redis"), or "*" for the keys of every
 * collector's section, with its default (NULL: none, or one a kind's
 * finish hook sets) and its help line. A kind this vaktd was built
 * without gives only "*", with why as its help. test_config holds
 * vaktd.conf(5) to this list.
 */
void config_each_key(void (*fn)(const char *section, const char *key, const char *def,
				const char *help, void *arg),
		     void *arg);
/*
 * The value of key in cc's section as text (in out, or a string cc holds),
 * defaults applied; NULL when the key is not set or not one of its kind's.
 */
const char *config_value(const struct config_collector *cc, const char *key, char *out,
			 size_t outlen);
/*
 * True, with the reason in out, when the allow-list turns away every client
 * that can reach the listen address: a loopback address is reached only from
 * this host, so an allow-list without 127.0.0.1 (or ::1, or the address
 * itself) refuses every connection. A valid configuration, but not a useful one.
 */
bool config_unreachable(const struct config *c, char *out, size_t outlen);

#endif
