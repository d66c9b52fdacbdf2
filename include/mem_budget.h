#ifndef HEALTHGATE_MEM_BUDGET_H
#define HEALTHGATE_MEM_BUDGET_H

/*
 * Connections under an address-space limit (RLIMIT_AS, prlimit --as):
 * each libmicrohttpd connection holds its --conn-memory pool and its
 * bookkeeping (measured: 2,703 bytes of address space a connection at the
 * default 2048, BENCHMARKS.md's 2.6 KiB), refused and cut ones too until
 * they are closed. Without a bound a flood of half-open connections took
 * all the memory before the table filled, so admission never evicted and
 * a new address's /health was reset, unlogged. With one, the table is
 * full first and evicts the oldest waiting connection, as under a low
 * open-file limit.
 */

#define MEM_BUDGET_CONN_OVERHEAD 1024	/* bytes a connection over its pool */
#define MEM_BUDGET_MARGIN	(128u * 1024)	/* the checks, bodies, resolver */

struct mem_budget {
	unsigned	 max_connections;	/* what fits */
	unsigned	 headroom;		/* MHD's limit above it */
	unsigned long long avail;		/* bytes for connections */
	int		 lowered;		/* either had to come down */
};

/*
 * Pure: what fits of want connections plus headroom, each costing
 * per_conn bytes, when used of limit bytes of address space are taken
 * (limit 0: none). Short, a quarter of the slots goes to the headroom and
 * the rest to connections, each at least 1.
 */
void	mem_budget_plan(unsigned long long limit, unsigned long long used,
	    unsigned per_conn, unsigned want, unsigned headroom,
	    struct mem_budget *);

/*
 * Applies it to this process (RLIMIT_AS, the address space in use now)
 * and logs `limit` once when it had to lower. *max_connections and
 * *headroom are updated.
 */
void	mem_budget_apply(unsigned *max_connections, unsigned *headroom,
	    unsigned conn_memory);

#endif
