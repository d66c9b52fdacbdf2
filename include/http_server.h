#ifndef HEALTHGATE_HTTP_SERVER_H
#define HEALTHGATE_HTTP_SERVER_H

/*
 * The HTTP side: libmicrohttpd in external-epoll mode, driven by libev.
 * Routes /health, /live and /metrics from responses built ahead of time;
 * it reads state and never probes anything on a request.
 */

#include <ev.h>

#include "addr.h"
#include "agent.h"
#include "sbuf.h"

enum http_route {
	HTTP_ROUTE_HEALTH,
	HTTP_ROUTE_LIVE,
	HTTP_ROUTE_METRICS,
	HTTP_ROUTE_ADMIN,	/* /admin/...: the hook's to answer */
	HTTP_ROUTE_OTHER,
	HTTP_ROUTE_COUNT,
};

/* An /admin/ request, complete, for the admin hook. */
struct http_admin_call {
	const struct addr *client;
	const char	*method;
	const char	*url;
	const char	*authorization;	/* its Authorization field, or NULL */
};

/* The hook's answer to it. */
struct http_admin_reply {
	unsigned	 code;
	const char	*allow;		/* for a 405: the Allow field */
	struct sbuf	 body;		/* JSON; the server frees it */
	/* Wait: answered by http_server_release(), the loop running on. */
	bool		 hold;
};

struct http_hooks {
	/* A /health answer was sent in full to client, which is agent. */
	void	(*served)(void *arg, const struct addr *client,
		    enum agent_kind agent, unsigned code);
	/* A request ended and none is in flight any more. */
	void	(*idle)(void *arg);
	/*
	 * Whether client is a known prober: served /health within the last
	 * HTTP_SERVER_PROBER_MEMORY seconds. Its connections are never
	 * evicted, and it may use the table's reserve.
	 */
	bool	(*prober)(void *arg, const struct addr *client);
	/*
	 * An /admin/ request: fill the reply (its body is initialised). Never
	 * counted in flight, never a prober's /health.
	 */
	void	(*admin)(void *arg, const struct http_admin_call *,
		    struct http_admin_reply *);
	/* Appends the caller's own lines to the /metrics text. */
	void	(*metrics)(void *arg, struct sbuf *);
	void	 *arg;
};

/*
 * Connections over max_connections are accepted and closed at once; this
 * many more descriptors are needed for them (see connection_cb()).
 */
#define HTTP_SERVER_HEADROOM	256

/* Past --max-connections, slots only known probers may take. */
#define HTTP_SERVER_RESERVE	64

/* How long a source that was served /health stays a known prober: the
 * longest ALB health-check interval. */
#define HTTP_SERVER_PROBER_MEMORY	300.0

/* What one client may hold, and for how long. */
struct http_limits {
	unsigned	max_connections;	/* open at once, in all */
	unsigned	max_per_ip;		/* ...from one address */
	unsigned	conn_memory;		/* bytes; bounds the head */
	double		request_timeout;	/* s, accept to complete head */
	double		idle_timeout;		/* s, answer to next head */
	unsigned	headroom;		/* accepted over the limit; 0:
						   HTTP_SERVER_HEADROOM */
};

struct http_server;

/*
 * Binds host:port ("" is [::], or 0.0.0.0 where IPv6 is off) and starts
 * serving on loop. On failure returns NULL with a reason in err.
 */
struct http_server *http_server_new(struct ev_loop *, const char *host,
		    unsigned port, const struct http_limits *,
		    const struct http_hooks *, char *err, unsigned errlen);
void		 http_server_free(struct http_server *);

/* Where it listens, "[::]:8081", for the start-up log. */
void		 http_server_address(const struct http_server *, char *,
		    unsigned);

/* The next /health answers; the body is copied. */
void		 http_server_set_health(struct http_server *, unsigned code,
		    const char *body, size_t len);
/*
 * From now on every answer says Connection: close and idle keep-alive
 * connections are let go within a second.
 */
void		 http_server_set_closing(struct http_server *);
/* Requests in flight, /admin/ ones apart. */
unsigned	 http_server_inflight(const struct http_server *);

/*
 * Answers every held /admin/ request with code and body (copied), as soon
 * as the loop runs; returns how many there were. http_server_free()
 * answers any still held with a 503 and sends what it can within a
 * second before it closes them.
 */
unsigned	 http_server_release(struct http_server *, unsigned code,
		    const char *body, size_t len);
unsigned	 http_server_held(const struct http_server *);

#endif
