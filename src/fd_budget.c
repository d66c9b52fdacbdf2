/*
 * fd_budget.c: how many connections fit under the open-file limit
 * (fd_budget.h). The plan is pure; apply reads and raises the limit.
 */
#include <stdio.h>

#include "fd_budget.h"
#include "log.h"

unsigned
fd_budget_reserve(unsigned open_now, const struct check_spec *checks,
    unsigned nchecks)
{
	unsigned n = open_now + FD_BUDGET_OWN;

	for (unsigned i = 0; i < nchecks; i++)
		n += checks[i].kind == CHECK_SPEC_EXEC ? 2 : 1;
	return n;
}


void
fd_budget_plan(rlim_t cur, rlim_t max, unsigned want, unsigned headroom,
    unsigned reserve, struct fd_budget *b)
{
	rlim_t need = (rlim_t)want + headroom + reserve, left;

	b->soft = cur;
	if (cur < need && cur != RLIM_INFINITY)
		b->soft = max == RLIM_INFINITY || max >= need ? need : max;
	b->max_connections = want;
	b->headroom = headroom;
	b->reserve = reserve;
	b->lowered = 0;
	if (b->soft == RLIM_INFINITY || b->soft >= need)
		return;
	left = b->soft > reserve ? b->soft - reserve : 0;
	fd_budget_split(left, want, headroom, &b->max_connections,
	    &b->headroom);
	b->lowered = b->max_connections < want;
}

void
fd_budget_split(unsigned long long slots, unsigned want, unsigned headroom,
    unsigned *max_connections, unsigned *head)
{
	*head = (unsigned)(slots / 4);
	if (*head > headroom)
		*head = headroom;
	if (*head < 1)
		*head = 1;
	*max_connections = slots > *head ? (unsigned)(slots - *head) : 1;
	if (*max_connections > want)
		*max_connections = want;
}

void
fd_budget_apply(unsigned *max_connections, unsigned headroom,
    unsigned reserve, struct fd_budget *b)
{
	char why[256];
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		b->max_connections = *max_connections;
		b->headroom = headroom;
		b->reserve = reserve;
		b->lowered = 0;
		return;
	}
	fd_budget_plan(rl.rlim_cur, rl.rlim_max, *max_connections, headroom,
	    reserve, b);
	if (b->soft != rl.rlim_cur) {
		rl.rlim_cur = b->soft;
		/* Refused (it should not be, up to the hard limit): plan
		 * again for what is really there. */
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0 &&
		    getrlimit(RLIMIT_NOFILE, &rl) == 0)
			fd_budget_plan(rl.rlim_cur, rl.rlim_cur,
			    *max_connections, headroom, reserve, b);
	}
	if (b->lowered) {
		snprintf(why, sizeof(why), "open file limit %llu",
		    (unsigned long long)b->soft);
		log_kv(LOG_WARN, "limit", LOG_U("max_connections",
		    *max_connections), LOG_U("lowered_to", b->max_connections),
		    LOG_U("headroom", b->headroom), LOG_U("reserved",
		    b->reserve), LOG_Q("reason", why));
	}
	*max_connections = b->max_connections;
}
