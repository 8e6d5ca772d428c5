/*
 * The AgentX subagent (see snmp.h): VAKT-MIB's two tables under base_oid,
 * answered from the current snapshot.
 *
 * base.1.1.1.COL.HI.LO  vaktMetricEntry: a row per series, indexed by the
 *                       FNV-1a 64 of its key as /metrics prints it
 *                       ("family{labels}"), split in two 32-bit halves, so
 *                       a row keeps its OID across restarts and reloads.
 * base.1.2.1.COL.NAME   vaktCollectorEntry: a row per collector, IMPLIED
 *                       name (one arc per byte, no length).
 * base.0.1 and .0.2     the notifications vaktCollectorStale and Fresh.
 *
 * Both tables are plain MIB handlers that answer GET and GETNEXT over rows
 * sorted in OID order (net-snmp turns GETBULK into GETNEXTs). The rows are
 * built once per snapshot generation and hold that snapshot until the next;
 * stale and age are computed when asked, as HTTP does.
 *
 * Every net-snmp call is made by the one thread started here: the library
 * keeps global state without locks. It is told never to use SIGALRM, read
 * a configuration file, or load or save a persistent file, and its log goes
 * to vaktd's, errors only and rate-limited: vaktd says itself when the
 * master cannot be reached and when it registered.
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* net-snmp's configuration header defines these too. */
#undef PACKAGE_BUGREPORT
#undef PACKAGE_NAME
#undef PACKAGE_STRING
#undef PACKAGE_TARNAME
#undef PACKAGE_URL
#undef PACKAGE_VERSION
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include "buf.h"
#include "clock.h"
#include "expose.h"
#include "hash.h"
#include "log.h"
#include "metricdoc.h"
#include "snmp.h"
#include "snmpvalue.h"
#include "xalloc.h"

/* The subagent's session with the master; NULL while there is none (agentx/subagent.c). */
extern netsnmp_session *main_session;

/* Rows not asked for this many seconds are let go, and their snapshot with them. */
#define ROWS_IDLE 60.0
/* How long the thread waits for a packet before it looks at stop and the master again. */
#define POLL_USEC 200000
/* VaktText and DisplayString: the longest text a column holds. */
#define TEXT_MAX 1024
#define DISPLAY_MAX 255
/* A collector's name is its row's index: VAKT-MIB's SIZE (1..64). */
#define NAME_MAX_ARCS 64
/* net-snmp's log lines passed on: one a minute, the rest counted. */
#define LOG_PERIOD 60.0
/* Hash collisions logged, each once. */
#define COLLISIONS_MAX 32

/* One row of vaktMetricTable. */
struct mrow {
	uint32_t hi, lo;
	const struct source *src;
	const struct metric *m;
	size_t key_at, name_len; /* in the rows' text: "family{labels}" */
	size_t value_at;	 /* the value as /metrics prints it */
	double scaled;		 /* the value in the family's base unit */
};

/* The rows of one snapshot generation, and the snapshot they point into. */
struct rows {
	const struct snapshot *snap; /* held; NULL before the first build */
	struct mrow *m;
	size_t nm;
	const struct source **c; /* the collectors, by name */
	size_t nc;
	struct buf text;
};

/* Whether the master was reached: what was last logged about it. */
enum master_state { MASTER_UNKNOWN, MASTER_UP, MASTER_DOWN };

/* A collector's staleness last seen, for the notifications. */
struct seen_stale {
	char *name;
	bool stale;
};

struct snmp_agent {
	pthread_t thread;
	pthread_mutex_t lock; /* guards sched across a reload */
	struct scheduler *sched;
	atomic_bool stop;
	atomic_bool notify;
	char *socket;
	oid base[MAX_OID_LEN];
	size_t base_len;
	unsigned ping;
	/* The thread's own from here on. */
	struct rows rows;
	enum master_state master;
	uint64_t collisions[COLLISIONS_MAX];
	size_t ncollisions;
	struct seen_stale *seen;
	size_t nseen;
	double notify_checked;
	double asked_at; /* time_monotonic() of the last request */
};

/* Rows. */

static int mrow_cmp(const void *x, const void *y)
{
	const struct mrow *a = x, *b = y;

	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	/* The first of equal series wins, as on /metrics. */
	return a->key_at < b->key_at ? -1 : a->key_at > b->key_at;
}

static int collector_cmp(const void *x, const void *y)
{
	const struct source *const *a = x, *const *b = y;

	return strcmp((*a)->name, (*b)->name);
}

/* Log a hash collision between two keys, once for each hash. */
static void note_collision(struct snmp_agent *a, const struct mrow *r, const char *kept,
			   const char *dropped)
{
	uint64_t h = (uint64_t)r->hi << 32 | r->lo;

	for (size_t i = 0; i < a->ncollisions; i++)
		if (a->collisions[i] == h)
			return;
	if (a->ncollisions < COLLISIONS_MAX)
		a->collisions[a->ncollisions++] = h;
	log_msg(LOG_WARNING,
		"snmp: %s and %s hash alike (%08x.%08x); the second is left out of SNMP", kept,
		dropped, (unsigned)r->hi, (unsigned)r->lo);
}

/* Add the series of src to the rows, unsorted. */
static void rows_add_source(struct rows *rw, const struct source *src)
{
	size_t count = src->metrics == NULL ? 0 : metric_set_count(src->metrics);

	for (size_t i = 0; i < count; i++) {
		const struct metric *m = metric_set_at(src->metrics, i);
		size_t key_at = rw->text.len;
		char value[64];
		struct mrow *r;
		uint64_t h;
		double factor;

		if (expose_series_key(m, &rw->text, &factor) != 0)
			continue;
		h = hash_fnv1a64(rw->text.data + key_at);
		rw->m = xgrow(rw->m, rw->nm, sizeof(*rw->m));
		r = &rw->m[rw->nm++];
		r->hi = (uint32_t)(h >> 32);
		r->lo = (uint32_t)h;
		r->src = src;
		r->m = m;
		r->key_at = key_at;
		r->name_len = strcspn(rw->text.data + key_at, "{");
		expose_value(m->value, factor, value, sizeof(value));
		r->value_at = rw->text.len;
		buf_append(&rw->text, value, strlen(value) + 1);
		r->scaled = m->value * factor;
	}
}

/* Drop the later of rows that share an index: the same series, or a collision. */
static void rows_dedup(struct snmp_agent *a, struct rows *rw)
{
	size_t k = 0;

	for (size_t i = 0; i < rw->nm; i++) {
		if (k > 0 && rw->m[k - 1].hi == rw->m[i].hi && rw->m[k - 1].lo == rw->m[i].lo) {
			const char *kept = rw->text.data + rw->m[k - 1].key_at;
			const char *dropped = rw->text.data + rw->m[i].key_at;

			if (strcmp(kept, dropped) != 0)
				note_collision(a, &rw->m[i], kept, dropped);
			continue;
		}
		rw->m[k++] = rw->m[i];
	}
	rw->nm = k;
}

static void rows_clear(struct rows *rw)
{
	if (rw->snap != NULL)
		snapshot_release(rw->snap);
	free(rw->m);
	free(rw->c);
	buf_free(&rw->text);
	memset(rw, 0, sizeof(*rw));
}

/* Build the rows of snap, which they hold from now on. */
static void rows_build(struct snmp_agent *a, const struct snapshot *snap)
{
	struct rows *rw = &a->rows;

	rows_clear(rw);
	buf_init(&rw->text, SIZE_MAX);
	rw->snap = snap;
	for (size_t i = 0; i < snap->n; i++)
		rows_add_source(rw, &snap->sources[i]);
	qsort(rw->m, rw->nm, sizeof(*rw->m), mrow_cmp);
	rows_dedup(a, rw);
	rw->c = xcalloc(snap->n == 0 ? 1 : snap->n, sizeof(*rw->c));
	for (size_t i = 0; i < snap->n; i++)
		if (strlen(snap->sources[i].name) <= NAME_MAX_ARCS)
			rw->c[rw->nc++] = &snap->sources[i];
	qsort(rw->c, rw->nc, sizeof(*rw->c), collector_cmp);
}

/* The current snapshot of the scheduler a follows, held until snapshot_release. */
static const struct snapshot *acquire(struct snmp_agent *a)
{
	const struct snapshot *snap;

	pthread_mutex_lock(&a->lock);
	snap = scheduler_acquire(a->sched);
	pthread_mutex_unlock(&a->lock);
	return snap;
}

/* Make the rows those of the current snapshot. */
static void rows_refresh(struct snmp_agent *a)
{
	const struct snapshot *snap = acquire(a);

	/* The rows hold their snapshot: the same pointer is the same snapshot. */
	if (a->rows.snap == snap) {
		snapshot_release(snap);
		return;
	}
	rows_build(a, snap);
}

/* Values. */

/* Set vb to the text s, cut to max bytes at a character boundary. */
static void set_text(netsnmp_variable_list *vb, const char *s, size_t len, size_t max)
{
	snmp_set_var_typed_value(vb, ASN_OCTET_STR, s, snmpvalue_cut(s, len, max));
}

static void set_string(netsnmp_variable_list *vb, const char *s, size_t max)
{
	set_text(vb, s, strlen(s), max);
}

static void set_unsigned(netsnmp_variable_list *vb, double v)
{
	u_long u = snmpvalue_u32(v);

	snmp_set_var_typed_value(vb, ASN_UNSIGNED, &u, sizeof(u));
}

static void set_int(netsnmp_variable_list *vb, long v)
{
	snmp_set_var_typed_value(vb, ASN_INTEGER, &v, sizeof(v));
}

/* TruthValue: true(1), false(2). */
static void set_truth(netsnmp_variable_list *vb, bool v)
{
	set_int(vb, v ? 1 : 2);
}

/* A counter's value as Counter64; -1 when it is not one (snmpvalue_counter64). */
static int set_counter64(netsnmp_variable_list *vb, double v)
{
	struct counter64 c;
	uint64_t u;

	if (snmpvalue_counter64(v, &u) != 0)
		return -1;
	c.high = (u_long)(u >> 32);
	c.low = (u_long)(u & 0xffffffffu);
	snmp_set_var_typed_value(vb, ASN_COUNTER64, &c, sizeof(c));
	return 0;
}

/* A value in thousandths as an Integer32; -1 for NaN (snmpvalue_milli). */
static int set_milli(netsnmp_variable_list *vb, double v)
{
	int32_t milli;

	if (snmpvalue_milli(v, &milli) != 0)
		return -1;
	set_int(vb, milli);
	return 0;
}

/* Set vb to column col of metric row r; 0, or -1 when the row has no such cell. */
static int metric_value(const struct rows *rw, const struct mrow *r, unsigned col,
			netsnmp_variable_list *vb, double now)
{
	const char *key = rw->text.data + r->key_at;

	switch (col) {
	case 3:
		set_string(vb, key, TEXT_MAX);
		return 0;
	case 4:
		set_text(vb, key, r->name_len, DISPLAY_MAX);
		return 0;
	case 5:
		set_string(vb, key + r->name_len, TEXT_MAX);
		return 0;
	case 6:
		set_string(vb, rw->text.data + r->value_at, DISPLAY_MAX);
		return 0;
	case 7:
		return r->m->kind == METRIC_COUNTER ? set_counter64(vb, r->scaled) : -1;
	case 8:
		return set_milli(vb, r->scaled);
	case 9:
		set_int(vb, r->m->kind == METRIC_COUNTER ? 2 : 1);
		return 0;
	case 10:
		/* The unit of the value columns, which /metrics scaled to it. */
		set_string(vb, metricdoc_base_unit(r->m->unit), DISPLAY_MAX);
		return 0;
	case 11:
		set_truth(vb, source_is_stale(r->src, now) != 0);
		return 0;
	case 12:
		set_unsigned(vb, source_age(r->src, now));
		return 0;
	case 13:
		set_string(vb, r->src->name, DISPLAY_MAX);
		return 0;
	default:
		return -1;
	}
}

/* Set vb to column col of collector src; 0, or -1 when there is no such cell. */
static int collector_value(const struct source *src, unsigned col, netsnmp_variable_list *vb,
			   double now)
{
	bool stale = source_is_stale(src, now) != 0;

	switch (col) {
	case 2:
		set_string(vb, src->name, DISPLAY_MAX);
		return 0;
	case 3:
		set_truth(vb, src->collected_at != 0 && src->last_error == NULL && !stale);
		return 0;
	case 4:
		set_string(vb, src->last_error != NULL ? src->last_error : "", TEXT_MAX);
		return 0;
	case 5:
		set_unsigned(vb, round(src->duration * 1000));
		return 0;
	case 6:
		set_unsigned(vb, src->collected_at == 0 ? (double)SNMPVALUE_NEVER
							: source_age(src, now));
		return 0;
	case 7:
		set_truth(vb, stale);
		return 0;
	default:
		return -1;
	}
}

/* Tables: the rows in OID order, their index arcs, their cells. */

struct table {
	oid suffix;	      /* under base.1 */
	unsigned first, last; /* the readable columns */
	size_t (*count)(const struct rows *rw);
	size_t (*index)(const struct rows *rw, size_t row, oid *out); /* its arcs */
	int (*value)(const struct rows *rw, size_t row, unsigned col, netsnmp_variable_list *vb,
		     double now);
};

static size_t metric_count(const struct rows *rw)
{
	return rw->nm;
}

static size_t metric_index(const struct rows *rw, size_t row, oid *out)
{
	out[0] = rw->m[row].hi;
	out[1] = rw->m[row].lo;
	return 2;
}

static int metric_cell(const struct rows *rw, size_t row, unsigned col, netsnmp_variable_list *vb,
		       double now)
{
	return metric_value(rw, &rw->m[row], col, vb, now);
}

static size_t collector_count(const struct rows *rw)
{
	return rw->nc;
}

/*
 * A collector row's IMPLIED index: one arc per byte of name, no length, at
 * most max of them; how many.
 */
static size_t name_arcs(const char *name, oid *out, size_t max)
{
	size_t n = 0;

	for (; name[n] != '\0' && n < max; n++)
		out[n] = (unsigned char)name[n];
	return n;
}

static size_t collector_index(const struct rows *rw, size_t row, oid *out)
{
	/* The table holds only names of NAME_MAX_ARCS bytes or fewer. */
	return name_arcs(rw->c[row]->name, out, NAME_MAX_ARCS);
}

static int collector_cell(const struct rows *rw, size_t row, unsigned col,
			  netsnmp_variable_list *vb, double now)
{
	return collector_value(rw->c[row], col, vb, now);
}

/* Not const: net-snmp's handler holds them as void *. */
static struct table metric_table = {1, 3, 13, metric_count, metric_index, metric_cell};
static struct table collector_table = {2, 2, 7, collector_count, collector_index, collector_cell};

/* The first row whose index is idx (exact) or, unless exact, follows idx; count when none. */
static size_t table_find(const struct table *t, const struct rows *rw, const oid *idx, size_t len,
			 bool exact)
{
	size_t lo = 0, hi = t->count(rw);
	oid arcs[NAME_MAX_ARCS];

	/* The first row whose index is not below idx. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, n = t->index(rw, mid, arcs);

		if (snmp_oid_compare(arcs, n, idx, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < t->count(rw)) {
		size_t n = t->index(rw, lo, arcs);
		int c = snmp_oid_compare(arcs, n, idx, len);

		if (exact)
			return c == 0 ? lo : t->count(rw);
		if (c == 0)
			lo++;
	}
	return exact ? t->count(rw) : lo;
}

/* The table's OID, base.1.SUFFIX, into out; its length. */
static size_t table_oid(const struct snmp_agent *a, const struct table *t, oid *out)
{
	memcpy(out, a->base, a->base_len * sizeof(oid));
	out[a->base_len] = 1;
	out[a->base_len + 1] = t->suffix;
	return a->base_len + 2;
}

/*
 * Copy the OID of vb into out, each arc cut to its 32 bits; its length.
 * net-snmp's AgentX reads a subidentifier of 2^31 or more into a 64-bit
 * oid sign-extended (4294967295 arrives as 2^64 - 1): an index half
 * of 2^31 or more would never be found otherwise.
 */
static size_t request_oid(const netsnmp_variable_list *vb, oid *out)
{
	size_t n = vb->name_length < MAX_OID_LEN ? vb->name_length : MAX_OID_LEN;

	for (size_t i = 0; i < n; i++)
		out[i] = vb->name[i] & 0xffffffffUL;
	return n;
}

/* Answer a GET of vb in table t. */
static void table_get(struct snmp_agent *a, const struct table *t, netsnmp_agent_request_info *ri,
		      netsnmp_request_info *req, double now)
{
	netsnmp_variable_list *vb = req->requestvb;
	oid prefix[MAX_OID_LEN], name[MAX_OID_LEN];
	size_t plen = table_oid(a, t, prefix), len = request_oid(vb, name), row;
	const oid *s = name + plen;
	size_t slen = len - plen;

	if (len < plen + 2 || snmp_oid_compare(name, plen, prefix, plen) != 0 || s[0] != 1 ||
	    s[1] < t->first || s[1] > t->last) {
		netsnmp_set_request_error(ri, req, SNMP_NOSUCHOBJECT);
		return;
	}
	row = table_find(t, &a->rows, s + 2, slen - 2, true);
	if (row == t->count(&a->rows) || t->value(&a->rows, row, (unsigned)s[1], vb, now) != 0)
		netsnmp_set_request_error(ri, req, SNMP_NOSUCHINSTANCE);
}

/*
 * Where a GETNEXT of name starts in table t: the column and the first row
 * to try; false when name is past the table.
 */
static bool next_start(struct snmp_agent *a, const struct table *t, const oid *name, size_t len,
		       unsigned *col, size_t *row)
{
	oid prefix[MAX_OID_LEN];
	size_t plen = table_oid(a, t, prefix);
	int c = snmp_oid_compare(name, len < plen ? len : plen, prefix, plen < len ? plen : len);
	const oid *s = name + plen;

	*col = t->first;
	*row = 0;
	if (c < 0 || (c == 0 && len <= plen))
		return true;
	if (c > 0)
		return false;
	if (s[0] != 1)
		return s[0] < 1;
	if (len - plen == 1 || s[1] < t->first)
		return true;
	if (s[1] > t->last)
		return false;
	*col = (unsigned)s[1];
	*row = table_find(t, &a->rows, s + 2, len - plen - 2, false);
	return true;
}

/* Answer a GETNEXT of vb in table t: the next cell that exists, or nothing past the table. */
static void table_next(struct snmp_agent *a, const struct table *t, netsnmp_request_info *req,
		       double now)
{
	netsnmp_variable_list *vb = req->requestvb;
	oid asked[MAX_OID_LEN];
	size_t n = t->count(&a->rows), alen = request_oid(vb, asked), row;
	unsigned col;

	if (!next_start(a, t, asked, alen, &col, &row))
		return;
	for (; col <= t->last; col++, row = 0) {
		for (; row < n; row++) {
			oid name[MAX_OID_LEN];
			size_t len = table_oid(a, t, name);

			if (t->value(&a->rows, row, col, vb, now) != 0)
				continue;
			name[len++] = 1;
			name[len++] = col;
			len += t->index(&a->rows, row, name + len);
			snmp_set_var_objid(vb, name, len);
			return;
		}
	}
}

/* net-snmp's handler of both tables; handler->myvoid is the table. */
static int table_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
			 netsnmp_agent_request_info *ri, netsnmp_request_info *requests)
{
	struct snmp_agent *a = reg->my_reg_void;
	const struct table *t = handler->myvoid;
	double now = time_now();

	a->asked_at = time_monotonic();
	rows_refresh(a);
	for (netsnmp_request_info *req = requests; req != NULL; req = req->next) {
		if (req->processed)
			continue;
		if (ri->mode == MODE_GET)
			table_get(a, t, ri, req, now);
		else if (ri->mode == MODE_GETNEXT)
			table_next(a, t, req, now);
		else
			netsnmp_set_request_error(ri, req, SNMP_ERR_NOTWRITABLE);
	}
	return SNMP_ERR_NOERROR;
}

/* Register table t under base.1; 0, or -1 after logging why not. */
static int table_register(struct snmp_agent *a, struct table *t, const char *name)
{
	oid toid[MAX_OID_LEN];
	size_t len = table_oid(a, t, toid);
	netsnmp_handler_registration *reg =
	    netsnmp_create_handler_registration(name, table_handler, toid, len, HANDLER_CAN_RONLY);

	if (reg == NULL) {
		log_msg(LOG_ERR, "snmp: cannot register %s", name);
		return -1;
	}
	reg->handler->myvoid = t;
	reg->my_reg_void = a;
	if (netsnmp_register_handler(reg) != MIB_REGISTERED_OK) {
		log_msg(LOG_ERR, "snmp: cannot register %s", name);
		return -1;
	}
	return 0;
}

/* Notifications. */

/* The stale state last seen of the collector called name; NULL when none was. */
static struct seen_stale *seen_find(struct snmp_agent *a, const char *name)
{
	for (size_t i = 0; i < a->nseen; i++)
		if (strcmp(a->seen[i].name, name) == 0)
			return &a->seen[i];
	return NULL;
}

/* Add collector column col of src's row to vars. */
static void trap_add(struct snmp_agent *a, netsnmp_variable_list **vars, const struct source *src,
		     unsigned col, double now)
{
	oid name[MAX_OID_LEN];
	size_t len = table_oid(a, &collector_table, name);
	netsnmp_variable_list *vb;

	name[len++] = 1;
	name[len++] = col;
	len += name_arcs(src->name, name + len, MAX_OID_LEN - len);
	vb = snmp_varlist_add_variable(vars, name, len, ASN_NULL, NULL, 0);
	if (vb == NULL)
		return;
	if (col == 1)
		set_string(vb, src->name, DISPLAY_MAX);
	else
		collector_value(src, col, vb, now);
}

/* Send vaktCollectorStale (stale) or vaktCollectorFresh about src through the master. */
static void send_notification(struct snmp_agent *a, const struct source *src, bool stale,
			      double now)
{
	static const oid trap_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0}; /* snmpTrapOID.0 */
	netsnmp_variable_list *vars = NULL;
	oid which[MAX_OID_LEN];

	memcpy(which, a->base, a->base_len * sizeof(oid));
	which[a->base_len] = 0;
	which[a->base_len + 1] = stale ? 1 : 2;
	snmp_varlist_add_variable(&vars, trap_oid, sizeof(trap_oid) / sizeof(trap_oid[0]),
				  ASN_OBJECT_ID, which, (a->base_len + 2) * sizeof(oid));
	trap_add(a, &vars, src, 1, now);
	trap_add(a, &vars, src, 6, now);
	if (stale)
		trap_add(a, &vars, src, 4, now);
	send_v2trap(vars);
	snmp_free_varbind(vars);
	log_msg(LOG_INFO, "snmp: sent %s about %s",
		stale ? "vaktCollectorStale" : "vaktCollectorFresh", src->name);
}

/*
 * Notify the collectors that went stale or fresh since the last look, once
 * a second. A collector that never collected is not judged yet: every one
 * is stale until its first run, which is no news.
 */
static void check_notifications(struct snmp_agent *a, double now)
{
	const struct snapshot *snap;

	if (now - a->notify_checked < 1.0)
		return;
	a->notify_checked = now;
	/* The snapshot itself, not the rows: they are built only when asked for. */
	snap = acquire(a);
	for (size_t i = 0; i < snap->n; i++) {
		const struct source *src = &snap->sources[i];
		bool stale = source_is_stale(src, now) != 0;
		struct seen_stale *seen = seen_find(a, src->name);

		if (src->collected_at == 0 && src->last_error == NULL)
			continue;
		if (seen == NULL) {
			a->seen = xgrow(a->seen, a->nseen, sizeof(*a->seen));
			a->seen[a->nseen++] = (struct seen_stale){xstrdup(src->name), stale};
			continue;
		}
		if (seen->stale == stale)
			continue;
		seen->stale = stale;
		if (atomic_load(&a->notify) && a->master == MASTER_UP)
			send_notification(a, src, stale, now);
	}
	snapshot_release(snap);
}

/* The thread. */

/*
 * The state of net-snmp's log, the thread's: static, as a callback's
 * argument is freed by snmp_shutdown (clear_callback).
 */
static struct {
	bool quiet; /* while init_snmp runs: it complains of the MIB files it is not given */
	double last;
	unsigned long skipped;
} libsnmp_log;

/* net-snmp's log lines, errors only: at most one a minute, the rest counted. */
static int log_callback(int major, int minor, void *server_arg, void *client_arg)
{
	struct snmp_log_message *slm = server_arg;
	double now = time_monotonic();

	(void)major;
	(void)minor;
	(void)client_arg;
	if (libsnmp_log.quiet)
		return 0;
	if (libsnmp_log.last != 0 && now - libsnmp_log.last < LOG_PERIOD) {
		libsnmp_log.skipped++;
		return 0;
	}
	if (libsnmp_log.skipped > 0)
		log_msg(LOG_WARNING, "snmp: net-snmp: %s (%lu more lines not logged)", slm->msg,
			libsnmp_log.skipped);
	else
		log_msg(LOG_WARNING, "snmp: net-snmp: %s", slm->msg);
	libsnmp_log.last = now;
	libsnmp_log.skipped = 0;
	return 0;
}

/* Log when the master is reached or lost, once each time. */
static void watch_master(struct snmp_agent *a)
{
	enum master_state now = main_session != NULL ? MASTER_UP : MASTER_DOWN;

	if (now == a->master)
		return;
	if (now == MASTER_UP) {
		/*
		 * A ping of a master that stopped (SIGSTOP, swapped out) holds this
		 * thread, and so a stop, for net-snmp's 1 s times 6 tries: 2 will do.
		 */
		main_session->retries = 1;
		log_msg(LOG_INFO, "snmp: registered with the AgentX master at %s", a->socket);
	} else
		log_msg(LOG_WARNING, "snmp: AgentX master at %s not reachable; retrying every %u s",
			a->socket, a->ping);
	a->master = now;
}

/* Tell net-snmp what it needs, before init_agent: a subagent, no files, no signals. */
static void configure_library(const struct snmp_agent *a)
{
	snmp_disable_log();
	netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK, LOG_ERR);
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, log_callback, NULL);
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
	netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, a->socket);
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
			   (int)a->ping);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	/* No MIB files: the subagent answers numeric OIDs and prints none. */
	netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIBDIRS, "");
}

/* Wait up to POLL_USEC for the master, then run what is due. */
static void poll_once(void)
{
	netsnmp_large_fd_set fds;
	struct timeval tv = {0, POLL_USEC};
	int numfds = 0, block = 0, n;

	netsnmp_large_fd_set_init(&fds, FD_SETSIZE);
	snmp_select_info2(&numfds, &fds, &tv, &block);
	if (block != 0 || tv.tv_sec > 0 || tv.tv_usec > POLL_USEC) {
		tv.tv_sec = 0;
		tv.tv_usec = POLL_USEC;
	}
	n = netsnmp_large_fd_set_select(numfds, &fds, NULL, NULL, &tv);
	if (n > 0)
		snmp_read2(&fds);
	else if (n == 0)
		snmp_timeout();
	netsnmp_large_fd_set_cleanup(&fds);
	run_alarms();
	netsnmp_check_outstanding_agent_requests();
}

static void *snmp_main(void *arg)
{
	struct snmp_agent *a = arg;

	configure_library(a);
	if (init_agent("vaktd") != 0) {
		log_msg(LOG_ERR, "snmp: net-snmp's agent library did not start; no SNMP");
		return NULL;
	}
	if (table_register(a, &metric_table, "vaktMetricTable") != 0 ||
	    table_register(a, &collector_table, "vaktCollectorTable") != 0) {
		snmp_shutdown("vaktd");
		shutdown_agent();
		return NULL;
	}
	libsnmp_log.quiet = true;
	init_snmp("vaktd");
	libsnmp_log.quiet = false;
	watch_master(a);
	while (!atomic_load(&a->stop)) {
		poll_once();
		watch_master(a);
		check_notifications(a, time_now());
		/* An old snapshot held for nobody keeps its metric sets alive. */
		if (a->rows.snap != NULL && time_monotonic() - a->asked_at > ROWS_IDLE)
			rows_clear(&a->rows);
	}
	/*
	 * Leaving, the subagent says goodbye to the master and waits for its
	 * answer, which a stopped master never gives: half a second, once.
	 */
	if (main_session != NULL) {
		main_session->retries = 0;
		main_session->timeout = 500000L;
	}
	snmp_shutdown("vaktd");
	shutdown_agent();
	return NULL;
}

struct snmp_agent *snmp_start(const struct config *c, struct scheduler *s, char *err, size_t errlen)
{
	struct snmp_agent *a = xcalloc(1, sizeof(*a));
	unsigned long arcs[CONFIG_OID_MAX];
	int n = config_oid_parse(c->snmp.base_oid, arcs, CONFIG_OID_MAX), r;

	if (n < 0) {
		snprintf(err, errlen, "snmp: invalid base_oid %s", c->snmp.base_oid);
		free(a);
		return NULL;
	}
	for (int i = 0; i < n; i++)
		a->base[i] = arcs[i];
	a->base_len = (size_t)n;
	a->socket = xstrdup(c->snmp.agentx_socket);
	a->ping = c->snmp.ping_interval;
	a->sched = s;
	atomic_init(&a->stop, false);
	atomic_init(&a->notify, c->snmp.notifications);
	pthread_mutex_init(&a->lock, NULL);
	r = pthread_create(&a->thread, NULL, snmp_main, a);
	if (r != 0) {
		snprintf(err, errlen, "snmp: cannot start its thread: %s", strerror(r));
		pthread_mutex_destroy(&a->lock);
		free(a->socket);
		free(a);
		return NULL;
	}
	return a;
}

void snmp_set_scheduler(struct snmp_agent *a, struct scheduler *s)
{
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->lock);
	a->sched = s;
	pthread_mutex_unlock(&a->lock);
}

void snmp_set_notifications(struct snmp_agent *a, bool on)
{
	if (a != NULL)
		atomic_store(&a->notify, on);
}

void snmp_stop(struct snmp_agent *a)
{
	if (a == NULL)
		return;
	atomic_store(&a->stop, true);
	pthread_join(a->thread, NULL);
	rows_clear(&a->rows);
	for (size_t i = 0; i < a->nseen; i++)
		free(a->seen[i].name);
	free(a->seen);
	pthread_mutex_destroy(&a->lock);
	free(a->socket);
	free(a);
}
