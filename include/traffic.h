#ifndef HEALTHGATE_TRAFFIC_H
#define HEALTHGATE_TRAFFIC_H

/*
 * The app's own inbound TCP traffic on its ports, read from the kernel
 * through NETLINK_SOCK_DIAG (inet_diag, with libmnl) in healthgate's
 * network namespace, which is the app's in every setup that matters (a
 * Kubernetes pod, an ECS awsvpc task, Compose network_mode: service:,
 * supervisor mode). No privilege is needed: any process may read the
 * sockets of its own namespace, as `ss -ti` does.
 *
 * What one scan reads: whether a socket listens on each app port; every
 * other socket on those ports (established, closing, TIME_WAIT, half-open)
 * with its cookie, when it last received a byte (tcpi_last_data_recv),
 * and whether it owes an answer; connections whose peer is one of
 * healthgate's own checks (selfconn.h) are left out. quiet.c decides from
 * the scans.
 *
 * Scans run only while draining, every TRAFFIC_EVERY seconds, on one
 * relative ev_timer: a healthy healthgate never wakes for them. Outside a
 * drain, traffic_probe() reads the listeners once, to say at start when
 * the evidence cannot be had.
 */

#include <stdbool.h>
#include <stddef.h>

#include <ev.h>

#include "quiet.h"

#define TRAFFIC_MAX_PORTS	16
/*
 * s between scans while draining. The figures the drain ends on are
 * fractions of a second (QUIET_MIN is 0.5 s): five scans in it keep its
 * error under a fifth. A scan of a few hundred sockets costs tens of
 * microseconds of kernel time; ten a second for at most the cap.
 */
#define TRAFFIC_EVERY		0.1

/* What traffic_probe() found. */
enum traffic_seen {
	TRAFFIC_SEEN,		/* a listener on every app port */
	TRAFFIC_PARTLY,		/* on some ports, not all: *port one not */
	TRAFFIC_NONE,		/* no listener on any: *port the first */
	TRAFFIC_REFUSED,	/* netlink refused: *err says why */
};

/* After every scan while draining: look at traffic_quiet() again. */
typedef void	 traffic_scanned_fn(void *arg);

struct traffic;

/*
 * ports (copied) are the app's; quiet > 0 fixes the quiet period (s).
 * NULL when out of memory. A netlink socket that cannot be opened is no
 * failure here: traffic_probe() says TRAFFIC_REFUSED.
 */
struct traffic	*traffic_new(struct ev_loop *, const unsigned *ports,
		    unsigned nports, double quiet, traffic_scanned_fn *,
		    void *arg);
void		 traffic_free(struct traffic *);

/* One read of the listeners now; *port or *err as the result says. */
enum traffic_seen traffic_probe(struct traffic *, unsigned *port, int *err);

/*
 * traffic_probe(), and the first time, one line: traffic_seen, or a
 * traffic_unseen warning naming the port (or netlink's refusal) and the
 * fallback. Called once the app is up (the first healthy verdict), and by
 * traffic_start() if it never was.
 */
void		 traffic_look(struct traffic *);

/* The same warning, at start, when no app port is known at all. */
void		 traffic_no_ports(void);

/*
 * The drain began at now: a scan now (the history before the stop), then
 * one every TRAFFIC_EVERY until traffic_halt(). Whether the traffic is
 * evidence: netlink answered and a listener was seen, now or at a probe.
 */
bool		 traffic_start(struct traffic *, double now);
void		 traffic_halt(struct traffic *);

/* The quiet rule's state, for the drain (NULL before traffic_start). */
const struct quiet *traffic_quiet(const struct traffic *);

#endif
