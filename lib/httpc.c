/*
 * One GET over libcurl with the project's rules, and its failures in words
 * (see httpc.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "httpc.h"
#include "num.h"

/* Keep what curl received in the buffer ctx, up to its cap. */
static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	(void)size; /* always 1 */
	/* Returning less than n makes curl stop with CURLE_WRITE_ERROR. */
	return buf_append(ctx, data, n) == 0 ? n : 0;
}

/* Curl gives up a little before the limit, so its reason is reported; a plugin's alarm is the
 * backstop. */
static long timeout_ms(double timeout)
{
	double margin = timeout / 10 < 0.5 ? timeout / 10 : 0.5;
	long ms = (long)((timeout - margin) * 1000);

	return ms > 0 ? ms : 1;
}

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
static void setup(CURL *h, const struct httpc_opts *o, struct buf *body, char *errbuf)
{
	long ms = timeout_ms(o->timeout);

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
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, o->headers);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
	if (o->family == AF_INET || o->family == AF_INET6)
		curl_easy_setopt(h, CURLOPT_IPRESOLVE,
				 o->family == AF_INET ? CURL_IPRESOLVE_V4 : CURL_IPRESOLVE_V6);
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
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *zone = NULL;

	snprintf(out, outlen, "%s", "");
	if (u == NULL)
		return;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		/* An IPv6 zone comes apart from the bracketed host; put it back, encoded. */
		if (curl_url_get(u, CURLUPART_ZONEID, &zone, 0) == CURLUE_OK && zone != NULL &&
		    host[0] == '[')
			snprintf(out, outlen, "%.*s%%25%s]:%s", (int)strlen(host) - 1, host, zone,
				 port);
		else
			snprintf(out, outlen, "%s:%s", host, port);
	}
	curl_free(host);
	curl_free(port);
	curl_free(zone);
	curl_url_cleanup(u);
}

/* The host part of url, for "cannot resolve HOST". */
static void url_host(const char *url, char *out, size_t outlen)
{
	CURLU *u = curl_url();
	char *host = NULL;

	snprintf(out, outlen, "%s", url);
	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		snprintf(out, outlen, "%s", host);
	curl_free(host);
	curl_url_cleanup(u);
}

/* Put a failed transfer into words in err; returns its httpc_error. */
static int explain(CURL *h, const struct httpc_opts *o, CURLcode rc, const char *errbuf, char *err,
		   size_t errlen)
{
	const char *why = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
	char target[800], host[300], secs[NUM_BUFSZ];
	long oserr = 0;

	if (o->target != NULL)
		snprintf(target, sizeof(target), "%s", o->target);
	else
		httpc_target(o->url, target, sizeof(target));
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &oserr);
		snprintf(err, errlen, "cannot connect to %s: %s", target,
			 oserr != 0 ? strerror((int)oserr) : why);
		return HTTPC_DOWN;
	case CURLE_COULDNT_RESOLVE_HOST:
		url_host(o->url, host, sizeof(host));
		snprintf(err, errlen, "cannot resolve %s: %s", host, why);
		return HTTPC_DOWN;
	case CURLE_OPERATION_TIMEDOUT:
		/* Curl gives up a little before the limit; name the limit the user set. */
		num_format(o->timeout_named > 0 ? o->timeout_named : o->timeout, secs,
			   sizeof(secs));
		snprintf(err, errlen, "timed out after %s s waiting for %s", secs, target);
		return HTTPC_TIMEOUT;
	case CURLE_PEER_FAILED_VERIFICATION:
		snprintf(err, errlen, "the TLS certificate of %s is not trusted: %s%s%s%s", target,
			 why, o->ca_file == NULL && o->ca_hint != NULL ? " (" : "",
			 o->ca_file == NULL && o->ca_hint != NULL ? o->ca_hint : "",
			 o->ca_file == NULL && o->ca_hint != NULL ? " FILE names the CA to trust)"
								  : "");
		return HTTPC_DOWN;
	case CURLE_SSL_CACERT_BADFILE:
		snprintf(err, errlen, "cannot use the CA file %s: %s",
			 o->ca_file != NULL ? o->ca_file : "of the system", why);
		return HTTPC_LOCAL;
	case CURLE_SSL_CONNECT_ERROR:
		snprintf(err, errlen, "TLS handshake with %s failed: %s", target, why);
		return HTTPC_DOWN;
	case CURLE_GOT_NOTHING:
		snprintf(err, errlen, "%s closed the connection without answering%s", target,
			 o->plain_hint != NULL && strncmp(o->url, "http:", 5) == 0 ? o->plain_hint
										   : "");
		return HTTPC_DOWN;
	case CURLE_WRITE_ERROR:
		snprintf(err, errlen, "the answer is too big");
		return HTTPC_TOO_BIG;
	case CURLE_OUT_OF_MEMORY:
	case CURLE_FAILED_INIT:
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		snprintf(err, errlen, "%s", why);
		return HTTPC_LOCAL;
	default:
		snprintf(err, errlen, "request to %s failed: %s", target, why);
		return HTTPC_DOWN;
	}
}

int httpc_get(CURL *h, const struct httpc_opts *o, struct buf *body, long *status, char *err,
	      size_t errlen)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	CURLcode rc;
	int r = 0;

	buf_reset(body);
	*status = 0;
	setup(h, o, body, errbuf);
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK)
		r = explain(h, o, rc, errbuf, err, errlen);
	else
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	/* errbuf dies here; the handle must not keep pointing at it. */
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
	return r;
}
