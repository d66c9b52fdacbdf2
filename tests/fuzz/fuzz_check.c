/* Fuzzes config_parse_check: [NAME=]http://, tcp://, exec: specs. */
#include "config.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c = { .interval_ms = 2000, .timeout_ms = 1000,
	    .rise = 1, .fall = 1 };
	char *s = fuzz_string(data, size);
	struct check_spec cs;

	if (s == NULL)
		return 0;
	if (config_parse_check(s, &c, &cs) == NULL) {
		if (cs.name[0] == '\0' || cs.timeout_ms >= cs.interval_ms)
			abort();
		if (cs.kind == CHECK_EXEC && (cs.argv == NULL ||
		    cs.argv[0] == NULL))
			abort();
		config_check_free(&cs);
	}
	free(s);
	return 0;
}
