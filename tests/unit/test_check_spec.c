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
		    "interval, timeout, rise, fall, fastinter, severity, ca, sni, "
		    "insecure, cert, key)" },
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
		    "takes interval, timeout, rise, fall, fastinter, severity)" },
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

/* http's method, header and body: decoded, in the spec, out of the path. */
static void
test_check_spec_http_method_headers_body(void **state)
{
	struct check_spec cs;

	(void)state;
	assert_null(check_spec_parse("http://127.0.0.1:1/h?method=HEAD&"
	    "header=Host:app.example&header=X-Token:%20a%26b&q=1", &sched,
	    &cs));
	assert_int_equal(cs.method, CHECK_SPEC_METHOD_HEAD);
	assert_string_equal(cs.headers, "Host: app.example\r\n"
	    "X-Token: a&b\r\n");
	assert_true(cs.host_header);
	assert_false(cs.agent_header);
	assert_string_equal(cs.path, "/h?q=1");
	check_spec_free(&cs);
	assert_null(check_spec_parse("http://127.0.0.1:1/?body=\"status\":"
	    "\"up\"", &sched, &cs));
	assert_int_equal(cs.method, CHECK_SPEC_METHOD_GET);
	assert_int_equal(cs.body.len, 13);
	assert_memory_equal(cs.body.b, "\"status\":\"up\"", 13);
	assert_string_equal(cs.path, "/");
	check_spec_free(&cs);
	assert_null(check_spec_parse("http://127.0.0.1:1/?body=%22status%22"
	    "%3A%22up%22&header=User-Agent:lb", &sched, &cs));
	assert_int_equal(cs.body.len, 13);
	assert_memory_equal(cs.body.b, "\"status\":\"up\"", 13);
	assert_true(cs.agent_header);
	check_spec_free(&cs);
}

static void
test_check_spec_http_params_refused(void **state)
{
	static const struct {
		const char	*in;
		const char	*err;	/* the whole reason */
	} cases[] = {
		{ "http://127.0.0.1:1/?method=POST", "parameter method is not "
		    "GET or HEAD" },
		{ "http://127.0.0.1:1/?header=NoColon", "parameter header is "
		    "not Name:Value" },
		{ "http://127.0.0.1:1/?header=Bad%20Name:v", "parameter header "
		    "has a name that is not a field name" },
		{ "http://127.0.0.1:1/?header=X:a%0D%0AEvil:1",
		    "parameter header holds a NUL, CR or LF" },
		{ "http://127.0.0.1:1/?header=Connection:keep-alive",
		    "parameter header names a field healthgate sets itself" },
		{ "http://127.0.0.1:1/?header=Host:a&header=host:b",
		    "parameter header gives Host twice" },
		{ "http://127.0.0.1:1/?body=", "parameter body is empty" },
		{ "http://127.0.0.1:1/?body=50%", "parameter body has a '%' "
		    "without two hex digits after it" },
		{ "http://127.0.0.1:1/?body=a&body=b", "parameter body is "
		    "given twice" },
		{ "http://127.0.0.1:1/?body=up&method=HEAD", "parameter body "
		    "needs method=GET: HEAD has no body" },
		{ "tcp://127.0.0.1:1?body=x", "has an unknown parameter body "
		    "(it takes interval, timeout, rise, fall, fastinter, "
		    "severity, send, expect)" },
		{ "tcp://127.0.0.1:1?send=PING%0", "parameter send has a '%' "
		    "without two hex digits after it" },
		{ "tcp://127.0.0.1:1?expect=", "parameter expect is empty" },
		{ "exec?send=x:/bin/true", "has an unknown parameter send (it "
		    "takes interval, timeout, rise, fall, fastinter, severity)" },
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

/* tcp's send and expect: bytes, percent-decoded, NULs included. */
static void
test_check_spec_tcp_send_expect(void **state)
{
	struct check_spec cs;

	(void)state;
	assert_null(check_spec_parse("redis=tcp://127.0.0.1:6379?send=PING%0D"
	    "%0A&expect=%2BPONG", &sched, &cs));
	assert_int_equal(cs.send.len, 6);
	assert_memory_equal(cs.send.b, "PING\r\n", 6);
	assert_int_equal(cs.expect.len, 5);
	assert_memory_equal(cs.expect.b, "+PONG", 5);
	check_spec_free(&cs);
	assert_null(check_spec_parse("pg=tcp://127.0.0.1:5432?send=%00%00%00"
	    "%08%04%D2%16%2F&expect=N", &sched, &cs));
	assert_int_equal(cs.send.len, 8);
	assert_memory_equal(cs.send.b, "\0\0\0\x08\x04\xd2\x16\x2f", 8);
	check_spec_free(&cs);
	assert_null(check_spec_parse("tcp://127.0.0.1:1?fastinter=250ms",
	    &sched, &cs));
	assert_int_equal(cs.fastinter_ms, 250);
	check_spec_free(&cs);
	assert_null(check_spec_parse("smtp=tcp://127.0.0.1:25?expect=220%20",
	    &sched, &cs));
	assert_int_equal(cs.send.len, 0);
	assert_memory_equal(cs.expect.b, "220 ", 4);
	check_spec_free(&cs);
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
		cmocka_unit_test(test_check_spec_http_method_headers_body),
		cmocka_unit_test(test_check_spec_http_params_refused),
		cmocka_unit_test(test_check_spec_tcp_send_expect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
