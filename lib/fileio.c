/*
 * Small file reads (see fileio.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"

ssize_t file_read_small(const char *path, char *out, size_t size)
{
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd == -1)
		return -1;
	while (len < size - 1) {
		ssize_t n = read(fd, out + len, size - 1 - len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	out[len] = '\0';
	return (ssize_t)len;
}

ssize_t file_read_text(const char *path, char *out, size_t size, char *err, size_t errlen)
{
	ssize_t n = file_read_small(path, out, size);
	int e = errno;

	if (n == -1) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(e));
		errno = e;
	}
	return n;
}

void file_write_str(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}
