/*
 * check_spec.c: the grammar of one check, "[NAME=]SPEC".
 *
 *   http://HOST:PORT/PATH[?PARAMS]   PARAMS mixes ours and the app's
 *   https://HOST:PORT/PATH[?PARAMS]  the same over TLS
 *   tcp://HOST:PORT[?PARAMS]
 *   tls://HOST:PORT[?PARAMS]         up when a TLS handshake completes
 *   grpc://HOST:PORT[/SERVICE][?PARAMS]   grpc.health.v1 Check of SERVICE
 *   grpcs://HOST:PORT[/SERVICE][?PARAMS]  the same over TLS
 *   exec[?PARAMS]:COMMAND ARGS...    split on spaces, no shell
 *
 * PARAMS are check_param.c's table (interval, timeout, ... and each
 * kind's own). Where a check is listed (flags, HEALTHGATE_CHECKS) is
 * config.c's business.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_param.h"
#include "check_spec.h"
#include "grpc_health.h"

static bool
is_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
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

static void __attribute__((format(printf, 2, 3)))
default_name(struct check_spec *cs, const char *fmt, ...);

/*
 * grpc[s]://HOST:PORT[/SERVICE][?PARAMS] in buf (changed in place). The
 * service is the name the app's health servicer knows ("" asks for the
 * server as a whole): printable, no spaces, as gRPC service names are.
 */
static const char *
check_spec_grpc(char *buf, struct check_spec *cs)
{
	char *q, *svc, *hostport;
	const char *err, *scheme;

	cs->kind = CHECK_SPEC_GRPC;
	cs->tls.on = buf[4] == 's';
	scheme = cs->tls.on ? "grpcs" : "grpc";
	hostport = buf + strlen(scheme) + 3;
	if ((q = strchr(buf, '?')) != NULL) {
		*q = '\0';
		if ((err = check_param_take(q + 1, cs, false)) != NULL)
			return err;
	}
	if ((svc = strchr(hostport, '/')) != NULL) {
		*svc++ = '\0';
		if (strlen(svc) >= GRPC_HEALTH_SERVICE_MAX)
			return "grpc:// service name is too long";
		for (const char *p = svc; *p; p++)
			if (*p <= ' ' || *p > '~' || *p == '/')
				return "grpc:// service is not a plain name "
				    "(printable, no spaces or '/')";
		strcpy(cs->path, svc);
	}
	if ((err = addr_split_hostport(hostport, cs->host, &cs->port)) != NULL)
		return err;
	if (cs->host[0] == '\0' || cs->port == 0)
		return cs->tls.on ? "grpcs:// needs HOST:PORT" :
		    "grpc:// needs HOST:PORT";
	if ((err = check_host(cs->host)) != NULL)
		return err;
	if (cs->name[0] == '\0')
		default_name(cs, "%s-%s-%u%s%s", scheme, cs->host, cs->port,
		    cs->path[0] ? "-" : "", cs->path);
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
	    strncmp(s, "grpc://", 7) == 0 || strncmp(s, "grpcs://", 8) == 0 ||
	    (strncmp(s, "exec", 4) == 0 && (s[4] == ':' || s[4] == '?'));
}

static bool
is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* The check's schedule from sched's, and an expect of 2xx. */
static void
check_spec_defaults(struct check_spec *cs, const struct check_spec *sched)
{
	memset(cs, 0, sizeof(*cs));
	cs->interval_ms = sched->interval_ms;
	cs->timeout_ms = sched->timeout_ms;
	cs->rise = sched->rise;
	cs->fall = sched->fall;
	cs->expect_lo = 200;
	cs->expect_hi = 299;
}

/*
 * "NAME=SPEC": the name into cs->name and *spec past the '='; without a
 * name (no '=', or one inside the URL) *spec stays s.
 */
static const char *
check_spec_take_name(const char *s, const char *end, struct check_spec *cs,
    const char **spec)
{
	const char *eq = memchr(s, '=', (size_t)(end - s)), *rest;
	size_t i, n;

	*spec = s;
	if (eq == NULL || has_scheme(s))
		return NULL;
	rest = eq + 1;
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
		*spec = rest;
	} else if (has_scheme(rest))
		return n == 0 ? "has an empty name before '='" :
		    "has a name that is not one: a name before '=' is "
		    "letters, digits, '-', '_' and '.'";
	return NULL;
}

/* http://HOST:PORT/PATH?PARAMS and https://. buf is the spec's copy. */
static const char *
check_spec_http(char *buf, struct check_spec *cs)
{
	struct url u;
	const char *err;
	char *q;

	cs->kind = CHECK_SPEC_HTTP;
	if ((err = addr_parse_url(buf, &u)) != NULL)
		return err;
	cs->tls.on = u.tls;
	if ((q = strchr(u.path, '?')) != NULL) {
		*q = '\0';
		if ((err = check_param_take(q + 1, cs, true)) != NULL)
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
	return NULL;
}

/* tcp://HOST:PORT?PARAMS and tls://. buf is the spec's copy. */
static const char *
check_spec_tcp(char *buf, struct check_spec *cs)
{
	const char *scheme = buf[1] == 'l' ? "tls" : "tcp", *err;
	char *q;

	cs->kind = buf[1] == 'l' ? CHECK_SPEC_TLS : CHECK_SPEC_TCP;
	cs->tls.on = cs->kind == CHECK_SPEC_TLS;
	if ((q = strchr(buf, '?')) != NULL) {
		*q = '\0';
		if ((err = check_param_take(q + 1, cs, false)) != NULL)
			return err;
	}
	if (strchr(buf + 6, '/') != NULL)
		return cs->tls.on ? "tls:// takes no path" :
		    "tcp:// takes no path";
	if ((err = addr_split_hostport(buf + 6, cs->host, &cs->port)) != NULL)
		return err;
	if (cs->host[0] == '\0' || cs->port == 0)
		return cs->tls.on ? "tls:// needs HOST:PORT" :
		    "tcp:// needs HOST:PORT";
	if ((err = check_host(cs->host)) != NULL)
		return err;
	if (cs->name[0] == '\0')
		default_name(cs, "%s-%s-%u", scheme, cs->host, cs->port);
	return NULL;
}

/* exec:COMMAND and exec?PARAMS:COMMAND. buf is the spec's copy. */
static const char *
check_spec_exec(char *buf, struct check_spec *cs)
{
	char *cmd = strchr(buf, ':');
	const char *err;

	cs->kind = CHECK_SPEC_EXEC;
	if (cmd == NULL)
		return "exec?PARAMS: needs ':' before the command";
	*cmd++ = '\0';
	if (buf[4] == '?' && (err = check_param_take(buf + 5, cs,
	    false)) != NULL)
		return err;
	if ((err = split_argv(cmd, cs)) != NULL)
		return err;
	if (cs->name[0] == '\0') {
		const char *base = strrchr(cs->argv[0], '/');

		default_name(cs, "exec-%s", base ? base + 1 : cs->argv[0]);
	}
	return NULL;
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
	const char *spec, *end, *err = NULL;
	/* lint: zeroed, as scan-build cannot tell buf[4] is set when
	 * strncmp() matched "exec" (the copy's length is not followed). */
	char buf[ADDR_PATH_MAX + ADDR_HOST_MAX + 16] = "";

	check_spec_defaults(cs, sched);
	while (is_blank(*s))
		s++;
	for (end = s + strlen(s); end > s && is_blank(end[-1]); end--)
		;
	if ((err = check_spec_take_name(s, end, cs, &spec)) != NULL)
		return err;
	if ((size_t)(end - spec) >= sizeof(buf))
		return "spec is too long";
	memcpy(buf, spec, (size_t)(end - spec));
	buf[end - spec] = '\0';

	if (strncmp(buf, "http://", 7) == 0 || strncmp(buf, "https://", 8) == 0)
		err = check_spec_http(buf, cs);
	else if (strncmp(buf, "tcp://", 6) == 0 ||
	    strncmp(buf, "tls://", 6) == 0)
		err = check_spec_tcp(buf, cs);
	else if (strncmp(buf, "grpc://", 7) == 0 ||
	    strncmp(buf, "grpcs://", 8) == 0)
		err = check_spec_grpc(buf, cs);
	else if (strncmp(buf, "exec", 4) == 0 &&
	    (buf[4] == ':' || buf[4] == '?'))
		err = check_spec_exec(buf, cs);
	else
		return "has an unknown scheme (use http://, https://, tcp://, "
		    "tls://, grpc://, grpcs:// or exec:)";
	if (err)
		return err;

	err = check_param_agree(cs);
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

