/* Unit tests for probe.c: the default URL and refusals without a network. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "probe.h"

static void
test_probe_default_url_follows_listen(void **state)
{
	static const struct {
		const char *listen, *url;
	} cases[] = {
		{ NULL, "http://127.0.0.1:8081/health" },
		{ "[::]:8081", "http://127.0.0.1:8081/health" },
		{ ":9000", "http://127.0.0.1:9000/health" },
		{ "0.0.0.0:81", "http://127.0.0.1:81/health" },
		{ "127.0.0.2:82", "http://127.0.0.2:82/health" },
		{ "[::1]:83", "http://[::1]:83/health" },
		{ "localhost:84", "http://127.0.0.1:84/health" },
		{ "garbage", "http://127.0.0.1:8081/health" },
	};
	char buf[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		probe_default_url(cases[i].listen, "/health", buf, sizeof(buf));
		assert_string_equal(buf, cases[i].url);
	}
	probe_default_url("[::1]:83", "/live", buf, sizeof(buf));
	assert_string_equal(buf, "http://[::1]:83/live");
}

/* Names are looked up (tests/integration/test_resolve.py); a malformed
 * one is refused before any lookup, so this test sends nothing. */
static void
test_probe_refuses_malformed_names_unasked(void **state)
{
	struct url u;
	char why[128];

	(void)state;
	assert_null(addr_parse_url("http://-app.internal:1/", &u));
	assert_int_equal(probe_get(&u, 100, why, sizeof(why)), 0);
	assert_string_equal(why, "host name label starts with '-'");
}

static void
test_probe_main_exit_codes_for_bad_usage(void **state)
{
	char *const env[] = { NULL };

	(void)state;
	assert_int_equal(probe_main(3, (char *const *)(const char *const[]){ "probe", "--timeout",
	    "x", NULL }, env), 1);
	assert_int_equal(probe_main(2, (char *const *)(const char *const[]){ "probe",
	    "ftp://127.0.0.1/", NULL }, env), 1);
	assert_int_equal(probe_main(2, (char *const *)(const char *const[]){ "probe", "--bogus",
	    NULL }, env), 1);
}

static void
test_probe_response_complete_table(void **state)
{
	static const struct {
		const char *in;
		bool complete;
	} cases[] = {
		{ "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\no", false },
		{ "HTTP/1.1 200 OK\r\ncontent-length:0\r\n\r\n", true },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n", false },
		{ "HTTP/1.1 200 OK\r\n\r\nbody to EOF", false },
		{ "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", false },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999"
		    "\r\n\r\n", false },
		{ "", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (probe_response_complete(cases[i].in, strlen(cases[i].in)) !=
		    cases[i].complete)
			fail_msg("case %zu", i);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_default_url_follows_listen),
		cmocka_unit_test(test_probe_refuses_malformed_names_unasked),
		cmocka_unit_test(test_probe_main_exit_codes_for_bad_usage),
		cmocka_unit_test(test_probe_response_complete_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
