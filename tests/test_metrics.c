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
	assert_int_equal(metrics_code_index(503), 5);
	assert_int_equal(metrics_code_index(400), 1);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics_code_index),
		cmocka_unit_test(test_metrics_http_prints_what_happened),
		cmocka_unit_test(test_metrics_daemon_gauges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
