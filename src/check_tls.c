/*
 * check_tls.c: up when a TLS handshake completes in time, verified (the
 * chain, the name, the dates) unless the check says insecure.
 *
 * address -> connect -> writable -> handshake steps, each re-arming the
 * watcher for what TLS waits for -> done. The steps are shared with the
 * https check, which carries on from the same session; the session itself
 * is tls.c's, the check's files tls_conf.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "check_spec.h"
#include "log.h"
#include "tls.h"

bool
check_tls_setup(struct check *c, char *why, size_t whylen)
{
	const struct check_spec_tls *t = &c->spec->tls;
	char err[512];

	if (!t->on)
		return true;
	c->tls = tls_conf_new(t->ca[0] ? t->ca : NULL,
	    t->cert[0] ? t->cert : NULL, t->key[0] ? t->key : NULL,
	    t->insecure, err, sizeof(err));
	if (c->tls == NULL) {
		snprintf(why, whylen, "check %s: %s", c->spec->name, err);
		return false;
	}
	if (t->insecure)
		log_kv(LOG_WARN, "check_insecure", LOG_S("name", c->spec->name),
		    LOG_Q("reason", "its server's certificate is not "
		    "verified (insecure)"));
	return true;
}

void
check_tls_teardown(struct check *c)
{
	tls_conf_free(c->tls);
	c->tls = NULL;
}

void
check_tls_late(struct check *c, char *why, size_t whylen)
{
	const struct check_socket *p = c->probe;

	if (p && p->tls && !tls_established(p->tls))
		snprintf(why, whylen, "tls: handshake timeout after %u ms",
		    c->spec->timeout_ms);
}

bool
check_tls_begin(struct check *c)
{
	struct check_socket *p = c->probe;

	/* gRPC servers (grpc-core) refuse a TLS client that offers no h2. */
	p->tls = tls_conn_new(c->tls, check_spec_tls_name(c->spec),
	    c->spec->kind == CHECK_SPEC_GRPC ? "h2" : NULL);
	return p->tls != NULL;
}

int
check_tls_handshake(struct check *c, char *why, size_t whylen)
{
	struct check_socket *p = c->probe;
	enum tls_want r = tls_handshake(p->tls, p->io.fd);
	double when;

	switch (r) {
	case TLS_WANT_READ:
	case TLS_WANT_WRITE:
		check_socket_want(c, r == TLS_WANT_READ ? EV_READ : EV_WRITE);
		return 0;
	default:
		break;
	}
	/* An expired chain has dates too: the figure goes negative. */
	if (tls_conn_not_after(p->tls, &when)) {
		c->tls_seen = true;
		c->tls_not_after = when;
	}
	if (r == TLS_DONE)
		return 1;
	tls_conn_reason(p->tls, why, whylen);
	return -1;
}

/* One handshake step; the run ends when the handshake does. */
static void
tls_io(struct ev_loop *loop, ev_io *w, int revents)
{
	struct check_socket *p = w->data;
	struct check *c = p->check;
	char why[256];
	int r;

	(void)loop;
	(void)revents;
	if ((r = check_tls_handshake(c, why, sizeof(why))) == 0)
		return;
	check_socket_cancel(c);
	check_done(c, r > 0 ? CHECK_PASS : CHECK_TLS, r > 0 ? "" : why);
}

static void
tls_connected(struct ev_loop *loop, ev_io *w, int revents)
{
	struct check_socket *p = w->data;
	struct check *c = p->check;
	char why[128] = "";
	enum check_code code;

	if ((code = check_connected(w->fd, why, sizeof(why))) != CHECK_PASS) {
		check_socket_cancel(c);
		check_done(c, code, why);
		return;
	}
	if (!check_tls_begin(c)) {
		check_socket_cancel(c);
		check_skip(c, "tls: out of memory");	/* healthgate's own */
		return;
	}
	ev_set_cb(w, tls_io);
	tls_io(loop, w, revents);
}

static void
tls_start(struct check *c)
{
	if (check_socket_new(c, sizeof(struct check_socket), tls_connected))
		check_socket_connect(c);
}

const struct check_ops check_tls_ops = {
	.kind = "tls",
	.start = tls_start,
	.cancel = check_socket_cancel,
	.setup = check_tls_setup,
	.teardown = check_tls_teardown,
	.late = check_tls_late,
};
