/*
 * [mysql NAME]: lock waits in a MySQL or MariaDB server through
 * check_mysql_locks' probe: who waits, for how long, who holds them up,
 * and the server's lock counters (probe/locks.h). The connection is kept
 * between collections; after a failure it is dropped and made again, no
 * sooner than a backoff that doubles up to a minute, as for [redis]. Every
 * series carries the target label and dbms="mysql", so the lock_* names
 * the PostgreSQL collector shares stay apart.
 *
 * Threads: libmariadb (Connector/C 3) initialises itself once under
 * pthread_once, and its mysql_thread_init()/mysql_thread_end() do nothing,
 * so a collector thread needs no set-up of its own. The library is still
 * initialised here, in create, which runs before any collector thread. It
 * is never ended: another section, or the next configuration after a
 * reload, may still use it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "collect_locks.h"
#include "collector.h"
#include "probe/mysql_locks.h"
#include "xalloc.h"

struct mysql_coll {
	struct collect_db db; /* which target points to; its link is a MYSQL * */
	char *option_file;    /* owned copy */
	struct mysql_target target;
};

/* A [mysql NAME] section. */
struct mysql_settings {
	char *address; /* NULL: the option file's server, or libmariadb's default */
	struct conf_login login;
	char *dbname;	   /* NULL: none */
	char *option_file; /* a my.cnf whose [client] group is read first */
	struct conf_tls tls;
};

static const struct conf_key mysql_keys[] = {
    CONF_KEY("address", conf_address, struct mysql_settings, address, NULL,
	     "the server: HOST:PORT, [IPV6]:PORT or a socket's path (default 127.0.0.1:3306)"),
    CONF_KEYS_LOGIN(struct mysql_settings),
    CONF_KEY("database", conf_string, struct mysql_settings, dbname, NULL,
	     "the database to connect to"),
    /* A my.cnf-style file may hold the password, so it is checked as a secret. */
    CONF_KEY("option_file", conf_secret_file, struct mysql_settings, option_file, NULL,
	     "a my.cnf-style file whose [client] group is read first"),
    CONF_KEY_CA_FILE(struct mysql_settings, "the CA bundle to verify the server with; "
					    "requires TLS"),
    {0},
};

/* An option file may name the server; a default address would override it. */
static void mysql_finish(struct conf_ctx *ctx, void *settings, const char *name)
{
	struct mysql_settings *s = settings;

	(void)ctx;
	(void)name;
	if (s->address == NULL && s->option_file == NULL)
		s->address = xstrdup("127.0.0.1:3306");
}

static void mysql_coll_destroy(void *state);

static void *mysql_coll_connect(void *state, char *err, size_t errlen)
{
	struct mysql_coll *c = state;
	int why;

	return probe_mysql_connect(&c->target, &why, err, errlen);
}

static void mysql_coll_close(void *m)
{
	mysql_close(m);
}

static void *mysql_coll_create(const struct config_collector *cc, char *err, size_t errlen)
{
	const struct mysql_settings *s = cc->settings;
	struct mysql_coll *c = xcalloc(1, sizeof(*c));

	if (mysql_library_init(0, NULL, NULL) != 0) {
		snprintf(err, errlen, "[%s]: cannot initialise libmariadb", cc->name);
		free(c);
		return NULL;
	}
	/* Without address, the option file's server (or libmariadb's default). */
	if (collect_db_start(&c->db, cc, s->address, &s->login, s->dbname, &s->tls, &c->target.port,
			     err, errlen) != 0) {
		mysql_coll_destroy(c);
		return NULL;
	}
	c->option_file = s->option_file != NULL ? xstrdup(s->option_file) : NULL;
	c->target.host = s->address != NULL ? c->db.host : NULL;
	c->target.user = c->db.user;
	c->target.password = c->db.password;
	c->target.database = c->db.dbname;
	c->target.option_file = c->option_file;
	c->target.ssl = c->db.ca_file != NULL;
	c->target.ssl_ca = c->db.ca_file;
	c->target.timeout = cc->timeout;
	c->db.link.connect = mysql_coll_connect;
	c->db.link.close = mysql_coll_close;
	return c;
}

static int mysql_coll_locks(void *m, void *state, struct lock_report *rep, char *err, size_t errlen)
{
	(void)state;
	return probe_mysql_locks(m, rep, err, errlen);
}

static int mysql_coll_collect(void *state, struct metric_set *set, char *err, size_t errlen)
{
	struct mysql_coll *c = state;

	return collect_locks(&c->db, c, mysql_coll_locks, "mysql", set, err, errlen);
}

static void mysql_coll_destroy(void *state)
{
	struct mysql_coll *c = state;

	if (c == NULL)
		return;
	collect_db_free(&c->db);
	free(c->option_file);
	free(c);
}

/* The metric names it gives, for the check endpoint. */
static const char *const mysql_families[] = {"lock_", NULL};

const struct collector_kind collect_mysql = {.kind = "mysql",
					     .section = COLLECTOR_NAMED,
					     .keys = mysql_keys,
					     .settings_size = sizeof(struct mysql_settings),
					     .finish = mysql_finish,
					     .create = mysql_coll_create,
					     .collect = mysql_coll_collect,
					     .destroy = mysql_coll_destroy,
					     .families = mysql_families,
					     .name_label = "target"};
