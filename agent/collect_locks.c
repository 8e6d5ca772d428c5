/* One collection of a database's locks (see collect_locks.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "collect_locks.h"
#include "secret.h"
#include "xalloc.h"

/* A copy of s, NULL for NULL. */
static char *copy(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

int collect_db_start(struct collect_db *d, const struct config_collector *cc, const char *address,
		     const struct conf_login *login, const char *dbname, const struct conf_tls *tls,
		     long *port, char *err, size_t errlen)
{
	const char *space = strchr(cc->name, ' ');

	if ((address != NULL &&
	     address_split(address, d->host, sizeof(d->host), port, err, errlen) != 0) ||
	    (login->password_file != NULL &&
	     secret_load(login->password_file, NULL, &d->password, err, errlen) != 0))
		return -1;
	d->user = copy(login->user);
	d->dbname = copy(dbname);
	d->ca_file = copy(tls->ca_file);
	d->section_name = xstrdup(space != NULL ? space + 1 : cc->name);
	return 0;
}

void collect_db_free(struct collect_db *d)
{
	backoff_conn_free(&d->link);
	secret_free(d->password);
	free(d->user);
	free(d->dbname);
	free(d->ca_file);
	free(d->section_name);
}

int collect_locks(struct collect_db *d, void *state, collect_locks_probe *probe, const char *dbms,
		  struct metric_set *set, char *err, size_t errlen)
{
	struct backoff_conn *link = &d->link;
	void *conn = backoff_conn_get(link, state, err, errlen);
	struct lock_report rep;

	if (conn == NULL)
		return -1;
	locks_init(&rep);
	if (probe(conn, state, &rep, err, errlen) != 0) {
		locks_free(&rep);
		return backoff_conn_failed(link, err);
	}
	locks_metrics(&rep, set);
	locks_free(&rep);
	/* Two sections of a kind, or MySQL and PostgreSQL, must not give the same series. */
	metric_set_label_missing(set, "target", d->section_name);
	metric_set_label_missing(set, "dbms", dbms);
	backoff_ok(&link->backoff);
	return 0;
}
