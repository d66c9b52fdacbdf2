/*
 * Fuzzes what the admin API reads from a caller: the Authorization field
 * against a token (admin_access_check), the path (admin_verb_of), and a
 * token file's text (admin_token_parse). Properties: only the exact
 * "Bearer TOKEN" (any case of the scheme, any spaces after it) opens the
 * API from outside loopback; a parsed token is a non-empty prefix with no
 * space or control byte.
 */
#include "admin.h"
#include <strings.h>

#include "fuzz.h"

static const char token[] = "s3cret-T0ken";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	struct addr far = { .family = AF_INET, .bytes = { 10, 0, 0, 1 } };
	enum admin_access a;
	size_t len;

	if (s == NULL)
		return 0;
	a = admin_access_check(&far, s, token);
	if (a == ADMIN_ACCESS_LOOPBACK || a == ADMIN_ACCESS_NOT_ENABLED)
		abort();
	if (a == ADMIN_ACCESS_TOKEN) {
		const char *p = s + 6;

		while (*p == ' ')
			p++;
		if (strncasecmp(s, "Bearer ", 7) != 0 || strcmp(p, token) != 0)
			abort();
	}
	(void)admin_verb_of(s);
	if (admin_token_parse((const char *)data, size, &len) == NULL) {
		if (len == 0 || len > size || len > ADMIN_TOKEN_MAX)
			abort();
		for (size_t i = 0; i < len; i++)
			if (data[i] <= ' ' || data[i] == 0x7f)
				abort();
	}
	free(s);
	return 0;
}
