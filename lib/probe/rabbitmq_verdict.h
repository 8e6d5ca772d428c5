/*
 * check_rabbitmq's verdict (verdict_rabbitmq in verdict.h): a RabbitMQ
 * broker judged from the metrics of lib/probe/rabbitmq_json.c, one --mode
 * at a time. What the options ask the probe for is here too, so
 * check_rabbitmq builds its requests from them.
 */
#ifndef VAKT_PROBE_RABBITMQ_VERDICT_H
#define VAKT_PROBE_RABBITMQ_VERDICT_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

enum rabbitmq_mode {
	RABBITMQ_MODE_DEFAULT, /* not given: see rabbitmq_opts_mode */
	RABBITMQ_MODE_QUEUE,
	RABBITMQ_MODE_OVERVIEW,
	RABBITMQ_MODE_NODE,
	RABBITMQ_MODE_HEALTH,
};

struct rabbitmq_opts {
	enum rabbitmq_mode mode;	/* --mode as given */
	const char *url, *vhost, *node; /* -u, --vhost (NULL: /), --node */
	const char *regex_text;		/* --queue-regex, compiled into regex; NULL: none */
	regex_t regex;
	const char **names; /* --queue */
	size_t nnames;
	const char *ca_file; /* --ca-file */
	bool insecure;	     /* --insecure */
};

/* The mode o asks for: --mode, else queue with a queue or vhost named, else overview. */
enum rabbitmq_mode rabbitmq_opts_mode(const struct rabbitmq_opts *o);

#endif
