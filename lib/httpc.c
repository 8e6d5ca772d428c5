/*
 * One GET with the project's rules, over libcurl or as plain HTTP/1.0, and
 * its failures in words (see httpc.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "clock.h"
#include "httpc.h"
#include "net.h"
#include "num.h"
#include "progress.h"

/* Room for the status line, headers and chunk sizes around a body. */
#define HEAD_ROOM (64 * 1024)

/*
 * Why lib/curl_lazy.c could not load libcurl; weak, so that a program linked
 * with libcurl itself (the agent) has none and this is NULL.
 */
const char *curl_lazy_error(void) __attribute__((weak));

/* Keep what curl received in the buffer ctx, up to its cap. */
static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	(void)size; /* always 1 */
	/* Returning less than n makes curl stop with CURLE_WRITE_ERROR. */
	return buf_append(ctx, data, n) == 0 ? n : 0;
}

/* The words a time-out uses for the request. */
#define HTTP_REQUEST "the HTTP request"

/* Only http and https, whatever the URL says; the option changed name in curl 7.85. */
static void limit_protocols(CURL *h)
{
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
}

/* Set up h for the request o; the answer goes to body, curl's words to errbuf. */
static void setup(CURL *h, const struct httpc_opts *o, const struct curl_slist *headers,
		  struct buf *body, char *errbuf)
{
	long ms = (long)(o->timeout * 1000);

	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, o->url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* SIGALRM is plugin.c's -t */
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
	/* A proxy from the environment would see the credentials and add a hop that can fail. */
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	limit_protocols(h);
	if (o->user_agent != NULL)
		curl_easy_setopt(h, CURLOPT_USERAGENT, o->user_agent);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
	if (o->family == AF_INET || o->family == AF_INET6)
		curl_easy_setopt(
		    h, CURLOPT_IPRESOLVE,
		    (long)(o->family == AF_INET ? CURL_IPRESOLVE_V4 : CURL_IPRESOLVE_V6));
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, o->insecure ? 0L : 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, o->insecure ? 0L : 2L);
	if (o->ca_file != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file);
	if (o->bearer != NULL) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, o->bearer);
	} else if (o->user != NULL) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, o->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, o->password != NULL ? o->password : "");
	}
}

void httpc_target(const char *url, char *out, size_t outlen)
{
	struct http1_url u;
	char why[256];

	snprintf(out, outlen, "%s",
		 http1_url_parse(url, &u, why, sizeof(why)) == 0 ? u.target : "");
}

void httpc_escape(struct buf *b, const char *s)
{
	http1_escape(b, s, strlen(s));
}

/* "HOST:PORT" the messages about o, whose URL is u, name. */
static const char *target_of(const struct httpc_opts *o, const struct http1_url *u)
{
	return o->target != NULL ? o->target : u->target;
}

/* The step a transfer on h had got to when it stopped, from libcurl's timings. */
static enum progress_step curl_step(CURL *h, const struct http1_url *u)
{
	curl_off_t connected = 0, tls = 0, first = 0;

	curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connected);
	curl_easy_getinfo(h, CURLINFO_APPCONNECT_TIME_T, &tls);
	curl_easy_getinfo(h, CURLINFO_STARTTRANSFER_TIME_T, &first);
	if (connected == 0)
		return PROGRESS_CONNECT;
	if (u->tls && tls == 0)
		return PROGRESS_TLS;
	return first == 0 ? PROGRESS_QUERY : PROGRESS_ANSWER;
}

/* The time-out at step in words, naming the limit the user set; returns FAIL_TIMEOUT. */
static int timed_out(const struct httpc_opts *o, const struct http1_url *u, enum progress_step step,
		     char *err, size_t errlen)
{
	progress_format(err, errlen, o->timeout_named > 0 ? o->timeout_named : o->timeout,
			target_of(o, u), step, HTTP_REQUEST);
	return FAIL_TIMEOUT;
}

/*
 * Follow a transfer through libcurl's trace, so that a plugin's -t names the
 * step it stopped at; at points to the step so far.
 */
static int on_trace(CURL *h, curl_infotype type, char *data, size_t size, void *at)
{
	enum progress_step *step = at, next = *step;

	(void)h;
	(void)data;
	(void)size;
	if ((type == CURLINFO_SSL_DATA_OUT || type == CURLINFO_SSL_DATA_IN) &&
	    next == PROGRESS_CONNECT)
		next = PROGRESS_TLS;
	else if (type == CURLINFO_HEADER_OUT && next < PROGRESS_QUERY)
		next = PROGRESS_QUERY;
	else if (type == CURLINFO_HEADER_IN || type == CURLINFO_DATA_IN)
		next = PROGRESS_ANSWER;
	if (next != *step)
		progress_step(next, HTTP_REQUEST);
	*step = next;
	return 0;
}

/* A server that closed without a byte, in words; returns FAIL_DOWN. */
static int got_nothing(const struct httpc_opts *o, const struct http1_url *u, char *err,
		       size_t errlen)
{
	snprintf(err, errlen, "%s closed the connection without answering%s", target_of(o, u),
		 o->plain_hint != NULL && !u->tls ? o->plain_hint : "");
	return FAIL_DOWN;
}

/* Put a failed transfer of o (its URL taken apart in u) into words in err; its enum fail. */
static int explain(CURL *h, const struct httpc_opts *o, const struct http1_url *u, CURLcode rc,
		   const char *errbuf, char *err, size_t errlen)
{
	const char *why = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
	const char *target = target_of(o, u);
	long oserr = 0;

	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &oserr);
		snprintf(err, errlen, "cannot connect to %s: %s", target,
			 oserr != 0 ? strerror((int)oserr) : why);
		return FAIL_DOWN;
	case CURLE_COULDNT_RESOLVE_HOST:
		snprintf(err, errlen, "cannot resolve %s: %s", u->host, why);
		return FAIL_DOWN;
	case CURLE_OPERATION_TIMEDOUT:
		return timed_out(o, u, curl_step(h, u), err, errlen);
	case CURLE_PEER_FAILED_VERIFICATION:
		snprintf(err, errlen, "the TLS certificate of %s is not trusted: %s%s%s%s", target,
			 why, o->ca_file == NULL && o->ca_hint != NULL ? " (" : "",
			 o->ca_file == NULL && o->ca_hint != NULL ? o->ca_hint : "",
			 o->ca_file == NULL && o->ca_hint != NULL ? " FILE names the CA to trust)"
								  : "");
		return FAIL_DOWN;
	case CURLE_SSL_CACERT_BADFILE:
		snprintf(err, errlen, "cannot use the CA file %s: %s",
			 o->ca_file != NULL ? o->ca_file : "of the system", why);
		return FAIL_LOCAL;
	case CURLE_SSL_CONNECT_ERROR:
		snprintf(err, errlen, "TLS handshake with %s failed: %s", target, why);
		return FAIL_DOWN;
	case CURLE_GOT_NOTHING:
		return got_nothing(o, u, err, errlen);
	case CURLE_WRITE_ERROR:
		snprintf(err, errlen, "the answer is too big");
		return FAIL_TOO_BIG;
	case CURLE_OUT_OF_MEMORY:
	case CURLE_FAILED_INIT:
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		snprintf(err, errlen, "%s", why);
		return FAIL_LOCAL;
	default:
		snprintf(err, errlen, "request to %s failed: %s", target, why);
		return FAIL_DOWN;
	}
}

/* Why libcurl cannot be used, for a message: "" or ": cannot load libcurl: ...". */
static const char *curl_missing(void)
{
	static char why[300];
	const char *lazy = curl_lazy_error != NULL ? curl_lazy_error() : "";

	snprintf(why, sizeof(why), "%s%s", lazy[0] != '\0' ? ": " : "", lazy);
	return why;
}

/* Set up libcurl for c unless it is; 0, or FAIL_LOCAL with err. */
static int need_curl(struct httpc *c, char *err, size_t errlen)
{
	if (c->curl != NULL)
		return 0;
	if (!c->global) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			snprintf(err, errlen, "cannot initialise libcurl%s", curl_missing());
			return FAIL_LOCAL;
		}
		c->global = true;
	}
	c->curl = curl_easy_init();
	if (c->curl == NULL) {
		snprintf(err, errlen, "cannot initialise libcurl%s", curl_missing());
		return FAIL_LOCAL;
	}
	return 0;
}

int httpc_init(struct httpc *c, bool keep, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->keep = keep;
	return keep && need_curl(c, err, errlen) != 0 ? -1 : 0;
}

void httpc_free(struct httpc *c)
{
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	if (c->global)
		curl_global_cleanup();
	memset(c, 0, sizeof(*c));
}

/* GET o->url, taken apart in u, over libcurl (see httpc_get()). */
static int curl_get(struct httpc *c, const struct httpc_opts *o, const struct http1_url *u,
		    struct buf *body, long *status, char *err, size_t errlen)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	enum progress_step step = PROGRESS_CONNECT;
	struct curl_slist *headers = NULL, *more;
	char *to = NULL;
	CURLcode rc;
	int r;

	r = need_curl(c, err, errlen);
	for (size_t i = 0; r == 0 && o->headers != NULL && o->headers[i] != NULL; i++) {
		more = curl_slist_append(headers, o->headers[i]);
		if (more == NULL) {
			snprintf(err, errlen, "out of memory");
			r = FAIL_LOCAL;
		}
		headers = more != NULL ? more : headers;
	}
	if (r != 0) {
		curl_slist_free_all(headers);
		return r;
	}
	setup(c->curl, o, headers, body, errbuf);
	if (progress_enabled()) {
		curl_easy_setopt(c->curl, CURLOPT_DEBUGFUNCTION, on_trace);
		curl_easy_setopt(c->curl, CURLOPT_DEBUGDATA, &step);
		curl_easy_setopt(c->curl, CURLOPT_VERBOSE, 1L);
	}
	progress_set(target_of(o, u), step, NULL);
	rc = curl_easy_perform(c->curl);
	if (rc != CURLE_OK) {
		r = explain(c->curl, o, u, rc, errbuf, err, errlen);
	} else {
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status);
		curl_easy_getinfo(c->curl, CURLINFO_REDIRECT_URL, &to);
		snprintf(c->location, sizeof(c->location), "%s", to != NULL ? to : "");
	}
	/* errbuf and headers die here; the handle must not keep pointing at them. */
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c->curl, CURLOPT_VERBOSE, 0L);
	curl_easy_setopt(c->curl, CURLOPT_DEBUGDATA, NULL);
	curl_slist_free_all(headers);
	return r;
}

/* Zero what b holds (a request with credentials), then free it. */
static void wipe(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->len);
	buf_free(b);
}

/* Send the request for u and read the whole answer into answer; 0, or an enum fail. */
static int plain_exchange(const struct httpc_opts *o, const struct http1_url *u, struct buf *answer,
			  char *err, size_t errlen)
{
	struct net_target t = {.host = u->host,
			       .port = u->port,
			       .family = o->family,
			       .deadline = time_monotonic() + o->timeout,
			       .what = HTTP_REQUEST,
			       .name = target_of(o, u),
			       .limit = o->timeout_named > 0 ? o->timeout_named : o->timeout};
	struct buf auth, req;
	int r;

	buf_init(&auth, 8192);
	buf_init(&req, u->pathlen + 65536); /* any URL fits, with room for the headers */
	if (o->bearer != NULL) {
		buf_puts(&auth, "Bearer ");
		buf_puts(&auth, o->bearer);
	} else if (o->user != NULL) {
		http1_basic(&auth, o->user, o->password != NULL ? o->password : "");
	}
	http1_request(&req, u, o->user_agent, auth.len > 0 ? buf_str(&auth) : NULL, o->headers);
	if (auth.truncated || req.truncated) {
		snprintf(err, errlen, "the request for %s is too big", target_of(o, u));
		r = FAIL_LOCAL;
	} else {
		r = net_exchange(&t, req.data, req.len, answer, http1_reply_whole, err, errlen);
	}
	wipe(&auth);
	wipe(&req);
	if (r == 0)
		return answer->len > 0 ? 0 : got_nothing(o, u, err, errlen);
	if (r == FAIL_TOO_BIG)
		snprintf(err, errlen, "the answer is too big");
	/* A time-out's err names the step; FAIL_LOCAL is also the request too big, above. */
	return r;
}

/* The Location of an answer to u into c->location: a path alone is on u's server. */
static void redirect_target(struct httpc *c, const struct http1_url *u, const char *location)
{
	struct buf to;

	buf_init(&to, sizeof(c->location) - 1);
	if (location[0] == '/' && location[1] != '/') {
		buf_puts(&to, "http://");
		buf_puts(&to, u->authority);
	}
	buf_puts(&to, location);
	memcpy(c->location, buf_str(&to), to.len + 1);
	buf_free(&to);
}

/* GET o->url, an http:// URL taken apart in u, as HTTP/1.0 (see httpc_get()). */
static int plain_get(struct httpc *c, const struct httpc_opts *o, const struct http1_url *u,
		     struct buf *body, long *status, char *err, size_t errlen)
{
	struct http1_reply reply;
	struct buf answer;
	char why[256];
	int r;

	buf_init(&answer, body->cap + HEAD_ROOM);
	r = plain_exchange(o, u, &answer, err, errlen);
	if (r == 0 && http1_reply_parse(answer.data, answer.len, &reply, why, sizeof(why)) != 0) {
		if (strcmp(why, HTTP1_NOT_HTTP) == 0)
			snprintf(err, errlen, "%s answered something that is not HTTP%s",
				 target_of(o, u), o->plain_hint != NULL ? o->plain_hint : "");
		else
			snprintf(err, errlen, "%s sent %s", target_of(o, u), why);
		r = FAIL_DOWN;
	} else if (r == 0 && buf_append(body, reply.body, reply.bodylen) != 0) {
		snprintf(err, errlen, "the answer is too big");
		r = FAIL_TOO_BIG;
	} else if (r == 0) {
		*status = reply.status;
		redirect_target(c, u, reply.location);
	}
	buf_free(&answer);
	return r;
}

int httpc_get(struct httpc *c, const struct httpc_opts *o, struct buf *body, long *status,
	      char *err, size_t errlen)
{
	struct http1_url u;
	char why[256];

	buf_reset(body);
	*status = 0;
	c->location[0] = '\0';
	/* http1_url_check() again only for its words, which never repeat credentials. */
	if (http1_url_parse(o->url, &u, why, sizeof(why)) != 0 || u.userinfo) {
		http1_url_check(o->url, "URL", err, errlen);
		return FAIL_LOCAL;
	}
	if (u.tls || c->keep)
		return curl_get(c, o, &u, body, status, err, errlen);
	return plain_get(c, o, &u, body, status, err, errlen);
}
