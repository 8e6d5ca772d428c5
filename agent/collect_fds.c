/*
 * [fds]: file handles allocated system-wide against fs.file-max.
 */
#include "config.h"

#include "collector.h"
#include "probe/fds.h"

static int fds_collect(void *state, struct metric_set *set, char *err, size_t errlen)
{
	(void)state;
	return probe_fds_system(set, err, errlen);
}

/* The metric names it gives, for the check endpoint. */
static const char *const fds_families[] = {"fds_", NULL};

const struct collector_kind collect_fds = {
    .kind = "fds", .section = COLLECTOR_DEFAULT, .collect = fds_collect, .families = fds_families};
