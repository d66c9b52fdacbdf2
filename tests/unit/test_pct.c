/*
 * Unit tests for pct.c: percent-decoding of parameter values and the
 * reverse for reasons.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "pct.h"

static void
test_pct_decode_table(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;	/* NULL: refused */
		size_t		 len;
	} cases[] = {
		{ "PING%0D%0A", "PING\r\n", 6 },
		{ "%2BPONG", "+PONG", 5 },
		{ "a+b", "a+b", 3 },		/* '+' is a plus */
		{ "%22status%22%3a%22up%22", "\"status\":\"up\"", 13 },
		{ "\"status\":\"up\"", "\"status\":\"up\"", 13 },
		{ "%00x", "\0x", 2 },
		{ "", "", 0 },
		{ "%", NULL, 0 }, { "%4", NULL, 0 }, { "%G0", NULL, 0 },
		{ "ab%0", NULL, 0 }, { "%%41", NULL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[32];
		size_t len = 99;
		const char *err = pct_decode(cases[i].in, out, sizeof(out),
		    &len);

		if (cases[i].out == NULL) {
			if (err == NULL)
				fail_msg("\"%s\" accepted", cases[i].in);
			continue;
		}
		if (err)
			fail_msg("\"%s\": %s", cases[i].in, err);
		assert_int_equal(len, cases[i].len);
		assert_memory_equal(out, cases[i].out, len);
	}
}

static void
test_pct_decode_refuses_what_does_not_fit(void **state)
{
	char out[4];
	size_t len;

	(void)state;
	assert_null(pct_decode("%41bcd", out, 4, &len));
	assert_int_equal(len, 4);
	assert_non_null(pct_decode("abcde", out, 4, &len));
}

/* What pct_show writes reads back through pct_decode. */
static void
test_pct_show_round_trips_and_cuts_with_dots(void **state)
{
	static const char bytes[] = "+PONG \r\n%\x01\xff\"";
	char shown[64], back[64];
	size_t len;

	(void)state;
	pct_show(bytes, sizeof(bytes) - 1, shown, sizeof(shown));
	assert_string_equal(shown, "+PONG %0D%0A%25%01%FF\"");
	assert_null(pct_decode(shown, back, sizeof(back), &len));
	assert_int_equal(len, sizeof(bytes) - 1);
	assert_memory_equal(back, bytes, len);
	pct_show("abcdefgh", 8, shown, 8);
	assert_string_equal(shown, "abcd...");
	pct_show("ab\r\n", 4, shown, 8);	/* never half an escape */
	assert_string_equal(shown, "ab...");
	pct_show("abc", 3, shown, 4);
	assert_string_equal(shown, "abc");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pct_decode_table),
		cmocka_unit_test(test_pct_decode_refuses_what_does_not_fit),
		cmocka_unit_test(test_pct_show_round_trips_and_cuts_with_dots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
