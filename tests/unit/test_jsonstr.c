/*
 * Unit tests for jsonstr.c: the one JSON string escaper.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "jsonstr.h"

static void
test_jsonstr_escapes_quotes_backslashes_and_controls(void **state)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "plain", "plain" }, { "a\"b", "a\\\"b" }, { "a\\b", "a\\\\b" },
		{ "l1\nl2", "l1\\nl2" }, { "\t\r\x01", "\\u0009\\u000d\\u0001" },
		{ "\x7f", "\\u007f" }, { "caf\xc3\xa9", "caf\xc3\xa9" }, { "", "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[64];
		size_t len = 0, n = strlen(cases[i].in);

		jsonstr_put(buf, sizeof(buf), &len, cases[i].in, n);
		assert_string_equal(buf, cases[i].out);
		assert_int_equal(len, strlen(cases[i].out));
		assert_int_equal(jsonstr_len(cases[i].in, n), len);
	}
}

/* A short buffer is filled up to an escape, never into one. */
static void
test_jsonstr_never_cuts_an_escape(void **state)
{
	char buf[6];
	size_t len = 0;

	(void)state;
	jsonstr_put(buf, sizeof(buf), &len, "ab\x01", 3);
	assert_string_equal(buf, "ab");
	len = 3;
	memcpy(buf, "xyz", 4);
	jsonstr_put(buf, sizeof(buf), &len, "\"q", 2);
	assert_string_equal(buf, "xyz\\\"");
	assert_int_equal(len, 5);
	jsonstr_put(buf, sizeof(buf), &len, "more", 4);
	assert_int_equal(len, 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_jsonstr_escapes_quotes_backslashes_and_controls),
		cmocka_unit_test(test_jsonstr_never_cuts_an_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
