/*
 * check_http.c: one GET (or HEAD), up when the status is in the expected
 * range and, with ?body=TEXT, the body's first 64 KiB hold TEXT.
 *
 * address -> connect -> writable: send the request -> readable: read until
 * the status line is known -> done; with body=, readable goes on feeding
 * the rest to http_body.c until it says found, absent or broken. Without
 * body= only the status line is read; Connection: close lets the app end
 * the rest however it likes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "checks.h"
#include "http_body.h"
#include "http_request.h"
#include "http_status.h"
#include "pct.h"

_Static_assert(CHECK_SPEC_HEADERS_MAX <= HTTP_REQUEST_HEADERS_MAX,
    "a check's header lines fit its request");
_Static_assert(CHECK_SPEC_BYTES_MAX <= HTTP_BODY_NEEDLE_MAX,
    "body= fits http_body's window");

struct http_probe {
	struct check_socket sock;	/* first: check_socket_cancel frees us */
	char		 req[HTTP_REQUEST_MAX];
	size_t		 reqlen, sent;
	char		 resp[HTTP_STATUS_LINE_MAX];
	size_t		 len;
	struct http_body body;		/* with body=, after the status */
};

static void
check_http_finish(struct http_probe *p, enum check_code code, const char *why)
{
	struct check *c = p->sock.check;

	check_socket_cancel(c);
	check_done(c, code, why);
}

/* The body's verdict, once http_body.c has one. */
static void
check_http_body_done(struct http_probe *p, enum http_body_result r)
{
	const struct check_spec *sp = p->sock.check->spec;
	char want[CHECK_SPEC_BYTES_MAX + 8], got[HTTP_BODY_SHOWN * 3 + 4];
	char why[CHECK_OUTPUT_MAX];

	switch (r) {
	case HTTP_BODY_FOUND:
		check_http_finish(p, CHECK_PASS, "");
		return;
	case HTTP_BODY_BAD:
		snprintf(why, sizeof(why), "body: %s", p->body.why);
		check_http_finish(p, CHECK_MALFORMED, why);
		return;
	case HTTP_BODY_ABSENT:
		pct_show(sp->body.b, sp->body.len, want, sizeof(want));
		pct_show(p->body.shown, p->body.slen, got, sizeof(got));
		snprintf(why, sizeof(why), "body lacks %s in its first %zu "
		    "bytes%s%s%s", want, p->body.scanned, p->body.slen ?
		    ": " : "", got, p->body.scanned > p->body.slen ? "..." : "");
		check_http_finish(p, CHECK_BODY, why);
		return;
	case HTTP_BODY_MORE:
		return;
	}
}

/* With body=: the rest of the response goes to http_body.c. */
static void
check_http_body_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct http_probe *p = w->data;
	char buf[4096], why[160];
	ssize_t n;

	(void)loop;
	(void)revents;
	n = recv(w->fd, buf, sizeof(buf), 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		snprintf(why, sizeof(why), "recv: %s", strerror(errno));
		check_http_finish(p, CHECK_CONNECT, why);
		return;
	}
	check_http_body_done(p, n == 0 ? http_body_end(&p->body) :
	    http_body_feed(&p->body, buf, (size_t)n));
}

/* The status is as expected: up, or on to the body with body=. */
static void
check_http_status_ok(struct http_probe *p, ev_io *w, unsigned code)
{
	const struct check_spec *sp = p->sock.check->spec;
	const char *eol = memchr(p->resp, '\n', p->len);
	size_t rest = p->len - (size_t)(eol + 1 - p->resp);

	if (sp->body.len == 0) {
		check_http_finish(p, CHECK_PASS, "");
		return;
	}
	http_body_init(&p->body, code, sp->body.b, sp->body.len);
	ev_set_cb(w, check_http_body_readable);
	if (rest == 0)
		return;
	check_http_body_done(p, http_body_feed(&p->body, eol + 1, rest));
}

static void
check_http_readable(struct ev_loop *loop, ev_io *w, int revents)
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
		check_http_finish(p, CHECK_CONNECT, why);
		return;
	}
	p->len += (size_t)n;
	switch (http_status_parse(p->resp, p->len, &code)) {
	case HTTP_STATUS_DONE:
		if (code >= sp->expect_lo && code <= sp->expect_hi) {
			check_http_status_ok(p, w, code);
			return;
		}
		snprintf(why, sizeof(why), "status %u, expected %u-%u", code,
		    sp->expect_lo, sp->expect_hi);
		check_http_finish(p, CHECK_STATUS, why);
		return;
	case HTTP_STATUS_BAD:
		check_http_finish(p, CHECK_MALFORMED, "malformed status line");
		return;
	case HTTP_STATUS_MORE:
		if (n == 0)
			check_http_finish(p, CHECK_MALFORMED, p->len ? "closed "
			    "inside the status line" : "closed without an "
			    "answer");
		return;
	}
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
};
