#ifndef HEALTHGATE_HEALTH_H
#define HEALTHGATE_HEALTH_H

/*
 * The verdict /health serves, and its application/health+json body.
 * Pure: rendered when the state changes, never per request.
 */

#include <stdbool.h>

#include "sbuf.h"

/* What the body says of one check. */
struct health_check {
	const char	*name;
	bool		 up;
	bool		 ran;		/* false before its first result */
	double		 duration_ms;	/* of the last run */
	double		 when;		/* wall time of the last run, epoch s */
	const char	*output;	/* why it fails, or the command's output */
};

struct health_view {
	bool		 draining;
	bool		 maintenance;
	bool		 app_gone;	/* supervisor mode: the app exited */
	const struct health_check *checks;
	unsigned	 nchecks;
};

/* Renders v into an empty b; returns the status code, 200 or 503. */
unsigned	health_render(const struct health_view *v, struct sbuf *b);

#endif
