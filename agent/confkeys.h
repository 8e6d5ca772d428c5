/*
 * The keys of a collector's section, as data. Each collect_*.c lists the
 * keys of its section in a table of struct conf_key (name, value type,
 * where the value goes in its own settings struct, default, help) and
 * conf.c reads the file through those tables: a collector owns its
 * configuration, and vaktd.conf(5), --check-config and the parser all
 * read the same list. The value types that several kinds share (an
 * address, a URL, a secret file, a login, TLS, a list of queues) are
 * written once, here, and a kind's table only points at them.
 */
#ifndef VAKT_CONFKEYS_H
#define VAKT_CONFKEYS_H

#include <stdbool.h>
#include <stddef.h>

/* The file being read (conf.c): where conf_error reports. */
struct conf_ctx;

/* How a value is checked, parsed, stored, shown and freed. */
struct conf_type {
	/* Check value for key before set; 0, or -1 after reporting. NULL: set checks. */
	int (*check)(struct conf_ctx *ctx, const char *key, const char *value);
	/*
	 * Parse value for key into field, replacing what is there; 0, or -1
	 * after reporting every problem with conf_error (field unchanged).
	 */
	int (*set)(struct conf_ctx *ctx, const char *key, const char *value, void *field);
	/* Free what set stored in field; NULL: nothing to free. */
	void (*free)(void *field);
	/* The value in field as text (in out, or a string it holds); NULL when unset. */
	const char *(*show)(const void *field, char *out, size_t outlen);
};

/* One key of a collector's section. */
struct conf_key {
	const char *name;
	const struct conf_type *type;
	size_t offset; /* of its field in the kind's settings */
	const char
	    *def; /* the value when the key is not given, NULL: none (or the finish hook's) */
	/* A check of its own before type's, NULL: none; 0, or -1 after reporting. */
	int (*check)(struct conf_ctx *ctx, const char *key, const char *value);
	const char *help; /* one line saying what it is */
};

/* A key whose value is field of the settings struct S. */
#define CONF_KEY(name, type, S, field, def, help)                                                  \
	{                                                                                          \
		name, &(type), offsetof(S, field), def, NULL, help                                 \
	}
/* The same with a check of the kind's own. */
#define CONF_KEY_CHECKED(name, type, S, field, check, help)                                        \
	{                                                                                          \
		name, &(type), offsetof(S, field), NULL, check, help                               \
	}

/* Names separated by commas (queues = a, b). */
struct conf_list {
	char **v;
	size_t n;
};

/* The login of a service. */
struct conf_login {
	char *user;	     /* NULL: none */
	char *password_file; /* NULL: none */
};
#define CONF_KEYS_LOGIN(S)                                                                         \
	CONF_KEY("user", conf_string, S, login.user, NULL, "the user to log in as"),               \
	    CONF_KEY("password_file", conf_secret_file, S, login.password_file, NULL,              \
		     "a file only its owner can read, holding the password")

/* TLS towards a service. */
struct conf_tls {
	char *ca_file; /* NULL: the system's CAs */
	bool insecure; /* do not verify the server */
};
#define CONF_KEY_CA_FILE(S, help) CONF_KEY("ca_file", conf_file, S, tls.ca_file, NULL, help)
#define CONF_KEYS_TLS(S)                                                                           \
	CONF_KEY_CA_FILE(S, "the CA bundle to verify the server with"),                            \
	    CONF_KEY("insecure", conf_bool, S, tls.insecure, NULL,                                 \
		     "yes: do not verify the server's certificate")

/* The queues a broker's section watches. */
struct conf_queues {
	struct conf_list names;
	char *regex; /* POSIX extended; NULL: none */
};
#define CONF_KEYS_QUEUES(S)                                                                        \
	CONF_KEY("queues", conf_queue_list, S, queues.names, NULL, "the queues to watch"),         \
	    CONF_KEY("queue_regex", conf_regex, S, queues.regex, NULL,                             \
		     "a POSIX extended regex: every queue whose name matches is watched")

/* The shared value types. */
extern const struct conf_type conf_string;	/* any text */
extern const struct conf_type conf_bool;	/* yes/no, true/false, on/off, 1/0 */
extern const struct conf_type conf_address;	/* HOST:PORT, [V6]:PORT or /path */
extern const struct conf_type conf_url;		/* http(s) URL without credentials */
extern const struct conf_type conf_file;	/* an absolute path to a readable file */
extern const struct conf_type conf_secret_file; /* the same, kept secret: conf_check_file */
extern const struct conf_type conf_regex;	/* a POSIX extended regex */
extern const struct conf_type conf_queue_list;	/* a list of queue names */

/* Report a problem with the current line (conf.c). */
void conf_error(struct conf_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Report a problem with line (conf.c), for a check made after the last line. */
void conf_error_at(struct conf_ctx *ctx, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The line where the current section gave key, 0 when it did not (conf.c). */
unsigned conf_key_line(const struct conf_ctx *ctx, const char *key);

/* value shortened for quoting in a message; the result lives in out. */
#define CONF_QUOTE_BUFSZ 84
const char *conf_quote(const char *v, char out[CONF_QUOTE_BUFSZ]);
/* Cut surrounding white space off s in place. */
char *conf_trim(char *s);
/*
 * Call fn for each comma-separated item of value, trimmed; the number of
 * items fn refused (returned -1 for, after reporting).
 */
int conf_split(struct conf_ctx *ctx, const char *value,
	       int (*fn)(struct conf_ctx *ctx, const char *item, void *arg), void *arg);
/* key's value as a yes/no; 0, or -1 after reporting. */
int conf_parse_bool(struct conf_ctx *ctx, const char *key, const char *value, bool *out);
/*
 * Check a file the agent will read: an absolute path to a non-empty regular
 * file, and for a secret one nobody but its owner can read or write, or its
 * group read when that is vaktd's group (checked once [agent] is read, by
 * conf_secret_group); 0, or -1 after reporting.
 */
int conf_check_file(struct conf_ctx *ctx, const char *key, const char *path, bool secret);
/* Note a secret file that group gid may read (mode), to be checked at the end (conf.c). */
void conf_secret_group(struct conf_ctx *ctx, const char *key, const char *path, unsigned gid,
		       unsigned mode);
/* Check that path is absolute (the agent changes directory); 0, or -1 after reporting. */
int conf_check_absolute(struct conf_ctx *ctx, const char *key, const char *path);
/* Replace *dst with a copy of value. */
void conf_set_str(char **dst, const char *value);

/* Fresh settings for keys, their defaults not yet applied (size 0: NULL). */
void *conf_settings_new(size_t size);
/* Free settings that keys filled; NULL is fine. */
void conf_settings_free(const struct conf_key *keys, void *settings);
/* The key called name in keys, or NULL. */
const struct conf_key *conf_key_find(const struct conf_key *keys, const char *name);

#endif
