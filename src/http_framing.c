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

/* RFC 9110 5.6.2: tchar. */
static bool
is_token(const char *s)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";

	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= 'A' && *s <= 'Z') || strchr(extra, *s) != NULL))
			return false;
	return true;
}

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
	uint64_t v;

	if (!is_token(name)) {
		f->bad_name = true;
		return;
	}
	if (strcasecmp(name, "Host") == 0) {
		f->nhost++;
		return;
	}
	if (strcasecmp(name, "Transfer-Encoding") == 0) {
		f->chunked = true;
		return;
	}
	if (strcasecmp(name, "Content-Length") != 0)
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
