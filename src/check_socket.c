/*
 * check_socket.c: the connect step of the socket checks (tcp, tls, http,
 * grpc; checks.h describes it): the address from check_target.c, which
 * may look a name up first, then a non-blocking connect whose writable
 * socket the check's own file carries on from; and the one close.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check_target.h"
#include "checks.h"
#include "selfconn.h"
#include "sock.h"
#include "tls.h"

static enum check_code
check_socket_code_for(int err)
{
	return err == ECONNREFUSED ? CHECK_REFUSED : CHECK_CONNECT;
}

enum check_code
check_connected(int fd, char *why, unsigned whylen)
{
	int err = sock_connect_error(fd);

	if (err == 0)
		return CHECK_PASS;
	snprintf(why, whylen, "connect: %s", strerror(err));
	return check_socket_code_for(err);
}

void *
check_socket_new(struct check *c, size_t size,
    void (*writable)(struct ev_loop *, ev_io *, int))
{
	struct check_socket *p;

	if ((p = calloc(1, size)) == NULL) {
		check_skip(c, "out of memory");	/* healthgate's, not the app's */
		return NULL;
	}
	p->check = c;
	ev_io_init(&p->io, writable, -1, EV_WRITE);
	p->io.data = p;
	c->probe = p;
	return p;
}

/* The address is known (or why not): connect to it. */
static void
check_socket_addressed(struct check *c, const struct sockaddr_storage *ss, socklen_t len,
    const char *why)
{
	struct check_socket *p = c->probe;
	char msg[128];
	int fd, err;

	if (ss == NULL) {
		check_socket_cancel(c);
		check_done(c, CHECK_RESOLVE, why);
		return;
	}
	if ((fd = sock_connect(ss, len, &err)) < 0) {
		snprintf(msg, sizeof(msg), "connect: %s", strerror(err));
		check_socket_cancel(c);
		if (check_errno_is_own(err))	/* EMFILE: healthgate's */
			check_skip(c, msg);
		else
			check_done(c, check_socket_code_for(err), msg);
		return;
	}
	/* The app's traffic reader must not count this connection. */
	selfconn_note_fd(fd);
	ev_io_set(&p->io, fd, EV_WRITE);
	ev_io_start(c->loop, &p->io);
}

void
check_socket_connect(struct check *c)
{
	check_target_get(c, check_socket_addressed);
}

void
check_socket_cancel(struct check *c)
{
	struct check_socket *p = c->probe;

	if (p == NULL)
		return;
	check_target_stop(c);
	if (p->io.fd >= 0) {
		ev_io_stop(c->loop, &p->io);
		if (p->tls)
			tls_close(p->tls, p->io.fd);
		close(p->io.fd);
	}
	tls_conn_free(p->tls);
	free(p);
	c->probe = NULL;
}

void
check_socket_want(struct check *c, int events)
{
	struct check_socket *p = c->probe;

	if ((p->io.events & (EV_READ | EV_WRITE)) == events)
		return;
	ev_io_stop(c->loop, &p->io);
	ev_io_set(&p->io, p->io.fd, events);
	ev_io_start(c->loop, &p->io);
}
