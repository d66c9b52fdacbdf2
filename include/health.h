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

/*
 * Why /health answers what it does, one word for /metrics: the first of
 * these that holds (the body's notes list them all).
 */
enum health_reason {
	HEALTH_REASON_PASS,		/* 200 */
	HEALTH_REASON_APP_EXITED,	/* supervisor mode: the app is gone */
	HEALTH_REASON_DRAINING,		/* SIGTERM: draining */
	HEALTH_REASON_MAINTENANCE,	/* SIGUSR1 until SIGUSR2 */
	HEALTH_REASON_CHECKS_DOWN,	/* a check is down */
	HEALTH_REASON_COUNT,
};

enum health_reason health_reason(const struct health_view *v);
const char	*health_reason_name(enum health_reason);

/* Renders v into an empty b; returns the status code, 200 or 503. */
unsigned	health_render(const struct health_view *v, struct sbuf *b);

#endif
