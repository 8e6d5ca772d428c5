/*
 * [listen]: every TCP listener's accept queue and backlog (sock_diag), and
 * the kernel's ListenOverflows/ListenDrops counters, raw.
 */
#include "config.h"

#include "collector.h"
#include "probe/listen.h"
#include "probe/netstat.h"

static int listen_collect(void *state, struct metric_set *set, char *err, size_t errlen)
{
	(void)state;
	if (probe_listen_collect(set, err, errlen) != 0)
		return -1;
	return probe_netstat_collect(set, err, errlen);
}

/* The metric names it gives, for the check endpoint. */
static const char *const listen_families[] = {"listen_", NULL};

const struct collector_kind collect_listen = {.kind = "listen",
					      .section = COLLECTOR_DEFAULT,
					      .collect = listen_collect,
					      .families = listen_families};
