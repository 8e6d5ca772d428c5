/*
 * Metric descriptions and Prometheus names (see metricdoc.h). The table is
 * the single place a metric is explained: a probe that adds a metric adds a
 * line here (tests/unit/test_expose.c lists the names it expects to find).
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "metricdoc.h"

struct metricdoc {
	const char *name;
	const char *help;
};

/* Descriptions say what is measured, never the unit: each exposition has its own. */
static const struct metricdoc docs[] = {
    /* lib/probe/load.c */
    {"load1", "Load average over the last minute: runnable plus uninterruptible tasks."},
    {"load5", "Load average over the last 5 minutes: runnable plus uninterruptible tasks."},
    {"load15", "Load average over the last 15 minutes: runnable plus uninterruptible tasks."},
    {"procs_running", "Tasks currently runnable."},
    {"procs", "Tasks (processes and threads) that exist."},
    {"cpus_online", "CPUs online."},
    {"pressure_some_avg10",
     "Share of the last 10 seconds in which some tasks were stalled on the resource."},
    {"pressure_some_avg60",
     "Share of the last 60 seconds in which some tasks were stalled on the resource."},
    {"pressure_some_avg300",
     "Share of the last 300 seconds in which some tasks were stalled on the resource."},
    {"pressure_full_avg10",
     "Share of the last 10 seconds in which all non-idle tasks were stalled on the resource."},
    {"pressure_full_avg60",
     "Share of the last 60 seconds in which all non-idle tasks were stalled on the resource."},
    {"pressure_full_avg300",
     "Share of the last 300 seconds in which all non-idle tasks were stalled on the resource."},
    {"pressure_some_total", "Time in which some tasks were stalled on the resource."},
    {"pressure_full_total", "Time in which all non-idle tasks were stalled on the resource."},
    /* lib/probe/fds.c */
    {"fds_allocated", "File handles allocated system-wide."},
    {"fds_max", "The most file handles the kernel will allocate (fs.file-max)."},
    {"process_fds_open", "File descriptors the process has open."},
    {"process_fds_limit",
     "The process's soft limit on open file descriptors (NaN when unlimited)."},
    /* lib/probe/listen.c */
    {"listen_queue", "Connections completed but not yet accepted on a TCP listen socket."},
    {"listen_backlog", "The most connections the listen socket's accept queue holds."},
    /* lib/probe/netstat.c */
    {"listen_overflows", "Connections dropped because a listen socket's accept queue was full."},
    {"listen_drops", "Connections dropped at a listen socket, for any reason."},
    /* lib/probe/redis.c, lib/probe/redis_info.c and the RabbitMQ probe: queues */
    {"queue_depth", "Messages waiting in the queue (RabbitMQ: ready plus unacknowledged)."},
    {"celery_unacked", "Celery tasks delivered to a worker but not yet acknowledged."},
    {"celery_oldest_unacked_age_seconds",
     "Time since the oldest unacknowledged Celery task was delivered to a worker."},
    {"celery_oldest_unacked_task",
     "1, labelled with the name (task) and id (task_id) of the oldest unacknowledged Celery "
     "task."},
    /* lib/drain.c */
    {"queue_not_draining_seconds",
     "Time for which messages have waited in the queue and its depth never fell (nor, on "
     "RabbitMQ, was a message delivered or acknowledged); 0 while it drains or is empty."},
    {"queue_drain_rate",
     "Messages per second by which the queue's depth fell since the previous sample "
     "(negative while it grows)."},
    {"resque_failed", "Resque jobs in the failed list."},
    {"resque_workers", "Resque workers registered."},
    {"queue_missing", "1 when a queue asked for by name does not exist (Redis: its key)."},
    {"redis_key_not_queue", "1 for a key asked for as a queue whose type is no queue's."},
    {"redis_queues_cut", "1 when more than 1000 queues were found and the rest left out."},
    {"redis_scan_cut", "1 when queue discovery stopped at its scan limit."},
    {"celery_unbound", "1 when no Celery (kombu) binding was found to discover queues from."},
    {"resque_empty", "1 when the Resque namespace's queue set is empty or missing."},
    {"queue_ready", "Messages ready to be delivered."},
    {"queue_unacked", "Messages delivered and not yet acknowledged."},
    {"queue_consumers", "Consumers subscribed to the queue."},
    {"queue_idle", "Time since the queue became idle (0 while in use)."},
    {"queue_running", "1 while the queue runs (state running, idle or flow), else 0."},
    {"queue_publish_rate", "Messages published to the queue per second."},
    {"queue_deliver_rate", "Messages delivered or fetched from the queue per second."},
    {"queue_ack_rate", "Messages acknowledged per second."},
    {"queue_info", "1, labelled with the queue's type and state (RabbitMQ's words)."},
    {"queue_stalled",
     "Seconds (up to 600) for which a queue with messages ready and consumers attached has "
     "delivered and acknowledged nothing (a stalled consumer); 0 when the queue moves."},
    /* lib/probe/rabbitmq_json.c: the cluster and its nodes */
    {"rabbitmq_messages", "Messages in all queues."},
    {"rabbitmq_messages_ready", "Messages ready in all queues."},
    {"rabbitmq_messages_unacked", "Messages unacknowledged in all queues."},
    {"rabbitmq_publish_rate", "Messages published per second, cluster-wide."},
    {"rabbitmq_deliver_rate", "Messages delivered or fetched per second, cluster-wide."},
    {"rabbitmq_ack_rate", "Messages acknowledged per second, cluster-wide."},
    {"rabbitmq_connections", "Client connections."},
    {"rabbitmq_channels", "Open channels."},
    {"rabbitmq_queues", "Queues."},
    {"rabbitmq_consumers", "Consumers."},
    {"rabbitmq_build_info", "1, labelled with the RabbitMQ version."},
    {"rabbitmq_queues_listed", "Queues the listing of a virtual host found."},
    {"rabbitmq_health_ok", "1 when the health check passed, 0 when it failed (label reason)."},
    {"rabbitmq_health_error",
     "Set when the health checks could not be run: the failure's code (label reason)."},
    {"rabbitmq_running", "1 when the node is running."},
    {"rabbitmq_mem_alarm", "1 when the node's memory alarm blocks publishers."},
    {"rabbitmq_disk_free_alarm", "1 when the node's disk free alarm blocks publishers."},
    {"rabbitmq_mem_used", "Memory the node uses."},
    {"rabbitmq_mem_limit", "The node's memory high watermark."},
    {"rabbitmq_mem_pct", "Memory used as a share of the high watermark."},
    {"rabbitmq_disk_free", "Free disk space where the node keeps its data."},
    {"rabbitmq_fds_used", "File descriptors the node uses."},
    {"rabbitmq_fds_total", "The most file descriptors the node may use."},
    {"rabbitmq_fds_pct", "File descriptors used as a share of the limit."},
    {"rabbitmq_sockets_used", "Sockets the node uses."},
    {"rabbitmq_sockets_total", "The most sockets the node may use."},
    {"rabbitmq_sockets_pct", "Sockets used as a share of the limit."},
    {"rabbitmq_procs_used", "Erlang processes on the node."},
    {"rabbitmq_procs_total", "The most Erlang processes the node may run."},
    {"rabbitmq_procs_pct", "Erlang processes as a share of the limit."},
    /* lib/probe/stub_status.c, lib/probe/nginx.c */
    {"nginx_active", "Client connections nginx has open, in every state."},
    {"nginx_reading", "Connections on which nginx is reading the request header."},
    {"nginx_writing",
     "Connections on which nginx is working on a request or writing the response."},
    {"nginx_waiting", "Idle keep-alive connections waiting for a request."},
    {"nginx_accepts", "Connections nginx accepted since it started."},
    {"nginx_handled", "Connections nginx handled since it started."},
    {"nginx_requests", "Requests nginx served since it started."},
    {"nginx_dropped", "Connections accepted but not handled: worker_connections was exhausted."},
    {"nginx_response_time", "Time the stub_status page took to answer."},
    /* lib/probe/haproxy_stat.c */
    {"haproxy_up", "1 when the frontend is open, the backend up or the server taking traffic."},
    {"haproxy_state", "Server state: 0 UP, 1 going down, 2 DOWN, 3 coming up, 4 NOLB, 5 DRAIN, 6 "
		      "MAINT, 7 no check, 8 other."},
    {"haproxy_status", "Time since the status (label status, as HAProxy prints it) last changed; "
		       "servers also carry backup, check and check_reason."},
    {"haproxy_sessions", "Current sessions."},
    {"haproxy_sessions_pct", "Current sessions as a share of the session limit."},
    {"haproxy_queue", "Requests queued, waiting for a server."},
    {"haproxy_queue_time", "Average time in the queue over the last 1024 requests."},
    {"haproxy_responses_5xx", "HTTP responses with a 5xx status."},
    {"haproxy_servers", "Active servers of the backend, without backups and servers in MAINT."},
    {"haproxy_servers_up", "Active servers of the backend that are up."},
    {"haproxy_servers_up_pct", "Active servers up as a share of the backend's active servers."},
    {"haproxy_conns", "Connections the HAProxy process has open."},
    {"haproxy_conns_max", "The most connections the HAProxy process accepts (maxconn)."},
    {"haproxy_conns_pct", "Connections as a share of maxconn."},
    {"haproxy_idle_pct", "Share of time the HAProxy process was idle."},
    /* lib/probe/redis.c, lib/probe/redis_info.c: the server */
    {"redis_ping", "Round trip of a PING to the Redis server."},
    {"redis_memory_used", "Memory Redis has allocated for data (used_memory)."},
    {"redis_memory_max", "Redis's memory limit (maxmemory), when one is set."},
    {"redis_memory_pct", "Memory used as a share of maxmemory."},
    {"redis_clients", "Clients connected to Redis."},
    {"redis_clients_max", "The most clients Redis accepts (maxclients)."},
    {"redis_clients_pct", "Connected clients as a share of maxclients."},
    {"redis_blocked_clients", "Clients waiting in a blocking command (BLPOP and the like)."},
    {"redis_rejected_connections", "Connections Redis refused because maxclients was reached."},
    {"redis_evicted_keys", "Keys Redis removed to stay under maxmemory."},
    {"redis_keyspace_hits", "Key lookups that found their key."},
    {"redis_keyspace_misses", "Key lookups that did not find their key."},
    {"redis_loading", "1 while Redis loads its dataset from disk."},
    {"redis_rdb_save_ok", "1 when the last RDB save succeeded, 0 when it failed."},
    {"redis_aof_write_ok", "1 when the last AOF write succeeded, 0 when it failed."},
    {"redis_replica", "1 when this Redis is a replica."},
    {"redis_connected_replicas", "Replicas connected to this Redis."},
    {"redis_replica_info", "1 on a replica, labelled with its master."},
    {"redis_master_syncing", "1 while the replica is in a full sync with its master."},
    {"redis_master_link_up", "1 when the replica's link to its master is up."},
    {"redis_master_last_io", "Time since the replica last heard from its master."},
    {"redis_master_link_down", "How long the replica's link to its master has been down."},
    /* lib/probe/locks.c: MySQL/MariaDB and PostgreSQL lock waits (label dbms) */
    {"lock_waiters", "Sessions waiting for a lock now."},
    {"lock_wait_longest", "The longest current lock wait (0 when no session waits)."},
    {"lock_blockers", "Sessions holding up at least one other session."},
    {"lock_blocked_most", "The most sessions one blocker holds up, directly or through chains."},
    {"lock_blocker_idle", "The longest a blocker has sat idle in its open transaction."},
    {"lock_deadlocks",
     "Deadlocks the server detected (MariaDB's Innodb_deadlocks; PostgreSQL: every database)."},
    {"lock_row_waits", "Row-lock waits since the server started (InnoDB)."},
    {"lock_row_wait_time", "Time spent waiting for row locks since the server started (InnoDB)."},
    {"lock_table_waits", "Table-lock requests that had to wait since the server started."},
    {"lock_sessions", "Sessions that wait for a lock or hold one up (at most 1000 counted)."},
    {"lock_sessions_dropped", "Rows about sessions past the 1000 counted (0 normally)."},
    {"lock_session_wait", "How long this session has waited for the lock it names."},
    {"lock_blocker_sessions", "Sessions this blocker holds up, directly or through chains."},
    {"lock_blocker_direct", "Sessions waiting for this blocker directly."},
    {"lock_session_trx_age", "How long this session's transaction has been open."},
    {"lock_session_idle", "How long this session has sat idle in its open transaction."},
    /* the agent about itself */
    {"collector_duration", "How long the collector's last run took."},
    {"collector_runs", "Collections the collector attempted since the agent started."},
    {"collector_errors", "Collections that failed since the agent started."},
    {"collector_last_success", "When the collector last succeeded, as Unix time (0: never)."},
    {"collector_up", "1 when the collector's metrics are fresh, 0 when stale or missing."},
    {"http_requests", "HTTP requests the agent has answered."},
    {"http_connections", "HTTP connections open now."},
    {"http_connections_closed",
     "HTTP connections the agent closed: past connection_timeout (deadline), for a newcomer "
     "(made_room), or new without a place (no_room)."},
    {"resident_memory", "The agent's resident memory."},
    {"uptime", "Time since the agent started."},
    /* lib/probe/supervisor.c and lib/probe/supervisor_verdict.c */
    {"supervisor_up", "1 when supervisord answers and its state is RUNNING, else 0."},
    {"supervisor_state",
     "1, with supervisord's own state (RUNNING, RESTARTING, SHUTDOWN) as a label."},
    {"supervisor_process_state", "Time the process has been in the state its label names."},
    {"supervisor_process_running", "1 when the process is RUNNING, else 0."},
    {"supervisor_process_start_time_seconds", "When the process last started, since the epoch."},
    {"supervisor_process_exit_status", "The exit status of the process's last exit."},
    {"supervisor_process_restarts",
     "Times the process started within the flap window, as seen by the collections."},
    {"supervisor_flap_window_seconds", "The window over which restarts are counted."},
    {"supervisor_process_log",
     "1 for a process in a bad state, with its spawn error and last log lines as labels."},
    {"supervisor_group_processes", "Processes in the group."},
    {"supervisor_group_running", "Processes of the group that are RUNNING."},
    {"supervisor_group_running_pct", "Share of the group's processes that are RUNNING."},
};

struct unitdoc {
	const char *unit;   /* the perfdata unit */
	const char *suffix; /* the Prometheus base unit, "" for none */
	double factor;	    /* unit -> base unit */
};

static const struct unitdoc units[] = {
    {"s", "seconds", 1},
    {"ms", "seconds", 1e-3},
    {"us", "seconds", 1e-6},
    {"B", "bytes", 1},
    {"KB", "bytes", 1024.0},
    {"MB", "bytes", 1024.0 * 1024},
    {"GB", "bytes", 1024.0 * 1024 * 1024},
    {"TB", "bytes", 1024.0 * 1024 * 1024 * 1024},
    {"%", "ratio", 0.01},
    {"", "", 1},
    {"c", "", 1},
};

const char *metricdoc_base_unit(const char *unit)
{
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(units[i].unit, unit) == 0)
			return units[i].suffix;
	return unit;
}

const char *metricdoc_help(const char *name)
{
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		if (strcmp(docs[i].name, name) == 0)
			return docs[i].help;
	return NULL;
}

/* True when the first n bytes of s end with "_" suffix. */
static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n > k && s[n - k - 1] == '_' && memcmp(s + n - k, suffix, k) == 0;
}

static bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == ':';
}

void metricdoc_prometheus_name(const char *name, const char *unit, enum metric_kind kind, char *out,
			       size_t outlen, double *factor)
{
	const char *suffix = "";
	size_t n = strlen(name);
	bool add_unit;

	*factor = 1;
	for (size_t i = 0; unit != NULL && i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(units[i].unit, unit) == 0) {
			suffix = units[i].suffix;
			*factor = units[i].factor;
			break;
		}
	}
	/*
	 * "_total" belongs at the very end and only on counters, so take it off
	 * the vakt name first: pressure_some_total in us becomes
	 * pressure_some_seconds_total.
	 */
	while (ends_with(name, n, "total"))
		n -= strlen("_total");
	add_unit = suffix[0] != '\0' && !ends_with(name, n, suffix);
	if (outlen == 0)
		return;
	snprintf(out, outlen, "vakt_%.*s%s%s%s", (int)n, name, add_unit ? "_" : "",
		 add_unit ? suffix : "", kind == METRIC_COUNTER ? "_total" : "");
	for (char *p = out; *p != '\0'; p++)
		if (!name_char_ok(*p))
			*p = '_';
}
