#ifndef HEALTHGATE_STOP_H
#define HEALTHGATE_STOP_H

/*
 * The drain on the loop: what a stop signal starts, and the one moment it
 * ends. drain.c decides (pure); this module feeds it the monotonic time
 * (clock_mono), the served /health answers and the in-flight count, keeps
 * its timer, logs drain_start / prober_done / drain_end / drain_capped /
 * drain_abort, and calls the owner's done() exactly once.
 *
 * What happens after done() is the owner's: the sidecar breaks the loop;
 * a supervisor may linger and then stop its app.
 */

#include <stdbool.h>

#include <ev.h>

#include "addr.h"
#include "drain.h"
#include "quiet.h"

struct stop;

/* How the drain ended, for done(). */
enum stop_end {
	STOP_END_DRAINED,	/* drain_poll said done; see reason */
	STOP_END_ABORTED,	/* a second stop signal while draining */
};

struct stop_hooks {
	/* Put the 503 in place (closing, STOPPING=1, re-render): before
	 * drain_start is logged. */
	void		(*begin)(void *arg);
	/* Requests in flight now: the drain does not end under one. */
	unsigned	(*inflight)(void *arg);
	/* Once: the drain is over. reason is meaningful for DRAINED. */
	void		(*done)(void *arg, enum stop_end, enum drain_state reason);
	void		*arg;
};

struct traffic;

/* What drain.c needs, and what drain_start logs. */
struct stop_params {
	struct traffic	*traffic;	/* the app's ports, or NULL; not owned */
	const struct cidr *ignore;	/* not owned; outlives the stop */
	unsigned	 nignore;
	unsigned	 window_ms;
	unsigned	 fall;
	unsigned	 cap_ms;
};

/* NULL when out of memory. hooks is copied. */
struct stop	*stop_new(struct ev_loop *, const struct stop_params *,
		    const struct stop_hooks *);
void		 stop_free(struct stop *);

/*
 * A stop signal (its name for the log). The first starts the drain; one
 * while draining ends it at once as STOP_END_ABORTED; after done(), none
 * does anything.
 */
void		 stop_signal(struct stop *, const char *signame);

/*
 * A request starts the drain (its path for the log): as the first stop
 * signal does, but one while draining aborts nothing. Returns whether it
 * started the drain now.
 */
bool		 stop_begin(struct stop *, const char *request);
bool		 stop_over(const struct stop *);	/* done() was called */
/* For /admin/status: seconds since the drain began, and to its cap. */
void		 stop_timing(const struct stop *, double *elapsed,
		    double *cap_left);
/* drain_probers() now. */
unsigned	 stop_probers(const struct stop *, struct drain_prober *,
		    unsigned max);

/* A /health answer with this status was served to client, its agent. */
void		 stop_served(struct stop *, const struct addr *client,
		    enum agent_kind agent, unsigned status);

/* Ask again now whether the drain is over (the last request just ended). */
void		 stop_poll(struct stop *);

bool		 stop_draining(const struct stop *);	/* from the signal on */
/* drain_recent() now: client was served /health within `within` s. */
bool		 stop_known_prober(const struct stop *, const struct addr *,
		    double within);

/* For /metrics: the drain's counts now, and the 503s served draining. */
void		 stop_stats(const struct stop *, struct drain_stats *,
		    unsigned long long *drain_503s);

/* While draining on the app's traffic: its figures (true), else false. */
bool		 stop_traffic(const struct stop *, struct quiet_stats *);

#endif
