/*
 * /proc/net/netstat probe (see netstat.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fileio.h"
#include "num.h"
#include "probe/netstat.h"

/* Position of word name in the header line (after "Group:"), or -1. */
static int column_of(const char *line, size_t linelen, const char *name)
{
	size_t n = strlen(name);
	int col = 0;
	const char *p = memchr(line, ':', linelen), *end = line + linelen;

	if (p == NULL)
		return -1;
	for (p++; p < end; col++) {
		while (p < end && *p == ' ')
			p++;
		if ((size_t)(end - p) >= n && strncmp(p, name, n) == 0 &&
		    (p + n == end || p[n] == ' '))
			return col;
		while (p < end && *p != ' ')
			p++;
	}
	return -1;
}

int netstat_parse(const char *text, const char *group, const char *name, double *value)
{
	size_t glen = strlen(group);
	const char *line = text;

	while (*line != '\0') {
		const char *nl = strchr(line, '\n'), *values, *p;
		size_t len = nl == NULL ? strlen(line) : (size_t)(nl - line);
		int col;

		if (nl == NULL || strncmp(line, group, glen) != 0 || line[glen] != ':') {
			line = nl == NULL ? line + len : nl + 1;
			continue;
		}
		/* A header line; the next line has the values in the same order. */
		values = nl + 1;
		col = column_of(line, len, name);
		if (col < 0 || strncmp(values, group, glen) != 0 || values[glen] != ':')
			return -1;
		p = values + glen + 1;
		for (int i = 0; i <= col; i++) {
			while (*p == ' ')
				p++;
			if (num_parse_prefix(p, value, &p) != 0)
				return -1;
		}
		return (*p == ' ' || *p == '\n' || *p == '\0') ? 0 : -1;
	}
	return -1;
}

int probe_netstat_collect(struct metric_set *set, char *err, size_t errlen)
{
	static const char path[] = "/proc/net/netstat";
	char text[16384];
	double overflows, drops;

	if (file_read_text(path, text, sizeof(text), err, errlen) == -1)
		return -1;
	if (netstat_parse(text, "TcpExt", "ListenOverflows", &overflows) != 0 ||
	    netstat_parse(text, "TcpExt", "ListenDrops", &drops) != 0) {
		snprintf(err, errlen, "%s has no TcpExt ListenOverflows/ListenDrops counters",
			 path);
		return -1;
	}
	metric_set_add(set, "listen_overflows", METRIC_COUNTER, "c", overflows);
	metric_set_add(set, "listen_drops", METRIC_COUNTER, "c", drops);
	return 0;
}
