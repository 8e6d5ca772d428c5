/*
 * The value types collectors' key tables share, and the checks behind
 * them (see confkeys.h). Each reports through conf_error, so a message
 * reads the same whichever section it comes from.
 */
#include "config.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "address.h"
#include "confkeys.h"
#include "http1.h"
#include "xalloc.h"

/* Longest value quoted back in a message. */
#define QUOTE_MAX 80
/* Longest item of a list: a line of the file. */
#define ITEM_MAX 4096

const char *conf_quote(const char *v, char out[CONF_QUOTE_BUFSZ])
{
	if (strlen(v) <= QUOTE_MAX)
		return v;
	snprintf(out, CONF_QUOTE_BUFSZ, "%.*s...", QUOTE_MAX, v);
	return out;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

char *conf_trim(char *s)
{
	size_t n;

	while (is_space(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		s[--n] = '\0';
	return s;
}

int conf_split(struct conf_ctx *ctx, const char *value,
	       int (*fn)(struct conf_ctx *ctx, const char *item, void *arg), void *arg)
{
	const char *s = value;
	int bad = 0;

	for (;;) {
		size_t len = strcspn(s, ",");
		char item[ITEM_MAX + 1];

		if (len > ITEM_MAX)
			len = ITEM_MAX;
		memcpy(item, s, len);
		item[len] = '\0';
		if (fn(ctx, conf_trim(item), arg) != 0)
			bad++;
		s += strcspn(s, ",");
		if (*s == '\0')
			break;
		s++;
	}
	return bad;
}

void conf_set_str(char **dst, const char *value)
{
	free(*dst);
	*dst = xstrdup(value);
}

int conf_parse_bool(struct conf_ctx *ctx, const char *key, const char *value, bool *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	char q[CONF_QUOTE_BUFSZ];

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(value, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(value, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	conf_error(ctx, "invalid %s '%s' (expected yes or no)", key, conf_quote(value, q));
	return -1;
}

int conf_check_absolute(struct conf_ctx *ctx, const char *key, const char *path)
{
	if (path[0] == '/')
		return 0;
	conf_error(ctx, "%s %s is not an absolute path", key, path);
	return -1;
}

/* Why a secret file's mode lets others in, as "readable by its group". */
static void secret_exposure(unsigned mode, const char **what, const char **who)
{
	if ((mode & 044) != 0 && (mode & 022) != 0)
		*what = "readable and writable";
	else if ((mode & 044) != 0)
		*what = "readable";
	else if ((mode & 022) != 0)
		*what = "writable";
	else
		*what = "accessible";
	*who = (mode & 007) != 0 ? "others" : "its group";
}

/*
 * The agent changes directory when it starts, so a relative path would
 * change meaning.
 */
int conf_check_file(struct conf_ctx *ctx, const char *key, const char *path, bool secret)
{
	struct stat st;
	unsigned mode;
	const char *what, *who;

	if (conf_check_absolute(ctx, key, path) != 0)
		return -1;
	if (stat(path, &st) == -1) {
		conf_error(ctx, "%s %s: %s", key, path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		conf_error(ctx, "%s %s is not a regular file", key, path);
		return -1;
	}
	if (st.st_size == 0) {
		conf_error(ctx, "%s %s is empty", key, path);
		return -1;
	}
	mode = (unsigned)st.st_mode & 07777;
	if (!secret || (mode & 077) == 0)
		return 0;
	/* Read by its group only (root:vakt 0640): fine if that is vaktd's group. */
	if ((mode & 037) == 0) {
		conf_secret_group(ctx, key, path, (unsigned)st.st_gid, mode);
		return 0;
	}
	secret_exposure(mode, &what, &who);
	conf_error(ctx, "%s %s is %s by %s (mode %04o); chmod 600 it", key, path, what, who, mode);
	return -1;
}

/* Text values. */

static int string_set(struct conf_ctx *ctx, const char *key, const char *value, void *field)
{
	(void)ctx;
	(void)key;
	conf_set_str(field, value);
	return 0;
}

static void string_free(void *field)
{
	free(*(char **)field);
}

static const char *string_show(const void *field, char *out, size_t outlen)
{
	(void)out;
	(void)outlen;
	return *(char *const *)field;
}

const struct conf_type conf_string = {NULL, string_set, string_free, string_show};

/* Text values that must pass a check: an address, a URL, a file, a regex. */

static int address_check(struct conf_ctx *ctx, const char *key, const char *value)
{
	char host[256], err[512];
	long port;

	(void)key;
	if (address_split(value, host, sizeof(host), &port, err, sizeof(err)) == 0)
		return 0;
	conf_error(ctx, "%s", err);
	return -1;
}

const struct conf_type conf_address = {address_check, string_set, string_free, string_show};

static int url_check(struct conf_ctx *ctx, const char *key, const char *value)
{
	char why[1400];

	if (http1_url_check(value, key, why, sizeof(why)) == 0)
		return 0;
	conf_error(ctx, "%s", why);
	return -1;
}

const struct conf_type conf_url = {url_check, string_set, string_free, string_show};

static int file_check(struct conf_ctx *ctx, const char *key, const char *value)
{
	return conf_check_file(ctx, key, value, false);
}

const struct conf_type conf_file = {file_check, string_set, string_free, string_show};

static int secret_file_check(struct conf_ctx *ctx, const char *key, const char *value)
{
	return conf_check_file(ctx, key, value, true);
}

const struct conf_type conf_secret_file = {secret_file_check, string_set, string_free, string_show};

static int regex_check(struct conf_ctx *ctx, const char *key, const char *value)
{
	regex_t re;
	int rc = regcomp(&re, value, REG_EXTENDED | REG_NOSUB);
	char why[128];

	if (rc == 0) {
		regfree(&re);
		return 0;
	}
	regerror(rc, &re, why, sizeof(why));
	conf_error(ctx, "invalid %s '%s': %s", key, value, why);
	return -1;
}

const struct conf_type conf_regex = {regex_check, string_set, string_free, string_show};

/* Booleans. */

static int bool_set(struct conf_ctx *ctx, const char *key, const char *value, void *field)
{
	return conf_parse_bool(ctx, key, value, field);
}

static const char *bool_show(const void *field, char *out, size_t outlen)
{
	(void)out;
	(void)outlen;
	return *(const bool *)field ? "yes" : "no";
}

const struct conf_type conf_bool = {NULL, bool_set, NULL, bool_show};

/* Lists of queue names. */

struct list_parse {
	const char *key;
	struct conf_list list;
};

/* One name: an empty one is reported once per line. */
static int queue_item(struct conf_ctx *ctx, const char *item, void *arg)
{
	struct list_parse *lp = arg;

	if (*item == '\0') {
		if (lp->key != NULL)
			conf_error(ctx, "empty queue name in %s", lp->key);
		lp->key = NULL;
		return -1;
	}
	lp->list.v = xgrow(lp->list.v, lp->list.n, sizeof(*lp->list.v));
	lp->list.v[lp->list.n++] = xstrdup(item);
	return 0;
}

static void list_free(void *field)
{
	struct conf_list *l = field;

	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int queue_list_set(struct conf_ctx *ctx, const char *key, const char *value, void *field)
{
	struct list_parse lp = {key, {NULL, 0}};

	if (conf_split(ctx, value, queue_item, &lp) != 0) {
		list_free(&lp.list);
		return -1;
	}
	list_free(field);
	*(struct conf_list *)field = lp.list;
	return 0;
}

static const char *list_show(const void *field, char *out, size_t outlen)
{
	const struct conf_list *l = field;
	size_t used = 0;

	if (l->n == 0)
		return NULL;
	out[0] = '\0';
	for (size_t i = 0; i < l->n && used < outlen; i++)
		used +=
		    (size_t)snprintf(out + used, outlen - used, "%s%s", i > 0 ? ", " : "", l->v[i]);
	return out;
}

const struct conf_type conf_queue_list = {NULL, queue_list_set, list_free, list_show};

/* Settings. */

void *conf_settings_new(size_t size)
{
	return size == 0 ? NULL : xcalloc(1, size);
}

void conf_settings_free(const struct conf_key *keys, void *settings)
{
	if (settings == NULL)
		return;
	for (const struct conf_key *k = keys; k != NULL && k->name != NULL; k++)
		if (k->type->free != NULL)
			k->type->free((char *)settings + k->offset);
	free(settings);
}

const struct conf_key *conf_key_find(const struct conf_key *keys, const char *name)
{
	for (const struct conf_key *k = keys; k != NULL && k->name != NULL; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}
