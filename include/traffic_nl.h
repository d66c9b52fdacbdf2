#ifndef HEALTHGATE_TRAFFIC_NL_H
#define HEALTHGATE_TRAFFIC_NL_H

/*
 * The netlink side of traffic.c: one NETLINK_SOCK_DIAG socket, and dumps
 * of the TCP sockets (both families) whose local port is one of a list,
 * each handed over as a struct traffic_sock. libmnl builds the requests,
 * runs the replies and parses their attributes (traffic_nl.c). A build
 * without libmnl (make MNL=no, which scripts/static.sh falls back to when
 * libmnl's source cannot be fetched) links traffic_nl_none.c instead,
 * whose open says so: healthgate then warns once and drains on probers.
 */

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

/* The kernel's TCP states (include/net/tcp_states.h, not exported). */
enum traffic_nl_state {
	TRAFFIC_NL_ESTABLISHED = 1,
	TRAFFIC_NL_SYN_RECV = 3,
	TRAFFIC_NL_TIME_WAIT = 6,
	TRAFFIC_NL_CLOSE_WAIT = 8,
	TRAFFIC_NL_LISTEN = 10,
	TRAFFIC_NL_NEW_SYN_RECV = 12,
};

/* One socket of a dump. */
struct traffic_sock {
	int		 state;		/* enum traffic_nl_state, or another */
	unsigned	 sport, dport;	/* host order */
	struct addr	 peer;		/* v4-mapped IPv6 as IPv4 */
	uint64_t	 cookie;	/* the kernel's, unique per socket */
	unsigned	 rqueue, wqueue;	/* bytes unread, unsent */
	unsigned	 expires_ms;	/* TIME_WAIT: what is left of it */
	bool		 info;		/* tcp_info came with it: */
	uint32_t	 last_data_recv, last_data_sent;	/* ms ago */
	bool		 counts;	/* ...and its byte counts (4.19+): */
	uint64_t	 bytes_received, bytes_sent;
};

typedef void	 traffic_nl_fn(void *arg, const struct traffic_sock *);

struct traffic_nl;

/* NULL with *why (static text) or *err (an errno) when refused. */
struct traffic_nl *traffic_nl_open(const char **why, int *err);
void		 traffic_nl_close(struct traffic_nl *);

/* Every TCP socket on one of ports, to fn; 0, or the errno that ended it. */
int		 traffic_nl_dump(struct traffic_nl *, const unsigned *ports,
		    unsigned nports, traffic_nl_fn *, void *arg);

#endif
