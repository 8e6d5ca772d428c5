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

#include "address.h"
#include "backoff.h"
#include "collector.h"
#include "num.h"
#include "probe/pgsql_locks.h"
#include "secret.h"
#include "xalloc.h"

/* The name PostgreSQL gives its socket in the socket directory, before the port. */
#define SOCKET_PREFIX "/.s.PGSQL."

struct pgsql_coll {
	char host[256];
	/* owned copies, which target points to */
	char *user, *password, *dbname, *service, *sslmode, *ca_file, *section_name;
	struct pgsql_target target;
	PGconn *conn;
	struct backoff backoff;
};

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

static void *pgsql_coll_create(const struct config_collector *cc, char *err, size_t errlen)
{
	struct pgsql_coll *c = xcalloc(1, sizeof(*c));
	const char *space = strchr(cc->name, ' ');

	/* Every collector runs in a thread of its own. */
	if (PQisthreadsafe() == 0) {
		snprintf(err, errlen, "[%s]: this libpq is not thread-safe", cc->name);
		free(c);
		return NULL;
	}
	/* Without address, the service's server (or libpq's default). */
	if ((cc->address != NULL && address_split(cc->address, c->host, sizeof(c->host),
						  &c->target.port, err, errlen) != 0) ||
	    (cc->password_file != NULL &&
	     secret_load(cc->password_file, NULL, &c->password, err, errlen) != 0)) {
		pgsql_coll_destroy(c);
		return NULL;
	}
	if (c->host[0] == '/')
		socket_split(c->host, &c->target.port);
	c->user = cc->user != NULL ? xstrdup(cc->user) : NULL;
	c->dbname = cc->dbname != NULL ? xstrdup(cc->dbname) : NULL;
	c->service = cc->service != NULL ? xstrdup(cc->service) : NULL;
	c->sslmode = cc->sslmode != NULL ? xstrdup(cc->sslmode) : NULL;
	c->ca_file = cc->ca_file != NULL ? xstrdup(cc->ca_file) : NULL;
	c->section_name = xstrdup(space != NULL ? space + 1 : cc->name);
	c->target.host = cc->address != NULL ? c->host : NULL;
	c->target.user = c->user;
	c->target.password = c->password;
	c->target.database = c->dbname;
	c->target.service = c->service;
	c->target.sslmode = c->sslmode;
	c->target.sslrootcert = c->ca_file;
	c->target.timeout = cc->timeout;
	return c;
}

/* After a failure: drop the connection and wait before the next one. */
static int failed(struct pgsql_coll *c, const char *err)
{
	bool lost = c->conn != NULL;

	if (lost) {
		PQfinish(c->conn);
		c->conn = NULL;
	}
	return backoff_failed(&c->backoff, lost, err);
}

static int pgsql_coll_collect(void *state, struct metric_set *set, char *err, size_t errlen)
{
	struct pgsql_coll *c = state;
	struct lock_report rep;
	int why;

	if (c->conn == NULL && backoff_waiting(&c->backoff, err, errlen))
		return -1;
	if (c->conn == NULL) {
		c->conn = probe_pgsql_connect(&c->target, &why, err, errlen);
		if (c->conn == NULL)
			return failed(c, err);
	}
	locks_init(&rep);
	why = probe_pgsql_locks(c->conn, c->target.timeout, &rep, err, errlen);
	if (why != 0) {
		locks_free(&rep);
		return failed(c, err);
	}
	locks_metrics(&rep, set);
	locks_free(&rep);
	/* Two [postgresql X] sections, or PostgreSQL and MySQL, must not give the same series. */
	metric_set_label_missing(set, "target", c->section_name);
	metric_set_label_missing(set, "dbms", "postgresql");
	backoff_ok(&c->backoff);
	return 0;
}

static void pgsql_coll_destroy(void *state)
{
	struct pgsql_coll *c = state;

	if (c == NULL)
		return;
	PQfinish(c->conn);
	secret_free(c->password);
	free(c->user);
	free(c->dbname);
	free(c->service);
	free(c->sslmode);
	free(c->ca_file);
	free(c->section_name);
	backoff_free(&c->backoff);
	free(c);
}

/* The metric names it gives, for the check endpoint. */
static const char *const postgresql_families[] = {"lock_", NULL};

const struct collector_kind collect_postgresql = {.kind = "postgresql",
						  .create = pgsql_coll_create,
						  .collect = pgsql_coll_collect,
						  .destroy = pgsql_coll_destroy,
						  .families = postgresql_families,
						  .name_label = "target"};
