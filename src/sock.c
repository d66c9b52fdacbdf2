/*
 * sock.c: the non-blocking TCP connect (see sock.h).
 */
#include <errno.h>
#include <unistd.h>

#include "sock.h"

int
sock_connect(const struct sockaddr_storage *a, socklen_t len, int *err)
{
	int fd;

	fd = socket(a->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)a, len) < 0 &&
	    errno != EINPROGRESS) {
		*err = errno;
		close(fd);
		return -1;
	}
	return fd;
}

int
sock_connect_error(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return errno;
	return err;
}
