/* VAKT-MIB's value encodings (see snmpvalue.h). */
#include "config.h"

#include <math.h>

#include "snmpvalue.h"

size_t snmpvalue_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	/* Back off the continuation bytes of the character the cut falls in. */
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

uint32_t snmpvalue_u32(double v)
{
	if (!(v > 0))
		return 0;
	if (v >= (double)SNMPVALUE_NEVER)
		return SNMPVALUE_NEVER;
	return (uint32_t)v;
}

int snmpvalue_counter64(double v, uint64_t *out)
{
	if (!(v >= 0) || v >= 18446744073709551616.0)
		return -1;
	*out = (uint64_t)floor(v);
	return 0;
}

int snmpvalue_milli(double v, int32_t *out)
{
	double x = round(v * 1000);

	if (isnan(x))
		return -1;
	if (x <= -2147483648.0)
		*out = INT32_MIN;
	else if (x >= 2147483647.0)
		*out = INT32_MAX;
	else
		*out = (int32_t)x;
	return 0;
}
