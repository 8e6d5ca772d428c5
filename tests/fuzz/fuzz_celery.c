/*
 * Fuzz target for the Celery message parser: any bytes, not NUL-terminated
 * (the parser takes a length). What parses gives a task name, and both
 * words terminated within their room and free of '|' and line breaks;
 * nothing may leak.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "probe/celery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size == 0 ? 1 : size), task[CELERY_TASK_MAX], id[CELERY_TASK_MAX];

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	if (celery_task_parse(text, size, task, sizeof(task), id, sizeof(id)) == 0) {
		FUZZ_CHECK(task[0] != '\0');
		FUZZ_CHECK(memchr(task, '\0', sizeof(task)) != NULL);
		FUZZ_CHECK(memchr(id, '\0', sizeof(id)) != NULL);
		FUZZ_CHECK(strpbrk(task, "|\n\r") == NULL && strpbrk(id, "|\n\r") == NULL);
	} else {
		FUZZ_CHECK(task[0] == '\0' && id[0] == '\0');
	}
	free(text);
	return 0;
}
