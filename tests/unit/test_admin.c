/*
 * Unit tests for admin.c: the verbs and their methods, the access rule,
 * the constant-time compare, the token file's text, and the bodies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "admin.h"

static struct addr
ip(const char *s)
{
	struct addr a;

	assert_null(addr_parse_ip(s, &a));
	return a;
}

static void
test_admin_verbs(void **state)
{
	static const struct {
		const char	*url;
		enum admin_verb	 verb;
	} rows[] = {
		{ "/admin/maintenance/on", ADMIN_VERB_MAINTENANCE_ON },
		{ "/admin/maintenance/off", ADMIN_VERB_MAINTENANCE_OFF },
		{ "/admin/drain", ADMIN_VERB_DRAIN },
		{ "/admin/prestop", ADMIN_VERB_PRESTOP },
		{ "/admin/status", ADMIN_VERB_STATUS },
		{ "/admin/", ADMIN_VERB_NONE },
		{ "/admin/status/", ADMIN_VERB_NONE },
		{ "/admin/maintenance", ADMIN_VERB_NONE },
		{ "/admin/maintenance/toggle", ADMIN_VERB_NONE },
		{ "/admin/drainx", ADMIN_VERB_NONE },
		{ "/adminstatus", ADMIN_VERB_NONE },
		{ "/health", ADMIN_VERB_NONE },
		{ "/ADMIN/status", ADMIN_VERB_NONE },
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(admin_verb_of(rows[i].url), rows[i].verb);
}

static void
test_admin_methods(void **state)
{
	(void)state;
	assert_true(admin_method_ok(ADMIN_VERB_MAINTENANCE_ON, "POST"));
	assert_false(admin_method_ok(ADMIN_VERB_MAINTENANCE_ON, "GET"));
	assert_false(admin_method_ok(ADMIN_VERB_MAINTENANCE_OFF, "PUT"));
	assert_true(admin_method_ok(ADMIN_VERB_DRAIN, "POST"));
	assert_false(admin_method_ok(ADMIN_VERB_DRAIN, "HEAD"));
	assert_true(admin_method_ok(ADMIN_VERB_PRESTOP, "GET"));
	assert_false(admin_method_ok(ADMIN_VERB_PRESTOP, "HEAD"));
	assert_false(admin_method_ok(ADMIN_VERB_PRESTOP, "POST"));
	assert_true(admin_method_ok(ADMIN_VERB_STATUS, "GET"));
	assert_true(admin_method_ok(ADMIN_VERB_STATUS, "HEAD"));
	assert_false(admin_method_ok(ADMIN_VERB_STATUS, "GE"));
	assert_false(admin_method_ok(ADMIN_VERB_STATUS, "GETS"));
	assert_false(admin_method_ok(ADMIN_VERB_STATUS, "DELETE"));
	assert_string_equal(admin_allow(ADMIN_VERB_DRAIN), "POST");
	assert_string_equal(admin_allow(ADMIN_VERB_STATUS), "GET, HEAD");
	assert_string_equal(admin_allow(ADMIN_VERB_PRESTOP), "GET");
}

static void
test_admin_loopback(void **state)
{
	static const struct {
		const char	*ip;
		bool		 loopback;
	} rows[] = {
		{ "127.0.0.1", true }, { "127.0.0.2", true },
		{ "127.255.255.254", true }, { "::1", true },
		{ "::ffff:127.0.0.1", true },	/* kept as IPv4 */
		{ "10.0.0.1", false }, { "128.0.0.1", false },
		{ "126.255.255.255", false }, { "::2", false },
		{ "::", false }, { "0.0.0.0", false }, { "fe80::1", false },
		{ "::ffff:10.0.0.1", false },
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct addr a = ip(rows[i].ip);

		assert_int_equal(admin_loopback(&a), rows[i].loopback);
	}
}

static void
test_admin_access(void **state)
{
	struct addr lo = ip("127.0.0.9"), far = ip("10.1.2.3"),
	    far6 = ip("2001:db8::1");
	static const char tok[] = "s3cr3t-Token_1";
	static const struct {
		const char	*auth;
		enum admin_access want;
	} rows[] = {
		{ NULL, ADMIN_ACCESS_NO_TOKEN },
		{ "", ADMIN_ACCESS_NO_TOKEN },
		{ "Basic czNjcjN0", ADMIN_ACCESS_NO_TOKEN },
		{ "Bearer", ADMIN_ACCESS_NO_TOKEN },
		{ "Bearers3cr3t-Token_1", ADMIN_ACCESS_NO_TOKEN },
		{ "Bearer ", ADMIN_ACCESS_BAD_TOKEN },
		{ "Bearer s3cr3t-Token_", ADMIN_ACCESS_BAD_TOKEN },
		{ "Bearer s3cr3t-Token_12", ADMIN_ACCESS_BAD_TOKEN },
		{ "Bearer S3cr3t-Token_1", ADMIN_ACCESS_BAD_TOKEN },
		{ "Bearer s3cr3t-Token_1 x", ADMIN_ACCESS_BAD_TOKEN },
		{ "Bearer s3cr3t-Token_1", ADMIN_ACCESS_TOKEN },
		{ "bearer s3cr3t-Token_1", ADMIN_ACCESS_TOKEN },
		{ "BEARER   s3cr3t-Token_1", ADMIN_ACCESS_TOKEN },
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(admin_access_check(&far, rows[i].auth, tok),
		    rows[i].want);
		assert_int_equal(admin_access_check(&far6, rows[i].auth, tok),
		    rows[i].want);
		/* Loopback needs nothing, and a wrong token spoils nothing. */
		assert_int_equal(admin_access_check(&lo, rows[i].auth, tok),
		    ADMIN_ACCESS_LOOPBACK);
	}
	/* Without a token file nobody from outside gets in. */
	assert_int_equal(admin_access_check(&far, "Bearer s3cr3t-Token_1",
	    NULL), ADMIN_ACCESS_NOT_ENABLED);
	assert_int_equal(admin_access_check(&lo, NULL, NULL),
	    ADMIN_ACCESS_LOOPBACK);
	assert_true(admin_access_ok(ADMIN_ACCESS_LOOPBACK));
	assert_true(admin_access_ok(ADMIN_ACCESS_TOKEN));
	assert_false(admin_access_ok(ADMIN_ACCESS_NO_TOKEN));
	assert_false(admin_access_ok(ADMIN_ACCESS_BAD_TOKEN));
	assert_false(admin_access_ok(ADMIN_ACCESS_NOT_ENABLED));
	assert_string_equal(admin_access_name(ADMIN_ACCESS_BAD_TOKEN),
	    "bad_token");
}

static void
test_admin_token_equal(void **state)
{
	(void)state;
	assert_true(admin_token_equal("abc", 3, "abc", 3));
	assert_false(admin_token_equal("abd", 3, "abc", 3));
	assert_false(admin_token_equal("ab", 2, "abc", 3));
	assert_false(admin_token_equal("abcd", 4, "abc", 3));
	assert_false(admin_token_equal("", 0, "abc", 3));
	/* A NUL inside a is still a difference, not an end. */
	assert_false(admin_token_equal("ab\0", 3, "abc", 3));
	assert_false(admin_token_equal("abc\0", 4, "abc", 3));
}

static void
test_admin_token_parse(void **state)
{
	static const struct {
		const char	*text;
		size_t		 len;	/* 0: refused */
	} rows[] = {
		{ "tok", 3 }, { "tok\n", 3 }, { "tok\r\n", 3 },
		{ "tok \t\n\n", 3 }, { "a.b-c_d~e+f/g=", 14 },
		{ "", 0 }, { "\n", 0 }, { " \n", 0 }, { "to k", 0 },
		{ " tok", 0 }, { "tok\nx", 0 }, { "to\tk", 0 },
		{ "tok\x7f", 0 },
	};
	static char big[ADMIN_TOKEN_MAX + 2];
	size_t len;

	(void)state;
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *why = admin_token_parse(rows[i].text,
		    strlen(rows[i].text), &len);

		if (rows[i].len == 0) {
			assert_non_null(why);
			continue;
		}
		assert_null(why);
		assert_int_equal(len, rows[i].len);
	}
	memset(big, 'x', ADMIN_TOKEN_MAX);
	assert_null(admin_token_parse(big, ADMIN_TOKEN_MAX, &len));
	big[ADMIN_TOKEN_MAX] = 'x';
	assert_non_null(admin_token_parse(big, ADMIN_TOKEN_MAX + 1, &len));
	/* A NUL in the file is a control character, not the end. */
	assert_non_null(admin_token_parse("ab\0cd", 5, &len));
}

static void
test_admin_status_body(void **state)
{
	struct health_check checks[] = {
		{ .name = "app", .up = true, .ran = true },
		{ .name = "db\"x", .up = false, .ran = true,
		    .output = "connect: refused" },
		{ .name = "late", .ran = false },
	};
	struct drain_prober probers[] = {
		{ .addr = ip("10.0.0.7"), .idle = 0.5, .fails = 1,
		    .state = DRAIN_PROBER_WAITING },
		{ .addr = ip("10.0.0.8"), .idle = 0.25, .fails = 2,
		    .state = DRAIN_PROBER_SERVED },
	};
	struct admin_status st = {
		.health = 503, .drain = ADMIN_DRAIN_RUNNING,
		.started_by = "/admin/prestop", .exit_when_done = false,
		.elapsed = 1.5, .cap_left = 28.5, .inflight = 2, .waiters = 3,
		.checks = checks, .nchecks = 3, .probers = probers,
		.nprobers = 2,
	};
	struct sbuf b;

	(void)state;
	sbuf_init(&b);
	admin_render_status(&st, &b);
	assert_false(sbuf_failed(&b));
	assert_string_equal(b.data, "{\"state\":\"draining\",\"health\":503,"
	    "\"maintenance\":false,\"checks\":[{\"name\":\"app\","
	    "\"verdict\":\"up\"},{\"name\":\"db\\\"x\",\"verdict\":\"down\","
	    "\"output\":\"connect: refused\"},{\"name\":\"late\","
	    "\"verdict\":\"pending\"}],\"probers\":[{\"addr\":\"10.0.0.7\","
	    "\"state\":\"waiting\",\"last_seen_ms_ago\":500,\"503s\":1},"
	    "{\"addr\":\"10.0.0.8\",\"state\":\"served\","
	    "\"last_seen_ms_ago\":250,\"503s\":2}],\"drain\":{\"state\":"
	    "\"running\",\"started_by\":\"/admin/prestop\",\"then\":\"hold\","
	    "\"elapsed_ms\":1500,\"waiting_for\":{\"probers\":[\"10.0.0.7\"],"
	    "\"inflight\":2,\"cap_left_ms\":28500},\"prestop_waiters\":3}}\n");
	sbuf_free(&b);

	/* Draining on the app's traffic: what it waits for there too. */
	st.traffic = true;
	st.app = (struct quiet_stats){ .conns = 3, .pending = 1,
	    .since_recv = 0.25, .period = 2.0 };
	sbuf_init(&b);
	admin_render_status(&st, &b);
	assert_non_null(strstr(b.data, "\"inflight\":2,\"app\":{"
	    "\"connections\":3,\"pending\":1,\"last_arrival_ms_ago\":250,"
	    "\"quiet_period_ms\":2000},\"cap_left_ms\":28500}"));
	sbuf_free(&b);
	st.app.since_recv = -1;		/* nothing arrived within the horizon */
	sbuf_init(&b);
	admin_render_status(&st, &b);
	assert_non_null(strstr(b.data, "\"last_arrival_ms_ago\":null,"));
	sbuf_free(&b);

	st = (struct admin_status){ .health = 503, .maintenance = true };
	sbuf_init(&b);
	admin_render_status(&st, &b);
	assert_string_equal(b.data, "{\"state\":\"maintenance\",\"health\":503,"
	    "\"maintenance\":true,\"checks\":[],\"probers\":[],\"drain\":"
	    "{\"state\":\"off\",\"prestop_waiters\":0}}\n");
	sbuf_free(&b);
}

static void
test_admin_end_body(void **state)
{
	struct admin_end e = {
		.reason = "evidence", .started_by = "SIGTERM",
		.started = 1796200000.0, .ended = 1796200004.25,
		.duration = 4.25,
	};
	struct sbuf b;

	(void)state;
	sbuf_init(&b);
	admin_render_end(&e, &b);
	assert_string_equal(b.data, "{\"drain\":\"ended\",\"reason\":"
	    "\"evidence\",\"started_by\":\"SIGTERM\",\"started\":"
	    "\"2026-12-02T08:26:40.000Z\",\"ended\":"
	    "\"2026-12-02T08:26:44.250Z\",\"duration_ms\":4250}\n");
	sbuf_free(&b);
	sbuf_init(&b);
	admin_render_result(true, "maintenance", NULL, &b);
	assert_string_equal(b.data,
	    "{\"ok\":true,\"state\":\"maintenance\"}\n");
	sbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_admin_verbs),
		cmocka_unit_test(test_admin_methods),
		cmocka_unit_test(test_admin_loopback),
		cmocka_unit_test(test_admin_access),
		cmocka_unit_test(test_admin_token_equal),
		cmocka_unit_test(test_admin_token_parse),
		cmocka_unit_test(test_admin_status_body),
		cmocka_unit_test(test_admin_end_body),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
