/*
 * The agent's HTTP front end serving one fixed snapshot, for the unit test
 * of agent/http.c (tests/unit/test_http.c) and its fuzz target
 * (tests/fuzz/fuzz_vaktd_http.c): a "load" collector with fresh metrics and
 * a "redis jobs" one that fails, served by http_bind() and http_start() on
 * a free loopback port. No Criterion here: the fuzz target has none.
 *
 * Each program replaces the scheduler with its own scheduler_acquire() and
 * snapshot_release(), which hand out and take back the fixture's snap.
 */
#ifndef VAKT_SNAPFIXTURE_H
#define VAKT_SNAPFIXTURE_H

#include <stddef.h>

#include "conf.h"
#include "http.h"
#include "snapshot.h"

struct snapfixture {
	struct snapshot snap;
	struct source sources[2]; /* [0] "load", [1] "redis jobs" */
	struct http_server *server;
	int port;
};

/*
 * Fill f's snapshot, then serve it under the settings of c (its listen is
 * set here to each port tried) with token (or none). Returns 0 with
 * f->server and f->port set, or -1 with the reason in err.
 */
int snapfixture_serve(struct snapfixture *f, struct config *c, const char *token, char *err,
		      size_t errlen);

/* Stop serving and free the metrics of f's "load" collector. */
void snapfixture_stop(struct snapfixture *f);

#endif
