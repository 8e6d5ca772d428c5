/* Stable hashes of text (see hash.h). */
#include "config.h"

#include "hash.h"

uint64_t hash_fnv1a64(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}
