/*
 * State files for rates (see statefile.h). Format, one record per line:
 *
 *   vakt-state 2
 *   key <the key string>
 *   time <newest sample> [<an earlier one> [<the earliest>]]
 *   <counter> <value or "-"> ... (one field per time)
 *
 * Times are seconds since the epoch, newest first; "-" is a counter that
 * sample does not have. Version 1 is the same with one time. The key is
 * stored as well as hashed into the name, so a hash collision reads as "no
 * earlier sample", never as someone else's counters. The lock is a file of
 * its own beside it (NAME.lock), since the state file itself is replaced.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "fileio.h"
#include "hash.h"
#include "num.h"
#include "statefile.h"
#include "xalloc.h"

/* The largest state file written or read: some 13,000 HAProxy servers. */
#define STATE_FILE_MAX (1024 * 1024)
/* Earlier samples kept in a file (see statefile.h). */
#define GENS 3
/* 2^53: every whole number up to it is exact in a double. */
#define COUNTER_MAX 9007199254740992.0
/* Longest pause between two tries of a lock held by another run, in ns. */
#define LOCK_PAUSE_MAX 16000000L

struct sample {
	char *name;
	double old[GENS]; /* value in each earlier sample, NAN when it has none */
	double value;	  /* value recorded now, NAN when none */
};

struct statefile {
	char *path;
	char *key;
	int lock; /* the lock file, locked; -1 when the lock was not had */
	double now;
	double then[GENS]; /* time of each earlier sample, NAN when none */
	double ahead;	   /* how far ahead of now the nearest sample from the future was, or 0 */
	double max_age;
	struct sample *v;
	size_t n;
};

/* A private fallback directory: ours, not writable by anyone else. */
static int private_dir(char *out, size_t outlen, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	struct stat st;

	if (tmp == NULL || tmp[0] != '/')
		tmp = "/tmp";
	snprintf(out, outlen, "%s/vakt-%lu", tmp, (unsigned long)getuid());
	if (mkdir(out, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create state directory %s: %s", out, strerror(errno));
		return -1;
	}
	if (lstat(out, &st) == -1 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
	    (st.st_mode & 022) != 0) {
		snprintf(err, errlen, "state directory %s is not a private directory of this user",
			 out);
		return -1;
	}
	return 0;
}

static int choose_dir(const char *dir, char *out, size_t outlen, char *err, size_t errlen)
{
	if (dir != NULL) {
		if (access(dir, W_OK | X_OK) == -1) {
			snprintf(err, errlen, "cannot use state directory %s: %s", dir,
				 strerror(errno));
			return -1;
		}
		snprintf(out, outlen, "%s", dir);
		return 0;
	}
	if (access(VAKT_STATEDIR, W_OK | X_OK) == 0) {
		snprintf(out, outlen, "%s", VAKT_STATEDIR);
		return 0;
	}
	return private_dir(out, outlen, err, errlen);
}

static struct sample *find(struct statefile *sf, const char *name, bool create)
{
	for (size_t i = 0; i < sf->n; i++)
		if (strcmp(sf->v[i].name, name) == 0)
			return &sf->v[i];
	if (!create)
		return NULL;
	sf->v = xgrow(sf->v, sf->n, sizeof(*sf->v));
	sf->v[sf->n].name = xstrdup(name);
	for (int g = 0; g < GENS; g++)
		sf->v[sf->n].old[g] = NAN;
	sf->v[sf->n].value = NAN;
	return &sf->v[sf->n++];
}

bool statefile_counter_ok(double v)
{
	return v >= 0 && v <= COUNTER_MAX && floor(v) == v;
}

/* The next field of the space-separated *s, or NULL past its end. */
static char *next_field(char **s)
{
	char *f = *s, *sp;

	if (f == NULL || *f == '\0')
		return NULL;
	sp = strchr(f, ' ');
	if (sp == NULL) {
		*s = NULL;
	} else {
		*sp = '\0';
		*s = sp + 1;
	}
	return f;
}

/* Read "time T [T [T]]": every time a positive number; 0 or -1. */
static int parse_times(struct statefile *sf, char *rest)
{
	int g = 0;

	for (char *f = next_field(&rest); f != NULL; f = next_field(&rest)) {
		if (g == GENS || num_parse(f, &sf->then[g]) != 0 || sf->then[g] <= 0)
			return -1;
		g++;
	}
	return g > 0 ? 0 : -1;
}

/*
 * Read "NAME V [V [V]]", one value per time; a value that is "-", or not a
 * counter, is no sample. A line with another number of values is skipped.
 */
static void parse_counter(struct statefile *sf, const char *name, char *rest)
{
	double v[GENS];
	int g = 0;

	for (char *f = next_field(&rest); f != NULL; f = next_field(&rest)) {
		if (g == GENS || isnan(sf->then[g]))
			return;
		if (strcmp(f, "-") == 0 || num_parse(f, &v[g]) != 0 || !statefile_counter_ok(v[g]))
			v[g] = NAN;
		g++;
	}
	if (g == 0 || (g < GENS && !isnan(sf->then[g])))
		return;
	memcpy(find(sf, name, true)->old, v, sizeof(double) * (size_t)g);
}

/* Read one line "NAME REST" into the samples; malformed lines are skipped. */
static void parse_line(struct statefile *sf, char *line, int lineno, bool *valid)
{
	char *sp = strchr(line, ' ');

	if (sp == NULL) {
		*valid = lineno > 2;
		return;
	}
	*sp = '\0';
	if (lineno == 0)
		*valid = strcmp(line, "vakt-state") == 0 &&
			 (strcmp(sp + 1, "1") == 0 || strcmp(sp + 1, "2") == 0);
	else if (lineno == 1)
		*valid = strcmp(line, "key") == 0 && strcmp(sp + 1, sf->key) == 0;
	else if (lineno == 2)
		*valid = strcmp(line, "time") == 0 && parse_times(sf, sp + 1) == 0;
	else
		parse_counter(sf, line, sp + 1);
}

/*
 * Forget the samples of sf taken after now: the clock went back, or, when
 * only a little, another run read its counters after this one but saved
 * first. Either way they cannot be the base of a rate, and the new sample
 * takes their place.
 */
static void drop_future(struct statefile *sf)
{
	for (int g = 0; g < GENS; g++) {
		if (isnan(sf->then[g]) || sf->then[g] <= sf->now)
			continue;
		if (sf->ahead == 0 || sf->then[g] - sf->now < sf->ahead)
			sf->ahead = sf->then[g] - sf->now;
		sf->then[g] = NAN;
		for (size_t i = 0; i < sf->n; i++)
			sf->v[i].old[g] = NAN;
	}
}

static void load(struct statefile *sf)
{
	char *data = xmalloc(STATE_FILE_MAX + 2), *line, *nl;
	ssize_t len = file_read_small(sf->path, data, STATE_FILE_MAX + 2);
	bool valid = true;

	/* A missing or unreadable file is the same as no earlier sample. */
	line = data;
	for (int lineno = 0; len >= 0 && valid && (nl = strchr(line, '\n')) != NULL; lineno++) {
		*nl = '\0';
		parse_line(sf, line, lineno, &valid);
		line = nl + 1;
	}
	if (len > STATE_FILE_MAX || !valid || isnan(sf->then[0])) {
		/* Not ours, not whole or larger than we write: start afresh. */
		for (size_t i = 0; i < sf->n; i++)
			for (int g = 0; g < GENS; g++)
				sf->v[i].old[g] = NAN;
		for (int g = 0; g < GENS; g++)
			sf->then[g] = NAN;
	}
	drop_future(sf);
	free(data);
}

/*
 * Take the lock of sf's file, trying for wait seconds: 0; 1 when other runs
 * held it all that time; -1 with the reason in err.
 */
static int lock(struct statefile *sf, double wait, char *err, size_t errlen)
{
	char *path = xasprintf("%s.lock", sf->path);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	double deadline = time_monotonic() + wait;
	long pause = 1000000;

	if (fd == -1) {
		snprintf(err, errlen, "cannot open lock file %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	free(path);
	/* Others hold it for a read and a write: poll, there is no flock with a time-out. */
	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		double left = deadline - time_monotonic();
		struct timespec ts = {0, pause};

		if (errno != EWOULDBLOCK && errno != EINTR) {
			snprintf(err, errlen, "cannot lock %s: %s", sf->path, strerror(errno));
			close(fd);
			return -1;
		}
		if (left <= 0) {
			close(fd);
			return 1;
		}
		if (left < (double)pause / 1e9)
			ts.tv_nsec = (long)(left * 1e9);
		nanosleep(&ts, NULL);
		pause = pause * 2 > LOCK_PAUSE_MAX ? LOCK_PAUSE_MAX : pause * 2;
	}
	sf->lock = fd;
	return 0;
}

struct statefile *statefile_open(const char *dir, const char *plugin, const char *key, double now,
				 double max_age, double lock_wait, char *err, size_t errlen)
{
	char d[4096];
	struct statefile *sf;

	if (choose_dir(dir, d, sizeof(d), err, errlen) != 0)
		return NULL;
	sf = xcalloc(1, sizeof(*sf));
	/*
	 * One file per user too: in a directory shared by the nagios group, a
	 * check run by hand as root must not leave a file the nagios user's
	 * runs cannot open (0600, root's).
	 */
	sf->path = xasprintf("%s/%s-%lu-%016llx.state", d, plugin, (unsigned long)geteuid(),
			     (unsigned long long)hash_fnv1a64(key));
	sf->key = xstrdup(key);
	/* Keys are one line in the file. */
	for (char *p = sf->key; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	sf->lock = -1;
	sf->now = now;
	for (int g = 0; g < GENS; g++)
		sf->then[g] = NAN;
	sf->max_age = max_age;
	switch (lock(sf, lock_wait, err, errlen)) {
	case -1:
		statefile_free(sf);
		return NULL;
	case 0:
		load(sf);
		break;
	}
	return sf;
}

/* Why counter s has no earlier sample to make a rate from. */
static enum rate_status no_base(const struct statefile *sf, bool soon)
{
	if (soon)
		return RATE_SOON;
	/* An overlapping run saved its sample read a moment after ours. */
	if (sf->ahead > 0 && sf->ahead <= STATEFILE_LOCK_WAIT + STATEFILE_MIN_INTERVAL)
		return RATE_SOON;
	return sf->ahead > 0 ? RATE_CLOCK : RATE_FIRST;
}

enum rate_status statefile_rate(struct statefile *sf, const char *counter, double value,
				double *rate)
{
	struct sample *s;
	bool soon = false;
	int base = -1;

	*rate = NAN;
	if (sf->lock == -1)
		return RATE_BUSY;
	if (!statefile_counter_ok(value))
		return RATE_BAD;
	s = find(sf, counter, true);
	s->value = value;
	for (int g = 0; g < GENS; g++) {
		if (isnan(s->old[g]))
			continue;
		if (sf->now - sf->then[g] < STATEFILE_MIN_INTERVAL) {
			soon = true;
			continue;
		}
		if (value < s->old[g]) {
			/* A restart: what came before it is no base for any later run. */
			for (int h = 0; h < GENS; h++)
				s->old[h] = NAN;
			return RATE_RESET;
		}
		if (base == -1 || sf->then[g] > sf->then[base])
			base = g;
	}
	if (base == -1)
		return no_base(sf, soon);
	if (sf->now - sf->then[base] > sf->max_age)
		return RATE_STALE;
	*rate = (value - s->old[base]) / (sf->now - sf->then[base]);
	return RATE_OK;
}

void statefile_keep(struct statefile *sf, const char *name, double value)
{
	if (sf->lock != -1 && statefile_counter_ok(value))
		find(sf, name, true)->value = value;
}

double statefile_last(const struct statefile *sf, const char *name, double *age)
{
	int newest = -1;

	if (sf->lock == -1)
		return NAN;
	/* The newest earlier run only: what it did not keep again is gone. */
	for (int g = 0; g < GENS; g++)
		if (!isnan(sf->then[g]) && (newest == -1 || sf->then[g] > sf->then[newest]))
			newest = g;
	for (size_t i = 0; newest != -1 && i < sf->n; i++) {
		if (strcmp(sf->v[i].name, name) != 0 || isnan(sf->v[i].old[newest]))
			continue;
		if (age != NULL)
			*age = sf->now - sf->then[newest];
		return sf->v[i].old[newest];
	}
	return NAN;
}

enum rate_status statefile_rate_between(double prev, double value, double elapsed, double *rate)
{
	*rate = NAN;
	if (!statefile_counter_ok(value))
		return RATE_BAD;
	if (!statefile_counter_ok(prev))
		return RATE_FIRST;
	if (elapsed < 0)
		return RATE_CLOCK;
	if (elapsed < STATEFILE_MIN_INTERVAL)
		return RATE_SOON;
	if (value < prev)
		return RATE_RESET;
	if (elapsed > STATEFILE_MAX_AGE)
		return RATE_STALE;
	*rate = (value - prev) / elapsed;
	return RATE_OK;
}

const char *statefile_rate_reason(enum rate_status st)
{
	switch (st) {
	case RATE_OK:
		return "";
	case RATE_FIRST:
		return "no value yet, first sample, the next run will have one";
	case RATE_RESET:
		return "no value, the counter went backwards (a restart?), "
		       "the next run will have one";
	case RATE_STALE:
		return "no value, the previous sample is too old, the next run will have one";
	case RATE_SOON:
		return "no value yet, the previous run was less than 1 s ago "
		       "(a rate needs samples at least 1 s apart)";
	case RATE_CLOCK:
		return "no value, the clock went back since the previous sample, "
		       "the next run will have one";
	case RATE_BAD:
		return "no value, the service gave a counter that is not a whole number "
		       "from 0 to 2^53";
	case RATE_BUSY:
		return "no value, other runs of this check held its state file too long";
	}
	return "";
}

/*
 * The earlier samples to keep beside the new one, newest first, into keep;
 * how many. See statefile.h: the newest at least STATEFILE_MIN_INTERVAL
 * older than now, and the oldest younger than that.
 */
static int kept(const struct statefile *sf, int keep[2])
{
	int base = -1, next = -1, n = 0;

	for (int g = 0; g < GENS; g++) {
		if (isnan(sf->then[g]))
			continue;
		if (sf->now - sf->then[g] >= STATEFILE_MIN_INTERVAL) {
			if (base == -1 || sf->then[g] > sf->then[base])
				base = g;
		} else if (next == -1 || sf->then[g] < sf->then[next]) {
			next = g;
		}
	}
	if (next != -1)
		keep[n++] = next;
	if (base != -1)
		keep[n++] = base;
	return n;
}

static void format_value(double v, struct buf *b)
{
	char num[NUM_BUFSZ];

	if (isnan(v)) {
		buf_printf(b, " -");
		return;
	}
	num_format(v, num, sizeof(num));
	buf_printf(b, " %s", num);
}

static void format_file(const struct statefile *sf, struct buf *b)
{
	int keep[2], n = kept(sf, keep);

	buf_printf(b, "vakt-state 2\nkey %s\ntime", sf->key);
	format_value(sf->now, b);
	for (int k = 0; k < n; k++)
		format_value(sf->then[keep[k]], b);
	buf_printf(b, "\n");
	for (size_t i = 0; i < sf->n; i++) {
		const struct sample *s = &sf->v[i];
		bool any = !isnan(s->value);

		for (int k = 0; k < n; k++)
			any = any || !isnan(s->old[keep[k]]);
		if (!any || strpbrk(s->name, " \n") != NULL)
			continue;
		buf_printf(b, "%s", s->name);
		format_value(s->value, b);
		for (int k = 0; k < n; k++)
			format_value(s->old[keep[k]], b);
		buf_printf(b, "\n");
	}
}

/*
 * Put the new file tmp in place of path, atomically for readers. A plain
 * rename over an existing file makes ext4 (auto_da_alloc) allocate and
 * start writing the new file's blocks first, which costs a check ~0.2 ms,
 * often more than its probe; exchanging the two names and unlinking the old
 * file does not. A crash may then leave an empty state file, which reads
 * as a first run: rates start again, as after any lost sample.
 */
static int replace(const char *tmp, const char *path)
{
#ifdef HAVE_RENAMEAT2
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_EXCHANGE) == 0)
		return unlink(tmp);
		/* ENOENT: no earlier file; EINVAL: a file system without exchange. */
#endif
	return rename(tmp, path);
}

/* Let go of the lock of sf, if it is held. */
static void unlock(struct statefile *sf)
{
	if (sf->lock != -1)
		close(sf->lock);
	sf->lock = -1;
}

/* Write the file of sf whole under a temporary name, then put it in place. */
static int write_file(struct statefile *sf, char *err, size_t errlen)
{
	struct buf b;
	char *tmp = xasprintf("%s.XXXXXX", sf->path);
	int fd = mkstemp(tmp), r = -1;

	if (fd == -1) {
		snprintf(err, errlen, "cannot write state file %s: %s", sf->path, strerror(errno));
		free(tmp);
		return -1;
	}
	buf_init(&b, STATE_FILE_MAX);
	format_file(sf, &b);
	if (b.truncated) {
		snprintf(err, errlen, "state for %s is larger than %d bytes", sf->path,
			 STATE_FILE_MAX);
		goto out;
	}
	if (write(fd, b.data, b.len) != (ssize_t)b.len) {
		snprintf(err, errlen, "cannot write state file %s: %s", tmp, strerror(errno));
		goto out;
	}
	r = close(fd);
	fd = -1;
	if (r == 0)
		r = replace(tmp, sf->path);
	if (r == -1)
		snprintf(err, errlen, "cannot replace state file %s: %s", sf->path,
			 strerror(errno));
out:
	if (fd != -1)
		close(fd);
	if (r != 0)
		unlink(tmp);
	buf_free(&b);
	free(tmp);
	return r;
}

int statefile_save(struct statefile *sf, char *err, size_t errlen)
{
	int r;

	/* Without the lock, another run is using the file: leave it be. */
	if (sf->lock == -1)
		return 0;
	r = write_file(sf, err, errlen);
	unlock(sf);
	return r;
}

const char *statefile_path(const struct statefile *sf)
{
	return sf->path;
}

void statefile_free(struct statefile *sf)
{
	if (sf == NULL)
		return;
	unlock(sf);
	for (size_t i = 0; i < sf->n; i++)
		free(sf->v[i].name);
	free(sf->v);
	free(sf->key);
	free(sf->path);
	free(sf);
}
