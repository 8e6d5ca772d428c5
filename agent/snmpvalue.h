/*
 * How VAKT-MIB's columns encode a value (snmp.c): pure functions of a
 * double or of text, apart from net-snmp, so that they are tested alone.
 */
#ifndef VAKT_SNMPVALUE_H
#define VAKT_SNMPVALUE_H

#include <stddef.h>
#include <stdint.h>

/* Unsigned32 for "never" (vaktCollectorAge before the first success). */
#define SNMPVALUE_NEVER 4294967295U

/*
 * The length of the first len bytes of s cut to at most max, at a UTF-8
 * character boundary: a cut never splits a character.
 */
size_t snmpvalue_cut(const char *s, size_t len, size_t max);
/* v as an Unsigned32, rounded down: 0 below 0 and for NaN, SNMPVALUE_NEVER above. */
uint32_t snmpvalue_u32(double v);
/*
 * A counter's v as a Counter64, rounded down, in *out; 0, or -1 for a value
 * that is not in 0..2^64-1 (negative, NaN, infinite): no such instance.
 */
int snmpvalue_counter64(double v, uint64_t *out);
/*
 * v times 1000, rounded to the nearest, saturated to -2147483648..2147483647
 * (VaktMilli, DISPLAY-HINT "d-3"), in *out; 0, or -1 for NaN.
 */
int snmpvalue_milli(double v, int32_t *out);

#endif
