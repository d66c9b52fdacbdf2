/*
 * traffic_nl_none.c: traffic_nl.h for a build without libmnl (make
 * MNL=no; scripts/static.sh falls back to it when libmnl's source cannot
 * be fetched). There is no netlink reader: the open is refused, and
 * healthgate says so once at start and drains on probers, as the warning
 * names.
 */
#include <errno.h>
#include <stddef.h>

#include "traffic_nl.h"

struct traffic_nl *
traffic_nl_open(const char **why, int *err)
{
	*why = "this build has no libmnl (make MNL=no)";
	*err = ENOSYS;
	return NULL;
}

void
traffic_nl_close(struct traffic_nl *n)
{
	(void)n;
}

int
traffic_nl_dump(struct traffic_nl *n, const unsigned *ports, unsigned nports,
    traffic_nl_fn *fn, void *arg)
{
	(void)n;
	(void)ports;
	(void)nports;
	(void)fn;
	(void)arg;
	return ENOSYS;
}
