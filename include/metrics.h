#ifndef HEALTHGATE_METRICS_H
#define HEALTHGATE_METRICS_H

/*
 * The /metrics text (Prometheus exposition format 0.0.4): the counts the
 * HTTP side keeps and the daemon's own gauges, rendered into an sbuf. Pure:
 * it formats what it is given and keeps nothing.
 */

#include <stdbool.h>

#include "conn_table.h"
#include "http_server.h"
#include "sbuf.h"

/* Status codes counted per route. */
#define METRICS_NCODES	6

/* The column of code in a requests row, or -1 when it is not counted. */
int		 metrics_code_index(unsigned code);

/* What the HTTP side counts. */
struct metrics_http {
	const unsigned long long (*requests)[METRICS_NCODES]; /* [route] */
	struct conn_stats conns;
};

/* build_info, requests by route and code, connections and their fates. */
void		 metrics_render_http(struct sbuf *, const struct metrics_http *);

/* The daemon's gauges: drain, maintenance. */
struct metrics_daemon {
	bool		 draining;
	bool		 maintenance;
	unsigned long long drain_503s;	/* 503s served while draining */
	unsigned	 watched;	/* probers the drain waits for */
};

void		 metrics_render_daemon(struct sbuf *,
		    const struct metrics_daemon *);

#endif
