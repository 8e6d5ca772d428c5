/*
 * Reading the small text files of /proc and /sys, and pidfiles; writing a
 * string whole from a signal handler.
 */
#ifndef VAKT_FILEIO_H
#define VAKT_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Read at most size - 1 bytes of path into out and NUL-terminate it. Returns
 * the length, or -1 with errno set. A file longer than that is cut.
 */
ssize_t file_read_small(const char *path, char *out, size_t size);

/*
 * file_read_small() for a probe: on failure err says "cannot read PATH:
 * reason" and errno is kept for callers that explain some errors better.
 */
ssize_t file_read_text(const char *path, char *out, size_t size, char *err, size_t errlen);

/* Write all of s to fd, giving up at the first error; only write(), so signal handlers may. */
void file_write_str(int fd, const char *s);

#endif
