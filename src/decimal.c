/*
 * decimal.c: unsigned decimal numbers, read in one place with one
 * overflow rule, so no parser of ours wraps around.
 */
#include "decimal.h"

size_t
decimal_span(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

bool
decimal_parse(const char *s, size_t n, unsigned long long max,
    unsigned long long *v)
{
	unsigned long long acc = 0;

	if (n == 0 || decimal_span(s, n) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		/* acc * 10 + d <= max, asked without overflowing. */
		if (d > max || acc > (max - d) / 10)
			return false;
		acc = acc * 10 + d;
	}
	*v = acc;
	return true;
}
