/*
 * Secret loading (see secret.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "secret.h"
#include "xalloc.h"

/*
 * Read the first line of file, called what in messages. A file every user
 * may read holds no secret, and using it would hide that: refuse it.
 */
static int read_file(const char *file, const char *what, char **out, char *err, size_t errlen)
{
	char data[SECRET_MAX + 2];
	mode_t mode;
	size_t len;

	if (file_read_as(file, what, data, sizeof(data), &mode, err, errlen) == -1)
		return -1;
	if ((mode & S_IROTH) != 0) {
		explicit_bzero(data, sizeof(data));
		snprintf(err, errlen, "%s is readable by every user (mode %04o): chmod o-r it",
			 what, (unsigned)mode);
		return -1;
	}
	len = strcspn(data, "\r\n");
	if (len > SECRET_MAX) {
		explicit_bzero(data, sizeof(data));
		snprintf(err, errlen, "%s: first line longer than %d bytes", what, SECRET_MAX);
		return -1;
	}
	if (len == 0) {
		snprintf(err, errlen, "%s is empty", what);
		return -1;
	}
	*out = xstrndup(data, len);
	explicit_bzero(data, sizeof(data));
	return 0;
}

int secret_load(const char *file, const char *env, char **out, char *err, size_t errlen)
{
	char what[4200];

	snprintf(what, sizeof(what), "password file %s", file != NULL ? file : "");
	return secret_load_as(file, what, env, out, err, errlen);
}

int secret_load_as(const char *file, const char *what, const char *env, char **out, char *err,
		   size_t errlen)
{
	const char *v;

	*out = NULL;
	if (file != NULL)
		return read_file(file, what, out, err, errlen);
	v = env == NULL ? NULL : getenv(env);
	if (v == NULL)
		return 1;
	if (strlen(v) > SECRET_MAX) {
		snprintf(err, errlen, "%s is longer than %d bytes", env, SECRET_MAX);
		return -1;
	}
	*out = xstrdup(v);
	return 0;
}

void secret_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}
