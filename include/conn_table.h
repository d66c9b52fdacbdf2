#ifndef HEALTHGATE_CONN_TABLE_H
#define HEALTHGATE_CONN_TABLE_H

/*
 * The connection table: who gets a slot, how many each address holds, and
 * which connections have waited too long for a request head.
 *
 * Pure: no sockets and no clock of its own. Every call that needs the time
 * takes "now" in seconds from a monotonic clock (http_server passes
 * clock_mono()), so tests drive it with a fake one. The caller does the
 * I/O: it shuts down the socket of every connection the table cuts.
 *
 * Admission, in order (README's "Admission" says the same to users):
 * 1. an address already holding max_per_ip live connections is refused;
 * 2. under max_open live connections, the newcomer is admitted;
 * 3. full: the oldest connection that has never delivered a complete head,
 *    and is not from a known prober, is evicted for the newcomer; failing
 *    that, the connection idle the longest between requests (same rule);
 * 4. nothing to evict: a known prober is admitted past max_open, into the
 *    reserve; anyone else is refused.
 * A connection with a request in flight is never evicted, nor is a known
 * prober's. The sweep cuts anyone (prober or not) whose head is late.
 */

#include <stdbool.h>

#include "addr.h"
#include "agent.h"

enum conn_state {
	CONN_STATE_WAITING,		/* accepted, no complete head yet */
	CONN_STATE_BUSY,		/* a request between its head and its end */
	CONN_STATE_IDLE,		/* answered; waiting for the next head */
	CONN_STATE_CUT,		/* cut by the table; closing, holds no slot */
};

/* Why a newcomer was refused, for /metrics. */
enum conn_refusal {
	CONN_REFUSED_PER_IP,	/* its address holds max_per_ip already */
	CONN_REFUSED_FULL,	/* table full, nothing evictable */
	CONN_REFUSED_MEMORY,	/* no memory for its entry; nobody evicted */
	CONN_REFUSED_COUNT,
};

/* Why a live connection was cut, for /metrics. */
enum conn_cut {
	CONN_CUT_EVICTED_NO_HEAD,	/* evicted: never sent a whole head */
	CONN_CUT_EVICTED_IDLE,		/* evicted: idle keep-alive */
	CONN_CUT_REQUEST_TIMEOUT,	/* swept: head late after accept */
	CONN_CUT_IDLE_TIMEOUT,		/* swept: next head late after answer */
	CONN_CUT_COUNT,
};

struct conn_limits {
	unsigned	max_open;	/* live connections, in all */
	unsigned	reserve;	/* more, for known probers only */
	unsigned	max_per_ip;	/* live connections from one address */
	double		request_timeout; /* s, accept to complete head */
	double		idle_timeout;	/* s, answer to next head */
};

/*
 * One TCP connection, from admission to the caller's conn_table_remove().
 * The table owns it; handle, route and code are the caller's and the table
 * never reads them.
 */
struct conn {
	struct addr	 client;
	enum conn_state	 state;
	bool		 prober;	/* from a known prober at admission */
	double		 since;		/* admission, or the last answer */
	void		*handle;	/* the caller's (MHD's connection) */
	int		 route;		/* the caller's: current request */
	unsigned	 code;		/* the caller's: status queued for it */
	enum agent_kind	 agent;		/* the caller's: who asks, by its
					   User-Agent (agent.h) */
	int		 hold;		/* the caller's: a held request's stage */
	struct conn	*prev, *next;	/* its state's list, oldest first */
	struct conn	*hnext;		/* its address's hash chain */
};

/* Counts for /metrics and the summary log line. */
struct conn_stats {
	unsigned	open;		/* live: admitted and not cut */
	unsigned long long refused[CONN_REFUSED_COUNT];
	unsigned long long cut[CONN_CUT_COUNT];
};

struct conn_table;

/* Room for max_open + reserve live connections, and as many being cut. */
struct conn_table *conn_table_new(const struct conn_limits *);
void		 conn_table_free(struct conn_table *);

/*
 * Admits a connection from client. Returns its entry, or NULL when it is
 * refused (*why says why). When a slot was freed for it, *victim is the
 * connection evicted (now CONN_STATE_CUT: the caller shuts its socket down), else
 * NULL.
 */
struct conn	*conn_table_admit(struct conn_table *, const struct addr *client,
		    bool prober, double now, struct conn **victim,
		    enum conn_refusal *why);

/*
 * A newcomer was lost before admission for want of memory (the server
 * could not allocate its connection): counted as refused for "memory",
 * and the connection admission would evict, if any, is cut (returned:
 * the caller shuts it down), so memory comes back for the next one.
 */
struct conn	*conn_table_shed(struct conn_table *);

/* A complete head arrived: WAITING or IDLE becomes BUSY. */
void		 conn_table_busy(struct conn_table *, struct conn *);
/* Its request ended at now: BUSY becomes IDLE. */
void		 conn_table_idle(struct conn_table *, struct conn *, double now);

/*
 * The next connection whose head is late at now, marked CONN_STATE_CUT (the
 * caller shuts it down), or NULL when none is. Call until NULL.
 */
struct conn	*conn_table_expired(struct conn_table *, double now);

/* The caller's connection closed: the entry is freed. */
void		 conn_table_remove(struct conn_table *, struct conn *);

/* Calls fn on every live connection. */
void		 conn_table_each(struct conn_table *,
		    void (*fn)(struct conn *, void *), void *);

/* Live connections: admitted and not cut. */
unsigned	 conn_table_open(const struct conn_table *);
void		 conn_table_stats(const struct conn_table *,
		    struct conn_stats *);
const char	*conn_refusal_name(enum conn_refusal);
const char	*conn_cut_name(enum conn_cut);

#endif
