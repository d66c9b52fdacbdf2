/* Unit tests for grpc_health.c: the health messages and their frame. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "grpc_health.h"

/* Bytes as grpcio's protobuf writes them (python3-protobuf, checked by
 * hand against the encoding guide). */
static const uint8_t req_empty[] = { 0, 0, 0, 0, 0 };
static const uint8_t req_app[] = { 0, 0, 0, 0, 5, 0x0a, 3, 'a', 'p', 'p' };
static const uint8_t resp_serving[] = { 0, 0, 0, 0, 2, 0x08, 0x01 };

static void
test_grpc_health_request_encode_matches_protobuf(void **state)
{
	uint8_t buf[64];

	(void)state;
	assert_int_equal(grpc_health_request_encode(buf, sizeof(buf), ""), 5);
	assert_memory_equal(buf, req_empty, 5);
	assert_int_equal(grpc_health_request_encode(buf, sizeof(buf), "app"),
	    sizeof(req_app));
	assert_memory_equal(buf, req_app, sizeof(req_app));
	assert_int_equal(grpc_health_request_encode(buf, 9, "app"), 0);
}

static void
test_grpc_health_request_long_name_takes_two_length_bytes(void **state)
{
	char name[201];
	uint8_t buf[GRPC_HEALTH_FRAME + GRPC_HEALTH_SERVICE_MAX + 8];
	char back[GRPC_HEALTH_SERVICE_MAX];
	size_t n;

	(void)state;
	memset(name, 's', 200);
	name[200] = '\0';
	n = grpc_health_request_encode(buf, sizeof(buf), name);
	assert_int_equal(n, 5 + 1 + 2 + 200);
	assert_int_equal(buf[6], 0xc8);		/* 200 as a varint */
	assert_int_equal(buf[7], 0x01);
	assert_int_equal(grpc_health_request_decode(buf, n, back),
	    GRPC_HEALTH_OK);
	assert_string_equal(back, name);
}

struct decode_case {
	const char	*what;
	uint8_t		 in[24];
	size_t		 len;
	enum grpc_health_result want;
	int32_t		 status;
};

static const struct decode_case responses[] = {
	{ "serving", { 0, 0, 0, 0, 2, 8, 1 }, 7, GRPC_HEALTH_OK, 1 },
	{ "not serving", { 0, 0, 0, 0, 2, 8, 2 }, 7, GRPC_HEALTH_OK, 2 },
	{ "empty is UNKNOWN", { 0, 0, 0, 0, 0 }, 5, GRPC_HEALTH_OK, 0 },
	{ "unknown field skipped", { 0, 0, 0, 0, 6, 0x12, 2, 'h', 'i', 8, 1 },
	    11, GRPC_HEALTH_OK, 1 },
	{ "fixed32 skipped", { 0, 0, 0, 0, 7, 0x15, 1, 2, 3, 4, 8, 1 }, 12,
	    GRPC_HEALTH_OK, 1 },
	{ "fixed64 skipped", { 0, 0, 0, 0, 11, 0x11, 1, 2, 3, 4, 5, 6, 7, 8,
	    8, 2 }, 16, GRPC_HEALTH_OK, 2 },
	{ "last wins", { 0, 0, 0, 0, 4, 8, 1, 8, 2 }, 9, GRPC_HEALTH_OK, 2 },
	{ "negative enum", { 0, 0, 0, 0, 11, 8, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0x01 }, 16, GRPC_HEALTH_OK, -1 },
	{ "prefix", { 0, 0, 0 }, 3, GRPC_HEALTH_MORE, 0 },
	{ "short body", { 0, 0, 0, 0, 2, 8 }, 6, GRPC_HEALTH_MORE, 0 },
	{ "nothing", { 0 }, 0, GRPC_HEALTH_MORE, 0 },
	{ "compressed", { 1, 0, 0, 0, 2, 8, 1 }, 7, GRPC_HEALTH_BAD, 0 },
	{ "flag 2", { 2 }, 1, GRPC_HEALTH_BAD, 0 },
	{ "trailing byte", { 0, 0, 0, 0, 2, 8, 1, 0 }, 8, GRPC_HEALTH_BAD, 0 },
	{ "huge length", { 0, 0x7f, 0xff, 0xff, 0xff }, 5, GRPC_HEALTH_BAD, 0 },
	{ "status as string", { 0, 0, 0, 0, 3, 0x0a, 1, 1 }, 8,
	    GRPC_HEALTH_BAD, 0 },
	{ "group", { 0, 0, 0, 0, 2, 0x0b, 0x0c }, 7, GRPC_HEALTH_BAD, 0 },
	{ "field 0", { 0, 0, 0, 0, 2, 0x00, 1 }, 7, GRPC_HEALTH_BAD, 0 },
	{ "cut varint", { 0, 0, 0, 0, 2, 8, 0x80 }, 7, GRPC_HEALTH_BAD, 0 },
	{ "cut length", { 0, 0, 0, 0, 3, 0x12, 5, 1 }, 8, GRPC_HEALTH_BAD, 0 },
	{ "varint of 11 bytes", { 0, 0, 0, 0, 12, 8, 0x80, 0x80, 0x80, 0x80,
	    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, 17, GRPC_HEALTH_BAD,
	    0 },
};

static void
test_grpc_health_response_decode_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(responses) / sizeof(responses[0]); i++) {
		const struct decode_case *c = &responses[i];
		int32_t st = 99;
		enum grpc_health_result r;

		r = grpc_health_response_decode(c->in, c->len, &st);
		if (r != c->want)
			fail_msg("%s: got %d, want %d", c->what, r, c->want);
		if (r == GRPC_HEALTH_OK && st != c->status)
			fail_msg("%s: status %d, want %d", c->what, st,
			    c->status);
	}
}

static void
test_grpc_health_response_round_trip(void **state)
{
	uint8_t buf[16];
	int32_t st;
	size_t n;

	(void)state;
	for (int s = 0; s <= GRPC_HEALTH_SERVICE_UNKNOWN; s++) {
		n = grpc_health_response_encode(buf, sizeof(buf),
		    (enum grpc_health_status)s);
		assert_int_equal(grpc_health_response_decode(buf, n, &st),
		    GRPC_HEALTH_OK);
		assert_int_equal(st, s);
	}
	n = grpc_health_response_encode(buf, sizeof(buf), GRPC_HEALTH_SERVING);
	assert_int_equal(n, sizeof(resp_serving));
	assert_memory_equal(buf, resp_serving, n);
}

static void
test_grpc_health_request_decode_refuses_bad_names(void **state)
{
	static const uint8_t nul[] = { 0, 0, 0, 0, 4, 0x0a, 2, 'a', 0 };
	static const uint8_t varint[] = { 0, 0, 0, 0, 2, 0x08, 1 };
	static const uint8_t other[] = { 0, 0, 0, 0, 6, 0x10, 1, 0x0a, 2,
	    'o', 'k', };
	char svc[GRPC_HEALTH_SERVICE_MAX];

	(void)state;
	assert_int_equal(grpc_health_request_decode(nul, sizeof(nul), svc),
	    GRPC_HEALTH_BAD);
	assert_int_equal(grpc_health_request_decode(varint, sizeof(varint),
	    svc), GRPC_HEALTH_BAD);
	assert_int_equal(grpc_health_request_decode(other, sizeof(other),
	    svc), GRPC_HEALTH_OK);
	assert_string_equal(svc, "ok");
	assert_int_equal(grpc_health_request_decode(req_empty,
	    sizeof(req_empty), svc), GRPC_HEALTH_OK);
	assert_string_equal(svc, "");
}

static void
test_grpc_health_message_percent_decoding(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "unknown service", "unknown service" },
		{ "a%20b", "a b" },
		{ "100%", "100%" },
		{ "%4", "%4" },
		{ "%zz", "%zz" },
		{ "%0A", "?" },
		{ "%e2%9c%93", "???" },
	};
	char out[32], enc[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		grpc_health_message_decode((const uint8_t *)cases[i].in,
		    strlen(cases[i].in), out, sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
	grpc_health_message_encode("50% down\n", enc, sizeof(enc));
	assert_string_equal(enc, "50%25 down%0A");
	grpc_health_message_decode((const uint8_t *)enc, strlen(enc), out,
	    sizeof(out));
	assert_string_equal(out, "50% down?");
	grpc_health_message_decode((const uint8_t *)"abcdef", 6, out, 4);
	assert_string_equal(out, "abc");
}

static void
test_grpc_health_timeout_and_code(void **state)
{
	char buf[16];
	unsigned code;

	(void)state;
	grpc_health_timeout(1500, buf, sizeof(buf));
	assert_string_equal(buf, "1500m");
	grpc_health_timeout(100000000, buf, sizeof(buf));
	assert_string_equal(buf, "100000S");
	assert_int_equal(grpc_health_code_parse((const uint8_t *)"14", 2,
	    &code), 0);
	assert_int_equal(code, 14);
	assert_int_equal(grpc_health_code_parse((const uint8_t *)"", 0,
	    &code), -1);
	assert_int_equal(grpc_health_code_parse((const uint8_t *)"1x", 2,
	    &code), -1);
	assert_int_equal(grpc_health_code_parse((const uint8_t *)"1000", 4,
	    &code), -1);
	assert_string_equal(grpc_health_code_name(12), "UNIMPLEMENTED");
	assert_string_equal(grpc_health_code_name(99), "?");
	assert_string_equal(grpc_health_status_name(7, buf, sizeof(buf)),
	    "status 7");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grpc_health_request_encode_matches_protobuf),
		cmocka_unit_test(
		    test_grpc_health_request_long_name_takes_two_length_bytes),
		cmocka_unit_test(test_grpc_health_response_decode_table),
		cmocka_unit_test(test_grpc_health_response_round_trip),
		cmocka_unit_test(test_grpc_health_request_decode_refuses_bad_names),
		cmocka_unit_test(test_grpc_health_message_percent_decoding),
		cmocka_unit_test(test_grpc_health_timeout_and_code),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
