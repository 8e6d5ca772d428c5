/*
 * Logging (see log.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* Until a daemon detaches, its messages go to both: a failed start is seen either way. */
static bool to_stderr = true;
static bool to_syslog = false;
static int startup_fd = -1;

void log_startup_fd(int fd)
{
	startup_fd = fd;
}

void log_started(void)
{
	if (startup_fd == -1)
		return;
	(void)!write(startup_fd, "ok\n", 3);
	close(startup_fd);
	startup_fd = -1;
}

void log_init(bool foreground)
{
	to_stderr = true;
	to_syslog = !foreground;
	if (to_syslog)
		openlog("vaktd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_detached(void)
{
	to_stderr = false;
}

void log_vmsg(int prio, const char *fmt, va_list ap)
{
	char line[1024];
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	if (to_stderr)
		fprintf(stderr, "vaktd: %s%s\n", prio == LOG_WARNING ? "warning: " : "", line);
	if (to_syslog)
		syslog(prio, "%s", line);
	if (startup_fd != -1 && prio <= LOG_ERR) {
		(void)!write(startup_fd, line, strlen(line));
		(void)!write(startup_fd, "\n", 1);
	}
}

void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(prio, fmt, ap);
	va_end(ap);
}
