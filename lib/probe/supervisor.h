/*
 * The Supervisor probe: supervisord's XML-RPC interface over its unix
 * socket or its inet_http_server (HTTP/1.0 POST by lib/http1.c over
 * lib/net.c, the answers read by lib/xmlrpc.c with expat).
 * supervisor.getState, supervisor.getAllProcessInfo, and for each process
 * in a bad state the tail of what it logged
 * (supervisor.readProcessStderrLog, or its stdout log when that has
 * nothing: a program with redirect_stderr logs there). Metrics:
 *
 *   supervisor_up                                 1 when supervisord is RUNNING
 *   supervisor_state{state}                       1, supervisord's state by name
 *   supervisor_process_state{group,name,state}    seconds in that state
 *   supervisor_process_running{group,name}        1 or 0
 *   supervisor_process_start_time_seconds{...}    when it last started (epoch)
 *   supervisor_process_exit_status{...}           its last exit status
 *   supervisor_process_log{group,name,spawnerr,tail} 1, bad processes only
 *   supervisor_group_processes{group}, supervisor_group_running{group},
 *   supervisor_group_running_pct{group}
 *
 * supervisor_process_restarts{group,name} (restarts seen in the flap window)
 * needs the start times of earlier collections, which the caller keeps:
 * see supervisor_starts_see() and supervisor_restarts() in
 * supervisor_verdict.h, which need no expat.
 */
#ifndef VAKT_PROBE_SUPERVISOR_H
#define VAKT_PROBE_SUPERVISOR_H

#include <stddef.h>

#include "metric.h"
#include "xmlrpc.h"

/* supervisord's socket when none is given (Debian's and the upstream example's). */
#define SUPERVISOR_SOCKET "/var/run/supervisor.sock"
/* The most lines of a bad process's log shown, and the most bytes of each. */
#define SUPERVISOR_TAIL_LINES 3
#define SUPERVISOR_TAIL_LINE_MAX 200

struct supervisor_target {
	const char *socket;   /* a unix socket path; NULL: url */
	const char *url;      /* http://HOST:PORT/RPC2, when socket is NULL */
	const char *user;     /* basic authentication, with password; NULL: none */
	const char *password; /* never in a message */
	int family;	      /* AF_UNSPEC, AF_INET or AF_INET6 */
	double timeout;	      /* seconds for every call together */
};

/* What messages call t: its socket path, or the URL's HOST:PORT. */
void probe_supervisor_describe(const struct supervisor_target *t, char *out, size_t outlen);

/*
 * Ask supervisord at t for its state, every process, and the log tails of
 * the bad ones, into set. Returns 0 (also when supervisord is not RUNNING:
 * supervisor_up is then 0), or an enum fail with err ("cannot connect to
 * /run/supervisor.sock: No such file or directory", "supervisord at
 * 127.0.0.1:9001 refused the login (HTTP 401)").
 */
int probe_supervisor(const struct supervisor_target *t, struct metric_set *set, char *err,
		     size_t errlen);

/*
 * The metrics of a getAllProcessInfo answer v into set, group metrics
 * included. Returns 0, or -1 with why when v is not one.
 */
int supervisor_processes(const struct xmlrpc_value *v, struct metric_set *set, char *why,
			 size_t whylen);

#endif
