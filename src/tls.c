/*
 * tls.c: one TLS client session, BearSSL's engine driven by hand on a
 * non-blocking socket.
 *
 * br_sslio would block; instead every call loops over the engine's state:
 * records it has to send go out first (send() until EAGAIN), then the
 * call's goal is checked (handshake done: the engine takes application
 * data; data to read: the engine has some), then the engine is fed what
 * recv() gives. EAGAIN ends the call with what the socket must do next,
 * so the caller re-arms its watcher (or poll()) for that and calls again.
 *
 * The certificate chain goes through a thin X.509 class of our own in
 * front of BearSSL's minimal one: each certificate's bytes also go to a
 * br_x509_decoder, for the validity dates (the expiry figure, and the
 * date in "certificate expired 2026-11-30"), and, when not verifying, for
 * the server's key. The decisions are all br_x509_minimal's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

#include "clock.h"
#include "tls_conf.h"

#define TLS_UNIX_EPOCH_DAY	719528u	/* 1970-01-01 in BearSSL's days */

/*
 * Our X.509 class: br_x509_minimal decides, the decoders watch. The
 * vtable comes first: BearSSL calls us through a pointer to it.
 */
struct tls_x509 {
	const br_x509_class *vtable;
	br_x509_minimal_context minimal;
	br_x509_decoder_context ee;	/* the server's own certificate */
	br_x509_decoder_context dec;	/* the others, one at a time */
	bool		 insecure;	/* the chain's verdict is ignored */
	unsigned	 ncerts;	/* certificates ended so far */
	uint32_t	 now_days, now_secs; /* when the chain was checked */
	int		 bad_date;	/* first cert out of dates: 1 expired,
					   -1 not yet valid, 0 none */
	uint32_t	 bad_days;	/* its notAfter or notBefore day */
	bool		 have_after;	/* earliest notAfter below is set */
	uint32_t	 after_days, after_secs;
};

struct tls_conn {
	br_ssl_client_context cc;
	struct tls_x509	 x509;
	char		 name[256];	/* the server name wanted, or "" */
	const char	*alpn[1];	/* the protocol offered, if any */
	bool		 established;	/* the handshake completed */
	bool		 eof;		/* recv() said the peer closed */
	int		 sys_err;	/* errno of a failed send or recv */
	const char	*sys_op;	/* which of the two */
	unsigned char	 buf[BR_SSL_BUFSIZE_BIDI];	/* records in and out */
};

static struct tls_x509 *
tls_x509_of(const br_x509_class *const *ctx)
{
	return (struct tls_x509 *)(void *)ctx;
}

static void
tls_x509_start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct tls_x509 *x = tls_x509_of(ctx);
	struct timespec now;

	/* Validity is judged against clock.c's wall clock, not time(). */
	clock_wall(&now);
	x->now_days = (uint32_t)(now.tv_sec / 86400) + TLS_UNIX_EPOCH_DAY;
	x->now_secs = (uint32_t)(now.tv_sec % 86400);
	br_x509_minimal_set_time(&x->minimal, x->now_days, x->now_secs);
	x->ncerts = 0;
	x->bad_date = 0;
	x->have_after = false;
	x->minimal.vtable->start_chain(&x->minimal.vtable, server_name);
}

static br_x509_decoder_context *
tls_x509_decoder(struct tls_x509 *x)
{
	return x->ncerts == 0 ? &x->ee : &x->dec;
}

static void
tls_x509_start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct tls_x509 *x = tls_x509_of(ctx);

	br_x509_decoder_init(tls_x509_decoder(x), NULL, NULL);
	x->minimal.vtable->start_cert(&x->minimal.vtable, length);
}

static void
tls_x509_append(const br_x509_class **ctx, const unsigned char *buf,
    size_t len)
{
	struct tls_x509 *x = tls_x509_of(ctx);

	br_x509_decoder_push(tls_x509_decoder(x), buf, len);
	x->minimal.vtable->append(&x->minimal.vtable, buf, len);
}

/* Whether day/second a comes before b. */
static bool
tls_x509_before(uint32_t ad, uint32_t as, uint32_t bd, uint32_t bs)
{
	return ad < bd || (ad == bd && as < bs);
}

/*
 * The certificate's dates, as its decoder read them. BearSSL 0.6 has no
 * accessor for them (br_x509_minimal_set_time_callback came later); the
 * fields are those of the bearssl_x509.h this is built against, Debian's
 * 0.6 in both builds (scripts/static.sh builds that same source).
 */
static void
tls_x509_dates(struct tls_x509 *x, const br_x509_decoder_context *d)
{
	if (x->bad_date == 0 && tls_x509_before(d->notafter_days,
	    d->notafter_seconds, x->now_days, x->now_secs)) {
		x->bad_date = 1;
		x->bad_days = d->notafter_days;
	} else if (x->bad_date == 0 && tls_x509_before(x->now_days,
	    x->now_secs, d->notbefore_days, d->notbefore_seconds)) {
		x->bad_date = -1;
		x->bad_days = d->notbefore_days;
	}
	if (!x->have_after || tls_x509_before(d->notafter_days,
	    d->notafter_seconds, x->after_days, x->after_secs)) {
		x->have_after = true;
		x->after_days = d->notafter_days;
		x->after_secs = d->notafter_seconds;
	}
}

static void
tls_x509_end_cert(const br_x509_class **ctx)
{
	struct tls_x509 *x = tls_x509_of(ctx);
	br_x509_decoder_context *d = tls_x509_decoder(x);

	if (br_x509_decoder_last_error(d) == 0)
		tls_x509_dates(x, d);
	x->ncerts++;
	x->minimal.vtable->end_cert(&x->minimal.vtable);
}

static unsigned
tls_x509_end_chain(const br_x509_class **ctx)
{
	struct tls_x509 *x = tls_x509_of(ctx);
	unsigned err = x->minimal.vtable->end_chain(&x->minimal.vtable);

	if (!x->insecure)
		return err;
	/* Not verifying: any chain whose first certificate has a key. */
	return br_x509_decoder_get_pkey(&x->ee) ? 0 : BR_ERR_X509_EMPTY_CHAIN;
}

static const br_x509_pkey *
tls_x509_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	struct tls_x509 *x = tls_x509_of(ctx);

	if (!x->insecure)
		return x->minimal.vtable->get_pkey(&x->minimal.vtable, usages);
	if (usages)
		*usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
	return br_x509_decoder_get_pkey(&x->ee);
}

static const br_x509_class tls_x509_vtable = {
	.context_size = sizeof(struct tls_x509),
	.start_chain = tls_x509_start_chain,
	.start_cert = tls_x509_start_cert,
	.append = tls_x509_append,
	.end_cert = tls_x509_end_cert,
	.end_chain = tls_x509_end_chain,
	.get_pkey = tls_x509_get_pkey,
};

struct tls_conn *
tls_conn_new(const struct tls_conf *conf, const char *name,
    const char *alpn)
{
	struct tls_conn *t;
	unsigned char seed[32];

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	tls_conf_apply(conf, &t->cc, &t->x509.minimal);
	t->x509.vtable = &tls_x509_vtable;
	t->x509.insecure = tls_conf_insecure(conf);
	br_ssl_engine_set_x509(&t->cc.eng, &t->x509.vtable);
	br_ssl_engine_set_buffer(&t->cc.eng, t->buf, sizeof(t->buf), 1);
	if (alpn) {
		t->alpn[0] = alpn;
		br_ssl_engine_set_protocol_names(&t->cc.eng, t->alpn, 1);
	}
	/*
	 * getrandom() rather than BearSSL's own seeder, which opens
	 * /dev/urandom: an image FROM scratch may run without a /dev.
	 */
	if (getrandom(seed, sizeof(seed), 0) == (ssize_t)sizeof(seed))
		br_ssl_engine_inject_entropy(&t->cc.eng, seed, sizeof(seed));
	snprintf(t->name, sizeof(t->name), "%s", name ? name : "");
	/*
	 * A failed reset (no randomness at all) leaves the engine closed
	 * with its error: the first call fails and the reason says why.
	 */
	(void)br_ssl_client_reset(&t->cc, name, 0);
	return t;
}

void
tls_conn_free(struct tls_conn *t)
{
	free(t);
}

/*
 * A send failed (the server closed on us): what it sent before closing
 * is often an alert that says why (a client certificate it wanted), and
 * may wait in the socket. Read it if the engine will take it now.
 */
static void
tls_last_words(struct tls_conn *t, int fd)
{
	br_ssl_engine_context *e = &t->cc.eng;
	unsigned char *b;
	size_t len;
	ssize_t n;

	for (int i = 0; i < 16; i++) {
		if (!(br_ssl_engine_current_state(e) & BR_SSL_RECVREC))
			return;
		b = br_ssl_engine_recvrec_buf(e, &len);
		if ((n = recv(fd, b, len, MSG_DONTWAIT)) <= 0)
			return;
		br_ssl_engine_recvrec_ack(e, (size_t)n);
	}
}

/* Until the engine's state has one of goal's bits, or the socket waits. */
static enum tls_want
tls_pump(struct tls_conn *t, int fd, unsigned goal)
{
	br_ssl_engine_context *e = &t->cc.eng;

	for (;;) {
		unsigned st = br_ssl_engine_current_state(e);
		unsigned char *b;
		size_t len;
		ssize_t n;

		if (st & BR_SSL_CLOSED)
			return br_ssl_engine_last_error(e) == BR_ERR_OK &&
			    t->established ? TLS_EOF : TLS_FAILED;
		if (st & BR_SSL_SENDREC) {
			b = br_ssl_engine_sendrec_buf(e, &len);
			n = send(fd, b, len, MSG_NOSIGNAL);
		} else if (st & goal)
			return TLS_DONE;
		else if (st & BR_SSL_RECVREC) {
			b = br_ssl_engine_recvrec_buf(e, &len);
			n = recv(fd, b, len, 0);
		} else
			return TLS_FAILED;	/* nothing can move: never seen */
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return st & BR_SSL_SENDREC ? TLS_WANT_WRITE :
			    TLS_WANT_READ;
		if (n < 0) {
			t->sys_err = errno;
			t->sys_op = st & BR_SSL_SENDREC ? "send" : "recv";
			if (st & BR_SSL_SENDREC)
				tls_last_words(t, fd);
			return TLS_FAILED;
		}
		if (st & BR_SSL_SENDREC)
			br_ssl_engine_sendrec_ack(e, (size_t)n);
		else if (n == 0) {
			t->eof = true;
			return TLS_EOF;
		} else
			br_ssl_engine_recvrec_ack(e, (size_t)n);
	}
}

enum tls_want
tls_handshake(struct tls_conn *t, int fd)
{
	enum tls_want r = tls_pump(t, fd, BR_SSL_SENDAPP);

	if (r == TLS_DONE)
		t->established = true;
	/* A close before the end is a failed handshake, not an EOF. */
	return r == TLS_EOF ? TLS_FAILED : r;
}

enum tls_want
tls_write(struct tls_conn *t, int fd, const void *buf, size_t len,
    size_t *took)
{
	br_ssl_engine_context *e = &t->cc.eng;
	const unsigned char *p = buf;
	enum tls_want r;

	*took = 0;
	while (len > 0) {
		unsigned char *dst;
		size_t room;

		if ((r = tls_pump(t, fd, BR_SSL_SENDAPP)) != TLS_DONE)
			return r;
		dst = br_ssl_engine_sendapp_buf(e, &room);
		if (room > len)
			room = len;
		memcpy(dst, p, room);
		br_ssl_engine_sendapp_ack(e, room);
		*took += room;
		p += room;
		len -= room;
	}
	br_ssl_engine_flush(e, 0);
	return tls_pump(t, fd, BR_SSL_SENDAPP);
}

enum tls_want
tls_read(struct tls_conn *t, int fd, void *buf, size_t len, size_t *got)
{
	br_ssl_engine_context *e = &t->cc.eng;
	unsigned char *src;
	enum tls_want r;
	size_t have;

	*got = 0;
	if ((r = tls_pump(t, fd, BR_SSL_RECVAPP)) != TLS_DONE)
		return r;
	src = br_ssl_engine_recvapp_buf(e, &have);
	if (have > len)
		have = len;
	memcpy(buf, src, have);
	br_ssl_engine_recvapp_ack(e, have);
	*got = have;
	return TLS_DONE;
}

void
tls_close(struct tls_conn *t, int fd)
{
	br_ssl_engine_context *e = &t->cc.eng;

	if (!t->established || t->sys_err || t->eof)
		return;
	br_ssl_engine_close(e);
	/* What the socket takes now; the peer's answer is not awaited. */
	while (br_ssl_engine_current_state(e) & BR_SSL_SENDREC) {
		size_t len;
		unsigned char *b = br_ssl_engine_sendrec_buf(e, &len);
		ssize_t n = send(fd, b, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n <= 0)
			return;
		br_ssl_engine_sendrec_ack(e, (size_t)n);
	}
}

bool
tls_established(const struct tls_conn *t)
{
	return t->established;
}

bool
tls_failed(const struct tls_conn *t)
{
	return t->sys_err || br_ssl_engine_last_error(&t->cc.eng) != BR_ERR_OK;
}

/* What a TLS call's want means for a recv/send-like caller: -1, errno. */
static ssize_t
tls_stream_wait(struct tls_stream *s, enum tls_want r)
{
	s->want_write = r == TLS_WANT_WRITE;
	errno = r == TLS_WANT_READ || r == TLS_WANT_WRITE ? EAGAIN : EPROTO;
	return -1;
}

ssize_t
tls_stream_recv(void *stream, uint8_t *buf, size_t len)
{
	struct tls_stream *s = stream;
	enum tls_want r;
	size_t got;

	if ((r = tls_read(s->conn, s->fd, buf, len, &got)) == TLS_DONE ||
	    r == TLS_EOF) {
		s->want_write = false;
		return (ssize_t)got;
	}
	return tls_stream_wait(s, r);
}

ssize_t
tls_stream_send(void *stream, const uint8_t *buf, size_t len)
{
	struct tls_stream *s = stream;
	enum tls_want r;
	size_t took;

	r = tls_write(s->conn, s->fd, buf, len, &took);
	if (r == TLS_DONE) {
		s->want_write = false;
		return (ssize_t)took;
	}
	/* Taken but held back: the caller comes again while wants_write. */
	if (took > 0 && r == TLS_WANT_WRITE) {
		s->want_write = true;
		return (ssize_t)took;
	}
	return tls_stream_wait(s, r);
}

bool
tls_stream_wants_write(void *stream)
{
	return ((struct tls_stream *)stream)->want_write;
}

/* BearSSL's day number as YYYY-MM-DD. */
static void
tls_day(uint32_t days, char *buf, size_t size)
{
	time_t s = (time_t)((int64_t)days - TLS_UNIX_EPOCH_DAY) * 86400;
	struct tm tm;

	if (gmtime_r(&s, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, size, "day %u", days);
}

/* What BearSSL's own error codes mean, for those a server can cause. */
static const char *
tls_error_words(int err)
{
	switch (err) {
	case BR_ERR_UNSUPPORTED_VERSION: return "unsupported protocol version";
	case BR_ERR_BAD_VERSION:	return "bad record version";
	case BR_ERR_BAD_LENGTH:		return "bad record length";
	case BR_ERR_TOO_LARGE:		return "record too large";
	case BR_ERR_BAD_MAC:		return "bad record MAC";
	case BR_ERR_NO_RANDOM:		return "no source of randomness";
	case BR_ERR_UNKNOWN_TYPE:	return "unknown record type";
	case BR_ERR_UNEXPECTED:		return "unexpected message";
	case BR_ERR_BAD_HANDSHAKE:	return "bad handshake message";
	case BR_ERR_BAD_CIPHER_SUITE:	return "no cipher suite in common";
	case BR_ERR_INVALID_ALGORITHM:	return "no algorithm in common";
	case BR_ERR_BAD_SIGNATURE:	return "bad handshake signature";
	case BR_ERR_BAD_FINISHED:	return "bad Finished message";
	case BR_ERR_X509_NOT_CA:	return "issuer is not a CA";
	case BR_ERR_X509_BAD_SIGNATURE:	return "bad certificate signature";
	case BR_ERR_X509_WEAK_PUBLIC_KEY: return "certificate key too weak";
	case BR_ERR_X509_FORBIDDEN_KEY_USAGE: return "certificate key usage "
					    "forbids it";
	case BR_ERR_X509_CRITICAL_EXTENSION: return "unknown critical "
					    "extension in certificate";
	case BR_ERR_X509_EMPTY_CHAIN:	return "no certificate";
	}
	return err >= BR_ERR_X509_OK && err <= BR_ERR_X509_NOT_TRUSTED ?
	    "certificate cannot be read" : NULL;
}

/* A TLS alert's name (RFC 8446, 6.2), for those a server sends. */
static const char *
tls_alert_words(int alert)
{
	switch (alert) {
	case 10:	return "unexpected message";
	case 20:	return "bad record MAC";
	case 40:	return "handshake failure";
	case 42:	return "bad certificate";
	case 43:	return "unsupported certificate";
	case 45:	return "certificate expired";
	case 46:	return "certificate unknown";
	case 47:	return "illegal parameter";
	case 48:	return "unknown CA";
	case 49:	return "access denied";
	case 50:	return "decode error";
	case 51:	return "decrypt error";
	case 70:	return "protocol version";
	case 71:	return "insufficient security";
	case 80:	return "internal error";
	case 112:	return "unrecognized name";
	case 116:	return "certificate required";
	}
	return "?";
}

void
tls_conn_reason(const struct tls_conn *t, char *buf, size_t size)
{
	int err = br_ssl_engine_last_error(&t->cc.eng);
	const char *words = tls_error_words(err);
	char day[32];

	if (t->sys_err && !(err >= BR_ERR_RECV_FATAL_ALERT &&
	    err < BR_ERR_SEND_FATAL_ALERT))
		snprintf(buf, size, "tls: %s: %s", t->sys_op,
		    strerror(t->sys_err));
	else if (err == BR_ERR_OK && t->eof)
		snprintf(buf, size, "tls: connection closed %s",
		    t->established ? "by the server" : "during the handshake");
	else if (err == BR_ERR_X509_EXPIRED && t->x509.bad_date) {
		tls_day(t->x509.bad_days, day, sizeof(day));
		snprintf(buf, size, t->x509.bad_date > 0 ?
		    "tls: certificate expired %s" :
		    "tls: certificate not valid before %s", day);
	} else if (err == BR_ERR_X509_EXPIRED)
		snprintf(buf, size, "tls: certificate expired or not yet "
		    "valid");
	else if (err == BR_ERR_X509_BAD_SERVER_NAME)
		snprintf(buf, size, "tls: name mismatch (wanted %s)", t->name);
	else if (err == BR_ERR_X509_NOT_TRUSTED)
		snprintf(buf, size, "tls: unknown authority");
	else if (err >= BR_ERR_SEND_FATAL_ALERT)
		snprintf(buf, size, "tls: alert %d sent",
		    err - BR_ERR_SEND_FATAL_ALERT);
	else if (err >= BR_ERR_RECV_FATAL_ALERT)
		snprintf(buf, size, "tls: the server refused the handshake: "
		    "alert %d (%s)", err - BR_ERR_RECV_FATAL_ALERT,
		    tls_alert_words(err - BR_ERR_RECV_FATAL_ALERT));
	else if (err == BR_ERR_UNSUPPORTED_VERSION ||
	    err == BR_ERR_BAD_VERSION || err == BR_ERR_BAD_LENGTH ||
	    err == BR_ERR_TOO_LARGE || err == BR_ERR_UNKNOWN_TYPE)
		snprintf(buf, size, "tls: not a TLS server (%s)", words);
	else if (words)
		snprintf(buf, size, "tls: %s", words);
	else
		snprintf(buf, size, "tls: handshake failed (BearSSL error %d)",
		    err);
}

bool
tls_conn_not_after(const struct tls_conn *t, double *when)
{
	if (!t->x509.have_after)
		return false;
	*when = ((double)t->x509.after_days - TLS_UNIX_EPOCH_DAY) * 86400.0 +
	    t->x509.after_secs;
	return true;
}
