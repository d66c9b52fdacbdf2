#ifndef HEALTHGATE_HEALTH_H
#define HEALTHGATE_HEALTH_H

/*
 * The verdict /health serves, and its application/health+json body.
 * Pure: rendered when the state changes, never per request.
 */

#include <stdbool.h>
#include <stddef.h>

#include "sbuf.h"

/* What the body says of one check. */
struct health_check {
	const char	*name;
	bool		 up;
	bool		 warn;		/* severity=warn: down is "warn", not 503 */
	bool		 ran;		/* false before its first result */
	double		 duration_ms;	/* of the last run */
	double		 when;		/* wall time of the last run, epoch s */
	const char	*output;	/* why it fails, or the command's output */
};

/* The draft's fields about the service; each NULL when not given. */
struct health_service {
	const char	*version;	/* "version": the app's public version */
	const char	*release_id;	/* "releaseId": its build or release */
	const char	*service_id;	/* "serviceId" */
	const char	*description;	/* "description" */
};

struct health_view {
	const struct health_service *service;	/* NULL: none given */
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
	HEALTH_REASON_WARN,		/* 200: only severity=warn checks down */
	HEALTH_REASON_APP_EXITED,	/* supervisor mode: the app is gone */
	HEALTH_REASON_DRAINING,		/* SIGTERM: draining */
	HEALTH_REASON_MAINTENANCE,	/* SIGUSR1 until SIGUSR2 */
	HEALTH_REASON_CHECKS_DOWN,	/* a check is down */
	HEALTH_REASON_COUNT,
};

enum health_reason health_reason(const struct health_view *v);
const char	*health_reason_name(enum health_reason);

/*
 * Renders v into an empty b; returns the status code, 200 or 503. The
 * status is "fail" (503) while draining, in maintenance, with the app gone
 * or any severity=fail check down; else "warn" (200) with a warn check
 * down; else "pass".
 */
unsigned	health_render(const struct health_view *v, struct sbuf *b);

/*
 * Why v is not "pass", as the body's notes joined ("draining, 1 of 2
 * checks down"), "" when it is: the gRPC answer's grpc-message.
 */
void		health_why(const struct health_view *v, char *buf,
		    size_t size);

#endif
