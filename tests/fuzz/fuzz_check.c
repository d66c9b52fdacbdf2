/*
 * Fuzzes check_spec_parse: [NAME=]http://, tcp://, exec: specs and every
 * query parameter of check_param.c's table. Properties: what is accepted
 * holds together (a name, timeout below interval, header lines that
 * cannot split the request, no body with HEAD); a refusal says why.
 */
#include "check_spec.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct check_spec sched = { .interval_ms = 2000, .timeout_ms = 1000,
	    .rise = 1, .fall = 1 };
	char *s = fuzz_string(data, size);
	struct check_spec cs;

	if (s == NULL)
		return 0;
	const char *err = check_spec_parse(s, &sched, &cs);

	if (err == NULL) {
		if (cs.name[0] == '\0' || cs.timeout_ms >= cs.interval_ms)
			abort();
		if (cs.kind == CHECK_SPEC_EXEC && (cs.argv == NULL ||
		    cs.argv[0] == NULL))
			abort();
		if (cs.body.len > sizeof(cs.body.b) || (cs.body.len &&
		    cs.method != CHECK_SPEC_METHOD_GET))
			abort();
		/* Every CR or LF in the header lines is a line's CRLF end. */
		for (const char *h = cs.headers; *h; h++)
			if ((*h == '\r' && h[1] != '\n') ||
			    (*h == '\n' && (h == cs.headers || h[-1] != '\r')))
				abort();
		check_spec_free(&cs);
	} else if (err[0] == '\0')
		abort();
	free(s);
	return 0;
}
