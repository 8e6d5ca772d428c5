/* The set-up the HTTP collectors share (see collect_http.h). */
#include "config.h"

#include <stdio.h>

#include "collect_http.h"
#include "secret.h"

int collect_http_start(const struct config_collector *cc, const struct conf_login *login,
		       struct httpc *http, char **password, char *err, size_t errlen)
{
	/* libcurl's set-up is reference-counted; create runs before any collector thread. */
	if (httpc_init(http, true, err, errlen) != 0) {
		snprintf(err, errlen, "[%s]: cannot initialise libcurl", cc->name);
		return -1;
	}
	if (login->password_file != NULL &&
	    secret_load(login->password_file, NULL, password, err, errlen) != 0)
		return -1;
	return 0;
}
