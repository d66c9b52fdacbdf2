/*
 * check_http.c: one GET, up when the status is in the expected range.
 *
 * address -> connect -> writable: send the request -> readable: read until the status
 * line is known -> done. Only the status line is read; Connection: close
 * lets the app end the rest however it likes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "checks.h"
#include "http_request.h"
#include "http_status.h"

struct http_probe {
	struct check_socket sock;	/* first: check_socket_cancel frees us */
	char		 req[HTTP_REQUEST_MAX];
	size_t		 reqlen, sent;
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

static void
http_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct http_probe *p = w->data;
	const struct check_spec *sp = p->sock.check->spec;
	char why[160];
	unsigned code;
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
	p->len += (size_t)n;
	switch (http_status_parse(p->resp, p->len, &code)) {
	case HTTP_STATUS_DONE:
		if (code >= sp->expect_lo && code <= sp->expect_hi) {
			finish(p, CHECK_PASS, "");
			return;
		}
		snprintf(why, sizeof(why), "status %u, expected %u-%u", code,
		    sp->expect_lo, sp->expect_hi);
		finish(p, CHECK_STATUS, why);
		return;
	case HTTP_STATUS_BAD:
		finish(p, CHECK_MALFORMED, "malformed status line");
		return;
	case HTTP_STATUS_MORE:
		if (n == 0)
			finish(p, CHECK_MALFORMED, p->len ? "closed inside the "
			    "status line" : "closed without an answer");
		return;
	}
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
};
