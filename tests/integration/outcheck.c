/*
 * Read a plugin's output on stdin and check it as the strictest consumer
 * would, with none of lib/'s code (so it cannot share a bug with what it
 * checks):
 *
 *   - valid UTF-8 without control characters but line ends: no C0 or C1
 *     control, DEL, U+2028, U+2029, or bidirectional control;
 *   - a first line "NAME STATE[ - SUMMARY][ | PERFDATA]", and no '|'
 *     anywhere else;
 *   - perfdata as entries 'label'=value[UOM];[warn];[crit];[min];[max]
 *     separated by one space, where a label holds none of = ' ; | (quoted
 *     only for a space), a value, min and max are -?DIGITS[.DIGITS], warn
 *     and crit are ranges [@][START:][END] of such numbers (START may be ~),
 *     the unit is one the plugin contract allows, and no label repeats.
 *
 * Exit 0 when it holds; 1 with the reason on stdout when it does not.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT 65536
#define MAX_ENTRIES 2048

static const char *why;

static bool bad(const char *reason)
{
	why = reason;
	return false;
}

/* Decode the character at s (n bytes left); its length, 0 when not UTF-8. */
static size_t decode(const unsigned char *s, size_t n, unsigned long *cp)
{
	size_t len;
	unsigned long min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2, min = 0x80, *cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, min = 0x800, *cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4, min = 0x10000, *cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return len;
}

static bool control(unsigned long cp)
{
	return (cp < 0x20 && cp != '\n') || (cp >= 0x7f && cp <= 0x9f) || cp == 0x61c ||
	       cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

static bool text_ok(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned long cp;

	for (size_t i = 0, len; i < n; i += len) {
		len = decode(u + i, n - i, &cp);
		if (len == 0)
			return bad("invalid UTF-8");
		if (control(cp))
			return bad(cp == 0 ? "a NUL byte" : "a control character");
	}
	return true;
}

/* Skip -?DIGITS[.DIGITS] at *p; false when there is none. */
static bool number(const char **p)
{
	const char *s = *p;

	if (*s == '-')
		s++;
	if (*s < '0' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9')
		s++;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	*p = s;
	return true;
}

/* A range field, from s to end (exclusive). */
static bool range(const char *s, const char *end)
{
	const char *p = s, *colon;
	bool has_start = false, has_end = false;

	if (p < end && *p == '@')
		p++;
	colon = p < end ? memchr(p, ':', (size_t)(end - p)) : NULL;
	if (colon != NULL) {
		if (colon - p == 1 && *p == '~')
			p++;
		else if (p < colon && (!number(&p) || p != colon))
			return bad("a threshold's start is not a number");
		has_start = p > s && p[-1] != '@';
		p = colon + 1;
	}
	if (p < end) {
		if (!number(&p) || p != end)
			return bad("a threshold's end is not a number");
		has_end = true;
	}
	if (!has_start && !has_end)
		return bad("an empty threshold");
	return true;
}

static bool uom(const char *s, size_t n)
{
	static const char *const ok[] = {"",   "s",  "ms", "us", "%", "B",
					 "KB", "MB", "GB", "TB", "c"};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strlen(ok[i]) == n && strncmp(ok[i], s, n) == 0)
			return true;
	return bad("a unit the contract does not allow");
}

/* One entry at *p, up to the next space or the end; its label into label. */
static bool entry(const char **p, char *label, size_t labellen)
{
	const char *s = *p, *l, *field;
	size_t n;

	if (*s == '\'') {
		l = ++s;
		while (*s != '\0' && *s != '\'' && strchr("=;|", *s) == NULL)
			s++;
		if (*s != '\'')
			return bad("a quoted label holds = ; | or does not end");
		n = (size_t)(s - l);
		s++;
	} else {
		l = s;
		while (*s != '\0' && strchr(" '=;|", *s) == NULL)
			s++;
		n = (size_t)(s - l);
	}
	if (n == 0 || n >= labellen)
		return bad("an empty or huge label");
	memcpy(label, l, n);
	label[n] = '\0';
	if (*s++ != '=')
		return bad("a label without '=' after it, or with a forbidden character");
	if (!number(&s))
		return bad("a value that is not a plain decimal number");
	field = s;
	while (*s != '\0' && *s != ';' && *s != ' ')
		s++;
	if (!uom(field, (size_t)(s - field)))
		return false;
	for (int i = 0; i < 4 && *s == ';'; i++) {
		field = ++s;
		while (*s != '\0' && *s != ';' && *s != ' ')
			s++;
		if (s == field)
			continue;
		if (i < 2 && !range(field, s))
			return false;
		if (i >= 2 && (!number(&field) || field != s))
			return bad("a min or max that is not a plain decimal number");
	}
	if (*s != '\0' && *s != ' ')
		return bad("more than five fields in an entry");
	*p = s;
	return true;
}

static bool perfdata(const char *s)
{
	static char labels[MAX_ENTRIES][256];
	size_t n = 0;

	for (;;) {
		if (n == MAX_ENTRIES)
			return bad("too many entries");
		if (!entry(&s, labels[n], sizeof(labels[n])))
			return false;
		for (size_t i = 0; i < n; i++)
			if (strcmp(labels[i], labels[n]) == 0)
				return bad("a label repeats");
		n++;
		if (*s == '\0')
			return true;
		if (*++s == ' ' || *s == '\0')
			return bad("entries not separated by exactly one space");
	}
}

static bool first_line(char *line)
{
	static const char *const states[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
	char *pipe = strchr(line, '|'), *p = line;
	size_t i;

	while ((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-')
		p++;
	if (p == line || *p++ != ' ')
		return bad("the first line does not start with NAME STATE");
	for (i = 0; i < 4; i++)
		if (strncmp(p, states[i], strlen(states[i])) == 0)
			break;
	if (i == 4)
		return bad("the first line has no state");
	p += strlen(states[i]);
	if (*p != '\0' && strncmp(p, " - ", 3) != 0 && strncmp(p, " | ", 3) != 0)
		return bad("the state is not followed by \" - \" or \" | \"");
	if (pipe == NULL)
		return true;
	if (strchr(pipe + 1, '|') != NULL)
		return bad("more than one '|' on the first line");
	if (pipe == line || pipe[-1] != ' ' || pipe[1] != ' ')
		return bad("'|' not between spaces");
	return perfdata(pipe + 2);
}

int main(void)
{
	static char in[MAX_INPUT + 1];
	size_t n = fread(in, 1, MAX_INPUT + 1, stdin);
	char *nl;

	if (n > MAX_INPUT) {
		puts("more than 64 KiB of output");
		return 1;
	}
	in[n] = '\0';
	if (strlen(in) != n) {
		puts("a NUL byte");
		return 1;
	}
	nl = strchr(in, '\n');
	if (nl != NULL && strchr(nl, '|') != NULL) {
		puts("a '|' after the first line");
		return 1;
	}
	if (!text_ok(in, n)) {
		puts(why);
		return 1;
	}
	if (nl != NULL)
		*nl = '\0';
	if (!first_line(in)) {
		puts(why);
		return 1;
	}
	return 0;
}
