/*
 * Celery's messages (lib/probe/celery.c): a task recorded from a real
 * Celery 5.2 worker's unacked hash on Redis, and messages that are not
 * Celery's or say hostile things.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "probe/celery.h"
#include "testutil.h"

TestSuite(celery, .fini = test_no_leaks);

static char task[CELERY_TASK_MAX], id[CELERY_TASK_MAX];

/* celery_task_parse on the NUL-terminated json. */
static int parse(const char *json)
{
	return celery_task_parse(json, strlen(json), task, sizeof(task), id, sizeof(id));
}

Test(celery, recorded)
{
	cr_assert_eq(parse(test_data("redis/celery-unacked-5.2.json")), 0);
	cr_expect_str_eq(task, "tasks.slow");
	cr_expect_str_eq(id, "ab7c438d-c0ae-4659-bf45-660562ed264a");
}

Test(celery, without_id)
{
	cr_assert_eq(parse("[{\"headers\": {\"task\": \"a.b\"}}, \"\", \"celery\"]"), 0);
	cr_expect_str_eq(task, "a.b");
	cr_expect_str_eq(id, "");
}

Test(celery, not_celery)
{
	static const char *const bad[] = {
	    "",
	    "[]",
	    "{}",
	    "[{}]",
	    "[{\"headers\": 1}]",
	    "[{\"headers\": {\"task\": 5}}]",
	    "[{\"headers\": {\"id\": \"x\"}}]",
	    "[{\"headers\": {\"task\": \"\", \"id\": \"x\"}}]",
	    "[{\"headers\": {\"task\": \"||\", \"id\": \"x\"}}]",
	    "[{\"headers\": {\"task\": \"a\"",
	    "\"headers\"",
	    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{\"headers\": {\"task\": "
	    "\"deep\"}}]]]]]]]]]]]]]]]]]]]]]"
	    "]]]]]]]]]]]]]]]]]]]]",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_eq(parse(bad[i]), -1, "%s", bad[i]);
		cr_expect_str_eq(task, "");
		cr_expect_str_eq(id, "");
	}
}

Test(celery, hostile_names)
{
	char json[1024], longname[600];

	cr_assert_eq(
	    parse("[{\"headers\": {\"task\": \"a|b;c\\n\\u001b[31mred\", \"id\": \"1|2\"}}]"), 0);
	cr_expect_str_eq(task, "ab,c ?[31mred");
	cr_expect_str_eq(id, "12");
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	snprintf(json, sizeof(json), "[{\"headers\": {\"task\": \"%s\"}}]", longname);
	cr_assert_eq(parse(json), 0);
	cr_expect_eq(strlen(task), CELERY_TASK_MAX - 1);
}
