/* Fuzzes listen addresses: addr_split_hostport then addr_to_sockaddr. */
#include <netinet/in.h>

#include "addr.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), host[ADDR_HOST_MAX];
	struct sockaddr_storage ss;
	socklen_t len;
	unsigned port;

	if (s == NULL)
		return 0;
	if (addr_split_hostport(s, host, &port) == NULL) {
		if (port > 65535 || strlen(host) >= ADDR_HOST_MAX)
			abort();
		if (addr_to_sockaddr(host, port, &ss, &len) == NULL &&
		    len > sizeof(ss))
			abort();
	}
	free(s);
	return 0;
}
