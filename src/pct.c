/*
 * pct.c: percent-decoding of parameter values, and the reverse for
 * showing bytes in a reason (see pct.h).
 */
#include <stdio.h>
#include <string.h>

#include "pct.h"

int
pct_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

const char *
pct_decode(const char *s, char *out, size_t size, size_t *len)
{
	size_t n = 0;

	for (; *s; n++) {
		char c = *s++;

		if (c == '%') {
			int hi = pct_hex(s[0]), lo = hi < 0 ? -1 : pct_hex(s[1]);

			if (hi < 0 || lo < 0)
				return "has a '%' without two hex digits after "
				    "it";
			c = (char)(hi * 16 + lo);
			s += 2;
		}
		if (n >= size)
			return "is too long";
		out[n] = c;
	}
	*len = n;
	return NULL;
}

/*
 * Printable ASCII and the space but '%' stand for themselves (a reason is
 * read by people; pct_decode takes a space as itself); the rest is %XX.
 */
static size_t
pct_width(unsigned char c)
{
	return c >= ' ' && c < 0x7f && c != '%' ? 1 : 3;
}

void
pct_show(const char *b, size_t n, char *out, size_t size)
{
	size_t o = 0, need = 0, room;

	for (size_t i = 0; i < n; i++)
		need += pct_width((unsigned char)b[i]);
	/* All of it, or as much as leaves room for "..." and the NUL. */
	room = need < size ? size - 1 : size >= 4 ? size - 4 : 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)b[i];

		if (o + pct_width(c) > room)
			break;
		if (pct_width(c) == 1)
			out[o++] = (char)c;
		else {
			snprintf(out + o, 4, "%%%02X", c);
			o += 3;
		}
	}
	if (need >= size && size >= 4) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}
