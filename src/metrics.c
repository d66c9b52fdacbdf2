/*
 * metrics.c: the /metrics text. Every family has its HELP and TYPE lines.
 * Every labelled counter exists at 0 from the start for each label set
 * that can occur (requests by the path and code pairs a route can
 * answer, gRPC answers likewise, each result a check's kind can have,
 * connections refused and cut), so rate() and increase() see its first
 * event and an alert on it can fire on a short first outage. Pairs no
 * route answers stay out, unless counted after all.
 */
#include <stddef.h>
#include <stdio.h>

#include "grpc_health.h"
#include "metrics.h"
#include "version.h"

static const unsigned counted_codes[METRICS_NCODES] = {
	200, 202, 400, 403, 404, 405, 413, 503,
};

static const char *const route_paths[HTTP_ROUTE_COUNT] = {
	"/health", "/live", "/metrics", "/admin/", "other",
};

/*
 * The codes each route can answer, a 0 ending a shorter row. Any route
 * refuses a body (413) or a body framed two ways (400); every one but
 * /admin/ a method other than GET or HEAD (405). /admin/'s are main.c's
 * on_admin, and 503 while exiting or out of memory (http_server.c).
 */
static const unsigned route_codes[HTTP_ROUTE_COUNT][METRICS_NCODES] = {
	[HTTP_ROUTE_HEALTH] = { 200, 503, 400, 405, 413 },
	[HTTP_ROUTE_LIVE] = { 200, 400, 405, 413 },
	[HTTP_ROUTE_METRICS] = { 200, 400, 405, 413 },
	[HTTP_ROUTE_ADMIN] = { 200, 202, 400, 403, 404, 405, 413, 503 },
	[HTTP_ROUTE_OTHER] = { 404, 400, 405, 413 },
};

/*
 * The grpc-status codes each gRPC path can answer, a bit per code, as
 * grpc_server_decide() answers: Check OK, INVALID_ARGUMENT (not a
 * HealthCheckRequest) or UNAVAILABLE; Watch UNIMPLEMENTED; any other path
 * UNIMPLEMENTED when healthy, UNAVAILABLE when not.
 */
#define METRICS_GRPC(c)	(1u << GRPC_HEALTH_CODE_ ## c)
static const unsigned grpc_codes[GRPC_SERVER_ROUTE_COUNT] = {
	[GRPC_SERVER_ROUTE_CHECK] = METRICS_GRPC(OK) |
	    METRICS_GRPC(INVALID_ARGUMENT) | METRICS_GRPC(UNAVAILABLE),
	[GRPC_SERVER_ROUTE_ALB] = METRICS_GRPC(UNIMPLEMENTED) |
	    METRICS_GRPC(UNAVAILABLE),
	[GRPC_SERVER_ROUTE_WATCH] = METRICS_GRPC(UNIMPLEMENTED),
	[GRPC_SERVER_ROUTE_OTHER] = METRICS_GRPC(UNIMPLEMENTED) |
	    METRICS_GRPC(UNAVAILABLE),
};
_Static_assert(GRPC_SERVER_CODES <= 32, "grpc_codes holds every code");

int
metrics_code_index(unsigned code)
{
	for (unsigned i = 0; i < METRICS_NCODES; i++)
		if (counted_codes[i] == code)
			return (int)i;
	return -1;
}

static void
family(struct sbuf *b, const char *name, const char *type, const char *help)
{
	sbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/*
 * One listener's connection families, the same for HTTP and gRPC but for
 * the prefix of their names ("healthgate_", "healthgate_grpc_") and the
 * protocol their help names.
 */
static void
metrics_conns(struct sbuf *b, const char *prefix, const char *proto,
    const struct conn_stats *cs)
{
	char name[64], help[96];

	snprintf(name, sizeof(name), "%sconnections", prefix);
	snprintf(help, sizeof(help), "Open %s connections holding a slot.",
	    proto);
	family(b, name, "gauge", help);
	sbuf_printf(b, "%s %u\n", name, cs->open);
	snprintf(name, sizeof(name), "%sconnections_refused_total", prefix);
	snprintf(help, sizeof(help), "%s connections closed at once on "
	    "arrival, by reason.", proto);
	family(b, name, "counter", help);
	for (unsigned r = 0; r < CONN_REFUSED_COUNT; r++)
		sbuf_printf(b, "%s{reason=\"%s\"} %llu\n", name,
		    conn_refusal_name(r), cs->refused[r]);
	snprintf(name, sizeof(name), "%sconnections_cut_total", prefix);
	snprintf(help, sizeof(help), "%s connections cut by healthgate, by "
	    "reason.", proto);
	family(b, name, "counter", help);
	for (unsigned c = 0; c < CONN_CUT_COUNT; c++)
		sbuf_printf(b, "%s{reason=\"%s\"} %llu\n", name,
		    conn_cut_name(c), cs->cut[c]);
}

static bool
metrics_route_answers(unsigned route, unsigned code)
{
	for (unsigned i = 0; i < METRICS_NCODES && route_codes[route][i]; i++)
		if (route_codes[route][i] == code)
			return true;
	return false;
}

void
metrics_render_http(struct sbuf *b, const struct metrics_http *m)
{
	family(b, "healthgate_build_info", "gauge", "Version of this "
	    "healthgate.");
	sbuf_printf(b, "healthgate_build_info{version=\"%s\"} 1\n",
	    HEALTHGATE_VERSION);
	family(b, "healthgate_requests_total", "counter", "HTTP requests "
	    "answered, by path and status.");
	for (unsigned rt = 0; rt < HTTP_ROUTE_COUNT; rt++)
		for (unsigned i = 0; i < METRICS_NCODES; i++)
			if (m->requests[rt][i] ||
			    metrics_route_answers(rt, counted_codes[i]))
				sbuf_printf(b, "healthgate_requests_total"
				    "{path=\"%s\",code=\"%u\"} %llu\n",
				    route_paths[rt], counted_codes[i],
				    m->requests[rt][i]);
	metrics_conns(b, "healthgate_", "HTTP", &m->conns);
}

void
metrics_render_daemon(struct sbuf *b, const struct metrics_daemon *m)
{
	family(b, "healthgate_health_status", "gauge", "What /health "
	    "answers: 1 for the reason that decides it, 0 for the others; "
	    "pass is a 200, any other a 503.");
	for (unsigned r = 0; r < HEALTH_REASON_COUNT; r++)
		sbuf_printf(b, "healthgate_health_status{reason=\"%s\"} %d\n",
		    health_reason_name(r), m->verdict == r);
	family(b, "healthgate_draining", "gauge", "1 from SIGTERM until "
	    "exit.");
	sbuf_printf(b, "healthgate_draining %d\n", m->draining);
	family(b, "healthgate_maintenance", "gauge", "1 between SIGUSR1 and "
	    "SIGUSR2.");
	sbuf_printf(b, "healthgate_maintenance %d\n", m->maintenance);
	family(b, "healthgate_drain_503_total", "counter", "503s served "
	    "while draining.");
	sbuf_printf(b, "healthgate_drain_503_total %llu\n", m->drain_503s);
	family(b, "healthgate_drain_watched_probers", "gauge", "Probers the "
	    "drain waits for.");
	sbuf_printf(b, "healthgate_drain_watched_probers %u\n", m->watched);
	family(b, "healthgate_drain_nonrouting_probers", "gauge", "Probers "
	    "seen within the window whose verdict routes nothing (kubelet, "
	    "monitoring, curl): never waited for.");
	sbuf_printf(b, "healthgate_drain_nonrouting_probers %u\n",
	    m->nonrouting);
	if (!m->traffic)
		return;		/* read only while draining, when seen */
	family(b, "healthgate_app_connections", "gauge", "The app's inbound "
	    "connections on its ports, while draining.");
	sbuf_printf(b, "healthgate_app_connections %u\n", m->app_conns);
	family(b, "healthgate_app_pending_connections", "gauge", "...of "
	    "which owe an answer.");
	sbuf_printf(b, "healthgate_app_pending_connections %u\n",
	    m->app_pending);
	family(b, "healthgate_app_quiet_period_seconds", "gauge", "How long "
	    "the app's ports must be quiet to end the drain.");
	sbuf_printf(b, "healthgate_app_quiet_period_seconds %.3f\n",
	    m->quiet_period);
	if (m->app_since_byte < 0)
		return;		/* nothing arrived within the horizon */
	family(b, "healthgate_app_last_byte_age_seconds", "gauge", "Time "
	    "since the app's ports last received a byte or a connection.");
	sbuf_printf(b, "healthgate_app_last_byte_age_seconds %.3f\n",
	    m->app_since_byte);
}

void
metrics_render_process(struct sbuf *b, const struct procstat *p)
{
	family(b, "process_cpu_seconds_total", "counter", "Total user and "
	    "system CPU time spent in seconds.");
	sbuf_printf(b, "process_cpu_seconds_total %.2f\n", p->cpu_seconds);
	family(b, "process_open_fds", "gauge", "Number of open file "
	    "descriptors.");
	sbuf_printf(b, "process_open_fds %u\n", p->open_fds);
	family(b, "process_max_fds", "gauge", "Maximum number of open file "
	    "descriptors.");
	sbuf_printf(b, "process_max_fds %.0f\n", p->max_fds);
	family(b, "process_virtual_memory_bytes", "gauge", "Virtual memory "
	    "size in bytes.");
	sbuf_printf(b, "process_virtual_memory_bytes %.0f\n",
	    p->virtual_bytes);
	family(b, "process_virtual_memory_max_bytes", "gauge", "Maximum "
	    "amount of virtual memory available in bytes.");
	sbuf_printf(b, "process_virtual_memory_max_bytes %.0f\n",
	    p->virtual_max_bytes);
	family(b, "process_resident_memory_bytes", "gauge", "Resident "
	    "memory size in bytes.");
	sbuf_printf(b, "process_resident_memory_bytes %.0f\n",
	    p->resident_bytes);
	family(b, "process_start_time_seconds", "gauge", "Start time of the "
	    "process since unix epoch in seconds.");
	sbuf_printf(b, "process_start_time_seconds %.2f\n", p->start_time);
}

/* A counter with a series per check (only those that name their host,
 * if named), read at offset field of each struct metrics_check. */
static void
check_counter(struct sbuf *b, const char *name, const char *help,
    const struct metrics_check *v, unsigned n, size_t field, bool named)
{
	family(b, name, "counter", help);
	for (unsigned i = 0; i < n; i++)
		if (!named || v[i].named)
			sbuf_printf(b, "%s{check=\"%s\"} %llu\n", name, v[i].name,
			    *(const unsigned long long *)(const void *)
			    ((const char *)&v[i] + field));
}

/*
 * Per TLS check that has read a chain: seconds until the earliest
 * certificate the server sent expires (negative once it has), so an alert
 * can fire before the check does.
 */
static void
metrics_tls_expiry(struct sbuf *b, const struct metrics_check *v,
    unsigned n)
{
	unsigned i;

	for (i = 0; i < n && !v[i].tls; i++)
		;
	if (i == n)
		return;
	family(b, "healthgate_check_tls_expiry_seconds", "gauge", "Seconds "
	    "until the earliest certificate the server last sent expires.");
	for (i = 0; i < n; i++)
		if (v[i].tls)
			sbuf_printf(b, "healthgate_check_tls_expiry_seconds"
			    "{check=\"%s\"} %.0f\n", v[i].name, v[i].tls_expiry);
}

void
metrics_render_checks(struct sbuf *b, const struct metrics_check *v,
    unsigned n)
{
	bool named = false;

	if (n == 0)
		return;
	family(b, "healthgate_check_up", "gauge", "1 when the check is up; "
	    "severity warn: down never fails /health.");
	for (unsigned i = 0; i < n; i++)
		sbuf_printf(b, "healthgate_check_up{check=\"%s\",severity=\"%s\"} "
		    "%d\n", v[i].name, v[i].warn ? "warn" : "fail", v[i].up);
	family(b, "healthgate_check_duration_seconds", "gauge", "Duration "
	    "of the last run.");
	for (unsigned i = 0; i < n; i++)
		sbuf_printf(b, "healthgate_check_duration_seconds"
		    "{check=\"%s\"} %.6f\n", v[i].name, v[i].last_seconds);
	family(b, "healthgate_check_results_total", "counter", "Finished "
	    "runs, by result.");
	for (unsigned i = 0; i < n; i++)
		for (unsigned r = 0; r < METRICS_CHECK_RESULTS &&
		    v[i].results[r].name; r++)
			sbuf_printf(b, "healthgate_check_results_total"
			    "{check=\"%s\",result=\"%s\"} %llu\n",
			    v[i].name, v[i].results[r].name,
			    v[i].results[r].n);
	for (unsigned i = 0; i < n; i++)
		named |= v[i].named;
	if (named) {
		check_counter(b, "healthgate_check_lookups_total", "Lookups of "
		    "the check's host name.", v, n,
		    offsetof(struct metrics_check, lookups), true);
		check_counter(b, "healthgate_check_lookup_failures_total",
		    "Lookups that found no address.", v, n,
		    offsetof(struct metrics_check, lookup_failures), true);
	}
	check_counter(b, "healthgate_check_transitions_total", "Changes "
	    "between up and down.", v, n,
	    offsetof(struct metrics_check, transitions), false);
	check_counter(b, "healthgate_check_skipped_total", "Runs healthgate "
	    "could not make for want of its own memory or descriptors; the "
	    "verdict was kept.", v, n, offsetof(struct metrics_check, skipped),
	    false);
	metrics_tls_expiry(b, v, n);
}

void
metrics_render_grpc(struct sbuf *b, const struct grpc_server_stats *g)
{
	static const char *const paths[GRPC_SERVER_ROUTE_COUNT] =
	    GRPC_SERVER_PATHS;

	family(b, "healthgate_grpc_answers_total", "counter", "gRPC health "
	    "answers, by path and grpc-status.");
	for (unsigned rt = 0; rt < GRPC_SERVER_ROUTE_COUNT; rt++)
		for (unsigned c = 0; c < GRPC_SERVER_CODES; c++)
			if (g->answers[rt][c] || (grpc_codes[rt] & 1u << c))
				sbuf_printf(b, "healthgate_grpc_answers_total"
				    "{path=\"%s\",grpc_status=\"%u\"} %llu\n",
				    paths[rt], c,
				    g->answers[rt][c]);
	metrics_conns(b, "healthgate_grpc_", "gRPC", &g->conns);
}
