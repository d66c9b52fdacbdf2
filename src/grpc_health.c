/*
 * grpc_health.c: grpc.health.v1's two messages and their frame, by hand
 * (see grpc_health.h). Two one-field messages do not need a protobuf
 * library: the protobuf wire format here is a varint key, then a varint,
 * a length-delimited run or a fixed 4 or 8 bytes, which this file reads
 * with one bounds check per step.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "grpc_health.h"
#include "pct.h"

enum {
	GRPC_HEALTH_WT_VARINT = 0,
	GRPC_HEALTH_WT_FIXED64 = 1,
	GRPC_HEALTH_WT_LEN = 2,
	GRPC_HEALTH_WT_FIXED32 = 5,
};

/* A varint at *p (below end): its value, and *p moved past it. */
static bool
grpc_health_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t x = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		uint8_t b;

		if (*p >= end)
			return false;
		b = *(*p)++;
		x |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0) {
			*v = x;
			return true;
		}
	}
	return false;		/* more than 10 bytes */
}

static size_t
grpc_health_put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	do {
		p[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	return n;
}

/*
 * The message inside a frame of exactly len bytes: MORE while the frame
 * is not whole, BAD for a compressed one (healthgate asks for none) or
 * bytes past its end.
 */
static enum grpc_health_result
grpc_health_unframe(const uint8_t *buf, size_t len, const uint8_t **msg,
    size_t *mlen)
{
	uint32_t n;

	if (len < GRPC_HEALTH_FRAME)
		return len && buf[0] > 1 ? GRPC_HEALTH_BAD : GRPC_HEALTH_MORE;
	if (buf[0] != 0)
		return GRPC_HEALTH_BAD;
	n = (uint32_t)buf[1] << 24 | (uint32_t)buf[2] << 16 |
	    (uint32_t)buf[3] << 8 | buf[4];
	if (n > GRPC_HEALTH_MESSAGE_MAX)
		return GRPC_HEALTH_BAD;
	if (len - GRPC_HEALTH_FRAME < n)
		return GRPC_HEALTH_MORE;
	if (len - GRPC_HEALTH_FRAME > n)
		return GRPC_HEALTH_BAD;
	*msg = buf + GRPC_HEALTH_FRAME;
	*mlen = n;
	return GRPC_HEALTH_OK;
}

static void
grpc_health_frame(uint8_t *buf, size_t n)
{
	buf[0] = 0;
	buf[1] = (uint8_t)(n >> 24);
	buf[2] = (uint8_t)(n >> 16);
	buf[3] = (uint8_t)(n >> 8);
	buf[4] = (uint8_t)n;
}

/* One field: its number, wire type, and where its value lies. */
struct grpc_health_field {
	uint64_t	 number;
	unsigned	 type;
	uint64_t	 varint;	/* WT_VARINT */
	const uint8_t	*data;		/* WT_LEN */
	size_t		 len;
};

/* The next field at *p, or false when what is there is not one. */
static bool
grpc_health_next(const uint8_t **p, const uint8_t *end,
    struct grpc_health_field *f)
{
	uint64_t key, n;

	if (!grpc_health_varint(p, end, &key) || key >> 3 == 0 ||
	    key >> 3 > 0x1fffffff)
		return false;
	f->number = key >> 3;
	f->type = (unsigned)(key & 7);
	switch (f->type) {
	case GRPC_HEALTH_WT_VARINT:
		return grpc_health_varint(p, end, &f->varint);
	case GRPC_HEALTH_WT_FIXED64:
		n = 8;
		break;
	case GRPC_HEALTH_WT_FIXED32:
		n = 4;
		break;
	case GRPC_HEALTH_WT_LEN:
		if (!grpc_health_varint(p, end, &n))
			return false;
		break;
	default:		/* groups (3, 4) and the unused 6, 7 */
		return false;
	}
	if (n > (uint64_t)(end - *p))
		return false;
	f->data = *p;
	f->len = (size_t)n;
	*p += n;
	return true;
}

size_t
grpc_health_request_encode(uint8_t *buf, size_t size, const char *service)
{
	size_t slen = strlen(service), n = 0;
	uint8_t body[GRPC_HEALTH_SERVICE_MAX + 8];

	if (slen >= GRPC_HEALTH_SERVICE_MAX)
		return 0;
	/* proto3 leaves an empty string out: an empty message. */
	if (slen) {
		body[n++] = 1 << 3 | GRPC_HEALTH_WT_LEN;
		n += grpc_health_put_varint(body + n, slen);
		memcpy(body + n, service, slen);
		n += slen;
	}
	if (size < GRPC_HEALTH_FRAME + n)
		return 0;
	grpc_health_frame(buf, n);
	memcpy(buf + GRPC_HEALTH_FRAME, body, n);
	return GRPC_HEALTH_FRAME + n;
}

enum grpc_health_result
grpc_health_request_decode(const uint8_t *buf, size_t len, char *service)
{
	const uint8_t *p, *end;
	struct grpc_health_field f;
	enum grpc_health_result r;
	size_t mlen;

	service[0] = '\0';
	if ((r = grpc_health_unframe(buf, len, &p, &mlen)) != GRPC_HEALTH_OK)
		return r;
	for (end = p + mlen; p < end;) {
		if (!grpc_health_next(&p, end, &f))
			return GRPC_HEALTH_BAD;
		if (f.number != 1)
			continue;	/* unknown: skipped */
		if (f.type != GRPC_HEALTH_WT_LEN ||
		    f.len >= GRPC_HEALTH_SERVICE_MAX ||
		    memchr(f.data, '\0', f.len) != NULL)
			return GRPC_HEALTH_BAD;
		memcpy(service, f.data, f.len);	/* the last one wins */
		service[f.len] = '\0';
	}
	return GRPC_HEALTH_OK;
}

size_t
grpc_health_response_encode(uint8_t *buf, size_t size,
    enum grpc_health_status status)
{
	size_t n = 0;
	uint8_t body[12];

	if (status != GRPC_HEALTH_UNKNOWN) {
		body[n++] = 1 << 3 | GRPC_HEALTH_WT_VARINT;
		n += grpc_health_put_varint(body + n, (uint64_t)status);
	}
	if (size < GRPC_HEALTH_FRAME + n)
		return 0;
	grpc_health_frame(buf, n);
	memcpy(buf + GRPC_HEALTH_FRAME, body, n);
	return GRPC_HEALTH_FRAME + n;
}

enum grpc_health_result
grpc_health_response_decode(const uint8_t *buf, size_t len, int32_t *status)
{
	const uint8_t *p, *end;
	struct grpc_health_field f;
	enum grpc_health_result r;
	size_t mlen;

	*status = GRPC_HEALTH_UNKNOWN;
	if ((r = grpc_health_unframe(buf, len, &p, &mlen)) != GRPC_HEALTH_OK)
		return r;
	for (end = p + mlen; p < end;) {
		if (!grpc_health_next(&p, end, &f))
			return GRPC_HEALTH_BAD;
		if (f.number != 1)
			continue;
		if (f.type != GRPC_HEALTH_WT_VARINT)
			return GRPC_HEALTH_BAD;
		/* An enum is an int32: its low 32 bits, the last one wins. */
		*status = (int32_t)(uint32_t)f.varint;
	}
	return GRPC_HEALTH_OK;
}

const char *
grpc_health_status_name(int32_t status, char *buf, size_t size)
{
	static const char *const names[] = {
		"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN",
	};

	if (status >= 0 && status <= GRPC_HEALTH_SERVICE_UNKNOWN)
		return names[status];
	snprintf(buf, size, "status %ld", (long)status);
	return buf;
}

const char *
grpc_health_code_name(unsigned code)
{
	static const char *const names[GRPC_HEALTH_CODE_MAX + 1] = {
		"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
		"DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
		"PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
		"FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
		"UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
		"UNAUTHENTICATED",
	};

	return code <= GRPC_HEALTH_CODE_MAX ? names[code] : "?";
}

void
grpc_health_timeout(unsigned ms, char *buf, size_t size)
{
	/* At most 8 digits (the spec's TimeoutValue); else in seconds. */
	if (ms <= 99999999)
		snprintf(buf, size, "%um", ms);
	else
		snprintf(buf, size, "%uS", ms / 1000);
}

int
grpc_health_code_parse(const uint8_t *v, size_t len, unsigned *code)
{
	unsigned c = 0;

	if (len == 0 || len > 3)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		c = c * 10 + (unsigned)(v[i] - '0');
	}
	*code = c;
	return 0;
}

void
grpc_health_message_decode(const uint8_t *v, size_t len, char *out,
    size_t size)
{
	size_t o = 0;

	if (size == 0)
		return;
	for (size_t i = 0; i < len && o + 1 < size; i++) {
		uint8_t c = v[i];
		int hi, lo;

		/* A '%' not followed by two hex digits stands for itself. */
		if (c == '%' && i + 2 < len &&
		    (hi = pct_hex(v[i + 1])) >= 0 &&
		    (lo = pct_hex(v[i + 2])) >= 0) {
			c = (uint8_t)(hi << 4 | lo);
			i += 2;
		}
		out[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	out[o] = '\0';
}

void
grpc_health_message_encode(const char *text, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	if (size == 0)
		return;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '%') {
			if (o + 1 >= size)
				break;
			out[o++] = (char)*p;
			continue;
		}
		if (o + 3 >= size)
			break;
		out[o++] = '%';
		out[o++] = hex[*p >> 4];
		out[o++] = hex[*p & 15];
	}
	out[o] = '\0';
}
