/*
 * The agent's HTTP front end serving one fixed snapshot (see snapfixture.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "metric.h"
#include "snapfixture.h"

/* Fill f's snapshot: a "load" collector with fresh metrics and a failing "redis jobs". */
static void fill(struct snapfixture *f)
{
	static const char *const load_families[] = {"load", NULL};
	static const char *const redis_families[] = {"redis_", "queue_", NULL};
	/* The snapshot owns its strings (char *): these are writable copies. */
	static char load_name[] = "load", redis_name[] = "redis jobs";
	static char refused[] = "connection refused", where[] = "127.0.0.1:6379";
	struct source *load = &f->sources[0], *redis = &f->sources[1];
	double now = time_now();
	struct metric *m;

	memset(f, 0, sizeof(*f));
	load->name = load_name;
	load->metrics = metric_set_new();
	metric_set_add(load->metrics, "load1", METRIC_GAUGE, "", 0.5);
	m = metric_set_add(load->metrics, "load_pressure", METRIC_GAUGE, "", 2);
	metric_label_add(m, "resource", "cpu");
	/* An hour between runs: fresh for as long as a test or the fuzzer runs. */
	load->collected_at = load->last_attempt = now;
	load->interval = 3600;
	load->timeout = 10;
	load->families = load_families;
	load->runs = 1;
	redis->name = redis_name;
	redis->last_attempt = now;
	redis->interval = 3600;
	redis->timeout = 10;
	redis->last_error = refused;
	redis->failing_since = now - 60;
	redis->where = where;
	redis->families = redis_families;
	redis->name_label = "target";
	redis->runs = redis->errors = 1;
	f->snap.sources = f->sources;
	f->snap.n = 2;
	f->snap.started_at = now;
	f->snap.generation = 1;
}

/* A port nothing listens on now, or 0; the agent takes it a moment later. */
static int free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), p = 0;

	if (fd == -1)
		return 0;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		p = ntohs(a.sin_port);
	close(fd);
	return p;
}

int snapfixture_serve(struct snapfixture *f, struct config *c, const char *token, char *err,
		      size_t errlen)
{
	char listen[32];

	fill(f);
	snprintf(err, errlen, "no free loopback port");
	/* Another process may take the port between free_port() and http_bind(): try again. */
	for (int i = 0; i < 20 && f->server == NULL; i++) {
		int fd;

		f->port = free_port();
		if (f->port == 0)
			continue;
		snprintf(listen, sizeof(listen), "127.0.0.1:%d", f->port);
		free(c->listen);
		c->listen = strdup(listen);
		if (c->listen == NULL) {
			snprintf(err, errlen, "out of memory");
			break;
		}
		fd = http_bind(c, err, errlen);
		if (fd != -1)
			f->server = http_start(c, fd, NULL, token, NULL, NULL, err, errlen);
	}
	return f->server != NULL ? 0 : -1;
}

void snapfixture_stop(struct snapfixture *f)
{
	http_stop(f->server);
	f->server = NULL;
	metric_set_free(f->sources[0].metrics);
	f->sources[0].metrics = NULL;
}
