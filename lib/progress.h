/*
 * What a probe is doing, and to whom, for the words of a time-out. A
 * probe says where it has got to (progress_set) as it connects, logs in and
 * asks; when the plugin's -t expires, its alarm handler writes the last step
 * (progress_write) after "timed out after N s", so the line names the
 * server and what it did not do ("timed out after 3 s: 127.0.0.1:6379 did
 * not answer INFO"). A probe that runs out of its own time says the same
 * words through progress_format.
 *
 * Recording is off until progress_enable(): the agent runs probes in several
 * threads and reports its own time-outs, so only a plugin turns it on.
 */
#ifndef VAKT_PROGRESS_H
#define VAKT_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

enum progress_step {
	PROGRESS_NONE,	  /* nothing under way: a bare "timed out after N s" */
	PROGRESS_CONNECT, /* "did not accept the connection" */
	PROGRESS_TLS,	  /* "did not finish the TLS handshake" */
	PROGRESS_LOGIN,	  /* "did not answer the login" */
	PROGRESS_SESSION, /* connect, TLS and login in one call */
	PROGRESS_QUERY,	  /* "did not answer WHAT" (default "the query") */
	PROGRESS_ANSWER,  /* "did not finish its answer": it began, then stalled */
	PROGRESS_READ,	  /* a local file: "could not be read" */
};

/* Start recording progress_set() calls in this process (plugins only). */
void progress_enable(void);
/* Whether progress_set() records anything here. */
bool progress_enabled(void);

/*
 * Record that the probe is now at step with target ("127.0.0.1:6379",
 * "/run/haproxy.sock"); what names the query for PROGRESS_QUERY ("INFO",
 * "the HTTP request"), NULL for the default. Both are copied.
 */
void progress_set(const char *target, enum progress_step step, const char *what);

/* The same target as the last progress_set(), at a new step. */
void progress_step(enum progress_step step, const char *what);

/*
 * Write "timed out after LIMIT s: TARGET did not ..." for step into out,
 * limit in seconds as the user gave it.
 */
void progress_format(char *out, size_t outlen, double limit, const char *target,
		     enum progress_step step, const char *what);

/*
 * Async-signal-safe: write ": TARGET did not ..." for the last recorded
 * step to fd, or nothing when none was recorded.
 */
void progress_write(int fd);

#endif
