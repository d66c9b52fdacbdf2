/*
 * check_grpc.c: grpc.health.v1.Health/Check over HTTP/2 cleartext (prior
 * knowledge), up when the answer says SERVING; grpcs://, the same over
 * TLS, offering h2 by ALPN (check_tls.c).
 *
 * address -> connect -> writable: (grpcs: the TLS handshake, check_tls.c's
 * steps) -> the call starts (grpc_call.c: an nghttp2 client session, its
 * SETTINGS and the one request, with the check's timeout as grpc-timeout;
 * for grpcs over a tls_stream) -> each readable or writable turn is one
 * grpc_call_step -> the stream closes -> done with the call's verdict.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "check_spec.h"
#include "grpc_call.h"
#include "tls.h"
#include "version.h"

struct grpc_probe {
	struct check_socket sock;	/* first: check_socket_cancel frees us */
	struct grpc_call call;
	struct tls_stream tio;		/* grpcs: the call's transport */
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
		/* A session that failed under the call says why itself. */
		if (code != CHECK_PASS && p->sock.tls &&
		    tls_failed(p->sock.tls)) {
			code = CHECK_TLS;
			tls_conn_reason(p->sock.tls, why, sizeof(why));
		}
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

/* Connected (grpcs: and the handshake done): the call starts. */
static void
check_grpc_call(struct grpc_probe *p, struct ev_loop *loop, ev_io *w)
{
	const struct check_spec *sp = p->sock.check->spec;
	char why[sizeof(p->call.why)] = "";
	struct h2_transport io = { tls_stream_recv, tls_stream_send, &p->tio,
	    tls_stream_wants_write };

	p->tio = (struct tls_stream){ .conn = p->sock.tls, .fd = w->fd };
	if (!grpc_call_start(&p->call, w->fd, p->sock.tls ? &io : NULL,
	    sp->host, sp->port, sp->path, sp->timeout_ms,
	    "healthgate/" HEALTHGATE_VERSION)) {
		snprintf(why, sizeof(why), "%s", p->call.why);
		check_grpc_finish(p, CHECK_CONNECT, why);
		return;
	}
	ev_set_cb(w, check_grpc_io);
	check_grpc_io(loop, w, EV_WRITE);
}

/* grpcs: one handshake step; the call once it is done. */
static void
check_grpc_handshake(struct ev_loop *loop, ev_io *w, int revents)
{
	struct grpc_probe *p = w->data;
	char why[sizeof(p->call.why)];
	int r;

	(void)revents;
	if ((r = check_tls_handshake(p->sock.check, why, sizeof(why))) < 0)
		check_grpc_finish(p, CHECK_TLS, why);
	else if (r > 0)
		check_grpc_call(p, loop, w);
}

static void
check_grpc_writable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct grpc_probe *p = w->data;
	char why[sizeof(p->call.why)] = "";
	enum check_code code;

	if ((code = check_connected(w->fd, why, sizeof(why))) != CHECK_PASS) {
		check_grpc_finish(p, code, why);
		return;
	}
	if (!p->sock.check->spec->tls.on) {
		check_grpc_call(p, loop, w);
		return;
	}
	if (!check_tls_begin(p->sock.check)) {
		struct check *c = p->sock.check;

		check_grpc_cancel(c);
		check_skip(c, "tls: out of memory");	/* healthgate's own */
		return;
	}
	ev_set_cb(w, check_grpc_handshake);
	check_grpc_handshake(loop, w, revents);
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
	.setup = check_tls_setup,	/* nothing unless grpcs */
	.teardown = check_tls_teardown,
	.late = check_tls_late,
};
