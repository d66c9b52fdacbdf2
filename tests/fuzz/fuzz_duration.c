/* Fuzzes opts_parse_duration and opts_parse_count. */
#include "config.h"
#include "opts.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	unsigned v;

	if (s == NULL)
		return 0;
	if (opts_parse_duration(s, &v) == NULL && v > 24u * 3600 * 1000)
		abort();
	if (opts_parse_count(s, &v) == NULL && v > 1000000)
		abort();
	free(s);
	return 0;
}
