/*
 * Fuzzes opts_parse_duration (with opts_format_duration: what is accepted
 * prints in a form read back the same) and opts_parse_count.
 */
#include "opts.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	unsigned v;

	if (s == NULL)
		return 0;
	if (opts_parse_duration(s, &v) == NULL) {
		char buf[OPTS_DURATION_LEN];
		unsigned back;

		if (v > OPTS_DURATION_MAX)
			abort();
		/* What is accepted prints in a form read back the same. */
		opts_format_duration(v, buf, sizeof(buf));
		if (opts_parse_duration(buf, &back) != NULL || back != v)
			abort();
	}
	if (opts_parse_count(s, &v) == NULL && v > 1000000)
		abort();
	free(s);
	return 0;
}
