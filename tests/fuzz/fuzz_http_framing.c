/*
 * Fuzzes http_framing with header fields as a request head carries them:
 * the input is lines of "name:value". Two properties hold for any input:
 * ambiguity is never undone by more fields (a BAD prefix stays BAD), and
 * sending every field twice over changes nothing but Host, which may come
 * once only (RFC 9112 3.2): twice, it is BAD by itself.
 */
#include "fuzz.h"
#include "http_framing.h"

#define MAX_FIELDS	16

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), *line, *save = NULL;
	const char *name[MAX_FIELDS], *value[MAX_FIELDS];
	struct http_framing once, twice;
	enum http_framing_verdict v;
	bool bad_prefix = false;
	unsigned n = 0;

	if (s == NULL)
		return 0;
	for (line = strtok_r(s, "\n", &save); line && n < MAX_FIELDS;
	    line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');

		if (colon == NULL)
			continue;
		*colon = '\0';
		name[n] = line;
		value[n++] = colon + 1;
	}
	http_framing_init(&once);
	http_framing_init(&twice);
	for (unsigned i = 0; i < n; i++) {
		if (http_framing_verdict(&once) == HTTP_FRAMING_BAD)
			bad_prefix = true;
		http_framing_field(&once, name[i], value[i]);
		http_framing_field(&twice, name[i], value[i]);
		http_framing_field(&twice, name[i], value[i]);
	}
	v = http_framing_verdict(&once);
	if (bad_prefix && v != HTTP_FRAMING_BAD)
		abort();
	if (http_framing_verdict(&twice) !=
	    (once.nhost > 0 ? HTTP_FRAMING_BAD : v))
		abort();
	free(s);
	return 0;
}
