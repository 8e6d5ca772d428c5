/*
 * HAProxy's `show stat` CSV and `show info` lines (see haproxy_stat.h).
 *
 * The CSV is read in one pass by a cursor that never looks past len: a
 * field is a run of bytes up to a comma or a newline, or a quoted run in
 * which "" stands for one quote (so it may hold commas and newlines). Only
 * the columns vakt uses are kept; the header line says where they are.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "probe/haproxy_stat.h"
#include "xalloc.h"

/* Far more proxies and servers than any configuration has: more is not HAProxy. */
#define MAX_ROWS 100000

/* The columns vakt reads; text ones first. */
enum column {
	COL_PXNAME,
	COL_SVNAME,
	COL_TYPE,
	COL_STATUS,
	COL_CHECK_STATUS,
	COL_CHECK_DESC,
	COL_LAST_CHK,
	COL_MODE,
	COL_CHECK_CODE, /* the first numeric column */
	COL_ACT,
	COL_BCK,
	COL_WEIGHT,
	COL_SCUR,
	COL_SMAX,
	COL_SLIM,
	COL_STOT,
	COL_QCUR,
	COL_QMAX,
	COL_QLIMIT,
	COL_QTIME,
	COL_CTIME,
	COL_RTIME,
	COL_TTIME,
	COL_HRSP_5XX,
	COL_REQ_TOT,
	COL_ECON,
	COL_ERESP,
	COL_CHKFAIL,
	COL_CHKDOWN,
	COL_LASTCHG,
	COL_DOWNTIME,
	NCOLUMNS
};

/* A column's name in the header and, for a number, the double it fills. */
struct column_def {
	const char *name;
	size_t offset; /* in struct haproxy_row; numeric columns only */
};

#define TEXT(c, name) [c] = {name, 0}
#define NUMBER(c, name, member) [c] = {name, offsetof(struct haproxy_row, member)}

static const struct column_def columns[NCOLUMNS] = {
    TEXT(COL_PXNAME, "pxname"),
    TEXT(COL_SVNAME, "svname"),
    TEXT(COL_TYPE, "type"),
    TEXT(COL_STATUS, "status"),
    TEXT(COL_CHECK_STATUS, "check_status"),
    TEXT(COL_CHECK_DESC, "check_desc"),
    TEXT(COL_LAST_CHK, "last_chk"),
    TEXT(COL_MODE, "mode"),
    NUMBER(COL_CHECK_CODE, "check_code", check_code),
    NUMBER(COL_ACT, "act", act),
    NUMBER(COL_BCK, "bck", bck),
    NUMBER(COL_WEIGHT, "weight", weight),
    NUMBER(COL_SCUR, "scur", scur),
    NUMBER(COL_SMAX, "smax", smax),
    NUMBER(COL_SLIM, "slim", slim),
    NUMBER(COL_STOT, "stot", stot),
    NUMBER(COL_QCUR, "qcur", qcur),
    NUMBER(COL_QMAX, "qmax", qmax),
    NUMBER(COL_QLIMIT, "qlimit", qlimit),
    NUMBER(COL_QTIME, "qtime", qtime),
    NUMBER(COL_CTIME, "ctime", ctime),
    NUMBER(COL_RTIME, "rtime", rtime),
    NUMBER(COL_TTIME, "ttime", ttime),
    NUMBER(COL_HRSP_5XX, "hrsp_5xx", hrsp_5xx),
    NUMBER(COL_REQ_TOT, "req_tot", req_tot),
    NUMBER(COL_ECON, "econ", econ),
    NUMBER(COL_ERESP, "eresp", eresp),
    NUMBER(COL_CHKFAIL, "chkfail", chkfail),
    NUMBER(COL_CHKDOWN, "chkdown", chkdown),
    NUMBER(COL_LASTCHG, "lastchg", lastchg),
    NUMBER(COL_DOWNTIME, "downtime", downtime),
};

/* One field: its bytes in the text, or in own when unquoting changed them. */
struct cell {
	const char *p;
	size_t n;
	char *own;
};

/* The cursor, and what the header said. */
struct reader {
	const char *p, *end;
	int *map;     /* header column -> enum column, or -1 for one vakt does not read */
	size_t ncols; /* columns in the header */
	bool has[NCOLUMNS];
};

/* Skip empty lines (LF or CRLF) at the cursor. */
static void skip_blank_lines(struct reader *r)
{
	while (r->p < r->end) {
		if (*r->p == '\n')
			r->p++;
		else if (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n')
			r->p += 2;
		else
			break;
	}
}

/*
 * Read the quoted field whose opening quote is at the cursor into c,
 * unquoting doubled quotes into c->own. Bytes between the closing quote and
 * the next delimiter are dropped: HAProxy writes none.
 */
static void read_quoted(struct reader *r, struct cell *c)
{
	const char *start = ++r->p, *q;
	bool doubled = false;
	size_t n = 0;

	for (;;) {
		q = memchr(r->p, '"', (size_t)(r->end - r->p));
		if (q == NULL) {
			r->p = r->end; /* unterminated: the field is the rest of the text */
			break;
		}
		r->p = q;
		if (q + 1 == r->end || q[1] != '"')
			break;
		doubled = true;
		r->p = q + 2;
	}
	c->p = start;
	c->n = (size_t)(r->p - start);
	if (r->p < r->end)
		r->p++;
	while (r->p < r->end && *r->p != ',' && *r->p != '\n')
		r->p++;
	if (!doubled)
		return;
	c->own = xmalloc(c->n + 1);
	for (size_t i = 0; i < c->n; i++) {
		c->own[n++] = start[i];
		if (start[i] == '"')
			i++; /* the second quote of a pair */
	}
	c->own[n] = '\0';
	c->p = c->own;
	c->n = n;
}

/*
 * Read the field at the cursor into c and step over the delimiter after it.
 * Returns true when another field of the same line follows, false at the
 * end of the line or of the text.
 */
static bool read_field(struct reader *r, struct cell *c)
{
	if (r->p < r->end && *r->p == '"') {
		read_quoted(r, c);
	} else {
		c->p = r->p;
		while (r->p < r->end && *r->p != ',' && *r->p != '\n')
			r->p++;
		c->n = (size_t)(r->p - c->p);
		/* With CRLF, the CR ends the line rather than the last field. */
		if (c->n > 0 && c->p[c->n - 1] == '\r' && (r->p == r->end || *r->p == '\n'))
			c->n--;
	}
	if (r->p < r->end && *r->p == ',') {
		r->p++;
		return true;
	}
	if (r->p < r->end)
		r->p++;
	return false;
}

/* Whether cell c holds exactly the string s. */
static bool cell_is(const struct cell *c, const char *s)
{
	return c->n == strlen(s) && memcmp(c->p, s, c->n) == 0;
}

/* The column called what cell c holds, or -1 for one vakt does not read. */
static int column_of(const struct cell *c)
{
	for (int i = 0; i < NCOLUMNS; i++)
		if (cell_is(c, columns[i].name))
			return i;
	return -1;
}

/*
 * Read the "# pxname,svname,..." line into r. Columns after a "-" are module
 * statistics (HAProxy 2.3+) in no fixed order, and none of them is read.
 * Returns 0, or -1 with err.
 */
static int read_header(struct reader *r, char *err, size_t errlen)
{
	static const enum column required[] = {COL_PXNAME, COL_SVNAME, COL_TYPE};
	bool more = true, modules = false;

	skip_blank_lines(r);
	if (r->p == r->end || *r->p != '#') {
		snprintf(err, errlen, "no '# pxname' header");
		return -1;
	}
	r->p++;
	while (r->p < r->end && *r->p == ' ')
		r->p++;
	while (more) {
		struct cell c = {0};
		int col;

		more = read_field(r, &c);
		col = modules ? -1 : column_of(&c);
		modules = modules || cell_is(&c, "-");
		free(c.own);
		if (col >= 0 && r->has[col])
			col = -1; /* of two columns with one name, the first counts */
		if (col >= 0)
			r->has[col] = true;
		r->map = xgrow(r->map, r->ncols, sizeof(*r->map));
		r->map[r->ncols++] = col;
	}
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!r->has[required[i]]) {
			snprintf(err, errlen, "no %s column", columns[required[i]].name);
			return -1;
		}
	}
	return 0;
}

/* Read one data line into cells (emptied first; fields vakt does not read are skipped). */
static void read_line(struct reader *r, struct cell *cells)
{
	bool more = true;

	for (int i = 0; i < NCOLUMNS; i++)
		cells[i] = (struct cell){"", 0, NULL};
	for (size_t i = 0; more; i++) {
		struct cell c = {0};
		int col = i < r->ncols ? r->map[i] : -1;

		more = read_field(r, &c);
		if (col >= 0)
			cells[col] = c;
		else
			free(c.own);
	}
}

/* Free what read_line() allocated. */
static void cells_free(struct cell *cells)
{
	for (int i = 0; i < NCOLUMNS; i++)
		free(cells[i].own);
}

/* The number in cell c, or NAN when it is empty or not a plain decimal number. */
static double cell_number(const struct cell *c)
{
	char text[64];
	double v;

	if (c->n == 0 || c->n >= sizeof(text))
		return NAN;
	memcpy(text, c->p, c->n);
	text[c->n] = '\0';
	return num_parse(text, &v) == 0 ? v : NAN;
}

/* The integer in cell c into *v; 0, or -1 when the cell holds no integer. */
static int cell_long(const struct cell *c, long *v)
{
	char text[32];

	if (c->n == 0 || c->n >= sizeof(text))
		return -1;
	memcpy(text, c->p, c->n);
	text[c->n] = '\0';
	return num_parse_long(text, LONG_MIN, LONG_MAX, v);
}

/* Whether s is word, alone or followed by a space or '(' and more. */
static bool word_is(const char *s, const char *word)
{
	size_t n = strlen(word);

	return strncmp(s, word, n) == 0 && (s[n] == '\0' || s[n] == ' ' || s[n] == '(');
}

/* Whether s is word followed by " N/M", a transition under way. */
static bool word_moving(const char *s, const char *word)
{
	size_t n = strlen(word);

	return strncmp(s, word, n) == 0 && s[n] == ' ' && s[n + 1] >= '0' && s[n + 1] <= '9';
}

/*
 * A server's status in one word. HAProxy writes "UP 1/3" and "DOWN 1/2"
 * while checks move a server the other way, "DOWN (agent)" and "DRAIN
 * (agent)" for an agent's verdict, "MAINT(via)" (1.5 to 1.9) or "MAINT (via
 * px/srv)" (2.0 on) for a tracked server in maintenance, "MAINT
 * (resolution)" when DNS has no address for it.
 */
enum haproxy_state haproxy_state_parse(const char *s)
{
	if (word_moving(s, "UP"))
		return HAPROXY_GOING_DOWN;
	if (word_is(s, "UP"))
		return HAPROXY_UP;
	if (word_moving(s, "DOWN"))
		return HAPROXY_COMING_UP;
	if (word_is(s, "DOWN"))
		return HAPROXY_DOWN;
	if (word_is(s, "NOLB"))
		return HAPROXY_NOLB;
	if (word_is(s, "DRAIN"))
		return HAPROXY_DRAIN;
	if (word_is(s, "MAINT"))
		return HAPROXY_MAINT;
	if (strcmp(s, "no check") == 0)
		return HAPROXY_NO_CHECK;
	return HAPROXY_OTHER;
}

/* Fill row from the cells of one line of the given type. */
static void fill_row(const struct reader *r, const struct cell *cells, long type,
		     struct haproxy_row *row)
{
	struct cell check = cells[COL_CHECK_STATUS];

	memset(row, 0, sizeof(*row));
	for (int i = COL_CHECK_CODE; i < NCOLUMNS; i++)
		*(double *)((char *)row + columns[i].offset) = cell_number(&cells[i]);
	row->type = (enum haproxy_type)type;
	row->proxy = xstrndup(cells[COL_PXNAME].p, cells[COL_PXNAME].n);
	row->server = xstrndup(cells[COL_SVNAME].p, cells[COL_SVNAME].n);
	row->status = xstrndup(cells[COL_STATUS].p, cells[COL_STATUS].n);
	/* "* L4CON": a check is running, and L4CON is what the last one said. */
	if (check.n >= 2 && check.p[0] == '*' && check.p[1] == ' ') {
		check.p += 2;
		check.n -= 2;
	}
	row->check_status = xstrndup(check.p, check.n);
	row->check_desc = xstrndup(cells[COL_CHECK_DESC].p, cells[COL_CHECK_DESC].n);
	row->last_chk = xstrndup(cells[COL_LAST_CHK].p, cells[COL_LAST_CHK].n);
	row->state = type == HAPROXY_SERVER ? haproxy_state_parse(row->status) : HAPROXY_OTHER;
	row->backup = type == HAPROXY_SERVER && row->bck == 1;
	/* Before 1.7 there is no mode column, but only HTTP proxies fill hrsp_*. */
	if (r->has[COL_MODE])
		row->http = cell_is(&cells[COL_MODE], "http");
	else
		row->http = cells[COL_HRSP_5XX].n > 0;
}

/* Read the data lines after the header into out; 0, or -1 with err. */
static int read_rows(struct reader *r, struct haproxy_stat *out, char *err, size_t errlen)
{
	struct cell cells[NCOLUMNS];
	size_t line = 0;
	long type;

	for (;;) {
		skip_blank_lines(r);
		if (r->p == r->end)
			return 0;
		line++;
		read_line(r, cells);
		if (cell_long(&cells[COL_TYPE], &type) != 0) {
			cells_free(cells);
			snprintf(err, errlen, "row %zu has no type", line);
			return -1;
		}
		if (type < HAPROXY_FRONTEND || type > HAPROXY_SERVER) {
			cells_free(cells); /* listeners, and types to come */
			continue;
		}
		if (out->n == MAX_ROWS) {
			cells_free(cells);
			snprintf(err, errlen, "more than %d rows", MAX_ROWS);
			return -1;
		}
		out->rows = xgrow(out->rows, out->n, sizeof(*out->rows));
		fill_row(r, cells, type, &out->rows[out->n++]);
		cells_free(cells);
	}
}

int haproxy_stat_parse(const char *text, size_t len, struct haproxy_stat *out, char *err,
		       size_t errlen)
{
	struct reader r = {.p = text, .end = text + len};
	int rc;

	out->rows = NULL;
	out->n = 0;
	rc = read_header(&r, err, errlen);
	if (rc == 0)
		rc = read_rows(&r, out, err, errlen);
	free(r.map);
	if (rc != 0)
		haproxy_stat_free(out);
	return rc;
}

void haproxy_stat_free(struct haproxy_stat *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->rows[i].proxy);
		free(s->rows[i].server);
		free(s->rows[i].status);
		free(s->rows[i].check_status);
		free(s->rows[i].check_desc);
		free(s->rows[i].last_chk);
	}
	free(s->rows);
	s->rows = NULL;
	s->n = 0;
}

const char *haproxy_state_word(enum haproxy_state s)
{
	switch (s) {
	case HAPROXY_UP:
		return "UP";
	case HAPROXY_GOING_DOWN:
		return "going down";
	case HAPROXY_DOWN:
		return "DOWN";
	case HAPROXY_COMING_UP:
		return "coming up";
	case HAPROXY_NOLB:
		return "NOLB";
	case HAPROXY_DRAIN:
		return "DRAIN";
	case HAPROXY_MAINT:
		return "MAINT";
	case HAPROXY_NO_CHECK:
		return "no check";
	case HAPROXY_OTHER:
		break;
	}
	return "other";
}

bool haproxy_state_up(enum haproxy_state s)
{
	return s == HAPROXY_UP || s == HAPROXY_GOING_DOWN || s == HAPROXY_NOLB ||
	       s == HAPROXY_DRAIN || s == HAPROXY_NO_CHECK;
}

/* A member's index, sorted by proxy name so that a proxy's members are neighbours. */
struct by_proxy {
	const char *proxy;
	size_t i;
};

static int by_proxy_cmp(const void *a, const void *b)
{
	const struct by_proxy *x = a, *y = b;
	int c = strcmp(x->proxy, y->proxy);

	return c != 0 ? c : x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Server counts of a backend: active servers not in MAINT, those up, and
 * every server configured (backup, MAINT) at all.
 */
struct tally {
	double servers, up, configured;
};

/* Add name = value labelled proxy and server, unless value is not a number. */
static void add_labelled(struct metric_set *set, const char *proxy, const char *server,
			 const char *name, enum metric_kind kind, const char *unit, double value)
{
	struct metric *m;

	if (!isfinite(value))
		return;
	m = metric_set_add(set, name, kind, unit, value);
	metric_label_add(m, "proxy", proxy);
	metric_label_add(m, "server", server);
}

/* The server counts of backend b, with t its proxy's tally. */
static void add_counts(struct metric_set *set, const struct haproxy_member *b,
		       const struct tally *t)
{
	/*
	 * A backend without servers (a stats page, a redirect, a listen
	 * section that answers itself) has none by design: no server counts
	 * that would read as an outage ("0 of 0 up") or trip an alert on
	 * haproxy_servers_up.
	 */
	if (t->configured == 0)
		return;
	add_labelled(set, b->proxy, b->server, "haproxy_servers", METRIC_GAUGE, "", t->servers);
	add_labelled(set, b->proxy, b->server, "haproxy_servers_up", METRIC_GAUGE, "", t->up);
	if (t->servers > 0)
		add_labelled(set, b->proxy, b->server, "haproxy_servers_up_pct", METRIC_GAUGE, "%",
			     100.0 * t->up / t->servers);
}

/*
 * Count the servers of every backend among the n members and add its
 * counts, backends in the members' order. Sorting keeps this n log n where
 * scanning the members for each backend would be quadratic.
 */
void haproxy_counts_metrics(const struct haproxy_member *mb, size_t n, struct metric_set *set)
{
	struct by_proxy *order = xcalloc(n + 1, sizeof(*order));
	struct tally *t = xcalloc(n + 1, sizeof(*t));
	size_t from = 0;

	for (size_t i = 0; i < n; i++)
		order[i] = (struct by_proxy){mb[i].proxy, i};
	qsort(order, n, sizeof(*order), by_proxy_cmp);
	while (from < n) {
		struct tally sum = {0, 0, 0};
		size_t to = from;

		for (; to < n && strcmp(order[to].proxy, order[from].proxy) == 0; to++) {
			const struct haproxy_member *m = &mb[order[to].i];

			sum.configured += m->type == HAPROXY_SERVER;
			if (m->type != HAPROXY_SERVER || m->backup || m->state == HAPROXY_MAINT)
				continue;
			sum.servers++;
			sum.up += haproxy_state_up(m->state);
		}
		for (size_t k = from; k < to; k++)
			t[order[k].i] = sum;
		from = to;
	}
	for (size_t i = 0; i < n; i++)
		if (mb[i].type == HAPROXY_BACKEND)
			add_counts(set, &mb[i], &t[i]);
	free(order);
	free(t);
}

/* Add name = value labelled with row's proxy and server, unless value is not a number. */
static void add(struct metric_set *set, const struct haproxy_row *row, const char *name,
		enum metric_kind kind, const char *unit, double value)
{
	add_labelled(set, row->proxy, row->server, name, kind, unit, value);
}

/* Whether row's object takes traffic (haproxy_up). */
static bool row_up(const struct haproxy_row *row)
{
	switch (row->type) {
	case HAPROXY_FRONTEND:
		return strcmp(row->status, "OPEN") == 0;
	case HAPROXY_BACKEND:
		return strcmp(row->status, "UP") == 0;
	case HAPROXY_SERVER:
		return haproxy_state_up(row->state);
	case HAPROXY_LISTENER:
		break;
	}
	return false;
}

const char *haproxy_type_word(enum haproxy_type t)
{
	switch (t) {
	case HAPROXY_FRONTEND:
		return "frontend";
	case HAPROXY_BACKEND:
		return "backend";
	case HAPROXY_SERVER:
		return "server";
	case HAPROXY_LISTENER:
		break;
	}
	return "listener";
}

/*
 * haproxy_status of row: what a check says of it, in the words HAProxy
 * prints, worth the seconds since its status changed (NAN when HAProxy
 * does not say: frontends).
 */
static void add_status(struct metric_set *set, const struct haproxy_row *row)
{
	struct metric *m = metric_set_add(set, "haproxy_status", METRIC_GAUGE, "s", row->lastchg);
	/* The last check's own words ("Connection refused") say more than its kind's. */
	const char *reason = row->last_chk[0] != '\0' ? row->last_chk : row->check_desc;

	metric_label_add(m, "proxy", row->proxy);
	metric_label_add(m, "server", row->server);
	metric_label_add(m, "type", haproxy_type_word(row->type));
	metric_label_add(m, "status", row->status);
	if (row->type != HAPROXY_SERVER)
		return;
	metric_label_add(m, "backup", row->backup ? "1" : "0");
	if (row->check_status[0] != '\0')
		metric_label_add(m, "check", row->check_status);
	if (reason[0] != '\0')
		metric_label_add(m, "check_reason", reason);
}

/* The metrics of one row but its server counts. */
static void row_metrics(const struct haproxy_row *row, struct metric_set *set)
{
	bool queue = row->type == HAPROXY_BACKEND || row->type == HAPROXY_SERVER;

	add(set, row, "haproxy_up", METRIC_GAUGE, "", row_up(row) ? 1 : 0);
	if (row->type == HAPROXY_SERVER)
		add(set, row, "haproxy_state", METRIC_GAUGE, "", row->state);
	add_status(set, row);
	add(set, row, "haproxy_sessions", METRIC_GAUGE, "", row->scur);
	if (row->slim > 0)
		add(set, row, "haproxy_sessions_pct", METRIC_GAUGE, "%",
		    100.0 * row->scur / row->slim);
	if (queue) {
		add(set, row, "haproxy_queue", METRIC_GAUGE, "", row->qcur);
		add(set, row, "haproxy_queue_time", METRIC_GAUGE, "s", row->qtime / 1000);
	}
	if (row->http)
		add(set, row, "haproxy_responses_5xx", METRIC_COUNTER, "", row->hrsp_5xx);
}

void haproxy_stat_metrics(const struct haproxy_stat *s, struct metric_set *set)
{
	struct haproxy_member *mb;

	if (s->n == 0)
		return;
	mb = xcalloc(s->n, sizeof(*mb));
	for (size_t i = 0; i < s->n; i++) {
		const struct haproxy_row *row = &s->rows[i];

		row_metrics(row, set);
		mb[i] = (struct haproxy_member){row->proxy, row->server, row->type, row->state,
						row->backup};
	}
	haproxy_counts_metrics(mb, s->n, set);
	free(mb);
}

/* The number in value (vlen bytes), or NAN. */
static double info_number(const char *value, size_t vlen)
{
	struct cell c = {value, vlen, NULL};

	return cell_number(&c);
}

/* Take one "Name: value" line of show info; returns whether it says this is show info. */
static bool info_line(struct haproxy_info *in, const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len), *value;
	size_t nlen, vlen;

	if (colon == NULL)
		return false;
	nlen = (size_t)(colon - line);
	value = colon + 1;
	vlen = len - nlen - 1;
	while (vlen > 0 && (*value == ' ' || *value == '\t')) {
		value++;
		vlen--;
	}
	while (vlen > 0 &&
	       (value[vlen - 1] == ' ' || value[vlen - 1] == '\t' || value[vlen - 1] == '\r'))
		vlen--;
#define IS(s) (nlen == sizeof(s) - 1 && memcmp(line, s, nlen) == 0)
	if (IS("Version")) {
		if (vlen >= sizeof(in->version))
			vlen = sizeof(in->version) - 1;
		memcpy(in->version, value, vlen);
		in->version[vlen] = '\0';
		return true;
	}
	if (IS("CurrConns")) {
		in->curr_conns = info_number(value, vlen);
		return true;
	}
	if (IS("Maxconn"))
		in->maxconn = info_number(value, vlen);
	else if (IS("Idle_pct"))
		in->idle_pct = info_number(value, vlen);
	else if (IS("Uptime_sec"))
		in->uptime = info_number(value, vlen);
	return IS("Name");
#undef IS
}

int haproxy_info_parse(const char *text, size_t len, struct haproxy_info *out)
{
	const char *p = text, *end = text + len;
	bool info = false;

	memset(out, 0, sizeof(*out));
	out->curr_conns = out->maxconn = out->idle_pct = out->uptime = NAN;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl == NULL ? (size_t)(end - p) : (size_t)(nl - p);

		info = info_line(out, p, n) || info;
		p = nl == NULL ? end : nl + 1;
	}
	return info ? 0 : -1;
}

/* Add name = value, unlabelled, unless value is not a number. */
static void add_info(struct metric_set *set, const char *name, const char *unit, double value)
{
	if (isfinite(value))
		metric_set_add(set, name, METRIC_GAUGE, unit, value);
}

void haproxy_info_metrics(const struct haproxy_info *in, struct metric_set *set)
{
	add_info(set, "haproxy_conns", "", in->curr_conns);
	add_info(set, "haproxy_conns_max", "", in->maxconn);
	if (in->maxconn > 0)
		add_info(set, "haproxy_conns_pct", "%", 100.0 * in->curr_conns / in->maxconn);
	add_info(set, "haproxy_idle_pct", "%", in->idle_pct);
}
