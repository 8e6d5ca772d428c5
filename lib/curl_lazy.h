/*
 * libcurl loaded on first use (see curl_lazy.c): a program links
 * lib/libvakt_curl_lazy.a instead of -lcurl and calls libcurl as usual.
 */
#ifndef VAKT_CURL_LAZY_H
#define VAKT_CURL_LAZY_H

/* Why libcurl could not be loaded, or "" when it was. */
const char *curl_lazy_error(void);

#endif
