/*
 * The registry of collector kinds (see collector.h).
 */
#include "config.h"

#include <string.h>

#include "collector.h"

static const struct collector_kind *const kinds[] = {
	&collect_load,
	&collect_fds,
	&collect_process,
	&collect_listen,
	&collect_self,
};

const struct collector_kind *collector_find(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i]->kind, name) == 0)
			return kinds[i];
	return NULL;
}
