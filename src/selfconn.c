/*
 * selfconn.c: the local ends of healthgate's own connections (selfconn.h).
 *
 * A ring, newest over oldest. Looked up by a linear pass: a scan asks once
 * per connection on the app's port whose peer is local, SELFCONN_MAX
 * entries of 20 bytes, well under a microsecond each.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "selfconn.h"

struct selfconn_end {
	struct addr	 ip;
	unsigned	 port;		/* 0: unused */
};

static struct selfconn_end selfconn_ring[SELFCONN_MAX];
static unsigned selfconn_next;

void
selfconn_note(const struct addr *ip, unsigned port)
{
	selfconn_ring[selfconn_next].ip = *ip;
	selfconn_ring[selfconn_next].port = port;
	selfconn_next = (selfconn_next + 1) % SELFCONN_MAX;
}

void
selfconn_note_fd(int fd)
{
	/* lint: zeroed, as scan-build cannot tell getsockname() filled
	 * ss_family when it succeeded. */
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sizeof(ss);
	struct addr ip;
	unsigned port;

	/* A TCP connect() binds the local port before it returns. */
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return;
	if (ss.ss_family == AF_INET)
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6)
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		return;
	addr_from_sockaddr((struct sockaddr *)&ss, &ip);
	selfconn_note(&ip, port);
}

bool
selfconn_is(const struct addr *ip, unsigned port)
{
	for (unsigned i = 0; i < SELFCONN_MAX; i++) {
		const struct selfconn_end *e = &selfconn_ring[i];

		if (e->port == port && e->ip.family == ip->family &&
		    memcmp(e->ip.bytes, ip->bytes, 16) == 0)
			return true;
	}
	return false;
}

void
selfconn_reset(void)
{
	memset(selfconn_ring, 0, sizeof(selfconn_ring));
	selfconn_next = 0;
}
