/* The verdicts of every check, and how the two front ends set one up (see verdict.h). */
#include "config.h"

#include <string.h>

#include "verdict.h"

const struct verdict *const verdicts[] = {
    &verdict_load,
    &verdict_fds,
    &verdict_listen,
    &verdict_nginx,
    &verdict_haproxy,
    &verdict_redis,
    &verdict_rabbitmq,
    &verdict_mysql_locks,
    &verdict_pgsql_locks,
    &verdict_supervisor,
    NULL,
};

const struct verdict *verdict_find(const char *name)
{
	for (size_t i = 0; verdicts[i] != NULL; i++)
		if (strcmp(verdicts[i]->name, name) == 0)
			return verdicts[i];
	return NULL;
}

static void opts_init(const struct verdict *v, void *opts)
{
	memset(opts, 0, v->opts_size);
	if (v->opts_init != NULL)
		v->opts_init(opts);
}

void verdict_start(const struct verdict *v, int argc, char **argv, void *opts,
		   struct plugin_args *a)
{
	char err[512];

	opts_init(v, opts);
	plugin_start(v->plugin, argc, argv, opts, a);
	if (v->opts_check != NULL && v->opts_check(opts, a, err, sizeof(err)) != 0)
		plugin_usage_error("%s", err);
}

int verdict_parse(const struct verdict *v, const struct plugin_pair *pairs, size_t n, void *opts,
		  struct plugin_args *a, char *err, size_t errlen)
{
	opts_init(v, opts);
	if (plugin_parse_pairs(v->plugin, v->agent_options, pairs, n, opts, a, err, errlen) != 0)
		return -1;
	return v->opts_check != NULL ? v->opts_check(opts, a, err, errlen) : 0;
}

void verdict_free_opts(const struct verdict *v, void *opts, struct plugin_args *a)
{
	if (v->opts_free != NULL)
		v->opts_free(opts);
	plugin_args_free(a);
}

struct result *verdict_judge(const struct verdict *v, const struct verdict_in *in)
{
	struct result *r = result_new(v->plugin->service);

	v->judge(r, in);
	return r;
}
