/*
 * XML-RPC calls and answers as bytes, the answers read with expat (see
 * xmlrpc.h). The parser is a stack of the elements open, each checked
 * against the element it sits in, so that only the shape XML-RPC allows
 * makes a tree, and every other document is refused with the element that
 * did not belong.
 */
#include "config.h"

#include <expat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "xalloc.h"
#include "xmlrpc.h"

/* The elements of a methodResponse. */
enum elem {
	E_NONE, /* outside the root */
	E_RESPONSE,
	E_PARAMS,
	E_PARAM,
	E_FAULT,
	E_VALUE,
	E_ARRAY,
	E_DATA,
	E_STRUCT,
	E_MEMBER,
	E_NAME,
	E_SCALAR, /* a type element inside a value: int, string, ... */
};

/* Room for the element stack: every array or struct opens a few elements. */
#define MAX_ELEMS (XMLRPC_MAX_DEPTH * 4 + 8)

struct frame {
	enum elem e;
	struct xmlrpc_value *v;	     /* E_VALUE, E_ARRAY, E_STRUCT: the value built */
	char *name;		     /* E_MEMBER: its name, once read */
	struct xmlrpc_value *member; /* E_MEMBER: its value, once read */
};

struct parser {
	XML_Parser xp;
	struct frame stack[MAX_ELEMS];
	int depth;   /* frames in stack */
	int nesting; /* arrays and structs open */
	size_t values;
	struct buf text;	 /* character data since the last start tag */
	enum xmlrpc_type scalar; /* the type element open, with E_SCALAR */
	bool typed;		 /* the value open has had a type element */
	struct xmlrpc_response *r;
	bool seen_root;
	char why[256]; /* "" while all is well */
};

/* The value of p, XML-escaped, as a <value>. */
static void put_value(struct buf *b, const struct xmlrpc_param *p)
{
	if (p->s == NULL) {
		buf_printf(b, "<value><int>%lld</int></value>", p->i);
		return;
	}
	buf_puts(b, "<value><string>");
	for (const char *c = p->s; *c != '\0'; c++) {
		unsigned char u = (unsigned char)*c;

		if (u == '&')
			buf_puts(b, "&amp;");
		else if (u == '<')
			buf_puts(b, "&lt;");
		else if (u == '>')
			buf_puts(b, "&gt;");
		else if (u < 0x20 && u != '\t' && u != '\n' && u != '\r')
			buf_puts(b, "?");
		else
			buf_append(b, c, 1);
	}
	buf_puts(b, "</string></value>");
}

void xmlrpc_call(struct buf *b, const char *method, const struct xmlrpc_param *params, size_t n)
{
	buf_reset(b);
	buf_puts(b, "<?xml version=\"1.0\"?>\n<methodCall><methodName>");
	buf_puts(b, method);
	buf_puts(b, "</methodName><params>");
	for (size_t i = 0; i < n; i++) {
		buf_puts(b, "<param>");
		put_value(b, &params[i]);
		buf_puts(b, "</param>");
	}
	buf_puts(b, "</params></methodCall>\n");
}

void xmlrpc_multicall(struct buf *b, const struct xmlrpc_call *calls, size_t n)
{
	buf_reset(b);
	buf_puts(b, "<?xml version=\"1.0\"?>\n<methodCall><methodName>system.multicall"
		    "</methodName><params><param><value><array><data>");
	for (size_t i = 0; i < n; i++) {
		buf_puts(b, "<value><struct><member><name>methodName</name><value><string>");
		buf_puts(b, calls[i].method);
		buf_puts(b, "</string></value></member><member><name>params</name><value><array>"
			    "<data>");
		for (size_t k = 0; k < calls[i].n; k++)
			put_value(b, &calls[i].params[k]);
		buf_puts(b, "</data></array></value></member></struct></value>");
	}
	buf_puts(b, "</data></array></value></param></params></methodCall>\n");
}

const struct xmlrpc_value *xmlrpc_multicall_result(const struct xmlrpc_value *v, size_t i,
						   const char **fault)
{
	const struct xmlrpc_value *r = NULL;
	long long code;

	if (v != NULL && v->type == XMLRPC_ARRAY && i < v->n)
		r = v->items[i];
	*fault = NULL;
	if (r == NULL) {
		*fault = "no such result of system.multicall";
		return NULL;
	}
	if (xmlrpc_member_int(r, "faultCode", &code) == 0 &&
	    xmlrpc_member_str(r, "faultString") != NULL) {
		*fault = xmlrpc_member_str(r, "faultString");
		return NULL;
	}
	return r;
}

static void value_free(struct xmlrpc_value *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		value_free(v->items[i]);
		if (v->names != NULL)
			free(v->names[i]);
	}
	free(v->items);
	free(v->names);
	free(v->s);
	free(v);
}

void xmlrpc_response_free(struct xmlrpc_response *r)
{
	value_free(r->value);
	free(r->fault_string);
	memset(r, 0, sizeof(*r));
}

/* Stop the parse with why, unless it has stopped already. */
static void stop(struct parser *p, const char *fmt, const char *arg)
{
	if (p->why[0] == '\0')
		snprintf(p->why, sizeof(p->why), fmt, arg);
	XML_StopParser(p->xp, XML_FALSE);
}

static const struct {
	const char *name;
	enum elem e;
} elems[] = {
    {"methodResponse", E_RESPONSE},
    {"params", E_PARAMS},
    {"param", E_PARAM},
    {"fault", E_FAULT},
    {"value", E_VALUE},
    {"array", E_ARRAY},
    {"data", E_DATA},
    {"struct", E_STRUCT},
    {"member", E_MEMBER},
    {"name", E_NAME},
};

static const struct {
	const char *name;
	enum xmlrpc_type t;
} scalars[] = {
    {"i4", XMLRPC_INT},
    {"int", XMLRPC_INT},
    {"i8", XMLRPC_INT},
    {"ex:i8", XMLRPC_INT},
    {"boolean", XMLRPC_BOOL},
    {"string", XMLRPC_STRING},
    {"double", XMLRPC_DOUBLE},
    {"base64", XMLRPC_BASE64},
    {"nil", XMLRPC_NIL},
    {"ex:nil", XMLRPC_NIL},
    {"dateTime.iso8601", XMLRPC_DATETIME},
};

/* Which element name is, in the parent it opens in; E_NONE: none that belongs there. */
static enum elem classify(struct parser *p, const char *name, enum elem parent)
{
	enum elem e = E_NONE;

	for (size_t i = 0; i < sizeof(elems) / sizeof(elems[0]); i++)
		if (strcmp(name, elems[i].name) == 0)
			e = elems[i].e;
	for (size_t i = 0;
	     e == E_NONE && parent == E_VALUE && i < sizeof(scalars) / sizeof(scalars[0]); i++)
		if (strcmp(name, scalars[i].name) == 0) {
			e = E_SCALAR;
			p->scalar = scalars[i].t;
		}
	switch (e) {
	case E_RESPONSE:
		return parent == E_NONE && !p->seen_root ? e : E_NONE;
	case E_PARAMS:
	case E_FAULT:
		return parent == E_RESPONSE && p->r->value == NULL && !p->r->fault ? e : E_NONE;
	case E_PARAM:
		return parent == E_PARAMS ? e : E_NONE;
	case E_VALUE:
		return parent == E_PARAM || parent == E_FAULT || parent == E_DATA ||
			       parent == E_MEMBER
			   ? e
			   : E_NONE;
	case E_ARRAY:
	case E_STRUCT:
	case E_SCALAR:
		return parent == E_VALUE && !p->typed ? e : E_NONE;
	case E_DATA:
		return parent == E_ARRAY ? e : E_NONE;
	case E_MEMBER:
		return parent == E_STRUCT ? e : E_NONE;
	case E_NAME:
		return parent == E_MEMBER ? e : E_NONE;
	default:
		return E_NONE;
	}
}

/* Append v to the container c (an array; a struct's member comes in via its frame). */
static void append(struct xmlrpc_value *c, struct xmlrpc_value *v, char *name)
{
	c->items = xgrow(c->items, c->n, sizeof(*c->items));
	c->items[c->n] = v;
	if (c->type == XMLRPC_STRUCT) {
		c->names = xgrow(c->names, c->n, sizeof(*c->names));
		c->names[c->n] = name;
	}
	c->n++;
}

/* A new value for the <value> just pushed, in the frame below it. */
static struct xmlrpc_value *new_value(struct parser *p)
{
	struct frame *parent = &p->stack[p->depth - 2];
	struct xmlrpc_value *v;

	if (++p->values > XMLRPC_MAX_VALUES) {
		stop(p, "more than %s values", "200000");
		return NULL;
	}
	if (parent->e == E_MEMBER && parent->member != NULL) {
		stop(p, "a struct member with two %s", "values");
		return NULL;
	}
	v = xcalloc(1, sizeof(*v));
	v->type = XMLRPC_STRING;
	if (parent->e == E_PARAM || parent->e == E_FAULT) {
		if (p->r->value != NULL) {
			free(v);
			stop(p, "more than one %s", "value");
			return NULL;
		}
		p->r->value = v;
	} else if (parent->e == E_DATA) {
		append(p->stack[p->depth - 3].v, v, NULL);
	} else {
		parent->member = v;
	}
	return v;
}

static void XMLCALL on_start(void *ctx, const XML_Char *name, const XML_Char **attrs)
{
	struct parser *p = ctx;
	enum elem parent = p->depth > 0 ? p->stack[p->depth - 1].e : E_NONE;
	enum elem e = classify(p, name, parent);
	struct frame *f;

	(void)attrs;
	if (p->why[0] != '\0')
		return; /* expat may call on after XML_StopParser() */
	if (e == E_NONE) {
		stop(p,
		     parent == E_NONE ? "not XML-RPC: <%s> where <methodResponse> belongs"
				      : "not XML-RPC: <%s> where it does not belong",
		     name);
		return;
	}
	if (p->depth == MAX_ELEMS ||
	    ((e == E_ARRAY || e == E_STRUCT) && ++p->nesting > XMLRPC_MAX_DEPTH)) {
		stop(p, "more than %s nested arrays and structs", "32");
		return;
	}
	f = &p->stack[p->depth++];
	memset(f, 0, sizeof(*f));
	f->e = e;
	buf_reset(&p->text);
	if (e == E_RESPONSE)
		p->seen_root = true;
	if (e == E_FAULT)
		p->r->fault = true;
	if (e == E_VALUE) {
		f->v = new_value(p);
		p->typed = false;
	}
	if (e == E_ARRAY || e == E_STRUCT || e == E_SCALAR) {
		f->v = p->stack[p->depth - 2].v;
		f->v->type = e == E_ARRAY    ? XMLRPC_ARRAY
			     : e == E_STRUCT ? XMLRPC_STRUCT
					     : p->scalar;
		p->typed = true;
	}
}

/* The value of one base64 digit, or -1. */
static int b64(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decode the base64 text of v->s in place (whitespace skipped); 0 or -1. */
static int unbase64(struct xmlrpc_value *v)
{
	unsigned long acc = 0;
	size_t out = 0;
	int bits = 0, pad = 0;

	for (size_t i = 0; i < v->len; i++) {
		unsigned char c = (unsigned char)v->s[i];
		int d = b64(c);

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		if (d < 0 || pad > 0)
			return -1;
		acc = (acc << 6 | (unsigned long)d) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			v->s[out++] = (char)(acc >> bits & 0xff);
		}
	}
	if (pad > 2)
		return -1;
	v->len = out;
	v->s[out] = '\0';
	return 0;
}

/* Make v, of type v->type, from text; 0, or -1 when text is not one. */
static int scalar(struct xmlrpc_value *v, const char *text, size_t len)
{
	long n;
	double d;

	switch (v->type) {
	case XMLRPC_INT:
	case XMLRPC_BOOL:
		if (num_parse_long(text, v->type == XMLRPC_BOOL ? 0 : LONG_MIN,
				   v->type == XMLRPC_BOOL ? 1 : LONG_MAX, &n) != 0)
			return -1;
		v->i = n;
		return 0;
	case XMLRPC_DOUBLE:
		if (num_parse(text, &d) != 0)
			return -1;
		v->d = d;
		return 0;
	case XMLRPC_NIL:
		return 0;
	default:
		free(v->s);
		v->s = xstrndup(text, len);
		v->len = len;
		return v->type == XMLRPC_BASE64 ? unbase64(v) : 0;
	}
}

/* The text of a number, without the blanks around it that XML allows. */
static const char *trim(struct buf *t)
{
	const char *s = buf_str(t);
	size_t n = t->len;

	while (n > 0 &&
	       (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	buf_truncate(t, n);
	s = buf_str(t);
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	return s;
}

static void XMLCALL on_end(void *ctx, const XML_Char *name)
{
	struct parser *p = ctx;
	struct frame *f;
	const char *text;

	if (p->why[0] != '\0' || p->depth == 0)
		return;
	/* expat has matched name with its start tag. */
	f = &p->stack[--p->depth];
	if (f->e == E_SCALAR) {
		bool number = f->v->type == XMLRPC_INT || f->v->type == XMLRPC_BOOL ||
			      f->v->type == XMLRPC_DOUBLE;

		text = number ? trim(&p->text) : buf_str(&p->text);
		if (p->text.truncated || scalar(f->v, text, strlen(text)) != 0)
			stop(p, "not XML-RPC: a <%s> that is not one", name);
	} else if (f->e == E_VALUE) {
		/* A value without a type element is a string. */
		if (!p->typed)
			scalar(f->v, buf_str(&p->text), p->text.len);
		/* The value around this one, if any, is an array or a struct. */
		p->typed = true;
	} else if (f->e == E_ARRAY || f->e == E_STRUCT) {
		p->nesting--;
	} else if (f->e == E_NAME) {
		struct frame *m = &p->stack[p->depth - 1];

		free(m->name);
		m->name = xstrdup(buf_str(&p->text));
	} else if (f->e == E_MEMBER) {
		if (f->name == NULL || f->member == NULL) {
			free(f->name);
			value_free(f->member);
			stop(p, "not XML-RPC: a struct member without its %s", "name or value");
			return;
		}
		append(p->stack[p->depth - 1].v, f->member, f->name);
	}
	/* Only a type element's or a name's own text counts. */
	buf_reset(&p->text);
}

static void XMLCALL on_text(void *ctx, const XML_Char *s, int len)
{
	struct parser *p = ctx;

	if (p->why[0] == '\0')
		buf_append(&p->text, s, (size_t)len);
}

/* A document type declaration could declare entities: refused, whatever it says. */
static void XMLCALL on_doctype(void *ctx, const XML_Char *name, const XML_Char *sysid,
			       const XML_Char *pubid, int internal)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)internal;
	stop(ctx, "not XML-RPC: a document type %s", "declaration");
}

/* Free what the frames still open hold (a parse that stopped half-way). */
static void drop_frames(struct parser *p)
{
	for (int i = 0; i < p->depth; i++)
		if (p->stack[i].e == E_MEMBER) {
			free(p->stack[i].name);
			value_free(p->stack[i].member);
		}
}

/* The fault's code and string into r, from its struct. */
static int take_fault(struct xmlrpc_response *r, char *why, size_t whylen)
{
	const char *s = xmlrpc_member_str(r->value, "faultString");

	if (xmlrpc_member_int(r->value, "faultCode", &r->fault_code) != 0) {
		snprintf(why, whylen, "not XML-RPC: a fault without its faultCode");
		return -1;
	}
	r->fault_string = xstrdup(s != NULL ? s : "");
	value_free(r->value);
	r->value = NULL;
	return 0;
}

int xmlrpc_parse(const char *data, size_t len, struct xmlrpc_response *r, char *why, size_t whylen)
{
	struct parser p = {.r = r};
	enum XML_Status st;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (len > XMLRPC_MAX_ANSWER) {
		snprintf(why, whylen, "an answer of more than %d bytes", XMLRPC_MAX_ANSWER);
		return -1;
	}
	p.xp = XML_ParserCreate("UTF-8");
	if (p.xp == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	buf_init(&p.text, len + 1);
	XML_SetUserData(p.xp, &p);
	XML_SetElementHandler(p.xp, on_start, on_end);
	XML_SetCharacterDataHandler(p.xp, on_text);
	XML_SetStartDoctypeDeclHandler(p.xp, on_doctype);
	st = XML_Parse(p.xp, data, (int)len, XML_TRUE);
	if (p.why[0] != '\0') {
		snprintf(why, whylen, "%s", p.why);
		rc = -1;
	} else if (st != XML_STATUS_OK) {
		snprintf(why, whylen, "not XML: %s at line %lu",
			 XML_ErrorString(XML_GetErrorCode(p.xp)),
			 (unsigned long)XML_GetCurrentLineNumber(p.xp));
		rc = -1;
	} else if (r->value == NULL) {
		snprintf(why, whylen, "not XML-RPC: a methodResponse without a value");
		rc = -1;
	} else if (r->fault) {
		rc = take_fault(r, why, whylen);
	}
	drop_frames(&p);
	buf_free(&p.text);
	XML_ParserFree(p.xp);
	if (rc != 0)
		xmlrpc_response_free(r);
	return rc;
}

const struct xmlrpc_value *xmlrpc_member(const struct xmlrpc_value *v, const char *name)
{
	if (v == NULL || v->type != XMLRPC_STRUCT)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->names[i], name) == 0)
			return v->items[i];
	return NULL;
}

int xmlrpc_member_int(const struct xmlrpc_value *v, const char *name, long long *out)
{
	const struct xmlrpc_value *m = xmlrpc_member(v, name);

	if (m == NULL || (m->type != XMLRPC_INT && m->type != XMLRPC_BOOL))
		return -1;
	*out = m->i;
	return 0;
}

const char *xmlrpc_member_str(const struct xmlrpc_value *v, const char *name)
{
	const struct xmlrpc_value *m = xmlrpc_member(v, name);

	return m != NULL && m->type == XMLRPC_STRING ? m->s : NULL;
}
