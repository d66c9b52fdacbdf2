/*
 * jsonstr.c: escaping text into a JSON string, in one place.
 */
#include <stdio.h>
#include <string.h>

#include "jsonstr.h"

/* The escape of c into out (room for 7); its length. */
static size_t
escape(unsigned char c, char *out)
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

void
jsonstr_put(char *buf, size_t size, size_t *len, const char *s, size_t n)
{
	char esc[8];

	if (size == 0 || *len >= size)
		return;
	for (size_t i = 0; i < n; i++) {
		size_t e = escape((unsigned char)s[i], esc);

		if (*len + e > size - 1)
			break;
		memcpy(buf + *len, esc, e);
		*len += e;
	}
	buf[*len] = '\0';
}

size_t
jsonstr_len(const char *s, size_t n)
{
	char esc[8];
	size_t total = 0;

	for (size_t i = 0; i < n; i++)
		total += escape((unsigned char)s[i], esc);
	return total;
}
