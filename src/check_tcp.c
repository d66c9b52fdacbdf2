/*
 * check_tcp.c: up when a non-blocking connect completes in time.
 *
 * address -> connect -> writable -> SO_ERROR -> done. The connect step is
 * shared with the http check, which carries on from the same writable
 * socket; the address comes from check_target.c, which may look a name up
 * first.
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
code_for(int err)
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
	return code_for(err);
}

void *
check_socket_new(struct check *c, size_t size,
    void (*writable)(struct ev_loop *, ev_io *, int))
{
	struct check_socket *p;

	if ((p = calloc(1, size)) == NULL) {
		check_done(c, CHECK_CONNECT, "out of memory");
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
addressed(struct check *c, const struct sockaddr_storage *ss, socklen_t len,
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
		check_done(c, code_for(err), msg);
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
	check_target_get(c, addressed);
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

static void
tcp_writable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct check_socket *p = w->data;
	struct check *c = p->check;
	char why[128] = "";
	enum check_code code;

	(void)loop;
	(void)revents;
	code = check_connected(w->fd, why, sizeof(why));
	check_socket_cancel(c);
	check_done(c, code, why);
}

static void
tcp_start(struct check *c)
{
	if (check_socket_new(c, sizeof(struct check_socket), tcp_writable))
		check_socket_connect(c);
}

const struct check_ops check_tcp_ops = {
	.kind = "tcp",
	.start = tcp_start,
	.cancel = check_socket_cancel,
};
