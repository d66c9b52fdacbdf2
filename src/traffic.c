/*
 * traffic.c: the app's inbound TCP sockets through inet_diag (traffic.h).
 *
 * One dump request per address family (an IPv6 socket, v4-mapped ones
 * included, is only in the AF_INET6 dump), every state, with tcp_info
 * asked for. libmnl builds the request, runs the replies through a
 * callback per socket and parses each one's attributes; nothing here
 * walks netlink messages by hand. The kernel filters nothing: the dump of
 * a namespace is every TCP socket in it, and the ports are matched here.
 *
 * The socket is blocking, with a receive timeout as a backstop: a dump is
 * produced inside recvmsg() itself, so it never waits on the network.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>

#include "addr.h"
#include "clock.h"
#include "log.h"
#include "selfconn.h"
#include "traffic.h"

/* The kernel's TCP states (include/net/tcp_states.h, not exported). */
enum traffic_tcp_state {
	TRAFFIC_TCP_ESTABLISHED = 1,
	TRAFFIC_TCP_SYN_RECV = 3,
	TRAFFIC_TCP_TIME_WAIT = 6,
	TRAFFIC_TCP_CLOSE_WAIT = 8,
	TRAFFIC_TCP_LISTEN = 10,
	TRAFFIC_TCP_NEW_SYN_RECV = 12,
};

#define TRAFFIC_TIME_WAIT	60.0	/* s: the kernel's TCP_TIMEWAIT_LEN */
#define TRAFFIC_BUF		(64 * 1024)	/* bytes per read of a dump */
#define TRAFFIC_FALLBACK	"fallback=\"the watched probers and " \
	"--drain-window, then --drain-linger\""

struct traffic {
	struct ev_loop	*loop;
	struct mnl_socket *nl;		/* NULL: could not open (nl_err) */
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
	unsigned	 seq;
	double		 now;		/* of the scan being read */
	bool		 conns;		/* this read hands sockets to quiet */
	char		*buf;		/* TRAFFIC_BUF; owned */
};

static void	traffic_timer_cb(struct ev_loop *, ev_timer *, int);

struct traffic *
traffic_new(struct ev_loop *loop, const unsigned *ports, unsigned nports,
    double quiet, traffic_scanned_fn *scanned, void *arg)
{
	struct traffic *t;
	struct timeval tv = { .tv_sec = 1 };

	if ((t = calloc(1, sizeof(*t))) == NULL)
		goto fail;
	if ((t->quiet = quiet_new(quiet)) == NULL ||
	    (t->buf = malloc(TRAFFIC_BUF)) == NULL)
		goto fail;
	t->loop = loop;
	t->nports = nports < TRAFFIC_MAX_PORTS ? nports : TRAFFIC_MAX_PORTS;
	memcpy(t->ports, ports, t->nports * sizeof(*ports));
	t->scanned = scanned;
	t->arg = arg;
	ev_init(&t->timer, traffic_timer_cb);
	t->timer.data = t;
	if ((t->nl = mnl_socket_open(NETLINK_SOCK_DIAG)) == NULL ||
	    mnl_socket_bind(t->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		t->nl_err = errno;
		if (t->nl)
			mnl_socket_close(t->nl);
		t->nl = NULL;
		return t;
	}
	(void)setsockopt(mnl_socket_get_fd(t->nl), SOL_SOCKET, SO_RCVTIMEO,
	    &tv, sizeof(tv));
	return t;
fail:
	traffic_free(t);
	return NULL;
}

void
traffic_free(struct traffic *t)
{
	if (t == NULL)
		return;
	traffic_halt(t);
	if (t->nl)
		mnl_socket_close(t->nl);
	quiet_free(t->quiet);
	free(t->buf);
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

/* The socket's peer as an address (v4-mapped IPv6 as IPv4). */
static void
traffic_peer(const struct inet_diag_msg *m, struct addr *a)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (m->idiag_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, m->id.idiag_dst, 4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, m->id.idiag_dst, 16);
	}
	addr_from_sockaddr((struct sockaddr *)&ss, a);
}

/* The tcp_info a reply carries, and how much of it this kernel sent. */
struct traffic_info {
	struct tcp_info	 ti;
	size_t		 len;
};

static int
traffic_attr_cb(const struct nlattr *a, void *data)
{
	struct traffic_info *info = data;
	size_t len;

	if (mnl_attr_get_type(a) != INET_DIAG_INFO)
		return MNL_CB_OK;
	len = mnl_attr_get_payload_len(a);
	info->len = len < sizeof(info->ti) ? len : sizeof(info->ti);
	memcpy(&info->ti, mnl_attr_get_payload(a), info->len);
	return MNL_CB_OK;
}

#define TRAFFIC_HAS(info, field) \
	((info)->len >= offsetof(struct tcp_info, field) + \
	    sizeof((info)->ti.field))

/*
 * Whether the app owes an answer on this connection: bytes unread or
 * unsent, or a request in since its last byte out. A connection that
 * never received a byte (a router's spare) owes nothing.
 */
static bool
traffic_pending(const struct inet_diag_msg *m, const struct traffic_info *in)
{
	if (m->idiag_state != TRAFFIC_TCP_ESTABLISHED &&
	    m->idiag_state != TRAFFIC_TCP_CLOSE_WAIT)
		return false;
	if (m->idiag_rqueue > 0 || m->idiag_wqueue > 0)
		return true;
	if (TRAFFIC_HAS(in, tcpi_bytes_received) &&
	    in->ti.tcpi_bytes_received == 0)
		return false;
	if (TRAFFIC_HAS(in, tcpi_bytes_sent) && in->ti.tcpi_bytes_sent == 0)
		return true;
	return in->ti.tcpi_last_data_recv < in->ti.tcpi_last_data_sent;
}

/* When the socket last received a byte, on clock_mono(). */
static double
traffic_last_recv(const struct traffic *t, const struct inet_diag_msg *m,
    const struct traffic_info *in)
{
	double closed;

	switch (m->idiag_state) {
	case TRAFFIC_TCP_TIME_WAIT:
		/* Closed TIME_WAIT ago less what is left of it: its end. */
		closed = t->now - (TRAFFIC_TIME_WAIT -
		    m->idiag_expires / 1000.0);
		return closed < t->now ? closed : t->now;
	case TRAFFIC_TCP_SYN_RECV:
	case TRAFFIC_TCP_NEW_SYN_RECV:
		return t->now;		/* arriving */
	default:
		if (in->len == 0)
			return t->now;
		return t->now - in->ti.tcpi_last_data_recv / 1000.0;
	}
}

static int
traffic_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct traffic *t = data;
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	struct traffic_info info;
	struct addr peer;
	int i;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return MNL_CB_OK;
	if ((i = traffic_port_index(t, ntohs(m->id.idiag_sport))) < 0)
		return MNL_CB_OK;
	if (m->idiag_state == TRAFFIC_TCP_LISTEN) {
		t->listening[i] = true;
		return MNL_CB_OK;
	}
	traffic_peer(m, &peer);
	if (!t->conns || selfconn_is(&peer, ntohs(m->id.idiag_dport)))
		return MNL_CB_OK;
	memset(&info, 0, sizeof(info));
	mnl_attr_parse(nlh, sizeof(*m), traffic_attr_cb, &info);
	/*
	 * Closed before the app listened: the port was some client's
	 * (an ephemeral port, before the app took it), not the app's.
	 */
	if (m->idiag_state == TRAFFIC_TCP_TIME_WAIT &&
	    traffic_last_recv(t, m, &info) < t->seen_at)
		return MNL_CB_OK;
	quiet_conn(t->quiet, (uint64_t)m->id.idiag_cookie[1] << 32 |
	    m->id.idiag_cookie[0], traffic_last_recv(t, m, &info),
	    traffic_pending(m, &info));
	return MNL_CB_OK;
}

/*
 * The kernel's filter for "local port is one of the app's", in inet_diag's
 * bytecode as ss builds it: per port a S_GE and a S_LE test (each an op
 * and a second op whose "no" holds the port), then a jump to the end,
 * which accepts; a test that fails goes on to the next port's block, and
 * past the last one, to the end + 4, which rejects. Without it a dump
 * copies every socket of the namespace, thousands in TIME_WAIT on a busy
 * host (11,000 seen on the build machine: 30 ms a scan). Returns bytes.
 */
static size_t
traffic_filter(const unsigned *ports, unsigned n, struct inet_diag_bc_op *bc)
{
	unsigned len = n * 20 - 4, at = 0;

	for (unsigned i = 0; i < n; i++) {
		bool last = i + 1 == n;
		unsigned next = last ? len + 4 : at + 20;

		bc[0] = (struct inet_diag_bc_op){ INET_DIAG_BC_S_GE, 8,
		    (unsigned short)(next - at) };
		bc[1] = (struct inet_diag_bc_op){ 0, 0,
		    (unsigned short)ports[i] };
		bc[2] = (struct inet_diag_bc_op){ INET_DIAG_BC_S_LE, 8,
		    (unsigned short)(next - at - 8) };
		bc[3] = (struct inet_diag_bc_op){ 0, 0,
		    (unsigned short)ports[i] };
		bc += 4;
		if (!last) {
			bc[0] = (struct inet_diag_bc_op){ INET_DIAG_BC_JMP, 4,
			    (unsigned short)(len - at - 16) };
			bc++;
		}
		at += 20;
	}
	return len;
}

/* One dump of a family's TCP sockets through traffic_msg_cb; 0 or errno. */
static int
traffic_dump(struct traffic *t, int family)
{
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct inet_diag_bc_op bc[TRAFFIC_MAX_PORTS * 5];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	struct inet_diag_req_v2 *r;
	unsigned portid = mnl_socket_get_portid(t->nl);
	ssize_t n;
	int rc;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++t->seq;
	r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
	r->sdiag_family = family;
	r->sdiag_protocol = IPPROTO_TCP;
	r->idiag_states = ~0u;
	r->idiag_ext = 1 << (INET_DIAG_INFO - 1);
	mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, traffic_filter(t->ports,
	    t->nports, bc), bc);
	if (mnl_socket_sendto(t->nl, nlh, nlh->nlmsg_len) < 0)
		return errno;
	do {
		if ((n = mnl_socket_recvfrom(t->nl, t->buf, TRAFFIC_BUF)) < 0)
			return errno;
		rc = mnl_cb_run(t->buf, n, t->seq, portid, traffic_msg_cb, t);
	} while (rc > MNL_CB_STOP);
	return rc < 0 ? errno : 0;
}

/* Both families; 0 or the errno of the first that failed. */
static int
traffic_read(struct traffic *t, bool conns)
{
	int err;

	if (t->nl == NULL)
		return t->nl_err;
	memset(t->listening, 0, sizeof(t->listening));
	t->conns = conns;
	t->now = clock_mono();
	if ((err = traffic_dump(t, AF_INET)) == 0)
		err = traffic_dump(t, AF_INET6);
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
		log_event(LOG_INFO, "traffic_seen", "ports=%s", ports);
		break;
	case TRAFFIC_PARTLY:
		log_event(LOG_WARN, "traffic_unseen", "port=%u ports=%s "
		    "reason=\"no socket listens on it in this network "
		    "namespace\" fallback=\"the other ports' traffic\"",
		    port, ports);
		break;
	case TRAFFIC_NONE:
		log_event(LOG_WARN, "traffic_unseen", "port=%u ports=%s "
		    "reason=\"no socket listens on it in this network "
		    "namespace\" %s", port, ports, fallback);
		break;
	case TRAFFIC_REFUSED:
		log_event(LOG_WARN, "traffic_unseen", "ports=%s reason=\"netlink "
		    "sock_diag: %s\" %s", ports, strerror(err), fallback);
		break;
	}
}

void
traffic_no_ports(void)
{
	log_event(LOG_WARN, "traffic_unseen", "reason=\"no app port: no http "
	    "or tcp check on a local host, and no --app-port\" %s",
	    TRAFFIC_FALLBACK);
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
