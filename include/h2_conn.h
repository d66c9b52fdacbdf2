#ifndef HEALTHGATE_H2_CONN_H
#define HEALTHGATE_H2_CONN_H

/*
 * One HTTP/2 connection: an nghttp2 session fed from, and flushed to, a
 * transport. The gRPC check, the probe and the gRPC listener all drive
 * their session through here, so the bytes move in one place.
 *
 * The transport is a pair of calls, not a socket: h2_conn_plain() is a
 * TCP socket's (recv/send); a TLS layer (grpcs://) supplies its own pair
 * over the same socket and nothing above it changes. Both calls return
 * the bytes moved, 0 for the peer's end (recv), or -1 with errno set;
 * EAGAIN means "not now", and h2_conn_wants() then says what to wait for.
 *
 * No loop and no clock: the caller waits (ev_io, poll) for what
 * h2_conn_wants() asks, then calls h2_conn_read() or h2_conn_write().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <nghttp2/nghttp2.h>

struct h2_transport {
	ssize_t	(*recv)(void *ctx, uint8_t *, size_t);
	ssize_t	(*send)(void *ctx, const uint8_t *, size_t);
	void	*ctx;
	/* Set by a transport that needs to write before it can read (a TLS
	 * handshake): h2_conn_wants() then asks for writable too. */
	bool	(*wants_write)(void *ctx);
};

struct h2_conn {
	nghttp2_session	*session;	/* the caller's; never freed here */
	struct h2_transport io;
	const uint8_t	*out;		/* what mem_send gave, not yet sent */
	size_t		 outlen;
	bool		 eof;		/* the peer ended its side */
	int		 fd;		/* what h2_conn_plain's calls use */
};

enum h2_conn_result {
	H2_CONN_AGAIN,		/* nothing wrong: wait for h2_conn_wants() */
	H2_CONN_DONE,		/* neither side wants more: close */
	H2_CONN_FAILED,		/* transport or protocol error: why says */
};

/* A plain TCP socket as the transport. */
void	h2_conn_plain(struct h2_conn *, int fd, nghttp2_session *);

/*
 * Reads what the transport has (a bounded amount per call, so one client
 * cannot hold the loop) into the session, then writes what the session
 * has to say.
 */
enum h2_conn_result h2_conn_read(struct h2_conn *, char *why, size_t whylen);
/* Writes what the session has to say until done or the transport blocks. */
enum h2_conn_result h2_conn_write(struct h2_conn *, char *why, size_t whylen);

/* What to wait for: bit 1 readable, bit 2 writable (EV_READ, EV_WRITE). */
int	h2_conn_wants(const struct h2_conn *);
#define H2_CONN_READ	1
#define H2_CONN_WRITE	2

#endif
