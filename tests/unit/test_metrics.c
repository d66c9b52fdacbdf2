/*
 * Unit tests for metrics.c: what the /metrics text holds for given counts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "metrics.h"

static void
test_metrics_code_index(void **state)
{
	(void)state;
	assert_int_equal(metrics_code_index(200), 0);
	assert_int_equal(metrics_code_index(503), 7);
	assert_int_equal(metrics_code_index(400), 2);
	/* The admin API's answers: accepted drains, refused callers. */
	assert_int_equal(metrics_code_index(202), 1);
	assert_int_equal(metrics_code_index(403), 3);
	assert_int_equal(metrics_code_index(401), -1);
}

/* A series line for name{labels} with value, whole, in the text. */
static bool
has_series(const char *text, const char *name, const char *labels,
    unsigned long long value)
{
	char want[256];

	snprintf(want, sizeof(want), "\n%s{%s} %llu\n", name, labels, value);
	return strstr(text, want) != NULL;
}

/*
 * Every (route, code) pair a route can answer is a series at 0 from the
 * start, so rate() and an alert on /health's 503s see the first one; a
 * pair no route can answer has none, unless it was counted after all.
 */
static void
test_metrics_http_pairs_that_can_occur_exist_at_zero(void **state)
{
	static const struct {
		const char	*labels;
		bool		 occurs;
	} pairs[] = {
		{ "path=\"/health\",code=\"200\"", true },
		{ "path=\"/health\",code=\"503\"", true },
		{ "path=\"/health\",code=\"400\"", true },
		{ "path=\"/health\",code=\"405\"", true },
		{ "path=\"/health\",code=\"413\"", true },
		{ "path=\"/live\",code=\"200\"", true },
		{ "path=\"/live\",code=\"405\"", true },
		{ "path=\"/metrics\",code=\"200\"", true },
		{ "path=\"/admin/\",code=\"200\"", true },
		{ "path=\"/admin/\",code=\"202\"", true },
		{ "path=\"/admin/\",code=\"403\"", true },
		{ "path=\"/admin/\",code=\"404\"", true },
		{ "path=\"/admin/\",code=\"503\"", true },
		{ "path=\"other\",code=\"404\"", true },
		{ "path=\"other\",code=\"405\"", true },
		{ "path=\"/health\",code=\"404\"", false },
		{ "path=\"/health\",code=\"202\"", false },
		{ "path=\"/live\",code=\"503\"", false },
		{ "path=\"/metrics\",code=\"403\"", false },
		{ "path=\"other\",code=\"200\"", false },
	};
	unsigned long long req[HTTP_ROUTE_COUNT][METRICS_NCODES] = { { 0 } };
	struct metrics_http m = { .requests = req };
	struct sbuf b;

	(void)state;
	sbuf_init(&b);
	metrics_render_http(&b, &m);
	assert_false(sbuf_failed(&b));
	for (unsigned i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		char want[128];

		snprintf(want, sizeof(want), "{%s}", pairs[i].labels);
		if (pairs[i].occurs)
			assert_true(has_series(b.data,
			    "healthgate_requests_total", pairs[i].labels, 0));
		else if (strstr(b.data, want))
			fail_msg("no route answers %s", pairs[i].labels);
	}
	sbuf_free(&b);
	/* Counted where no route should answer: shown all the same. */
	req[HTTP_ROUTE_LIVE][metrics_code_index(503)] = 2;
	req[HTTP_ROUTE_HEALTH][metrics_code_index(503)] = 7;
	sbuf_init(&b);
	metrics_render_http(&b, &m);
	assert_true(has_series(b.data, "healthgate_requests_total",
	    "path=\"/live\",code=\"503\"", 2));
	assert_true(has_series(b.data, "healthgate_requests_total",
	    "path=\"/health\",code=\"503\"", 7));
	sbuf_free(&b);
}

static void
test_metrics_http_connections(void **state)
{
	unsigned long long req[HTTP_ROUTE_COUNT][METRICS_NCODES] = { { 0 } };
	struct metrics_http m = { .requests = req };
	struct sbuf b;

	(void)state;
	m.conns.open = 3;
	m.conns.refused[CONN_REFUSED_PER_IP] = 2;
	m.conns.cut[CONN_CUT_EVICTED_NO_HEAD] = 11;
	sbuf_init(&b);
	metrics_render_http(&b, &m);
	assert_false(sbuf_failed(&b));
	assert_non_null(strstr(b.data, "\nhealthgate_connections 3\n"));
	assert_non_null(strstr(b.data, "\nhealthgate_connections_refused_"
	    "total{reason=\"per_ip\"} 2\n"));
	assert_non_null(strstr(b.data, "\nhealthgate_connections_refused_"
	    "total{reason=\"full\"} 0\n"));
	assert_non_null(strstr(b.data, "\nhealthgate_connections_cut_total"
	    "{reason=\"evicted_no_head\"} 11\n"));
	assert_non_null(strstr(b.data, "# TYPE healthgate_connections_cut_"
	    "total counter\n"));
	assert_non_null(strstr(b.data, "# HELP healthgate_connections_"
	    "refused_total HTTP connections closed at once on arrival, by "
	    "reason.\n"));
	sbuf_free(&b);
}

/* The gRPC listener's connection families: the HTTP ones, renamed. */
static void
test_metrics_grpc_connections(void **state)
{
	struct grpc_server_stats g = { .conns.open = 2 };
	struct sbuf b;

	(void)state;
	g.conns.refused[CONN_REFUSED_FULL] = 5;
	g.conns.cut[CONN_CUT_IDLE_TIMEOUT] = 6;
	sbuf_init(&b);
	metrics_render_grpc(&b, &g);
	assert_false(sbuf_failed(&b));
	assert_non_null(strstr(b.data, "# HELP healthgate_grpc_connections "
	    "Open gRPC connections holding a slot.\n# TYPE healthgate_grpc_"
	    "connections gauge\nhealthgate_grpc_connections 2\n"));
	assert_non_null(strstr(b.data, "\nhealthgate_grpc_connections_"
	    "refused_total{reason=\"full\"} 5\n"));
	assert_non_null(strstr(b.data, "\nhealthgate_grpc_connections_"
	    "refused_total{reason=\"per_ip\"} 0\n"));
	assert_non_null(strstr(b.data, "# TYPE healthgate_grpc_connections_"
	    "cut_total counter\n"));
	assert_non_null(strstr(b.data, "\nhealthgate_grpc_connections_cut_"
	    "total{reason=\"idle_timeout\"} 6\n"));
	sbuf_free(&b);
}

/*
 * The gRPC side answers 0, 3, 12 and 14 only (grpc_server_decide): each
 * path's codes at 0 from the start, and no series for the thirteen others.
 */
static void
test_metrics_grpc_answers_that_can_occur_exist_at_zero(void **state)
{
	static const char *const at_zero[] = {
		"path=\"/grpc.health.v1.Health/Check\",grpc_status=\"0\"",
		"path=\"/grpc.health.v1.Health/Check\",grpc_status=\"3\"",
		"path=\"/grpc.health.v1.Health/Check\",grpc_status=\"14\"",
		"path=\"/AWS.ALB/healthcheck\",grpc_status=\"12\"",
		"path=\"/AWS.ALB/healthcheck\",grpc_status=\"14\"",
		"path=\"/grpc.health.v1.Health/Watch\",grpc_status=\"12\"",
		"path=\"other\",grpc_status=\"12\"",
		"path=\"other\",grpc_status=\"14\"",
	};
	struct grpc_server_stats g = { .conns.open = 1 };
	struct sbuf b;

	(void)state;
	sbuf_init(&b);
	metrics_render_grpc(&b, &g);
	assert_false(sbuf_failed(&b));
	for (unsigned i = 0; i < sizeof(at_zero) / sizeof(at_zero[0]); i++)
		assert_true(has_series(b.data, "healthgate_grpc_answers_total",
		    at_zero[i], 0));
	assert_null(strstr(b.data, "grpc_status=\"5\""));
	assert_null(strstr(b.data, "Watch\",grpc_status=\"0\""));
	assert_null(strstr(b.data, "ALB/healthcheck\",grpc_status=\"0\""));
	/* Counted elsewhere after all: shown. */
	g.answers[GRPC_SERVER_ROUTE_WATCH][0] = 4;
	sbuf_free(&b);
	sbuf_init(&b);
	metrics_render_grpc(&b, &g);
	assert_true(has_series(b.data, "healthgate_grpc_answers_total",
	    "path=\"/grpc.health.v1.Health/Watch\",grpc_status=\"0\"", 4));
	assert_non_null(strstr(b.data, "\nhealthgate_grpc_connections 1\n"));
	sbuf_free(&b);
}

static void
test_metrics_daemon_gauges(void **state)
{
	struct metrics_daemon m = { .draining = true, .drain_503s = 4,
	    .watched = 2 };
	struct sbuf b;

	(void)state;
	sbuf_init(&b);
	metrics_render_daemon(&b, &m);
	assert_non_null(strstr(b.data, "\nhealthgate_draining 1\n"));
	assert_non_null(strstr(b.data, "\nhealthgate_maintenance 0\n"));
	assert_non_null(strstr(b.data, "\nhealthgate_drain_503_total 4\n"));
	assert_non_null(strstr(b.data,
	    "\nhealthgate_drain_watched_probers 2\n"));
	sbuf_free(&b);
}

/*
 * Two checks: every result given, 0 or not (issue 29: a result absent
 * until its first time is missed by rate()), lookups only for the named.
 */
static void
test_metrics_checks(void **state)
{
	struct metrics_check v[2] = {
	    { .name = "app", .up = true, .last_seconds = 0.0125,
	      .transitions = 1, .results = { { "pass", 3 }, { "timeout", 0 } },
	      .named = true, .lookups = 5, .lookup_failures = 2 },
	    { .name = "db", .warn = true,
	      .results = { { "pass", 0 }, { "refused", 4 } } },
	};
	struct sbuf b;

	(void)state;
	sbuf_init(&b);
	metrics_render_checks(&b, v, 2);
	assert_false(sbuf_failed(&b));
	assert_non_null(strstr(b.data, "# TYPE healthgate_check_up gauge\n"
	    "healthgate_check_up{check=\"app\",severity=\"fail\"} 1\n"
	    "healthgate_check_up{check=\"db\",severity=\"warn\"} 0\n"));
	assert_non_null(strstr(b.data, "\nhealthgate_check_duration_seconds"
	    "{check=\"app\"} 0.012500\n"));
	assert_non_null(strstr(b.data, "\nhealthgate_check_results_total"
	    "{check=\"app\",result=\"pass\"} 3\n"));
	assert_non_null(strstr(b.data, "\nhealthgate_check_results_total"
	    "{check=\"db\",result=\"refused\"} 4\n"));
	assert_non_null(strstr(b.data, "\nhealthgate_check_results_total"
	    "{check=\"app\",result=\"timeout\"} 0\n"));
	assert_non_null(strstr(b.data, "\nhealthgate_check_results_total"
	    "{check=\"db\",result=\"pass\"} 0\n"));
	assert_non_null(strstr(b.data, "\nhealthgate_check_lookups_total"
	    "{check=\"app\"} 5\n"));
	assert_non_null(strstr(b.data, "\nhealthgate_check_lookup_failures_"
	    "total{check=\"app\"} 2\n"));
	assert_null(strstr(b.data, "lookups_total{check=\"db\"}"));
	assert_non_null(strstr(b.data, "\nhealthgate_check_transitions_total"
	    "{check=\"db\"} 0\n"));
	sbuf_free(&b);
	/* No check, no family; none named, no lookup family. */
	sbuf_init(&b);
	metrics_render_checks(&b, v, 0);
	assert_int_equal(b.len, 0);
	metrics_render_checks(&b, &v[1], 1);
	assert_null(strstr(b.data, "lookup"));
	sbuf_free(&b);
}

/* The verdict as a state set: every reason a series, one of them 1. */
static void
test_metrics_verdict_is_one_state_set(void **state)
{
	struct metrics_daemon m = { .verdict = HEALTH_REASON_MAINTENANCE,
	    .maintenance = true };
	struct sbuf b;

	(void)state;
	sbuf_init(&b);
	metrics_render_daemon(&b, &m);
	assert_non_null(strstr(b.data, "# TYPE healthgate_health_status "
	    "gauge\nhealthgate_health_status{reason=\"pass\"} 0\n"
	    "healthgate_health_status{reason=\"warn\"} 0\n"
	    "healthgate_health_status{reason=\"app_exited\"} 0\n"
	    "healthgate_health_status{reason=\"draining\"} 0\n"
	    "healthgate_health_status{reason=\"maintenance\"} 1\n"
	    "healthgate_health_status{reason=\"checks_down\"} 0\n"));
	sbuf_free(&b);
}

/* process_* under client_golang's names, an unlimited limit as -1. */
static void
test_metrics_process(void **state)
{
	struct procstat p = { .cpu_seconds = 1.25, .start_time = 1.7e9,
	    .resident_bytes = 4096 * 300.0, .virtual_bytes = 1e7,
	    .virtual_max_bytes = -1, .open_fds = 9, .max_fds = 1024 };
	struct sbuf b;

	(void)state;
	sbuf_init(&b);
	metrics_render_process(&b, &p);
	assert_non_null(strstr(b.data, "# TYPE process_cpu_seconds_total "
	    "counter\nprocess_cpu_seconds_total 1.25\n"));
	assert_non_null(strstr(b.data, "\nprocess_open_fds 9\n"));
	assert_non_null(strstr(b.data, "\nprocess_max_fds 1024\n"));
	assert_non_null(strstr(b.data, "\nprocess_resident_memory_bytes "
	    "1228800\n"));
	assert_non_null(strstr(b.data, "\nprocess_virtual_memory_bytes "
	    "10000000\n"));
	assert_non_null(strstr(b.data, "\nprocess_virtual_memory_max_bytes "
	    "-1\n"));
	assert_non_null(strstr(b.data, "\nprocess_start_time_seconds "
	    "1700000000.00\n"));
	sbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics_code_index),
		cmocka_unit_test(test_metrics_http_pairs_that_can_occur_exist_at_zero),
		cmocka_unit_test(test_metrics_http_connections),
		cmocka_unit_test(test_metrics_grpc_answers_that_can_occur_exist_at_zero),
		cmocka_unit_test(test_metrics_grpc_connections),
		cmocka_unit_test(test_metrics_daemon_gauges),
		cmocka_unit_test(test_metrics_checks),
		cmocka_unit_test(test_metrics_verdict_is_one_state_set),
		cmocka_unit_test(test_metrics_process),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
