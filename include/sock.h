#ifndef HEALTHGATE_SOCK_H
#define HEALTHGATE_SOCK_H

/*
 * The non-blocking TCP connect that the tcp and http checks and the probe
 * all start with: one copy, so they fail alike and say so alike.
 */

#include <sys/socket.h>

/*
 * Starts a non-blocking connect to a. Returns the socket (the connect
 * under way or done), or -1 with the errno in *err.
 */
int	sock_connect(const struct sockaddr_storage *a, socklen_t len, int *err);

/* Once fd is writable: 0 if the connect succeeded, else its errno. */
int	sock_connect_error(int fd);

#endif
