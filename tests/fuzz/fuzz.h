/*
 * What every fuzz target shares: libFuzzer's entry point, and the input as
 * a NUL-terminated string for parsers that take one.
 */
#ifndef HEALTHGATE_FUZZ_H
#define HEALTHGATE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A NUL-terminated copy; the caller frees it. */
static inline char *
fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

#endif
