/*
 * [postgresql NAME]: lock waits in a PostgreSQL server through
 * check_pgsql_locks' probe: who waits, for how long, who holds them up,
 * and the deadlock counter (probe/locks.h). The connection is kept between
 * collections; after a failure it is dropped and made again, no sooner
 * than a backoff that doubles up to a minute, as for [redis]. Every query
 * is limited by the section's timeout. Every series carries the target
 * label and dbms="postgresql", so the lock_* names the MySQL collector
 * shares stay apart.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "collect_locks.h"
#include "collector.h"
#include "num.h"
#include "probe/pgsql_locks.h"
#include "sslmode.h"
#include "xalloc.h"

/* The name PostgreSQL gives its socket in the socket directory, before the port. */
#define SOCKET_PREFIX "/.s.PGSQL."

struct pgsql_coll {
	struct collect_db db;	 /* which target points to; its link is a PGconn * */
	char *service, *sslmode; /* owned copies */
	struct pgsql_target target;
};

/* A [postgresql NAME] section. */
struct pgsql_settings {
	char *address; /* HOST:PORT, [V6]:PORT or a socket directory; NULL with service */
	struct conf_login login;
	char *dbname;  /* NULL with service: the service's, or libpq's */
	char *service; /* a pg_service.conf service, NULL: none */
	char *sslmode; /* libpq's; verify-full with ca_file, else NULL */
	struct conf_tls tls;
};

/* libpq's sslmode values; a mistyped one would make libpq fail at every connection. */
static int sslmode_check(struct conf_ctx *ctx, const char *key, const char *value)
{
	char q[CONF_QUOTE_BUFSZ];

	if (sslmode_valid(value))
		return 0;
	conf_error(ctx, "invalid %s '%s' (expected " SSLMODE_WORDS ")", key, conf_quote(value, q));
	return -1;
}

static const struct conf_key pgsql_keys[] = {
    CONF_KEY("address", conf_address, struct pgsql_settings, address, NULL,
	     "the server: HOST:PORT, [IPV6]:PORT or a socket directory (default 127.0.0.1:5432)"),
    CONF_KEYS_LOGIN(struct pgsql_settings),
    CONF_KEY("database", conf_string, struct pgsql_settings, dbname, NULL,
	     "the database to connect to (default postgres)"),
    CONF_KEY("service", conf_string, struct pgsql_settings, service, NULL,
	     "a pg_service.conf service naming the server"),
    CONF_KEY_CHECKED("sslmode", conf_string, struct pgsql_settings, sslmode, sslmode_check,
		     "libpq's sslmode (default verify-full with ca_file)"),
    CONF_KEY_CA_FILE(struct pgsql_settings, "the CA bundle to verify the server with "
					    "(libpq's sslrootcert)"),
    {0},
};

/*
 * A CA file is there to verify the server; an sslmode that may fall back to
 * plain text would make it a false comfort. A service names the server and
 * the database, so they get defaults only without one.
 */
static void pgsql_finish(struct conf_ctx *ctx, void *settings, const char *name)
{
	struct pgsql_settings *s = settings;

	(void)name;
	if (s->tls.ca_file != NULL && s->sslmode != NULL && sslmode_may_skip_tls(s->sslmode))
		conf_error_at(ctx, conf_key_line(ctx, "sslmode"),
			      "sslmode %s may connect without TLS, so ca_file (line %u) would not "
			      "be used; use require, verify-ca or verify-full",
			      s->sslmode, conf_key_line(ctx, "ca_file"));
	if (s->service == NULL && s->address == NULL)
		s->address = xstrdup("127.0.0.1:5432");
	if (s->service == NULL && s->dbname == NULL)
		s->dbname = xstrdup("postgres");
	/* A CA file alone asks for the strictest check libpq makes. */
	if (s->tls.ca_file != NULL && s->sslmode == NULL)
		s->sslmode = xstrdup("verify-full");
}

static void pgsql_coll_destroy(void *state);

/*
 * libpq wants a socket's directory and port; someone who copied the
 * socket's own path (/run/postgresql/.s.PGSQL.5433) means both.
 */
static void socket_split(char *host, long *port)
{
	char *s = strstr(host, SOCKET_PREFIX);
	long n;

	if (s == NULL || s == host || num_parse_long(s + strlen(SOCKET_PREFIX), 1, 65535, &n) != 0)
		return;
	*s = '\0';
	*port = n;
}

static void *pgsql_coll_connect(void *state, char *err, size_t errlen)
{
	struct pgsql_coll *c = state;
	int why;

	return probe_pgsql_connect(&c->target, &why, err, errlen);
}

static void pgsql_coll_close(void *conn)
{
	PQfinish(conn);
}

static void *pgsql_coll_create(const struct config_collector *cc, char *err, size_t errlen)
{
	const struct pgsql_settings *s = cc->settings;
	struct pgsql_coll *c = xcalloc(1, sizeof(*c));

	/* Every collector runs in a thread of its own. */
	if (PQisthreadsafe() == 0) {
		snprintf(err, errlen, "[%s]: this libpq is not thread-safe", cc->name);
		free(c);
		return NULL;
	}
	/* Without address, the service's server (or libpq's default). */
	if (collect_db_start(&c->db, cc, s->address, &s->login, s->dbname, &s->tls, &c->target.port,
			     err, errlen) != 0) {
		pgsql_coll_destroy(c);
		return NULL;
	}
	if (c->db.host[0] == '/')
		socket_split(c->db.host, &c->target.port);
	c->service = s->service != NULL ? xstrdup(s->service) : NULL;
	c->sslmode = s->sslmode != NULL ? xstrdup(s->sslmode) : NULL;
	c->target.host = s->address != NULL ? c->db.host : NULL;
	c->target.user = c->db.user;
	c->target.password = c->db.password;
	c->target.database = c->db.dbname;
	c->target.service = c->service;
	c->target.sslmode = c->sslmode;
	c->target.sslrootcert = c->db.ca_file;
	c->target.timeout = cc->timeout;
	c->db.link.connect = pgsql_coll_connect;
	c->db.link.close = pgsql_coll_close;
	return c;
}

static int pgsql_coll_locks(void *conn, void *state, struct lock_report *rep, char *err,
			    size_t errlen)
{
	const struct pgsql_coll *c = state;

	return probe_pgsql_locks(conn, c->target.timeout, rep, err, errlen);
}

static int pgsql_coll_collect(void *state, struct metric_set *set, char *err, size_t errlen)
{
	struct pgsql_coll *c = state;

	return collect_locks(&c->db, c, pgsql_coll_locks, "postgresql", set, err, errlen);
}

static void pgsql_coll_destroy(void *state)
{
	struct pgsql_coll *c = state;

	if (c == NULL)
		return;
	collect_db_free(&c->db);
	free(c->service);
	free(c->sslmode);
	free(c);
}

/* The metric names it gives, for the check endpoint. */
static const char *const postgresql_families[] = {"lock_", NULL};

const struct collector_kind collect_postgresql = {.kind = "postgresql",
						  .section = COLLECTOR_NAMED,
						  .keys = pgsql_keys,
						  .settings_size = sizeof(struct pgsql_settings),
						  .finish = pgsql_finish,
						  .create = pgsql_coll_create,
						  .collect = pgsql_coll_collect,
						  .destroy = pgsql_coll_destroy,
						  .families = postgresql_families,
						  .name_label = "target"};
