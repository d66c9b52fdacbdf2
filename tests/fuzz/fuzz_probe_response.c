/* Fuzzes what probe reads: when an answer is whole, and its status. */
#include "fuzz.h"
#include "http_status.h"
#include "probe.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned code;

	(void)probe_response_complete((const char *)data, size);
	(void)http_status_parse((const char *)data, size, &code);
	return 0;
}
