/*
 * traffic_nl.c: the app's sockets through NETLINK_SOCK_DIAG, with libmnl
 * (traffic_nl.h).
 *
 * One dump request per address family (an IPv6 socket, v4-mapped ones
 * included, is only in the AF_INET6 dump), every state, with tcp_info
 * asked for and a bytecode filter on the local port. libmnl builds the
 * request, runs the replies through a callback per socket and parses each
 * one's attributes; nothing here walks netlink messages by hand.
 *
 * The socket is blocking, with a receive timeout as a backstop: a dump is
 * produced inside recvmsg() itself, so it never waits on the network.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>

#include "traffic_nl.h"

#define TRAFFIC_NL_BUF		(64 * 1024)	/* bytes per read of a dump */
#define TRAFFIC_NL_MAX_PORTS	16

struct traffic_nl {
	struct mnl_socket *nl;		/* owned */
	unsigned	 seq;
	char		*buf;		/* TRAFFIC_NL_BUF; owned */
	traffic_nl_fn	*fn;		/* of the dump being read */
	void		*arg;
};

struct traffic_nl *
traffic_nl_open(const char **why, int *err)
{
	struct traffic_nl *n;
	struct timeval tv = { .tv_sec = 1 };

	*why = NULL;
	if ((n = calloc(1, sizeof(*n))) == NULL ||
	    (n->buf = malloc(TRAFFIC_NL_BUF)) == NULL) {
		*err = ENOMEM;
		goto fail;
	}
	if ((n->nl = mnl_socket_open(NETLINK_SOCK_DIAG)) == NULL ||
	    mnl_socket_bind(n->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		*err = errno;
		goto fail;
	}
	(void)setsockopt(mnl_socket_get_fd(n->nl), SOL_SOCKET, SO_RCVTIMEO,
	    &tv, sizeof(tv));
	return n;
fail:
	traffic_nl_close(n);
	return NULL;
}

void
traffic_nl_close(struct traffic_nl *n)
{
	if (n == NULL)
		return;
	if (n->nl)
		mnl_socket_close(n->nl);
	free(n->buf);
	free(n);
}

/* The socket's peer as an address (v4-mapped IPv6 as IPv4). */
static void
traffic_nl_peer(const struct inet_diag_msg *m, struct addr *a)
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
struct traffic_nl_info {
	struct tcp_info	 ti;
	size_t		 len;
};

static int
traffic_nl_attr_cb(const struct nlattr *a, void *data)
{
	struct traffic_nl_info *info = data;
	size_t len;

	if (mnl_attr_get_type(a) != INET_DIAG_INFO)
		return MNL_CB_OK;
	len = mnl_attr_get_payload_len(a);
	info->len = len < sizeof(info->ti) ? len : sizeof(info->ti);
	memcpy(&info->ti, mnl_attr_get_payload(a), info->len);
	return MNL_CB_OK;
}

#define TRAFFIC_NL_HAS(info, field) \
	((info)->len >= offsetof(struct tcp_info, field) + \
	    sizeof((info)->ti.field))

static int
traffic_nl_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct traffic_nl *n = data;
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	struct traffic_nl_info info;
	struct traffic_sock so;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return MNL_CB_OK;
	memset(&info, 0, sizeof(info));
	mnl_attr_parse(nlh, sizeof(*m), traffic_nl_attr_cb, &info);
	memset(&so, 0, sizeof(so));
	so.state = m->idiag_state;
	so.sport = ntohs(m->id.idiag_sport);
	so.dport = ntohs(m->id.idiag_dport);
	traffic_nl_peer(m, &so.peer);
	so.cookie = (uint64_t)m->id.idiag_cookie[1] << 32 |
	    m->id.idiag_cookie[0];
	so.rqueue = m->idiag_rqueue;
	so.wqueue = m->idiag_wqueue;
	so.expires_ms = m->idiag_expires;
	if ((so.info = info.len > 0)) {
		so.last_data_recv = info.ti.tcpi_last_data_recv;
		so.last_data_sent = info.ti.tcpi_last_data_sent;
	}
	if ((so.counts = TRAFFIC_NL_HAS(&info, tcpi_bytes_sent))) {
		so.bytes_received = info.ti.tcpi_bytes_received;
		so.bytes_sent = info.ti.tcpi_bytes_sent;
	}
	n->fn(n->arg, &so);
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
traffic_nl_filter(const unsigned *ports, unsigned n, struct inet_diag_bc_op *bc)
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

/* One dump of a family's TCP sockets through traffic_nl_msg_cb. */
static int
traffic_nl_family(struct traffic_nl *t, const unsigned *ports,
    unsigned nports, int family)
{
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct inet_diag_bc_op bc[TRAFFIC_NL_MAX_PORTS * 5];
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
	mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, traffic_nl_filter(ports, nports,
	    bc), bc);
	if (mnl_socket_sendto(t->nl, nlh, nlh->nlmsg_len) < 0)
		return errno;
	do {
		if ((n = mnl_socket_recvfrom(t->nl, t->buf, TRAFFIC_NL_BUF)) < 0)
			return errno;
		rc = mnl_cb_run(t->buf, n, t->seq, portid, traffic_nl_msg_cb,
		    t);
	} while (rc > MNL_CB_STOP);
	return rc < 0 ? errno : 0;
}

int
traffic_nl_dump(struct traffic_nl *n, const unsigned *ports, unsigned nports,
    traffic_nl_fn *fn, void *arg)
{
	int err;

	if (nports == 0)
		return 0;	/* no port, no socket of the app's */
	if (nports > TRAFFIC_NL_MAX_PORTS)
		nports = TRAFFIC_NL_MAX_PORTS;
	n->fn = fn;
	n->arg = arg;
	if ((err = traffic_nl_family(n, ports, nports, AF_INET)) == 0)
		err = traffic_nl_family(n, ports, nports, AF_INET6);
	return err;
}
