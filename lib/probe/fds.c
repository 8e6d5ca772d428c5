/*
 * File descriptor probe (see fds.h).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "num.h"
#include "probe/fds.h"
#include "xalloc.h"

/* The kernel's comm holds 15 characters. */
#define COMM_MAX 15

int fds_parse_file_nr(const char *text, double *allocated, double *max)
{
	const char *p = text;
	double unused;

	if (num_parse_prefix(p, allocated, &p) != 0 || (*p != '\t' && *p != ' '))
		return -1;
	p++;
	if (num_parse_prefix(p, &unused, &p) != 0 || (*p != '\t' && *p != ' '))
		return -1;
	p++;
	if (num_parse_prefix(p, max, &p) != 0 || (*p != '\n' && *p != '\0'))
		return -1;
	return *allocated >= 0 && *max > 0 ? 0 : -1;
}

int fds_parse_limits(const char *text, double *soft)
{
	static const char key[] = "Max open files";
	const char *p = strstr(text, key);

	if (p == NULL || (p != text && p[-1] != '\n'))
		return -1;
	p += sizeof(key) - 1;
	while (*p == ' ')
		p++;
	if (strncmp(p, "unlimited", 9) == 0) {
		*soft = NAN;
		return 0;
	}
	if (num_parse_prefix(p, soft, &p) != 0 || *p != ' ' || *soft < 0)
		return -1;
	return 0;
}

int fds_parse_pidfile(const char *text, long *pid)
{
	char copy[32];
	size_t n = strcspn(text, "\n");

	if (n == 0 || n >= sizeof(copy) || (text[n] == '\n' && text[n + 1] != '\0'))
		return -1;
	memcpy(copy, text, n);
	copy[n] = '\0';
	return num_parse_long(copy, 1, INT_MAX, pid);
}

int probe_fds_system(struct metric_set *set, char *err, size_t errlen)
{
	static const char path[] = "/proc/sys/fs/file-nr";
	char text[128];
	double allocated, max;

	if (file_read_text(path, text, sizeof(text), err, errlen) == -1)
		return -1;
	if (fds_parse_file_nr(text, &allocated, &max) != 0) {
		snprintf(err, errlen, "cannot parse %s: '%.60s'", path, text);
		return -1;
	}
	metric_set_add(set, "fds_allocated", METRIC_GAUGE, "", allocated);
	metric_set_add(set, "fds_max", METRIC_GAUGE, "", max);
	return 0;
}

/* The command name of pid into out; 0 or -1 with errno. */
static int read_comm(long pid, char *out, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	n = file_read_small(path, out, size);
	if (n == -1)
		return -1;
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

static int count_fds(long pid, double *count)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	long n = 0;

	snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
	dir = opendir(path);
	if (dir == NULL)
		return -1;
	while ((d = readdir(dir)) != NULL)
		n += d->d_name[0] != '.';
	closedir(dir);
	*count = (double)n;
	return 0;
}

int probe_fds_process(struct metric_set *set, long pid, char *err, size_t errlen)
{
	char comm[64], path[64], limits[4096], pidtext[24];
	double open, soft;
	struct metric *m;
	int e;

	if (read_comm(pid, comm, sizeof(comm)) == -1) {
		e = errno;
		snprintf(err, errlen, "process %ld does not exist", pid);
		errno = e == ENOENT ? ESRCH : e;
		return -1;
	}
	if (count_fds(pid, &open) == -1) {
		e = errno;
		if (e == EACCES || e == EPERM)
			snprintf(err, errlen,
				 "no permission to read /proc/%ld/fd (%s): it takes root, the "
				 "process's user or CAP_DAC_READ_SEARCH",
				 pid, comm);
		else
			snprintf(err, errlen, "cannot read /proc/%ld/fd (%s): %s", pid, comm,
				 strerror(e));
		errno = e == ENOENT ? ESRCH : e;
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%ld/limits", pid);
	if (file_read_small(path, limits, sizeof(limits)) == -1 ||
	    fds_parse_limits(limits, &soft) != 0) {
		e = errno;
		snprintf(err, errlen, "cannot read the open files limit in %s", path);
		errno = e;
		return -1;
	}
	snprintf(pidtext, sizeof(pidtext), "%ld", pid);
	m = metric_set_add(set, "process_fds_open", METRIC_GAUGE, "", open);
	metric_label_add(m, "pid", pidtext);
	metric_label_add(m, "process", comm);
	m = metric_set_add(set, "process_fds_limit", METRIC_GAUGE, "", soft);
	metric_label_add(m, "pid", pidtext);
	metric_label_add(m, "process", comm);
	return 0;
}

/* Whether pid runs a program called name. */
static bool process_matches(long pid, const char *name)
{
	char comm[64], path[64], cmd[4096];
	const char *base;
	ssize_t n;

	if (read_comm(pid, comm, sizeof(comm)) == -1)
		return false;
	if (strlen(name) <= COMM_MAX)
		return strcmp(comm, name) == 0;
	/* comm is cut at 15 characters; compare argv[0] for longer names. */
	if (strncmp(comm, name, COMM_MAX) != 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	n = file_read_small(path, cmd, sizeof(cmd));
	if (n <= 0)
		return false;
	base = strrchr(cmd, '/');
	base = base == NULL ? cmd : base + 1;
	return strcmp(base, name) == 0;
}

long probe_fds_find(const char *name, long **pids, char *err, size_t errlen)
{
	DIR *dir = opendir("/proc");
	struct dirent *d;
	long n = 0, pid;

	*pids = NULL;
	if (dir == NULL) {
		snprintf(err, errlen, "cannot read /proc: %s", strerror(errno));
		return -1;
	}
	while ((d = readdir(dir)) != NULL) {
		if (num_parse_long(d->d_name, 1, INT_MAX, &pid) != 0 || !process_matches(pid, name))
			continue;
		*pids = xgrow(*pids, (size_t)n, sizeof(**pids));
		(*pids)[n++] = pid;
	}
	closedir(dir);
	return n;
}

int probe_fds_pidfile(const char *path, long *pid, char *err, size_t errlen)
{
	char text[64];

	if (file_read_small(path, text, sizeof(text)) == -1) {
		snprintf(err, errlen, "cannot read pidfile %s: %s", path, strerror(errno));
		return -1;
	}
	if (fds_parse_pidfile(text, pid) != 0) {
		snprintf(err, errlen, "pidfile %s does not hold a process id", path);
		return -1;
	}
	return 0;
}
