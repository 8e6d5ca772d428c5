/*
 * Allocation that cannot fail from the caller's point of view: on failure the
 * process reports through one hook and ends. Plugins set the hook so that an
 * out-of-memory run still prints an UNKNOWN line and exits 3; the default
 * aborts.
 */
#ifndef VAKT_XALLOC_H
#define VAKT_XALLOC_H

#include <stddef.h>

/* Called once when an allocation fails; must not return. */
typedef void (*xalloc_fail_fn)(void);

void xalloc_set_fail(xalloc_fail_fn fn);
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
/*
 * Make room for element n of an array that holds n elements, returning the
 * (possibly moved) array. The capacity is implicit: 8, doubled each time n
 * reaches a power of two, so appending one at a time costs few reallocs.
 */
void *xgrow(void *ptr, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Return a newly allocated formatted string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
