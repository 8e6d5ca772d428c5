/*
 * The floor of a MySQL/MariaDB check: what linking libmariadb, connecting
 * and running one query costs. Connects to HOST:PORT as USER over TCP
 * (HOST must not be "localhost", which libmariadb takes to mean the
 * socket), with the password from MYSQL_PWD (never from argv, where ps
 * shows it), runs SELECT 1, prints the value and closes. Exits 0 on
 * success, 1 otherwise. Built with cc -O2 $(pkg-config --cflags --libs
 * libmariadb) by bench/db.sh.
 */
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	MYSQL *m;
	MYSQL_RES *res;
	MYSQL_ROW row;
	char *end;
	long port;
	int rc = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: MYSQL_PWD=PASSWORD db_floor_mysql HOST PORT USER\n");
		return 2;
	}
	port = strtol(argv[2], &end, 10);
	if (*argv[2] == '\0' || *end != '\0' || port < 1 || port > 65535) {
		fprintf(stderr, "db_floor_mysql: bad port %s\n", argv[2]);
		return 2;
	}
	m = mysql_init(NULL);
	if (m == NULL) {
		fprintf(stderr, "db_floor_mysql: out of memory\n");
		return 1;
	}
	if (mysql_real_connect(m, argv[1], argv[3], getenv("MYSQL_PWD"), NULL, (unsigned int)port,
			       NULL, 0) == NULL) {
		fprintf(stderr, "db_floor_mysql: %s\n", mysql_error(m));
		goto out;
	}
	if (mysql_query(m, "SELECT 1") != 0) {
		fprintf(stderr, "db_floor_mysql: %s\n", mysql_error(m));
		goto out;
	}
	res = mysql_store_result(m);
	if (res == NULL) {
		fprintf(stderr, "db_floor_mysql: %s\n", mysql_error(m));
		goto out;
	}
	row = mysql_fetch_row(res);
	if (row != NULL && row[0] != NULL) {
		printf("%s\n", row[0]);
		rc = 0;
	}
	mysql_free_result(res);
out:
	mysql_close(m);
	return rc;
}
