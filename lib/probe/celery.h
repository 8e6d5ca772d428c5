/*
 * What vakt reads of Celery's own messages: bytes of JSON in, words out, no
 * I/O. The Redis probe hands it a task kept in Celery's hash unacked (kombu's
 * Redis transport stores each delivered, unacknowledged message there under
 * its delivery tag as JSON: [message, exchange, routing_key], the message an
 * object whose headers name the task, protocol 2).
 */
#ifndef VAKT_PROBE_CELERY_H
#define VAKT_PROBE_CELERY_H

#include <stddef.h>

/* Nesting read at most in a message, and the room for a task's name or id (bytes, NUL included). */
#define CELERY_JSON_DEPTH 16
#define CELERY_TASK_MAX 200

/*
 * The task's name (headers.task) and id (headers.id, "" when none) of the
 * message json (len bytes, not NUL-terminated), cleaned as output is
 * (output_clean) and cut to tasklen and idlen. 0, or -1 when it is no such
 * message, or vakt was built without json-c; task and id are "" then.
 */
int celery_task_parse(const char *json, size_t len, char *task, size_t tasklen, char *id,
		      size_t idlen);

#endif
