/*
 * XML-RPC as bytes: a methodCall to send, and a methodResponse taken apart
 * by expat into a small tree of values. Pure functions, no I/O; the
 * Supervisor probe (lib/probe/supervisor.c) sends and reads them over
 * lib/http1.c and lib/net.c.
 *
 * Why expat: a small streaming parser that every Debian host has, without
 * network access of its own, and with entity expansion bounded; an answer
 * with a document type declaration is refused outright here, so neither
 * internal nor external entities are ever expanded. The tree is bounded
 * too: XMLRPC_MAX_ANSWER bytes, XMLRPC_MAX_DEPTH nested arrays and
 * structs, XMLRPC_MAX_VALUES values in all.
 */
#ifndef VAKT_XMLRPC_H
#define VAKT_XMLRPC_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* The largest answer parsed, in bytes. */
#define XMLRPC_MAX_ANSWER (4 * 1024 * 1024)
/* The most arrays and structs nested in one another. */
#define XMLRPC_MAX_DEPTH 32
/* The most values in one answer. */
#define XMLRPC_MAX_VALUES 200000

enum xmlrpc_type {
	XMLRPC_NIL,
	XMLRPC_BOOL,
	XMLRPC_INT,
	XMLRPC_DOUBLE,
	XMLRPC_STRING,
	XMLRPC_BASE64,	 /* the decoded bytes in s, len */
	XMLRPC_DATETIME, /* dateTime.iso8601 as its text */
	XMLRPC_ARRAY,
	XMLRPC_STRUCT,
};

/* One value; the tree owns every value under it. */
struct xmlrpc_value {
	enum xmlrpc_type type;
	long long i; /* BOOL (0 or 1), INT */
	double d;    /* DOUBLE */
	char *s;     /* STRING, BASE64, DATETIME: NUL-terminated after len bytes */
	size_t len;
	struct xmlrpc_value **items; /* ARRAY's items, STRUCT's member values */
	char **names;		     /* STRUCT's member names, beside items */
	size_t n;
};

/* A methodResponse: a value, or a fault. */
struct xmlrpc_response {
	struct xmlrpc_value *value; /* the answer's value; NULL for a fault */
	bool fault;
	long long fault_code;
	char *fault_string; /* "" when the fault had none */
};

/* One parameter of a call: a string, or an int when s is NULL. */
struct xmlrpc_param {
	const char *s;
	long long i;
};

/*
 * A methodCall of method with the n params into b (reset first), the
 * strings XML-escaped; a control character that XML 1.0 cannot carry
 * becomes '?'.
 */
void xmlrpc_call(struct buf *b, const char *method, const struct xmlrpc_param *params, size_t n);

/* One call of a system.multicall. */
struct xmlrpc_call {
	const char *method;
	const struct xmlrpc_param *params;
	size_t n;
};

/*
 * A system.multicall of the n calls into b (reset first): one round trip
 * for several calls, which supervisord and Python's xmlrpc servers take.
 */
void xmlrpc_multicall(struct buf *b, const struct xmlrpc_call *calls, size_t n);

/*
 * Result i of a system.multicall's answer v: the value, or NULL with the
 * call's faultString (or why there is none) in *fault. supervisord gives
 * each result as it is, not wrapped in an array of one as Python's
 * SimpleXMLRPCServer does; a fault is a struct with faultCode and
 * faultString.
 */
const struct xmlrpc_value *xmlrpc_multicall_result(const struct xmlrpc_value *v, size_t i,
						   const char **fault);

/*
 * Parse the len bytes of a methodResponse into r. Returns 0 (r->fault says
 * whether it is a fault), or -1 with why ("not XML-RPC: <html> where
 * <methodResponse> belongs", "more than 32 nested arrays and structs") for
 * anything else; r then holds nothing. Free r with xmlrpc_response_free().
 */
int xmlrpc_parse(const char *data, size_t len, struct xmlrpc_response *r, char *why, size_t whylen);
void xmlrpc_response_free(struct xmlrpc_response *r);

/* The member called name of the struct v, or NULL (also when v is no struct). */
const struct xmlrpc_value *xmlrpc_member(const struct xmlrpc_value *v, const char *name);
/* The int or boolean member name of v into *out; -1 when there is none. */
int xmlrpc_member_int(const struct xmlrpc_value *v, const char *name, long long *out);
/* The string member name of v, or NULL. */
const char *xmlrpc_member_str(const struct xmlrpc_value *v, const char *name);

#endif
