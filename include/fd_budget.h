#ifndef HEALTHGATE_FD_BUDGET_H
#define HEALTHGATE_FD_BUDGET_H

/*
 * Descriptors for connections: each one is a descriptor, and so is each
 * connection accepted over the limit before it is closed (the headroom
 * libmicrohttpd's own limit keeps above ours). The open-file limit must
 * hold both, plus the reserve: what healthgate holds itself, counted when
 * the budget is made, FD_BUDGET_OWN for what it opens after (listeners,
 * libmicrohttpd's epoll, the signal pipe, the resolver's sockets, the
 * traffic reader's netlink socket), and one per socket check (tcp, tls,
 * http, grpc) or two per exec check (its output pipe, both ends while it
 * starts). When the limit is below even that, accept.c pauses instead of
 * spinning. Not counted: the gRPC port's connections, which have a
 * table and a max_connections of their own (grpc_server.h).
 */

#include <sys/resource.h>

#include "check_spec.h"

#define FD_BUDGET_OWN		16

struct fd_budget {
	rlim_t		 soft;		/* the soft limit to ask for */
	unsigned	 max_connections;	/* what fits */
	unsigned	 headroom;	/* MHD's limit above it */
	unsigned	 reserve;	/* for healthgate and its checks */
	int		 lowered;	/* max_connections is below the wish */
};

/*
 * Pure: slots too few for want connections and headroom more, shared
 * 3/4 to connections (at least 1, at most want) and 1/4 to the headroom
 * (at least 1, at most headroom). mem_budget.c shares memory so too.
 */
void		fd_budget_split(unsigned long long slots, unsigned want,
	    unsigned headroom, unsigned *max_connections, unsigned *head);

/*
 * Pure: the reserve for a daemon holding open_now descriptors with these
 * checks.
 */
unsigned	fd_budget_reserve(unsigned open_now,
	    const struct check_spec *checks, unsigned nchecks);


/*
 * Pure: what fits under the limits cur/max for `want` connections with
 * `headroom` more over `reserve`. Raises the soft limit as far as the
 * hard one allows; when even that is short, three quarters of what is
 * left over the reserve go to connections and a quarter to the headroom,
 * each at least 1. Never wraps.
 */
void	fd_budget_plan(rlim_t cur, rlim_t max, unsigned want,
	    unsigned headroom, unsigned reserve, struct fd_budget *);

/*
 * Applies the plan to this process (setrlimit) and logs once, as
 * `limit`, when max_connections had to be lowered. Returns the budget to
 * hand to the server. *max_connections is updated.
 */
void	fd_budget_apply(unsigned *max_connections, unsigned headroom,
	    unsigned reserve, struct fd_budget *);

#endif
