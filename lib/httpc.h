/*
 * The HTTP(S) client every HTTP-based check shares (check_nginx,
 * check_haproxy -u, check_rabbitmq, check_vakt, and the agent's
 * collectors): one GET with the project's rules set once, and a failed
 * transfer put into the words a person reads at 3 AM ("cannot connect to
 * 127.0.0.1:15672: Connection refused").
 *
 * The rules: no signals (SIGALRM is the plugins' -t), no proxy from the
 * environment (it would see credentials and add a hop that can fail), only
 * http and https, no redirects, no credentials in the URL (they would show
 * in the process list), TLS peers verified unless asked not to, and an
 * answer read into a caller's struct buf, so its cap bounds it.
 *
 * Two transports. https, and every request of a client made with keep
 * (the agent, which keeps one connection per collector open between
 * requests), go through libcurl. A plugin's plain http:// request goes
 * over lib/net.c as HTTP/1.0 (lib/http1.c), so a check that never asks for
 * https never loads libcurl: loading it costs more than the whole check.
 * Plugins link lib/libvakt_curl_lazy.a, which loads libcurl on first use.
 * This module is in lib/libvakt_curl.a, apart from lib/libvakt.a, so that
 * programs without HTTP never link libcurl.
 */
#ifndef VAKT_HTTPC_H
#define VAKT_HTTPC_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

#include "buf.h"
#include "fail.h"
#include "http1.h"

struct httpc_opts {
	const char *url;
	double timeout;	      /* seconds this request may take, > 0 */
	double timeout_named; /* the limit a time-out message names; 0: timeout */
	const char *target;   /* "HOST:PORT" for messages; NULL: taken from url */
	const char *user;     /* basic authentication, with password; NULL: none */
	const char *password;
	const char *bearer;	    /* a bearer token; NULL: none */
	const char *ca_file;	    /* PEM CA bundle to verify with; NULL: the system's */
	bool insecure;		    /* do not verify the server's certificate or name */
	int family;		    /* AF_UNSPEC, AF_INET or AF_INET6 */
	const char *user_agent;	    /* NULL: none is sent */
	const char *const *headers; /* extra "Name: value" lines, NULL-terminated; NULL: none */
	const char *ca_hint;	    /* the option that names a CA file, for a message */
	const char *plain_hint;	    /* added when a plain-http server closes without answering */
};

/* One client: a libcurl handle once one is needed, and what the last answer said. */
struct httpc {
	CURL *curl;			   /* NULL until a request needs libcurl */
	bool keep;			   /* every request through libcurl, connections kept */
	bool global;			   /* curl_global_init() succeeded, cleanup owes its pair */
	char location[HTTP1_LOCATION_MAX]; /* the last answer's Location, "" when none */
};

/*
 * Start a client. With keep, libcurl is set up now and carries every
 * request (returns -1 with err when it cannot be); without, only when an
 * https request needs it. Returns 0.
 */
int httpc_init(struct httpc *c, bool keep, char *err, size_t errlen);
/* Close c's connections and free what it holds; c may be used again after httpc_init. */
void httpc_free(struct httpc *c);

/*
 * GET o->url with c (nothing of an earlier request stays but open
 * connections). The answer's body replaces what body held, up to its cap.
 * Returns 0 with *status set to the HTTP status (any status: the caller
 * decides what a 404 means) and c->location to a redirect's target, or an
 * enum fail with the reason in err.
 */
int httpc_get(struct httpc *c, const struct httpc_opts *o, struct buf *body, long *status,
	      char *err, size_t errlen);

/*
 * "HOST:PORT" of url as it is written there, the default port of its scheme
 * when it has none ("[::1]:9333", "web1:443"); "" when url does not parse.
 */
void httpc_target(const char *url, char *out, size_t outlen);

/* Append s to b percent-encoded for a URL path or query ("/" too: "%2F"). */
void httpc_escape(struct buf *b, const char *s);

#endif
