/*
 * Passwords and tokens come from a file or an environment variable, never
 * only from argv, so they stay out of `ps` and of the Nagios configuration.
 */
#ifndef VAKT_SECRET_H
#define VAKT_SECRET_H

#include <stddef.h>

/* The longest secret accepted, in bytes. */
#define SECRET_MAX 4096

/*
 * Load a secret: the first line of file when file is not NULL, otherwise the
 * value of the environment variable env when env is not NULL and set.
 * Returns 0 with *out set (free with secret_free), 1 when neither source
 * was given, or -1 with the reason in err (which never holds the secret).
 * The file must be a regular file that not every user may read (mode o-r):
 * anything else is refused at once.
 */
int secret_load(const char *file, const char *env, char **out, char *err, size_t errlen);
/*
 * secret_load, with messages that call the file what ("--password-file")
 * instead of naming it: a plugin's user may have typed the password itself
 * where the file was expected, and the message must not show it.
 */
int secret_load_as(const char *file, const char *what, const char *env, char **out, char *err,
		   size_t errlen);
/* Wipe and free a secret; NULL is fine. */
void secret_free(char *s);

#endif
