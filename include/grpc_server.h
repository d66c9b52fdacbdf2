#ifndef HEALTHGATE_GRPC_SERVER_H
#define HEALTHGATE_GRPC_SERVER_H

/*
 * The gRPC side (--grpc-listen): HTTP/2 cleartext with prior knowledge,
 * an nghttp2 server session per connection on libev io watchers,
 * answering grpc.health.v1.Health/Check from the verdict /health serves,
 * built ahead of time; it never probes anything on a request.
 *
 * What it answers (docs/grpc.md says why):
 *   Health/Check, healthy      grpc-status 0, SERVING
 *   Health/Check, not healthy  NOT_SERVING, then grpc-status 14
 *                              UNAVAILABLE "NOT_SERVING: <why>": an ALB
 *                              code matcher, Kubernetes' probe and
 *                              grpc_health_probe all read it as failed
 *   any other path             12 UNIMPLEMENTED when healthy (the ALB's
 *   (/AWS.ALB/healthcheck)     default matcher), 14 when not
 *   Health/Watch               12 UNIMPLEMENTED, always
 * A named service gets the verdict of the whole: one verdict for all.
 *
 * Admission, per-address limits and the timeouts are set as the HTTP
 * side's, but counted in a table of its own (conn_table.c): an address
 * may hold max_per_ip connections on each of the two ports; a complete
 * request is the "head". The served hook sees every answer that carries
 * the verdict, so the drain watches gRPC probers as it does HTTP ones.
 */

#include <ev.h>
#include <stdbool.h>

#include "conn_table.h"
#include "http_server.h"
#include "sbuf.h"

enum grpc_server_route {
	GRPC_SERVER_ROUTE_CHECK,	/* /grpc.health.v1.Health/Check */
	GRPC_SERVER_ROUTE_ALB,		/* /AWS.ALB/healthcheck */
	GRPC_SERVER_ROUTE_WATCH,	/* /grpc.health.v1.Health/Watch */
	GRPC_SERVER_ROUTE_OTHER,
	GRPC_SERVER_ROUTE_COUNT,
};

/* The routes' paths, in enum order: for the router and /metrics. */
#define GRPC_SERVER_PATHS { "/grpc.health.v1.Health/Check", \
	"/AWS.ALB/healthcheck", "/grpc.health.v1.Health/Watch", "other" }

#define GRPC_SERVER_CODES	17	/* gRPC status codes 0..16 */

/* What /metrics shows of the gRPC side. */
struct grpc_server_stats {
	unsigned long long answers[GRPC_SERVER_ROUTE_COUNT][GRPC_SERVER_CODES];
	struct conn_stats conns;
};

struct grpc_server;

/*
 * Binds host:port and serves on loop with the HTTP side's limits and
 * hooks (served gets 200 for a healthy answer, 503 for a failed one; the
 * metrics hook is not used). NULL with a reason in err.
 */
struct grpc_server *grpc_server_new(struct ev_loop *, const char *host,
		    unsigned port, const struct http_limits *,
		    const struct http_hooks *, char *err, unsigned errlen);
void		 grpc_server_free(struct grpc_server *);	/* NULL is fine */
void		 grpc_server_address(const struct grpc_server *, char *,
		    unsigned);

/* The verdict from now on; why ("draining") is copied. */
void		 grpc_server_set_health(struct grpc_server *, bool serving,
		    const char *why);
/* Draining: every connection is sent GOAWAY once it has no request open. */
void		 grpc_server_set_closing(struct grpc_server *);
unsigned	 grpc_server_inflight(const struct grpc_server *);
void		 grpc_server_stats(const struct grpc_server *,
		    struct grpc_server_stats *);

#endif
