/* Fuzzes the logfmt-to-JSON conversion of log lines. */
#include "fuzz.h"
#include "log.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), line[512];

	if (s == NULL)
		return 0;
	log_format_line(line, sizeof(line), LOG_FORMAT_JSON, "T", LOG_INFO, "e", s);
	if (strlen(line) >= sizeof(line))
		abort();
	log_format_line(line, sizeof(line), LOG_FORMAT_TEXT, "T", LOG_INFO, "e", s);
	free(s);
	return 0;
}
