/* Unit tests for log.c: text and JSON lines from logfmt fields. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "log.h"

static void
test_log_text_line(void **state)
{
	char buf[256];

	(void)state;
	log_format_line(buf, sizeof(buf), LOG_FORMAT_TEXT, "T", LOG_WARN,
	    "check_down", "name=app reason=\"timeout after 1000 ms\"");
	assert_string_equal(buf, "T warn check_down name=app "
	    "reason=\"timeout after 1000 ms\"");
	log_format_line(buf, sizeof(buf), LOG_FORMAT_TEXT, "T", LOG_INFO, "exit", "");
	assert_string_equal(buf, "T info exit");
}

static void
test_log_json_line_turns_fields_into_members(void **state)
{
	char buf[256];

	(void)state;
	log_format_line(buf, sizeof(buf), LOG_FORMAT_JSON, "T", LOG_INFO,
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
	log_format_line(buf, sizeof(buf), LOG_FORMAT_JSON, "T", LOG_INFO, "e",
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
	log_format_line(buf, sizeof(buf), LOG_FORMAT_JSON, "T", LOG_ERROR, "e",
	    "k=a\tb");
	assert_string_equal(buf, "{\"ts\":\"T\",\"level\":\"error\","
	    "\"event\":\"e\",\"k\":\"a\\u0009b\"}");
}

static void
test_log_refusal_is_one_json_object_or_the_old_text(void **state)
{
	char buf[256];

	(void)state;
	log_format_refusal(buf, sizeof(buf), LOG_FORMAT_JSON, "T", "config_error",
	    "--interval: \"a\\b\n\" is not a duration");
	assert_string_equal(buf, "{\"ts\":\"T\",\"level\":\"error\","
	    "\"event\":\"config_error\",\"msg\":\"--interval: \\\"a\\\\b"
	    "\\n\\\" is not a duration\"}");
	log_format_refusal(buf, sizeof(buf), LOG_FORMAT_TEXT, "T", "config_error",
	    "--interval: \"abc\" is not a duration");
	assert_string_equal(buf, "healthgate: --interval: \"abc\" is not a "
	    "duration");
	log_format_refusal(buf, 10, LOG_FORMAT_JSON, "T", "e", "m");
	assert_int_equal(strlen(buf), 9);
}

static void
test_log_truncates_to_buffer(void **state)
{
	char buf[12];

	(void)state;
	log_format_line(buf, sizeof(buf), LOG_FORMAT_TEXT, "TS", LOG_INFO, "event",
	    "a=1 b=2 c=3");
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_string_equal(buf, "TS info eve");
}

/*
 * log_event with fd 2 on a temporary file and JOURNAL_STREAM set by how
 * (the file's own "DEV:INO", another file's, or unset); the file's
 * content is returned in out.
 */
enum stream { STREAM_SELF, STREAM_OTHER, STREAM_UNSET };

static void
log_to_file(enum stream how, enum log_level level, char *out, size_t size)
{
	FILE *f = tmpfile(), *other = tmpfile();
	struct stat st;
	char env[64];
	int saved;
	size_t n;

	assert_non_null(f);
	assert_non_null(other);
	assert_int_equal(fstat(fileno(how == STREAM_OTHER ? other : f), &st), 0);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	if (how == STREAM_UNSET)
		unsetenv("JOURNAL_STREAM");
	else
		setenv("JOURNAL_STREAM", env, 1);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fileno(f), 2), 2);
	log_init(LOG_FORMAT_TEXT);
	log_event(level, "check_down", "name=app");
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	unsetenv("JOURNAL_STREAM");
	log_init(LOG_FORMAT_TEXT);
	rewind(f);
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	fclose(f);
	fclose(other);
}

/* stderr is the journal's stream: each line starts with its <N> level. */
static void
test_log_journal_lines_carry_syslog_level(void **state)
{
	static const struct {
		enum log_level level;
		const char *prefix;
	} cases[] = {
		{ LOG_DEBUG, "<7>" },
		{ LOG_INFO, "<6>" },
		{ LOG_WARN, "<4>" },
		{ LOG_ERROR, "<3>" },
	};
	char out[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		log_to_file(STREAM_SELF, cases[i].level, out, sizeof(out));
		assert_memory_equal(out, cases[i].prefix, 3);
		assert_non_null(strstr(out, " check_down name=app\n"));
		/* One prefix, at the start only. */
		assert_null(strchr(out + 3, '<'));
	}
}

/*
 * JOURNAL_STREAM inherited by a process whose stderr went elsewhere (a
 * pipe, a file), or not set at all: plain lines, no prefix.
 */
static void
test_log_no_prefix_unless_stderr_is_the_journal(void **state)
{
	char out[512];

	(void)state;
	log_to_file(STREAM_OTHER, LOG_WARN, out, sizeof(out));
	assert_true(out[0] != '<');
	assert_non_null(strstr(out, " warn check_down name=app\n"));
	log_to_file(STREAM_UNSET, LOG_ERROR, out, sizeof(out));
	assert_true(out[0] != '<');
	assert_non_null(strstr(out, " error check_down name=app\n"));
}

/* JOURNAL_STREAM's "DEV:INO": decimal, both parts, nothing around. */
static void
test_log_journal_stream_parses_dev_ino(void **state)
{
	static const struct {
		const char *env;
		bool match;
	} cases[] = {
		{ "2049:131", true },
		{ "2049:132", false },
		{ "2048:131", false },
		{ "2049:131 ", false },
		{ " 2049:131", false },
		{ "2049:131:7", false },
		{ "2049:", false },
		{ ":131", false },
		{ "2049", false },
		{ "+2049:131", false },
		{ "2049:-131", false },
		{ "0x801:131", false },
		{ "", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(log_journal_stream_is(cases[i].env, 2049, 131),
		    cases[i].match);
	assert_false(log_journal_stream_is(NULL, 2049, 131));
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
		cmocka_unit_test(
		    test_log_refusal_is_one_json_object_or_the_old_text),
		cmocka_unit_test(test_log_journal_lines_carry_syslog_level),
		cmocka_unit_test(test_log_no_prefix_unless_stderr_is_the_journal),
		cmocka_unit_test(test_log_journal_stream_parses_dev_ino),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
