/*
 * The floor of a PostgreSQL check: what linking libpq, connecting and
 * running one query costs. Connects to HOST:PORT as USER (database
 * postgres) with libpq's defaults for everything else, the password from
 * PGPASSWORD (libpq reads it; never from argv, where ps shows it), runs
 * SELECT 1, prints the value and closes. Exits 0 on success, 1 otherwise.
 * Built with cc -O2 $(pkg-config --cflags --libs libpq) by bench/db.sh.
 */
#include <libpq-fe.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	const char *keys[] = {"host", "port", "user", "dbname", NULL};
	const char *values[] = {NULL, NULL, NULL, "postgres", NULL};
	PGconn *c;
	PGresult *res;
	int rc = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: PGPASSWORD=PASSWORD db_floor_pgsql HOST PORT USER\n");
		return 2;
	}
	values[0] = argv[1];
	values[1] = argv[2];
	values[2] = argv[3];
	c = PQconnectdbParams(keys, values, 0);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "db_floor_pgsql: %s", PQerrorMessage(c));
		PQfinish(c);
		return 1;
	}
	res = PQexec(c, "SELECT 1");
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		printf("%s\n", PQgetvalue(res, 0, 0));
		rc = 0;
	} else {
		fprintf(stderr, "db_floor_pgsql: %s", PQerrorMessage(c));
	}
	PQclear(res);
	PQfinish(c);
	return rc;
}
