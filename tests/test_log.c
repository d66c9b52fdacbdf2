/* Unit tests for log.c: text and JSON lines from logfmt fields. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "log.h"

static void
test_log_text_line(void **state)
{
	char buf[256];

	(void)state;
	log_format_line(buf, sizeof(buf), LOG_TEXT, "T", LOG_WARN,
	    "check_down", "name=app reason=\"timeout after 1000 ms\"");
	assert_string_equal(buf, "T warn check_down name=app "
	    "reason=\"timeout after 1000 ms\"");
	log_format_line(buf, sizeof(buf), LOG_TEXT, "T", LOG_INFO, "exit", "");
	assert_string_equal(buf, "T info exit");
}

static void
test_log_json_line_turns_fields_into_members(void **state)
{
	char buf[256];

	(void)state;
	log_format_line(buf, sizeof(buf), LOG_JSON, "T", LOG_INFO,
	    "drain_end", "reason=evidence watched=3 why=\"a \\\"b\\\" c\" odd");
	assert_string_equal(buf, "{\"ts\":\"T\",\"level\":\"info\","
	    "\"event\":\"drain_end\",\"reason\":\"evidence\","
	    "\"watched\":3,\"why\":\"a \\\"b\\\" c\",\"msg\":\"odd\"}");
}

static void
test_log_json_keeps_only_real_numbers_unquoted(void **state)
{
	char buf[256];

	(void)state;
	log_format_line(buf, sizeof(buf), LOG_JSON, "T", LOG_INFO, "e",
	    "a=1.5 b=-2 c=007 d=1. e=1.2.3 f=0 g=12ab h=-");
	assert_string_equal(buf, "{\"ts\":\"T\",\"level\":\"info\","
	    "\"event\":\"e\",\"a\":1.5,\"b\":-2,\"c\":\"007\","
	    "\"d\":\"1.\",\"e\":\"1.2.3\",\"f\":0,\"g\":\"12ab\","
	    "\"h\":\"-\"}");
}

static void
test_log_json_escapes_control_characters(void **state)
{
	char buf[256];

	(void)state;
	log_format_line(buf, sizeof(buf), LOG_JSON, "T", LOG_ERROR, "e",
	    "k=a\tb");
	assert_string_equal(buf, "{\"ts\":\"T\",\"level\":\"error\","
	    "\"event\":\"e\",\"k\":\"a\\u0009b\"}");
}

static void
test_log_truncates_to_buffer(void **state)
{
	char buf[12];

	(void)state;
	log_format_line(buf, sizeof(buf), LOG_TEXT, "TS", LOG_INFO, "event",
	    "a=1 b=2 c=3");
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_string_equal(buf, "TS info eve");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_text_line),
		cmocka_unit_test(test_log_json_line_turns_fields_into_members),
		cmocka_unit_test(test_log_json_keeps_only_real_numbers_unquoted),
		cmocka_unit_test(test_log_json_escapes_control_characters),
		cmocka_unit_test(test_log_truncates_to_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
