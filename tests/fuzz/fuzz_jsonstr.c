/*
 * Fuzzes jsonstr_put, which writes every string of /health and of JSON
 * logs, an exec command's output included. Property: whatever the bytes,
 * the result between quotes is one valid JSON string to jansson (which
 * refuses ill-formed UTF-8), and jsonstr_len says its length.
 */
#include <jansson.h>

#include "fuzz.h"
#include "jsonstr.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap = size * 6 + 3, len = 1;
	char *buf = malloc(cap);
	json_t *j;

	if (buf == NULL)
		return 0;
	buf[0] = '"';
	jsonstr_put(buf, cap - 1, &len, (const char *)data, size);
	if (len - 1 != jsonstr_len((const char *)data, size))
		abort();
	buf[len++] = '"';
	j = json_loadb(buf, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (j == NULL || !json_is_string(j))
		abort();
	json_decref(j);
	free(buf);
	return 0;
}
