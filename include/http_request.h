#ifndef HEALTHGATE_HTTP_REQUEST_H
#define HEALTHGATE_HTTP_REQUEST_H

/*
 * The one request the HTTP clients send (the http check, the probe and
 * ctl): a GET (or ctl's POST) with Host, User-Agent and Connection: close,
 * nothing else but ctl's token. Pure.
 */

#include <stddef.h>

#include "addr.h"

/* Room for any request of a URL that addr_parse_url() took. */
#define HTTP_REQUEST_MAX	(ADDR_PATH_MAX + ADDR_HOST_MAX + 160)

/*
 * Writes the request into buf (size bytes, HTTP_REQUEST_MAX is enough)
 * and returns its length. host is a name or an address, IPv6 without
 * brackets; agent, "healthgate/" or PROBE_USER_AGENT, is followed by the version.
 */
size_t	http_request_get(char *buf, size_t size, const char *host,
	    unsigned port, const char *path, const char *agent);

/*
 * The same with another method (a POST says Content-Length: 0) and, when
 * token is not NULL, "Authorization: Bearer TOKEN": healthgate ctl's.
 * HTTP_REQUEST_MAX plus the token's length is enough.
 */
size_t	http_request_build(char *buf, size_t size, const char *method,
	    const char *host, unsigned port, const char *path,
	    const char *agent, const char *token);

#endif
