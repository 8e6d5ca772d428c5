/*
 * The one interface every collector implements. A collector kind is data: a
 * name, the keys of its section with the settings struct they fill, and
 * its hooks. Adding a source (Redis, MySQL, ...) means one new collect_*.c
 * file, its line in collectors.c and in Makefile.am, and its section in
 * vaktd.conf(5) (test_config holds the page to the key table); the
 * configuration reader, the scheduler and the HTTP code never change.
 */
#ifndef VAKT_COLLECTOR_H
#define VAKT_COLLECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "confkeys.h"
#include "metric.h"

/* How a kind is configured. */
enum collector_section {
	COLLECTOR_UNLISTED, /* no section: [self], always on */
	COLLECTOR_DEFAULT,  /* one section, "[load]", on unless it says enabled = no */
	COLLECTOR_NAMED,    /* a section per instance, "[redis jobs]", off until written */
};

struct collector_kind {
	const char *kind; /* the config section: "load", "process", ... */
	enum collector_section section;
	/*
	 * The keys of its section beyond enabled, interval and timeout, ended
	 * by {0} (a NULL name); NULL for none. They fill a struct of settings_size bytes
	 * (zeroed first), which create finds in cc->settings.
	 */
	const struct conf_key *keys;
	size_t settings_size;
	/*
	 * After the whole file: the checks across keys (reported with
	 * conf_error_at and conf_key_line) and the defaults that depend on
	 * other keys; name is the section's NAME, NULL for an unnamed kind.
	 * NULL when there is nothing to do.
	 */
	void (*finish)(struct conf_ctx *ctx, void *settings, const char *name);
	/*
	 * Why this vaktd cannot run it ("this vaktd was built without
	 * hiredis"), NULL when it can: its sections are then an error.
	 */
	const char *missing;
	/*
	 * Private state for one configured instance; NULL with err on failure.
	 * NULL for a collector without state (collect then gets NULL).
	 */
	void *(*create)(const struct config_collector *cc, char *err, size_t errlen);
	/* One collection into set (empty on entry); 0, or -1 with err. */
	int (*collect)(void *state, struct metric_set *set, char *err, size_t errlen);
	/* Free what create made; NULL is fine. NULL for a collector without state. */
	void (*destroy)(void *state);
	/*
	 * Prefixes of the metric names it gives ("redis_", "queue_depth"),
	 * NULL-ended: the check endpoint blames a failing collector only for
	 * the metrics it would have given.
	 */
	const char *const *families;
	/*
	 * The label of its metrics whose value is the section's NAME: "target"
	 * ([redis jobs] gives target="jobs"), "process" for [process nginx];
	 * NULL for a kind without a name.
	 */
	const char *name_label;
	/*
	 * The capabilities it needs once vaktd has dropped its privileges, as
	 * PRIV_CAP() bits (privs.h): kept only when such a collector is
	 * configured. 0 for none.
	 */
	uint64_t caps;
};

/* The kind called name, or NULL. */
const struct collector_kind *collector_find(const char *name);
/* The i-th kind this vaktd knows, in the order of collectors.c, or NULL past the last. */
const struct collector_kind *collector_kind_at(size_t i);
/* The capabilities the collectors c configures need (their caps, together). */
uint64_t collector_caps(const struct config *c);

#endif
