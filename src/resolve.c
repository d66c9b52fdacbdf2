/*
 * resolve.c: c-ares driven by the libev loop (see resolve.h).
 *
 * c-ares says through its socket-state callback which of its sockets want
 * reading or writing; each gets an ev_io that hands readiness back with
 * ares_process_fd(). After every call into c-ares the one ev_timer is
 * re-armed from ares_timeout(), which ends retries and timeouts with
 * ares_process_fd(BAD, BAD). c-ares answers a lookup it can settle at once
 * (the hosts file, a bad name) from inside ares_getaddrinfo(); such an
 * answer waits for a zero timer, so callers never see a callback before
 * resolve_start() has returned.
 */
#include <ares.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "clock.h"
#include "resolve.h"

struct resolve_sock {
	ev_io		 io;
	struct resolver	*r;
	struct resolve_sock *next;
};

struct resolve_query {
	struct resolver	*r;
	resolve_cb	 cb;		/* NULL once cancelled */
	void		*arg;
	bool		 starting;	/* inside ares_getaddrinfo() */
	bool		 in_ares;	/* c-ares still holds it */
	ev_timer	 later;		/* delivers an answer given at once */
	struct resolve_result res;
	struct resolve_query *next, *prev;	/* r->queries */
};

struct resolver {
	struct ev_loop	*loop;
	ares_channel	 ch;
	ev_timer	 timer;		/* c-ares's next timeout */
	struct resolve_sock *socks;
	struct resolve_query *queries;	/* every live query */
	bool		 dying;		/* in resolve_free */
};

static void
resolve_rearm(struct resolver *r)
{
	struct timeval tv, *t;

	ev_timer_stop(r->loop, &r->timer);
	if ((t = ares_timeout(r->ch, NULL, &tv)) == NULL)
		return;
	ev_timer_set(&r->timer, (double)t->tv_sec + t->tv_usec / 1e6, 0.);
	ev_timer_start(r->loop, &r->timer);
}

static void
io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct resolve_sock *s = w->data;
	struct resolver *r = s->r;
	int fd = w->fd;

	(void)loop;
	/* s may be freed inside: c-ares closes sockets as it goes. */
	ares_process_fd(r->ch, revents & EV_READ ? fd : ARES_SOCKET_BAD,
	    revents & EV_WRITE ? fd : ARES_SOCKET_BAD);
	resolve_rearm(r);
}

static void
resolve_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct resolver *r = w->data;

	(void)loop;
	(void)revents;
	ares_process_fd(r->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	resolve_rearm(r);
}

/* c-ares: fd wants these events now; neither means it is closed. */
static void
sock_state_cb(void *data, ares_socket_t fd, int readable, int writable)
{
	struct resolver *r = data;
	struct resolve_sock **pp, *s;
	int events = (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0);

	for (pp = &r->socks; (s = *pp) != NULL; pp = &s->next)
		if (s->io.fd == fd)
			break;
	if (s == NULL && events == 0)
		return;
	if (s == NULL) {
		/* Without memory the query times out, on the timer. */
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return;
		s->r = r;
		ev_io_init(&s->io, io_cb, fd, events);
		s->io.data = s;
		s->next = r->socks;
		r->socks = s;
		ev_io_start(r->loop, &s->io);
		return;
	}
	ev_io_stop(r->loop, &s->io);
	if (events == 0) {
		*pp = s->next;
		free(s);
		return;
	}
	ev_io_set(&s->io, fd, events);
	ev_io_start(r->loop, &s->io);
}

static void
unlink_query(struct resolve_query *q)
{
	if (q->prev)
		q->prev->next = q->next;
	else
		q->r->queries = q->next;
	if (q->next)
		q->next->prev = q->prev;
}

/* Hands the result over and frees the query. */
static void
deliver(struct resolve_query *q)
{
	struct resolve_result res = q->res;
	resolve_cb cb = q->cb;
	void *arg = q->arg;

	ev_timer_stop(q->r->loop, &q->later);
	unlink_query(q);
	free(q);
	if (cb)
		cb(arg, &res);
}

static void
later_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	deliver(w->data);
}

static const char *
words(int status)
{
	switch (status) {
	case ARES_ENOTFOUND:	return "no such name";
	case ARES_ENODATA:	return "no address for the name";
	case ARES_ETIMEOUT:	return "no answer from the nameserver";
	case ARES_ECONNREFUSED:	return "no nameserver reachable";
	case ARES_ESERVFAIL:	return "the nameserver failed (SERVFAIL)";
	case ARES_EREFUSED:	return "the nameserver refused";
	case ARES_EBADNAME:	return "not a valid name";
	default:		return ares_strerror(status);
	}
}

/* The answer's A and AAAA addresses and its least TTL into res. */
static void
take(struct resolve_result *res, int status, const struct ares_addrinfo *ai)
{
	long ttl = -1;

	memset(res, 0, sizeof(*res));
	for (const struct ares_addrinfo_node *nd = ai ? ai->nodes : NULL;
	    nd && res->n < ANSWER_ADDRS_MAX; nd = nd->ai_next) {
		if (nd->ai_family != AF_INET && nd->ai_family != AF_INET6)
			continue;
		addr_from_sockaddr(nd->ai_addr, &res->addrs[res->n++]);
		if (ttl < 0 || nd->ai_ttl < ttl)
			ttl = nd->ai_ttl;
	}
	/* A CNAME on the way holds the answer no longer than its own TTL. */
	for (const struct ares_addrinfo_cname *cn = ai ? ai->cnames : NULL;
	    cn; cn = cn->next)
		if (ttl < 0 || cn->ttl < ttl)
			ttl = cn->ttl;
	res->ttl = ttl > 0 ? (unsigned)ttl : 0;
	if (status == ARES_SUCCESS && res->n == 0)
		status = ARES_ENODATA;
	res->ok = status == ARES_SUCCESS;
	if (!res->ok) {
		res->n = 0;
		snprintf(res->why, sizeof(res->why), "%s", words(status));
	}
}

static void
addrinfo_cb(void *arg, int status, int timeouts, struct ares_addrinfo *ai)
{
	struct resolve_query *q = arg;

	(void)timeouts;
	q->in_ares = false;
	take(&q->res, status, ai);
	ares_freeaddrinfo(ai);
	if (q->r->dying || q->cb == NULL) {	/* resolve_free, or cancelled */
		unlink_query(q);
		free(q);
	} else if (q->starting) {
		ev_timer_set(&q->later, 0., 0.);
		ev_timer_start(q->r->loop, &q->later);
	} else
		deliver(q);
}

struct resolver *
resolve_new(struct ev_loop *loop, char *err, unsigned errlen)
{
	struct ares_options o;
	struct resolver *r;
	int rc;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((rc = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		free(r);
		return NULL;
	}
	r->loop = loop;
	ev_init(&r->timer, resolve_timer_cb);
	r->timer.data = r;
	memset(&o, 0, sizeof(o));
	o.sock_state_cb = sock_state_cb;
	o.sock_state_cb_data = r;
	/* Everything else (servers, search, timeout, attempts, ndots) as
	 * /etc/resolv.conf says, which is what the runtime wrote there. */
	if ((rc = ares_init_options(&r->ch, &o, ARES_OPT_SOCK_STATE_CB)) !=
	    ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		ares_library_cleanup();
		free(r);
		return NULL;
	}
	return r;
}

void
resolve_free(struct resolver *r)
{
	if (r == NULL)
		return;
	r->dying = true;
	/* Ends c-ares's own queries (their callbacks free them) and closes
	 * its sockets (through sock_state_cb). */
	ares_destroy(r->ch);
	/* Walked by next, not by the head unlink_query() moves: the same
	 * and scan-build can follow it (it saw a use after free). */
	for (struct resolve_query *q = r->queries, *next; q; q = next) {
		next = q->next;
		ev_timer_stop(r->loop, &q->later);
		free(q);
	}
	r->queries = NULL;
	while (r->socks) {
		struct resolve_sock *s = r->socks;

		ev_io_stop(r->loop, &s->io);
		r->socks = s->next;
		free(s);
	}
	ev_timer_stop(r->loop, &r->timer);
	ares_library_cleanup();
	free(r);
}

struct resolve_query *
resolve_start(struct resolver *r, const char *name, resolve_cb cb, void *arg)
{
	struct ares_addrinfo_hints hints;
	struct resolve_query *q;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->r = r;
	q->cb = cb;
	q->arg = arg;
	ev_init(&q->later, later_cb);
	q->later.data = q;
	q->next = r->queries;
	if (q->next)
		q->next->prev = q;
	r->queries = q;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;	/* A and AAAA */
	hints.ai_socktype = SOCK_STREAM;
	/* answer.c orders the addresses; c-ares's RFC 6724 sort would
	 * connect() a UDP socket per address to do it. */
	hints.ai_flags = ARES_AI_NOSORT;
	q->starting = true;
	q->in_ares = true;
	ares_getaddrinfo(r->ch, name, NULL, &hints, addrinfo_cb, q);
	q->starting = false;
	resolve_rearm(r);
	return q;
}

void
resolve_cancel(struct resolve_query *q)
{
	if (q == NULL)
		return;
	q->cb = NULL;
	/* c-ares cannot drop one lookup: it frees q when it ends it. */
	if (q->in_ares)
		return;
	ev_timer_stop(q->r->loop, &q->later);
	unlink_query(q);
	free(q);
}

struct wait {
	bool		 done;
	struct resolve_result res;
};

static void
wait_cb(void *arg, const struct resolve_result *res)
{
	struct wait *w = arg;

	w->done = true;
	w->res = *res;
}

/* Only wakes the loop: resolve_wait looks at the clock itself. */
static void
wait_timeout_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)t;
	(void)revents;
}

bool
resolve_wait(const char *name, double deadline, struct addr *out, char *why,
    unsigned whylen)
{
	struct ev_loop *loop;
	struct resolver *r = NULL;
	struct wait w = { .done = false };
	struct answer an;
	ev_timer t;
	double left = deadline - clock_mono();
	bool ok = false;

	if ((loop = ev_loop_new(EVFLAG_AUTO)) == NULL) {
		snprintf(why, whylen, "resolve %s: no event loop", name);
		return false;
	}
	if ((r = resolve_new(loop, why, whylen)) == NULL)
		goto out;
	if (resolve_start(r, name, wait_cb, &w) == NULL) {
		snprintf(why, whylen, "resolve %s: out of memory", name);
		goto out;
	}
	ev_timer_init(&t, wait_timeout_cb, left > 0 ? left : 0., 0.);
	ev_timer_start(loop, &t);
	while (!w.done && clock_mono() < deadline)
		if (!ev_run(loop, EVRUN_ONCE))
			break;
	ev_timer_stop(loop, &t);
	if (!w.done)
		snprintf(why, whylen, "resolve %s: no answer within %.0f ms",
		    name, left > 0 ? left * 1000.0 : 0.);
	else if (!w.res.ok)
		snprintf(why, whylen, "resolve %s: %s", name, w.res.why);
	else {
		memset(&an, 0, sizeof(an));
		answer_take(&an, w.res.addrs, w.res.n, w.res.ttl, 0);
		*out = *answer_addr(&an);
		ok = true;
	}
out:
	resolve_free(r);
	ev_loop_destroy(loop);
	return ok;
}
