#ifndef HEALTHGATE_SOCK_H
#define HEALTHGATE_SOCK_H

/*
 * The non-blocking TCP connect that the tcp and http checks and the probe
 * all start with: one copy, so they fail alike and say so alike. And the
 * listening socket both servers (HTTP, gRPC) start with.
 */

#include <sys/socket.h>

/*
 * Starts a non-blocking connect to a. Returns the socket (the connect
 * under way or done), or -1 with the errno in *err.
 */
int	sock_connect(const struct sockaddr_storage *a, socklen_t len, int *err);

/* Once fd is writable: 0 if the connect succeeded, else its errno. */
int	sock_connect_error(int fd);

/*
 * A listening TCP socket on host:port ("" is [::], or 0.0.0.0 where IPv6
 * is off), non-blocking, accepting only once a client's first bytes are
 * in (TCP_DEFER_ACCEPT): the HTTP and the gRPC listener. Where it ended up
 * goes into bound. The socket, or -1 with why in err.
 */
int	sock_listen(const char *host, unsigned port,
	    struct sockaddr_storage *bound, char *err, unsigned errlen);

#endif
