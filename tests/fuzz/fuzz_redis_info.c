/*
 * Fuzz target for the Redis INFO parser: any bytes, not NUL-terminated (the
 * parser takes a length, so ASan catches a read past it). A successful
 * parse must give a non-empty version, terminated strings, and metrics
 * that are finite or NaN, never infinite.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "probe/redis_info.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size == 0 ? 1 : size);
	struct metric_set *set;
	struct redis_info in;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	if (redis_info_parse(text, size, &in) != 0) {
		free(text);
		return 0;
	}
	FUZZ_CHECK(in.version[0] != '\0');
	FUZZ_CHECK(memchr(in.version, '\0', sizeof(in.version)) != NULL);
	FUZZ_CHECK(memchr(in.master, '\0', sizeof(in.master)) != NULL);
	FUZZ_CHECK(in.replica || in.master[0] == '\0');
	set = metric_set_new();
	redis_info_metrics(&in, set);
	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);

		FUZZ_CHECK(!isinf(m->value));
	}
	metric_set_free(set);
	free(text);
	return 0;
}
