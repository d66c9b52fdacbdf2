/* Fuzzes addr_parse_url, the URLs of http checks and of probe. */
#include "addr.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	struct url u;

	if (s == NULL)
		return 0;
	if (addr_parse_url(s, &u) == NULL) {
		if (u.path[0] != '/' || u.port == 0 || u.port > 65535 ||
		    u.host[0] == '\0')
			abort();
		/* What goes into a request line has no space or control. */
		for (const char *p = u.path; *p; p++)
			if ((unsigned char)*p <= ' ')
				abort();
	}
	free(s);
	return 0;
}
