#ifndef HEALTHGATE_FD_BUDGET_H
#define HEALTHGATE_FD_BUDGET_H

/*
 * Descriptors for connections: each one is a descriptor, and so is each
 * connection accepted over the limit before it is closed (the headroom
 * libmicrohttpd's own limit keeps above ours). The open-file limit must
 * hold both, plus FD_BUDGET_RESERVE for the listener, the loop, the
 * notify socket and the checks' sockets and pipes.
 */

#include <sys/resource.h>

#define FD_BUDGET_RESERVE	64

struct fd_budget {
	rlim_t		 soft;		/* the soft limit to ask for */
	unsigned	 max_connections;	/* what fits */
	unsigned	 headroom;	/* MHD's limit above it */
	int		 lowered;	/* max_connections is below the wish */
};

/*
 * Pure: what fits under the limits cur/max for `want` connections with
 * `headroom` more. Raises the soft limit as far as the hard one allows;
 * when even that is short, three quarters of what is left over the
 * reserve go to connections and a quarter to the headroom, each at
 * least 1. Never wraps.
 */
void	fd_budget_plan(rlim_t cur, rlim_t max, unsigned want,
	    unsigned headroom, struct fd_budget *);

/*
 * Applies the plan to this process (setrlimit) and logs once, as
 * `limit`, when max_connections had to be lowered. Returns the budget to
 * hand to the server. *max_connections is updated.
 */
void	fd_budget_apply(unsigned *max_connections, unsigned headroom,
	    struct fd_budget *);

#endif
