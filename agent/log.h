/*
 * vaktd's log: stderr in the foreground, syslog otherwise. Never secrets.
 */
#ifndef VAKT_LOG_H
#define VAKT_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>

/*
 * Log to stderr, and unless in the foreground to syslog as well, until
 * log_detached() (the daemon's stderr is gone) leaves syslog alone.
 */
void log_init(bool foreground);
void log_detached(void);
/* Log one line at prio (LOG_ERR, LOG_WARNING, LOG_INFO). */
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * While a detached vaktd starts, its errors also go to fd (the parent that
 * waits to report them); log_started() sends "ok" and stops that.
 */
void log_startup_fd(int fd);
void log_started(void);

/* The same with a va_list; a trailing newline in fmt is dropped. */
void log_vmsg(int prio, const char *fmt, va_list ap);

#endif
