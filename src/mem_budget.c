/*
 * mem_budget.c: how many connections fit under the address-space limit
 * (mem_budget.h). The plan is pure; apply reads the limit and the use.
 */
#include <stdio.h>
#include <sys/resource.h>

#include "fd_budget.h"
#include "log.h"
#include "mem_budget.h"
#include "procstat.h"

void
mem_budget_plan(unsigned long long limit, unsigned long long used,
    unsigned per_conn, unsigned want, unsigned headroom,
    struct mem_budget *b)
{
	unsigned long long slots;

	b->max_connections = want;
	b->headroom = headroom;
	b->avail = 0;
	b->lowered = 0;
	if (limit == 0 || per_conn == 0)
		return;
	b->avail = limit > used + MEM_BUDGET_MARGIN ?
	    limit - used - MEM_BUDGET_MARGIN : 0;
	slots = b->avail / per_conn;
	if (slots >= (unsigned long long)want + headroom)
		return;
	fd_budget_split(slots, want, headroom, &b->max_connections,
	    &b->headroom);
	b->lowered = 1;
}

void
mem_budget_apply(unsigned *max_connections, unsigned *headroom,
    unsigned conn_memory)
{
	char why[256];
	struct procstat ps;
	struct rlimit rl;
	struct mem_budget b;

	if (getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
	    !procstat_read(&ps))
		return;
	mem_budget_plan(rl.rlim_cur, (unsigned long long)ps.virtual_bytes,
	    conn_memory + MEM_BUDGET_CONN_OVERHEAD, *max_connections,
	    *headroom, &b);
	if (!b.lowered)
		return;
	snprintf(why, sizeof(why), "address space limit %llu, %llu in use, "
	    "%u a connection", (unsigned long long)rl.rlim_cur,
	    (unsigned long long)ps.virtual_bytes,
	    conn_memory + MEM_BUDGET_CONN_OVERHEAD);
	log_kv(LOG_WARN, "limit", LOG_U("max_connections", *max_connections),
	    LOG_U("lowered_to", b.max_connections),
	    LOG_U("headroom", b.headroom), LOG_Q("reason", why));
	*max_connections = b.max_connections;
	*headroom = b.headroom;
}
