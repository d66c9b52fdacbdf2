#ifndef HEALTHGATE_PCT_H
#define HEALTHGATE_PCT_H

/*
 * Percent-encoding (RFC 3986, section 2.1) of the byte values a check's
 * parameters carry: body=, header=, send=, expect=. '+' is a plus, not a
 * space (that is HTML forms' encoding, not a URL's). Pure; fuzzed.
 */

#include <stddef.h>

/*
 * s decoded into out (size bytes; the result is not NUL-terminated and
 * may hold NULs), its length in *len. NULL, or why not: a '%' without two
 * hex digits after it, or more than size bytes.
 */
/* A hex digit's value, or -1. */
int		 pct_hex(int c);

const char	*pct_decode(const char *s, char *out, size_t size, size_t *len);

/*
 * b[0..n) for a person to read, NUL-terminated in out (size > 0): printable
 * ASCII and the space as they are, '%' and every other byte as %XX, so
 * what a reason shows reads back through pct_decode. Cut short, it ends
 * in "...".
 */
void		 pct_show(const char *b, size_t n, char *out, size_t size);

#endif
