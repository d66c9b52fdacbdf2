/* Unit tests for sbuf.c: growth and JSON strings. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "sbuf.h"

static void
test_sbuf_grows_past_first_allocation(void **state)
{
	struct sbuf b;

	(void)state;
	sbuf_init(&b);
	for (int i = 0; i < 1000; i++)
		sbuf_printf(&b, "%04d", i);
	assert_false(sbuf_failed(&b));
	assert_int_equal(b.len, 4000);
	assert_int_equal(strlen(b.data), 4000);
	assert_memory_equal(b.data + 3996, "0999", 4);
	sbuf_free(&b);
}

static void
test_sbuf_json_string_escapes(void **state)
{
	struct sbuf b;

	(void)state;
	sbuf_init(&b);
	sbuf_json_string(&b, "a\"b\\c\nd\x01\x7f");
	assert_string_equal(b.data, "\"a\\\"b\\\\c\\nd\\u0001\\u007f\"");
	sbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sbuf_grows_past_first_allocation),
		cmocka_unit_test(test_sbuf_json_string_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
