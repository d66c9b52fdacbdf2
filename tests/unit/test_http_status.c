/* Unit tests for http_status.c: the status-line parser. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "http_status.h"

struct status_case {
	const char		*in;
	enum http_status_result	 want;
	unsigned		 code;
};

static const struct status_case cases[] = {
	{ "HTTP/1.1 200 OK\r\n", HTTP_STATUS_DONE, 200 },
	{ "HTTP/1.0 503 Service Unavailable\r\nX: y\r\n", HTTP_STATUS_DONE, 503 },
	{ "HTTP/1.1 204\r\n", HTTP_STATUS_DONE, 204 },
	{ "HTTP/1.1 404 \n", HTTP_STATUS_DONE, 404 },
	{ "HTTP/1.1 200 \xc3\xa9t\xc3\xa9\t!\r\n", HTTP_STATUS_DONE, 200 },
	{ "", HTTP_STATUS_MORE, 0 },
	{ "HTT", HTTP_STATUS_MORE, 0 },
	{ "HTTP/1.1 20", HTTP_STATUS_MORE, 0 },
	{ "HTTP/1.1 200 OK", HTTP_STATUS_MORE, 0 },
	{ "HTTP/1.1 200 OK\r", HTTP_STATUS_MORE, 0 },
	{ "HTTP/2 200\r\n", HTTP_STATUS_BAD, 0 },
	{ "http/1.1 200 OK\r\n", HTTP_STATUS_BAD, 0 },
	{ "HTTP/1.1 2000 OK\r\n", HTTP_STATUS_BAD, 0 },
	{ "HTTP/1.1 20x OK\r\n", HTTP_STATUS_BAD, 0 },
	{ "HTTP/1.1  200 OK\r\n", HTTP_STATUS_BAD, 0 },
	{ "HTTP/1.1 099 Low\r\n", HTTP_STATUS_BAD, 0 },
	{ "HTTP/1.1 200\r\r\n", HTTP_STATUS_BAD, 0 },
	{ "HTTP/1.1 200 O\x01K\r\n", HTTP_STATUS_BAD, 0 },
	{ "HTTP/1.1 200\n", HTTP_STATUS_DONE, 200 },
	{ "HTTP/1.x 200 OK\r\n", HTTP_STATUS_BAD, 0 },
	{ "SSH-2.0-OpenSSH_9.2\r\n", HTTP_STATUS_BAD, 0 },
	{ "\r\n", HTTP_STATUS_BAD, 0 },
};

static void
test_http_status_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned code = 0;
		enum http_status_result r = http_status_parse(cases[i].in,
		    strlen(cases[i].in), &code);

		if (r != cases[i].want)
			fail_msg("case %zu: got %d, want %d", i, r,
			    cases[i].want);
		if (r == HTTP_STATUS_DONE)
			assert_int_equal(code, cases[i].code);
	}
}

static void
test_http_status_endless_line_is_bad(void **state)
{
	char buf[HTTP_STATUS_LINE_MAX];
	unsigned code;

	(void)state;
	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "HTTP/1.1 200 ", 13);
	assert_int_equal(http_status_parse(buf, sizeof(buf) - 1, &code),
	    HTTP_STATUS_MORE);
	assert_int_equal(http_status_parse(buf, sizeof(buf), &code),
	    HTTP_STATUS_BAD);
}

static void
test_http_status_nul_bytes_are_bad(void **state)
{
	static const char line[] = "HTTP/1.1 200 O\0K\r\n";
	unsigned code;

	(void)state;
	assert_int_equal(http_status_parse(line, sizeof(line) - 1, &code),
	    HTTP_STATUS_BAD);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_status_parse_table),
		cmocka_unit_test(test_http_status_endless_line_is_bad),
		cmocka_unit_test(test_http_status_nul_bytes_are_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
