/*
 * traffic.c: the app's inbound TCP sockets, read while draining (traffic.h).
 *
 * traffic_nl.c brings the sockets on the app's ports (inet_diag through
 * libmnl); here a scan sorts them: a listener says the port is visible,
 * a connection whose peer is one of healthgate's checks is left out, and
 * every other one goes to quiet.c with its last byte and whether it owes
 * an answer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "clock.h"
#include "log.h"
#include "selfconn.h"
#include "traffic.h"
#include "traffic_nl.h"

#define TRAFFIC_TIME_WAIT	60.0	/* s: the kernel's TCP_TIMEWAIT_LEN */
#define TRAFFIC_FALLBACK	"the watched probers and --drain-window, " \
	"then --drain-linger"

struct traffic {
	struct ev_loop	*loop;
	struct traffic_nl *nl;		/* NULL: refused (nl_why, nl_err) */
	const char	*nl_why;
	int		 nl_err;
	unsigned	 ports[TRAFFIC_MAX_PORTS];
	unsigned	 nports;
	bool		 listening[TRAFFIC_MAX_PORTS];	/* in this scan */
	bool		 seen;		/* a listener, at a probe or a scan */
	double		 seen_at;	/* ...first, on clock_mono() */
	struct quiet	*quiet;		/* owned */
	bool		 started;
	bool		 told;		/* what was found is logged (once) */
	ev_timer	 timer;		/* the next scan, while draining */
	traffic_scanned_fn *scanned;
	void		*arg;
	double		 now;		/* of the scan being read */
	bool		 conns;		/* this read hands sockets to quiet */
};

static void	traffic_timer_cb(struct ev_loop *, ev_timer *, int);

struct traffic *
traffic_new(struct ev_loop *loop, const unsigned *ports, unsigned nports,
    double quiet, traffic_scanned_fn *scanned, void *arg)
{
	struct traffic *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->quiet = quiet_new(quiet)) == NULL) {
		free(t);
		return NULL;
	}
	t->loop = loop;
	t->nports = nports < TRAFFIC_MAX_PORTS ? nports : TRAFFIC_MAX_PORTS;
	memcpy(t->ports, ports, t->nports * sizeof(*ports));
	t->scanned = scanned;
	t->arg = arg;
	ev_init(&t->timer, traffic_timer_cb);
	t->timer.data = t;
	/* Refused is no failure here: traffic_look() says so, once. */
	t->nl = traffic_nl_open(&t->nl_why, &t->nl_err);
	return t;
}

void
traffic_free(struct traffic *t)
{
	if (t == NULL)
		return;
	traffic_halt(t);
	traffic_nl_close(t->nl);
	quiet_free(t->quiet);
	free(t);
}

static int
traffic_port_index(const struct traffic *t, unsigned port)
{
	for (unsigned i = 0; i < t->nports; i++)
		if (t->ports[i] == port)
			return (int)i;
	return -1;
}

/*
 * Whether the app owes an answer on this connection: bytes unread or
 * unsent, or a request in since its last byte out. A connection that
 * never received a byte (a router's spare) owes nothing.
 */
static bool
traffic_pending(const struct traffic_sock *so)
{
	if (so->state != TRAFFIC_NL_ESTABLISHED &&
	    so->state != TRAFFIC_NL_CLOSE_WAIT)
		return false;
	if (so->rqueue > 0 || so->wqueue > 0)
		return true;
	if (so->counts && so->bytes_received == 0)
		return false;
	if (so->counts && so->bytes_sent == 0)
		return true;
	return so->info && so->last_data_recv < so->last_data_sent;
}

/* When the socket last received a byte, on clock_mono(). */
static double
traffic_last_recv(const struct traffic *t, const struct traffic_sock *so)
{
	double closed;

	switch (so->state) {
	case TRAFFIC_NL_TIME_WAIT:
		/* Closed TIME_WAIT ago less what is left of it: its end. */
		closed = t->now - (TRAFFIC_TIME_WAIT - so->expires_ms / 1000.0);
		return closed < t->now ? closed : t->now;
	case TRAFFIC_NL_SYN_RECV:
	case TRAFFIC_NL_NEW_SYN_RECV:
		return t->now;		/* arriving */
	default:
		if (!so->info)
			return t->now;
		return t->now - so->last_data_recv / 1000.0;
	}
}

/* One socket of a dump: a listener, ours, or the app's traffic. */
static void
traffic_sock_cb(void *arg, const struct traffic_sock *so)
{
	struct traffic *t = arg;
	double last;
	int i;

	if ((i = traffic_port_index(t, so->sport)) < 0)
		return;
	if (so->state == TRAFFIC_NL_LISTEN) {
		t->listening[i] = true;
		return;
	}
	if (!t->conns || selfconn_is(&so->peer, so->dport))
		return;
	last = traffic_last_recv(t, so);
	/*
	 * Closed before the app listened: the port was some client's
	 * (an ephemeral port, before the app took it), not the app's.
	 */
	if (so->state == TRAFFIC_NL_TIME_WAIT && last < t->seen_at)
		return;
	quiet_conn(t->quiet, so->cookie, last, traffic_pending(so));
}

/* Both families; 0 or the errno of the first that failed. */
static int
traffic_read(struct traffic *t, bool conns)
{
	int err;

	if (t->nl == NULL)
		return t->nl_err ? t->nl_err : ENOSYS;
	memset(t->listening, 0, sizeof(t->listening));
	t->conns = conns;
	t->now = clock_mono();
	err = traffic_nl_dump(t->nl, t->ports, t->nports, traffic_sock_cb, t);
	for (unsigned i = 0; i < t->nports && err == 0; i++) {
		if (t->listening[i] && !t->seen)
			t->seen_at = t->now;
		t->seen |= t->listening[i];
	}
	return err;
}

enum traffic_seen
traffic_probe(struct traffic *t, unsigned *port, int *err)
{
	unsigned n = 0;
	bool first = true;

	if ((*err = traffic_read(t, false)) != 0)
		return TRAFFIC_REFUSED;
	for (unsigned i = 0; i < t->nports; i++) {
		if (t->listening[i]) {
			n++;
		} else if (first) {
			*port = t->ports[i];
			first = false;
		}
	}
	return n == t->nports ? TRAFFIC_SEEN : n ? TRAFFIC_PARTLY :
	    TRAFFIC_NONE;
}

/*
 * Says once what the app's ports show: traffic_seen, or one warning that
 * names the port and the fallback, so that a drain that cannot see the
 * app's traffic is never a silent difference.
 */
static void
traffic_tell(struct traffic *t, enum traffic_seen seen, unsigned port,
    int err)
{
	char why[256];
	char ports[TRAFFIC_MAX_PORTS * 6 + 1] = "";
	const char *fallback = TRAFFIC_FALLBACK;

	if (t->told)
		return;
	t->told = true;
	for (unsigned i = 0; i < t->nports; i++)
		snprintf(ports + strlen(ports), sizeof(ports) - strlen(ports),
		    "%s%u", i ? "," : "", t->ports[i]);
	switch (seen) {
	case TRAFFIC_SEEN:
		log_kv(LOG_INFO, "traffic_seen", LOG_S("ports", ports));
		break;
	case TRAFFIC_PARTLY:
		log_kv(LOG_WARN, "traffic_unseen", LOG_U("port", port),
		    LOG_S("ports", ports), LOG_Q("reason", "no socket listens "
		    "on it in this network namespace"),
		    LOG_Q("fallback", "the other ports' traffic"));
		break;
	case TRAFFIC_NONE:
		log_kv(LOG_WARN, "traffic_unseen", LOG_U("port", port),
		    LOG_S("ports", ports), LOG_Q("reason", "no socket listens "
		    "on it in this network namespace"),
		    LOG_Q("fallback", fallback));
		break;
	case TRAFFIC_REFUSED:
		snprintf(why, sizeof(why), "netlink sock_diag: %s",
		    t->nl == NULL && t->nl_why ? t->nl_why : strerror(err));
		log_kv(LOG_WARN, "traffic_unseen", LOG_S("ports", ports),
		    LOG_Q("reason", why), LOG_Q("fallback", fallback));
		break;
	}
}

void
traffic_no_ports(void)
{
	log_kv(LOG_WARN, "traffic_unseen", LOG_Q("reason", "no app port: no "
	    "http, tcp or tls check on a local host, and no --app-port"),
	    LOG_Q("fallback", TRAFFIC_FALLBACK));
}

void
traffic_look(struct traffic *t)
{
	unsigned port = 0;
	int err = 0;
	enum traffic_seen seen = traffic_probe(t, &port, &err);

	traffic_tell(t, seen, port, err);
}

/*
 * One scan into quiet.c; false when netlink failed, and then quiet.c
 * keeps the last scan's connections rather than take them for gone.
 */
static bool
traffic_scan(struct traffic *t)
{
	quiet_scan_begin(t->quiet);
	if (traffic_read(t, true) != 0)
		return false;
	quiet_scan_end(t->quiet, t->now);
	return true;
}

static void
traffic_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct traffic *t = w->data;

	(void)loop;
	(void)revents;
	/* A failed scan changes nothing; the cap still ends the drain. */
	(void)traffic_scan(t);
	t->scanned(t->arg);
}

bool
traffic_start(struct traffic *t, double now)
{
	if (t->started)
		return true;
	/* Not looked at before (the app never came up): say it now. */
	if (!t->told)
		traffic_look(t);
	if (t->nl == NULL || !traffic_scan(t) || !t->seen)
		return false;
	quiet_start(t->quiet, now);
	t->started = true;
	ev_timer_set(&t->timer, TRAFFIC_EVERY, TRAFFIC_EVERY);
	ev_timer_start(t->loop, &t->timer);
	return true;
}

void
traffic_halt(struct traffic *t)
{
	ev_timer_stop(t->loop, &t->timer);
}

const struct quiet *
traffic_quiet(const struct traffic *t)
{
	return t->started ? t->quiet : NULL;
}
