/*
 * What vaktd may do once it serves: the user it becomes after binding and
 * reading its secrets, and the capabilities its collectors need, nothing
 * more. Called once, before any thread starts, so every thread inherits it.
 */
#ifndef VAKT_PRIVS_H
#define VAKT_PRIVS_H

#include <stddef.h>
#include <stdint.h>

/* A capability as a bit of a mask: PRIV_CAP(CAP_DAC_READ_SEARCH). */
#define PRIV_CAP(cap) ((uint64_t)1 << (cap))

/*
 * Become user (NULL: stay who we are), with that user's groups, and keep of
 * the capabilities we have only those in need; every other capability goes
 * from the effective, permitted, inheritable, ambient and (when we may)
 * bounding sets, and no exec could gain any (no_new_privs). Root without a
 * user keeps root's capabilities: we only drop what we can name a
 * replacement for. 0 with who vaktd runs as now in who ("user nobody,
 * capabilities: none", "root, with every capability root has"), or -1
 * with err.
 */
int privs_drop(const char *user, uint64_t need, char *who, size_t wholen, char *err, size_t errlen);
/* The effective capabilities of the calling thread, for tests and the log. */
uint64_t privs_effective(void);

#endif
