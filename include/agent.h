#ifndef HEALTHGATE_AGENT_H
#define HEALTHGATE_AGENT_H

/*
 * Who asks for /health, by User-Agent: a router (a load balancer whose
 * verdict decides where requests go) or a prober whose verdict routes
 * nothing. The kubelet's readiness verdict on a terminating pod routes
 * nothing (a terminating endpoint is never ready), nor does monitoring's,
 * a person's curl, or a container's own HEALTHCHECK. The drain sees those,
 * logs them and counts them, and never waits for them. Anything else,
 * a missing User-Agent included (HAProxy sends none), may route. Pure.
 */

#include <stdbool.h>
#include <stddef.h>

enum agent_kind {
	AGENT_ROUTER,		/* unknown or none: may route */
	AGENT_KUBELET,		/* kube-probe/ */
	AGENT_BLACKBOX,		/* Blackbox Exporter/ (Prometheus) */
	AGENT_CURL,		/* curl/ */
	AGENT_WGET,		/* Wget/ */
	AGENT_PROBE,		/* healthgate-probe/, a HEALTHCHECK */
	AGENT_COUNT,
};

/* The kind of a User-Agent value of len bytes (value need not end). */
enum agent_kind	 agent_of(const char *value, size_t len);
bool		 agent_routes(enum agent_kind);
const char	*agent_name(enum agent_kind);	/* for logs and /metrics */

#endif
