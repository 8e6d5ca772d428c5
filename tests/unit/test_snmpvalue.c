/*
 * VAKT-MIB's value encodings: the cut of text at a character, the clamped
 * Unsigned32, the Counter64 of a counter and the saturated thousandths.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "snmpvalue.h"

Test(snmpvalue, text_is_cut_at_a_character)
{
	/* "aé" is 61 c3 a9: a cut after 2 bytes would split the é. */
	cr_expect_eq(snmpvalue_cut("a\xc3\xa9", 3, 2), 1);
	cr_expect_eq(snmpvalue_cut("a\xc3\xa9", 3, 3), 3);
	cr_expect_eq(snmpvalue_cut("abc", 3, 255), 3);
	cr_expect_eq(snmpvalue_cut("abcdef", 6, 4), 4);
	/* A 4-byte character cut anywhere inside goes whole. */
	cr_expect_eq(snmpvalue_cut("\xf0\x9f\x98\x80z", 5, 3), 0);
}

Test(snmpvalue, unsigned32_is_clamped)
{
	cr_expect_eq(snmpvalue_u32(-1), 0);
	cr_expect_eq(snmpvalue_u32(NAN), 0);
	cr_expect_eq(snmpvalue_u32(12.9), 12);
	cr_expect_eq(snmpvalue_u32(1e12), SNMPVALUE_NEVER);
	cr_expect_eq(snmpvalue_u32(INFINITY), SNMPVALUE_NEVER);
}

Test(snmpvalue, counter64_of_whole_numbers_only)
{
	uint64_t u = 7;

	cr_expect_eq(snmpvalue_counter64(0, &u), 0);
	cr_expect_eq(u, 0);
	cr_expect_eq(snmpvalue_counter64(41.9, &u), 0);
	cr_expect_eq(u, 41);
	/* Past 2^32: a Counter64, not a Counter32. */
	cr_expect_eq(snmpvalue_counter64(6e9, &u), 0);
	cr_expect_eq(u, 6000000000ULL);
	cr_expect_eq(snmpvalue_counter64(18446744073709549568.0, &u), 0);
	cr_expect_eq(u, 18446744073709549568ULL);
	cr_expect_eq(snmpvalue_counter64(18446744073709551616.0, &u), -1);
	cr_expect_eq(snmpvalue_counter64(-1, &u), -1);
	cr_expect_eq(snmpvalue_counter64(NAN, &u), -1);
	cr_expect_eq(snmpvalue_counter64(INFINITY, &u), -1);
}

Test(snmpvalue, thousandths_round_and_saturate)
{
	int32_t m = 7;

	cr_expect_eq(snmpvalue_milli(1.14, &m), 0);
	cr_expect_eq(m, 1140);
	cr_expect_eq(snmpvalue_milli(0.0005, &m), 0);
	cr_expect_eq(m, 1);
	cr_expect_eq(snmpvalue_milli(-0.0015, &m), 0);
	cr_expect_eq(m, -2);
	cr_expect_eq(snmpvalue_milli(2147483.647, &m), 0);
	cr_expect_eq(m, 2147483647);
	cr_expect_eq(snmpvalue_milli(1e12, &m), 0);
	cr_expect_eq(m, INT32_MAX);
	cr_expect_eq(snmpvalue_milli(-INFINITY, &m), 0);
	cr_expect_eq(m, INT32_MIN);
	cr_expect_eq(snmpvalue_milli(NAN, &m), -1);
}
