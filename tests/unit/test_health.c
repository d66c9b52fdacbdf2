/* Unit tests for health.c: the verdict and the health+json body. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "health.h"

static unsigned
render(const struct health_view *v, char *out, size_t size)
{
	struct sbuf b;
	unsigned code;

	sbuf_init(&b);
	code = health_render(v, &b);
	assert_false(sbuf_failed(&b));
	assert_true(b.len < size);
	memcpy(out, b.data, b.len + 1);
	sbuf_free(&b);
	return code;
}

static void
test_health_pass_without_checks(void **state)
{
	struct health_view v = { 0 };
	char body[256];

	(void)state;
	assert_int_equal(render(&v, body, sizeof(body)), 200);
	assert_string_equal(body, "{\"status\":\"pass\"}\n");
}

static void
test_health_draining_and_maintenance_fail_with_notes(void **state)
{
	struct health_view v = { .draining = true };
	char body[256];

	(void)state;
	assert_int_equal(render(&v, body, sizeof(body)), 503);
	assert_string_equal(body,
	    "{\"status\":\"fail\",\"notes\":[\"draining\"]}\n");
	v.maintenance = true;
	render(&v, body, sizeof(body));
	assert_string_equal(body, "{\"status\":\"fail\",\"notes\":"
	    "[\"draining\",\"maintenance\"]}\n");
	v.draining = false;
	assert_int_equal(render(&v, body, sizeof(body)), 503);
	assert_string_equal(body,
	    "{\"status\":\"fail\",\"notes\":[\"maintenance\"]}\n");
}

static void
test_health_one_check_down_fails_and_says_why(void **state)
{
	const struct health_check checks[] = {
		{ .name = "db", .up = true, .ran = true, .duration_ms = 1.25,
		    .when = 0.5, .output = "" },
		{ .name = "app", .up = false, .ran = true, .duration_ms = 1000,
		    .when = 1795000000.0, .output = "timeout after \"1000\" ms" },
	};
	struct health_view v = { .checks = checks, .nchecks = 2 };
	char body[1024];

	(void)state;
	assert_int_equal(render(&v, body, sizeof(body)), 503);
	assert_string_equal(body, "{\"status\":\"fail\",\"notes\":"
	    "[\"1 of 2 checks down\"],\"checks\":{"
	    "\"db:responseTime\":[{\"componentType\":\"component\","
	    "\"status\":\"pass\",\"observedValue\":1.2,"
	    "\"observedUnit\":\"ms\",\"time\":\"1970-01-01T00:00:00.500Z\"}],"
	    "\"app:responseTime\":[{\"componentType\":\"component\","
	    "\"status\":\"fail\",\"observedValue\":"
	    "1000.0,\"observedUnit\":\"ms\",\"time\":"
	    "\"2026-11-18T11:06:40.000Z\",\"output\":"
	    "\"timeout after \\\"1000\\\" ms\"}]}}\n");
}

static void
test_health_check_not_run_yet_is_down(void **state)
{
	const struct health_check checks[] = {
		{ .name = "app", .output = "not run yet" },
	};
	struct health_view v = { .checks = checks, .nchecks = 1 };
	char body[512];

	(void)state;
	assert_int_equal(render(&v, body, sizeof(body)), 503);
	assert_non_null(strstr(body, "\"output\":\"not run yet\""));
	assert_null(strstr(body, "observedValue"));
}

/* A warn check down: 200, "warn", and the check still shows failing. */
static void
test_health_warn_check_down_is_200_warn(void **state)
{
	struct health_check checks[] = {
		{ .name = "app", .up = true, .ran = true, .output = "" },
		{ .name = "db", .up = false, .warn = true, .ran = true,
		    .output = "connect: Connection refused" },
	};
	struct health_view v = { .checks = checks, .nchecks = 2 };
	char body[1024];

	(void)state;
	assert_int_equal(render(&v, body, sizeof(body)), 200);
	assert_non_null(strstr(body, "{\"status\":\"warn\",\"notes\":[\"1 of 2 "
	    "checks down, severity warn\"]"));
	assert_non_null(strstr(body, "\"db:responseTime\":[{\"componentType\":"
	    "\"component\",\"status\":\"fail\""));
	assert_non_null(strstr(body, "\"output\":\"connect: Connection "
	    "refused\""));
	/* The same check at severity fail: 503, one field apart. */
	checks[1].warn = false;
	assert_int_equal(render(&v, body, sizeof(body)), 503);
	assert_non_null(strstr(body, "{\"status\":\"fail\",\"notes\":[\"1 of 2 "
	    "checks down\"]"));
	/* Warn checks never hide a drain or a failing check. */
	checks[1].warn = true;
	checks[0].up = false;
	assert_int_equal(render(&v, body, sizeof(body)), 503);
	assert_non_null(strstr(body, "\"notes\":[\"1 of 2 checks down\",\"1 of 2 "
	    "checks down, severity warn\"]"));
	checks[0].up = true;
	v.draining = true;
	assert_int_equal(render(&v, body, sizeof(body)), 503);
	assert_non_null(strstr(body, "{\"status\":\"fail\""));
}

/* The service's draft fields, given, escaped like every string. */
/* The gRPC answer's message: the body's notes, joined. */
static void
test_health_why_joins_the_notes(void **state)
{
	struct health_check checks[] = {
		{ .name = "app", .up = false, .ran = true, .output = "" },
		{ .name = "db", .up = false, .warn = true, .ran = true,
		    .output = "" },
	};
	struct health_view v = { .checks = checks, .nchecks = 2 };
	char why[160];

	(void)state;
	health_why(&v, why, sizeof(why));
	assert_string_equal(why, "1 of 2 checks down, 1 of 2 checks down, "
	    "severity warn");
	v.draining = v.maintenance = true;
	v.nchecks = 0;
	health_why(&v, why, sizeof(why));
	assert_string_equal(why, "draining, maintenance");
	v.draining = v.maintenance = false;
	health_why(&v, why, sizeof(why));
	assert_string_equal(why, "");
	v.app_gone = true;
	health_why(&v, why, 5);
	assert_string_equal(why, "app ");
}

static void
test_health_service_fields(void **state)
{
	const struct health_service sv = { .version = "1.4", .release_id =
	    "1.4.2-\"rc\"", .service_id = "orders", .description = NULL };
	struct health_view v = { .service = &sv };
	char body[512];

	(void)state;
	assert_int_equal(render(&v, body, sizeof(body)), 200);
	assert_string_equal(body, "{\"status\":\"pass\",\"version\":\"1.4\","
	    "\"releaseId\":\"1.4.2-\\\"rc\\\"\",\"serviceId\":\"orders\"}\n");
}

/* The verdict metric's reason: the first that holds, as the notes go. */
static void
test_health_reason_first_that_holds(void **state)
{
	struct health_check c[2] = {
		{ .name = "a", .up = true }, { .name = "w", .warn = true },
	};
	struct health_view v = { .checks = c, .nchecks = 2 };

	(void)state;
	assert_int_equal(health_reason(&v), HEALTH_REASON_WARN);
	c[1].up = true;
	assert_int_equal(health_reason(&v), HEALTH_REASON_PASS);
	c[0].up = false;
	assert_int_equal(health_reason(&v), HEALTH_REASON_CHECKS_DOWN);
	v.maintenance = true;
	assert_int_equal(health_reason(&v), HEALTH_REASON_MAINTENANCE);
	v.draining = true;
	assert_int_equal(health_reason(&v), HEALTH_REASON_DRAINING);
	v.app_gone = true;
	assert_int_equal(health_reason(&v), HEALTH_REASON_APP_EXITED);
	assert_string_equal(health_reason_name(HEALTH_REASON_CHECKS_DOWN),
	    "checks_down");
	assert_string_equal(health_reason_name(HEALTH_REASON_COUNT), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health_pass_without_checks),
		cmocka_unit_test(
		    test_health_draining_and_maintenance_fail_with_notes),
		cmocka_unit_test(test_health_one_check_down_fails_and_says_why),
		cmocka_unit_test(test_health_check_not_run_yet_is_down),
		cmocka_unit_test(test_health_warn_check_down_is_200_warn),
		cmocka_unit_test(test_health_service_fields),
		cmocka_unit_test(test_health_why_joins_the_notes),
		cmocka_unit_test(test_health_reason_first_that_holds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
