#ifndef HEALTHGATE_METRICS_H
#define HEALTHGATE_METRICS_H

/*
 * The /metrics text (Prometheus exposition format 0.0.4): the counts the
 * HTTP side keeps, the daemon's own gauges and the checks' figures,
 * rendered into an sbuf. Pure: it formats what it is given and keeps
 * nothing.
 */

#include <stdbool.h>

#include "conn_table.h"
#include "grpc_server.h"
#include "health.h"
#include "http_server.h"
#include "procstat.h"
#include "sbuf.h"

/* Status codes counted per route. */
#define METRICS_NCODES	8

/* The column of code in a requests row, or -1 when it is not counted. */
int		 metrics_code_index(unsigned code);

/* What the HTTP side counts. */
struct metrics_http {
	const unsigned long long (*requests)[METRICS_NCODES]; /* [route] */
	struct conn_stats conns;
};

/* build_info, requests by route and code, connections and their fates. */
void		 metrics_render_http(struct sbuf *, const struct metrics_http *);

/* The daemon's gauges: the verdict and why, drain, maintenance. */
struct metrics_daemon {
	enum health_reason verdict;	/* what /health answers, and why */
	bool		 draining;
	bool		 maintenance;
	unsigned long long drain_503s;	/* 503s served while draining */
	unsigned	 watched;	/* probers the drain waits for */
	unsigned	 nonrouting;	/* probers seen that route nothing */
	bool		 traffic;	/* draining on the app's traffic: */
	unsigned	 app_conns;	/* ...its connections now */
	unsigned	 app_pending;	/* ...of which owe an answer */
	double		 app_since_byte; /* ...s since its last byte; < 0 none */
	double		 quiet_period;	/* ...the quiet period, s */
};

void		 metrics_render_daemon(struct sbuf *,
		    const struct metrics_daemon *);

/*
 * process_* as Prometheus' client libraries name them: CPU, memory,
 * descriptors, start time (procstat.c reads them).
 */
void		 metrics_render_process(struct sbuf *, const struct procstat *);

/* The gRPC side: answers by path and grpc-status, its connections. */
void		 metrics_render_grpc(struct sbuf *,
		    const struct grpc_server_stats *);

/* Room for each way a check's run can end (checks.c asserts it fits). */
#define METRICS_CHECK_RESULTS	16

/* One check's figures, as checks_figures() fills them. */
struct metrics_check {
	const char	*name;
	bool		 up;
	bool		 warn;		/* severity=warn */
	double		 last_seconds;	/* duration of the last run */
	unsigned long long transitions;	/* between up and down */
	unsigned long long skipped;	/* runs healthgate could not make */
	struct {
		const char	*name;	/* NULL past the last */
		unsigned long long n;
	} results[METRICS_CHECK_RESULTS];
	bool		 named;		/* its host is a name: lookups count */
	unsigned long long lookups, lookup_failures;
	bool		 tls;		/* a TLS check that has seen a chain */
	double		 tls_expiry;	/* s until its earliest notAfter */
};

/* Each check's state, duration, results, lookups and transitions. */
void		 metrics_render_checks(struct sbuf *,
		    const struct metrics_check *, unsigned n);

#endif
