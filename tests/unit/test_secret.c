/*
 * Secrets from a file or the environment.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "secret.h"

static char *write_temp(const char *content, size_t len)
{
	static char path[64];
	int fd;

	strcpy(path, "/tmp/vakt-secret-XXXXXX");
	fd = mkstemp(path);
	cr_assert_neq(fd, -1);
	cr_assert_eq(write(fd, content, len), (ssize_t)len);
	close(fd);
	return path;
}

Test(secret, file_first_line_only)
{
	char *s, err[256];
	char *path = write_temp("hunter2\r\nnext\n", 14);

	setenv("VAKT_T_PW", "env", 1);
	cr_assert_eq(secret_load(path, "VAKT_T_PW", &s, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(s, "hunter2", "the file wins over the environment");
	secret_free(s);
	unlink(path);
}

Test(secret, environment)
{
	char *s, err[256];

	setenv("VAKT_T_PW", "from env", 1);
	cr_assert_eq(secret_load(NULL, "VAKT_T_PW", &s, err, sizeof(err)), 0);
	cr_expect_str_eq(s, "from env");
	secret_free(s);
	unsetenv("VAKT_T_PW");
	cr_expect_eq(secret_load(NULL, "VAKT_T_PW", &s, err, sizeof(err)), 1);
	cr_expect_null(s);
	cr_expect_eq(secret_load(NULL, NULL, &s, err, sizeof(err)), 1);
}

Test(secret, errors_never_show_the_secret)
{
	char *s, err[256], big[SECRET_MAX + 10];
	char *path;

	cr_expect_eq(secret_load("/nonexistent/pw", NULL, &s, err, sizeof(err)), -1);
	cr_expect(strstr(err, "/nonexistent/pw") != NULL);
	path = write_temp("\nsecond\n", 8);
	cr_expect_eq(secret_load(path, NULL, &s, err, sizeof(err)), -1);
	cr_expect(strstr(err, "empty") != NULL, "%s", err);
	unlink(path);
	memset(big, 'p', sizeof(big));
	path = write_temp(big, sizeof(big));
	cr_expect_eq(secret_load(path, NULL, &s, err, sizeof(err)), -1);
	cr_expect(strstr(err, "ppp") == NULL);
	unlink(path);
	secret_free(NULL);
}
