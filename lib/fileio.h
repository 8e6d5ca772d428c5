/*
 * Reading small files: those of /proc and /sys and pidfiles as they come,
 * and the files a user names (configuration, secrets, certificates), which
 * must be regular files: a FIFO would block until a writer comes, /dev/zero
 * would never end. Writing a string whole from a signal handler.
 */
#ifndef VAKT_FILEIO_H
#define VAKT_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Read at most size - 1 bytes of path into out and NUL-terminate it. Returns
 * the length, or -1 with errno set. A file longer than that is cut. For
 * /proc, /sys and pidfiles: it reads whatever path is, a FIFO too (which
 * is how the tests make a collector hang).
 */
ssize_t file_read_small(const char *path, char *out, size_t size);

/*
 * file_read_small() for a probe: on failure err says "cannot read PATH:
 * reason" and errno is kept for callers that explain some errors better.
 */
ssize_t file_read_text(const char *path, char *out, size_t size, char *err, size_t errlen);

/*
 * Read a file a user named, at most size - 1 bytes, NUL-terminated, or -1
 * with errno set and err saying why, calling the file what ("--password-file",
 * "token_file /etc/vakt/token"). Anything but a regular file is refused at
 * once, without waiting for a FIFO's writer (errno EINVAL). When mode is
 * not NULL it receives the file's permission bits.
 */
ssize_t file_read_as(const char *path, const char *what, char *out, size_t size, mode_t *mode,
		     char *err, size_t errlen);

/*
 * Check that path names a regular file this process can open, before a
 * library (libmariadb, libcurl, libpq) reads it where a FIFO would block it;
 * 0, or -1 with err naming the file what.
 */
int file_check_regular(const char *path, const char *what, char *err, size_t errlen);

/* Write all of s to fd, giving up at the first error; only write(), so signal handlers may. */
void file_write_str(int fd, const char *s);

#endif
