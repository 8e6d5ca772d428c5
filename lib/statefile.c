/*
 * State files for rates (see statefile.h). Format, one record per line:
 *
 *   vakt-state 1
 *   key <the key string>
 *   time <seconds since the epoch>
 *   <counter> <value>
 *
 * The key is stored as well as hashed into the name, so a hash collision
 * reads as "no earlier sample", never as someone else's counters.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fileio.h"
#include "num.h"
#include "statefile.h"
#include "xalloc.h"

#define STATE_FILE_MAX 65536

struct sample {
	char *name;
	double old;	/* value in the earlier file */
	bool has_old;
	double value;	/* value recorded now */
	bool has_value;
};

struct statefile {
	char *path;
	char *key;
	double now;
	double then;	/* time of the earlier sample, NAN when none */
	double max_age;
	struct sample *v;
	size_t n;
};

static double clock_seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double time_now(void)
{
	return clock_seconds(CLOCK_REALTIME);
}

double time_monotonic(void)
{
	return clock_seconds(CLOCK_MONOTONIC);
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

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
	memset(&sf->v[sf->n], 0, sizeof(*sf->v));
	sf->v[sf->n].name = xstrdup(name);
	return &sf->v[sf->n++];
}

/* Read one line "NAME VALUE" into the samples; malformed lines are skipped. */
static void parse_line(struct statefile *sf, char *line, int lineno, bool *valid)
{
	char *sp = strchr(line, ' ');
	double v;

	if (sp == NULL)
		return;
	*sp = '\0';
	if (lineno == 0) {
		*valid = strcmp(line, "vakt-state") == 0 && strcmp(sp + 1, "1") == 0;
	} else if (lineno == 1) {
		*valid = strcmp(line, "key") == 0 && strcmp(sp + 1, sf->key) == 0;
	} else if (lineno == 2) {
		*valid = strcmp(line, "time") == 0 && num_parse(sp + 1, &sf->then) == 0;
	} else if (num_parse(sp + 1, &v) == 0) {
		struct sample *s = find(sf, line, true);

		s->old = v;
		s->has_old = true;
	}
}

static void load(struct statefile *sf)
{
	char data[STATE_FILE_MAX + 1], *line, *nl;
	bool valid = true;

	/* A missing or unreadable file is the same as no earlier sample. */
	if (file_read_small(sf->path, data, sizeof(data)) == -1)
		return;
	line = data;
	for (int lineno = 0; valid && (nl = strchr(line, '\n')) != NULL; lineno++) {
		*nl = '\0';
		parse_line(sf, line, lineno, &valid);
		line = nl + 1;
	}
	if (!valid || isnan(sf->then)) {
		/* Not ours, or not whole: start afresh. */
		for (size_t i = 0; i < sf->n; i++)
			sf->v[i].has_old = false;
		sf->then = NAN;
	}
}

struct statefile *statefile_open(const char *dir, const char *plugin, const char *key, double now,
				 double max_age, char *err, size_t errlen)
{
	char d[4096];
	struct statefile *sf;

	if (choose_dir(dir, d, sizeof(d), err, errlen) != 0)
		return NULL;
	sf = xcalloc(1, sizeof(*sf));
	sf->path = xasprintf("%s/%s-%016llx.state", d, plugin, (unsigned long long)fnv1a(key));
	sf->key = xstrdup(key);
	/* Keys are one line in the file. */
	for (char *p = sf->key; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	sf->now = now;
	sf->then = NAN;
	sf->max_age = max_age;
	load(sf);
	return sf;
}

enum rate_status statefile_rate(struct statefile *sf, const char *counter, double value,
				double *rate)
{
	struct sample *s = find(sf, counter, true);
	double dt = sf->now - sf->then;

	s->value = value;
	s->has_value = true;
	*rate = NAN;
	if (!s->has_old || isnan(sf->then))
		return RATE_FIRST;
	if (dt > sf->max_age)
		return RATE_STALE;
	if (value < s->old || dt <= 0)
		return RATE_RESET;
	*rate = (value - s->old) / dt;
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
	}
	return "";
}

static void format_file(const struct statefile *sf, struct buf *b)
{
	char num[NUM_BUFSZ];

	buf_printf(b, "vakt-state 1\nkey %s\n", sf->key);
	num_format(sf->now, num, sizeof(num));
	buf_printf(b, "time %s\n", num);
	for (size_t i = 0; i < sf->n; i++) {
		const struct sample *s = &sf->v[i];

		if (!s->has_value || strpbrk(s->name, " \n") != NULL)
			continue;
		num_format(s->value, num, sizeof(num));
		buf_printf(b, "%s %s\n", s->name, num);
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

int statefile_save(struct statefile *sf, char *err, size_t errlen)
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

const char *statefile_path(const struct statefile *sf)
{
	return sf->path;
}

void statefile_free(struct statefile *sf)
{
	if (sf == NULL)
		return;
	for (size_t i = 0; i < sf->n; i++)
		free(sf->v[i].name);
	free(sf->v);
	free(sf->key);
	free(sf->path);
	free(sf);
}
