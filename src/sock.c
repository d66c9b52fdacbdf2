/*
 * sock.c: the non-blocking TCP connect (see sock.h).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"

#include "sock.h"

#define SOCK_BACKLOG	1024

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

/* Binds the listener; the any-address falls back to IPv4 without IPv6. */
int
sock_listen(const char *host, unsigned port, struct sockaddr_storage *bound,
    char *err, unsigned errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	const char *why;
	int fd = -1, one = 1, zero = 0;

	if ((why = addr_to_sockaddr(host, port, &ss, &len)) != NULL) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0 && host[0] == '\0' && errno == EAFNOSUPPORT) {
		addr_to_sockaddr("0.0.0.0", port, &ss, &len);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
	}
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6 && host[0] == '\0')
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	/*
	 * Accept a connection only once its first bytes are in (for up to
	 * 1 s): a prober sends its request at once, so the accept and the
	 * read happen in one turn of the loop, not two. Measured with
	 * bench/run, new-connection CPU per request fell by a quarter (see
	 * BENCHMARKS.md). A client that sends nothing is still accepted, a
	 * second late, and the request timeout runs from then.
	 */
	setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    listen(fd, SOCK_BACKLOG) < 0)
		goto fail;
	len = sizeof(*bound);
	if (getsockname(fd, (struct sockaddr *)bound, &len) < 0)
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "%s", strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}
