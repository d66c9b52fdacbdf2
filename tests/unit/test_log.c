/* Unit tests for log.c: text and JSON lines from keys and values. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <jansson.h>

#include "log.h"

static void
test_log_text_line(void **state)
{
	char buf[256];

	(void)state;
	log_format_kv(buf, sizeof(buf), LOG_FORMAT_TEXT, "T", LOG_WARN,
	    "check_down", (const struct log_kv[]){ LOG_S("name", "app"),
	    LOG_Q("reason", "timeout after 1000 ms"), LOG_END });
	assert_string_equal(buf, "T warn check_down name=app "
	    "reason=\"timeout after 1000 ms\"");
	log_format_kv(buf, sizeof(buf), LOG_FORMAT_TEXT, "T", LOG_INFO, "exit",
	    (const struct log_kv[]){ LOG_END });
	assert_string_equal(buf, "T info exit");
}

/* Numbers stay numbers in JSON, with the digits text shows. */
static void
test_log_json_numbers_and_strings(void **state)
{
	char buf[512];

	(void)state;
	log_format_kv(buf, sizeof(buf), LOG_FORMAT_JSON, "T", LOG_INFO,
	    "drain_end", (const struct log_kv[]){ LOG_S("reason", "evidence"),
	    LOG_U("watched", 3), LOG_I("last", -1), LOG_F("ms", 5, 1),
	    LOG_G("period_s", 60), LOG_S("port", "007"), LOG_F("nan", NAN,
	    1), LOG_END });
	assert_string_equal(buf, "{\"ts\":\"T\",\"level\":\"info\","
	    "\"event\":\"drain_end\",\"reason\":\"evidence\",\"watched\":3,"
	    "\"last\":-1,\"ms\":5.0,\"period_s\":60,\"port\":\"007\","
	    "\"nan\":\"nan\"}");
	log_format_kv(buf, sizeof(buf), LOG_FORMAT_TEXT, "T", LOG_INFO,
	    "drain_end", (const struct log_kv[]){ LOG_U("watched", 3),
	    LOG_F("ms", 5, 1), LOG_S("empty", ""), LOG_S("null", NULL),
	    LOG_SN("cut", "abcdef", 3), LOG_END });
	assert_string_equal(buf, "T info drain_end watched=3 ms=5.0 empty=\"\" "
	    "null=\"\" cut=abc");
}

/* A logfmt value read back: bare to the next space, or quoted. */
static const char *
parse_text_value(const char *p, char *out, size_t size)
{
	size_t n = 0;

	if (*p != '"') {
		while (*p && *p != ' ' && n + 1 < size)
			out[n++] = *p++;
		out[n] = '\0';
		return p;
	}
	for (p++; *p && *p != '"' && n + 1 < size; p++) {
		char c = *p;

		if (c == '\\') {
			c = *++p;
			if (c == 'n')
				c = '\n';
			else if (c == 'r')
				c = '\r';
			else if (c == 't')
				c = '\t';
			else if (c == 'x') {
				char hex[3] = { p[1], p[2], '\0' };

				assert_true(hex[0] != '\0' && hex[1] != '\0');
				c = (char)strtoul(hex, NULL, 16);
				p += 2;
			} else
				assert_true(c == '"' || c == '\\');
		} else
			assert_true((unsigned char)c >= 0x20 && c != 0x7f);
		out[n++] = c;
	}
	assert_int_equal(*p, '"');
	out[n] = '\0';
	return p + 1;
}

/*
 * Values no caller may alter: each is written as "k=<value> after=1", read
 * back from the text line by a logfmt reader and from the JSON line by
 * jansson. Text gives back every byte; JSON every byte that is UTF-8, and
 * U+FFFD for each ill-formed part (JSON is UTF-8 only, RFC 8259 8.1).
 */
static const struct {
	const char *value;
	const char *json;	/* what JSON gives back, when not value */
} hostile[] = {
	{ "plain", NULL },
	{ "", NULL },
	{ "two words", NULL },
	{ "say \"hi\"", NULL },
	{ "\"", NULL },
	{ "back\\slash\\", NULL },
	{ "\\\"", NULL },
	{ "line one\nline two", NULL },
	{ "\r\n\t", NULL },
	{ "bell\a esc\x1b[31m del\x7f", NULL },
	{ "key=value", NULL },
	{ "a=1 b=\"2\" msg=x", NULL },
	{ " leading and trailing ", NULL },
	{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", NULL },
	{ "bad \xff byte", "bad \xef\xbf\xbd byte" },
	{ "cut \xe2\x82", "cut \xef\xbf\xbd" },
	{ "\xc0\xaf overlong", "\xef\xbf\xbd\xef\xbf\xbd overlong" },
	{ "}{\"],", NULL },
};

static void
test_log_hostile_values_round_trip_in_text(void **state)
{
	char line[1024], got[256];

	(void)state;
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		const char *p;

		for (int q = 0; q < 2; q++) {
			log_format_kv(line, sizeof(line), LOG_FORMAT_TEXT, "T",
			    LOG_WARN, "e", (const struct log_kv[]){
			    q ? LOG_Q("k", hostile[i].value) :
			    LOG_S("k", hostile[i].value), LOG_U("after", 1),
			    LOG_END });
			/* One line, clean of controls, whatever the value. */
			for (p = line; *p; p++)
				assert_true((unsigned char)*p >= 0x20 &&
				    *p != 0x7f);
			assert_memory_equal(line, "T warn e k=", 11);
			p = parse_text_value(line + 11, got, sizeof(got));
			assert_string_equal(got, hostile[i].value);
			assert_string_equal(p, " after=1");
		}
	}
}

static void
test_log_hostile_values_round_trip_in_json(void **state)
{
	char line[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		const char *want = hostile[i].json ? hostile[i].json :
		    hostile[i].value;
		json_error_t err;
		json_t *o;

		log_format_kv(line, sizeof(line), LOG_FORMAT_JSON, "T",
		    LOG_WARN, "e", (const struct log_kv[]){
		    LOG_Q("k", hostile[i].value), LOG_U("after", 1),
		    LOG_END });
		assert_null(strchr(line, '\n'));
		o = json_loads(line, 0, &err);
		if (o == NULL)
			fail_msg("%s: %s", line, err.text);
		assert_int_equal(json_object_size(o), 5);
		assert_string_equal(json_string_value(json_object_get(o,
		    "event")), "e");
		assert_string_equal(json_string_value(json_object_get(o, "k")),
		    want);
		assert_int_equal(json_integer_value(json_object_get(o,
		    "after")), 1);
		json_decref(o);
	}
}

/* Keys, too, are written once and escaped in JSON. */
static void
test_log_json_escapes_keys_and_event(void **state)
{
	char buf[256];

	(void)state;
	log_format_kv(buf, sizeof(buf), LOG_FORMAT_JSON, "T", LOG_ERROR,
	    "e\"v", (const struct log_kv[]){ LOG_S("k\"", "a\tb"), LOG_END });
	assert_string_equal(buf, "{\"ts\":\"T\",\"level\":\"error\","
	    "\"event\":\"e\\\"v\",\"k\\\"\":\"a\\u0009b\"}");
}

/* A cut line ends on a whole escape, never inside one. */
static void
test_log_truncates_to_buffer_on_whole_escapes(void **state)
{
	char buf[12];

	(void)state;
	log_format_kv(buf, sizeof(buf), LOG_FORMAT_TEXT, "TS", LOG_INFO,
	    "event", (const struct log_kv[]){ LOG_U("a", 1), LOG_END });
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_string_equal(buf, "TS info eve");
	for (size_t size = 14; size < 24; size++) {
		char cut[24];
		size_t n;

		log_format_kv(cut, size, LOG_FORMAT_TEXT, "T", LOG_INFO, "e",
		    (const struct log_kv[]){ LOG_Q("k", "\n\n\n\n\n\n"),
		    LOG_END });
		n = strlen(cut);
		assert_true(n < size);
		/* After "T info e k=\"": whole "\n" pairs only. */
		assert_true(n < 12 || (n - 12) % 2 == 0 ||
		    cut[n - 1] == '"');
	}
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

/*
 * log_kv with fd 2 on a temporary file and JOURNAL_STREAM set by how
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
	log_kv(level, "check_down", LOG_S("name", "app"));
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
		cmocka_unit_test(test_log_json_numbers_and_strings),
		cmocka_unit_test(test_log_hostile_values_round_trip_in_text),
		cmocka_unit_test(test_log_hostile_values_round_trip_in_json),
		cmocka_unit_test(test_log_json_escapes_keys_and_event),
		cmocka_unit_test(test_log_truncates_to_buffer_on_whole_escapes),
		cmocka_unit_test(
		    test_log_refusal_is_one_json_object_or_the_old_text),
		cmocka_unit_test(test_log_journal_lines_carry_syslog_level),
		cmocka_unit_test(test_log_no_prefix_unless_stderr_is_the_journal),
		cmocka_unit_test(test_log_journal_stream_parses_dev_ino),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
