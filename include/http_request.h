#ifndef HEALTHGATE_HTTP_REQUEST_H
#define HEALTHGATE_HTTP_REQUEST_H

/*
 * The one request both HTTP clients send (the http check and the probe):
 * a GET (or the check's HEAD) with Host, User-Agent and Connection: close,
 * and the check's own header lines. Pure.
 */

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

#define HTTP_REQUEST_HEADERS_MAX	1024	/* a check's own header lines */

/* Room for any request of a URL that addr_parse_url() took. */
#define HTTP_REQUEST_MAX	(ADDR_PATH_MAX + ADDR_HOST_MAX + 160 + \
	HTTP_REQUEST_HEADERS_MAX)

/* One request; headers and own_host are the http check's. */
struct http_request {
	const char	*method;	/* "GET" or "HEAD" */
	const char	*host;		/* a name or an address, IPv6 bare */
	unsigned	 port;
	const char	*path;
	const char	*agent;		/* followed by the version */
	const char	*headers;	/* "Name: value\r\n" lines, or NULL */
	bool		 own_host;	/* headers hold Host: send no other */
	bool		 own_agent;	/* ...and User-Agent */
};

/* Writes r into buf (size bytes, HTTP_REQUEST_MAX is enough); its length. */
size_t	http_request_write(char *buf, size_t size, const struct http_request *r);

/*
 * Writes the request into buf (size bytes, HTTP_REQUEST_MAX is enough)
 * and returns its length. host is a name or an address, IPv6 without
 * brackets; agent, "healthgate/" or PROBE_USER_AGENT, is followed by the version.
 */
size_t	http_request_get(char *buf, size_t size, const char *host,
	    unsigned port, const char *path, const char *agent);

#endif
