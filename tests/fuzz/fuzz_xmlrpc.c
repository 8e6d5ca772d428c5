/*
 * lib/xmlrpc.c's parser on any bytes, as the Supervisor probe meets a
 * supervisord (or whatever answers in its place). An accepted answer is a
 * fault with its string, or a tree whose every string is terminated after
 * its length, whose booleans are 0 or 1, whose structs name every member,
 * and which nests no deeper than XMLRPC_MAX_DEPTH; a refusal says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "xmlrpc.h"

/* Check v and what it holds, at depth arrays and structs down; the values counted in *n. */
static void walk(const struct xmlrpc_value *v, int depth, size_t *n)
{
	FUZZ_CHECK(v != NULL && depth <= XMLRPC_MAX_DEPTH);
	FUZZ_CHECK(++*n <= XMLRPC_MAX_VALUES);
	if (v->type == XMLRPC_BOOL)
		FUZZ_CHECK(v->i == 0 || v->i == 1);
	if (v->type == XMLRPC_STRING || v->type == XMLRPC_BASE64 || v->type == XMLRPC_DATETIME)
		FUZZ_CHECK(v->s != NULL && v->s[v->len] == '\0');
	if (v->type != XMLRPC_ARRAY && v->type != XMLRPC_STRUCT) {
		FUZZ_CHECK(v->n == 0);
		return;
	}
	for (size_t i = 0; i < v->n; i++) {
		if (v->type == XMLRPC_STRUCT)
			FUZZ_CHECK(v->names[i] != NULL);
		walk(v->items[i], depth + 1, n);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xmlrpc_response r;
	/* An exact copy, no NUL after it: a read past the end is ASan's to see. */
	char *copy = malloc(size > 0 ? size : 1), why[256] = "";
	size_t n = 0;

	memcpy(copy, data, size);
	if (xmlrpc_parse(copy, size, &r, why, sizeof(why)) != 0) {
		FUZZ_CHECK(why[0] != '\0' && r.value == NULL);
	} else if (r.fault) {
		FUZZ_CHECK(r.value == NULL && r.fault_string != NULL);
	} else {
		walk(r.value, 0, &n);
	}
	xmlrpc_response_free(&r);
	free(copy);
	return 0;
}
