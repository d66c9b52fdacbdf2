/*
 * http_request.c: the GET request of the http check and the probe (see
 * http_request.h).
 */
#include <stdio.h>
#include <string.h>

#include "http_request.h"
#include "version.h"

size_t
http_request_write(char *buf, size_t size, const struct http_request *r)
{
	int v6 = strchr(r->host, ':') != NULL;
	char host[ADDR_HOST_MAX + 32] = "", agent[128] = "";
	int n;

	if (!r->own_host)
		snprintf(host, sizeof(host), "Host: %s%s%s:%u\r\n", v6 ? "[" : "",
		    r->host, v6 ? "]" : "", r->port);
	if (!r->own_agent)
		snprintf(agent, sizeof(agent), "User-Agent: %s%s\r\n",
		    r->agent, HEALTHGATE_VERSION);
	n = snprintf(buf, size, "%s %s HTTP/1.1\r\n%s%s%sConnection: close"
	    "\r\n\r\n", r->method, r->path, host, agent,
	    r->headers ? r->headers : "");
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

size_t
http_request_get(char *buf, size_t size, const char *host, unsigned port,
    const char *path, const char *agent)
{
	const struct http_request r = {
		.method = "GET", .host = host, .port = port, .path = path,
		.agent = agent,
	};

	return http_request_write(buf, size, &r);
}
