/*
 * Secrets from a file or the environment.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret.h"

static char *write_temp(const char *content, size_t len)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/vakt-secret-XXXXXX");
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

Test(secret, refuses_what_is_not_a_regular_file)
{
	char *s = NULL, err[256], dir[] = "/tmp/vakt-secret-XXXXXX", fifo[64];

	cr_assert_not_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	/* Without a writer, a blocking open would never return. */
	cr_expect_eq(secret_load_as(fifo, "--password-file", NULL, &s, err, sizeof(err)), -1);
	cr_expect_null(s);
	cr_expect_str_eq(err, "cannot read --password-file: it is a FIFO, not a regular file");
	cr_expect_eq(secret_load_as("/dev/zero", "--token-file", NULL, &s, err, sizeof(err)), -1);
	cr_expect_str_eq(err, "cannot read --token-file: it is a character device, not a regular "
			      "file");
	cr_expect_eq(secret_load_as(dir, "--token-file", NULL, &s, err, sizeof(err)), -1);
	cr_expect(strstr(err, "a directory") != NULL, "%s", err);
	unlink(fifo);
	rmdir(dir);
}

Test(secret, refuses_a_file_every_user_may_read)
{
	char *s = NULL, err[256];
	char *path = write_temp("hunter2\n", 8);

	cr_assert_eq(chmod(path, 0644), 0);
	cr_expect_eq(secret_load_as(path, "--password-file", NULL, &s, err, sizeof(err)), -1);
	cr_expect_null(s);
	cr_expect_str_eq(err,
			 "--password-file is readable by every user (mode 0644): chmod o-r it");
	/* Its group may read it: Nagios reads a root:nagios 0640 file through its group. */
	cr_assert_eq(chmod(path, 0640), 0);
	cr_expect_eq(secret_load_as(path, "--password-file", NULL, &s, err, sizeof(err)), 0, "%s",
		     err);
	cr_expect_str_eq(s, "hunter2");
	secret_free(s);
	unlink(path);
}
