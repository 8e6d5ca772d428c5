/*
 * The HTTP(S) client every HTTP-based check shares (check_vakt,
 * check_rabbitmq, and the agent's collectors): one GET over libcurl with
 * the project's rules set once, and a failed transfer put into the words a
 * person reads at 3 AM ("cannot connect to 127.0.0.1:15672: Connection
 * refused").
 *
 * The rules: no signals (SIGALRM is the plugins' -t), no proxy from the
 * environment (it would see credentials and add a hop that can fail), only
 * http and https, no redirects, TLS peers verified unless asked not to, and
 * an answer read into a caller's struct buf, so its cap bounds it.
 *
 * The caller owns the CURL handle and may use it for many requests: the
 * handle keeps its connections open between them (the agent keeps one per
 * collector). This module is in lib/libvakt_curl.a, apart from lib/libvakt.a,
 * so that programs without HTTP never link libcurl.
 */
#ifndef VAKT_HTTPC_H
#define VAKT_HTTPC_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

#include "buf.h"

/* How a request failed, so that a plugin can map it to a state. */
enum httpc_error {
	HTTPC_DOWN = -1,    /* refused, unreachable, TLS failed, closed: the service is down */
	HTTPC_TIMEOUT = -2, /* no answer within the time allowed */
	HTTPC_TOO_BIG = -3, /* the answer did not fit the body buffer's cap */
	HTTPC_LOCAL = -4,   /* our side: out of memory, an unusable CA file, a bad URL */
};

struct httpc_opts {
	const char *url;
	double timeout;	      /* seconds this request may take, > 0 */
	double timeout_named; /* the limit a time-out message names; 0: timeout */
	const char *target;   /* "HOST:PORT" for messages; NULL: taken from url */
	const char *user;     /* basic authentication, with password; NULL: none */
	const char *password;
	const char *bearer;		  /* a bearer token; NULL: none */
	const char *ca_file;		  /* PEM CA bundle to verify with; NULL: the system's */
	bool insecure;			  /* do not verify the server's certificate or name */
	int family;			  /* AF_UNSPEC, AF_INET or AF_INET6 */
	const char *user_agent;		  /* NULL: curl sends none */
	const struct curl_slist *headers; /* extra request headers; NULL: none */
	const char *ca_hint;		  /* the option that names a CA file, for a message */
	const char *plain_hint; /* added when a plain-http server closes without answering */
};

/*
 * GET o->url with h (reset first, so nothing of an earlier request stays but
 * its open connections). The answer's body replaces what body held, up to
 * its cap. Returns 0 with *status set to the HTTP status (any status: the
 * caller decides what a 404 means), or an httpc_error with the reason in err.
 */
int httpc_get(CURL *h, const struct httpc_opts *o, struct buf *body, long *status, char *err,
	      size_t errlen);

/*
 * "HOST:PORT" of url as it is written there, the default port of its scheme
 * when it has none ("[::1]:9333", "web1:443"); "" when url does not parse.
 */
void httpc_target(const char *url, char *out, size_t outlen);

#endif
