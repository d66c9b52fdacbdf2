/*
 * h2_conn.c: an nghttp2 session between a transport and its caller (see
 * h2_conn.h). nghttp2's mem_recv/mem_send interface keeps the session
 * unaware of sockets: bytes in, bytes out, and the transport decides how
 * they travel.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "h2_conn.h"

/* Read per call: a few frames; the loop serves others in between. */
#define H2_CONN_CHUNK	16384
/* Reads per h2_conn_read: a flood cannot keep one client in the loop. */
#define H2_CONN_READS	4

static ssize_t
h2_conn_plain_recv(void *ctx, uint8_t *buf, size_t len)
{
	return recv(*(int *)ctx, buf, len, 0);
}

static ssize_t
h2_conn_plain_send(void *ctx, const uint8_t *buf, size_t len)
{
	return send(*(int *)ctx, buf, len, MSG_NOSIGNAL);
}

void
h2_conn_plain(struct h2_conn *h, int fd, nghttp2_session *session)
{
	memset(h, 0, sizeof(*h));
	h->fd = fd;
	h->session = session;
	h->io.recv = h2_conn_plain_recv;
	h->io.send = h2_conn_plain_send;
	h->io.ctx = &h->fd;
}

/* Whether the transport holds bytes back (TLS), to be sent by a flush. */
static bool
h2_conn_held(const struct h2_conn *h)
{
	return h->io.wants_write && h->io.wants_write(h->io.ctx);
}

static bool
h2_conn_finished(const struct h2_conn *h)
{
	return h->outlen == 0 && !nghttp2_session_want_write(h->session) &&
	    !h2_conn_held(h) &&
	    (h->eof || !nghttp2_session_want_read(h->session));
}

enum h2_conn_result
h2_conn_write(struct h2_conn *h, char *why, size_t whylen)
{
	for (;;) {
		ssize_t n;

		if (h->outlen == 0) {
			n = nghttp2_session_mem_send(h->session, &h->out);
			if (n < 0) {
				snprintf(why, whylen, "http2: %s",
				    nghttp2_strerror((int)n));
				return H2_CONN_FAILED;
			}
			if (n == 0 && !h2_conn_held(h))
				break;
			h->outlen = (size_t)n;
		}
		/* Length 0: the session has nothing; the transport flushes. */
		n = h->io.send(h->io.ctx, h->out, h->outlen);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return H2_CONN_AGAIN;
		if (n < 0) {
			snprintf(why, whylen, "send: %s", strerror(errno));
			return H2_CONN_FAILED;
		}
		h->out += n;
		h->outlen -= (size_t)n;
	}
	return h2_conn_finished(h) ? H2_CONN_DONE : H2_CONN_AGAIN;
}

enum h2_conn_result
h2_conn_read(struct h2_conn *h, char *why, size_t whylen)
{
	uint8_t buf[H2_CONN_CHUNK];

	for (unsigned i = 0; i < H2_CONN_READS && !h->eof; i++) {
		ssize_t n = h->io.recv(h->io.ctx, buf, sizeof(buf)), used;

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n < 0) {
			snprintf(why, whylen, "recv: %s", strerror(errno));
			return H2_CONN_FAILED;
		}
		if (n == 0) {
			h->eof = true;
			break;
		}
		used = nghttp2_session_mem_recv(h->session, buf, (size_t)n);
		if (used < 0) {
			snprintf(why, whylen, "http2: %s",
			    nghttp2_strerror((int)used));
			/* Its GOAWAY, if it queued one, goes out first. */
			h2_conn_write(h, why + strlen(why), 0);
			return H2_CONN_FAILED;
		}
		if ((size_t)n < sizeof(buf))
			break;
	}
	return h2_conn_write(h, why, whylen);
}

int
h2_conn_wants(const struct h2_conn *h)
{
	int w = 0;

	if (!h->eof && nghttp2_session_want_read(h->session))
		w |= H2_CONN_READ;
	if (h->outlen || (h->io.wants_write && h->io.wants_write(h->io.ctx)))
		w |= H2_CONN_WRITE;
	return w;
}
