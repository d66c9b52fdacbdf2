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
	return http_request_build(buf, size, "GET", host, port, path, agent,
	    NULL);
}

size_t
http_request_build(char *buf, size_t size, const char *method,
    const char *host, unsigned port, const char *path, const char *agent,
    const char *token)
{
	int v6 = strchr(host, ':') != NULL;
	int n;

	/* A POST says it has no body (RFC 9110 8.6), as proxies want. */
	n = snprintf(buf, size, "%s %s HTTP/1.1\r\nHost: %s%s%s:%u\r\n"
	    "User-Agent: %s%s\r\n%s%s%s%sConnection: close\r\n\r\n",
	    method, path, v6 ? "[" : "", host, v6 ? "]" : "", port, agent,
	    HEALTHGATE_VERSION, token ? "Authorization: Bearer " : "",
	    token ? token : "", token ? "\r\n" : "",
	    strcmp(method, "POST") == 0 ? "Content-Length: 0\r\n" : "");
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}
