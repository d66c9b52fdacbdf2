/*
 * Unit tests for metrics.c: what the /metrics text holds for given counts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
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

static void
test_metrics_http_prints_what_happened(void **state)
{
	unsigned long long req[HTTP_ROUTE_COUNT][METRICS_NCODES] = { { 0 } };
	struct metrics_http m = { .requests = req };
	struct sbuf b;

	(void)state;
	req[HTTP_ROUTE_HEALTH][metrics_code_index(503)] = 7;
	m.conns.open = 3;
	m.conns.refused[CONN_REFUSED_PER_IP] = 2;
	m.conns.cut[CONN_CUT_EVICTED_NO_HEAD] = 11;
	sbuf_init(&b);
	metrics_render_http(&b, &m);
	assert_false(sbuf_failed(&b));
	assert_non_null(strstr(b.data,
	    "\nhealthgate_requests_total{path=\"/health\",code=\"503\"} 7\n"));
	/* A route and code that never happened has no series. */
	assert_null(strstr(b.data, "code=\"200\""));
	assert_non_null(strstr(b.data, "\nhealthgate_connections 3\n"));
	assert_non_null(strstr(b.data, "\nhealthgate_connections_refused_"
	    "total{reason=\"per_ip\"} 2\n"));
	assert_non_null(strstr(b.data, "\nhealthgate_connections_refused_"
	    "total{reason=\"full\"} 0\n"));
	assert_non_null(strstr(b.data, "\nhealthgate_connections_cut_total"
	    "{reason=\"evicted_no_head\"} 11\n"));
	assert_non_null(strstr(b.data, "# TYPE healthgate_connections_cut_"
	    "total counter\n"));
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
		cmocka_unit_test(test_metrics_http_prints_what_happened),
		cmocka_unit_test(test_metrics_daemon_gauges),
		cmocka_unit_test(test_metrics_checks),
		cmocka_unit_test(test_metrics_verdict_is_one_state_set),
		cmocka_unit_test(test_metrics_process),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
