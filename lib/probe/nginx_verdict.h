/*
 * check_nginx's verdict (verdict_nginx in verdict.h): the metrics of
 * nginx's stub_status page and their rates, and with --listen-queue the
 * kernel's accept queue of nginx's port.
 */
#ifndef VAKT_PROBE_NGINX_VERDICT_H
#define VAKT_PROBE_NGINX_VERDICT_H

#include <stdbool.h>

struct nginx_opts {
	const char *url, *uri, *host_header, *ca_file; /* the plugin's: where the page is */
	bool tls, insecure, listen_queue;
	/*
	 * Not options: what check_nginx found for --listen-queue, the port of
	 * nginx's URL (whose listeners' listen_queue and listen_backlog it put
	 * in the set) and why the host's listen sockets could not be read (NULL:
	 * they could). The agent leaves port 0: its [nginx] collector reads the
	 * page only, so it answers that part UNKNOWN.
	 */
	long port;
	const char *listen_err;
};

#endif
