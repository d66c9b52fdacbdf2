/*
 * Unit tests for check_spec.c: the grammar of one check, good and bad
 * specs, names, and the spaces a typed list leaves around them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "check_spec.h"

static const struct check_spec sched = {
	.interval_ms = 2000, .timeout_ms = 1000, .rise = 1, .fall = 1,
};

static void
test_check_spec_good_table(void **state)
{
	static const struct {
		const char	*in;
		const char	*name;
		enum check_spec_kind	 kind;
		const char	*host;	/* or argv[0] for exec */
		unsigned	 port, interval_ms, timeout_ms;
	} cases[] = {
		{ "app=http://127.0.0.1:8080/healthz", "app", CHECK_SPEC_HTTP,
		    "127.0.0.1", 8080, 2000, 1000 },
		{ "http://[::1]:80/", "http-__1-80", CHECK_SPEC_HTTP, "::1", 80, 2000,
		    1000 },
		{ "db=tcp://127.0.0.1:5432?interval=5s&timeout=2s", "db",
		    CHECK_SPEC_TCP, "127.0.0.1", 5432, 5000, 2000 },
		{ "lag=exec?interval=10s&timeout=3s:/bin/true", "lag", CHECK_SPEC_EXEC,
		    "/bin/true", 0, 10000, 3000 },
		/* Spaces a typed list leaves: around the spec and the '='. */
		{ " b=tcp://127.0.0.1:1", "b", CHECK_SPEC_TCP, "127.0.0.1", 1, 2000,
		    1000 },
		{ "\tc = exec:/bin/true  ", "c", CHECK_SPEC_EXEC, "/bin/true", 0, 2000,
		    1000 },
		{ "  tcp://127.0.0.1:2 ", "tcp-127.0.0.1-2", CHECK_SPEC_TCP,
		    "127.0.0.1", 2, 2000, 1000 },
		/* '=' inside a spec is the spec's. */
		{ "http://127.0.0.1:1/?a=b", "http-127.0.0.1-1", CHECK_SPEC_HTTP,
		    "127.0.0.1", 1, 2000, 1000 },
		{ "exec:/bin/echo a=b", "exec-echo", CHECK_SPEC_EXEC, "/bin/echo", 0,
		    2000, 1000 },
		{ "http://127.0.0.1:1/?x=http://y", "http-127.0.0.1-1",
		    CHECK_SPEC_HTTP, "127.0.0.1", 1, 2000, 1000 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct check_spec cs;
		const char *err = check_spec_parse(cases[i].in, &sched, &cs);

		if (err)
			fail_msg("\"%s\": %s", cases[i].in, err);
		assert_string_equal(cs.name, cases[i].name);
		assert_int_equal(cs.kind, cases[i].kind);
		if (cs.kind == CHECK_SPEC_EXEC)
			assert_string_equal(cs.argv[0], cases[i].host);
		else {
			assert_string_equal(cs.host, cases[i].host);
			assert_int_equal(cs.port, cases[i].port);
		}
		assert_int_equal(cs.interval_ms, cases[i].interval_ms);
		assert_int_equal(cs.timeout_ms, cases[i].timeout_ms);
		check_spec_free(&cs);
	}
}

static void
test_check_spec_bad_table_says_what_is_wrong(void **state)
{
	static const struct {
		const char	*in;
		const char	*err;	/* a part of the reason */
	} cases[] = {
		{ "my:app=http://127.0.0.1:1/", "a name before '='" },
		{ "my app=tcp://127.0.0.1:1", "a name before '='" },
		{ "=tcp://127.0.0.1:1", "empty name" },
		{ " = exec:/bin/true", "empty name" },
		{ "ftp://127.0.0.1/", "unknown scheme" },
		{ "a=ftp://127.0.0.1/", "unknown scheme" },
		{ "", "unknown scheme" },
		{ "exec?timeout=3s:/bin/true", "below the interval" },
		{ "tcp://127.0.0.1:1?interval=1m30", "interval is not" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct check_spec cs;
		const char *err = check_spec_parse(cases[i].in, &sched, &cs);

		if (err == NULL)
			fail_msg("\"%s\" accepted", cases[i].in);
		if (strstr(err, cases[i].err) == NULL)
			fail_msg("\"%s\": \"%s\" lacks \"%s\"", cases[i].in,
			    err, cases[i].err);
	}
}

/* Errors from check_param.c's table name the parameter. */
static void
test_check_spec_params_refused_by_name(void **state)
{
	static const struct {
		const char	*in;
		const char	*err;	/* the whole reason */
	} cases[] = {
		{ "tcp://127.0.0.1:1?rise=0", "parameter rise is not 1-100" },
		{ "tcp://127.0.0.1:1?rise=2&rise=3",
		    "parameter rise is given twice" },
		{ "tcp://127.0.0.1:1?interval", "parameter interval needs "
		    "=VALUE" },
		{ "http://127.0.0.1:1/?fall=x", "parameter fall is not 1-100" },
		{ "exec?timeout=1x:/bin/true", "parameter timeout is not a "
		    "duration" },
		{ "tcp://127.0.0.1:1?x=1", "has an unknown parameter x (it "
		    "takes interval, timeout, rise, fall)" },
		{ "http://127.0.0.1:1/?expect=600", "parameter expect is not "
		    "STATUS or LO-HI within 100-599" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct check_spec cs;
		const char *err = check_spec_parse(cases[i].in, &sched, &cs);

		if (err == NULL)
			fail_msg("\"%s\" accepted", cases[i].in);
		if (strcmp(err, cases[i].err) != 0)
			fail_msg("\"%s\": \"%s\", not \"%s\"", cases[i].in,
			    err, cases[i].err);
	}
}

/* An http check's own parameters come out; the app's stay, in order. */
static void
test_check_spec_http_keeps_the_apps_parameters(void **state)
{
	struct check_spec cs;

	(void)state;
	assert_null(check_spec_parse("http://127.0.0.1:1/p?a=1&interval=5s&b&"
	    "c=2&expect=204", &sched, &cs));
	assert_string_equal(cs.path, "/p?a=1&b&c=2");
	assert_int_equal(cs.interval_ms, 5000);
	assert_int_equal(cs.expect_lo, 204);
	assert_int_equal(cs.expect_hi, 204);
	check_spec_free(&cs);
	assert_null(check_spec_parse("http://127.0.0.1:1/p?rise=2", &sched,
	    &cs));
	assert_string_equal(cs.path, "/p");
	assert_int_equal(cs.rise, 2);
	check_spec_free(&cs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_spec_good_table),
		cmocka_unit_test(test_check_spec_bad_table_says_what_is_wrong),
		cmocka_unit_test(test_check_spec_params_refused_by_name),
		cmocka_unit_test(test_check_spec_http_keeps_the_apps_parameters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
