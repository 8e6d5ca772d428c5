/*
 * lib/checkwire.c's decoder on any bytes, as check_vakt meets an agent (or
 * whatever answers in its place). What it accepts must be what it promises
 * check_vakt, which prints it to Nagios as it is: a state of 0 to 3, an
 * output that starts with the status line, ends in a newline, fits
 * OUTPUT_MAX and holds no control character; and encoding it again must
 * decode to the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "checkwire.h"
#include "fuzz.h"
#include "output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct checkwire w, again;
	struct buf b;
	/* An exact copy, no NUL after it: a read past the end is ASan's to see. */
	char *copy = malloc(size > 0 ? size : 1);
	int r;

	memcpy(copy, data, size);
	r = checkwire_decode(copy, size, &w);
	free(copy);
	if (r != 0)
		return 0;
	FUZZ_CHECK(w.state >= STATE_OK && w.state <= STATE_UNKNOWN);
	FUZZ_CHECK(strncmp(w.output, w.status_line, strlen(w.status_line)) == 0);
	FUZZ_CHECK(strlen(w.output) <= OUTPUT_MAX && w.output[strlen(w.output) - 1] == '\n');
	for (const char *p = w.output; *p != '\0'; p++)
		FUZZ_CHECK((unsigned char)*p >= 0x20 || *p == '\n');
	buf_init(&b, 1 << 20);
	checkwire_encode(w.state, w.output, &b);
	FUZZ_CHECK(checkwire_decode(buf_str(&b), b.len, &again) == 0);
	FUZZ_CHECK(again.state == w.state && strcmp(again.output, w.output) == 0);
	checkwire_free(&again);
	buf_free(&b);
	checkwire_free(&w);
	return 0;
}
