#ifndef HEALTHGATE_TLS_H
#define HEALTHGATE_TLS_H

/*
 * TLS client sessions with BearSSL, driven on a non-blocking socket: the
 * https and tls checks on the loop, the probe with poll(), and any other
 * protocol that wants a TLS byte stream (grpcs). Every call does what the
 * socket allows now and says what it waits for; nothing here blocks,
 * sleeps or owns the socket.
 *
 * A struct tls_conf (tls_conf.c) holds what a check was given: the trust
 * anchors, an optional client certificate and key, whether to verify.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tls_conf;
struct tls_conn;

/* What the socket must do before a call can get further. */
enum tls_want {
	TLS_DONE,		/* the call's goal is met */
	TLS_WANT_READ,		/* call again once the socket is readable */
	TLS_WANT_WRITE,		/* call again once the socket is writable */
	TLS_EOF,		/* the peer closed (close_notify or TCP EOF) */
	TLS_FAILED,		/* the session is over: tls_conn_reason() */
};

/*
 * Loads a check's TLS settings, at start: ca is a PEM bundle to trust
 * (NULL: the system's, tls_conf_system_bundle()); cert and key a client
 * certificate chain and its private key, both PEM, or both NULL; with
 * insecure nothing is verified (ca is not read). NULL with why filled
 * when a file cannot be read or holds nothing usable; the message names
 * the parameter and the file. Anchors read from one file are shared by
 * every conf that names it.
 */
struct tls_conf	*tls_conf_new(const char *ca, const char *cert,
		    const char *key, bool insecure, char *why, size_t whylen);
void		 tls_conf_free(struct tls_conf *);
bool		 tls_conf_insecure(const struct tls_conf *);

/*
 * The system's CA bundle: $SSL_CERT_FILE if set, else the first readable
 * of the places Debian, Alpine and Red Hat keep it; NULL when there is
 * none (an image FROM scratch, unless one is mounted).
 */
const char	*tls_conf_system_bundle(void);

/*
 * A new client session for conf, for server name (sent as SNI and, unless
 * conf is insecure, matched against the certificate; NULL: neither),
 * offering the application protocol alpn by ALPN ("h2" for gRPC; NULL:
 * none). Allocates about 40 KiB (BearSSL's record buffers). NULL on no
 * memory. conf and alpn must outlive it.
 */
struct tls_conn	*tls_conn_new(const struct tls_conf *, const char *name,
		    const char *alpn);
void		 tls_conn_free(struct tls_conn *);

/* Drives the handshake on fd: TLS_DONE once it has completed. */
enum tls_want	 tls_handshake(struct tls_conn *, int fd);

/*
 * Takes up to len bytes of buf into the session (*took says how many)
 * and sends what it can: TLS_DONE once everything taken so far is on the
 * wire. Call again with the rest, or with len 0 to finish sending.
 */
enum tls_want	 tls_write(struct tls_conn *, int fd, const void *buf,
		    size_t len, size_t *took);

/* Up to len bytes of application data into buf: TLS_DONE with *got > 0. */
enum tls_want	 tls_read(struct tls_conn *, int fd, void *buf, size_t len,
		    size_t *got);

/* Sends close_notify if the socket takes it now; never waits. */
void		 tls_close(struct tls_conn *, int fd);

/* Whether the handshake has completed. */
bool		 tls_established(const struct tls_conn *);
/* Whether the session has failed (its reason says why). */
bool		 tls_failed(const struct tls_conn *);

/*
 * An established session bound to its socket, as recv/send-like calls,
 * for a protocol carried over TLS (h2_conn's transport, for grpcs). Both
 * return the bytes moved (recv: 0 at the peer's end) or -1 with errno:
 * EAGAIN when the socket must be waited for (tls_stream_wants_write says
 * whether writable), EPROTO when the session failed. send takes what the
 * session can hold and sends what the socket takes; what it holds back
 * goes out on a later send, one of length 0 included, while
 * tls_stream_wants_write is true.
 */
struct tls_stream {
	struct tls_conn	*conn;
	int		 fd;
	bool		 want_write;	/* the last call waits for writable */
};

ssize_t		 tls_stream_recv(void *stream, uint8_t *buf, size_t len);
ssize_t		 tls_stream_send(void *stream, const uint8_t *buf, size_t len);
bool		 tls_stream_wants_write(void *stream);

/*
 * Why the session failed (or closed during the handshake), as the check's
 * reason: "tls: certificate expired 2026-11-30", "tls: name mismatch
 * (wanted app.internal)", "tls: unknown authority", ...
 */
void		 tls_conn_reason(const struct tls_conn *, char *buf,
		    size_t size);

/*
 * When the earliest certificate the server sent stops being valid, in
 * wall-clock seconds since 1970, once its chain has been read; false
 * before that.
 */
bool		 tls_conn_not_after(const struct tls_conn *, double *when);

#endif
