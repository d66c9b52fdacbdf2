/*
 * Unit tests for http_framing.c: a table of header sets and the verdict
 * each gets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "http_framing.h"

struct field {
	const char	*name, *value;
};

static const struct {
	const char	*what;
	struct field	 fields[4];
	enum http_framing_verdict want;
} cases[] = {
	{ "no framing fields", { { "Host", "x" } }, HTTP_FRAMING_NO_BODY },
	{ "Content-Length 0", { { "Content-Length", "0" } },
	    HTTP_FRAMING_NO_BODY },
	{ "Content-Length 000", { { "content-length", "000" } },
	    HTTP_FRAMING_NO_BODY },
	{ "Content-Length 5", { { "Content-Length", "5" } },
	    HTTP_FRAMING_BODY },
	{ "chunked", { { "Transfer-Encoding", "chunked" } },
	    HTTP_FRAMING_BODY },
	{ "5 twice", { { "Content-Length", "5" }, { "Content-Length", "5" } },
	    HTTP_FRAMING_BODY },
	{ "5 and 05", { { "Content-Length", "5" },
	    { "Content-Length", "05" } }, HTTP_FRAMING_BODY },
	{ "0 then 34", { { "Content-Length", "0" },
	    { "Content-Length", "34" } }, HTTP_FRAMING_BAD },
	{ "34 then 0", { { "Content-Length", "34" },
	    { "CONTENT-LENGTH", "0" } }, HTTP_FRAMING_BAD },
	{ "second not digits", { { "Content-Length", "0" },
	    { "Content-Length", "1x" } }, HTTP_FRAMING_BAD },
	{ "empty", { { "Content-Length", "" } }, HTTP_FRAMING_BAD },
	{ "20 digits", { { "Content-Length", "18446744073709551616" } },
	    HTTP_FRAMING_BAD },
	{ "length and chunked", { { "Content-Length", "3" },
	    { "Transfer-Encoding", "chunked" } }, HTTP_FRAMING_BAD },
	{ "chunked and length 0", { { "Transfer-Encoding", "chunked" },
	    { "Content-Length", "0" } }, HTTP_FRAMING_BAD },
	{ "space before colon", { { "Content-Length ", "5" } },
	    HTTP_FRAMING_BAD },
	{ "tab before colon", { { "Host\t", "x" } }, HTTP_FRAMING_BAD },
	{ "empty name", { { "", "x" } }, HTTP_FRAMING_BAD },
	{ "odd legal name", { { "X-A.b_c~!#$%&'*+^`|", "1" } },
	    HTTP_FRAMING_NO_BODY },
	{ "Host twice", { { "Host", "a" }, { "host", "b" } },
	    HTTP_FRAMING_BAD },
};

/* need_host: an HTTP/1.1 request's Host rule; HTTP/1.0 may have none. */
static void
test_http_framing_host(void **state)
{
	struct http_framing f;

	(void)state;
	http_framing_init(&f);
	assert_int_equal(http_framing_verdict(&f), HTTP_FRAMING_NO_BODY);
	f.need_host = true;
	assert_int_equal(http_framing_verdict(&f), HTTP_FRAMING_BAD);
	http_framing_field(&f, "HOST", "x");
	assert_int_equal(http_framing_verdict(&f), HTTP_FRAMING_NO_BODY);
	http_framing_field(&f, "Host", "x");
	assert_int_equal(http_framing_verdict(&f), HTTP_FRAMING_BAD);
}

static void
test_http_framing_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_framing f;

		http_framing_init(&f);
		for (unsigned j = 0; j < 4 && cases[i].fields[j].name; j++)
			http_framing_field(&f, cases[i].fields[j].name,
			    cases[i].fields[j].value);
		if (http_framing_verdict(&f) != cases[i].want)
			fail_msg("%s: got %d, want %d", cases[i].what,
			    http_framing_verdict(&f), cases[i].want);
	}
}

/*
 * Every byte in a field name, against RFC 9110's tchar spelled out here:
 * the module's table must agree on all 256 (a name that is not a token
 * is BAD; a byte the table wrongly takes lets whitespace or a control
 * character through, one it wrongly refuses turns a good request away).
 */
static void
test_http_framing_every_byte_of_a_name(void **state)
{
	static const char rfc[] = "!#$%&'*+-.^_`|~0123456789"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

	(void)state;
	for (unsigned b = 1; b < 256; b++) {
		char name[] = { 'X', (char)b, 'a', '\0' };
		struct http_framing f;
		bool token = strchr(rfc, (int)b) != NULL;

		http_framing_init(&f);
		http_framing_field(&f, name, "1");
		assert_int_equal(http_framing_verdict(&f), token ?
		    HTTP_FRAMING_NO_BODY : HTTP_FRAMING_BAD);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_framing_table),
		cmocka_unit_test(test_http_framing_host),
		cmocka_unit_test(test_http_framing_every_byte_of_a_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
