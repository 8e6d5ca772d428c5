/*
 * check_haproxy's verdict (verdict_haproxy in verdict.h): server states,
 * backends with too few servers up, frontends not open, and thresholds on
 * the numbers of haproxy_stat_metrics() and haproxy_info_metrics().
 */
#ifndef VAKT_PROBE_HAPROXY_VERDICT_H
#define VAKT_PROBE_HAPROXY_VERDICT_H

#include <regex.h>
#include <stdbool.h>

#include "state.h"

struct haproxy_opts {
	const char *url, *ca_file; /* the plugin's: where the stats page is */
	bool insecure;
	regex_t re[3]; /* --proxy, --server, --exclude */
	bool has_re[3];
	enum state maint;
	double min_up;
	bool min_up_pct;
};

#endif
