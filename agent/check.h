/*
 * The agent's check endpoint: what a plugin would answer for one metric of
 * the current snapshot, under thresholds given in the request. It renders
 * through lib/output, so the answer is the plugin contract's, byte for byte.
 */
#ifndef VAKT_CHECK_H
#define VAKT_CHECK_H

#include <stddef.h>

#include "output.h"
#include "plugin.h"
#include "snapshot.h"
#include "verdict.h"

#define CHECK_MAX_LABELS 8

enum check_format {
	CHECK_FORMAT_ASK,    /* not given: the Accept header decides */
	CHECK_FORMAT_JSON,   /* format=json */
	CHECK_FORMAT_NAGIOS, /* format=nagios (or text): the plugin's output */
};

struct check_query {
	const char *name; /* metric name, e.g. "listen_queue" */
	enum check_format format;
	const char *warning;  /* range or NULL */
	const char *critical; /* range or NULL */
	const char *label_name[CHECK_MAX_LABELS];
	const char *label_value[CHECK_MAX_LABELS];
	size_t nlabels;
};

/*
 * Take one query-string argument into q: warning, critical, format, or a
 * LABEL=VALUE filter. key and value must outlive q. Returns 0, or -1 with
 * the reason in err (an unknown format, an empty label name, too many
 * labels).
 */
int check_query_arg(struct check_query *q, const char *key, const char *value, char *err,
		    size_t errlen);

/*
 * Answer q from s at time now into *out (never NULL afterwards; the caller
 * frees it). The collectors' own metrics (collector_up, ...) are among
 * those asked for; a failing collector answers for the metrics it would
 * give with its failure, CRITICAL. Returns the HTTP status: 200 for an
 * answer in any state, 400 for a malformed range (UNKNOWN, saying why), 404
 * when no metric matches and no failing collector would have given one
 * (UNKNOWN, saying so).
 */
int check_answer(const struct snapshot *s, double now, const struct check_query *q,
		 struct result **out);

/*
 * Answer check v (/api/v1/check/haproxy?instance=lb&min-up=50%25) from s at
 * time now into *out, exactly as v's plugin would on the host: pairs are
 * the request's options (warning, critical, verbose and v's agent_options),
 * instance the section's NAME ([haproxy lb]: "lb"), NULL when the kind has
 * one section. The source's metrics are judged by v with rates from its
 * previous collection; a failing collector is CRITICAL with its error, one
 * that has not collected yet UNKNOWN. Returns the HTTP status: 200 for an
 * answer in any state, 400 for bad options (UNKNOWN, saying why), 404 when
 * no such section is configured.
 */
int check_verdict(const struct snapshot *s, double now, const struct verdict *v,
		  const char *instance, const struct plugin_pair *pairs, size_t n,
		  struct result **out);

#endif
