/*
 * HAProxy's statistics as it prints them: the CSV of `show stat` (the stats
 * socket) or of the stats page's ";csv", and the "Key: value" lines of
 * `show info`. Both parsers are pure functions over those bytes, unit-tested
 * on the output of several HAProxy versions and fuzzed.
 *
 * Columns are found by the names in the "# pxname,svname,..." header line,
 * never by position: HAProxy 1.5 through 3.x add columns, and 2.8 inserted
 * one in the middle. A column an older version lacks reads as NAN or "".
 *
 * haproxy_stat_metrics() turns the rows into metrics, labelled proxy and
 * server (the pxname and svname HAProxy prints: "FRONTEND", "BACKEND" or
 * the server's name):
 *   haproxy_up            1 when an object takes traffic: a frontend OPEN, a
 *                         backend UP, a server UP (also "UP 1/3", NOLB,
 *                         DRAIN, "no check"); 0 otherwise
 *   haproxy_state         servers only, enum haproxy_state as a number
 *   haproxy_status        s since the status last changed (lastchg; NAN for
 *                         frontends, where HAProxy does not say), labelled
 *                         too type (frontend, backend, server) and status
 *                         (as printed: "UP", "DOWN 1/2", "MAINT(via)",
 *                         "OPEN"); servers also backup ("1" or "0"), and
 *                         when HAProxy has them check (check_status:
 *                         "L4CON") and check_reason (the last check's own
 *                         words, else its kind's: "Connection refused")
 *   haproxy_sessions      current sessions (scur)
 *   haproxy_sessions_pct  % of the session limit (slim), when there is one
 *   haproxy_queue         queued requests (qcur), backends and servers
 *   haproxy_queue_time    s, average queue time of the last 1024 requests
 *                         (qtime, HAProxy 1.5+), backends and servers
 *   haproxy_responses_5xx counter (hrsp_5xx), when the proxy is HTTP
 *   haproxy_servers       backends: active servers, not counting backups
 *                         or servers in MAINT
 *   haproxy_servers_up    backends: of those, how many are up
 *   haproxy_servers_up_pct backends: servers_up as % of servers
 * haproxy_info_metrics() adds haproxy_conns, haproxy_conns_max,
 * haproxy_conns_pct (%) and haproxy_idle_pct (%), unlabelled.
 */
#ifndef VAKT_PROBE_HAPROXY_STAT_H
#define VAKT_PROBE_HAPROXY_STAT_H

#include <stdbool.h>
#include <stddef.h>

#include "metric.h"

/* The type column; rows of other types are skipped. */
enum haproxy_type {
	HAPROXY_FRONTEND = 0,
	HAPROXY_BACKEND = 1,
	HAPROXY_SERVER = 2,
	HAPROXY_LISTENER = 3,
};

/* A server's status column in one word; haproxy_state is its metric value. */
enum haproxy_state {
	HAPROXY_UP = 0,		/* "UP" */
	HAPROXY_GOING_DOWN = 1, /* "UP 1/3": failing checks, still in use */
	HAPROXY_DOWN = 2,	/* "DOWN" */
	HAPROXY_COMING_UP = 3,	/* "DOWN 1/2": passing checks, not yet in use */
	HAPROXY_NOLB = 4,	/* "NOLB": takes only persistent sessions */
	HAPROXY_DRAIN = 5,	/* "DRAIN": takes no new sessions */
	HAPROXY_MAINT = 6,	/* "MAINT", "MAINT(via)", "MAINT(resolution)" */
	HAPROXY_NO_CHECK = 7,	/* "no check": up, and never checked */
	HAPROXY_OTHER = 8,	/* anything else HAProxy may print */
};

/*
 * One row of the CSV. Strings are owned by the row and never NULL ("" when
 * the column is absent or empty); numbers are NAN when absent or empty.
 */
struct haproxy_row {
	char *proxy;  /* pxname */
	char *server; /* svname */
	enum haproxy_type type;
	char *status;		  /* as printed: "UP", "DOWN 1/2", "MAINT(via)", "OPEN" */
	enum haproxy_state state; /* status in one word (servers; HAPROXY_OTHER for others) */
	char *check_status;	  /* "L4CON", without the leading "* " of a running check */
	char *check_desc;	  /* "Layer4 connection problem" (1.7+) */
	char *last_chk;		  /* the last check's own words, "Connection refused" (1.5+) */
	double check_code;	  /* L7 status or L4 errno */
	bool backup;		  /* servers: bck is 1 */
	double act, bck;	  /* backends: active and backup servers up */
	double weight;
	double scur, smax, slim, stot;
	double qcur, qmax, qlimit;
	double qtime, ctime, rtime, ttime; /* ms, averages of the last 1024 requests */
	double hrsp_5xx;		   /* counter */
	double req_tot;			   /* counter */
	double econ, eresp;		   /* counters */
	double chkfail, chkdown;	   /* counters */
	double lastchg;			   /* s since the last status change */
	double downtime;		   /* s, in total */
	bool http;			   /* mode is http (or hrsp_* is filled, before 1.7) */
};

struct haproxy_stat {
	struct haproxy_row *rows;
	size_t n;
};

/*
 * Parse `show stat` output of len bytes (LF or CRLF; fields may be quoted
 * with '"', a doubled quote inside being one quote). Rows whose type is not
 * 0..2 are skipped. Returns 0, or -1 with the reason in err ("no '# pxname'
 * header", "no svname column", "row 3 has no type") when the text is not
 * HAProxy statistics. An empty table (a header and no rows) is 0.
 */
int haproxy_stat_parse(const char *text, size_t len, struct haproxy_stat *out, char *err,
		       size_t errlen);
void haproxy_stat_free(struct haproxy_stat *s);
/* The word of a state for messages: "UP", "going down", "MAINT", ... */
const char *haproxy_state_word(enum haproxy_state s);
/* A server's status column ("UP 1/3", "MAINT(via)") in one word. */
enum haproxy_state haproxy_state_parse(const char *status);
/* Whether a server in state s takes traffic (UP, going down, NOLB, DRAIN, no check). */
bool haproxy_state_up(enum haproxy_state s);
/* The type label of haproxy_status: "frontend", "backend" or "server". */
const char *haproxy_type_word(enum haproxy_type t);
/* Add the metrics of every row (see above) to set. */
void haproxy_stat_metrics(const struct haproxy_stat *s, struct metric_set *set);

/* One row, as much of it as the server counts of its backend need. */
struct haproxy_member {
	const char *proxy, *server;
	enum haproxy_type type;
	enum haproxy_state state;
	bool backup;
};

/*
 * Add haproxy_servers, haproxy_servers_up and haproxy_servers_up_pct of
 * every backend among the n members (counting the servers among them) to
 * set, in the members' order. haproxy_stat_metrics() counts every row; a
 * check that leaves some out (--server, --exclude) counts what is left.
 */
void haproxy_counts_metrics(const struct haproxy_member *mb, size_t n, struct metric_set *set);

/* What vakt uses of `show info`; NAN when absent. */
struct haproxy_info {
	char version[32];  /* Version; "" when absent */
	double curr_conns; /* CurrConns */
	double maxconn;	   /* Maxconn */
	double idle_pct;   /* Idle_pct */
	double uptime;	   /* Uptime_sec */
};

/*
 * Parse `show info` output ("Name: value" lines). Returns 0, or -1 when
 * the text has neither Name nor Version nor CurrConns (not `show info`).
 */
int haproxy_info_parse(const char *text, size_t len, struct haproxy_info *out);
void haproxy_info_metrics(const struct haproxy_info *in, struct metric_set *set);

#endif
