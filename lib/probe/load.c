/*
 * Load and PSI probe (see load.h). The parsers are pure; the collectors read
 * /proc and fill a metric set.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "num.h"
#include "probe/load.h"

/* Skip blanks, then parse a number; advance *p past it. */
static int next_number(const char **p, double *out)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
	return num_parse_prefix(*p, out, p);
}

int load_parse_loadavg(const char *text, struct loadavg *out)
{
	const char *p = text;

	for (int i = 0; i < 3; i++)
		if (next_number(&p, &out->load[i]) != 0 || out->load[i] < 0)
			return -1;
	if (next_number(&p, &out->running) != 0 || *p != '/')
		return -1;
	p++;
	if (num_parse_prefix(p, &out->total, &p) != 0 || (*p != ' ' && *p != '\n'))
		return -1;
	return out->running >= 0 && out->running <= out->total ? 0 : -1;
}

/* Parse "avg10=0.00 avg60=0.31 avg300=0.22 total=3359878" after the kind word. */
static int parse_pressure_fields(const char *p, struct pressure_line *l)
{
	static const char *const keys[] = {"avg10=", "avg60=", "avg300=", "total="};

	for (int i = 0; i < 4; i++) {
		double v;

		while (*p == ' ')
			p++;
		if (strncmp(p, keys[i], strlen(keys[i])) != 0)
			return -1;
		p += strlen(keys[i]);
		if (num_parse_prefix(p, &v, &p) != 0 || v < 0)
			return -1;
		if (i < 3)
			l->avg[i] = v;
		else
			l->total = v;
	}
	if (*p != '\n' && *p != '\0')
		return -1;
	l->present = true;
	return 0;
}

int load_parse_pressure(const char *text, struct pressure *out)
{
	const char *line = text;

	memset(out, 0, sizeof(*out));
	while (*line != '\0') {
		const char *nl = strchr(line, '\n');

		if (strncmp(line, "some ", 5) == 0) {
			if (parse_pressure_fields(line + 5, &out->some) != 0)
				return -1;
		} else if (strncmp(line, "full ", 5) == 0) {
			if (parse_pressure_fields(line + 5, &out->full) != 0)
				return -1;
		} else {
			return -1;
		}
		if (nl == NULL)
			break;
		line = nl + 1;
	}
	return out->some.present ? 0 : -1;
}

int probe_load_collect(struct metric_set *set, char *err, size_t errlen)
{
	static const char *const names[] = {"load1", "load5", "load15"};
	char text[256];
	struct loadavg la;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (file_read_text("/proc/loadavg", text, sizeof(text), err, errlen) == -1)
		return -1;
	if (load_parse_loadavg(text, &la) != 0) {
		snprintf(err, errlen, "cannot parse /proc/loadavg: '%.60s'", text);
		return -1;
	}
	for (int i = 0; i < 3; i++)
		metric_set_add(set, names[i], METRIC_GAUGE, "", la.load[i]);
	metric_set_add(set, "procs_running", METRIC_GAUGE, "", la.running);
	metric_set_add(set, "procs", METRIC_GAUGE, "", la.total);
	metric_set_add(set, "cpus_online", METRIC_GAUGE, "", cpus > 0 ? (double)cpus : 1);
	return 0;
}

const char *const pressure_avg_names[2][3] = {
    {"pressure_some_avg10", "pressure_some_avg60", "pressure_some_avg300"},
    {"pressure_full_avg10", "pressure_full_avg60", "pressure_full_avg300"},
};

/* Add one line of a PSI file; kind is 0 for "some", 1 for "full". */
static void add_pressure_line(struct metric_set *set, const char *resource, int kind,
			      const struct pressure_line *l)
{
	static const char *const totals[] = {"pressure_some_total", "pressure_full_total"};
	struct metric *m;

	for (int i = 0; i < 3; i++) {
		m = metric_set_add(set, pressure_avg_names[kind][i], METRIC_GAUGE, "%", l->avg[i]);
		metric_label_add(m, "resource", resource);
	}
	m = metric_set_add(set, totals[kind], METRIC_COUNTER, "us", l->total);
	metric_label_add(m, "resource", resource);
}

int probe_pressure_collect(struct metric_set *set, const char *resource, char *err, size_t errlen)
{
	char path[64], text[512];
	struct pressure p;

	snprintf(path, sizeof(path), "/proc/pressure/%s", resource);
	if (file_read_text(path, text, sizeof(text), err, errlen) == -1) {
		if (errno == ENOENT || errno == EOPNOTSUPP)
			snprintf(err, errlen,
				 "this kernel has no pressure stall information (%s: %s): PSI "
				 "needs Linux 4.20 or later built with CONFIG_PSI and not booted "
				 "with psi=0",
				 path, strerror(errno));
		return -1;
	}
	if (load_parse_pressure(text, &p) != 0) {
		snprintf(err, errlen, "cannot parse %s: '%.60s'", path, text);
		return -1;
	}
	add_pressure_line(set, resource, 0, &p.some);
	/* The "full" line exists for cpu only since Linux 5.13. */
	if (p.full.present)
		add_pressure_line(set, resource, 1, &p.full);
	return 0;
}
