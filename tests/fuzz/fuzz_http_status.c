/* Fuzzes http_status_parse, which reads what upstreams send back. */
#include "fuzz.h"
#include "http_status.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned code;

	/* Raw bytes, not a string: NULs and no terminator are fair game. */
	if (http_status_parse((const char *)data, size, &code) ==
	    HTTP_STATUS_DONE && (code < 100 || code > 999))
		abort();
	return 0;
}
