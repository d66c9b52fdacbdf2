/*
 * Fuzzes grpc_health_response_decode, which reads what a gRPC app sends
 * back to the grpc check and the probe. A decoded message re-encodes to
 * a message that decodes to the same status.
 */
#include "fuzz.h"
#include "grpc_health.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t again[16];
	int32_t st, st2;
	size_t n;

	if (grpc_health_response_decode(data, size, &st) != GRPC_HEALTH_OK)
		return 0;
	if (size < GRPC_HEALTH_FRAME)
		abort();
	if (st >= 0 && st <= GRPC_HEALTH_SERVICE_UNKNOWN) {
		n = grpc_health_response_encode(again, sizeof(again),
		    (enum grpc_health_status)st);
		if (grpc_health_response_decode(again, n, &st2) !=
		    GRPC_HEALTH_OK || st2 != st)
			abort();
	}
	return 0;
}
