/*
 * Numbers in and out, independent of the process locale: perfdata and ranges
 * always use '.', whatever LC_NUMERIC says, and never an exponent.
 */
#ifndef VAKT_NUM_H
#define VAKT_NUM_H

#include <stddef.h>

/* Room for any finite double num_format writes (DBL_MAX has 309 digits). */
#define NUM_BUFSZ 330

/* Parse a whole string as a finite decimal number; 0 or -1. */
int num_parse(const char *s, double *out);
/* Parse a prefix as a finite decimal number; *end is set past it; 0 or -1. */
int num_parse_prefix(const char *s, double *out, const char **end);
/* Parse a whole string as a base-10 integer in [min, max]; 0 or -1. */
int num_parse_long(const char *s, long min, long max, long *out);
/*
 * Write v with '.' as separator, no exponent, at most 6 decimals and no
 * trailing zeros. Returns -1 (and writes "U") when v is not finite.
 */
int num_format(double v, char *out, size_t outlen);
/* Write a byte count for people: "512 B", "1.5 KiB", ... "2.0 TiB". */
void num_bytes(double v, char *out, size_t outlen);
/* Write seconds for people: "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
void num_duration(double s, char *out, size_t outlen);
/*
 * Write a measured time as the checks word it: "0.4 s" below ten seconds,
 * whole seconds ("74 s") below an hour, then as num_duration ("1 h 5 min").
 */
void num_seconds(double s, char *out, size_t outlen);

#endif
