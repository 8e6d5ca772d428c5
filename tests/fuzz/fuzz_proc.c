/*
 * Fuzz target for the /proc parsers in lib/probe/: every input goes through
 * all of them (loadavg, pressure, file-nr, limits, pidfile, netstat), so one
 * corpus of real /proc files serves them all. Besides memory safety, a
 * successful parse must give finite numbers in the ranges the headers
 * promise.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "fuzz.h"
#include "probe/fds.h"
#include "probe/load.h"
#include "probe/netstat.h"

static void check_loadavg(const char *s)
{
	struct loadavg la;

	if (load_parse_loadavg(s, &la) != 0)
		return;
	for (int i = 0; i < 3; i++)
		FUZZ_CHECK(isfinite(la.load[i]) && la.load[i] >= 0);
	FUZZ_CHECK(isfinite(la.running) && isfinite(la.total));
}

static void check_pressure_line(const struct pressure_line *l)
{
	if (!l->present)
		return;
	for (int i = 0; i < 3; i++)
		FUZZ_CHECK(isfinite(l->avg[i]) && l->avg[i] >= 0);
	FUZZ_CHECK(isfinite(l->total) && l->total >= 0);
}

static void check_pressure(const char *s)
{
	struct pressure p;

	if (load_parse_pressure(s, &p) != 0)
		return;
	FUZZ_CHECK(p.some.present);
	check_pressure_line(&p.some);
	check_pressure_line(&p.full);
}

static void check_fds(const char *s)
{
	double allocated, max, soft;
	long pid;

	if (fds_parse_file_nr(s, &allocated, &max) == 0)
		FUZZ_CHECK(isfinite(allocated) && allocated >= 0 && isfinite(max) && max > 0);
	if (fds_parse_limits(s, &soft) == 0)
		FUZZ_CHECK(isnan(soft) || (isfinite(soft) && soft >= 0));
	if (fds_parse_pidfile(s, &pid) == 0)
		FUZZ_CHECK(pid >= 1 && pid <= INT_MAX);
}

/*
 * netstat_parse with the real counters, and with the group and the last
 * column name of the input's own first line, so that arbitrary names are
 * looked up too.
 */
static void check_netstat(const char *s)
{
	static const char *const lookups[][2] = {
	    {"TcpExt", "ListenOverflows"}, {"TcpExt", "ListenDrops"},
	    {"IpExt", "InOctets"},	   {"TcpExt", ""},
	    {"", "ListenDrops"},
	};
	size_t linelen = strcspn(s, "\n"), glen = strcspn(s, ":\n");
	char *group, *name;
	const char *last;
	double v;

	for (size_t i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++)
		if (netstat_parse(s, lookups[i][0], lookups[i][1], &v) == 0)
			FUZZ_CHECK(isfinite(v));
	if (glen >= linelen)
		return;
	last = s + linelen;
	while (last > s + glen && last[-1] != ' ')
		last--;
	group = strndup(s, glen);
	name = strndup(last, (size_t)(s + linelen - last));
	if (netstat_parse(s, group, name, &v) == 0)
		FUZZ_CHECK(isfinite(v));
	free(group);
	free(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size);

	check_loadavg(s);
	check_pressure(s);
	check_fds(s);
	check_netstat(s);
	free(s);
	return 0;
}
