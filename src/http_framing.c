/*
 * http_framing.c: is a request's body framed without doubt (see
 * http_framing.h). RFC 9112: a sender must not send both Content-Length
 * and Transfer-Encoding (6.1), differing Content-Length values are an
 * unrecoverable error (6.3), and whitespace between a field name and its
 * colon must be rejected with 400 (5.1).
 */
#include <string.h>
#include <strings.h>

#include "decimal.h"
#include "http_framing.h"

/*
 * RFC 9110 5.6.2: tchar, as a table: a test per byte, where a strchr() of
 * the punctuation cost most of this file's time per request (callgrind).
 */
#define T(c)	[(unsigned char)(c)] = true
static const bool tchar[256] = {
	['0' ... '9'] = true, ['a' ... 'z'] = true, ['A' ... 'Z'] = true,
	T('!'), T('#'), T('$'), T('%'), T('&'), T('\''), T('*'), T('+'),
	T('-'), T('.'), T('^'), T('_'), T('`'), T('|'), T('~'),
};
#undef T

/* The length of a token, or 0 when s is empty or holds a non-tchar. */
static size_t
token_len(const char *s)
{
	size_t n = 0;

	while (tchar[(unsigned char)s[n]])
		n++;
	return s[n] == '\0' ? n : 0;
}

bool
http_framing_is_token(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!tchar[(unsigned char)s[i]])
			return false;
	return n > 0;
}

/* Whether name, of length n, is the field name f (ASCII, any case). */
#define IS(f, name, n)	((n) == sizeof(f) - 1 && strcasecmp((name), (f)) == 0)

/* 1*DIGIT into *v; false for anything else or past 19 digits. */
static bool
parse_length(const char *s, uint64_t *v)
{
	unsigned long long n;

	if (!decimal_parse(s, strlen(s), 9999999999999999999ULL, &n))
		return false;
	*v = n;
	return true;
}

void
http_framing_init(struct http_framing *f)
{
	memset(f, 0, sizeof(*f));
}

void
http_framing_field(struct http_framing *f, const char *name,
    const char *value)
{
	size_t n = token_len(name);
	uint64_t v;

	if (n == 0) {
		f->bad_name = true;
		return;
	}
	if (IS("Host", name, n)) {
		f->nhost++;
		return;
	}
	if (IS("Transfer-Encoding", name, n)) {
		f->chunked = true;
		return;
	}
	if (!IS("Content-Length", name, n))
		return;
	if (!parse_length(value, &v))
		f->length_bad = true;
	else if (f->nlength == 0)
		f->length = v;
	else if (v != f->length)
		f->length_bad = true;
	f->nlength++;
}

enum http_framing_verdict
http_framing_verdict(const struct http_framing *f)
{
	if (f->bad_name || f->length_bad || (f->chunked && f->nlength > 0))
		return HTTP_FRAMING_BAD;
	if (f->nhost > 1 || (f->need_host && f->nhost == 0))
		return HTTP_FRAMING_BAD;
	if (f->chunked || f->length > 0)
		return HTTP_FRAMING_BODY;
	return HTTP_FRAMING_NO_BODY;
}
