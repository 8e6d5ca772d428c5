/*
 * Celery's messages (see celery.h), through json-c's tokener with a depth
 * limit, so a hostile message costs no more than its length.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#ifdef HAVE_JSON_C
#include <json-c/json.h>
#endif

#include "output.h"
#include "probe/celery.h"

#ifdef HAVE_JSON_C
/* The string member name of object o, or NULL. */
static const char *string(struct json_object *o, const char *name)
{
	struct json_object *v;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, name, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The headers of the message in j, [message, exchange, routing_key]; NULL when none. */
static struct json_object *headers(struct json_object *j)
{
	struct json_object *msg, *h;

	if (j == NULL || !json_object_is_type(j, json_type_array) ||
	    json_object_array_length(j) == 0)
		return NULL;
	msg = json_object_array_get_idx(j, 0);
	if (msg == NULL || !json_object_is_type(msg, json_type_object) ||
	    !json_object_object_get_ex(msg, "headers", &h))
		return NULL;
	return h;
}

int celery_task_parse(const char *json, size_t len, char *task, size_t tasklen, char *id,
		      size_t idlen)
{
	struct json_tokener *tok = json_tokener_new_ex(CELERY_JSON_DEPTH);
	struct json_object *j = NULL, *h;
	const char *t, *i;
	int r = -1;

	task[0] = id[0] = '\0';
	if (tok == NULL)
		return -1;
	if (len <= INT32_MAX)
		j = json_tokener_parse_ex(tok, json, (int)len);
	/* Half a message is none (the tokener waits for more). */
	if (j != NULL && json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(j);
		j = NULL;
	}
	h = headers(j);
	t = string(h, "task");
	i = string(h, "id");
	if (t != NULL) {
		snprintf(task, tasklen, "%s", t);
		snprintf(id, idlen, "%s", i != NULL ? i : "");
		output_clean(task);
		output_clean(id);
	}
	/* A name that is empty, or nothing but what cleaning takes away, is none. */
	if (task[0] != '\0')
		r = 0;
	else
		id[0] = '\0';
	json_object_put(j);
	json_tokener_free(tok);
	return r;
}
#else
int celery_task_parse(const char *json, size_t len, char *task, size_t tasklen, char *id,
		      size_t idlen)
{
	(void)json;
	(void)len;
	(void)tasklen;
	(void)idlen;
	task[0] = id[0] = '\0';
	return -1;
}
#endif
