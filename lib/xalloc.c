/*
 * The one place allocation failure is handled (see xalloc.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static xalloc_fail_fn fail_hook;

void xalloc_set_fail(xalloc_fail_fn fn)
{
	fail_hook = fn;
}

static void *checked(void *p)
{
	if (p != NULL)
		return p;
	if (fail_hook != NULL)
		fail_hook();
	abort();
}

void *xmalloc(size_t size)
{
	return checked(malloc(size == 0 ? 1 : size));
}

void *xcalloc(size_t nmemb, size_t size)
{
	return checked(calloc(nmemb == 0 ? 1 : nmemb, size == 0 ? 1 : size));
}

void *xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		return checked(NULL);
	return checked(realloc(ptr, nmemb * size == 0 ? 1 : nmemb * size));
}

void *xgrow(void *ptr, size_t n, size_t size)
{
	if (n != 0 && (n < 8 || (n & (n - 1)) != 0))
		return ptr;
	return xreallocarray(ptr, n < 8 ? 8 : n * 2, size);
}

char *xstrdup(const char *s)
{
	return checked(strdup(s));
}

char *xstrndup(const char *s, size_t n)
{
	return checked(strndup(s, n));
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n == -1)
		return checked(NULL);
	return s;
}
