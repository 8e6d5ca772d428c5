/*
 * The registry of collector kinds (see collector.h): a new collector is
 * its collect_*.c and its line here.
 */
#include "config.h"

#include <string.h>

#include "collector.h"

/* A kind this build lacks the library for: configuring it says so. */
#define MISSING(kind_, library)                                                                    \
	static const struct collector_kind collect_##kind_ = {                                     \
	    .kind = #kind_,                                                                        \
	    .section = COLLECTOR_NAMED,                                                            \
	    .missing = "this vaktd was built without " library};

/* The kinds, each defined in its collect_*.c; one line here and one in kinds[] per kind. */
extern const struct collector_kind collect_load, collect_fds, collect_process, collect_listen,
    collect_self;
#ifdef HAVE_HIREDIS
extern const struct collector_kind collect_redis;
#else
MISSING(redis, "hiredis")
#endif
#ifdef HAVE_LIBCURL
extern const struct collector_kind collect_rabbitmq, collect_nginx, collect_haproxy;
#else
MISSING(rabbitmq, "libcurl")
MISSING(nginx, "libcurl")
MISSING(haproxy, "libcurl")
#endif
#ifdef HAVE_LIBMARIADB
extern const struct collector_kind collect_mysql;
#else
MISSING(mysql, "libmariadb")
#endif
#ifdef HAVE_LIBPQ
extern const struct collector_kind collect_postgresql;
#else
MISSING(postgresql, "libpq")
#endif
#ifdef HAVE_EXPAT
extern const struct collector_kind collect_supervisor;
#else
MISSING(supervisor, "expat")
#endif

/* In the order the default ones run; the named ones run in the order of the file. */
static const struct collector_kind *const kinds[] = {
    &collect_load,    &collect_fds,   &collect_process,	   &collect_listen,
    &collect_self,    &collect_redis, &collect_rabbitmq,   &collect_nginx,
    &collect_haproxy, &collect_mysql, &collect_postgresql, &collect_supervisor,
};

const struct collector_kind *collector_find(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i]->kind, name) == 0)
			return kinds[i];
	return NULL;
}

const struct collector_kind *collector_kind_at(size_t i)
{
	return i < sizeof(kinds) / sizeof(kinds[0]) ? kinds[i] : NULL;
}

uint64_t collector_caps(const struct config *c)
{
	uint64_t caps = 0;

	for (size_t i = 0; i < c->ncollectors; i++) {
		const struct collector_kind *k = collector_find(c->collectors[i].kind);

		if (k != NULL)
			caps |= k->caps;
	}
	return caps;
}
