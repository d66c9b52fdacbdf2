/*
 * Fuzzes pct_decode (the values of body=, header=, send=, expect=) and
 * pct_show. Property: what pct_show writes of decoded bytes decodes back
 * to them.
 */
#include "fuzz.h"
#include "pct.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), out[256], shown[256 * 3 + 1];
	char back[256];
	size_t len, blen;

	if (s == NULL)
		return 0;
	if (pct_decode(s, out, sizeof(out), &len) == NULL) {
		if (len > sizeof(out))
			abort();
		pct_show(out, len, shown, sizeof(shown));
		if (pct_decode(shown, back, sizeof(back), &blen) != NULL ||
		    blen != len || memcmp(back, out, len) != 0)
			abort();
	}
	pct_show(s, size, shown, 16);	/* cut short: stays in bounds */
	free(s);
	return 0;
}
