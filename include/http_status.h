#ifndef HEALTHGATE_HTTP_STATUS_H
#define HEALTHGATE_HTTP_STATUS_H

/*
 * The status line of an HTTP/1.x response, read by the http check and the
 * probe client. Pure; fuzzed.
 */

#include <stddef.h>

#define HTTP_STATUS_LINE_MAX	1024	/* longer is malformed */

enum http_status_result {
	HTTP_STATUS_DONE,	/* *code is set */
	HTTP_STATUS_MORE,	/* no complete line yet */
	HTTP_STATUS_BAD,	/* not an HTTP/1.x status line */
};

enum http_status_result http_status_parse(const char *buf, size_t len,
			    unsigned *code);

#endif
