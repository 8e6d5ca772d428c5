/*
 * Stable hashes: FNV-1a 64 must give the published test vectors, since an
 * SNMP row's OID and a state file's name are made of it.
 */
#include <criterion/criterion.h>

#include "hash.h"

Test(hash, fnv1a64_gives_the_reference_values)
{
	/* From the FNV reference code's test vectors (fnv_test_str). */
	cr_expect_eq(hash_fnv1a64(""), 0xcbf29ce484222325ULL);
	cr_expect_eq(hash_fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
	cr_expect_eq(hash_fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

Test(hash, fnv1a64_reads_bytes_as_unsigned)
{
	/* A byte over 0x7f must not be sign-extended into the hash. */
	cr_expect_neq(hash_fnv1a64("\xff"), hash_fnv1a64("\x7f"));
	cr_expect_eq(hash_fnv1a64("\xff"), (0xcbf29ce484222325ULL ^ 0xffULL) * 1099511628211ULL);
}
