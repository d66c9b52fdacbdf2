/* Unit tests for addr.c: IPs, CIDR blocks, host:port and URLs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "addr.h"

static void
test_addr_parse_ip_keeps_mapped_ipv4_as_ipv4(void **state)
{
	struct addr a, b;

	(void)state;
	assert_null(addr_parse_ip("::ffff:10.1.2.3", &a));
	assert_null(addr_parse_ip("10.1.2.3", &b));
	assert_int_equal(a.family, AF_INET);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_non_null(addr_parse_ip("10.1.2", &a));
	assert_non_null(addr_parse_ip("", &a));
	assert_non_null(addr_parse_ip("localhost", &a));
}

static void
test_addr_from_sockaddr_unmaps_dual_stack_clients(void **state)
{
	struct sockaddr_in6 s6;
	struct addr a;
	char buf[64];

	(void)state;
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::ffff:192.0.2.7", &s6.sin6_addr);
	addr_from_sockaddr((struct sockaddr *)&s6, &a);
	assert_int_equal(a.family, AF_INET);
	addr_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "192.0.2.7");
	inet_pton(AF_INET6, "2001:db8::1", &s6.sin6_addr);
	addr_from_sockaddr((struct sockaddr *)&s6, &a);
	assert_int_equal(a.family, AF_INET6);
	addr_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8::1");
}

struct cidr_case {
	const char	*cidr;
	const char	*ip;
	int		 ok;	/* parses */
	int		 match;
};

static const struct cidr_case cidr_cases[] = {
	{ "127.0.0.0/8", "127.255.1.2", 1, 1 },
	{ "127.0.0.0/8", "128.0.0.1", 1, 0 },
	{ "10.0.0.0/9", "10.127.255.255", 1, 1 },
	{ "10.0.0.0/9", "10.128.0.0", 1, 0 },
	{ "10.1.2.3", "10.1.2.3", 1, 1 },		/* bare: /32 */
	{ "10.1.2.3", "10.1.2.4", 1, 0 },
	{ "0.0.0.0/0", "203.0.113.9", 1, 1 },
	{ "0.0.0.0/0", "::1", 1, 0 },			/* families differ */
	{ "::1/128", "::1", 1, 1 },
	{ "::1/128", "::2", 1, 0 },
	{ "fd00::/8", "fdff::1", 1, 1 },
	{ "fd00::/8", "fe00::1", 1, 0 },
	{ "::ffff:10.0.0.0/104", "10.9.9.9", 1, 1 },	/* mapped prefix */
	{ "::ffff:10.0.0.0/104", "11.0.0.1", 1, 0 },
	{ "10.0.0.0/33", NULL, 0, 0 },
	{ "::/129", NULL, 0, 0 },
	{ "10.0.0.0/", NULL, 0, 0 },
	{ "10.0.0.0/x", NULL, 0, 0 },
	{ "/8", NULL, 0, 0 },
	{ "", NULL, 0, 0 },
	{ "example.com/8", NULL, 0, 0 },
};

static void
test_cidr_parse_and_match_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cidr_cases) / sizeof(cidr_cases[0]);
	    i++) {
		const struct cidr_case *tc = &cidr_cases[i];
		struct cidr c;
		struct addr a;

		if (!tc->ok) {
			assert_non_null(cidr_parse(tc->cidr, &c));
			continue;
		}
		assert_null(cidr_parse(tc->cidr, &c));
		assert_null(addr_parse_ip(tc->ip, &a));
		if (cidr_match(&c, &a) != tc->match)
			fail_msg("%s vs %s: expected %d", tc->cidr, tc->ip,
			    tc->match);
	}
}

struct hp_case {
	const char	*in;
	const char	*host;	/* NULL: refused */
	unsigned	 port;
};

static const struct hp_case hp_cases[] = {
	{ "127.0.0.1:8081", "127.0.0.1", 8081 },
	{ "[::1]:80", "::1", 80 },
	{ ":9000", "", 9000 },
	{ "[::]:0", "::", 0 },
	{ "localhost:1", "localhost", 1 },
	{ "127.0.0.1", NULL, 0 },
	{ "127.0.0.1:", NULL, 0 },
	{ "127.0.0.1:65536", NULL, 0 },
	{ "127.0.0.1:80a", NULL, 0 },
	{ "::1:80", NULL, 0 },
	{ "[::1]80", NULL, 0 },
	{ "[::1:80", NULL, 0 },
	{ "[]:80", NULL, 0 },
};

static void
test_addr_split_hostport_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(hp_cases) / sizeof(hp_cases[0]); i++) {
		const struct hp_case *tc = &hp_cases[i];
		char host[ADDR_HOST_MAX];
		unsigned port;
		const char *err = addr_split_hostport(tc->in, host, &port);

		if (tc->host == NULL) {
			if (err == NULL)
				fail_msg("\"%s\" was accepted", tc->in);
			continue;
		}
		if (err)
			fail_msg("\"%s\": %s", tc->in, err);
		assert_string_equal(host, tc->host);
		assert_int_equal(port, tc->port);
	}
}

static void
test_addr_to_sockaddr_any_localhost_and_names(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;

	(void)state;
	assert_null(addr_to_sockaddr("", 8081, &ss, &len));
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 8081);
	assert_null(addr_to_sockaddr("localhost", 1, &ss, &len));
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_non_null(addr_to_sockaddr("app.internal", 1, &ss, &len));
}

struct url_case {
	const char	*in;
	const char	*host;	/* NULL: refused */
	unsigned	 port;
	const char	*path;
};

static const struct url_case url_cases[] = {
	{ "http://127.0.0.1:8080/health", "127.0.0.1", 8080, "/health" },
	{ "http://127.0.0.1", "127.0.0.1", 80, "/" },
	{ "http://[::1]:81/a?b=c", "::1", 81, "/a?b=c" },
	{ "http://[::1]/x", "::1", 80, "/x" },
	{ "http://localhost?x=1", "localhost", 80, "/?x=1" },
	{ "http://app:8080/", "app", 8080, "/" },
	{ "https://127.0.0.1/", "127.0.0.1", 443, "/" },
	{ "https://app:8443/x?y", "app", 8443, "/x?y" },
	{ "ftp://127.0.0.1/", NULL, 0, NULL },
	{ "https:/127.0.0.1/", NULL, 0, NULL },
	{ "http://", NULL, 0, NULL },
	{ "http:///x", NULL, 0, NULL },
	{ "http://127.0.0.1:0/", NULL, 0, NULL },
	{ "http://127.0.0.1:99999/", NULL, 0, NULL },
	{ "http://127.0.0.1/a b", NULL, 0, NULL },
	{ "http://127.0.0.1/a\r\nX: y", NULL, 0, NULL },
};

static void
test_addr_parse_url_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(url_cases) / sizeof(url_cases[0]);
	    i++) {
		const struct url_case *tc = &url_cases[i];
		struct url u;
		const char *err = addr_parse_url(tc->in, &u);

		if (tc->host == NULL) {
			if (err == NULL)
				fail_msg("\"%s\" was accepted", tc->in);
			continue;
		}
		if (err)
			fail_msg("\"%s\": %s", tc->in, err);
		assert_string_equal(u.host, tc->host);
		assert_int_equal(u.port, tc->port);
		assert_string_equal(u.path, tc->path);
	}
}

static void
test_addr_check_name_table(void **state)
{
	static const struct {
		const char *in;
		bool ok;
	} cases[] = {
		{ "app", true }, { "db.internal", true },
		{ "db.internal.", true }, { "my-app_1", true },
		{ "svc.ns.svc.cluster.local", true }, { "a1", true },
		{ "1a", true }, { "", false }, { ".", false },
		{ "a..b", false }, { ".a", false }, { "-a", false },
		{ "a-", false }, { "a-.b", false }, { "a b", false },
		{ "a/b", false }, { "a:b", false }, { "10.0.0.256", false },
		{ "1.2.3", false }, { "123", false },
		{ "xn--bcher-kva.example", true },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		    true },	/* 63 */
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		    false },	/* 64 */
	};
	char long_name[300];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if ((addr_check_name(cases[i].in) == NULL) != cases[i].ok)
			fail_msg("\"%s\": %s", cases[i].in,
			    cases[i].ok ? addr_check_name(cases[i].in) :
			    "accepted");
	/* 254 characters in labels of 9: too long for DNS. */
	for (size_t i = 0; i < 254; i++)
		long_name[i] = i % 10 == 9 ? '.' : 'a';
	long_name[254] = '\0';
	assert_non_null(addr_check_name(long_name));
	long_name[253] = '\0';
	assert_null(addr_check_name(long_name));
}

/*
 * An authority as long as the parser lets through, with no port: the
 * default port is appended in place. ":443" is one byte longer than
 * ":80", and an https:// authority of the longest length overflowed the
 * buffer by that byte (found by fuzz_check under ASan).
 */
static void
test_addr_parse_url_longest_authority_without_port(void **state)
{
	static const char *schemes[] = { "http://", "https://" };
	char url[ADDR_HOST_MAX + 64];
	struct url u;

	(void)state;
	for (size_t i = 0; i < 2; i++)
		for (size_t n = ADDR_HOST_MAX; n < ADDR_HOST_MAX + 12; n++) {
			size_t off = strlen(schemes[i]);

			memcpy(url, schemes[i], off);
			memset(url + off, 'a', n);
			strcpy(url + off + n, "/x");
			/* Refused (too long for a host) or not: never an
			 * overflow, which ASan would report. */
			assert_non_null(addr_parse_url(url, &u));
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_parse_ip_keeps_mapped_ipv4_as_ipv4),
		cmocka_unit_test(
		    test_addr_from_sockaddr_unmaps_dual_stack_clients),
		cmocka_unit_test(test_cidr_parse_and_match_table),
		cmocka_unit_test(test_addr_split_hostport_table),
		cmocka_unit_test(test_addr_to_sockaddr_any_localhost_and_names),
		cmocka_unit_test(test_addr_parse_url_table),
		cmocka_unit_test(test_addr_check_name_table),
		cmocka_unit_test(
		    test_addr_parse_url_longest_authority_without_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
