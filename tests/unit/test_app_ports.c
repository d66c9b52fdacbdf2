/*
 * Unit tests for app_ports.c: the app's ports from its checks, with the
 * host's local addresses faked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "app_ports.h"

/* This fake host has 10.1.2.3 on an interface. */
static bool
fake_local(const char *host, void *arg)
{
	(void)arg;
	return app_ports_is_loopback(host, NULL) ||
	    strcmp(host, "10.1.2.3") == 0;
}

static struct check_spec
spec(enum check_spec_kind kind, const char *host, unsigned port)
{
	struct check_spec cs;

	memset(&cs, 0, sizeof(cs));
	cs.kind = kind;
	snprintf(cs.host, sizeof(cs.host), "%s", host);
	cs.port = port;
	return cs;
}

static void
test_app_ports_local_http_and_tcp_checks_once_each(void **state)
{
	struct check_spec cs[] = {
		spec(CHECK_SPEC_HTTP, "127.0.0.1", 8080),
		spec(CHECK_SPEC_TCP, "localhost", 8080),	/* again */
		spec(CHECK_SPEC_TCP, "::1", 9000),
		spec(CHECK_SPEC_HTTP, "10.1.2.3", 7000),	/* an interface's */
		spec(CHECK_SPEC_HTTP, "10.9.9.9", 5432),	/* another host */
		spec(CHECK_SPEC_TCP, "db", 5432),		/* a name */
		spec(CHECK_SPEC_EXEC, "", 0),
		spec(CHECK_SPEC_GRPC, "127.0.0.1", 50051),	/* PINGed */
		spec(CHECK_SPEC_TLS, "127.0.0.1", 8443),
	};
	unsigned out[8];

	(void)state;
	assert_int_equal(app_ports_from_checks(cs, 9, fake_local, NULL, out,
	    8), 4);
	assert_int_equal(out[0], 8080);
	assert_int_equal(out[1], 9000);
	assert_int_equal(out[2], 7000);
	assert_int_equal(out[3], 8443);
	/* At most max. */
	assert_int_equal(app_ports_from_checks(cs, 7, fake_local, NULL, out,
	    1), 1);
}

static void
test_app_ports_loopback_table(void **state)
{
	static const struct {
		const char	*host;
		bool		 loop;
	} cases[] = {
		{ "localhost", true }, { "127.0.0.1", true },
		{ "127.1.2.3", true }, { "::1", true },
		{ "::ffff:127.0.0.1", true }, { "0.0.0.0", false },
		{ "10.0.0.1", false }, { "::2", false }, { "app", false },
		{ "LOCALHOST", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(app_ports_is_loopback(cases[i].host, NULL),
		    cases[i].loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_app_ports_local_http_and_tcp_checks_once_each),
		cmocka_unit_test(test_app_ports_loopback_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
