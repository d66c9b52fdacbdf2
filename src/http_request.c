/*
 * http_request.c: the GET request of the http check and the probe (see
 * http_request.h).
 */
#include <stdio.h>
#include <string.h>

#include "http_request.h"
#include "version.h"

size_t
http_request_get(char *buf, size_t size, const char *host, unsigned port,
    const char *path, const char *agent)
{
	int v6 = strchr(host, ':') != NULL;
	int n;

	n = snprintf(buf, size, "GET %s HTTP/1.1\r\nHost: %s%s%s:%u\r\n"
	    "User-Agent: %s%s\r\nConnection: close\r\n\r\n", path,
	    v6 ? "[" : "", host, v6 ? "]" : "", port, agent,
	    HEALTHGATE_VERSION);
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}
