/*
 * check_http.c: one GET, up when the status is in the expected range.
 *
 * address -> connect -> writable: send the request -> readable: read until the status
 * line is known -> done. Only the status line is read; Connection: close
 * lets the app end the rest however it likes. https: the same over a TLS
 * session (check_tls.c's steps), one callback that goes as far as the
 * session lets it: handshake, send, read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check_spec.h"
#include "checks.h"
#include "http_request.h"
#include "http_status.h"
#include "tls.h"

struct http_probe {
	struct check_socket sock;	/* first: check_socket_cancel frees us */
	char		 req[HTTP_REQUEST_MAX];
	size_t		 reqlen, sent;
	bool		 flushed;	/* https: the request is on the wire */
	char		 resp[HTTP_STATUS_LINE_MAX];
	size_t		 len;
};

static void
finish(struct http_probe *p, enum check_code code, const char *why)
{
	struct check *c = p->sock.check;

	check_socket_cancel(c);
	check_done(c, code, why);
}

/*
 * n more bytes of the answer are in resp (0: the server closed): true
 * once the run has ended on them.
 */
static bool
http_got(struct http_probe *p, size_t n)
{
	const struct check_spec *sp = p->sock.check->spec;
	char why[160];
	unsigned code;

	p->len += n;
	switch (http_status_parse(p->resp, p->len, &code)) {
	case HTTP_STATUS_DONE:
		if (code >= sp->expect_lo && code <= sp->expect_hi) {
			finish(p, CHECK_PASS, "");
			return true;
		}
		snprintf(why, sizeof(why), "status %u, expected %u-%u", code,
		    sp->expect_lo, sp->expect_hi);
		finish(p, CHECK_STATUS, why);
		return true;
	case HTTP_STATUS_BAD:
		finish(p, CHECK_MALFORMED, "malformed status line");
		return true;
	case HTTP_STATUS_MORE:
		break;
	}
	if (n == 0)
		finish(p, CHECK_MALFORMED, p->len ? "closed inside the "
		    "status line" : "closed without an answer");
	return n == 0;
}

static void
http_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct http_probe *p = w->data;
	char why[160];
	ssize_t n;

	(void)loop;
	(void)revents;
	n = recv(w->fd, p->resp + p->len, sizeof(p->resp) - p->len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		snprintf(why, sizeof(why), "recv: %s", strerror(errno));
		finish(p, CHECK_CONNECT, why);
		return;
	}
	http_got(p, (size_t)n);
}

/*
 * What a TLS call's answer means for the run: true to go on now; false
 * when it waits (the watcher re-armed) or has ended.
 */
static bool
https_went(struct http_probe *p, enum tls_want r)
{
	struct check *c = p->sock.check;
	char why[256];

	switch (r) {
	case TLS_DONE:
		return true;
	case TLS_WANT_READ:
	case TLS_WANT_WRITE:
		check_socket_want(c, r == TLS_WANT_READ ? EV_READ : EV_WRITE);
		return false;
	case TLS_EOF:
		http_got(p, 0);
		return false;
	case TLS_FAILED:
		break;
	}
	tls_conn_reason(p->sock.tls, why, sizeof(why));
	finish(p, CHECK_TLS, why);
	return false;
}

/* As far as the session goes now: handshake, then send, then read. */
static void
https_io(struct ev_loop *loop, ev_io *w, int revents)
{
	struct http_probe *p = w->data;
	struct tls_conn *t = p->sock.tls;
	char why[256];
	size_t n;
	int hs;

	(void)loop;
	(void)revents;
	if (!tls_established(t) &&
	    (hs = check_tls_handshake(p->sock.check, why, sizeof(why))) <= 0) {
		if (hs < 0)
			finish(p, CHECK_TLS, why);
		return;
	}
	while (!p->flushed) {
		enum tls_want r = tls_write(t, w->fd, p->req + p->sent,
		    p->reqlen - p->sent, &n);

		p->sent += n;
		if (!https_went(p, r))
			return;
		p->flushed = p->sent == p->reqlen;
	}
	for (;;) {
		enum tls_want r = tls_read(t, w->fd, p->resp + p->len,
		    sizeof(p->resp) - p->len, &n);

		if (!https_went(p, r) || http_got(p, n))
			return;
	}
}

/* Connected, for https: a session on the socket, and its first step. */
static void
https_connected(struct http_probe *p, struct ev_loop *loop, ev_io *w,
    int revents)
{
	if (!check_tls_begin(p->sock.check)) {
		finish(p, CHECK_TLS, "tls: out of memory");
		return;
	}
	ev_set_cb(w, https_io);
	https_io(loop, w, revents);
}

static void
http_writable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct http_probe *p = w->data;
	char why[128] = "";
	enum check_code code;
	ssize_t n;

	(void)revents;
	if (p->sent == 0 &&
	    (code = check_connected(w->fd, why, sizeof(why))) != CHECK_PASS) {
		finish(p, code, why);
		return;
	}
	if (p->sock.check->spec->tls.on) {
		https_connected(p, loop, w, revents);
		return;
	}
	n = send(w->fd, p->req + p->sent, p->reqlen - p->sent, MSG_NOSIGNAL);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		snprintf(why, sizeof(why), "send: %s", strerror(errno));
		finish(p, CHECK_CONNECT, why);
		return;
	}
	if ((p->sent += (size_t)n) < p->reqlen)
		return;
	ev_io_stop(loop, w);
	ev_io_set(w, w->fd, EV_READ);
	ev_set_cb(w, http_readable);
	ev_io_start(loop, w);
}

static void
http_start(struct check *c)
{
	const struct check_spec *sp = c->spec;
	struct http_probe *p;

	/* The request names the host as the URL did, a name included. */
	if ((p = check_socket_new(c, sizeof(*p), http_writable)) == NULL)
		return;
	p->reqlen = http_request_get(p->req, sizeof(p->req), sp->host,
	    sp->port, sp->path, "healthgate/");
	check_socket_connect(c);
}

const struct check_ops check_http_ops = {
	.kind = "http",
	.start = http_start,
	.cancel = check_socket_cancel,
	.setup = check_tls_setup,	/* nothing unless https */
	.teardown = check_tls_teardown,
	.late = check_tls_late,
};
