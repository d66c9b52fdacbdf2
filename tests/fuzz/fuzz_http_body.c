/*
 * Fuzzes http_body.c, which reads what upstreams send after the status
 * line. Input: a status byte, a needle length byte, the needle, then the
 * response. Property: fed whole or in pieces of any size, the verdict is
 * the same; never more than 64 KiB searched.
 */
#include "fuzz.h"
#include "http_body.h"

static enum http_body_result
fuzz_http_body_judge(unsigned status, const char *needle, size_t nlen,
    const char *resp, size_t n, size_t step, struct http_body *b)
{
	enum http_body_result r = HTTP_BODY_MORE;

	http_body_init(b, status, needle, nlen);
	for (size_t i = 0; i < n && r == HTTP_BODY_MORE; i += step)
		r = http_body_feed(b, resp + i, n - i < step ? n - i : step);
	if (r == HTTP_BODY_MORE)
		r = http_body_end(b);
	if (b->scanned > HTTP_BODY_SCAN || b->slen > sizeof(b->shown))
		abort();
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned statuses[] = { 200, 204, 304, 101, 500 };
	struct http_body b;
	enum http_body_result whole;
	size_t nlen;
	unsigned status;

	if (size < 3)
		return 0;
	status = statuses[data[0] % 5];
	nlen = 1 + data[1] % 16;
	if (size < 2 + nlen)
		return 0;
	const char *needle = (const char *)data + 2;
	const char *resp = needle + nlen;
	size_t n = size - 2 - nlen;

	whole = fuzz_http_body_judge(status, needle, nlen, resp, n, n ? n : 1,
	    &b);
	for (size_t step = 1; step <= 7; step += 3)
		if (fuzz_http_body_judge(status, needle, nlen, resp, n, step,
		    &b) != whole)
			abort();
	return 0;
}
