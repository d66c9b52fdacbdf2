/*
 * jsonstr.c: escaping text into a JSON string, in one place.
 *
 * Text healthgate did not write (an exec command's output, a reason
 * quoting an app's reply) may be any bytes. JSON is UTF-8 (RFC 8259, 8.1),
 * so what is not is replaced: each maximal subpart of an ill-formed
 * sequence becomes one U+FFFD, as Unicode (15.0, 3.9) and the WHATWG
 * decoder do, and a character is never cut in half at a buffer's end.
 */
#include <stdio.h>
#include <string.h>

#include "jsonstr.h"

#define JSONSTR_FFFD	"\xef\xbf\xbd"	/* U+FFFD REPLACEMENT CHARACTER */

/* The escape of an ASCII byte c into out (room for 7); its length. */
static size_t
jsonstr_ascii(unsigned char c, char *out)
{
	if (c == '"' || c == '\\') {
		out[0] = '\\';
		out[1] = (char)c;
		return 2;
	}
	if (c == '\n') {
		memcpy(out, "\\n", 2);
		return 2;
	}
	if (c < 0x20 || c == 0x7f) {
		snprintf(out, 7, "\\u%04x", c);
		return 6;
	}
	out[0] = (char)c;
	return 1;
}

/*
 * How many bytes of the UTF-8 sequence that s[0..n) starts with are well
 * formed (Unicode 15.0, table 3-7), and in *need how many it should have.
 */
static size_t
jsonstr_utf8(const unsigned char *s, size_t n, size_t *need)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t i;

	if (c >= 0xc2 && c <= 0xdf)
		*need = 2;
	else if (c >= 0xe0 && c <= 0xef)
		*need = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		*need = 4;
	else {
		*need = 1;
		return 0;
	}
	/* The second byte's range narrows for E0, ED, F0 and F4. */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	for (i = 1; i < *need && i < n; i++) {
		if (s[i] < lo || s[i] > hi)
			break;
		lo = 0x80;
		hi = 0xbf;
	}
	return i;
}

size_t
jsonstr_utf8_ok(const char *s, size_t n)
{
	size_t need, ok;

	if ((unsigned char)s[0] < 0x80)
		return 1;
	ok = jsonstr_utf8((const unsigned char *)s, n, &need);
	return ok == need ? need : 0;
}

/*
 * The next character of s[0..n) as it is written into a JSON string: its
 * bytes in out (room for 7), their count returned, and in *used how many
 * of s it took.
 */
static size_t
jsonstr_next(const char *s, size_t n, size_t *used, char *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t need, ok;

	if (u[0] < 0x80) {
		*used = 1;
		return jsonstr_ascii(u[0], out);
	}
	ok = jsonstr_utf8(u, n, &need);
	if (ok == need) {
		memcpy(out, s, need);
		*used = need;
		return need;
	}
	/* The well-formed part so far, or the one bad byte, is one U+FFFD. */
	*used = ok ? ok : 1;
	memcpy(out, JSONSTR_FFFD, 3);
	return 3;
}

void
jsonstr_put(char *buf, size_t size, size_t *len, const char *s, size_t n)
{
	char out[8];

	if (size == 0 || *len >= size)
		return;
	for (size_t i = 0, used; i < n; i += used) {
		size_t e = jsonstr_next(s + i, n - i, &used, out);

		if (*len + e > size - 1)
			break;
		memcpy(buf + *len, out, e);
		*len += e;
	}
	buf[*len] = '\0';
}

size_t
jsonstr_len(const char *s, size_t n)
{
	char out[8];
	size_t total = 0;

	for (size_t i = 0, used; i < n; i += used)
		total += jsonstr_next(s + i, n - i, &used, out);
	return total;
}
