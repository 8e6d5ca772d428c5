/*
 * lib/progress.c: the words of a time-out for every step, and what the
 * alarm handler writes: the last step recorded, nothing before the first
 * one or after PROGRESS_NONE, nothing at all until recording is enabled.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"

static void words_are(enum progress_step step, const char *what, const char *want)
{
	char out[512];

	progress_format(out, sizeof(out), 3, "127.0.0.1:6379", step, what);
	cr_expect_str_eq(out, want);
}

Test(progress, words)
{
	words_are(PROGRESS_NONE, NULL, "timed out after 3 s");
	words_are(PROGRESS_CONNECT, NULL,
		  "timed out after 3 s: 127.0.0.1:6379 did not accept the connection");
	words_are(PROGRESS_TLS, NULL,
		  "timed out after 3 s: 127.0.0.1:6379 did not finish the TLS handshake");
	words_are(PROGRESS_LOGIN, NULL,
		  "timed out after 3 s: 127.0.0.1:6379 did not answer the login");
	words_are(PROGRESS_SESSION, NULL,
		  "timed out after 3 s: 127.0.0.1:6379 did not complete the connection and login");
	words_are(PROGRESS_QUERY, NULL,
		  "timed out after 3 s: 127.0.0.1:6379 did not answer the query");
	words_are(PROGRESS_QUERY, "INFO",
		  "timed out after 3 s: 127.0.0.1:6379 did not answer INFO");
	words_are(PROGRESS_ANSWER, NULL,
		  "timed out after 3 s: 127.0.0.1:6379 did not finish its answer");
	words_are(PROGRESS_READ, NULL, "timed out after 3 s: 127.0.0.1:6379 could not be read");
}

Test(progress, limit_as_given)
{
	char out[128];

	progress_format(out, sizeof(out), 0.5, "/run/x.sock", PROGRESS_QUERY, "show stat");
	cr_expect_str_eq(out, "timed out after 0.5 s: /run/x.sock did not answer show stat");
}

/* What progress_write() puts out now. */
static void written_is(const char *want)
{
	char got[600] = "";
	int fd[2];
	ssize_t n;

	cr_assert_eq(pipe(fd), 0);
	progress_write(fd[1]);
	close(fd[1]);
	n = read(fd[0], got, sizeof(got) - 1);
	close(fd[0]);
	got[n > 0 ? n : 0] = '\0';
	cr_expect_str_eq(got, want);
}

Test(progress, recorded_steps)
{
	progress_set("127.0.0.1:1", PROGRESS_CONNECT, NULL);
	written_is(""); /* not enabled: the agent's threads record nothing */
	cr_expect(!progress_enabled());
	progress_enable();
	cr_expect(progress_enabled());
	written_is("");
	progress_set("127.0.0.1:6379", PROGRESS_CONNECT, NULL);
	written_is(": 127.0.0.1:6379 did not accept the connection");
	progress_step(PROGRESS_QUERY, "PING");
	written_is(": 127.0.0.1:6379 did not answer PING");
	progress_step(PROGRESS_ANSWER, NULL);
	written_is(": 127.0.0.1:6379 did not finish its answer");
	progress_set("", PROGRESS_NONE, NULL);
	written_is("");
}

/* The alarm handler writes these words onto the status line: they are cleaned first. */
Test(progress, words_cleaned)
{
	progress_enable();
	progress_set("/run/a|b;c\x1b[2J\xc2\x9b\n.sock", PROGRESS_CONNECT, NULL);
	written_is(": /run/ab,c?[2J? .sock did not accept the connection");
}
