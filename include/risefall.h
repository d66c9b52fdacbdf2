#ifndef HEALTHGATE_RISEFALL_H
#define HEALTHGATE_RISEFALL_H

/*
 * Rise and fall: a check goes up after "rise" passes in a row and down
 * after "fall" failures in a row. It starts down. Pure.
 */

#include <stdbool.h>

struct risefall {
	bool		up;
	unsigned	streak;		/* results in a row against "up" */
};

/* Feeds one result; returns true when that changed up or down. */
bool	risefall_feed(struct risefall *, bool pass, unsigned rise,
	    unsigned fall);

#endif
