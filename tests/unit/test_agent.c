/*
 * Unit tests for agent.c: which User-Agents route, by table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "agent.h"

static enum agent_kind
of(const char *ua)
{
	return agent_of(ua, strlen(ua));
}

static void
test_agent_kinds_by_prefix(void **state)
{
	static const struct {
		const char	*ua;
		enum agent_kind	 kind;
	} cases[] = {
		{ "kube-probe/1.31", AGENT_KUBELET },
		{ "kube-probe/1.31 grpc-go/1.62.1", AGENT_KUBELET },
		{ "Blackbox Exporter/0.24.0", AGENT_BLACKBOX },
		{ "curl/7.88.1", AGENT_CURL },
		{ "Wget/1.21.3", AGENT_WGET },
		{ "healthgate-probe/0.2.0", AGENT_PROBE },
		{ "ELB-HealthChecker/2.0", AGENT_ROUTER },
		{ "", AGENT_ROUTER },			/* HAProxy sends none */
		{ "kube-probe", AGENT_ROUTER },		/* not the prefix */
		{ "Kube-Probe/1.31", AGENT_ROUTER },	/* case is theirs */
		{ "wget/1.21", AGENT_ROUTER },
		{ "Mozilla/5.0 curl/8", AGENT_ROUTER },
		{ "Consul Health Check", AGENT_ROUTER },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(of(cases[i].ua), cases[i].kind);
}

/* The value need not end where its length says (MHD's, nghttp2's). */
static void
test_agent_reads_only_len_bytes(void **state)
{
	(void)state;
	assert_int_equal(agent_of("curl/8", 4), AGENT_ROUTER);
	assert_int_equal(agent_of("curl/8xyz", 6), AGENT_CURL);
}

static void
test_agent_only_routers_route_and_names(void **state)
{
	(void)state;
	assert_true(agent_routes(AGENT_ROUTER));
	for (int k = AGENT_KUBELET; k < AGENT_COUNT; k++)
		assert_false(agent_routes((enum agent_kind)k));
	assert_string_equal(agent_name(AGENT_ROUTER), "router");
	assert_string_equal(agent_name(AGENT_KUBELET), "kube-probe");
	assert_string_equal(agent_name(AGENT_BLACKBOX), "blackbox");
	assert_string_equal(agent_name(AGENT_PROBE), "healthgate-probe");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agent_kinds_by_prefix),
		cmocka_unit_test(test_agent_reads_only_len_bytes),
		cmocka_unit_test(test_agent_only_routers_route_and_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
