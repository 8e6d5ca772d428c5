/*
 * Fuzz target for the RabbitMQ management API parsers: the same bytes, not
 * NUL-terminated (the parsers take a length), go to the queue, stall,
 * overview, node and health parsers. What parses must give metrics that are finite or
 * NaN, never infinite, queues with a name and a vhost, and percentages only
 * from positive limits; nothing may leak.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "probe/rabbitmq_json.h"

static void check_set(struct metric_set *set)
{
	for (size_t i = 0; i < metric_set_count(set); i++)
		FUZZ_CHECK(!isinf(metric_set_at(set, i)->value));
	metric_set_free(set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size == 0 ? 1 : size), err[256], reason[512];
	struct rabbitmq_queues qs = {0};
	struct rabbitmq_nodes ns = {0};
	struct rabbitmq_overview ov;
	struct metric_set *set;
	double stalled;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	if (rabbitmq_queues_parse(text, size, NULL, 0, 1.8e9, &qs, err, sizeof(err)) >= 0) {
		for (size_t i = 0; i < qs.n; i++)
			FUZZ_CHECK(qs.v[i].name != NULL && qs.v[i].vhost != NULL);
		set = metric_set_new();
		rabbitmq_queues_metrics(&qs, "fuzz", set);
		check_set(set);
	}
	rabbitmq_queues_free(&qs);
	if (rabbitmq_stall_parse(text, size, &stalled, err, sizeof(err)) == 0)
		FUZZ_CHECK(stalled >= 0 && !isinf(stalled));
	if (rabbitmq_overview_parse(text, size, &ov, err, sizeof(err)) == 0) {
		FUZZ_CHECK(memchr(ov.version, '\0', sizeof(ov.version)) != NULL);
		set = metric_set_new();
		rabbitmq_overview_metrics(&ov, "fuzz", set);
		check_set(set);
	}
	if (rabbitmq_nodes_parse(text, size, &ns, err, sizeof(err)) == 0) {
		set = metric_set_new();
		rabbitmq_nodes_metrics(&ns, "fuzz", set);
		check_set(set);
	}
	rabbitmq_nodes_free(&ns);
	if (rabbitmq_health_parse(text, size, reason, sizeof(reason), err, sizeof(err)) >= 0)
		FUZZ_CHECK(memchr(reason, '\0', sizeof(reason)) != NULL);
	rabbitmq_error_reason(text, size, reason, sizeof(reason));
	free(text);
	return 0;
}
