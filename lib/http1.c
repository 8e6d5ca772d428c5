/*
 * HTTP/1.0 by hand: URLs, requests and answers as bytes (see http1.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http1.h"

/* RFC 3986's unreserved characters, which a host name and a zone ID are made of. */
static bool unreserved(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/*
 * Whether the n bytes at s (n > 0) are all chars of set or, when alnum,
 * letters and digits too. A NUL is never one: strchr() would find the set's own.
 */
static bool made_of(const char *s, size_t n, const char *set, bool alnum)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\0' ||
		    (!(alnum && isalnum((unsigned char)s[i])) && strchr(set, s[i]) == NULL))
			return false;
	return n > 0;
}

/* The bracketed IPv6 literal at s (s[0] is '['), up to end; sets the host parts of u. */
static const char *ipv6_literal(const char *s, const char *end, struct http1_url *u, char *why,
				size_t whylen)
{
	const char *close = memchr(s, ']', (size_t)(end - s));
	const char *addr = s + 1, *pct, *zone = NULL;
	size_t addrlen, zonelen = 0;

	if (close == NULL) {
		snprintf(why, whylen, "an IPv6 address without its ']'");
		return NULL;
	}
	pct = memchr(addr, '%', (size_t)(close - addr));
	addrlen = (size_t)((pct != NULL ? pct : close) - addr);
	if (pct != NULL) {
		/* The zone's '%' is written "%25" in a URL; a bare '%' is accepted too. */
		zone = close - pct >= 3 && strncmp(pct, "%25", 3) == 0 ? pct + 3 : pct + 1;
		zonelen = (size_t)(close - zone);
	}
	if (!made_of(addr, addrlen, "0123456789abcdefABCDEF:.", false) ||
	    (zone != NULL && !made_of(zone, zonelen, "-._~", true)) ||
	    addrlen + zonelen + 24 > HTTP1_HOST_MAX) {
		snprintf(why, whylen, "'%.*s' is not an IPv6 address", (int)(close + 1 - s), s);
		return NULL;
	}
	snprintf(u->host, sizeof(u->host), "%.*s%s%.*s", (int)addrlen, addr, zone ? "%" : "",
		 (int)zonelen, zone ? zone : "");
	snprintf(u->authority, sizeof(u->authority), "[%.*s]", (int)addrlen, addr);
	snprintf(u->target, sizeof(u->target), "[%.*s%s%.*s]", (int)addrlen, addr,
		 zone ? "%25" : "", (int)zonelen, zone ? zone : "");
	return close + 1;
}

/* The port in the n bytes at s ("" is the default); 0, or -1 with why. */
static int port_of(const char *s, size_t n, struct http1_url *u, char *why, size_t whylen)
{
	long port = 0;

	if (n == 0)
		return 0;
	if (n > 5 || !made_of(s, n, "0123456789", false)) {
		snprintf(why, whylen, "'%.*s' is not a port", (int)(n > 20 ? 20 : n), s);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		port = port * 10 + (s[i] - '0');
	if (port < 1 || port > 65535) {
		snprintf(why, whylen, "port %ld is out of range", port);
		return -1;
	}
	u->port = port;
	return 0;
}

int http1_url_parse(const char *url, struct http1_url *u, char *why, size_t whylen)
{
	const char *auth, *end, *at, *hostend;
	long fallback;
	size_t n;

	memset(u, 0, sizeof(*u));
	for (const char *p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			snprintf(why, whylen, "the URL holds a space or a control character");
			return -1;
		}
	if (strncasecmp(url, "http://", 7) == 0) {
		auth = url + 7;
	} else if (strncasecmp(url, "https://", 8) == 0) {
		auth = url + 8;
		u->tls = true;
	} else {
		snprintf(why, whylen, "only http:// and https:// URLs");
		return -1;
	}
	fallback = u->tls ? 443 : 80;
	end = auth + strcspn(auth, "/?#");
	/* Credentials end at the authority's last '@'; the caller decides what they mean. */
	for (at = end; at > auth && at[-1] != '@'; at--)
		;
	if (at > auth) {
		u->userinfo = true;
		auth = at;
	}
	if (auth < end && *auth == '[') {
		hostend = ipv6_literal(auth, end, u, why, whylen);
		if (hostend == NULL)
			return -1;
	} else {
		hostend = memchr(auth, ':', (size_t)(end - auth));
		hostend = hostend != NULL ? hostend : end;
		n = (size_t)(hostend - auth);
		if (n == 0) {
			snprintf(why, whylen, "no host in it");
			return -1;
		}
		if (n >= HTTP1_HOST_MAX || !made_of(auth, n, "-._~", true)) {
			snprintf(why, whylen, "'%.*s' is not a host name", (int)(n > 80 ? 80 : n),
				 auth);
			return -1;
		}
		snprintf(u->host, sizeof(u->host), "%.*s", (int)n, auth);
		snprintf(u->authority, sizeof(u->authority), "%s", u->host);
		snprintf(u->target, sizeof(u->target), "%s", u->host);
	}
	u->port = fallback;
	if (hostend < end && (*hostend != ':' || port_of(hostend + 1, (size_t)(end - hostend - 1),
							 u, why, whylen) != 0)) {
		if (*hostend != ':')
			snprintf(why, whylen, "'%.*s' after the host", (int)(end - hostend),
				 hostend);
		return -1;
	}
	n = strlen(u->authority);
	if (u->port != fallback)
		snprintf(u->authority + n, sizeof(u->authority) - n, ":%ld", u->port);
	n = strlen(u->target);
	snprintf(u->target + n, sizeof(u->target) - n, ":%ld", u->port);
	u->path = end;
	u->pathlen = strcspn(end, "#");
	return 0;
}

int http1_url_check(const char *url, const char *option, char *why, size_t whylen)
{
	const char *scheme = strstr(url, "://");
	const char *auth = scheme != NULL ? scheme + 3 : url;
	struct http1_url u;
	char reason[256];

	/* Before anything that repeats the URL: "user:pass@" up to the path. */
	if (memchr(auth, '@', strcspn(auth, "/?#")) != NULL) {
		snprintf(why, whylen,
			 "invalid %s: the URL holds credentials, which would show in the process "
			 "list and in messages: give the user and password file as options",
			 option);
		return -1;
	}
	if (http1_url_parse(url, &u, reason, sizeof(reason)) != 0) {
		snprintf(why, whylen, "invalid %s '%s': %s", option, url, reason);
		return -1;
	}
	return 0;
}

/* Whether one of the "Name: value" lines of headers is named name. */
static bool has_header(const char *const *headers, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; headers != NULL && headers[i] != NULL; i++)
		if (strncasecmp(headers[i], name, n) == 0 && headers[i][n] == ':')
			return true;
	return false;
}

/* A request of method for u into b; a body of len bytes when content_type is not NULL. */
static void request(struct buf *b, const char *method, const struct http1_url *u,
		    const char *user_agent, const char *authorization, const char *const *headers,
		    const char *content_type, const char *body, size_t len)
{
	buf_reset(b);
	buf_puts(b, method);
	buf_puts(b, " ");
	if (u->pathlen == 0 || u->path[0] != '/')
		buf_puts(b, "/");
	for (size_t i = 0; i < u->pathlen; i++)
		if ((unsigned char)u->path[i] > 0x7f)
			buf_printf(b, "%%%02X", (unsigned char)u->path[i]);
		else
			buf_append(b, u->path + i, 1);
	buf_puts(b, " HTTP/1.0\r\n");
	if (!has_header(headers, "Host"))
		buf_printf(b, "Host: %s\r\n", u->authority);
	if (!has_header(headers, "Accept"))
		buf_puts(b, "Accept: */*\r\n");
	if (user_agent != NULL)
		buf_printf(b, "User-Agent: %s\r\n", user_agent);
	if (authorization != NULL) {
		/* Piece by piece: buf_printf() would leave a copy in its own buffer. */
		buf_puts(b, "Authorization: ");
		buf_puts(b, authorization);
		buf_puts(b, "\r\n");
	}
	for (size_t i = 0; headers != NULL && headers[i] != NULL; i++)
		buf_printf(b, "%s\r\n", headers[i]);
	if (content_type != NULL)
		buf_printf(b, "Content-Type: %s\r\nContent-Length: %zu\r\n", content_type, len);
	buf_puts(b, "Connection: close\r\n\r\n");
	if (content_type != NULL)
		buf_append(b, body, len);
}

void http1_request(struct buf *b, const struct http1_url *u, const char *user_agent,
		   const char *authorization, const char *const *headers)
{
	request(b, "GET", u, user_agent, authorization, headers, NULL, NULL, 0);
}

void http1_post(struct buf *b, const struct http1_url *u, const char *user_agent,
		const char *authorization, const char *content_type, const char *body, size_t len)
{
	request(b, "POST", u, user_agent, authorization, NULL, content_type, body, len);
}

void http1_basic(struct buf *b, const char *user, const char *password)
{
	static const char digits[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t ulen = strlen(user), n = ulen + 1 + strlen(password);

	buf_puts(b, "Basic ");
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = 0;
		char out[4];

		/* Byte k of "user:password", without building that string. */
		for (size_t k = i; k < i + 3; k++) {
			unsigned char c = k >= n      ? 0
					  : k < ulen  ? (unsigned char)user[k]
					  : k == ulen ? ':'
						      : (unsigned char)password[k - ulen - 1];

			v = v << 8 | c;
		}
		out[0] = digits[v >> 18 & 63];
		out[1] = digits[v >> 12 & 63];
		out[2] = i + 1 < n ? digits[v >> 6 & 63] : '=';
		out[3] = i + 2 < n ? digits[v & 63] : '=';
		buf_append(b, out, 4);
	}
}

void http1_escape(struct buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (unreserved(s[i]))
			buf_append(b, s + i, 1);
		else
			buf_printf(b, "%%%02X", (unsigned char)s[i]);
}

/* How an answer is not whole: wrong, or not all there (yet). */
enum { MALFORMED = -1, BROKE_OFF = -2 };

/*
 * The next line in [*p, end): sets *line and *n (without CR LF) and moves *p
 * past it; -1 when no LF is left.
 */
static int next_line(const char **p, const char *end, const char **line, size_t *n)
{
	const char *lf = memchr(*p, '\n', (size_t)(end - *p));

	if (lf == NULL)
		return -1;
	*line = *p;
	*n = (size_t)(lf - *p);
	if (*n > 0 && lf[-1] == '\r')
		(*n)--;
	*p = lf + 1;
	return 0;
}

/* Whether the line of n bytes is the header name, and its trimmed value in *v, *vn. */
static bool header_is(const char *line, size_t n, const char *name, const char **v, size_t *vn)
{
	size_t k = strlen(name);

	if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return false;
	*v = line + k + 1;
	*vn = n - k - 1;
	while (*vn > 0 && (**v == ' ' || **v == '\t')) {
		(*v)++;
		(*vn)--;
	}
	while (*vn > 0 && ((*v)[*vn - 1] == ' ' || (*v)[*vn - 1] == '\t'))
		(*vn)--;
	return true;
}

/* What one answer head says about its body. */
struct head {
	long long length; /* Content-Length, -1 when none */
	bool chunked;
};

/* A Content-Length value into h; 0, or -1 with why. */
static int content_length(const char *v, size_t n, struct head *h, char *why, size_t whylen)
{
	long long len = 0;

	if (n == 0 || n > 15 || !made_of(v, n, "0123456789", false)) {
		snprintf(why, whylen, "a Content-Length of '%.*s'", (int)(n > 20 ? 20 : n), v);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		len = len * 10 + (v[i] - '0');
	if (h->length >= 0 && h->length != len) {
		snprintf(why, whylen, "two different Content-Lengths");
		return -1;
	}
	h->length = len;
	return 0;
}

/*
 * A Transfer-Encoding value into h; 0, or -1 with why unless it is "chunked"
 * alone (we ask for no compression) or "identity".
 */
static int transfer_encoding(const char *v, size_t n, struct head *h, char *why, size_t whylen)
{
	if (n == 7 && strncasecmp(v, "chunked", 7) == 0) {
		h->chunked = true;
		return 0;
	}
	if (n == 8 && strncasecmp(v, "identity", 8) == 0)
		return 0;
	snprintf(why, whylen, "an answer in Transfer-Encoding '%.*s', which is not decoded here",
		 (int)(n > 40 ? 40 : n), v);
	return -1;
}

/*
 * The status line and headers at *p; moves *p to the body. 0, or MALFORMED
 * or BROKE_OFF with why.
 */
static int parse_head(const char **p, const char *end, struct http1_reply *r, struct head *h,
		      char *why, size_t whylen)
{
	size_t n, vn, have = (size_t)(end - *p);
	const char *v, *line;

	h->length = -1;
	h->chunked = false;
	r->location[0] = '\0';
	if (strncmp(*p, "HTTP/", have < 5 ? have : 5) != 0) {
		snprintf(why, whylen, "%s", HTTP1_NOT_HTTP);
		return MALFORMED;
	}
	if (have < 5 || next_line(p, end, &line, &n) != 0) {
		snprintf(why, whylen, "an answer that broke off in its status line");
		return BROKE_OFF;
	}
	if (n < 12 || !isdigit((unsigned char)line[5]) || line[6] != '.' ||
	    !isdigit((unsigned char)line[7]) || line[8] != ' ' ||
	    !made_of(line + 9, 3, "0123456789", false) || (n > 12 && line[12] != ' ') ||
	    line[9] == '0') {
		snprintf(why, whylen, "a malformed status line");
		return MALFORMED;
	}
	r->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
	for (;;) {
		if (next_line(p, end, &line, &n) != 0) {
			snprintf(why, whylen, "an answer that broke off in its headers");
			return BROKE_OFF;
		}
		if (n == 0)
			return 0;
		if (line[0] == ' ' || line[0] == '\t')
			continue; /* an obsolete folded line: nothing read here continues */
		if (memchr(line, ':', n) == NULL) {
			snprintf(why, whylen, "a header line without ':'");
			return MALFORMED;
		}
		if (header_is(line, n, "Content-Length", &v, &vn) &&
		    content_length(v, vn, h, why, whylen) != 0)
			return MALFORMED;
		if (header_is(line, n, "Transfer-Encoding", &v, &vn) &&
		    transfer_encoding(v, vn, h, why, whylen) != 0)
			return MALFORMED;
		if (header_is(line, n, "Location", &v, &vn))
			snprintf(r->location, sizeof(r->location), "%.*s", (int)vn, v);
	}
}

/*
 * Walk the chunked body at p; with out, decode it there (in place: out is p).
 * Sets *len to the body's length. 0, or MALFORMED or BROKE_OFF with why.
 */
static int dechunk(const char *p, const char *end, char *out, size_t *len, char *why, size_t whylen)
{
	const char *line;
	size_t n;

	*len = 0;
	for (;;) {
		unsigned long long size = 0;
		size_t digits = 0, size_digits;

		if (next_line(&p, end, &line, &n) != 0) {
			snprintf(why, whylen, "an answer that broke off between chunks");
			return BROKE_OFF;
		}
		while (digits < n && isxdigit((unsigned char)line[digits]) && digits < 15) {
			char c = line[digits++];

			size =
			    size * 16 +
			    (unsigned)(isdigit((unsigned char)c) ? c - '0' : (c | 0x20) - 'a' + 10);
		}
		size_digits = digits;
		while (digits < n && (line[digits] == ' ' || line[digits] == '\t'))
			digits++; /* not digits any more: the blank before an extension */
		if (size_digits == 0 || (digits < n && line[digits] != ';')) {
			snprintf(why, whylen, "a malformed chunk size");
			return MALFORMED;
		}
		if (size == 0)
			return 0; /* trailers, if any, say nothing we read */
		if (size > (unsigned long long)(end - p)) {
			snprintf(why, whylen, "an answer that broke off inside a chunk");
			return BROKE_OFF;
		}
		if (out != NULL)
			memmove(out + *len, p, (size_t)size);
		*len += (size_t)size;
		p += size;
		if (next_line(&p, end, &line, &n) != 0) {
			snprintf(why, whylen, "an answer that broke off after a chunk");
			return BROKE_OFF;
		}
		if (n != 0) {
			snprintf(why, whylen, "a chunk longer than its size");
			return MALFORMED;
		}
	}
}

/* Whether [p, end) ends in a blank line, "\n\n" or "\n\r\n". */
static bool ends_blank(const char *p, const char *end)
{
	return (end - p >= 2 && end[-1] == '\n' && end[-2] == '\n') ||
	       (end - p >= 3 && end[-1] == '\n' && end[-2] == '\r' && end[-3] == '\n');
}

/*
 * Take the len bytes at data apart into r (see http1_reply_parse()); with
 * out (data itself, writable) a chunked body is decoded in place and
 * r->body set, without it (NULL) data is only read. *at_close says the body
 * runs until the server closes. 0, or MALFORMED or BROKE_OFF with why.
 */
static int walk(const char *data, char *out, size_t len, struct http1_reply *r, bool *at_close,
		char *why, size_t whylen)
{
	bool decode = out != NULL;
	const char *p = data, *end = data + len;
	struct head h;
	int rc;

	memset(r, 0, sizeof(*r));
	*at_close = false;
	for (;;) {
		rc = parse_head(&p, end, r, &h, why, whylen);
		if (rc != 0)
			return rc;
		if (r->status >= 200 || r->status == 101)
			break;
		if (p == end) {
			snprintf(why, whylen, "an answer that broke off after an interim HTTP %ld",
				 r->status);
			return BROKE_OFF;
		}
	}
	r->body = decode ? out + (p - data) : NULL;
	if (r->status < 200 || r->status == 204 || r->status == 304)
		return 0;
	/*
	 * Asked whether an answer is whole after every read, walking all its
	 * chunks each time would cost the square of their number; a whole one
	 * ends in the blank line after the last chunk (and its trailers).
	 */
	if (h.chunked && !decode && !ends_blank(p, end)) {
		snprintf(why, whylen, "an answer that broke off between chunks");
		return BROKE_OFF;
	}
	if (h.chunked)
		return dechunk(p, end, decode ? r->body : NULL, &r->bodylen, why, whylen);
	if (h.length < 0) {
		*at_close = true;
		r->bodylen = (size_t)(end - p);
		return 0;
	}
	if (h.length > end - p) {
		snprintf(why, whylen, "an answer that broke off after %td of %lld bytes", end - p,
			 h.length);
		return BROKE_OFF;
	}
	r->bodylen = (size_t)h.length;
	return 0;
}

int http1_reply_parse(char *data, size_t len, struct http1_reply *r, char *why, size_t whylen)
{
	bool at_close;

	return walk(data, data, len, r, &at_close, why, whylen) == 0 ? 0 : -1;
}

bool http1_reply_whole(const char *data, size_t len)
{
	struct http1_reply r;
	char why[256];
	bool at_close;
	int rc = walk(data, NULL, len, &r, &at_close, why, sizeof(why));

	/* A malformed answer will not mend: reading on only waits for the time-out. */
	return rc == MALFORMED || (rc == 0 && !at_close);
}
