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

/*
 * Bytes that are not UTF-8 (an exec command's output may hold anything)
 * become U+FFFD, one per maximal subpart (Unicode 15, 3.9, U+FFFD
 * substitution), so the JSON stays valid for a strict parser.
 */
static void
test_jsonstr_invalid_utf8_becomes_u_fffd(void **state)
{
#define R	"\xef\xbf\xbd"
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "a\xff" "b", "a" R "b" },		/* never a lead byte */
		{ "\xc0\xaf", R R },		/* overlong lead, lone cont. */
		{ "\xe2\x82", R },			/* cut short: one U+FFFD */
		{ "\xe2\x82" "x", R "x" },
		{ "\xed\xa0\x80", R R R },	/* a surrogate, CESU style */
		{ "\xf4\x90\x80\x80", R R R R },	/* above U+10FFFF */
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },	/* emoji */
		{ "\xe2\x82\xac\x80", "\xe2\x82\xac" R },
		{ "\xc3", R },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[64];
		size_t len = 0, n = strlen(cases[i].in);

		jsonstr_put(buf, sizeof(buf), &len, cases[i].in, n);
		if (strcmp(buf, cases[i].out) != 0)
			fail_msg("case %zu", i);
		assert_int_equal(jsonstr_len(cases[i].in, n), len);
	}
#undef R
}

/* A short buffer never takes half of a character. */
static void
test_jsonstr_never_cuts_a_character(void **state)
{
	char buf[5];
	size_t len = 0;

	(void)state;
	jsonstr_put(buf, sizeof(buf), &len, "ab\xe2\x82\xac", 5);
	assert_string_equal(buf, "ab");
	assert_int_equal(len, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_jsonstr_escapes_quotes_backslashes_and_controls),
		cmocka_unit_test(test_jsonstr_never_cuts_an_escape),
		cmocka_unit_test(test_jsonstr_invalid_utf8_becomes_u_fffd),
		cmocka_unit_test(test_jsonstr_never_cuts_a_character),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
