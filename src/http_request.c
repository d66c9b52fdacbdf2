/*
 * http_request.c: the request of the http check, the probe and ctl (see
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
	/* A POST says it has no body (RFC 9110 8.6), as proxies want. */
	n = snprintf(buf, size, "%s %s HTTP/1.1\r\n%s%s%s%s%s%s%s"
	    "Connection: close\r\n\r\n", r->method, r->path, host, agent,
	    r->token ? "Authorization: Bearer " : "", r->token ? r->token : "",
	    r->token ? "\r\n" : "", strcmp(r->method, "POST") == 0 ?
	    "Content-Length: 0\r\n" : "", r->headers ? r->headers : "");
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

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
	const struct http_request r = {
		.method = method, .host = host, .port = port, .path = path,
		.agent = agent, .token = token,
	};

	return http_request_write(buf, size, &r);
}
