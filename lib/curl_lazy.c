/*
 * libcurl, loaded only when it is first used. A program that talks HTTP only
 * on some runs links this file instead of -lcurl: check_haproxy reads the
 * stats socket on most runs, and loading Debian's libcurl with its thirty
 * libraries costs about 4.5 ms before main, four times the whole socket
 * check. Each function below has libcurl's own name and signature and hands
 * the call to the real one, which dlopen() finds in libcurl.so.4 (the
 * library's stable ABI) on the first call. When it cannot be loaded,
 * curl_global_init() fails with CURLE_FAILED_INIT and curl_easy_init()
 * returns NULL, which callers already report; curl_lazy_error() says why.
 *
 * Only the functions lib/httpc.c and its users call are here; a program
 * that calls another one fails to link, which is the safe way round.
 */
#include "config.h"

/* The typecheck macros of curl.h would rename the functions defined here. */
#define CURL_DISABLE_TYPECHECK 1

#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "curl_lazy.h"

/* The real functions, filled once by load(). */
static struct {
	CURLcode (*global_init)(long);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *);
	void (*easy_reset)(CURL *);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} real;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char why[256];
static int loaded; /* 1 when every function was found */

/* Look up name in lib into *slot; 0, or -1 with why set. */
static int find(void *lib, const char *name, void *slot)
{
	void *f = dlsym(lib, name);

	if (f == NULL) {
		snprintf(why, sizeof(why), "libcurl.so.4 has no %s", name);
		return -1;
	}
	/* POSIX guarantees a function pointer survives the trip through void *. */
	*(void **)slot = f;
	return 0;
}

static void load(void)
{
	void *lib = dlopen("libcurl.so.4", RTLD_LAZY | RTLD_LOCAL);

	if (lib == NULL) {
		snprintf(why, sizeof(why), "cannot load libcurl: %s", dlerror());
		return;
	}
	/* The library stays loaded until the program ends, as if it were linked. */
	loaded = find(lib, "curl_global_init", &real.global_init) == 0 &&
		 find(lib, "curl_global_cleanup", &real.global_cleanup) == 0 &&
		 find(lib, "curl_easy_init", &real.easy_init) == 0 &&
		 find(lib, "curl_easy_cleanup", &real.easy_cleanup) == 0 &&
		 find(lib, "curl_easy_reset", &real.easy_reset) == 0 &&
		 find(lib, "curl_easy_perform", &real.easy_perform) == 0 &&
		 find(lib, "curl_easy_setopt", &real.easy_setopt) == 0 &&
		 find(lib, "curl_easy_getinfo", &real.easy_getinfo) == 0 &&
		 find(lib, "curl_easy_strerror", &real.easy_strerror) == 0 &&
		 find(lib, "curl_slist_append", &real.slist_append) == 0 &&
		 find(lib, "curl_slist_free_all", &real.slist_free_all) == 0;
}

/* 1 when libcurl is there to call. */
static int ready(void)
{
	pthread_once(&once, load);
	return loaded;
}

const char *curl_lazy_error(void)
{
	return ready() ? "" : why;
}

CURLcode curl_global_init(long flags)
{
	return ready() ? real.global_init(flags) : CURLE_FAILED_INIT;
}

void curl_global_cleanup(void)
{
	if (ready())
		real.global_cleanup();
}

CURL *curl_easy_init(void)
{
	return ready() ? real.easy_init() : NULL;
}

/* The functions below take a handle or a URL that only the loaded library made. */
void curl_easy_cleanup(CURL *h)
{
	if (h != NULL)
		real.easy_cleanup(h);
}

void curl_easy_reset(CURL *h)
{
	real.easy_reset(h);
}

CURLcode curl_easy_perform(CURL *h)
{
	return real.easy_perform(h);
}

/* The option's number says the type of its argument (CURLOPTTYPE_*). */
CURLcode curl_easy_setopt(CURL *h, CURLoption option, ...)
{
	CURLcode rc;
	va_list ap;

	va_start(ap, option);
	if (option < CURLOPTTYPE_OBJECTPOINT)
		rc = real.easy_setopt(h, option, va_arg(ap, long));
	else if (option < CURLOPTTYPE_FUNCTIONPOINT)
		rc = real.easy_setopt(h, option, va_arg(ap, void *));
	else if (option < CURLOPTTYPE_OFF_T)
		rc = real.easy_setopt(h, option, va_arg(ap, void (*)(void)));
	else if (option < CURLOPTTYPE_BLOB)
		rc = real.easy_setopt(h, option, va_arg(ap, curl_off_t));
	else
		rc = real.easy_setopt(h, option, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

/* Every CURLINFO takes a pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	CURLcode rc;
	va_list ap;

	va_start(ap, info);
	rc = real.easy_getinfo(h, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

const char *curl_easy_strerror(CURLcode rc)
{
	return ready() ? real.easy_strerror(rc) : why;
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *line)
{
	return ready() ? real.slist_append(list, line) : NULL;
}

void curl_slist_free_all(struct curl_slist *list)
{
	if (list != NULL)
		real.slist_free_all(list);
}
