/*
 * File descriptors: system-wide from /proc/sys/fs/file-nr, per process from
 * /proc/PID/fd and /proc/PID/limits.
 *
 * Metrics: fds_allocated and fds_max (system); process_fds_open and
 * process_fds_limit (the soft RLIMIT_NOFILE, NAN when unlimited), labelled
 * pid and process (the command name).
 */
#ifndef VAKT_PROBE_FDS_H
#define VAKT_PROBE_FDS_H

#include <stddef.h>

#include "metric.h"

/* Parse /proc/sys/fs/file-nr ("96 0 2466174"); 0 or -1. */
int fds_parse_file_nr(const char *text, double *allocated, double *max);
/* The soft "Max open files" limit in /proc/PID/limits (NAN for unlimited); 0 or -1. */
int fds_parse_limits(const char *text, double *soft);
/* Parse a pidfile: a positive pid, optionally followed by a newline; 0 or -1. */
int fds_parse_pidfile(const char *text, long *pid);

/* Add the system-wide counts to set; 0, or -1 with err. */
int probe_fds_system(struct metric_set *set, char *err, size_t errlen);
/*
 * Count the open descriptors of pid and read its limit into set. Returns 0;
 * -1 with err, and errno set (EACCES when we may not look, ESRCH when the
 * process is gone).
 */
int probe_fds_process(struct metric_set *set, long pid, char *err, size_t errlen);
/*
 * Find processes whose command name is name (the kernel's comm, or the
 * basename of argv[0] for names longer than comm holds). Returns how many
 * were found (their pids in *pids, which the caller frees), or -1 with err.
 */
long probe_fds_find(const char *name, long **pids, char *err, size_t errlen);
/* Read a pid from pidfile; 0, or -1 with err. */
int probe_fds_pidfile(const char *path, long *pid, char *err, size_t errlen);

#endif
