#ifndef HEALTHGATE_PROBE_H
#define HEALTHGATE_PROBE_H

/*
 * "healthgate probe": one blocking HTTP GET with a deadline, for container
 * health checks in images with no shell, no curl and no resolver.
 */

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

/*
 * The User-Agent probe sends, up to its version. /health requests that
 * carry it never count for the drain: they come from a container's own
 * health check, never from a load balancer.
 */
#define PROBE_USER_AGENT	"healthgate-probe/"

/*
 * grpc://HOST:PORT[/SERVICE]: one grpc.health.v1 Check within timeout_ms
 * (probe_grpc.c). Exit 0 on SERVING, 1 on anything else, with why.
 */
int	probe_grpc_main(const char *target, unsigned timeout_ms);

/* Exit 0 on a 2xx answer, 1 on anything else (Docker reserves 2). */
int	probe_main(int argc, char *const argv[], char *const envp[]);

/*
 * GETs u within timeout_ms. Returns the status code, or 0 with the reason
 * in why.
 */
unsigned probe_get(const struct url *u, unsigned timeout_ms, char *why,
	    unsigned whylen);

/*
 * Whether buf holds a whole answer: its head and as much body as its
 * Content-Length announces. Pure; fuzzed. Without a Content-Length the
 * answer runs to EOF.
 */
bool	probe_response_complete(const char *buf, size_t len);

/*
 * The URL of the daemon that HEALTHGATE_LISTEN (listen, may be NULL)
 * describes, for path: what probe uses when given no URL or a bare path.
 */
void	probe_default_url(const char *listen, const char *path, char *buf,
	    unsigned size);

#endif
