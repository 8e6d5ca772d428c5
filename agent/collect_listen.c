/*
 * [listen]: every TCP listener's accept queue and backlog (sock_diag), and
 * the kernel's ListenOverflows/ListenDrops counters, raw.
 */
#include "config.h"

#include "collector.h"
#include "probe/listen.h"
#include "probe/netstat.h"

static void *listen_create(const struct config_collector *cc, char *err, size_t errlen)
{
	(void)cc;
	(void)err;
	(void)errlen;
	return (void *)&collect_listen; /* no state; any non-NULL pointer */
}

static int listen_collect(void *state, struct metric_set *set, char *err, size_t errlen)
{
	(void)state;
	if (probe_listen_collect(set, err, errlen) != 0)
		return -1;
	return probe_netstat_collect(set, err, errlen);
}

static void listen_destroy(void *state)
{
	(void)state;
}

const struct collector_kind collect_listen = {"listen", listen_create, listen_collect,
					      listen_destroy};
