/*
 * Fuzz target for nginx's stub_status parser: any bytes, not NUL-terminated
 * (ASan catches a read past len). A successful parse must set every field
 * to a non-negative integer with handled <= accepts, and give finite,
 * non-negative metrics; a failed one must say why.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "probe/stub_status.h"

/* A counter as stub_status_parse() promises it. */
static void check_count(double v)
{
	FUZZ_CHECK(isfinite(v) && v >= 0 && floor(v) == v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size == 0 ? 1 : size);
	struct stub_status st;
	struct metric_set *set;
	char err[256] = "";

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	if (stub_status_parse(text, size, &st, err, sizeof(err)) != 0) {
		FUZZ_CHECK(err[0] != '\0');
		free(text);
		return 0;
	}
	check_count(st.active);
	check_count(st.reading);
	check_count(st.writing);
	check_count(st.waiting);
	check_count(st.accepts);
	check_count(st.handled);
	check_count(st.requests);
	FUZZ_CHECK(st.handled <= st.accepts);
	set = metric_set_new();
	stub_status_metrics(&st, set);
	FUZZ_CHECK(metric_set_count(set) == 8);
	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);

		FUZZ_CHECK(isfinite(m->value) && m->value >= 0);
	}
	metric_set_free(set);
	free(text);
	return 0;
}
