#ifndef HEALTHGATE_HTTP_REQUEST_H
#define HEALTHGATE_HTTP_REQUEST_H

/*
 * The one request the HTTP clients send (the http check, the probe and
 * ctl): a GET (the check's HEAD, ctl's POST) with Host, User-Agent and
 * Connection: close, and the check's own header lines or ctl's token.
 * Pure.
 */

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

#define HTTP_REQUEST_HEADERS_MAX	1024	/* a check's own header lines */

/* Room for any request of a URL that addr_parse_url() took. */
#define HTTP_REQUEST_MAX	(ADDR_PATH_MAX + ADDR_HOST_MAX + 160 + \
	HTTP_REQUEST_HEADERS_MAX)

/* One request; headers and own_* are the http check's, token is ctl's. */
struct http_request {
	const char	*method;	/* "GET", "HEAD", "POST" */
	const char	*host;		/* a name or an address, IPv6 bare */
	unsigned	 port;
	const char	*path;
	const char	*agent;		/* followed by the version */
	const char	*headers;	/* "Name: value\r\n" lines, or NULL */
	bool		 own_host;	/* headers hold Host: send no other */
	bool		 own_agent;	/* ...and User-Agent */
	const char	*token;		/* "Authorization: Bearer", or NULL */
};

/*
 * Writes r into buf (size bytes: HTTP_REQUEST_MAX, plus the token's
 * length with one) and returns its length. A POST says Content-Length: 0.
 */
size_t	http_request_write(char *buf, size_t size, const struct http_request *r);

/*
 * A GET of path, nothing else: host is a name or an address, IPv6 without
 * brackets; agent, "healthgate/" or PROBE_USER_AGENT, is followed by the
 * version.
 */
size_t	http_request_get(char *buf, size_t size, const char *host,
	    unsigned port, const char *path, const char *agent);

/*
 * The same with another method and, when token is not NULL,
 * "Authorization: Bearer TOKEN": healthgate ctl's.
 */
size_t	http_request_build(char *buf, size_t size, const char *method,
	    const char *host, unsigned port, const char *path,
	    const char *agent, const char *token);

#endif
