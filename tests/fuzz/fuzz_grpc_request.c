/*
 * Fuzzes grpc_health_request_decode, which reads what any client sends to
 * the gRPC listener. A decoded service name is a C string of the size
 * promised, and encodes back to a request naming the same service.
 */
#include "fuzz.h"
#include "grpc_health.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char svc[GRPC_HEALTH_SERVICE_MAX], svc2[GRPC_HEALTH_SERVICE_MAX];
	uint8_t again[GRPC_HEALTH_FRAME + GRPC_HEALTH_SERVICE_MAX + 8];
	size_t n;

	if (grpc_health_request_decode(data, size, svc) != GRPC_HEALTH_OK)
		return 0;
	if (strlen(svc) >= GRPC_HEALTH_SERVICE_MAX)
		abort();
	n = grpc_health_request_encode(again, sizeof(again), svc);
	if (n == 0 || grpc_health_request_decode(again, n, svc2) !=
	    GRPC_HEALTH_OK || strcmp(svc, svc2) != 0)
		abort();
	return 0;
}
