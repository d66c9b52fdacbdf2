/*
 * check_tcp.c: up when a non-blocking connect completes in time and, with
 * ?send= and ?expect=, the bytes sent get a reply that starts as expected.
 *
 * address -> connect -> writable -> SO_ERROR -> done; with send=: ->
 * send all -> (with expect=) readable: compare as bytes arrive -> done at
 * the first byte that differs or the last one expected. A banner
 * (expect= alone) is read right after the connect, which is
 * check_socket.c's, shared with the http, tls and grpc checks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check_target.h"
#include "checks.h"
#include "pct.h"

#define CHECK_TCP_SHOWN	64	/* reply bytes a reason shows */

/* A tcp run: what was sent, and the reply's start. */
struct tcp_probe {
	struct check_socket sock;	/* first: check_socket_cancel frees us */
	size_t		 sent;
	/* As many as expected, and some more to show in a reason. */
	char		 got[CHECK_SPEC_BYTES_MAX + CHECK_TCP_SHOWN];
	size_t		 len;
};

static void
check_tcp_finish(struct tcp_probe *p, enum check_code code, const char *why)
{
	struct check *c = p->sock.check;

	check_socket_cancel(c);
	check_done(c, code, why);
}

/* The reply differs from expect=, or ended early: say both. */
static void
check_tcp_reply_wrong(struct tcp_probe *p, bool closed)
{
	const struct check_spec_bytes *e = &p->sock.check->spec->expect;
	char want[CHECK_TCP_SHOWN * 3 + 4], got[CHECK_TCP_SHOWN * 3 + 4];
	char why[CHECK_OUTPUT_MAX];

	pct_show(e->b, e->len, want, sizeof(want));
	pct_show(p->got, p->len, got, sizeof(got));
	if (closed && p->len == 0)
		snprintf(why, sizeof(why), "closed without a reply, expected "
		    "%s", want);
	else if (closed)
		snprintf(why, sizeof(why), "reply ended after %zu bytes, "
		    "expected %s: %s", p->len, want, got);
	else
		snprintf(why, sizeof(why), "reply does not start with %s: %s",
		    want, got);
	check_tcp_finish(p, CHECK_REPLY, why);
}

/* expect=: compares each byte as it arrives; done at the first wrong one. */
static void
check_tcp_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tcp_probe *p = w->data;
	const struct check_spec_bytes *e = &p->sock.check->spec->expect;
	char why[128];
	ssize_t n;

	(void)loop;
	(void)revents;
	n = recv(w->fd, p->got + p->len, sizeof(p->got) - p->len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		snprintf(why, sizeof(why), "recv: %s", strerror(errno));
		check_tcp_finish(p, CHECK_CONNECT, why);
		return;
	}
	p->len += (size_t)n;
	if (memcmp(p->got, e->b, p->len < e->len ? p->len : e->len) != 0)
		check_tcp_reply_wrong(p, false);
	else if (p->len >= e->len)
		check_tcp_finish(p, CHECK_PASS, "");
	else if (n == 0)
		check_tcp_reply_wrong(p, true);
}

/* After send= (or at once for a banner): read the reply, or pass. */
static void
check_tcp_await(struct tcp_probe *p, struct ev_loop *loop, ev_io *w)
{
	if (p->sock.check->spec->expect.len == 0) {
		check_tcp_finish(p, CHECK_PASS, "");
		return;
	}
	ev_io_stop(loop, w);
	ev_io_set(w, w->fd, EV_READ);
	ev_set_cb(w, check_tcp_readable);
	ev_io_start(loop, w);
}

/* send=: all of it, as the socket takes it. */
static void
check_tcp_sendable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tcp_probe *p = w->data;
	const struct check_spec_bytes *s = &p->sock.check->spec->send;
	char why[128];
	ssize_t n;

	(void)revents;
	n = send(w->fd, s->b + p->sent, s->len - p->sent, MSG_NOSIGNAL);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		snprintf(why, sizeof(why), "send: %s", strerror(errno));
		check_tcp_finish(p, CHECK_CONNECT, why);
		return;
	}
	if ((p->sent += (size_t)n) == s->len)
		check_tcp_await(p, loop, w);
}

static void
tcp_writable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tcp_probe *p = w->data;
	const struct check_spec *sp = p->sock.check->spec;
	char why[128] = "";
	enum check_code code;

	code = check_connected(w->fd, why, sizeof(why));
	if (code != CHECK_PASS || (sp->send.len == 0 && sp->expect.len == 0)) {
		check_tcp_finish(p, code, why);
		return;
	}
	if (sp->send.len == 0) {
		check_tcp_await(p, loop, w);
		return;
	}
	ev_set_cb(w, check_tcp_sendable);
	check_tcp_sendable(loop, w, revents);
}

static void
tcp_start(struct check *c)
{
	if (check_socket_new(c, sizeof(struct tcp_probe), tcp_writable))
		check_socket_connect(c);
}

const struct check_ops check_tcp_ops = {
	.kind = "tcp",
	.start = tcp_start,
	.cancel = check_socket_cancel,
};
