#ifndef HEALTHGATE_PROBE_H
#define HEALTHGATE_PROBE_H

/*
 * "healthgate probe": one blocking HTTP GET with a deadline, for container
 * health checks in images with no shell, no curl and no resolver.
 */

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

struct tls_conf;

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

/* https: the session's settings and the server name to send and match. */
struct probe_tls {
	struct tls_conf	*conf;		/* owned by whoever made it */
	const char	*name;		/* NULL: none (an address, insecure) */
};

/* One request of healthgate ctl's (probe_get is a GET of these). */
struct probe_req {
	const struct url *url;
	const char	*method;	/* "GET" or "POST" (no body) */
	const char	*token;		/* sent as a bearer token, or NULL */
	unsigned	 timeout_ms;
	const struct probe_tls *tls;	/* https: over TLS; NULL for http */
};

/* An answer's body, NUL-terminated; the caller frees data. */
struct probe_body {
	char		*data;
	size_t		 len;
};

/*
 * Sends r and reads its answer within its timeout. Returns the status
 * code, with the body in *body when body is not NULL (data NULL if out of
 * memory), or 0 with the reason in why.
 */
unsigned probe_call(const struct probe_req *r, struct probe_body *body,
	    char *why, unsigned whylen);

/*
 * Waits for events on fd until deadline (s, clock_mono()'s): the events
 * that came (poll's revents), or 0 when the deadline passed first.
 */
int	probe_wait(int fd, short events, double deadline);

/*
 * A socket connected to host:port (a literal, or a name looked up) before
 * deadline; -1 with why, naming timeout_ms when it ran out.
 */
int	probe_open(const char *host, unsigned port, double deadline,
	    unsigned timeout_ms, char *why, unsigned whylen);

/*
 * The TLS handshake of t on fd (connected), waiting with poll() until
 * deadline (clock_mono() seconds): false with why ("tls: handshake
 * timeout after timeout_ms ms", or the session's reason).
 */
struct tls_conn;
bool	probe_tls_handshake(int fd, struct tls_conn *t, double deadline,
	    unsigned timeout_ms, char *why, unsigned whylen);

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
