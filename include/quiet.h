#ifndef HEALTHGATE_QUIET_H
#define HEALTHGATE_QUIET_H

/*
 * When the app's own traffic has stopped: the rule behind the drain's
 * "quiet" end. Pure: traffic.c reads the app's sockets and hands each scan
 * in here (a cookie per connection, when it last received a byte, whether
 * it still owes an answer); every call takes "now" in seconds from one
 * monotonic clock, so tests drive it with a fake one.
 *
 * Quiet means: no connection owes an answer, and nothing arrived (a new
 * connection, or bytes on one) for the quiet period, counted from the
 * drain's start at the earliest. The period is --drain-quiet when given;
 * otherwise it is derived from the arrivals seen (the connections' last
 * bytes at the stop, then every arrival while draining), within bounds:
 *
 *   no arrival in the last QUIET_HORIZON s   QUIET_MIN (an idle app)
 *   one arrival                              QUIET_MAX (one request says
 *                                            nothing of the next)
 *   n arrivals, n - 1 gaps summing to T      QUIET_MEAN_FACTOR x the mean
 *                                            gap's 95 % upper bound,
 *                                            2T / chi2(0.05, 2(n - 1)), or
 *                                            QUIET_GAP_FACTOR x the
 *                                            longest gap, whichever is
 *                                            longer, within the bounds
 *
 * The bound makes a few arrivals weak evidence of a fast rate and many
 * strong: for n = 2 it is 19 x the one gap seen, for n = 10 twice the mean.
 */

#include <stdbool.h>
#include <stdint.h>

#define QUIET_MIN		0.5	/* s: floor of a derived period */
#define QUIET_MAX		10.0	/* s: ceiling of a derived period */
#define QUIET_MEAN_FACTOR	6.0	/* at random: a gap 6 means long, 0.25 % */
#define QUIET_GAP_FACTOR	2.0	/* bursts: twice the longest gap */
#define QUIET_HORIZON		60.0	/* s: older arrivals say nothing */
#define QUIET_ARRIVALS		64	/* the most recent ones kept */
#define QUIET_JITTER		0.02	/* s: a last byte read twice moves
					   this much from jiffies alone */
#define QUIET_MAX_CONNS		16384	/* connections followed at once */

struct quiet;

/* fixed > 0: that period, never derived. NULL when out of memory. */
struct quiet	*quiet_new(double fixed);
void		 quiet_free(struct quiet *);

/*
 * One scan of the app's connections: begin, one quiet_conn per connection
 * seen, end. last_recv is when it last received a byte (or was opened, if
 * it never did), on the caller's clock; pending: it holds bytes not yet
 * answered (read or unread), so the app still owes something on it.
 * A connection missing from a scan is gone. The first scan is the
 * history from before the stop: each connection's last byte is one
 * arrival. After it, a new connection or a last byte that moved is one.
 */
void		 quiet_scan_begin(struct quiet *);
void		 quiet_conn(struct quiet *, uint64_t cookie, double last_recv,
		    bool pending);
void		 quiet_scan_end(struct quiet *, double now);

/* The drain began at start: quiet is counted from then at the earliest. */
void		 quiet_start(struct quiet *, double start);

/*
 * Whether it is quiet now. When not, *at is when it would be with the
 * period as it stands (it grows while nothing arrives), or now, while an
 * answer is owed.
 */
bool		 quiet_poll(const struct quiet *, double now, double *at);

/* The quiet period at now (seconds). */
double		 quiet_period(const struct quiet *, double now);

struct quiet_stats {
	unsigned	 conns;		/* connections in the last scan */
	unsigned	 pending;	/* ...of which owe an answer */
	unsigned	 arrivals;	/* arrivals within the horizon */
	double		 since_recv;	/* s since the last arrival; < 0: none */
	double		 period;	/* the quiet period now */
};

void		 quiet_stats(const struct quiet *, double now,
		    struct quiet_stats *);

#endif
