/*
 * Short, stable hashes of text: the same bytes give the same number on every
 * host and in every release, so a hash can name a thing on disk or on the
 * wire (a state file's series, an SNMP row's index).
 */
#ifndef VAKT_HASH_H
#define VAKT_HASH_H

#include <stdint.h>

/* FNV-1a, 64 bits, of the bytes of s up to its NUL. */
uint64_t hash_fnv1a64(const char *s);

#endif
