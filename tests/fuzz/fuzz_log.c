/*
 * Fuzzes log lines built from keys and values: the input, split at NUL
 * bytes, gives the values of up to eight fields (any other bytes). Every
 * text line must stay one line without control bytes; every JSON line
 * must parse with jansson and give back each value that is UTF-8 exactly.
 */
#include <jansson.h>

#include "fuzz.h"
#include "jsonstr.h"
#include "log.h"

#define FUZZ_LOG_FIELDS	8

/* Whether s[0..n) is all well-formed UTF-8 (what JSON carries as is). */
static int
fuzz_log_utf8(const char *s, size_t n)
{
	for (size_t i = 0, k; i < n; i += k)
		if ((k = jsonstr_utf8_ok(s + i, n - i)) == 0)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char line[8 * 65536];
	struct log_kv kv[FUZZ_LOG_FIELDS + 1];
	char keys[FUZZ_LOG_FIELDS][8];
	const char *p = (const char *)data, *end = p + size;
	size_t n = 0;
	json_t *o;

	if (size > 65536)
		return 0;
	while (n < FUZZ_LOG_FIELDS && p < end) {
		const char *v = memchr(p, '\0', (size_t)(end - p));
		size_t len = v ? (size_t)(v - p) : (size_t)(end - p);

		snprintf(keys[n], sizeof(keys[n]), "k%zu", n);
		kv[n] = (n % 2) ? LOG_QN(keys[n], p, len) :
		    LOG_SN(keys[n], p, len);
		n++;
		p += len + 1;
	}
	kv[n] = LOG_END;
	log_format_kv(line, sizeof(line), LOG_FORMAT_TEXT, "T", LOG_INFO, "e",
	    kv);
	for (const char *c = line; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			abort();
	log_format_kv(line, sizeof(line), LOG_FORMAT_JSON, "T", LOG_INFO, "e",
	    kv);
	if ((o = json_loads(line, 0, NULL)) == NULL)
		abort();
	for (size_t i = 0; i < n; i++) {
		json_t *got = json_object_get(o, keys[i]);

		if (got == NULL)
			abort();
		if (fuzz_log_utf8(kv[i].s, kv[i].n) &&
		    (json_string_length(got) != kv[i].n ||
		    memcmp(json_string_value(got), kv[i].s, kv[i].n) != 0))
			abort();
	}
	json_decref(o);
	return 0;
}
