/*
 * Small file reads (see fileio.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

/* What a file that is not regular is, for messages. */
static const char *file_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISDIR(mode))
		return "a directory";
	return "not a regular file";
}

/*
 * Open path for reading without waiting for anything: O_NONBLOCK makes a
 * FIFO open at once instead of waiting for a writer (should one replace the
 * file after stat()), and fstat() on the descriptor opened, not on the name,
 * then refuses it.
 * Returns the descriptor, or -1 with errno set and *kind naming what the
 * file is when it is not regular (NULL otherwise).
 */
static int open_regular(const char *path, struct stat *st, const char **kind)
{
	int fd;

	*kind = NULL;
	/* First by name: opening a device can act (a tape rewinds, a watchdog starts). */
	if (stat(path, st) == -1)
		return -1;
	if (!S_ISREG(st->st_mode)) {
		*kind = file_kind(st->st_mode);
		errno = EINVAL;
		return -1;
	}
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fstat(fd, st) == -1) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		*kind = file_kind(st->st_mode);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

/* Say in err why open_regular() failed on the file called what. */
static void open_error(const char *what, const char *kind, int e, char *err, size_t errlen)
{
	if (kind != NULL)
		snprintf(err, errlen, "cannot read %s: it is %s, not a regular file", what, kind);
	else
		snprintf(err, errlen, "cannot read %s: %s", what, strerror(e));
}

/* Read at most size - 1 bytes of fd into out, NUL-terminated; the length, or -1 with errno. */
static ssize_t read_all(int fd, char *out, size_t size)
{
	size_t len = 0;

	while (len < size - 1) {
		ssize_t n = read(fd, out + len, size - 1 - len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	out[len] = '\0';
	return (ssize_t)len;
}

ssize_t file_read_as(const char *path, const char *what, char *out, size_t size, mode_t *mode,
		     char *err, size_t errlen)
{
	struct stat st;
	const char *kind;
	ssize_t n;
	int fd = open_regular(path, &st, &kind), e;

	if (fd == -1) {
		e = errno;
		open_error(what, kind, e, err, errlen);
		errno = e;
		return -1;
	}
	n = read_all(fd, out, size);
	e = errno;
	close(fd);
	if (n == -1) {
		snprintf(err, errlen, "cannot read %s: %s", what, strerror(e));
		errno = e;
		return -1;
	}
	if (mode != NULL)
		*mode = st.st_mode & 07777;
	return n;
}

ssize_t file_read_small(const char *path, char *out, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY), e;

	if (fd == -1)
		return -1;
	n = read_all(fd, out, size);
	e = errno;
	close(fd);
	errno = e;
	return n;
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

int file_check_regular(const char *path, const char *what, char *err, size_t errlen)
{
	struct stat st;
	const char *kind;
	int fd = open_regular(path, &st, &kind);

	if (fd == -1) {
		open_error(what, kind, errno, err, errlen);
		return -1;
	}
	close(fd);
	return 0;
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
