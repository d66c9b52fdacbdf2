#ifndef HEALTHGATE_DECIMAL_H
#define HEALTHGATE_DECIMAL_H

/*
 * The one reader of unsigned decimal numbers (ports, prefix lengths,
 * counts, Content-Length, WATCHDOG_USEC, signal numbers). Pure.
 */

#include <stdbool.h>
#include <stddef.h>

/*
 * s[0..n) as an unsigned decimal: digits only, at least one, at most max
 * (leading zeros are fine: 007 is 7). false, *v untouched, for anything
 * else: empty, a sign, a space, a value above max.
 */
bool	decimal_parse(const char *s, size_t n, unsigned long long max,
	    unsigned long long *v);

/* How many of s[0..n) are digits, from the start. */
size_t	decimal_span(const char *s, size_t n);

#endif
