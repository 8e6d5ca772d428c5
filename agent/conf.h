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
#define CONFIG_DEFAULT_REDIS "127.0.0.1:6379"
#define CONFIG_DEFAULT_RABBITMQ "http://127.0.0.1:15672"
#define CONFIG_DEFAULT_NGINX "http://127.0.0.1/nginx_status"
#define CONFIG_DEFAULT_HAPROXY "/run/haproxy/admin.sock"
#define CONFIG_DEFAULT_MYSQL "127.0.0.1:3306"
#define CONFIG_DEFAULT_POSTGRESQL "127.0.0.1:5432"
/*
 * [agent] max_answer_size: /api/v1/metrics of 50,000 listeners' series is
 * about 12 MiB, /metrics 3 MiB.
 */
#define CONFIG_DEFAULT_MAX_ANSWER_SIZE ((size_t)32 << 20)
/* [postgresql] database when neither database nor service is given */
#define CONFIG_DEFAULT_PGSQL_DATABASE "postgres"

/* One collector to run: its kind and its settings. */
struct config_collector {
	char *kind;	 /* "load", "fds", "process", "listen" */
	char *name;	 /* instance name: the kind, or "process nginx" for [process nginx] */
	double interval; /* seconds */
	double timeout;	 /* seconds */
	/* kind-specific settings, NULL/false when not given */
	char *process_name; /* [process X] name = ... (defaults to X) */
	char *pidfile;	    /* [process X] pidfile = ... */
	bool pressure[3];   /* [load] pressure = cpu, io, memory */
	/* [redis X], [rabbitmq X], [nginx X], [haproxy X], [mysql X] and [postgresql X] */
	char *address;	   /* [redis] HOST:PORT, [V6]:PORT or /unix/socket; default 127.0.0.1:6379;
			      [haproxy] the stats socket, default /run/haproxy/admin.sock;
			      [mysql] as [redis], default 127.0.0.1:3306;
			      [postgresql] HOST:PORT, [V6]:PORT or a socket directory, default
			      127.0.0.1:5432; NULL for these two with option_file or service */
	long database;	   /* [redis] database number, default 0 */
	char *dbname;	   /* [mysql] database name, NULL: none; [postgresql] default postgres,
			      NULL with service (the service's or libpq's) */
	char *option_file; /* [mysql] my.cnf-style file whose [client] group is read first */
	char *service;	   /* [postgresql] pg_service.conf service, NULL: none */
	char *sslmode;	   /* [postgresql] libpq sslmode; verify-full with ca_file, else NULL */
	char *url;	   /* [rabbitmq] management API base, default http://127.0.0.1:15672;
			      [nginx] stub_status page; [haproxy] stats page ending in ;csv */
	char *host_header; /* [nginx] Host header to send, NULL: the URL's host */
	char *user;	   /* login user, NULL: none (rabbitmq: guest) */
	char *password_file; /* file holding the password, NULL: none */
	char *vhost;	     /* [rabbitmq] virtual host, default "/" */
	char **queues;	     /* queue names to watch, nqueues of them */
	size_t nqueues;
	char *queue_regex; /* POSIX extended regex; queues whose names match are watched */
	bool celery;	   /* [redis] also every queue Celery has bound */
	char *resque;	   /* [redis] Resque namespace to discover queues in, NULL: none */
	char *key_prefix;  /* [redis] prefix of every key (Celery's global_keyprefix) */
	char *ca_file;	   /* TLS: CA bundle to verify the server with, NULL: system default;
			      [mysql] also requires TLS; [postgresql] libpq's sslrootcert */
	bool insecure;	   /* TLS: do not verify the server (only when asked) */
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
};

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
 * collector's section. test_config holds vaktd.conf(5) to this list.
 */
void config_each_key(void (*fn)(const char *section, const char *key, void *arg), void *arg);
/*
 * True, with the reason in out, when the allow-list turns away every client
 * that can reach the listen address: a loopback address is reached only from
 * this host, so an allow-list without 127.0.0.1 (or ::1, or the address
 * itself) refuses every connection. A valid configuration, but not a useful one.
 */
bool config_unreachable(const struct config *c, char *out, size_t outlen);

#endif
