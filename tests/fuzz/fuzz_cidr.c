/* Fuzzes cidr_parse and addr_parse_ip, and matches what parses. */
#include <sys/socket.h>

#include "addr.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), buf[ADDR_STR_MAX];
	struct cidr c;
	struct addr a;

	if (s == NULL)
		return 0;
	if (cidr_parse(s, &c) == NULL) {
		if (c.bits > (c.net.family == AF_INET ? 32u : 128u))
			abort();
		/* A block always contains its own network address. */
		if (!cidr_match(&c, &c.net))
			abort();
	}
	if (addr_parse_ip(s, &a) == NULL)
		addr_format(&a, buf, sizeof(buf));
	free(s);
	return 0;
}
