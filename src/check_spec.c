/*
 * check_spec.c: the grammar of one check, "[NAME=]SPEC".
 *
 *   http://HOST:PORT/PATH[?PARAMS]   PARAMS mixes ours and the app's
 *   https://HOST:PORT/PATH[?PARAMS]  the same over TLS
 *   tcp://HOST:PORT[?PARAMS]
 *   tls://HOST:PORT[?PARAMS]         up when a TLS handshake completes
 *   exec[?PARAMS]:COMMAND ARGS...    split on spaces, no shell
 *
 * PARAMS are interval, timeout, rise, fall (and expect for http and
 * https; ca, sni, insecure, cert and key for https and tls). Where a check
 * is listed (flags, HEALTHGATE_CHECKS) is config.c's business; reading
 * the files TLS parameters name is check_tls.c's, at start.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_spec.h"
#include "opts.h"

#define CHECK_SPEC_TLS_PARAMS	"ca, sni, insecure, cert, key"

static bool
is_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
}

static const char *
parse_expect(const char *v, struct check_spec *cs)
{
	unsigned lo, hi;
	char tail;

	if (sscanf(v, "%3u-%3u%c", &lo, &hi, &tail) == 2) {
		/* a range */
	} else if (sscanf(v, "%3u%c", &lo, &tail) == 1)
		hi = lo;
	else
		return "expect is not STATUS or LO-HI";
	if (lo < 100 || hi > 599 || lo > hi || strspn(v, "0123456789-") !=
	    strlen(v))
		return "expect is not STATUS or LO-HI within 100-599";
	cs->expect_lo = lo;
	cs->expect_hi = hi;
	return NULL;
}

/* A file a TLS parameter (ca, cert or key) names, into dst. */
static const char *
check_spec_tls_file(const char *key, const char *v, char *dst)
{
	bool ca = strcmp(key, "ca") == 0;

	if (v == NULL || v[0] == '\0')
		return ca ? "ca= needs a file" : strcmp(key, "cert") == 0 ?
		    "cert= needs a file" : "key= needs a file";
	if (strlen(v) >= CHECK_SPEC_FILE_MAX)
		return ca ? "ca= file name is too long" :
		    strcmp(key, "cert") == 0 ? "cert= file name is too long" :
		    "key= file name is too long";
	strcpy(dst, v);
	return NULL;
}

/*
 * One of the TLS parameters (https, tls): true if k is one, with *err
 * set when its value is refused.
 */
static bool
check_spec_tls_param(const char *k, const char *v, struct check_spec *cs,
    const char **err)
{
	struct check_spec_tls *t = &cs->tls;

	*err = NULL;
	if (!t->on)
		return false;
	if (strcmp(k, "insecure") == 0) {
		if (v && strcmp(v, "1") != 0 && strcmp(v, "true") != 0)
			*err = "insecure takes no value (or 1, true)";
		t->insecure = true;
	} else if (strcmp(k, "sni") == 0) {
		if (v == NULL || addr_check_name(v) != NULL ||
		    strlen(v) >= sizeof(t->sni))
			*err = "sni= is not a host name";
		else
			strcpy(t->sni, v);
	} else if (strcmp(k, "ca") == 0)
		*err = check_spec_tls_file(k, v, t->ca);
	else if (strcmp(k, "cert") == 0)
		*err = check_spec_tls_file(k, v, t->cert);
	else if (strcmp(k, "key") == 0)
		*err = check_spec_tls_file(k, v, t->key);
	else
		return false;
	return true;
}

/*
 * The TLS parameters together: a client certificate needs its key, and a
 * certificate is checked against a name, never an address.
 */
static const char *
check_spec_tls_check(const struct check_spec *cs)
{
	const struct check_spec_tls *t = &cs->tls;
	struct addr a;

	if (!t->on)
		return NULL;
	if ((t->cert[0] != '\0') != (t->key[0] != '\0'))
		return t->cert[0] ? "cert= needs key= (the certificate's "
		    "private key)" : "key= needs cert= (its certificate)";
	if (t->insecure && t->ca[0])
		return "insecure and ca= contradict: insecure verifies nothing";
	if (!t->insecure && t->sni[0] == '\0' &&
	    addr_parse_ip(cs->host, &a) == NULL)
		return "has an address for its host, and a certificate is "
		    "checked against a name: add sni=NAME (the name in the "
		    "certificate) or insecure";
	return NULL;
}

/*
 * Takes the per-check parameters out of a query string ("a=1&b=2") in
 * place. With keep_others, unknown parameters stay (they are the app's);
 * without, they are an error.
 */
static const char *
take_params(char *query, struct check_spec *cs, bool keep_others)
{
	char out[ADDR_PATH_MAX] = "", *save = NULL, *kv;
	const char *err;

	for (kv = strtok_r(query, "&", &save); kv;
	    kv = strtok_r(NULL, "&", &save)) {
		char *val = strchr(kv, '=');

		err = NULL;
		if (val)
			*val++ = '\0';
		if (val && strcmp(kv, "interval") == 0)
			err = opts_parse_duration(val, &cs->interval_ms) ?
			    "interval is not a duration" : NULL;
		else if (val && strcmp(kv, "timeout") == 0)
			err = opts_parse_duration(val, &cs->timeout_ms) ?
			    "timeout is not a duration" : NULL;
		else if (val && strcmp(kv, "rise") == 0)
			err = opts_parse_count(val, &cs->rise) ||
			    cs->rise < 1 || cs->rise > 100 ?
			    "rise is not 1-100" : NULL;
		else if (val && strcmp(kv, "fall") == 0)
			err = opts_parse_count(val, &cs->fall) ||
			    cs->fall < 1 || cs->fall > 100 ?
			    "fall is not 1-100" : NULL;
		else if (val && strcmp(kv, "expect") == 0 &&
		    cs->kind == CHECK_SPEC_HTTP)
			err = parse_expect(val, cs);
		else if (check_spec_tls_param(kv, val, cs, &err))
			;
		else if (keep_others) {
			if (out[0])
				strcat(out, "&");
			strcat(out, kv);
			if (val) {
				strcat(out, "=");
				strcat(out, val);
			}
		} else
			err = cs->tls.on ? "unknown parameter (interval, "
			    "timeout, rise, fall, " CHECK_SPEC_TLS_PARAMS ")" :
			    "unknown parameter (interval, timeout, rise, fall)";
		if (err)
			return err;
	}
	strcpy(query, out);
	return NULL;
}

/*
 * A check's host: an IP address, or a name that resolve.c looks up on the
 * loop when the check runs (a name that does not resolve yet is a failing
 * check, not a start-up error: the app's name may not exist yet).
 */
static const char *
check_host(const char *host)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (host[0] == '\0')
		return "host is empty";
	if (addr_to_sockaddr(host, 80, &ss, &len) == NULL)
		return NULL;
	return addr_check_name(host);
}

/* exec:COMMAND ARGS... split on runs of spaces into one owned argv. */
static const char *
split_argv(const char *cmd, struct check_spec *cs)
{
	size_t len = strlen(cmd), n = 0;
	char **argv, *buf, *save = NULL, *w;

	/* One block: the pointers, then a copy of the words. */
	argv = malloc((len / 2 + 2) * sizeof(char *) + len + 1);
	if (argv == NULL)
		return "out of memory";
	buf = (char *)(argv + len / 2 + 2);
	memcpy(buf, cmd, len + 1);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
		argv[n++] = w;
	argv[n] = NULL;
	if (n == 0) {
		free(argv);
		return "exec: needs a command";
	}
	cs->argv = argv;
	return NULL;
}

/* A name made from the spec; long ones are cut to fit. */
static void __attribute__((format(printf, 2, 3)))
default_name(struct check_spec *cs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cs->name, sizeof(cs->name), fmt, ap);
	va_end(ap);
}

/* Does s start with a scheme we know? */
static bool
has_scheme(const char *s)
{
	return strncmp(s, "http://", 7) == 0 || strncmp(s, "tcp://", 6) == 0 ||
	    strncmp(s, "https://", 8) == 0 || strncmp(s, "tls://", 6) == 0 ||
	    (strncmp(s, "exec", 4) == 0 && (s[4] == ':' || s[4] == '?'));
}

static bool
is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/*
 * Spaces around the spec and around '=' mean nothing ("a = tcp://..." from
 * a list typed "a=..., b=..."). A name that is not a plain name, followed
 * by a scheme, is refused for what it is rather than read as a spec with
 * an unknown scheme.
 */
const char *
check_spec_parse(const char *s, const struct check_spec *sched,
    struct check_spec *cs)
{
	const char *eq, *spec, *end, *err = NULL;
	char buf[ADDR_PATH_MAX + ADDR_HOST_MAX + 16], *q;
	size_t i, n;

	memset(cs, 0, sizeof(*cs));
	cs->interval_ms = sched->interval_ms;
	cs->timeout_ms = sched->timeout_ms;
	cs->rise = sched->rise;
	cs->fall = sched->fall;
	cs->expect_lo = 200;
	cs->expect_hi = 299;

	while (is_blank(*s))
		s++;
	for (end = s + strlen(s); end > s && is_blank(end[-1]); end--)
		;
	spec = s;
	eq = memchr(s, '=', (size_t)(end - s));
	if (eq && !has_scheme(s)) {
		const char *rest = eq + 1;

		for (n = (size_t)(eq - s); n > 0 && is_blank(s[n - 1]); n--)
			;
		while (is_blank(*rest))
			rest++;
		for (i = 0; i < n && is_name_char(s[i]); i++)
			;
		if (i == n && n > 0) {
			if (n >= CHECK_SPEC_NAME_MAX)
				return "name is too long";
			memcpy(cs->name, s, n);
			cs->name[n] = '\0';
			spec = rest;
		} else if (has_scheme(rest))
			return n == 0 ? "has an empty name before '='" :
			    "has a name that is not one: a name before '=' is "
			    "letters, digits, '-', '_' and '.'";
	}
	if ((size_t)(end - spec) >= sizeof(buf))
		return "spec is too long";
	memcpy(buf, spec, (size_t)(end - spec));
	buf[end - spec] = '\0';

	if (strncmp(buf, "http://", 7) == 0 || strncmp(buf, "https://", 8) == 0) {
		struct url u;

		cs->kind = CHECK_SPEC_HTTP;
		if ((err = addr_parse_url(buf, &u)) != NULL)
			return err;
		cs->tls.on = u.tls;
		if ((q = strchr(u.path, '?')) != NULL) {
			*q = '\0';
			if ((err = take_params(q + 1, cs, true)) != NULL)
				return err;
			if (q[1] != '\0')
				*q = '?';
		}
		strcpy(cs->host, u.host);
		cs->port = u.port;
		if ((err = check_host(cs->host)) != NULL)
			return err;
		strcpy(cs->path, u.path);
		if (cs->name[0] == '\0')
			default_name(cs, "%s-%s-%u", u.tls ? "https" : "http",
			    cs->host, cs->port);
	} else if (strncmp(buf, "tcp://", 6) == 0 ||
	    strncmp(buf, "tls://", 6) == 0) {
		const char *scheme = buf[1] == 'l' ? "tls" : "tcp";

		cs->kind = buf[1] == 'l' ? CHECK_SPEC_TLS : CHECK_SPEC_TCP;
		cs->tls.on = cs->kind == CHECK_SPEC_TLS;
		if ((q = strchr(buf, '?')) != NULL) {
			*q = '\0';
			if ((err = take_params(q + 1, cs, false)) != NULL)
				return err;
		}
		if (strchr(buf + 6, '/') != NULL)
			return cs->tls.on ? "tls:// takes no path" :
			    "tcp:// takes no path";
		if ((err = addr_split_hostport(buf + 6, cs->host,
		    &cs->port)) != NULL)
			return err;
		if (cs->host[0] == '\0' || cs->port == 0)
			return cs->tls.on ? "tls:// needs HOST:PORT" :
			    "tcp:// needs HOST:PORT";
		if ((err = check_host(cs->host)) != NULL)
			return err;
		if (cs->name[0] == '\0')
			default_name(cs, "%s-%s-%u", scheme, cs->host,
			    cs->port);
	} else if (strncmp(buf, "exec", 4) == 0 &&
	    (buf[4] == ':' || buf[4] == '?')) {
		char *cmd = strchr(buf, ':');

		cs->kind = CHECK_SPEC_EXEC;
		if (cmd == NULL)
			return "exec?PARAMS: needs ':' before the command";
		*cmd++ = '\0';
		if (buf[4] == '?' && (err = take_params(buf + 5, cs,
		    false)) != NULL)
			return err;
		if ((err = split_argv(cmd, cs)) != NULL)
			return err;
		if (cs->name[0] == '\0') {
			const char *base = strrchr(cs->argv[0], '/');

			default_name(cs, "exec-%s", base ? base + 1 :
			    cs->argv[0]);
		}
	} else
		return "has an unknown scheme (use http://, https://, tcp://, "
		    "tls:// or exec:)";

	if ((err = check_spec_tls_check(cs)) != NULL)
		;
	else if (cs->timeout_ms == 0 || cs->interval_ms == 0)
		err = "interval and timeout must be above zero";
	else if (cs->timeout_ms >= cs->interval_ms)
		err = "timeout must be below the interval";
	/* Derived names may hold characters a name may not. */
	for (char *p = cs->name; *p; p++)
		if (!is_name_char(*p))
			*p = '_';
	if (err)
		check_spec_free(cs);
	return err;
}

const char *
check_spec_tls_name(const struct check_spec *cs)
{
	struct addr a;

	if (cs->tls.sni[0])
		return cs->tls.sni;
	return addr_parse_ip(cs->host, &a) == NULL ? NULL : cs->host;
}

void
check_spec_free(struct check_spec *cs)
{
	free(cs->argv);
	cs->argv = NULL;
}

