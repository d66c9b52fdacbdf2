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
		{ "grpc://127.0.0.1:50051", "grpc-127.0.0.1-50051",
		    CHECK_SPEC_GRPC, "127.0.0.1", 50051, 2000, 1000 },
		{ "api=grpc://app:9/my.pkg.Svc?timeout=300ms", "api",
		    CHECK_SPEC_GRPC, "app", 9, 2000, 300 },
		{ "grpc://[::1]:9/x", "grpc-__1-9-x", CHECK_SPEC_GRPC, "::1", 9,
		    2000, 1000 },
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

/* https:// and tls://: their TLS parameters are ours, the rest the app's. */
static void
test_check_spec_tls_parameters(void **state)
{
	struct check_spec cs;

	(void)state;
	assert_null(check_spec_parse("https://app.internal/health?ca=/etc/ca.pem"
	    "&x=1&sni=other&timeout=500ms", &sched, &cs));
	assert_int_equal(cs.kind, CHECK_SPEC_HTTP);
	assert_true(cs.tls.on);
	assert_false(cs.tls.insecure);
	assert_int_equal(cs.port, 443);
	assert_string_equal(cs.name, "https-app.internal-443");
	assert_string_equal(cs.path, "/health?x=1");
	assert_string_equal(cs.tls.ca, "/etc/ca.pem");
	assert_string_equal(cs.tls.sni, "other");
	assert_int_equal(cs.timeout_ms, 500);

	assert_null(check_spec_parse("m=tls://127.0.0.1:8443?insecure&cert=/c"
	    "&key=/k", &sched, &cs));
	assert_int_equal(cs.kind, CHECK_SPEC_TLS);
	assert_true(cs.tls.on && cs.tls.insecure);
	assert_string_equal(cs.name, "m");
	assert_string_equal(cs.tls.cert, "/c");
	assert_string_equal(cs.tls.key, "/k");
	assert_string_equal(cs.tls.ca, "");

	/* An address is fine with a name to check against. */
	assert_null(check_spec_parse("tls://10.0.0.1:443?sni=app.internal",
	    &sched, &cs));
	assert_string_equal(cs.name, "tls-10.0.0.1-443");
	assert_string_equal(cs.tls.sni, "app.internal");

	/* Over plain http the same words are the app's. */
	assert_null(check_spec_parse("http://app/?ca=1&insecure", &sched, &cs));
	assert_false(cs.tls.on);
	assert_string_equal(cs.path, "/?ca=1&insecure");
	assert_string_equal(cs.tls.ca, "");
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
		{ "grpc://127.0.0.1", "missing :PORT" },
		{ "grpc://127.0.0.1:1/a b", "not a plain name" },
		{ "grpc://127.0.0.1:1/a/b", "not a plain name" },
		{ "grpc://127.0.0.1:1?expect=200", "unknown parameter" },
		{ "grpc://127.0.0.1:0", "HOST:PORT" },
		{ "a=ftp://127.0.0.1/", "unknown scheme" },
		{ "", "unknown scheme" },
		{ "exec?timeout=3s:/bin/true", "below the interval" },
		{ "tcp://127.0.0.1:1?interval=1m30", "interval is not" },
		/* TLS: each parameter named, and what goes together. */
		{ "tls://app:1/x", "tls:// takes no path" },
		{ "tls://app", "missing :PORT" },
		{ "tls://:1", "tls:// needs HOST:PORT" },
		{ "tls://app:1?bogus=1", "unknown parameter bogus (it takes "
		    "interval, timeout, rise, fall, severity, ca, sni, insecure, cert, "
		    "key)" },
		{ "tcp://app:1?ca=x", "unknown parameter ca" },
		{ "https://127.0.0.1:1/", "add sni=NAME" },
		{ "tls://[::1]:1", "add sni=NAME" },
		{ "https://app/?ca=", "parameter ca needs a file" },
		{ "https://app/?ca", "parameter ca needs =VALUE" },
		{ "tls://app:1?cert=/c", "parameter cert needs key=" },
		{ "tls://app:1?key=/k", "parameter key needs cert=" },
		{ "tls://app:1?cert=/c&key=", "parameter key needs a file" },
		{ "tls://app:1?ca=/a&ca=/b", "parameter ca is given twice" },
		{ "https://app/?sni=a..b", "parameter sni is not a host name" },
		{ "https://app/?sni", "parameter sni needs =VALUE" },
		{ "https://app/?insecure=no", "parameter insecure takes no value" },
		{ "https://app/?insecure&ca=/x", "insecure and ca contradict" },
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
		{ "exec?x=1:/bin/true", "has an unknown parameter x (it "
		    "takes interval, timeout, rise, fall, severity)" },
		{ "tcp://127.0.0.1:1?severity=warning", "parameter severity "
		    "is not fail or warn" },
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

/* severity: fail unless it says warn, on every kind. */
static void
test_check_spec_severity(void **state)
{
	static const struct {
		const char	*in;
		enum check_spec_severity sev;
	} cases[] = {
		{ "tcp://127.0.0.1:1", CHECK_SPEC_SEVERITY_FAIL },
		{ "tcp://127.0.0.1:1?severity=warn", CHECK_SPEC_SEVERITY_WARN },
		{ "http://127.0.0.1:1/?severity=warn&a=b",
		    CHECK_SPEC_SEVERITY_WARN },
		{ "exec?severity=fail:/bin/true", CHECK_SPEC_SEVERITY_FAIL },
		{ "exec?severity=warn:/bin/true", CHECK_SPEC_SEVERITY_WARN },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct check_spec cs;
		const char *err = check_spec_parse(cases[i].in, &sched, &cs);

		if (err)
			fail_msg("\"%s\": %s", cases[i].in, err);
		assert_int_equal(cs.severity, cases[i].sev);
		check_spec_free(&cs);
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
		cmocka_unit_test(test_check_spec_tls_parameters),
		cmocka_unit_test(test_check_spec_params_refused_by_name),
		cmocka_unit_test(test_check_spec_http_keeps_the_apps_parameters),
		cmocka_unit_test(test_check_spec_severity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
