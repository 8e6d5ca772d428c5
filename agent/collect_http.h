/*
 * What the collectors that read over HTTP (nginx, HAProxy's stats page,
 * RabbitMQ's management API) share when they are made: libcurl's set-up
 * and the password of their login.
 */
#ifndef VAKT_COLLECT_HTTP_H
#define VAKT_COLLECT_HTTP_H

#include <stddef.h>

#include "collector.h"
#include "confkeys.h"
#include "httpc.h"

/*
 * The start of create(): set up http (which the collector's destroy frees
 * with httpc_free) and load the password of login's file, if it names one,
 * into *password. 0, or -1 with err.
 */
int collect_http_start(const struct config_collector *cc, const struct conf_login *login,
		       struct httpc *http, char **password, char *err, size_t errlen);

#endif
