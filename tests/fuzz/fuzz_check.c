/*
 * Fuzzes check_spec_parse: [NAME=]http://, https://, tcp://, tls://,
 * exec: specs and every query parameter of check_param.c's table.
 * Properties: what is accepted holds together (a name, timeout below
 * interval, header lines that cannot split the request, no body with
 * HEAD, what a TLS spec must hold); a refusal says why.
 */
#include "check_spec.h"
#include "fuzz.h"

/* An accepted https://, grpcs:// or tls:// spec is one check_tls.c can run. */
static void
fuzz_check_tls(const struct check_spec *cs)
{
	const struct check_spec_tls *t = &cs->tls;
	struct addr a;

	/* tls:// is its own kind; https:// and grpcs:// are http and grpc
	 * over TLS. */
	if ((cs->kind == CHECK_SPEC_TLS) != (t->on &&
	    cs->kind != CHECK_SPEC_HTTP && cs->kind != CHECK_SPEC_GRPC))
		abort();
	if (!t->on) {
		if (t->insecure || t->sni[0] || t->ca[0] || t->cert[0] ||
		    t->key[0])
			abort();
		return;
	}
	if ((t->cert[0] != '\0') != (t->key[0] != '\0'))
		abort();
	if (t->insecure && t->ca[0])
		abort();
	/* Verified: there is a name to check the certificate against. */
	if (!t->insecure && t->sni[0] == '\0' &&
	    addr_parse_ip(cs->host, &a) == NULL)
		abort();
	if (t->sni[0] && addr_check_name(t->sni) != NULL)
		abort();
}

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
		fuzz_check_tls(&cs);
		check_spec_free(&cs);
	} else if (err[0] == '\0')
		abort();
	free(s);
	return 0;
}
