/*
 * Unit tests for http_body.c: does a response's body hold TEXT, framed
 * by Content-Length, chunked or the close; fed whole and byte by byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http_body.h"

/* The verdict for a response head+body after its status line. */
static enum http_body_result
judge(unsigned status, const char *resp, size_t n, const char *needle,
    size_t step, struct http_body *b)
{
	enum http_body_result r = HTTP_BODY_MORE;

	http_body_init(b, status, needle, strlen(needle));
	for (size_t i = 0; i < n && r == HTTP_BODY_MORE; i += step)
		r = http_body_feed(b, resp + i, n - i < step ? n - i : step);
	return r == HTTP_BODY_MORE ? http_body_end(b) : r;
}

static void
test_http_body_table_whole_and_byte_by_byte(void **state)
{
	static const struct {
		unsigned	 status;
		const char	*resp, *needle;
		enum http_body_result want;
	} cases[] = {
		{ 200, "Content-Length: 16\r\n\r\n{\"status\":\"up\"}",
		    "\"status\":\"up\"", HTTP_BODY_FOUND },
		{ 200, "Content-Length: 18\r\n\r\n{\"status\":\"down\"}",
		    "\"status\":\"up\"", HTTP_BODY_ABSENT },
		/* Past Content-Length is not the body. */
		{ 200, "Content-Length: 5\r\n\r\nhello world", "world",
		    HTTP_BODY_ABSENT },
		/* Split across chunks, found; the chunk framing never is. */
		{ 200, "Transfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n"
		    "3\r\ndef\r\n0\r\n\r\n", "cde", HTTP_BODY_FOUND },
		{ 200, "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"
		    "3\r\ndef\r\n0\r\n\r\n", "c\r\n3", HTTP_BODY_ABSENT },
		{ 200, "transfer-encoding: gzip, chunked\r\nContent-Length: 1\r\n"
		    "\r\na\r\n0123456789\r\n0\r\n\r\n", "789",
		    HTTP_BODY_FOUND },
		/* No length: to the close. Bare LF line ends. */
		{ 200, "Server: x\n\nthe whole rest", "rest", HTTP_BODY_FOUND },
		{ 200, "Server: x\n\nthe whole rest", "nope", HTTP_BODY_ABSENT },
		{ 204, "Content-Length: 4\r\n\r\nbody", "body",
		    HTTP_BODY_ABSENT },
		{ 200, "Content-Length: 0\r\n\r\n", "x", HTTP_BODY_ABSENT },
		{ 200, "Transfer-Encoding: chunked\r\n\r\nzz\r\n", "x",
		    HTTP_BODY_BAD },
		{ 200, "Transfer-Encoding: chunked\r\n\r\n1\r\naXX", "x",
		    HTTP_BODY_BAD },
		{ 200, "no colon here\r\n\r\n", "x", HTTP_BODY_BAD },
		{ 200, "Content-Length: 1\r\nContent-Length: 2\r\n\r\nab", "b",
		    HTTP_BODY_BAD },
		{ 200, "Content-Length: -1\r\n\r\nab", "b", HTTP_BODY_BAD },
		{ 200, "Content-Le", "x", HTTP_BODY_BAD },	/* cut head */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (size_t step = 1; step <= 64; step *= 4) {
			struct http_body b;
			enum http_body_result r = judge(cases[i].status,
			    cases[i].resp, strlen(cases[i].resp),
			    cases[i].needle, step, &b);

			if (r != cases[i].want)
				fail_msg("case %zu, step %zu: %d, not %d", i,
				    step, r, cases[i].want);
		}
}

/* The first 64 KiB are searched: TEXT ending at their last byte is in. */
static void
test_http_body_searches_the_first_64_kib(void **state)
{
	static const char head[] = "Content-Length: 70000\r\n\r\n";
	size_t hn = sizeof(head) - 1, n = hn + 70000;
	char *resp = malloc(n);
	struct http_body b;

	(void)state;
	assert_non_null(resp);
	memcpy(resp, head, hn);
	memset(resp + hn, '.', 70000);
	memcpy(resp + hn + HTTP_BODY_SCAN - 4, "UP!!", 4);
	assert_int_equal(judge(200, resp, n, "UP!!", 1000, &b),
	    HTTP_BODY_FOUND);
	memset(resp + hn + HTTP_BODY_SCAN - 4, '.', 4);
	memcpy(resp + hn + HTTP_BODY_SCAN - 3, "UP!!", 4);
	assert_int_equal(judge(200, resp, n, "UP!!", 1000, &b),
	    HTTP_BODY_ABSENT);
	assert_int_equal(b.scanned, HTTP_BODY_SCAN);
	free(resp);
}

/* What a reason shows: the body's start and how much was searched. */
static void
test_http_body_keeps_the_start_for_the_reason(void **state)
{
	static const char resp[] = "\r\n{\"status\":\"down\"}";
	struct http_body b;

	(void)state;
	assert_int_equal(judge(200, resp, sizeof(resp) - 1, "\"up\"", 3, &b),
	    HTTP_BODY_ABSENT);
	assert_int_equal(b.slen, 17);
	assert_memory_equal(b.shown, "{\"status\":\"down\"}", 17);
	assert_int_equal(b.scanned, 17);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_body_table_whole_and_byte_by_byte),
		cmocka_unit_test(test_http_body_searches_the_first_64_kib),
		cmocka_unit_test(test_http_body_keeps_the_start_for_the_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
