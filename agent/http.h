/*
 * vaktd's HTTP server (libmicrohttpd): /metrics, /api/v1/metrics[/NAME],
 * /api/v1/check/NAME, /health. Read-only, loopback by default, with an
 * optional bearer token, TLS, a client allow-list and connection limits.
 */
#ifndef VAKT_HTTP_H
#define VAKT_HTTP_H

#include <stddef.h>

#include "conf.h"
#include "scheduler.h"

struct http_server;

/*
 * Bind and listen on c's listen address (before privileges are dropped:
 * a port below 1024 needs root); the socket, or -1 with err.
 */
int http_bind(const struct config *c, char *err, size_t errlen);
/*
 * Serve s on fd (http_bind's, taken over) under the settings of c; token is
 * the bearer token or NULL, cert/key the PEM contents or NULL. NULL with
 * err on failure.
 */
struct http_server *http_start(const struct config *c, int fd, struct scheduler *s,
			       const char *token, const char *cert, const char *key, char *err,
			       size_t errlen);
/* Point the server at another scheduler (after a reload); the old one is the caller's. */
void http_set_scheduler(struct http_server *h, struct scheduler *s);
/* Refuse answers over bytes from now on (max_answer_size, after a reload). */
void http_set_max_answer(struct http_server *h, size_t bytes);
void http_stop(struct http_server *h);

#endif
