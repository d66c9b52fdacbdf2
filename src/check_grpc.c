/*
 * check_grpc.c: grpc.health.v1.Health/Check over HTTP/2 cleartext (prior
 * knowledge), up when the answer says SERVING.
 *
 * address -> connect -> writable: the call starts (grpc_call.c: an
 * nghttp2 client session, its SETTINGS and the one request, with the
 * check's timeout as grpc-timeout) -> each readable or writable turn is
 * one grpc_call_step -> the stream closes -> done with the call's verdict.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "grpc_call.h"
#include "version.h"

struct grpc_probe {
	struct check_socket sock;	/* first: check_socket_cancel frees us */
	struct grpc_call call;
};

/* The session goes before the socket check_socket_cancel closes. */
static void
check_grpc_cancel(struct check *c)
{
	struct grpc_probe *p = c->probe;

	if (p)
		grpc_call_free(&p->call);
	check_socket_cancel(c);
}

static void
check_grpc_finish(struct grpc_probe *p, enum check_code code,
    const char *why)
{
	struct check *c = p->sock.check;

	check_grpc_cancel(c);
	check_done(c, code, why);
}

static void
check_grpc_io(struct ev_loop *loop, ev_io *w, int revents)
{
	struct grpc_probe *p = w->data;
	int want;

	if (grpc_call_step(&p->call, revents & EV_READ)) {
		/* The verdict outlives the probe's state: copied first. */
		char why[sizeof(p->call.why)];
		enum check_code code = p->call.code;

		memcpy(why, p->call.why, sizeof(why));
		check_grpc_finish(p, code, why);
		return;
	}
	want = grpc_call_wants(&p->call);
	if (want != (w->events & (EV_READ | EV_WRITE))) {
		ev_io_stop(loop, w);
		ev_io_set(w, w->fd, want);
		ev_io_start(loop, w);
	}
}

static void
check_grpc_writable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct grpc_probe *p = w->data;
	const struct check_spec *sp = p->sock.check->spec;
	char why[sizeof(p->call.why)] = "";
	enum check_code code;

	(void)revents;
	if ((code = check_connected(w->fd, why, sizeof(why))) != CHECK_PASS) {
		check_grpc_finish(p, code, why);
		return;
	}
	if (!grpc_call_start(&p->call, w->fd, sp->host, sp->port, sp->path,
	    sp->timeout_ms, "healthgate/" HEALTHGATE_VERSION)) {
		snprintf(why, sizeof(why), "%s", p->call.why);
		check_grpc_finish(p, CHECK_CONNECT, why);
		return;
	}
	ev_set_cb(w, check_grpc_io);
	check_grpc_io(loop, w, EV_WRITE);
}

static void
check_grpc_start(struct check *c)
{
	if (check_socket_new(c, sizeof(struct grpc_probe),
	    check_grpc_writable) != NULL)
		check_socket_connect(c);
}

const struct check_ops check_grpc_ops = {
	.kind = "grpc",
	.start = check_grpc_start,
	.cancel = check_grpc_cancel,
};
