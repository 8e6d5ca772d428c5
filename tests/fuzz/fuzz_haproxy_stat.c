/*
 * Fuzz target for the HAProxy statistics parsers: the same bytes, not
 * NUL-terminated (ASan catches a read past len), go to haproxy_stat_parse()
 * and haproxy_info_parse(). A parse that succeeds must give rows of types
 * 0..2 with terminated strings and states in range, and metrics that are
 * finite and labelled proxy and server; one that fails must say why and
 * leave nothing to free.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "probe/haproxy_stat.h"

/* strlen() reads up to the NUL: ASan reports a string without one. */
static size_t length(const char *s)
{
	FUZZ_CHECK(s != NULL);
	return strlen(s);
}

static void check_row(const struct haproxy_row *r)
{
	size_t n = length(r->proxy) + length(r->server) + length(r->status) +
		   length(r->check_status) + length(r->check_desc);

	FUZZ_CHECK(n < SIZE_MAX);
	FUZZ_CHECK(r->type >= HAPROXY_FRONTEND && r->type <= HAPROXY_SERVER);
	FUZZ_CHECK(r->state >= HAPROXY_UP && r->state <= HAPROXY_OTHER);
	FUZZ_CHECK(r->type == HAPROXY_SERVER || r->state == HAPROXY_OTHER);
	FUZZ_CHECK(!r->backup || r->type == HAPROXY_SERVER);
	FUZZ_CHECK(!isinf(r->scur) && !isinf(r->slim) && !isinf(r->qtime) && !isinf(r->hrsp_5xx));
	FUZZ_CHECK(length(haproxy_state_word(r->state)) > 0);
}

static void check_metrics(const struct metric_set *set, bool labelled)
{
	for (size_t i = 0; i < metric_set_count(set); i++) {
		const struct metric *m = metric_set_at(set, i);

		/* haproxy_status is NaN where HAProxy gives no last change (a frontend). */
		if (strcmp(m->name, "haproxy_status") == 0)
			FUZZ_CHECK(!isinf(m->value) && metric_label(m, "type") != NULL &&
				   metric_label(m, "status") != NULL);
		else
			FUZZ_CHECK(isfinite(m->value));
		FUZZ_CHECK(!labelled ||
			   (metric_label(m, "proxy") != NULL && metric_label(m, "server") != NULL));
		if (strcmp(m->name, "haproxy_servers_up_pct") == 0)
			FUZZ_CHECK(m->value >= 0 && m->value <= 100);
		if (strcmp(m->name, "haproxy_up") == 0)
			FUZZ_CHECK(m->value == 0 || m->value == 1);
	}
}

static void parse_stat(const char *text, size_t size)
{
	struct haproxy_stat st;
	struct metric_set *set;
	char err[256] = "";

	if (haproxy_stat_parse(text, size, &st, err, sizeof(err)) != 0) {
		FUZZ_CHECK(err[0] != '\0');
		FUZZ_CHECK(st.rows == NULL && st.n == 0);
		return;
	}
	FUZZ_CHECK(st.n <= 100000 && (st.n == 0) == (st.rows == NULL));
	for (size_t i = 0; i < st.n; i++)
		check_row(&st.rows[i]);
	set = metric_set_new();
	haproxy_stat_metrics(&st, set);
	check_metrics(set, true);
	metric_set_free(set);
	haproxy_stat_free(&st);
	FUZZ_CHECK(st.rows == NULL && st.n == 0);
}

static void parse_info(const char *text, size_t size)
{
	struct haproxy_info in;
	struct metric_set *set;

	if (haproxy_info_parse(text, size, &in) != 0)
		return;
	FUZZ_CHECK(memchr(in.version, '\0', sizeof(in.version)) != NULL);
	FUZZ_CHECK(!isinf(in.curr_conns) && !isinf(in.maxconn) && !isinf(in.idle_pct));
	set = metric_set_new();
	haproxy_info_metrics(&in, set);
	check_metrics(set, false);
	metric_set_free(set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size == 0 ? 1 : size);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	parse_stat(text, size);
	parse_info(text, size);
	free(text);
	return 0;
}
