/*
 * Own memory probe (see memory.h).
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "fileio.h"
#include "num.h"
#include "probe/memory.h"

int memory_parse_statm(const char *text, double *resident_pages)
{
	const char *p = text;
	double size;

	if (num_parse_prefix(p, &size, &p) != 0 || *p != ' ')
		return -1;
	p++;
	if (num_parse_prefix(p, resident_pages, &p) != 0 || (*p != ' ' && *p != '\n'))
		return -1;
	return *resident_pages >= 0 && *resident_pages <= size ? 0 : -1;
}

int probe_self_memory(struct metric_set *set, char *err, size_t errlen)
{
	char text[256];
	double pages;

	if (file_read_text("/proc/self/statm", text, sizeof(text), err, errlen) == -1)
		return -1;
	if (memory_parse_statm(text, &pages) != 0) {
		snprintf(err, errlen, "cannot parse /proc/self/statm: '%.60s'", text);
		return -1;
	}
	metric_set_add(set, "resident_memory", METRIC_GAUGE, "B",
		       pages * (double)sysconf(_SC_PAGESIZE));
	return 0;
}
