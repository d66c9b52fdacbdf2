/*
 * check_param.c: a check's query parameters, one row each (see
 * check_param.h). Values that carry bytes (body, header, send, expect)
 * are percent-decoded (pct.c); the others are read as they are.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check_param.h"
#include "http_framing.h"
#include "opts.h"
#include "pct.h"

#define HTTP	CHECK_PARAM_KIND(CHECK_SPEC_HTTP)
#define TCP	CHECK_PARAM_KIND(CHECK_SPEC_TCP)
#define TLS	CHECK_PARAM_KIND(CHECK_SPEC_TLS)
/* The TLS rows' kinds: https, tls and grpcs (with CHECK_PARAM_TLS). */
#define OVER_TLS	(HTTP | TLS | CHECK_PARAM_KIND(CHECK_SPEC_GRPC))

static const char *
check_param_interval(struct check_spec *cs, const char *v)
{
	return opts_parse_duration(v, &cs->interval_ms) ?
	    "is not a duration" : NULL;
}

static const char *
check_param_timeout(struct check_spec *cs, const char *v)
{
	return opts_parse_duration(v, &cs->timeout_ms) ?
	    "is not a duration" : NULL;
}

static const char *
check_param_fastinter(struct check_spec *cs, const char *v)
{
	return opts_parse_duration(v, &cs->fastinter_ms) ||
	    cs->fastinter_ms == 0 ? "is not a duration above zero" : NULL;
}

/* rise and fall: a count of 1-100. */
static const char *
check_param_streak(const char *v, unsigned *n)
{
	return opts_parse_count(v, n) || *n < 1 || *n > 100 ?
	    "is not 1-100" : NULL;
}

static const char *
check_param_rise(struct check_spec *cs, const char *v)
{
	return check_param_streak(v, &cs->rise);
}

static const char *
check_param_fall(struct check_spec *cs, const char *v)
{
	return check_param_streak(v, &cs->fall);
}

static const char *
check_param_severity(struct check_spec *cs, const char *v)
{
	if (strcmp(v, "fail") == 0)
		cs->severity = CHECK_SPEC_SEVERITY_FAIL;
	else if (strcmp(v, "warn") == 0)
		cs->severity = CHECK_SPEC_SEVERITY_WARN;
	else
		return "is not fail or warn";
	return NULL;
}

/* http's expect: a status or a range of them, 100-599. */
static const char *
check_param_status(struct check_spec *cs, const char *v)
{
	unsigned lo, hi;
	char tail;

	if (sscanf(v, "%3u-%3u%c", &lo, &hi, &tail) == 2) {
		/* a range */
	} else if (sscanf(v, "%3u%c", &lo, &tail) == 1)
		hi = lo;
	else
		return "is not STATUS or LO-HI";
	if (lo < 100 || hi > 599 || lo > hi || strspn(v, "0123456789-") !=
	    strlen(v))
		return "is not STATUS or LO-HI within 100-599";
	cs->expect_lo = lo;
	cs->expect_hi = hi;
	return NULL;
}

static const char *
check_param_method(struct check_spec *cs, const char *v)
{
	if (strcmp(v, "GET") == 0)
		cs->method = CHECK_SPEC_METHOD_GET;
	else if (strcmp(v, "HEAD") == 0)
		cs->method = CHECK_SPEC_METHOD_HEAD;
	else
		return "is not GET or HEAD";
	return NULL;
}

/* Fields the request's framing depends on: healthgate sends its own. */
static bool
check_param_framing_field(const char *name, size_t n)
{
	static const char *const ours[] = {
		"Connection", "Content-Length", "Transfer-Encoding",
	};

	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		if (strlen(ours[i]) == n && strncasecmp(name, ours[i], n) == 0)
			return true;
	return false;
}

/* "Name:Value", decoded, appended to the request's lines. */
static const char *
check_param_header(struct check_spec *cs, const char *v)
{
	char line[CHECK_SPEC_HEADERS_MAX];
	const char *colon, *val, *err;
	size_t len, n, vlen, used = strlen(cs->headers);

	if ((err = pct_decode(v, line, sizeof(line) - 1, &len)) != NULL)
		return err;
	line[len] = '\0';
	if (memchr(line, '\0', len) || strpbrk(line, "\r\n"))
		return "holds a NUL, CR or LF";
	if ((colon = strchr(line, ':')) == NULL)
		return "is not Name:Value";
	n = (size_t)(colon - line);
	if (!http_framing_is_token(line, n))
		return "has a name that is not a field name";
	if (check_param_framing_field(line, n))
		return "names a field healthgate sets itself";
	for (val = colon + 1; *val == ' ' || *val == '\t'; val++)
		;
	vlen = strlen(val);
	if (used + n + vlen + 4 >= sizeof(cs->headers))
		return "makes the headers too long";
	snprintf(cs->headers + used, sizeof(cs->headers) - used,
	    "%.*s: %s\r\n", (int)n, line, val);
	if (n == 4 && strncasecmp(line, "Host", 4) == 0) {
		if (cs->host_header)
			return "gives Host twice";
		cs->host_header = true;
	}
	if (n == 10 && strncasecmp(line, "User-Agent", 10) == 0)
		cs->agent_header = true;
	return NULL;
}

/* Bytes for body=, send= and expect=: at least one. */
static const char *
check_param_bytes(const char *v, struct check_spec_bytes *b)
{
	const char *err = pct_decode(v, b->b, sizeof(b->b), &b->len);

	if (err == NULL && b->len == 0)
		err = "is empty";
	if (err)
		b->len = 0;
	return err;
}

static const char *
check_param_body(struct check_spec *cs, const char *v)
{
	return check_param_bytes(v, &cs->body);
}

static const char *
check_param_send(struct check_spec *cs, const char *v)
{
	return check_param_bytes(v, &cs->send);
}

static const char *
check_param_expect_bytes(struct check_spec *cs, const char *v)
{
	return check_param_bytes(v, &cs->expect);
}

/* TLS's insecure: bare, or 1 or true. */
static const char *
check_param_insecure(struct check_spec *cs, const char *v)
{
	if (v && strcmp(v, "1") != 0 && strcmp(v, "true") != 0)
		return "takes no value (or 1, true)";
	cs->tls.insecure = true;
	return NULL;
}

static const char *
check_param_sni(struct check_spec *cs, const char *v)
{
	if (addr_check_name(v) != NULL || strlen(v) >= sizeof(cs->tls.sni))
		return "is not a host name";
	strcpy(cs->tls.sni, v);
	return NULL;
}

/* A file a TLS parameter names, into dst (one of cs->tls's). */
static const char *
check_param_file(char *dst, const char *v)
{
	if (v[0] == '\0')
		return "needs a file";
	if (strlen(v) >= CHECK_SPEC_FILE_MAX)
		return "names a file whose name is too long";
	strcpy(dst, v);
	return NULL;
}

static const char *
check_param_ca(struct check_spec *cs, const char *v)
{
	return check_param_file(cs->tls.ca, v);
}

static const char *
check_param_cert(struct check_spec *cs, const char *v)
{
	return check_param_file(cs->tls.cert, v);
}

static const char *
check_param_key(struct check_spec *cs, const char *v)
{
	return check_param_file(cs->tls.key, v);
}

/*
 * Every parameter, grouped by the kinds it belongs to. A name may have
 * one row per kind, each with its own meaning.
 */
static const struct check_param check_param_rows[] = {
	{ "interval", CHECK_PARAM_ANY, 0, check_param_interval },
	{ "timeout", CHECK_PARAM_ANY, 0, check_param_timeout },
	{ "rise", CHECK_PARAM_ANY, 0, check_param_rise },
	{ "fall", CHECK_PARAM_ANY, 0, check_param_fall },
	{ "fastinter", CHECK_PARAM_ANY, 0, check_param_fastinter },
	{ "severity", CHECK_PARAM_ANY, 0, check_param_severity },

	{ "expect", HTTP, 0, check_param_status },
	{ "method", HTTP, 0, check_param_method },
	{ "header", HTTP, CHECK_PARAM_REPEAT, check_param_header },
	{ "body", HTTP, 0, check_param_body },

	{ "send", TCP, 0, check_param_send },
	{ "expect", TCP, 0, check_param_expect_bytes },

	/* https (on plain http these are the app's), tls and grpcs. */
	{ "ca", OVER_TLS, CHECK_PARAM_TLS, check_param_ca },
	{ "sni", OVER_TLS, CHECK_PARAM_TLS, check_param_sni },
	{ "insecure", OVER_TLS, CHECK_PARAM_TLS | CHECK_PARAM_BARE,
	    check_param_insecure },
	{ "cert", OVER_TLS, CHECK_PARAM_TLS, check_param_cert },
	{ "key", OVER_TLS, CHECK_PARAM_TLS, check_param_key },
};

#define CHECK_PARAM_NROWS	(sizeof(check_param_rows) / \
	sizeof(check_param_rows[0]))
_Static_assert(CHECK_PARAM_NROWS <= 64, "a row's bit fits a uint64_t");

/* Whether row i is one of cs's parameters. */
static bool
check_param_of(unsigned i, const struct check_spec *cs)
{
	const struct check_param *p = &check_param_rows[i];

	return (p->kinds & CHECK_PARAM_KIND(cs->kind)) &&
	    (!(p->flags & CHECK_PARAM_TLS) || cs->tls.on);
}

static const struct check_param *
check_param_find(const char *name, const struct check_spec *cs,
    unsigned *row)
{
	for (unsigned i = 0; i < CHECK_PARAM_NROWS; i++)
		if (check_param_of(i, cs) &&
		    strcmp(check_param_rows[i].name, name) == 0) {
			*row = i;
			return &check_param_rows[i];
		}
	return NULL;
}

/* The names cs takes, for a refusal: "interval, timeout, ...". */
static void
check_param_names(const struct check_spec *cs, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < CHECK_PARAM_NROWS && len < size; i++)
		if (check_param_of(i, cs))
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
			    len ? ", " : "", check_param_rows[i].name);
}

/* Puts why into cs->error, led by the parameter's name; returns it. */
static const char *
check_param_refuse(struct check_spec *cs, const char *name, const char *why)
{
	snprintf(cs->error, sizeof(cs->error), "parameter %.40s %s", name, why);
	return cs->error;
}

/* One "name[=value]" of ours into cs; NULL, or why in cs->error. */
static const char *
check_param_one(struct check_spec *cs, const struct check_param *p,
    const char *val, uint64_t *seen, unsigned row)
{
	const char *why;

	if (val == NULL && !(p->flags & CHECK_PARAM_BARE))
		return check_param_refuse(cs, p->name, "needs =VALUE");
	if ((*seen & (1ull << row)) && !(p->flags & CHECK_PARAM_REPEAT))
		return check_param_refuse(cs, p->name, "is given twice");
	*seen |= 1ull << row;
	if ((why = p->set(cs, val)) != NULL)
		return check_param_refuse(cs, p->name, why);
	return NULL;
}

const char *
check_param_take(char *query, struct check_spec *cs, bool keep_others)
{
	char out[ADDR_PATH_MAX] = "", *save = NULL, *kv;
	uint64_t seen = 0;
	size_t olen = 0;

	for (kv = strtok_r(query, "&", &save); kv;
	    kv = strtok_r(NULL, "&", &save)) {
		char *val = strchr(kv, '=');
		const struct check_param *p;
		unsigned row;

		if (val)
			*val++ = '\0';
		if ((p = check_param_find(kv, cs, &row)) != NULL) {
			if (check_param_one(cs, p, val, &seen, row) != NULL)
				return cs->error;
		} else if (keep_others) {
			/* The app's, as it was; the query never grows. */
			olen += (size_t)snprintf(out + olen, sizeof(out) - olen,
			    "%s%s%s%s", olen ? "&" : "", kv, val ? "=" : "",
			    val ? val : "");
		} else {
			char names[256];

			check_param_names(cs, names, sizeof(names));
			snprintf(cs->error, sizeof(cs->error), "has an unknown "
			    "parameter %.40s (it takes %.170s)", kv, names);
			return cs->error;
		}
	}
	strcpy(query, out);
	return NULL;
}

/*
 * The TLS parameters together: a client certificate needs its key, and a
 * certificate is checked against a name, never an address.
 */
static const char *
check_param_tls_agree(const struct check_spec *cs)
{
	const struct check_spec_tls *t = &cs->tls;
	struct addr a;

	if (!t->on)
		return NULL;
	if ((t->cert[0] != '\0') != (t->key[0] != '\0'))
		return t->cert[0] ? "parameter cert needs key= (the "
		    "certificate's private key)" : "parameter key needs cert= "
		    "(its certificate)";
	if (t->insecure && t->ca[0])
		return "parameters insecure and ca contradict: insecure "
		    "verifies nothing";
	if (!t->insecure && t->sni[0] == '\0' &&
	    addr_parse_ip(cs->host, &a) == NULL)
		return "has an address for its host, and a certificate is "
		    "checked against a name: add sni=NAME (the name in the "
		    "certificate) or insecure";
	return NULL;
}

const char *
check_param_agree(struct check_spec *cs)
{
	if (cs->timeout_ms == 0 || cs->interval_ms == 0)
		return "interval and timeout must be above zero";
	if (cs->timeout_ms >= cs->interval_ms)
		return "timeout must be below the interval";
	if (cs->fastinter_ms > cs->interval_ms)
		return "parameter fastinter must not be above the interval";
	if (cs->body.len && cs->method == CHECK_SPEC_METHOD_HEAD)
		return "parameter body needs method=GET: HEAD has no body";
	return check_param_tls_agree(cs);
}
