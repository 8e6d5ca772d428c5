/*
 * The Redis probe (see redis.h). Everything goes through hiredis; answers
 * are read by read_reply() so that a server streaming an endless bulk
 * string hits PROBE_REDIS_MAX_REPLY instead of our memory.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#ifdef HAVE_HIREDIS_SSL
#include <hiredis/hiredis_ssl.h>
#endif

#include "clock.h"
#include "num.h"
#include "probe/celery.h"
#include "probe/redis.h"
#include "progress.h"
#include "xalloc.h"

/* Celery (kombu) keeps priority steps 1..9 of queue Q in lists Q SEP STEP. */
#define CELERY_SEP "\x06\x16"
#define CELERY_STEPS 9
/* Queues measured at most in one run. */
#define MAX_QUEUES 1000
#define SCAN_COUNT "1000"

/* A queue to measure: its label, its key, and whether Celery steps count. */
struct queue {
	char *label;
	char *key;
	size_t keylen;
	bool named;    /* asked for by name: a missing key is worth a note */
	bool priority; /* add Celery's priority lists */
	double depth;
	const char *type; /* TYPE's answer, a string constant */
};

struct queue_list {
	struct queue *v;
	size_t n;
	bool cut; /* more were found than MAX_QUEUES */
};

/* What discovery found wrong, for the metrics that say so. */
struct discovery_notes {
	bool scan_cut;	     /* discovery stopped at scan_limit: queues may be missing */
	bool celery_unbound; /* celery asked, but no kombu binding exists */
	bool resque_empty;   /* resque asked, but its queue set is empty or missing */
};

/* One command of a pipeline; arguments are binary-safe. */
struct cmd {
	int argc;
	const char *argv[6];
	size_t len[6];
};

static struct timeval to_timeval(double seconds)
{
	struct timeval tv;

	tv.tv_sec = (time_t)seconds;
	tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
	return tv;
}

void probe_redis_describe(const struct redis_target *t, char *out, size_t outlen)
{
	long port = t->port > 0 ? t->port : PROBE_REDIS_PORT;

	if (t->host[0] == '/')
		snprintf(out, outlen, "%s", t->host);
	else if (strchr(t->host, ':') != NULL)
		snprintf(out, outlen, "[%s]:%ld", t->host, port);
	else
		snprintf(out, outlen, "%s:%ld", t->host, port);
}

/* The server c talks to, for messages. */
static void describe_context(const redisContext *c, char *out, size_t outlen)
{
	struct redis_target t = {0};

	if (c->connection_type == REDIS_CONN_UNIX) {
		t.host = c->unix_sock.path;
	} else {
		t.host = c->tcp.host;
		t.port = c->tcp.port;
	}
	probe_redis_describe(&t, out, outlen);
}

/* The time limit of c's connection in seconds, 0 without one. */
static double context_timeout(const redisContext *c)
{
	return c->timeout == NULL ? 0
				  : (double)c->timeout->tv_sec + (double)c->timeout->tv_usec / 1e6;
}

/* Say why the connection failed, and classify it. */
static int io_error(const redisContext *c, char *err, size_t errlen)
{
	char who[300];
	double timeout = context_timeout(c);

	describe_context(c, who, sizeof(who));
	switch (c->err) {
	case REDIS_ERR_PROTOCOL:
		snprintf(err, errlen, "%s answered something that is not Redis (%s)", who,
			 c->errstr);
		return FAIL_BROKEN;
	case REDIS_ERR_OOM:
		snprintf(err, errlen, "out of memory reading the answer of %s", who);
		return FAIL_BROKEN;
	case REDIS_ERR_EOF:
		snprintf(err, errlen, "%s closed the connection", who);
		return FAIL_DOWN;
	}
	if (strstr(c->errstr, "temporarily unavailable") != NULL ||
	    strstr(c->errstr, "timed out") != NULL)
		progress_format(err, errlen, timeout, who, PROGRESS_QUERY, NULL);
	else
		snprintf(err, errlen, "%s: %s", who, c->errstr);
	return FAIL_DOWN;
}

/*
 * The end of the current probe call for this thread: a server that trickles
 * bytes slower than the socket timeout must still not hold a collector
 * forever. 0: no deadline.
 */
static _Thread_local double deadline;

/* Start the time limit of one probe call: the connection's timeout, in all. */
static void deadline_start(const redisContext *c)
{
	deadline = c->timeout == NULL ? 0 : time_monotonic() + context_timeout(c);
}

/*
 * Read one answer, like redisGetReply(), but give up when the server has
 * sent more than PROBE_REDIS_MAX_REPLY bytes for it (hiredis parses array
 * elements as they come, so its buffer alone is no measure) or the
 * deadline of the probe call has passed.
 */
static int read_reply(redisContext *c, redisReply **out, char *err, size_t errlen)
{
	void *reply = NULL;
	size_t fed = 0;
	int done = 0;

	do {
		if (redisBufferWrite(c, &done) != REDIS_OK)
			return io_error(c, err, errlen);
	} while (done == 0);
	for (;;) {
		size_t before;

		if (redisGetReplyFromReader(c, &reply) != REDIS_OK)
			return io_error(c, err, errlen);
		if (reply != NULL)
			break;
		if (deadline > 0 && time_monotonic() > deadline) {
			char who[300];

			describe_context(c, who, sizeof(who));
			progress_format(err, errlen, context_timeout(c), who, PROGRESS_ANSWER,
					NULL);
			return FAIL_DOWN;
		}
		if (fed > PROBE_REDIS_MAX_REPLY) {
			char who[300];

			describe_context(c, who, sizeof(who));
			snprintf(err, errlen, "%s sent an answer larger than %d MiB", who,
				 PROBE_REDIS_MAX_REPLY / (1024 * 1024));
			return FAIL_BROKEN;
		}
		before = c->reader->len;
		if (redisBufferRead(c) != REDIS_OK)
			return io_error(c, err, errlen);
		fed += c->reader->len > before ? c->reader->len - before : 0;
	}
	*out = reply;
	return 0;
}

/* Send n commands at once and read their n answers into out (freed by the caller). */
static int pipeline(redisContext *c, const struct cmd *cmds, size_t n, redisReply **out, char *err,
		    size_t errlen)
{
	if (n > 0)
		progress_step(strcmp(cmds[0].argv[0], "AUTH") == 0 ? PROGRESS_LOGIN
								   : PROGRESS_QUERY,
			      cmds[0].argv[0]);
	for (size_t i = 0; i < n; i++) {
		/* hiredis takes an array of its own it never writes to. */
		const char *argv[sizeof(cmds[i].argv) / sizeof(cmds[i].argv[0])];

		memcpy(argv, cmds[i].argv, sizeof(argv));
		if (redisAppendCommandArgv(c, cmds[i].argc, argv, cmds[i].len) != REDIS_OK)
			return io_error(c, err, errlen);
	}
	for (size_t i = 0; i < n; i++) {
		int r = read_reply(c, &out[i], err, errlen);

		if (r != 0) {
			for (size_t k = 0; k < i; k++)
				freeReplyObject(out[k]);
			return r;
		}
	}
	return 0;
}

static void free_replies(redisReply **r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		freeReplyObject(r[i]);
	free(r);
}

/* A command from NUL-terminated words, up to 6. */
static struct cmd cmd_words(int argc, const char *const *argv)
{
	struct cmd c = {.argc = argc};

	for (int i = 0; i < argc; i++) {
		c.argv[i] = argv[i];
		c.len[i] = strlen(argv[i]);
	}
	return c;
}

/* Run one command and return its answer, or NULL with err and *why. */
static redisReply *command(redisContext *c, int argc, const char *const *argv, int *why, char *err,
			   size_t errlen)
{
	struct cmd cmd = cmd_words(argc, argv);
	redisReply *r;

	*why = pipeline(c, &cmd, 1, &r, err, errlen);
	return *why == 0 ? r : NULL;
}

/* Classify an error answer to a command the probe needs. */
static int refused(const redisContext *c, const char *what, const redisReply *r, char *err,
		   size_t errlen)
{
	char who[300];

	describe_context(c, who, sizeof(who));
	if (strncmp(r->str, "NOPERM", 6) == 0) {
		snprintf(err, errlen, "%s does not allow %s to this user (%s)", who, what, r->str);
		return FAIL_BROKEN;
	}
	if (strncmp(r->str, "NOAUTH", 6) == 0) {
		snprintf(err, errlen, "%s requires a password (%s)", who, r->str);
		return FAIL_DOWN;
	}
	if (strncmp(r->str, "LOADING", 7) == 0) {
		snprintf(err, errlen, "%s is loading its dataset and answers nothing else yet",
			 who);
		return FAIL_DOWN;
	}
	snprintf(err, errlen, "%s refused %s: %s", who, what, r->str);
	/*
	 * The server is unable to serve: an outage. Anything else (an unknown
	 * or renamed command, a database that does not exist, AUTH to a server
	 * without a password) is a mistake in the check, not an outage.
	 */
	if (strncmp(r->str, "WRONGPASS", 9) == 0 || strncmp(r->str, "BUSY", 4) == 0 ||
	    strncmp(r->str, "MASTERDOWN", 10) == 0 ||
	    strstr(r->str, "max number of clients") != NULL)
		return FAIL_DOWN;
	return FAIL_BROKEN;
}

/* Run a command whose answer only matters for being an error or not. */
static int expect_ok(redisContext *c, const char *what, int argc, const char *const *argv,
		     char *err, size_t errlen)
{
	int why;
	redisReply *r = command(c, argc, argv, &why, err, errlen);

	if (r == NULL)
		return why;
	if (r->type == REDIS_REPLY_ERROR)
		why = refused(c, what, r, err, errlen);
	freeReplyObject(r);
	return why;
}

#ifdef HAVE_HIREDIS_SSL
/*
 * TLS through hiredis_ssl (1.1 and later). hiredis checks the certificate
 * chain against ca_file or the system's store; it sends host as SNI but
 * does not match it against the certificate.
 */
static int start_tls(redisContext *c, const struct redis_target *t, char *err, size_t errlen)
{
	redisSSLContextError e = REDIS_SSL_CTX_NONE;
	redisSSLOptions o = {
	    .cacert_filename = t->ca_file,
	    .server_name = t->host[0] == '/' ? NULL : t->host,
	    .verify_mode = t->insecure ? REDIS_SSL_VERIFY_NONE : REDIS_SSL_VERIFY_PEER,
	};
	redisSSLContext *ssl = redisCreateSSLContextWithOptions(&o, &e);

	if (ssl == NULL) {
		snprintf(err, errlen, "cannot set up TLS: %s", redisSSLContextGetError(e));
		return FAIL_BROKEN;
	}
	/* The context must live as long as the connection; redisFree frees it. */
	c->privdata = ssl;
	c->free_privdata = (void (*)(void *))redisFreeSSLContext;
	if (redisInitiateSSLWithContext(c, ssl) != REDIS_OK)
		return io_error(c, err, errlen);
	return 0;
}
#endif

/* AUTH and SELECT as t asks. */
static int login(redisContext *c, const struct redis_target *t, char *err, size_t errlen)
{
	char db[24];

	if (t->password != NULL) {
		const char *argv[] = {"AUTH", t->user != NULL ? t->user : t->password, t->password};
		int r = expect_ok(c, "AUTH", t->user != NULL ? 3 : 2, argv, err, errlen);

		/* The server's words ("WRONGPASS ...") never repeat the password. */
		if (r != 0)
			return r;
	}
	if (t->database != 0) {
		const char *argv[] = {"SELECT", db};

		snprintf(db, sizeof(db), "%ld", t->database);
		return expect_ok(c, "SELECT", 2, argv, err, errlen);
	}
	return 0;
}

redisContext *probe_redis_connect(const struct redis_target *t, int *why, char *err, size_t errlen)
{
	struct timeval tv = to_timeval(t->timeout);
	redisContext *c;
	char who[300];

	probe_redis_describe(t, who, sizeof(who));
	progress_set(who, PROGRESS_CONNECT, NULL);
	if (t->host[0] == '/')
		c = redisConnectUnixWithTimeout(t->host, tv);
	else
		c = redisConnectWithTimeout(t->host, t->port > 0 ? (int)t->port : PROBE_REDIS_PORT,
					    tv);
	if (c == NULL) {
		snprintf(err, errlen, "cannot connect to %s: out of memory", who);
		*why = FAIL_BROKEN;
		return NULL;
	}
	if (c->err != 0) {
		if (strstr(c->errstr, "timed out") != NULL)
			progress_format(err, errlen, t->timeout, who, PROGRESS_CONNECT, NULL);
		else
			snprintf(err, errlen, "cannot connect to %s: %s", who, c->errstr);
		*why = FAIL_DOWN;
		redisFree(c);
		return NULL;
	}
	deadline_start(c);
	*why = redisSetTimeout(c, tv) == REDIS_OK ? 0 : io_error(c, err, errlen);
#ifdef HAVE_HIREDIS_SSL
	if (*why == 0 && t->tls) {
		progress_step(PROGRESS_TLS, NULL);
		*why = start_tls(c, t, err, errlen);
	}
#endif
	if (*why == 0)
		*why = login(c, t, err, errlen);
	if (*why != 0) {
		redisFree(c);
		return NULL;
	}
	return c;
}

/* A bulk string, or RESP3's verbatim string (hiredis 1.0 and later). */
static bool is_text(const redisReply *r)
{
#ifdef REDIS_REPLY_VERB
	if (r->type == REDIS_REPLY_VERB)
		return true;
#endif
	return r->type == REDIS_REPLY_STRING;
}

int probe_redis_server(redisContext *c, struct metric_set *set, struct redis_info *info, char *err,
		       size_t errlen)
{
	static const char *const ping[] = {"PING"}, *const infocmd[] = {"INFO"};
	double start = time_monotonic();
	redisReply *r;
	int why;

	deadline_start(c);
	r = command(c, 1, ping, &why, err, errlen);
	if (r == NULL)
		return why;
	if (r->type == REDIS_REPLY_ERROR) {
		why = refused(c, "PING", r, err, errlen);
		freeReplyObject(r);
		return why;
	}
	freeReplyObject(r);
	metric_set_add(set, "redis_ping", METRIC_GAUGE, "s", time_monotonic() - start);
	r = command(c, 1, infocmd, &why, err, errlen);
	if (r == NULL)
		return why;
	if (r->type == REDIS_REPLY_ERROR) {
		why = refused(c, "INFO", r, err, errlen);
	} else if (!is_text(r) || redis_info_parse(r->str, r->len, info) != 0) {
		char who[300];

		describe_context(c, who, sizeof(who));
		snprintf(err, errlen, "%s answered INFO with something that is not Redis INFO",
			 who);
		why = FAIL_BROKEN;
	} else {
		redis_info_metrics(info, set);
	}
	freeReplyObject(r);
	return why;
}

/* Add a queue unless one with the same label is there; false when full. */
static bool queue_add(struct queue_list *l, const char *label, size_t labellen, const char *prefix,
		      bool named, bool priority)
{
	size_t plen = prefix != NULL ? strlen(prefix) : 0;
	struct queue *q;

	/* The same key once; a Resque queue and a plain key may share a name. */
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].keylen == plen + labellen &&
		    memcmp(l->v[i].key, prefix != NULL ? prefix : "", plen) == 0 &&
		    memcmp(l->v[i].key + plen, label, labellen) == 0)
			return true;
	if (l->n == MAX_QUEUES) {
		l->cut = true;
		return false;
	}
	l->v = xgrow(l->v, l->n, sizeof(*l->v));
	q = &l->v[l->n++];
	memset(q, 0, sizeof(*q));
	q->label = xstrndup(label, labellen);
	q->keylen = plen + labellen;
	q->key = xmalloc(q->keylen + 1);
	memcpy(q->key, prefix != NULL ? prefix : "", plen);
	memcpy(q->key + plen, label, labellen);
	q->key[q->keylen] = '\0';
	q->named = named;
	q->priority = priority;
	return true;
}

static void queue_list_free(struct queue_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].label);
		free(l->v[i].key);
	}
	free(l->v);
}

/* Escape glob characters so a key prefix matches only itself in SCAN MATCH. */
static char *glob_escape(const char *s, const char *suffix)
{
	size_t slen = strlen(suffix);
	char *out = xmalloc(2 * strlen(s) + slen + 1), *o = out;

	for (; *s != '\0'; s++) {
		if (strchr("*?[]\\", *s) != NULL)
			*o++ = '\\';
		*o++ = *s;
	}
	memcpy(o, suffix, slen + 1);
	return out;
}

/*
 * Walk a SCAN (or SSCAN of key) with MATCH pattern, at most limit elements,
 * calling take for each; sets *cut when the limit stopped it.
 */
static int scan(redisContext *c, const char *key, const char *pattern, long limit,
		bool (*take)(void *ctx, const char *s, size_t len), void *ctx, bool *cut, char *err,
		size_t errlen)
{
	char cursor[32] = "0";
	long seen = 0;

	do {
		const char *argv[6];
		int argc = 0, why;
		redisReply *r;

		argv[argc++] = key != NULL ? "SSCAN" : "SCAN";
		if (key != NULL)
			argv[argc++] = key;
		argv[argc++] = cursor;
		if (pattern != NULL) {
			argv[argc++] = "MATCH";
			argv[argc++] = pattern;
		}
		argv[argc++] = "COUNT";
		argv[argc++] = SCAN_COUNT;
		r = command(c, argc, argv, &why, err, errlen);
		if (r == NULL)
			return why;
		if (r->type == REDIS_REPLY_ERROR) {
			why = refused(c, key != NULL ? "SSCAN" : "SCAN", r, err, errlen);
			freeReplyObject(r);
			return why;
		}
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
		    r->element[0]->type != REDIS_REPLY_STRING ||
		    r->element[0]->len >= sizeof(cursor) ||
		    r->element[1]->type != REDIS_REPLY_ARRAY) {
			snprintf(err, errlen, "the answer to %s is not what Redis sends",
				 key != NULL ? "SSCAN" : "SCAN");
			freeReplyObject(r);
			return FAIL_BROKEN;
		}
		memcpy(cursor, r->element[0]->str, r->element[0]->len + 1);
		for (size_t i = 0; i < r->element[1]->elements; i++) {
			const redisReply *e = r->element[1]->element[i];

			/* A full queue list says so itself (queue_list.cut). */
			if (e->type == REDIS_REPLY_STRING)
				take(ctx, e->str, e->len);
		}
		/* Each call visits about COUNT elements, matching or not. */
		seen += 1000;
		freeReplyObject(r);
		if (seen >= limit && strcmp(cursor, "0") != 0) {
			*cut = true;
			break;
		}
	} while (strcmp(cursor, "0") != 0);
	return 0;
}

struct discovery {
	struct queue_list *list;
	const struct redis_queues *q;
	char **keys; /* binding sets found, for Celery */
	size_t nkeys;
};

/* Kombu's own keys, never queues of the application. */
static bool kombu_internal(const char *name, size_t len)
{
	static const char *const names[] = {"unacked", "unacked_index", "unacked_mutex", NULL};

	if (len >= 7 && memcmp(name, "_kombu.", 7) == 0)
		return true;
	for (size_t i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			return true;
	return false;
}

/* A key from SCAN: strip the prefix and a priority step, and keep it if it matches. */
static bool take_key(void *ctx, const char *key, size_t len)
{
	struct discovery *d = ctx;
	size_t plen = d->q->key_prefix != NULL ? strlen(d->q->key_prefix) : 0;
	char *name;
	bool ok = true;

	if (memchr(key, '\0', len) != NULL || len < plen)
		return true;
	key += plen;
	len -= plen;
	if (len > 3 && memcmp(key + len - 3, CELERY_SEP, 2) == 0 && key[len - 1] >= '0' &&
	    key[len - 1] <= '9')
		len -= 3;
	if (len == 0 || kombu_internal(key, len))
		return true;
	name = xstrndup(key, len);
	if (regexec(d->q->regex, name, 0, NULL, 0) == 0)
		ok = queue_add(d->list, name, len, d->q->key_prefix, false, true);
	free(name);
	return ok;
}

/* Whether key is the binding set of Celery's event exchange, celeryev. */
static bool is_events_binding(const char *prefix, const char *key, size_t len)
{
	static const char events[] = "_kombu.binding.celeryev";
	size_t plen = prefix != NULL ? strlen(prefix) : 0;

	return len == plen + sizeof(events) - 1 && memcmp(key + plen, events, len - plen) == 0;
}

/* A binding set of kombu: remember it for the member walk. */
static bool take_binding(void *ctx, const char *key, size_t len)
{
	struct discovery *d = ctx;
	/* Pidbox and event exchanges fan out through PUBLISH; their queues are no lists. */
	if (memchr(key, '\0', len) != NULL ||
	    (len > 7 && memcmp(key + len - 7, ".pidbox", 7) == 0) ||
	    is_events_binding(d->q->key_prefix, key, len))
		return true;
	d->keys = xgrow(d->keys, d->nkeys, sizeof(*d->keys));
	d->keys[d->nkeys++] = xstrndup(key, len);
	return true;
}

/* A binding "routing_key SEP pattern SEP queue": keep the queue. */
static bool take_bound_queue(void *ctx, const char *member, size_t len)
{
	struct discovery *d = ctx;
	const char *q = member, *end = member + len;

	for (;;) {
		const char *sep = memmem(q, (size_t)(end - q), CELERY_SEP, 2);

		if (sep == NULL)
			break;
		q = sep + 2;
	}
	if (q == end || memchr(q, '\0', (size_t)(end - q)) != NULL)
		return true;
	return queue_add(d->list, q, (size_t)(end - q), d->q->key_prefix, false, true);
}

/* Resque's queue set: each NAME lives in list NAMESPACE:queue:NAME. */
static bool take_resque(void *ctx, const char *name, size_t len)
{
	struct discovery *d = ctx;
	char *prefix = xasprintf("%s:queue:", d->q->resque);
	bool ok = true;

	if (len > 0 && memchr(name, '\0', len) == NULL)
		ok = queue_add(d->list, name, len, prefix, false, false);
	free(prefix);
	return ok;
}

/* Find the queues q asks for into l. */
static int discover(redisContext *c, const struct redis_queues *q, struct queue_list *l,
		    struct discovery_notes *notes, char *err, size_t errlen)
{
	bool *cut = &notes->scan_cut;
	size_t before;
	long limit = q->scan_limit > 0 ? q->scan_limit : PROBE_REDIS_SCAN_LIMIT;
	struct discovery d = {.list = l, .q = q};
	const char *prefix = q->key_prefix != NULL ? q->key_prefix : "";
	int r = 0;

	for (size_t i = 0; i < q->nnames; i++)
		queue_add(l, q->names[i], strlen(q->names[i]), q->key_prefix, true, true);
	if (q->regex != NULL) {
		char *match = prefix[0] != '\0' ? glob_escape(prefix, "*") : NULL;

		r = scan(c, NULL, match, limit, take_key, &d, cut, err, errlen);
		free(match);
	}
	if (r == 0 && q->celery) {
		char *match = glob_escape(prefix, "_kombu.binding.*");

		r = scan(c, NULL, match, limit, take_binding, &d, cut, err, errlen);
		free(match);
		for (size_t i = 0; r == 0 && i < d.nkeys; i++)
			r = scan(c, d.keys[i], NULL, limit, take_bound_queue, &d, cut, err, errlen);
		/* No binding at all: the wrong database or key prefix, not "no queues". */
		notes->celery_unbound = r == 0 && d.nkeys == 0 && !*cut;
	}
	for (size_t i = 0; i < d.nkeys; i++)
		free(d.keys[i]);
	free(d.keys);
	if (r == 0 && q->resque != NULL) {
		char *set = xasprintf("%s:queues", q->resque);

		before = l->n;
		r = scan(c, set, NULL, limit, take_resque, &d, cut, err, errlen);
		notes->resque_empty = r == 0 && l->n == before && !l->cut;
		free(set);
	}
	return r;
}

/* The command that tells the length of a key of this type, or NULL. */
static const char *length_command(const char *type)
{
	static const char *const map[][2] = {{"list", "LLEN"},	 {"set", "SCARD"},
					     {"zset", "ZCARD"},	 {"hash", "HLEN"},
					     {"stream", "XLEN"}, {NULL, NULL}};

	for (size_t i = 0; map[i][0] != NULL; i++)
		if (strcmp(type, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

/* TYPE's answer as one of our constants. */
static const char *type_of(const redisReply *r)
{
	static const char *const types[] = {"none", "list",   "set",	"zset",
					    "hash", "stream", "string", NULL};

	if (r->type != REDIS_REPLY_STATUS && r->type != REDIS_REPLY_STRING)
		return "unknown";
	for (size_t i = 0; types[i] != NULL; i++)
		if (strcmp(r->str, types[i]) == 0)
			return types[i];
	return "unknown";
}

/* Priority-step keys, built once: "Q" SEP "1" .. "Q" SEP "9". */
static char *step_key(const struct queue *q, int step, size_t *len)
{
	char *k = xmalloc(q->keylen + 4);

	memcpy(k, q->key, q->keylen);
	memcpy(k + q->keylen, CELERY_SEP, 2);
	k[q->keylen + 2] = (char)('0' + step);
	k[q->keylen + 3] = '\0';
	*len = q->keylen + 3;
	return k;
}

static struct cmd cmd_key(const char *verb, const char *key, size_t keylen)
{
	struct cmd c = {.argc = 2, .argv = {verb, key}, .len = {strlen(verb), keylen}};

	return c;
}

/* Round trip one: every key's TYPE and the lengths of the priority lists. */
static int measure_types(redisContext *c, struct queue_list *l, const char *unacked,
			 const char **unacked_type, char *err, size_t errlen)
{
	size_t n = 0, max = l->n * (1 + CELERY_STEPS) + 1;
	struct cmd *cmds = xcalloc(max, sizeof(*cmds));
	char **keys = xcalloc(max, sizeof(*keys));
	redisReply **r = xcalloc(max, sizeof(*r));
	int why, sent;

	for (size_t i = 0; i < l->n; i++) {
		cmds[n++] = cmd_key("TYPE", l->v[i].key, l->v[i].keylen);
		for (int s = 1; l->v[i].priority && s <= CELERY_STEPS; s++) {
			size_t len;

			keys[n] = step_key(&l->v[i], s, &len);
			cmds[n] = cmd_key("LLEN", keys[n], len);
			n++;
		}
	}
	if (unacked != NULL)
		cmds[n++] = cmd_key("TYPE", unacked, strlen(unacked));
	sent = pipeline(c, cmds, n, r, err, errlen);
	why = sent;
	for (size_t i = 0, k = 0; why == 0 && i < l->n; i++) {
		l->v[i].type = type_of(r[k++]);
		if (r[k - 1]->type == REDIS_REPLY_ERROR)
			why = refused(c, "TYPE", r[k - 1], err, errlen);
		l->v[i].depth = 0;
		/* A step key of another type is not Celery's: it does not count. */
		for (int s = 1; l->v[i].priority && s <= CELERY_STEPS; s++, k++)
			if (r[k]->type == REDIS_REPLY_INTEGER)
				l->v[i].depth += (double)r[k]->integer;
	}
	if (why == 0 && unacked != NULL)
		*unacked_type = type_of(r[n - 1]);
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	free(cmds);
	if (sent == 0)
		free_replies(r, n);
	else
		free(r);
	return why;
}

/* Round trip two: the length of every key that is a queue, by its type. */
static int measure_lengths(redisContext *c, struct queue_list *l, const char *unacked,
			   double *unacked_n, char *err, size_t errlen)
{
	struct cmd *cmds = xcalloc(l->n + 1, sizeof(*cmds));
	redisReply **r = xcalloc(l->n + 1, sizeof(*r));
	size_t n = 0;
	int why;

	for (size_t i = 0; i < l->n; i++) {
		const char *verb = length_command(l->v[i].type);

		if (verb != NULL)
			cmds[n++] = cmd_key(verb, l->v[i].key, l->v[i].keylen);
	}
	if (unacked != NULL)
		cmds[n++] = cmd_key("HLEN", unacked, strlen(unacked));
	why = pipeline(c, cmds, n, r, err, errlen);
	for (size_t i = 0, k = 0; why == 0 && i < l->n; i++) {
		if (length_command(l->v[i].type) == NULL)
			continue;
		if (r[k]->type != REDIS_REPLY_INTEGER) {
			/* Deleted or retyped between the two round trips: empty now. */
			k++;
			continue;
		}
		l->v[i].depth += (double)r[k++]->integer;
	}
	if (why == 0 && unacked != NULL && r[n - 1]->type == REDIS_REPLY_INTEGER)
		*unacked_n = (double)r[n - 1]->integer;
	free(cmds);
	if (why == 0)
		free_replies(r, n);
	else
		free(r);
	return why;
}

/* A metric with the labels every broker metric carries. */
static struct metric *broker_metric(struct metric_set *set, const struct redis_queues *q,
				    const char *name, double value)
{
	struct metric *m = metric_set_add(set, name, METRIC_GAUGE, "", value);
	char db[32];

	snprintf(db, sizeof(db), "db%ld", q->database);
	metric_label_add(m, "broker", "redis");
	metric_label_add(m, "target", q->target != NULL ? q->target : "");
	metric_label_add(m, "vhost", db);
	return m;
}

/* Resque's failed list and worker set. */
static int measure_resque(redisContext *c, const struct redis_queues *q, struct metric_set *set,
			  char *err, size_t errlen)
{
	char *failed = xasprintf("%s:failed", q->resque),
	     *workers = xasprintf("%s:workers", q->resque);
	struct cmd cmds[2] = {cmd_key("LLEN", failed, strlen(failed)),
			      cmd_key("SCARD", workers, strlen(workers))};
	redisReply *r[2];
	int why = pipeline(c, cmds, 2, r, err, errlen);

	if (why == 0) {
		if (r[0]->type == REDIS_REPLY_INTEGER)
			broker_metric(set, q, "resque_failed", (double)r[0]->integer);
		if (r[1]->type == REDIS_REPLY_INTEGER)
			broker_metric(set, q, "resque_workers", (double)r[1]->integer);
		freeReplyObject(r[0]);
		freeReplyObject(r[1]);
	}
	free(failed);
	free(workers);
	return why;
}

/* Turn what was measured into metrics. */
static void report(const struct redis_queues *q, const struct queue_list *l,
		   const struct discovery_notes *notes, struct metric_set *set)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct queue *e = &l->v[i];

		if (strcmp(e->type, "none") != 0 && length_command(e->type) == NULL) {
			/* Discovered keys of other types are simply not queues. */
			if (e->named) {
				struct metric *m = broker_metric(set, q, "redis_key_not_queue", 1);

				metric_label_add(m, "queue", e->label);
				metric_label_add(m, "type", e->type);
			}
			continue;
		}
		metric_label_add(broker_metric(set, q, "queue_depth", e->depth), "queue", e->label);
		if (e->named)
			metric_label_add(
			    broker_metric(set, q, "queue_missing",
					  strcmp(e->type, "none") == 0 && e->depth == 0),
			    "queue", e->label);
	}
	broker_metric(set, q, "redis_queues_cut", l->cut);
	if (q->regex != NULL || q->celery || q->resque != NULL)
		broker_metric(set, q, "redis_scan_cut", notes->scan_cut);
	if (q->celery)
		broker_metric(set, q, "celery_unbound", notes->celery_unbound);
	if (q->resque != NULL)
		metric_label_add(broker_metric(set, q, "resque_empty", notes->resque_empty),
				 "namespace", q->resque);
}

/*
 * The oldest task Celery delivered to a worker that it has not acknowledged:
 * the lowest score of unacked_index (when it was delivered, epoch seconds),
 * and under its delivery tag in the hash unacked, the task itself.
 */
static int measure_oldest(redisContext *c, const struct redis_queues *q, const char *unacked,
			  struct metric_set *set, char *err, size_t errlen)
{
	char *index = xasprintf("%s_index", unacked), task[CELERY_TASK_MAX], id[CELERY_TASK_MAX];
	const char *argv[] = {"ZRANGE", index, "0", "0", "WITHSCORES"};
	struct cmd get = cmd_words(5, argv);
	redisReply *r = NULL, *t = NULL;
	double delivered;
	int why = pipeline(c, &get, 1, &r, err, errlen);

	free(index);
	if (why != 0)
		return why;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_STRING ||
	    r->element[1]->type != REDIS_REPLY_STRING ||
	    num_parse(r->element[1]->str, &delivered) != 0) {
		freeReplyObject(r);
		return 0;
	}
	get = cmd_key("HGET", unacked, strlen(unacked));
	get.argc = 3;
	get.argv[2] = r->element[0]->str;
	get.len[2] = r->element[0]->len;
	why = pipeline(c, &get, 1, &t, err, errlen);
	if (why == 0) {
		struct metric *m = broker_metric(set, q, "celery_oldest_unacked_age_seconds",
						 fmax(0, time_now() - delivered));

		m->unit = "s";
		if (t->type != REDIS_REPLY_STRING ||
		    celery_task_parse(t->str, t->len, task, sizeof(task), id, sizeof(id)) != 0)
			snprintf(task, sizeof(task), "unknown");
		m = broker_metric(set, q, "celery_oldest_unacked_task", 1);
		metric_label_add(m, "task", task);
		metric_label_add(m, "task_id", id);
		freeReplyObject(t);
	}
	freeReplyObject(r);
	return why;
}

int probe_redis_queues(redisContext *c, const struct redis_queues *q, struct metric_set *set,
		       char *err, size_t errlen)
{
	struct discovery_notes notes = {0};
	struct queue_list l = {0};
	const char *unacked_type = "none";
	double unacked_n = NAN;
	char *unacked = NULL;
	int why;

	deadline_start(c);
	why = discover(c, q, &l, &notes, err, errlen);
	/* Celery's unacknowledged tasks, wherever Celery-style queues are watched. */
	if (q->nnames > 0 || q->regex != NULL || q->celery)
		unacked = xasprintf("%sunacked", q->key_prefix != NULL ? q->key_prefix : "");
	if (why == 0)
		why = measure_types(c, &l, unacked, &unacked_type, err, errlen);
	if (why == 0) {
		if (strcmp(unacked_type, "hash") != 0) {
			free(unacked);
			unacked = NULL;
		}
		why = measure_lengths(c, &l, unacked, &unacked_n, err, errlen);
	}
	if (why == 0 && q->resque != NULL)
		why = measure_resque(c, q, set, err, errlen);
	if (why == 0) {
		report(q, &l, &notes, set);
		if (!isnan(unacked_n))
			broker_metric(set, q, "celery_unacked", unacked_n);
	}
	if (why == 0 && unacked_n > 0)
		why = measure_oldest(c, q, unacked, set, err, errlen);
	free(unacked);
	queue_list_free(&l);
	return why;
}
