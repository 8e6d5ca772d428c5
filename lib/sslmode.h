/*
 * libpq's sslmode values, known without linking libpq: check_pgsql_locks
 * and vaktd.conf's [postgresql] sections refuse a mistyped one, which
 * would make libpq fail at every connection.
 */
#ifndef VAKT_SSLMODE_H
#define VAKT_SSLMODE_H

#include <stdbool.h>

/* The values in words, for a message: "expected " SSLMODE_WORDS. */
#define SSLMODE_WORDS "disable, allow, prefer, require, verify-ca or verify-full"

/* Whether mode is one of libpq's sslmode values. */
bool sslmode_valid(const char *mode);

/* Whether libpq may connect in plain text with mode (a CA file would then go unused). */
bool sslmode_may_skip_tls(const char *mode);

#endif
