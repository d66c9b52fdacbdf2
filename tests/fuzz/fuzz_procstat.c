/* Fuzzes procstat_parse, which reads /proc/self/stat for /metrics. */
#include "fuzz.h"
#include "procstat.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct procstat_raw r;

	/* Raw bytes, not a string: NULs and no terminator are fair game. */
	(void)procstat_parse((const char *)data, size, &r);
	return 0;
}
