/*
 * check_tcp.c: up when a non-blocking connect completes in time.
 *
 * connect -> writable -> SO_ERROR -> done. The connect step is shared with
 * the http check, which carries on from the same writable socket.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "checks.h"

static enum check_code
code_for(int err)
{
	return err == ECONNREFUSED ? CHECK_REFUSED : CHECK_CONNECT;
}

static int
connect_to(const struct check_spec *sp, enum check_code *code, char *why,
    unsigned whylen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	const char *err;
	int fd;

	if ((err = addr_to_sockaddr(sp->host, sp->port, &ss, &len)) != NULL) {
		*code = CHECK_CONNECT;
		snprintf(why, whylen, "%s", err);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0 || (connect(fd, (struct sockaddr *)&ss, len) < 0 &&
	    errno != EINPROGRESS)) {
		*code = code_for(errno);
		snprintf(why, whylen, "connect: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

enum check_code
check_connected(int fd, char *why, unsigned whylen)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == 0)
		return CHECK_PASS;
	snprintf(why, whylen, "connect: %s", strerror(err));
	return code_for(err);
}

void *
check_socket_open(struct check *c, size_t size,
    void (*writable)(struct ev_loop *, ev_io *, int))
{
	struct check_socket *p;
	enum check_code code;
	char why[128];
	int fd;

	if ((fd = connect_to(c->spec, &code, why, sizeof(why))) < 0) {
		check_done(c, code, why);
		return NULL;
	}
	if ((p = calloc(1, size)) == NULL) {
		close(fd);
		check_done(c, CHECK_CONNECT, "out of memory");
		return NULL;
	}
	p->check = c;
	ev_io_init(&p->io, writable, fd, EV_WRITE);
	p->io.data = p;
	ev_io_start(c->loop, &p->io);
	c->probe = p;
	return p;
}

void
check_socket_cancel(struct check *c)
{
	struct check_socket *p = c->probe;

	if (p == NULL)
		return;
	ev_io_stop(c->loop, &p->io);
	close(p->io.fd);
	free(p);
	c->probe = NULL;
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
	check_socket_open(c, sizeof(struct check_socket), tcp_writable);
}

const struct check_ops check_tcp_ops = {
	.kind = "tcp",
	.start = tcp_start,
	.cancel = check_socket_cancel,
};
