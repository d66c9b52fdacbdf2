#ifndef HEALTHGATE_GRPC_HEALTH_H
#define HEALTHGATE_GRPC_HEALTH_H

/*
 * grpc.health.v1 on the wire, without a protobuf library: the 5-byte
 * gRPC message frame (a compressed flag, a big-endian length) around the
 * two messages the health service speaks,
 *
 *   HealthCheckRequest  { string service = 1; }
 *   HealthCheckResponse { ServingStatus status = 1; }
 *
 * encoded and decoded by hand, plus the header values around them
 * (grpc-timeout, grpc-status, a percent-encoded grpc-message). Pure;
 * both decoders are fuzzed (tests/fuzz/fuzz_grpc_request.c,
 * fuzz_grpc_response.c). Unknown fields are skipped as protobuf says;
 * groups, a truncated field and a compressed frame are refused.
 */

#include <stddef.h>
#include <stdint.h>

#define GRPC_HEALTH_FRAME	5	/* the message frame's prefix */
#define GRPC_HEALTH_SERVICE_MAX	256	/* longest service name, with NUL */
#define GRPC_HEALTH_MESSAGE_MAX	1024	/* largest message either side reads */

/* HealthCheckResponse.ServingStatus. */
enum grpc_health_status {
	GRPC_HEALTH_UNKNOWN = 0,
	GRPC_HEALTH_SERVING = 1,
	GRPC_HEALTH_NOT_SERVING = 2,
	GRPC_HEALTH_SERVICE_UNKNOWN = 3,	/* Watch only */
};

/* The gRPC status codes healthgate sends or names (grpc/doc/statuscodes). */
enum grpc_health_code {
	GRPC_HEALTH_CODE_OK = 0,
	GRPC_HEALTH_CODE_INVALID_ARGUMENT = 3,
	GRPC_HEALTH_CODE_NOT_FOUND = 5,
	GRPC_HEALTH_CODE_UNIMPLEMENTED = 12,
	GRPC_HEALTH_CODE_UNAVAILABLE = 14,
	GRPC_HEALTH_CODE_MAX = 16,		/* UNAUTHENTICATED */
};

enum grpc_health_result {
	GRPC_HEALTH_OK,		/* a whole, well-formed message */
	GRPC_HEALTH_MORE,	/* a prefix of one: wait for more bytes */
	GRPC_HEALTH_BAD,	/* not one, whatever follows */
};

/*
 * A framed HealthCheckRequest for service ("" for the server as a whole)
 * into buf; its length, or 0 when it does not fit (size bytes) or the
 * name is longer than GRPC_HEALTH_SERVICE_MAX - 1.
 */
size_t	grpc_health_request_encode(uint8_t *buf, size_t size,
	    const char *service);

/*
 * A framed HealthCheckRequest, exactly len bytes: the service into
 * service (GRPC_HEALTH_SERVICE_MAX bytes, NUL-terminated). A name with a
 * NUL in it, or too long, is BAD.
 */
enum grpc_health_result grpc_health_request_decode(const uint8_t *buf,
	    size_t len, char *service);

/* A framed HealthCheckResponse into buf (at least 16 bytes); its length. */
size_t	grpc_health_response_encode(uint8_t *buf, size_t size,
	    enum grpc_health_status status);

/*
 * A framed HealthCheckResponse, exactly len bytes: its status (an enum
 * value the sender may not know: any int32). No status field is UNKNOWN,
 * as proto3 leaves zero out.
 */
enum grpc_health_result grpc_health_response_decode(const uint8_t *buf,
	    size_t len, int32_t *status);

/* "SERVING", ..., or "status N" into buf for a value it does not know. */
const char *grpc_health_status_name(int32_t status, char *buf, size_t size);
/* "OK", "NOT_FOUND", ... or "?" */
const char *grpc_health_code_name(unsigned code);

/* A grpc-timeout value for ms milliseconds ("1500m"), into buf (16). */
void	grpc_health_timeout(unsigned ms, char *buf, size_t size);

/*
 * A grpc-status value (1-3 digits, 0-99 as the spec leaves room): 0 and
 * *code on success, -1 when it is not one.
 */
int	grpc_health_code_parse(const uint8_t *v, size_t len, unsigned *code);

/*
 * A grpc-message value, percent-decoded into out (size bytes, cut to fit,
 * NUL-terminated), bytes outside printable ASCII as '?'.
 */
void	grpc_health_message_decode(const uint8_t *v, size_t len, char *out,
	    size_t size);

/* text percent-encoded as grpc-message wants it into out (cut to fit). */
void	grpc_health_message_encode(const char *text, char *out, size_t size);

#endif
