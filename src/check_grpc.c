/*
 * check_grpc.c: grpc.health.v1.Health/Check over HTTP/2 cleartext (prior
 * knowledge), up when the answer says SERVING.
 *
 * address -> connect -> writable: an nghttp2 client session, its SETTINGS
 * and the one request (with grpc-timeout: the check's timeout) -> the
 * session's reads and writes through h2_conn.c until the stream closes ->
 * done. The verdict is taken when the stream closes: a reset or a GOAWAY
 * first (reset), an HTTP status other than 200 (status), a grpc-status
 * other than 0 with its message (grpc_status: an unknown service is
 * NOT_FOUND), then the message's status (not_serving unless SERVING).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

#include "checks.h"
#include "grpc_health.h"
#include "h2_conn.h"
#include "version.h"

#define GRPC_CHECK_PATH	"/grpc.health.v1.Health/Check"

struct grpc_probe {
	struct check_socket sock;	/* first: check_socket_cancel frees us */
	struct h2_conn	 h2;		/* its session is ours */
	int32_t		 stream;	/* our request's stream id */
	uint8_t		 req[GRPC_HEALTH_FRAME + GRPC_HEALTH_SERVICE_MAX + 8];
	size_t		 reqlen, reqsent;
	uint8_t		 resp[GRPC_HEALTH_FRAME + GRPC_HEALTH_MESSAGE_MAX];
	size_t		 resplen;
	bool		 too_long;	/* more message than resp holds */
	unsigned	 http_status;	/* :status, 0 before it */
	int		 grpc_status;	/* -1 before it */
	char		 grpc_message[128];
	bool		 goaway;	/* the server said GOAWAY */
	uint32_t	 goaway_error;
	bool		 closed;	/* our stream closed: verdict below */
	enum check_code	 code;
	char		 why[192];
};

static void
grpc_finish(struct grpc_probe *p, enum check_code code, const char *why)
{
	struct check *c = p->sock.check;

	if (p->h2.session)
		nghttp2_session_del(p->h2.session);
	p->h2.session = NULL;
	check_socket_cancel(c);
	check_done(c, code, why);
}

/* What the closed stream says, into p->code and p->why. */
static void
grpc_verdict(struct grpc_probe *p, uint32_t error)
{
	char name[32];
	int32_t st;

	p->closed = true;
	p->code = CHECK_PASS;
	p->why[0] = '\0';
	if (error != NGHTTP2_NO_ERROR && p->goaway) {
		p->code = CHECK_RESET;
		snprintf(p->why, sizeof(p->why), "GOAWAY (%s) before an answer",
		    nghttp2_http2_strerror(p->goaway_error));
	} else if (error != NGHTTP2_NO_ERROR) {
		p->code = CHECK_RESET;
		snprintf(p->why, sizeof(p->why), "stream reset (%s)",
		    nghttp2_http2_strerror(error));
	} else if (p->http_status != 200) {
		p->code = CHECK_STATUS;
		snprintf(p->why, sizeof(p->why), "http status %u, not 200",
		    p->http_status);
	} else if (p->grpc_status < 0) {
		p->code = CHECK_MALFORMED;
		snprintf(p->why, sizeof(p->why), "no grpc-status");
	} else if (p->grpc_status != GRPC_HEALTH_CODE_OK) {
		p->code = CHECK_GRPC;
		snprintf(p->why, sizeof(p->why), "grpc-status %d %s%s%s",
		    p->grpc_status, grpc_health_code_name(
		    (unsigned)p->grpc_status), p->grpc_message[0] ? ": " : "",
		    p->grpc_message);
	} else if (p->too_long || grpc_health_response_decode(p->resp,
	    p->resplen, &st) != GRPC_HEALTH_OK) {
		p->code = CHECK_MALFORMED;
		snprintf(p->why, sizeof(p->why), "not a HealthCheckResponse");
	} else if (st != GRPC_HEALTH_SERVING) {
		p->code = CHECK_SERVING;
		snprintf(p->why, sizeof(p->why), "%s",
		    grpc_health_status_name(st, name, sizeof(name)));
	}
}

static int
grpc_on_header(nghttp2_session *s, const nghttp2_frame *frame,
    const uint8_t *name, size_t namelen, const uint8_t *value,
    size_t valuelen, uint8_t flags, void *arg)
{
	struct grpc_probe *p = arg;
	unsigned v;

	(void)s;
	(void)flags;
	if (frame->hd.stream_id != p->stream)
		return 0;
	if (namelen == 7 && memcmp(name, ":status", 7) == 0 &&
	    grpc_health_code_parse(value, valuelen, &v) == 0)
		p->http_status = v;
	else if (namelen == 11 && memcmp(name, "grpc-status", 11) == 0)
		p->grpc_status = grpc_health_code_parse(value, valuelen, &v) ?
		    GRPC_HEALTH_CODE_MAX + 1 : (int)v;
	else if (namelen == 12 && memcmp(name, "grpc-message", 12) == 0)
		grpc_health_message_decode(value, valuelen, p->grpc_message,
		    sizeof(p->grpc_message));
	return 0;
}

static int
grpc_on_data(nghttp2_session *s, uint8_t flags, int32_t stream,
    const uint8_t *data, size_t len, void *arg)
{
	struct grpc_probe *p = arg;

	(void)s;
	(void)flags;
	if (stream != p->stream)
		return 0;
	if (len > sizeof(p->resp) - p->resplen) {
		p->too_long = true;
		return 0;
	}
	memcpy(p->resp + p->resplen, data, len);
	p->resplen += len;
	return 0;
}

static int
grpc_on_frame(nghttp2_session *s, const nghttp2_frame *frame, void *arg)
{
	struct grpc_probe *p = arg;

	(void)s;
	if (frame->hd.type == NGHTTP2_GOAWAY) {
		p->goaway = true;
		p->goaway_error = frame->goaway.error_code;
	}
	return 0;
}

static int
grpc_on_close(nghttp2_session *s, int32_t stream, uint32_t error, void *arg)
{
	struct grpc_probe *p = arg;

	if (stream == p->stream && !p->closed) {
		grpc_verdict(p, error);
		/* One request per connection: say goodbye. */
		nghttp2_session_terminate_session(s, NGHTTP2_NO_ERROR);
	}
	return 0;
}

static ssize_t
grpc_body(nghttp2_session *s, int32_t stream, uint8_t *buf, size_t len,
    uint32_t *flags, nghttp2_data_source *src, void *arg)
{
	struct grpc_probe *p = arg;
	size_t n = p->reqlen - p->reqsent;

	(void)s;
	(void)stream;
	(void)src;
	if (n > len)
		n = len;
	memcpy(buf, p->req + p->reqsent, n);
	p->reqsent += n;
	if (p->reqsent == p->reqlen)
		*flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)n;
}

#define GRPC_NV(n, v) { (uint8_t *)(uintptr_t)(n), (uint8_t *)(uintptr_t)(v), \
	sizeof(n) - 1, strlen(v), NGHTTP2_NV_FLAG_NONE }

/* The session, its SETTINGS and the request; false with why if not. */
static bool
grpc_session(struct grpc_probe *p, int fd, char *why, size_t whylen)
{
	const struct check_spec *sp = p->sock.check->spec;
	nghttp2_session_callbacks *cb;
	nghttp2_session *s = NULL;
	char authority[ADDR_HOST_MAX + 16], timeout[16];
	nghttp2_data_provider body = { .read_callback = grpc_body };
	int rv;

	snprintf(authority, sizeof(authority), strchr(sp->host, ':') ?
	    "[%s]:%u" : "%s:%u", sp->host, sp->port);
	grpc_health_timeout(sp->timeout_ms, timeout, sizeof(timeout));
	const nghttp2_nv nv[] = {
		GRPC_NV(":method", "POST"),
		GRPC_NV(":scheme", "http"),
		GRPC_NV(":authority", authority),
		GRPC_NV(":path", GRPC_CHECK_PATH),
		GRPC_NV("content-type", "application/grpc"),
		GRPC_NV("te", "trailers"),
		GRPC_NV("grpc-timeout", timeout),
		GRPC_NV("user-agent", "healthgate/" HEALTHGATE_VERSION),
	};

	if (nghttp2_session_callbacks_new(&cb) != 0) {
		snprintf(why, whylen, "out of memory");
		return false;
	}
	nghttp2_session_callbacks_set_on_header_callback(cb, grpc_on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb,
	    grpc_on_data);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb, grpc_on_frame);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb,
	    grpc_on_close);
	rv = nghttp2_session_client_new(&s, cb, p);
	nghttp2_session_callbacks_del(cb);
	if (rv != 0) {
		snprintf(why, whylen, "http2: %s", nghttp2_strerror(rv));
		return false;
	}
	h2_conn_plain(&p->h2, fd, s);
	p->reqlen = grpc_health_request_encode(p->req, sizeof(p->req),
	    sp->path);
	if ((rv = nghttp2_submit_settings(s, NGHTTP2_FLAG_NONE, NULL, 0)) ||
	    (p->stream = nghttp2_submit_request(s, NULL, nv,
	    sizeof(nv) / sizeof(nv[0]), &body, NULL)) < 0) {
		snprintf(why, whylen, "http2: %s", nghttp2_strerror(rv ? rv :
		    p->stream));
		return false;
	}
	return true;
}

/* One step of the session; the run ends when the stream has closed. */
static void
grpc_io(struct ev_loop *loop, ev_io *w, int revents)
{
	struct grpc_probe *p = w->data;
	char why[160] = "";
	enum h2_conn_result r;
	int want;

	r = revents & EV_READ ? h2_conn_read(&p->h2, why, sizeof(why)) :
	    h2_conn_write(&p->h2, why, sizeof(why));
	if (p->closed) {
		grpc_finish(p, p->code, p->why);
		return;
	}
	if (r == H2_CONN_FAILED || r == H2_CONN_DONE || p->h2.eof) {
		if (p->goaway)
			snprintf(why, sizeof(why), "GOAWAY (%s) before an "
			    "answer", nghttp2_http2_strerror(p->goaway_error));
		else if (r != H2_CONN_FAILED)
			snprintf(why, sizeof(why), "connection closed before "
			    "an answer");
		grpc_finish(p, CHECK_RESET, why);
		return;
	}
	want = h2_conn_wants(&p->h2);
	if (want != (w->events & (EV_READ | EV_WRITE))) {
		ev_io_stop(loop, w);
		ev_io_set(w, w->fd, want);
		ev_io_start(loop, w);
	}
}

static void
grpc_writable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct grpc_probe *p = w->data;
	char why[160] = "";
	enum check_code code;

	if ((code = check_connected(w->fd, why, sizeof(why))) != CHECK_PASS) {
		grpc_finish(p, code, why);
		return;
	}
	if (!grpc_session(p, w->fd, why, sizeof(why))) {
		grpc_finish(p, CHECK_CONNECT, why);
		return;
	}
	ev_set_cb(w, grpc_io);
	grpc_io(loop, w, revents & ~EV_READ);
}

static void
grpc_start(struct check *c)
{
	struct grpc_probe *p;

	if ((p = check_socket_new(c, sizeof(*p), grpc_writable)) == NULL)
		return;
	p->grpc_status = -1;
	check_socket_connect(c);
}

/* The session goes before the socket check_socket_cancel closes. */
static void
grpc_cancel(struct check *c)
{
	struct grpc_probe *p = c->probe;

	if (p && p->h2.session) {
		nghttp2_session_del(p->h2.session);
		p->h2.session = NULL;
	}
	check_socket_cancel(c);
}

const struct check_ops check_grpc_ops = {
	.kind = "grpc",
	.start = grpc_start,
	.cancel = grpc_cancel,
};
