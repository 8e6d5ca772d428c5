/* The check endpoint's JSON, both ways (see checkwire.h). */
#include "config.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkwire.h"
#include "output.h"
#include "xalloc.h"

void checkwire_encode(enum state st, const char *text, struct buf *b)
{
	struct json_object *o = json_object_new_object();
	size_t first = strcspn(text, "\n");
	char *line = xstrndup(text, first);
	char *bar = strstr(line, " | ");

	json_object_object_add(o, "state", json_object_new_string(state_name(st)));
	json_object_object_add(o, "exit_code", json_object_new_int((int)st));
	json_object_object_add(o, "output", json_object_new_string(text));
	json_object_object_add(o, "perfdata", json_object_new_string(bar != NULL ? bar + 3 : ""));
	if (bar != NULL)
		*bar = '\0';
	json_object_object_add(o, "status_line", json_object_new_string(line));
	buf_puts(b, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	buf_puts(b, "\n");
	json_object_put(o);
	free(line);
}

/* Whether s is valid UTF-8 without a control character but the newline. */
static bool printable(const char *s)
{
	for (size_t n; *s != '\0'; s += n) {
		n = buf_utf8_len(s);
		if (n == 0 || (*s != '\n' && buf_utf8_control(s, n)))
			return false;
	}
	return true;
}

/* The one JSON value of body, an object with nothing after it but white space; or NULL. */
static struct json_object *parse_whole(const char *body, size_t len)
{
	struct json_tokener *tok;
	struct json_object *j;
	size_t end;
	bool bad;

	if (len > INT32_MAX || memchr(body, '\0', len) != NULL)
		return NULL;
	tok = json_tokener_new();
	j = json_tokener_parse_ex(tok, body, (int)len);
#if JSON_C_VERSION_NUM >= ((0 << 16) | (15 << 8))
	end = json_tokener_get_parse_end(tok);
#else
	end = (size_t)tok->char_offset;
#endif
	bad = json_tokener_get_error(tok) != json_tokener_success || end > len;
	for (size_t i = end; !bad && i < len; i++)
		bad = strchr(" \t\r\n", body[i]) == NULL;
	json_tokener_free(tok);
	if (j != NULL && (bad || !json_object_is_type(j, json_type_object))) {
		json_object_put(j);
		j = NULL;
	}
	return j;
}

/*
 * Whether line and output agree: "SERVICE STATE - ...", SERVICE a word of
 * capitals, digits, '_' and '-' ("VAKT", "HAPROXY", "MYSQL-LOCKS"), and
 * output starting with line.
 */
static bool consistent(enum state st, const char *line, const char *output, size_t outlen)
{
	size_t linelen = strlen(line);
	size_t word = strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
	const char *name = state_name(st);
	size_t headlen = word + 1 + strlen(name);

	/* "SERVICE STATE - summary", then " | perfdata" or the end of the first line. */
	return word > 0 && line[word] == ' ' && strncmp(line + word + 1, name, strlen(name)) == 0 &&
	       (line[headlen] == '\0' || line[headlen] == ' ') &&
	       strncmp(output, line, linelen) == 0 &&
	       (output[linelen] == '\n' || strncmp(output + linelen, " | ", 3) == 0) &&
	       outlen > 0 && outlen <= OUTPUT_MAX && output[outlen - 1] == '\n' &&
	       printable(output);
}

int checkwire_decode(const char *body, size_t len, struct checkwire *w)
{
	static const char *const keys[] = {"state", "exit_code", "status_line", "perfdata",
					   "output"};
	struct json_object *j = parse_whole(body, len), *f[5];
	const char *line, *output;
	int64_t code;
	size_t outlen;

	memset(w, 0, sizeof(*w));
	if (j == NULL)
		return -1;
	for (size_t i = 0; i < 5; i++)
		if (!json_object_object_get_ex(j, keys[i], &f[i]) ||
		    !json_object_is_type(f[i], i == 1 ? json_type_int : json_type_string))
			goto bad;
	code = json_object_get_int64(f[1]);
	if (code < STATE_OK || code > STATE_UNKNOWN ||
	    strcmp(json_object_get_string(f[0]), state_name((enum state)code)) != 0)
		goto bad;
	line = json_object_get_string(f[2]);
	output = json_object_get_string(f[4]);
	outlen = strlen(output);
	/* A NUL inside the output would end it early: the lengths must agree. */
	if (outlen != (size_t)json_object_get_string_len(f[4]) ||
	    strlen(line) != (size_t)json_object_get_string_len(f[2]) ||
	    !consistent((enum state)code, line, output, outlen))
		goto bad;
	w->state = (enum state)code;
	w->status_line = xstrdup(line);
	w->output = xstrdup(output);
	json_object_put(j);
	return 0;
bad:
	json_object_put(j);
	return -1;
}

void checkwire_free(struct checkwire *w)
{
	free(w->status_line);
	free(w->output);
	w->status_line = w->output = NULL;
}
