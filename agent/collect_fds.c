/*
 * [fds]: file handles allocated system-wide against fs.file-max.
 */
#include "config.h"

#include "collector.h"
#include "probe/fds.h"

static void *fds_create(const struct config_collector *cc, char *err, size_t errlen)
{
	(void)cc;
	(void)err;
	(void)errlen;
	return (void *)&collect_fds; /* no state; any non-NULL pointer */
}

static int fds_collect(void *state, struct metric_set *set, char *err, size_t errlen)
{
	(void)state;
	return probe_fds_system(set, err, errlen);
}

static void fds_destroy(void *state)
{
	(void)state;
}

const struct collector_kind collect_fds = {"fds", fds_create, fds_collect, fds_destroy};
