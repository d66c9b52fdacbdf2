#ifndef HEALTHGATE_JSONSTR_H
#define HEALTHGATE_JSONSTR_H

/*
 * The one JSON string escaper: log lines (log.c) and bodies (sbuf.c, for
 * health.c) both write strings through it. Pure.
 */

#include <stddef.h>

/*
 * Appends s[0..n) as the inside of a JSON string to buf at *len: '"' and
 * '\' escaped, newline as \n, other control bytes and DEL as \u00XX, all
 * else that is UTF-8 as it is, and each ill-formed part of what is not as
 * one U+FFFD. Never writes past size - 1 and never cuts an escape or a
 * character in half; buf stays NUL-terminated.
 */
void	jsonstr_put(char *buf, size_t size, size_t *len, const char *s,
	    size_t n);

/*
 * The length of the well-formed UTF-8 character s[0..n) starts with (1 for
 * ASCII), or 0 when it is ill-formed: for a text log line that keeps only
 * UTF-8. n > 0.
 */
size_t	jsonstr_utf8_ok(const char *s, size_t n);

/* How long jsonstr_put makes s[0..n), for a caller sizing its buffer. */
size_t	jsonstr_len(const char *s, size_t n);

#endif
