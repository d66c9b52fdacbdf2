/*
 * Unit tests for decimal.c: the one reader of unsigned decimals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "decimal.h"

static void
test_decimal_parse_table(void **state)
{
	static const struct {
		const char		*in;
		unsigned long long	 max;
		bool			 ok;
		unsigned long long	 v;
	} cases[] = {
		{ "0", 0, true, 0 }, { "5", 0, false, 0 }, { "7", 9, true, 7 },
		{ "007", 9, true, 7 }, { "65535", 65535, true, 65535 },
		{ "65536", 65535, false, 0 }, { "128", 128, true, 128 },
		{ "129", 128, false, 0 },
		{ "18446744073709551615", ~0ULL, true, 18446744073709551615ULL },
		{ "18446744073709551616", ~0ULL, false, 0 },
		{ "99999999999999999999", ~0ULL, false, 0 },
		{ "000000000000000000000001", ~0ULL, true, 1 },
		{ "", ~0ULL, false, 0 }, { "-1", ~0ULL, false, 0 },
		{ "+1", ~0ULL, false, 0 }, { " 1", ~0ULL, false, 0 },
		{ "1 ", ~0ULL, false, 0 }, { "1x", ~0ULL, false, 0 },
		{ "0x10", ~0ULL, false, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned long long v = 42;
		bool ok = decimal_parse(cases[i].in, strlen(cases[i].in),
		    cases[i].max, &v);

		if (ok != cases[i].ok)
			fail_msg("\"%s\" (max %llu): %s", cases[i].in,
			    cases[i].max, ok ? "accepted" : "refused");
		assert_true(ok ? v == cases[i].v : v == 42);
	}
}

/* Only n bytes are read: a number inside a longer line. */
static void
test_decimal_reads_only_its_span(void **state)
{
	const char *line = "Content-Length: 1234\r\n";
	unsigned long long v;

	(void)state;
	assert_int_equal(decimal_span(line + 16, strlen(line + 16)), 4);
	assert_true(decimal_parse(line + 16, 4, 65536, &v));
	assert_int_equal(v, 1234);
	assert_false(decimal_parse(line + 16, 5, 65536, &v));
	assert_int_equal(decimal_span("x1", 2), 0);
	assert_int_equal(decimal_span("12", 1), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decimal_parse_table),
		cmocka_unit_test(test_decimal_reads_only_its_span),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
