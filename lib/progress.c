/*
 * The step a probe has got to, for the words of a time-out (see progress.h).
 *
 * The alarm handler may interrupt progress_set() half-way, so the words are
 * built in one of two buffers and published by flipping an index the
 * handler reads: the buffer being written is never the one it reads.
 */
#include "config.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "fileio.h"
#include "num.h"
#include "output.h"
#include "progress.h"

#define PROGRESS_LEN 512

static bool enabled;
static char words[2][PROGRESS_LEN];
static volatile sig_atomic_t shown = -1; /* the buffer the handler writes, -1: none */
static char last_target[300];

void progress_enable(void)
{
	enabled = true;
}

bool progress_enabled(void)
{
	return enabled;
}

/* "TARGET did not ..." for step into out. */
static void describe(char *out, size_t outlen, const char *target, enum progress_step step,
		     const char *what)
{
	switch (step) {
	case PROGRESS_NONE:
		out[0] = '\0';
		break;
	case PROGRESS_CONNECT:
		snprintf(out, outlen, "%s did not accept the connection", target);
		break;
	case PROGRESS_TLS:
		snprintf(out, outlen, "%s did not finish the TLS handshake", target);
		break;
	case PROGRESS_LOGIN:
		snprintf(out, outlen, "%s did not answer the login", target);
		break;
	case PROGRESS_SESSION:
		snprintf(out, outlen, "%s did not complete the connection and login", target);
		break;
	case PROGRESS_QUERY:
		snprintf(out, outlen, "%s did not answer %s", target,
			 what != NULL ? what : "the query");
		break;
	case PROGRESS_ANSWER:
		snprintf(out, outlen, "%s did not finish its answer", target);
		break;
	case PROGRESS_READ:
		snprintf(out, outlen, "%s could not be read", target);
		break;
	}
}

void progress_set(const char *target, enum progress_step step, const char *what)
{
	int next = shown == 0 ? 1 : 0;

	if (!enabled)
		return;
	if (target != last_target)
		snprintf(last_target, sizeof(last_target), "%s", target);
	describe(words[next], sizeof(words[next]), last_target, step, what);
	/* The handler writes these words as they are, after the status line's start. */
	output_clean(words[next]);
	shown = step == PROGRESS_NONE ? -1 : next;
}

void progress_step(enum progress_step step, const char *what)
{
	progress_set(last_target, step, what);
}

void progress_format(char *out, size_t outlen, double limit, const char *target,
		     enum progress_step step, const char *what)
{
	char secs[NUM_BUFSZ], tail[PROGRESS_LEN];

	num_format(limit, secs, sizeof(secs));
	describe(tail, sizeof(tail), target, step, what);
	snprintf(out, outlen, "timed out after %s s%s%s", secs, tail[0] != '\0' ? ": " : "", tail);
}

/* Only write() here: this runs in a signal handler. */
void progress_write(int fd)
{
	int i = shown;

	if (i < 0)
		return;
	file_write_str(fd, ": ");
	file_write_str(fd, words[i]);
}
