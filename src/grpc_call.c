/*
 * grpc_call.c: one grpc.health.v1.Health/Check call as an nghttp2 client
 * session (see grpc_call.h). The callbacks only record what arrives; the
 * verdict is taken once, when the stream closes.
 */
#include <stdio.h>
#include <string.h>

#include "grpc_call.h"

#define GRPC_CALL_PATH	"/grpc.health.v1.Health/Check"

/* What the closed stream says, into call->code and call->why. */
static void
grpc_call_verdict(struct grpc_call *p, uint32_t error)
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
grpc_call_on_header(nghttp2_session *s, const nghttp2_frame *frame,
    const uint8_t *name, size_t namelen, const uint8_t *value,
    size_t valuelen, uint8_t flags, void *arg)
{
	struct grpc_call *p = arg;
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
grpc_call_on_data(nghttp2_session *s, uint8_t flags, int32_t stream,
    const uint8_t *data, size_t len, void *arg)
{
	struct grpc_call *p = arg;

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
grpc_call_on_frame(nghttp2_session *s, const nghttp2_frame *frame, void *arg)
{
	struct grpc_call *p = arg;

	(void)s;
	if (frame->hd.type == NGHTTP2_GOAWAY) {
		p->goaway = true;
		p->goaway_error = frame->goaway.error_code;
	}
	return 0;
}

static int
grpc_call_on_close(nghttp2_session *s, int32_t stream, uint32_t error,
    void *arg)
{
	struct grpc_call *p = arg;

	if (stream == p->stream && !p->closed) {
		grpc_call_verdict(p, error);
		/* One call per connection: say goodbye. */
		nghttp2_session_terminate_session(s, NGHTTP2_NO_ERROR);
	}
	return 0;
}

static ssize_t
grpc_call_body(nghttp2_session *s, int32_t stream, uint8_t *buf, size_t len,
    uint32_t *flags, nghttp2_data_source *src, void *arg)
{
	struct grpc_call *p = arg;
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

#define GRPC_CALL_NV(n, v) { (uint8_t *)(uintptr_t)(n), \
	(uint8_t *)(uintptr_t)(v), sizeof(n) - 1, strlen(v), \
	NGHTTP2_NV_FLAG_NONE }

static nghttp2_session *
grpc_call_session(struct grpc_call *p)
{
	nghttp2_session_callbacks *cb;
	nghttp2_session *s = NULL;
	int rv;

	if (nghttp2_session_callbacks_new(&cb) != 0)
		return NULL;
	nghttp2_session_callbacks_set_on_header_callback(cb,
	    grpc_call_on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb,
	    grpc_call_on_data);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb,
	    grpc_call_on_frame);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb,
	    grpc_call_on_close);
	rv = nghttp2_session_client_new(&s, cb, p);
	nghttp2_session_callbacks_del(cb);
	return rv == 0 ? s : NULL;
}

bool
grpc_call_start(struct grpc_call *p, int fd, const struct h2_transport *io,
    const char *host, unsigned port, const char *service,
    unsigned timeout_ms, const char *agent)
{
	char authority[ADDR_HOST_MAX + 16], timeout[16];
	nghttp2_data_provider body = { .read_callback = grpc_call_body };
	nghttp2_session *s;
	int rv;

	memset(p, 0, sizeof(*p));
	p->grpc_status = -1;
	snprintf(authority, sizeof(authority), strchr(host, ':') ?
	    "[%s]:%u" : "%s:%u", host, port);
	grpc_health_timeout(timeout_ms, timeout, sizeof(timeout));
	const nghttp2_nv nv[] = {
		GRPC_CALL_NV(":method", "POST"),
		GRPC_CALL_NV(":scheme", io ? "https" : "http"),
		GRPC_CALL_NV(":authority", authority),
		GRPC_CALL_NV(":path", GRPC_CALL_PATH),
		GRPC_CALL_NV("content-type", "application/grpc"),
		GRPC_CALL_NV("te", "trailers"),
		GRPC_CALL_NV("grpc-timeout", timeout),
		GRPC_CALL_NV("user-agent", agent),
	};

	if ((s = grpc_call_session(p)) == NULL) {
		snprintf(p->why, sizeof(p->why), "http2: out of memory");
		return false;
	}
	h2_conn_plain(&p->h2, fd, s);
	if (io)
		p->h2.io = *io;
	p->reqlen = grpc_health_request_encode(p->req, sizeof(p->req),
	    service);
	if ((rv = nghttp2_submit_settings(s, NGHTTP2_FLAG_NONE, NULL, 0)) ||
	    (p->stream = nghttp2_submit_request(s, NULL, nv,
	    sizeof(nv) / sizeof(nv[0]), &body, NULL)) < 0) {
		snprintf(p->why, sizeof(p->why), "http2: %s",
		    nghttp2_strerror(rv ? rv : p->stream));
		return false;
	}
	return true;
}

bool
grpc_call_step(struct grpc_call *p, bool readable)
{
	char why[160] = "";
	enum h2_conn_result r;

	r = readable ? h2_conn_read(&p->h2, why, sizeof(why)) :
	    h2_conn_write(&p->h2, why, sizeof(why));
	if (p->closed)
		return true;
	if (r == H2_CONN_AGAIN && !p->h2.eof)
		return false;
	p->code = CHECK_RESET;
	if (p->goaway)
		snprintf(p->why, sizeof(p->why), "GOAWAY (%s) before an answer",
		    nghttp2_http2_strerror(p->goaway_error));
	else if (r == H2_CONN_FAILED)
		snprintf(p->why, sizeof(p->why), "%s", why);
	else
		snprintf(p->why, sizeof(p->why), "connection closed before an "
		    "answer");
	return true;
}

int
grpc_call_wants(const struct grpc_call *p)
{
	return h2_conn_wants(&p->h2);
}

void
grpc_call_free(struct grpc_call *p)
{
	if (p->h2.session)
		nghttp2_session_del(p->h2.session);
	p->h2.session = NULL;
}
