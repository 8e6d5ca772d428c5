/*
 * [process NAME]: the open descriptors of every process called NAME (or the
 * one in a pidfile) against its own limit, through check_fds's probe.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <linux/capability.h>

#include "collector.h"
#include "privs.h"
#include "probe/fds.h"
#include "xalloc.h"

/* Its settings, and its state: the same two things. */
struct process {
	char *name;    /* command name to look for, or NULL */
	char *pidfile; /* or the pidfile to read */
};

/* name and pidfile name the process two ways: the second one given is refused. */
static int other_given(struct conf_ctx *ctx, const char *other)
{
	unsigned line = conf_key_line(ctx, other);

	if (line == 0)
		return 0;
	conf_error(ctx, "name and pidfile exclude each other (%s at line %u)", other, line);
	return -1;
}

static int name_check(struct conf_ctx *ctx, const char *key, const char *value)
{
	(void)key;
	(void)value;
	return other_given(ctx, "pidfile");
}

static int pidfile_check(struct conf_ctx *ctx, const char *key, const char *value)
{
	if (other_given(ctx, "name") != 0)
		return -1;
	return conf_check_absolute(ctx, key, value);
}

static const struct conf_key process_keys[] = {
    CONF_KEY_CHECKED("name", conf_string, struct process, name, name_check,
		     "the command name to look for (default: the section's NAME)"),
    CONF_KEY_CHECKED("pidfile", conf_string, struct process, pidfile, pidfile_check,
		     "the file holding the process ID, instead of a name"),
    {0},
};

/* Without name or pidfile, the section's NAME is the command's. */
static void process_finish(struct conf_ctx *ctx, void *settings, const char *name)
{
	struct process *p = settings;

	(void)ctx;
	if (p->name == NULL && p->pidfile == NULL)
		p->name = xstrdup(name);
}

static void *process_create(const struct config_collector *cc, char *err, size_t errlen)
{
	const struct process *s = cc->settings;
	struct process *p = xcalloc(1, sizeof(*p));

	(void)err;
	(void)errlen;
	if (s->pidfile != NULL)
		p->pidfile = xstrdup(s->pidfile);
	else
		p->name = xstrdup(s->name);
	return p;
}

static int process_collect(void *state, struct metric_set *set, char *err, size_t errlen)
{
	const struct process *p = state;
	long pid, *pids = &pid, n = 1;
	int r = 0;

	if (p->pidfile != NULL) {
		if (probe_fds_pidfile(p->pidfile, &pid, err, errlen) != 0)
			return -1;
	} else {
		n = probe_fds_find(p->name, &pids, err, errlen);
		if (n < 0)
			return -1;
		if (n == 0) {
			snprintf(err, errlen, "no process named %s", p->name);
			free(pids);
			return -1;
		}
	}
	/* A process that exits between listing and reading is not an error. */
	for (long i = 0; i < n && r == 0; i++)
		if (probe_fds_process(set, pids[i], err, errlen) != 0 && errno != ESRCH)
			r = -1;
	if (pids != &pid)
		free(pids);
	return r;
}

static void process_destroy(void *state)
{
	struct process *p = state;

	if (p == NULL)
		return;
	free(p->name);
	free(p->pidfile);
	free(p);
}

/* The metric names it gives, for the check endpoint. */
static const char *const process_families[] = {"process_", NULL};

/*
 * Listing another user's /proc/PID/fd (mode 500, owned by that user) takes
 * CAP_DAC_READ_SEARCH; CAP_SYS_PTRACE does not help with the directory.
 */
const struct collector_kind collect_process = {.kind = "process",
					       .section = COLLECTOR_NAMED,
					       .keys = process_keys,
					       .settings_size = sizeof(struct process),
					       .finish = process_finish,
					       .create = process_create,
					       .collect = process_collect,
					       .destroy = process_destroy,
					       .families = process_families,
					       .name_label = "process",
					       .caps = PRIV_CAP(CAP_DAC_READ_SEARCH)};
