#ifndef HEALTHGATE_GRPC_CALL_H
#define HEALTHGATE_GRPC_CALL_H

/*
 * One grpc.health.v1.Health/Check call on a connected socket, as an
 * nghttp2 client session (h2c, prior knowledge): what the grpc check
 * (on the loop) and `healthgate probe grpc://` (with poll) both run. The
 * caller waits for what grpc_call_wants() asks and calls grpc_call_step()
 * until it returns true; the verdict is then in code and why.
 *
 * The verdict, first match wins: a stream reset or GOAWAY before the
 * answer, or the connection's end (CHECK_RESET); an HTTP status other
 * than 200 (CHECK_STATUS); no grpc-status (CHECK_MALFORMED); a
 * grpc-status other than OK, with its code's name and message
 * (CHECK_GRPC: an unknown service is NOT_FOUND); not a HealthCheckResponse
 * (CHECK_MALFORMED); a status other than SERVING (CHECK_SERVING).
 */

#include <stdbool.h>

#include "checks.h"
#include "grpc_health.h"
#include "h2_conn.h"

struct grpc_call {
	struct h2_conn	 h2;		/* its session is ours */
	int32_t		 stream;	/* our request's stream id */
	uint8_t		 req[GRPC_HEALTH_FRAME + GRPC_HEALTH_SERVICE_MAX + 8];
	size_t		 reqlen, reqsent;
	uint8_t		 resp[GRPC_HEALTH_FRAME + GRPC_HEALTH_MESSAGE_MAX];
	size_t		 resplen;
	bool		 too_long;	/* more message than resp holds */
	unsigned	 http_status;	/* :status, 0 before it */
	int		 grpc_status;	/* -1 before it */
	char		 grpc_message[128];
	bool		 goaway;	/* the server said GOAWAY */
	uint32_t	 goaway_error;
	bool		 closed;	/* our stream closed */
	enum check_code	 code;		/* the verdict, once step says done */
	char		 why[192];
};

/*
 * Starts the call on fd (connected): the session, its SETTINGS and the
 * request for service with grpc-timeout timeout_ms. host and port make
 * :authority. io: the transport when it is not fd itself (grpcs: a TLS
 * session over fd, its handshake done; :scheme is then https). False with
 * the reason in call->why (then grpc_call_free).
 */
bool	grpc_call_start(struct grpc_call *, int fd,
	    const struct h2_transport *io, const char *host, unsigned port,
	    const char *service, unsigned timeout_ms, const char *agent);
/* One step: readable (read, then write) or else writable. True: done. */
bool	grpc_call_step(struct grpc_call *, bool readable);
/* H2_CONN_READ / H2_CONN_WRITE: what the next step waits for. */
int	grpc_call_wants(const struct grpc_call *);
/* Frees the session (not the socket, not the struct). */
void	grpc_call_free(struct grpc_call *);

#endif
