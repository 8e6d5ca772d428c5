/* check_fds's verdict (verdict_fds in verdict.h) and its options. */
#ifndef VAKT_PROBE_FDS_VERDICT_H
#define VAKT_PROBE_FDS_VERDICT_H

#include <stdbool.h>

struct fds_opts {
	long pid;
	const char *pidfile;
	const char *process;
	int selectors; /* how many of --pid, --pidfile and --process were given */
	bool percent;
};

#endif
