/*
 * risefall.c: hysteresis for check results.
 */
#include "risefall.h"

bool
risefall_feed(struct risefall *rf, bool pass, unsigned rise, unsigned fall)
{
	if (pass == rf->up) {
		rf->streak = 0;
		return false;
	}
	if (++rf->streak < (pass ? rise : fall))
		return false;
	rf->up = pass;
	rf->streak = 0;
	return true;
}
