/*
 * libpq's sslmode values (see sslmode.h).
 */
#include "config.h"

#include <string.h>

#include "sslmode.h"

/* Every value, those that may skip TLS first. */
static const char *const modes[] = {"disable", "allow",	    "prefer",
				    "require", "verify-ca", "verify-full"};
#define PLAIN_MODES 3

/* The index of mode in modes, or -1. */
static int find(const char *mode)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(mode, modes[i]) == 0)
			return (int)i;
	return -1;
}

bool sslmode_valid(const char *mode)
{
	return find(mode) >= 0;
}

bool sslmode_may_skip_tls(const char *mode)
{
	int i = find(mode);

	return i >= 0 && i < PLAIN_MODES;
}
