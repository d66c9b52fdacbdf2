/* Fuzzes check_spec_parse: [NAME=]http://, tcp://, exec: specs. */
#include "check_spec.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct check_spec sched = { .interval_ms = 2000, .timeout_ms = 1000,
	    .rise = 1, .fall = 1 };
	char *s = fuzz_string(data, size);
	struct check_spec cs;

	if (s == NULL)
		return 0;
	if (check_spec_parse(s, &sched, &cs) == NULL) {
		if (cs.name[0] == '\0' || cs.timeout_ms >= cs.interval_ms)
			abort();
		if (cs.kind == CHECK_SPEC_EXEC && (cs.argv == NULL ||
		    cs.argv[0] == NULL))
			abort();
		check_spec_free(&cs);
	}
	free(s);
	return 0;
}
