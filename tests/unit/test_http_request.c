/*
 * Unit tests for http_request.c: the one request writer of the http
 * check (method, its own header lines, Host and User-Agent replaced),
 * the probe (a plain GET) and ctl (POST with a token).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "http_request.h"
#include "version.h"

#define UA	"User-Agent: healthgate/" HEALTHGATE_VERSION "\r\n"

static void
test_http_request_get_is_plain(void **state)
{
	char buf[HTTP_REQUEST_MAX];
	size_t n;

	(void)state;
	n = http_request_get(buf, sizeof(buf), "::1", 8080, "/h?q=1",
	    "healthgate/");
	assert_string_equal(buf, "GET /h?q=1 HTTP/1.1\r\nHost: [::1]:8080\r\n"
	    UA "Connection: close\r\n\r\n");
	assert_int_equal(n, strlen(buf));
}

/* The check's HEAD and lines; its Host and User-Agent replace ours. */
static void
test_http_request_check_lines_replace_host_and_agent(void **state)
{
	char buf[HTTP_REQUEST_MAX];
	struct http_request r = {
		.method = "HEAD", .host = "127.0.0.1", .port = 80,
		.path = "/", .agent = "healthgate/",
		.headers = "Host: app.example\r\nX-Token: a&b\r\n",
		.own_host = true,
	};

	(void)state;
	http_request_write(buf, sizeof(buf), &r);
	assert_string_equal(buf, "HEAD / HTTP/1.1\r\n" UA "Host: app.example"
	    "\r\nX-Token: a&b\r\nConnection: close\r\n\r\n");
	r.headers = "User-Agent: lb/1\r\n";
	r.own_host = false;
	r.own_agent = true;
	http_request_write(buf, sizeof(buf), &r);
	assert_string_equal(buf, "HEAD / HTTP/1.1\r\nHost: 127.0.0.1:80\r\n"
	    "User-Agent: lb/1\r\nConnection: close\r\n\r\n");
}

static void
test_http_request_ctl_post_with_token(void **state)
{
	char buf[HTTP_REQUEST_MAX + 64];

	(void)state;
	http_request_build(buf, sizeof(buf), "POST", "127.0.0.1", 9, "/admin/x",
	    "healthgate-ctl/", "t0k");
	assert_non_null(strstr(buf, "POST /admin/x HTTP/1.1\r\n"));
	assert_non_null(strstr(buf, "Authorization: Bearer t0k\r\n"));
	assert_non_null(strstr(buf, "Content-Length: 0\r\n"));
	assert_non_null(strstr(buf, "\r\nConnection: close\r\n\r\n"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_request_get_is_plain),
		cmocka_unit_test(
		    test_http_request_check_lines_replace_host_and_agent),
		cmocka_unit_test(test_http_request_ctl_post_with_token),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
