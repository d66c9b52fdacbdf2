/*
 * http_body.c: does a response's body hold TEXT (see http_body.h).
 * RFC 9112: a head line ends in LF (a CR before it is dropped, 2.2); 6.3
 * says how long the body is: none for 1xx, 204 and 304; chunked when
 * Transfer-Encoding's last coding is chunked (6.1); else Content-Length;
 * else until the close. Chunk extensions and trailers are skipped (7.1).
 */
#include <string.h>
#include <strings.h>

#include "decimal.h"
#include "http_body.h"

#define HTTP_BODY_CHUNK_MAX	(1ULL << 40)	/* a chunk larger is broken */

void
http_body_init(struct http_body *b, unsigned status, const char *needle,
    size_t nlen)
{
	memset(b, 0, sizeof(*b));
	b->needle = needle;
	b->nlen = nlen;
	b->bodiless = status < 200 || status == 204 || status == 304;
	b->state = HTTP_BODY_FIELD;
}

static enum http_body_result
http_body_bad(struct http_body *b, const char *why)
{
	b->why = why;
	b->state = HTTP_BODY_DONE;
	return b->verdict = HTTP_BODY_BAD;
}

static enum http_body_result
http_body_verdict(struct http_body *b, enum http_body_result r)
{
	b->state = HTTP_BODY_DONE;
	return b->verdict = r;
}

/*
 * Searches the next n body bytes. Only the last nlen - 1 bytes of the
 * window are kept between calls: a match across them is still seen.
 */
static enum http_body_result
http_body_scan(struct http_body *b, const char *p, size_t n)
{
	if (n > HTTP_BODY_SCAN - b->scanned)
		n = HTTP_BODY_SCAN - b->scanned;
	if (b->slen < sizeof(b->shown)) {
		size_t k = sizeof(b->shown) - b->slen < n ?
		    sizeof(b->shown) - b->slen : n;

		memcpy(b->shown + b->slen, p, k);
		b->slen += k;
	}
	b->scanned += n;
	while (n > 0) {
		size_t take = sizeof(b->win) - b->wlen < n ?
		    sizeof(b->win) - b->wlen : n, keep = b->nlen - 1;

		memcpy(b->win + b->wlen, p, take);
		b->wlen += take;
		p += take;
		n -= take;
		if (memmem(b->win, b->wlen, b->needle, b->nlen))
			return http_body_verdict(b, HTTP_BODY_FOUND);
		if (b->wlen > keep) {
			memmove(b->win, b->win + b->wlen - keep, keep);
			b->wlen = keep;
		}
	}
	if (b->scanned >= HTTP_BODY_SCAN)
		return http_body_verdict(b, HTTP_BODY_ABSENT);
	return HTTP_BODY_MORE;
}

/* Whether the value's last comma-separated coding is chunked. */
static bool
http_body_ends_chunked(const char *v, size_t n)
{
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	return n >= 7 && strncasecmp(v + n - 7, "chunked", 7) == 0 &&
	    (n == 7 || v[n - 8] == ',' || v[n - 8] == ' ' || v[n - 8] == '\t');
}

/* One complete head field line (without its line end), or the blank one. */
static enum http_body_result
http_body_field(struct http_body *b)
{
	const char *colon = memchr(b->line, ':', b->llen), *v;
	unsigned long long len;
	size_t n, vn;

	if (b->llen == 0) {		/* the head's end */
		if (b->bodiless || (b->sized && b->left == 0 && !b->chunked))
			return http_body_verdict(b, HTTP_BODY_ABSENT);
		b->state = b->chunked ? HTTP_BODY_CHUNK_SIZE : HTTP_BODY_DATA;
		b->sized &= !b->chunked;
		return HTTP_BODY_MORE;
	}
	if (colon == NULL)
		return http_body_bad(b, "a head line without a colon");
	n = (size_t)(colon - b->line);
	for (v = colon + 1; v < b->line + b->llen && (*v == ' ' || *v == '\t');
	    v++)
		;
	vn = (size_t)(b->line + b->llen - v);
	while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
		vn--;
	if (n == 17 && strncasecmp(b->line, "Transfer-Encoding", n) == 0)
		b->chunked = http_body_ends_chunked(v, vn);
	else if (n == 14 && strncasecmp(b->line, "Content-Length", n) == 0) {
		if (!decimal_parse(v, vn, ~0ULL, &len) ||
		    (b->sized && len != b->left))
			return http_body_bad(b, "a bad Content-Length");
		b->sized = true;
		b->left = len;
	}
	return HTTP_BODY_MORE;
}

/* A chunk's size line: hex digits, then extensions we skip. */
static enum http_body_result
http_body_chunk_size(struct http_body *b)
{
	unsigned long long size = 0;
	size_t i;

	for (i = 0; i < b->llen; i++) {
		char c = b->line[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
		    c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (d < 0)
			break;
		size = size * 16 + (unsigned)d;
		if (size > HTTP_BODY_CHUNK_MAX)
			return http_body_bad(b, "a chunk too large");
	}
	if (i == 0 || (i < b->llen && b->line[i] != ';' && b->line[i] != ' ' &&
	    b->line[i] != '\t'))
		return http_body_bad(b, "a bad chunk size");
	if (size == 0)		/* the last chunk: trailers do not count */
		return http_body_verdict(b, HTTP_BODY_ABSENT);
	b->left = size;
	b->state = HTTP_BODY_CHUNK_DATA;
	return HTTP_BODY_MORE;
}

/*
 * A line's byte: kept while there is room (only a line's start matters),
 * counted against the head's limit. At its LF the line is judged.
 */
static enum http_body_result
http_body_line_byte(struct http_body *b, char c)
{
	enum http_body_result r;

	if (b->state == HTTP_BODY_FIELD && ++b->head > HTTP_BODY_HEAD_MAX)
		return http_body_bad(b, "a response head over 64 KiB");
	if (b->state == HTTP_BODY_CHUNK_END) {
		if (c == '\n')
			b->state = HTTP_BODY_CHUNK_SIZE;
		else if (c != '\r')
			return http_body_bad(b, "no CRLF after a chunk");
		return HTTP_BODY_MORE;
	}
	if (c != '\n') {
		if (b->llen < sizeof(b->line))
			b->line[b->llen++] = c;
		return HTTP_BODY_MORE;
	}
	if (b->llen > 0 && b->llen < sizeof(b->line) &&
	    b->line[b->llen - 1] == '\r')
		b->llen--;
	r = b->state == HTTP_BODY_FIELD ? http_body_field(b) :
	    http_body_chunk_size(b);
	b->llen = 0;
	return r;
}

/* Body bytes at p, as many as the framing says are body: their count. */
static size_t
http_body_take(struct http_body *b, const char *p, size_t n,
    enum http_body_result *r)
{
	if ((b->state == HTTP_BODY_CHUNK_DATA || b->sized) && n > b->left)
		n = (size_t)b->left;
	*r = http_body_scan(b, p, n);
	if (b->state == HTTP_BODY_CHUNK_DATA || b->sized)
		b->left -= n;
	if (*r != HTTP_BODY_MORE)
		return n;
	if (b->state == HTTP_BODY_CHUNK_DATA && b->left == 0)
		b->state = HTTP_BODY_CHUNK_END;
	else if (b->state == HTTP_BODY_DATA && b->sized && b->left == 0)
		*r = http_body_verdict(b, HTTP_BODY_ABSENT);
	return n;
}

enum http_body_result
http_body_feed(struct http_body *b, const char *p, size_t n)
{
	enum http_body_result r = b->state == HTTP_BODY_DONE ? b->verdict :
	    HTTP_BODY_MORE;

	while (n > 0 && r == HTTP_BODY_MORE) {
		size_t used = 1;

		if (b->state == HTTP_BODY_DATA ||
		    b->state == HTTP_BODY_CHUNK_DATA)
			used = http_body_take(b, p, n, &r);
		else
			r = http_body_line_byte(b, *p);
		p += used;
		n -= used;
	}
	return r;
}

enum http_body_result
http_body_end(struct http_body *b)
{
	if (b->state == HTTP_BODY_DONE)
		return b->verdict;
	if (b->state == HTTP_BODY_FIELD)
		return http_body_bad(b, "closed inside the response head");
	return http_body_verdict(b, HTTP_BODY_ABSENT);
}
