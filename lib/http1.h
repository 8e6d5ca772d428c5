/*
 * HTTP/1.0 by hand, for the plain http:// requests of the checks: the parts
 * of a URL, the request, and the answer. Pure functions over bytes, no I/O;
 * unit-tested and fuzzed. lib/httpc.c sends what these build over
 * lib/net.c.
 *
 * Why not libcurl for these: loading Debian's libcurl and its thirty
 * libraries costs a check about 4.5 ms, three times a whole GET over
 * loopback. A check asks one page of a server it was pointed at: no
 * redirects, no proxy, no cookies, no keep-alive. An HTTP/1.0 request with
 * "Connection: close" gets an answer that ends when the server closes (or
 * at its Content-Length), which needs little code. libcurl stays for https
 * and for the agent, which keeps its connections open.
 */
#ifndef VAKT_HTTP1_H
#define VAKT_HTTP1_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define HTTP1_HOST_MAX 256
#define HTTP1_LOCATION_MAX 1024

/* An http:// or https:// URL taken apart. */
struct http1_url {
	bool tls;			    /* https */
	bool userinfo;			    /* the URL carries "user[:password]@" before the host */
	char host[HTTP1_HOST_MAX];	    /* for getaddrinfo(): no brackets, a zone as "%eth0" */
	char authority[HTTP1_HOST_MAX + 8]; /* for the Host header: no zone, no default port */
	char target[HTTP1_HOST_MAX + 16];   /* "HOST:PORT" for messages ("[::1]:80") */
	long port;			    /* the URL's, or 80 / 443 */
	const char *path; /* into the URL: from its first '/' or '?'; "" when it has neither */
	size_t pathlen;	  /* up to a '#', which is not sent */
};

/*
 * Take url apart. Returns 0, or -1 with why in why ("only http:// and
 * https:// URLs", "port 0 is out of range") when it is not an http(s) URL
 * with a host, or holds a byte that cannot go in a request line.
 */
int http1_url_parse(const char *url, struct http1_url *u, char *why, size_t whylen);

/*
 * 0 when url is an http(s) URL http1_url_parse() takes, without
 * credentials; else -1 with why, for the option or setting that gave it
 * ("invalid -u 'ftp://x': only http:// and https:// URLs"). A URL with
 * credentials is refused without being repeated: they would show in the
 * process list or a configuration's messages, and the message must not
 * show them again.
 */
int http1_url_check(const char *url, const char *option, char *why, size_t whylen);

/*
 * The GET request for u into b (reset first): HTTP/1.0, "Connection: close",
 * Host from u unless headers has its own, then user_agent and authorization
 * (the Authorization header's value) when not NULL, then headers (a
 * NULL-terminated list of "Name: value" lines, or NULL). Bytes above 0x7f in
 * the path are percent-encoded. The caller keeps CR and LF out of the values.
 */
void http1_request(struct buf *b, const struct http1_url *u, const char *user_agent,
		   const char *authorization, const char *const *headers);

/*
 * The POST request for u into b (reset first), as http1_request() without
 * extra headers, carrying the len bytes of body as content_type (an
 * XML-RPC call as "text/xml").
 */
void http1_post(struct buf *b, const struct http1_url *u, const char *user_agent,
		const char *authorization, const char *content_type, const char *body, size_t len);

/* Append "Basic " and the base64 of "user:password" to b (RFC 7617). */
void http1_basic(struct buf *b, const char *user, const char *password);

/* Append the len bytes of s to b, every byte but RFC 3986's unreserved ones as %XX. */
void http1_escape(struct buf *b, const char *s, size_t len);

/* The reason http1_reply_parse() gives for bytes that are no HTTP answer at all. */
#define HTTP1_NOT_HTTP "not an HTTP answer"

/* An answer taken apart. */
struct http1_reply {
	long status;			   /* 100..999 */
	char *body;			   /* into the data given, de-chunked in place */
	size_t bodylen;			   /* bytes of body */
	char location[HTTP1_LOCATION_MAX]; /* the Location header, "" when none */
};

/*
 * Parse the len bytes a server sent before closing (not NUL-terminated; a
 * chunked body is decoded in place, so data is changed). Skips interim 1xx
 * answers; takes the body by Content-Length, by chunks, or to the end.
 * Returns 0, or -1 with why ("not an HTTP answer", "an answer that broke off
 * after 10 of 20 bytes") when it is not a whole HTTP/1.x answer.
 */
int http1_reply_parse(char *data, size_t len, struct http1_reply *r, char *why, size_t whylen);

/*
 * Whether the len bytes a server sent so far are a whole answer, with no
 * need to wait for it to close: its head and all of its body by
 * Content-Length or chunks are there, or what is there can never be an
 * HTTP answer. A server that ignores "Connection: close" is then not waited
 * for until the time-out.
 */
bool http1_reply_whole(const char *data, size_t len);

#endif
