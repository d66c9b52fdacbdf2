/*
 * check_http.c: one GET (or HEAD), up when the status is in the expected
 * range and, with ?body=TEXT, the body's first 64 KiB hold TEXT.
 *
 * address -> connect -> writable: send the request -> readable: read until
 * the status line is known -> done; with body=, the rest of the answer
 * goes on to http_body.c until it says found, absent or broken. Without
 * body= only the status line is read; Connection: close lets the app end
 * the rest however it likes. https: the same over a TLS session
 * (check_tls.c's steps), one callback that goes as far as the session
 * lets it: handshake, send, read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check_spec.h"
#include "checks.h"
#include "http_body.h"
#include "http_request.h"
#include "http_status.h"
#include "pct.h"
#include "tls.h"

_Static_assert(CHECK_SPEC_HEADERS_MAX <= HTTP_REQUEST_HEADERS_MAX,
    "a check's header lines fit its request");
_Static_assert(CHECK_SPEC_BYTES_MAX <= HTTP_BODY_NEEDLE_MAX,
    "body= fits http_body's window");

struct http_probe {
	struct check_socket sock;	/* first: check_socket_cancel frees us */
	char		 req[HTTP_REQUEST_MAX];
	size_t		 reqlen, sent;
	bool		 flushed;	/* https: the request is on the wire */
	/* The status line; with body=, after it, each read of the body. */
	char		 resp[HTTP_STATUS_LINE_MAX];
	size_t		 len;		/* kept 0 once in_body */
	bool		 in_body;	/* body=: the status was as expected */
	struct http_body body;		/* ...and what the body held so far */
};

static void
check_http_finish(struct http_probe *p, enum check_code code, const char *why)
{
	struct check *c = p->sock.check;

	check_socket_cancel(c);
	check_done(c, code, why);
}

/* The body's verdict, once http_body.c has one: true when the run ended. */
static bool
check_http_body_done(struct http_probe *p, enum http_body_result r)
{
	const struct check_spec *sp = p->sock.check->spec;
	char want[CHECK_SPEC_BYTES_MAX + 8], got[HTTP_BODY_SHOWN * 3 + 4];
	char why[CHECK_OUTPUT_MAX];

	switch (r) {
	case HTTP_BODY_FOUND:
		check_http_finish(p, CHECK_PASS, "");
		return true;
	case HTTP_BODY_BAD:
		snprintf(why, sizeof(why), "body: %s", p->body.why);
		check_http_finish(p, CHECK_MALFORMED, why);
		return true;
	case HTTP_BODY_ABSENT:
		pct_show(sp->body.b, sp->body.len, want, sizeof(want));
		pct_show(p->body.shown, p->body.slen, got, sizeof(got));
		snprintf(why, sizeof(why), "body lacks %s in its first %zu "
		    "bytes%s%s%s", want, p->body.scanned, p->body.slen ?
		    ": " : "", got, p->body.scanned > p->body.slen ? "..." : "");
		check_http_finish(p, CHECK_BODY, why);
		return true;
	case HTTP_BODY_MORE:
		break;
	}
	return false;
}

/*
 * The status is as expected: up, or with body= on to the body, from the
 * bytes after the status line. True when the run ended.
 */
static bool
check_http_status_ok(struct http_probe *p, unsigned code)
{
	const struct check_spec *sp = p->sock.check->spec;
	const char *eol = memchr(p->resp, '\n', p->len);
	size_t rest = p->len - (size_t)(eol + 1 - p->resp);

	if (sp->body.len == 0) {
		check_http_finish(p, CHECK_PASS, "");
		return true;
	}
	http_body_init(&p->body, code, sp->body.b, sp->body.len);
	p->in_body = true;
	p->len = 0;
	return rest > 0 &&
	    check_http_body_done(p, http_body_feed(&p->body, eol + 1, rest));
}

/*
 * n more bytes of the answer are in resp (0: the server closed): true
 * once the run has ended on them.
 */
static bool
check_http_got(struct http_probe *p, size_t n)
{
	const struct check_spec *sp = p->sock.check->spec;
	char why[160];
	unsigned code;

	if (p->in_body)
		return check_http_body_done(p, n == 0 ?
		    http_body_end(&p->body) : http_body_feed(&p->body, p->resp,
		    n));
	p->len += n;
	switch (http_status_parse(p->resp, p->len, &code)) {
	case HTTP_STATUS_DONE:
		if (code >= sp->expect_lo && code <= sp->expect_hi)
			return check_http_status_ok(p, code);
		snprintf(why, sizeof(why), "status %u, expected %u-%u", code,
		    sp->expect_lo, sp->expect_hi);
		check_http_finish(p, CHECK_STATUS, why);
		return true;
	case HTTP_STATUS_BAD:
		check_http_finish(p, CHECK_MALFORMED, "malformed status line");
		return true;
	case HTTP_STATUS_MORE:
		break;
	}
	if (n == 0)
		check_http_finish(p, CHECK_MALFORMED, p->len ? "closed inside "
		    "the status line" : "closed without an answer");
	return n == 0;
}

static void
check_http_readable(struct ev_loop *loop, ev_io *w, int revents)
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
		check_http_finish(p, CHECK_CONNECT, why);
		return;
	}
	check_http_got(p, (size_t)n);
}

/*
 * What a TLS call's answer means for the run: true to go on now; false
 * when it waits (the watcher re-armed) or has ended.
 */
static bool
check_https_went(struct http_probe *p, enum tls_want r)
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
		check_http_got(p, 0);
		return false;
	case TLS_FAILED:
		break;
	}
	tls_conn_reason(p->sock.tls, why, sizeof(why));
	check_http_finish(p, CHECK_TLS, why);
	return false;
}

/* As far as the session goes now: handshake, then send, then read. */
static void
check_https_io(struct ev_loop *loop, ev_io *w, int revents)
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
			check_http_finish(p, CHECK_TLS, why);
		return;
	}
	while (!p->flushed) {
		enum tls_want r = tls_write(t, w->fd, p->req + p->sent,
		    p->reqlen - p->sent, &n);

		p->sent += n;
		if (!check_https_went(p, r))
			return;
		p->flushed = p->sent == p->reqlen;
	}
	for (;;) {
		enum tls_want r = tls_read(t, w->fd, p->resp + p->len,
		    sizeof(p->resp) - p->len, &n);

		if (!check_https_went(p, r) || check_http_got(p, n))
			return;
	}
}

/* Connected, for https: a session on the socket, and its first step. */
static void
check_https_connected(struct http_probe *p, struct ev_loop *loop, ev_io *w,
    int revents)
{
	if (!check_tls_begin(p->sock.check)) {
		struct check *c = p->sock.check;

		check_socket_cancel(c);
		check_skip(c, "tls: out of memory");	/* healthgate's own */
		return;
	}
	ev_set_cb(w, check_https_io);
	check_https_io(loop, w, revents);
}

static void
check_http_writable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct http_probe *p = w->data;
	char why[128] = "";
	enum check_code code;
	ssize_t n;

	(void)revents;
	if (p->sent == 0 &&
	    (code = check_connected(w->fd, why, sizeof(why))) != CHECK_PASS) {
		check_http_finish(p, code, why);
		return;
	}
	if (p->sock.check->spec->tls.on) {
		check_https_connected(p, loop, w, revents);
		return;
	}
	n = send(w->fd, p->req + p->sent, p->reqlen - p->sent, MSG_NOSIGNAL);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		snprintf(why, sizeof(why), "send: %s", strerror(errno));
		check_http_finish(p, CHECK_CONNECT, why);
		return;
	}
	if ((p->sent += (size_t)n) < p->reqlen)
		return;
	ev_io_stop(loop, w);
	ev_io_set(w, w->fd, EV_READ);
	ev_set_cb(w, check_http_readable);
	ev_io_start(loop, w);
}

static void
check_http_start(struct check *c)
{
	const struct check_spec *sp = c->spec;
	struct http_probe *p;
	/* The request names the host as the URL did, a name included. */
	const struct http_request r = {
		.method = sp->method == CHECK_SPEC_METHOD_HEAD ? "HEAD" : "GET",
		.host = sp->host, .port = sp->port, .path = sp->path,
		.agent = "healthgate/", .headers = sp->headers,
		.own_host = sp->host_header, .own_agent = sp->agent_header,
	};

	if ((p = check_socket_new(c, sizeof(*p), check_http_writable)) == NULL)
		return;
	p->reqlen = http_request_write(p->req, sizeof(p->req), &r);
	check_socket_connect(c);
}

const struct check_ops check_http_ops = {
	.kind = "http",
	.start = check_http_start,
	.cancel = check_socket_cancel,
	.setup = check_tls_setup,	/* nothing unless https */
	.teardown = check_tls_teardown,
	.late = check_tls_late,
};
