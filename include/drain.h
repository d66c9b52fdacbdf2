#ifndef HEALTHGATE_DRAIN_H
#define HEALTHGATE_DRAIN_H

/*
 * Drain bookkeeping: which load-balancer probers have been asking for
 * /health, and when each of them has seen enough 503s for the drain to end.
 *
 * Pure: no I/O and no clock of its own. Every call takes "now" in seconds
 * from any monotonic clock, so tests drive it with a fake one.
 */

#include <stdbool.h>

#include "addr.h"
#include "agent.h"

#define DRAIN_MAX_PROBERS	512	/* oldest is forgotten when full */
#define DRAIN_MAX_IGNORED	8	/* ignored sources remembered, to warn */

enum drain_state {
	DRAIN_OFF,		/* not started */
	DRAIN_RUNNING,		/* started, waiting for evidence */
	DRAIN_DONE_EVIDENCE,	/* every watched prober saw enough 503s */
	DRAIN_DONE_SILENCE,	/* ...or went silent for the window */
	DRAIN_DONE_IDLE,	/* nobody was watching: nothing to wait for */
	DRAIN_DONE_QUIET,	/* the app's traffic went quiet (and every
				   watched prober saw its 503s) */
	DRAIN_CAPPED,		/* the hard cap ran out first */
};

/* What the app's own traffic says, when it can be seen (traffic.c). */
struct drain_traffic {
	bool		 quiet;		/* quiet.h's rule holds now */
};

/* Counts for logs and /metrics. */
struct drain_stats {
	unsigned	watched;	/* probers seen within the window */
	unsigned	served;		/* ...of which have seen enough 503s */
	unsigned	silent;		/* ...of which went silent instead */
	unsigned	nonrouting;	/* probers that route nothing, seen
					   within the window: never watched */
};

struct drain;

struct drain	*drain_new(const struct cidr *ignore, unsigned nignore,
		    double window, unsigned fall, double cap);
void		 drain_free(struct drain *);

/*
 * A /health answer was served to addr, whose User-Agent is of kind agent;
 * failed when it was a 503. Returns true when that made a watched prober
 * reach its count of 503s, so the caller can log it once. A source is
 * two probers when two kinds ask from it (a node's kubelet and a router
 * on that node): only the one that routes can be watched.
 */
bool		 drain_note(struct drain *, const struct addr *,
		    enum agent_kind agent, bool failed, double now);

/*
 * Whether addr was served /health within the last `within` seconds: a
 * known prober, which the connection table never evicts. Ignored sources
 * are never recorded, so never known.
 */
bool		 drain_recent(const struct drain *, const struct addr *,
		    double within, double now);

void		 drain_start(struct drain *, double now);
bool		 drain_started(const struct drain *);

/*
 * Where the drain stands with inflight requests still open. traffic is
 * NULL when the app's traffic cannot be seen: then the watched probers
 * alone decide (each saw its 503s or went silent; none watched, at once).
 * When it can be seen, the drain also waits for it to go quiet, and with
 * no prober watched the quiet alone decides. While it is DRAIN_RUNNING,
 * *next is the latest time to ask again (a prober may go silent, or the
 * cap may run out, then); traffic's scans ask on their own.
 */
enum drain_state drain_poll(struct drain *, double now, unsigned inflight,
		    const struct drain_traffic *traffic, double *next);
void		 drain_stats(const struct drain *, double now,
		    struct drain_stats *);
const char	*drain_state_name(enum drain_state);

/* One prober as /admin/status shows it. */
enum drain_prober_state {
	DRAIN_PROBER_SEEN,	/* before the drain: watched if it began now */
	DRAIN_PROBER_WAITING,	/* watched: the drain waits for its 503s */
	DRAIN_PROBER_SERVED,	/* watched: was served enough 503s */
	DRAIN_PROBER_SILENT,	/* watched: silent for the window */
};

struct drain_prober {
	struct addr	 addr;
	double		 idle;		/* s since it was last served */
	unsigned	 fails;		/* 503s served since the drain began */
	enum drain_prober_state state;
};

/*
 * The probers that count now: before the drain, those seen within the
 * window; from its start, the watched ones. Fills up to max into out and
 * returns how many there are.
 */
unsigned	 drain_probers(const struct drain *, double now,
		    struct drain_prober *out, unsigned max);
const char	*drain_prober_state_name(enum drain_prober_state);

/*
 * The ignored sources that asked for /health within the window before the
 * drain began (or before now, if it has not): the ones a drain does not
 * wait for although they probe. Fills up to max of them into out and
 * returns how many there are, at most DRAIN_MAX_IGNORED.
 */
unsigned	 drain_ignored(const struct drain *, double now,
		    struct addr *out, unsigned max);

/*
 * The probers that route nothing, seen within the window before the drain
 * began (or before now): up to max of them into out and kinds; returns
 * how many there are, at most DRAIN_MAX_IGNORED.
 */
unsigned	 drain_nonrouting(const struct drain *, double now,
		    struct addr *out, enum agent_kind *kinds, unsigned max);

#endif
