/*
 * config.c: flags and environment to struct config.
 *
 * One table lists every daemon option with its flag, its variable, its kind
 * and its bounds; defaults are set first, then the environment, then the
 * flags, so the flag wins. Check specs are parsed last, once the schedule
 * defaults they inherit are final.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "version.h"

#define MAX_CHECKS	64
#define DURATION_MAX	(24u * 3600 * 1000)	/* one day, in ms */

enum opt_kind {
	OPT_LISTEN,
	OPT_CHECK,
	OPT_DURATION,
	OPT_COUNT,
	OPT_CIDRS,
	OPT_LOGFMT,
};

struct opt {
	const char	*flag;
	const char	*env;
	enum opt_kind	 kind;
	size_t		 off;		/* of the unsigned it sets */
	unsigned	 min, max;	/* bounds, for durations and counts */
	const char	*arg;		/* for --help */
	const char	*help;
};

#define F(field)	offsetof(struct config, field)

static const struct opt opts[] = {
	{ "--listen", "HEALTHGATE_LISTEN", OPT_LISTEN, 0, 0, 0, "ADDR:PORT",
	    "where to serve /health (default [::]:8081)" },
	{ "--check", "HEALTHGATE_CHECKS", OPT_CHECK, 0, 0, 0, "[NAME=]SPEC",
	    "check the app: http://HOST:PORT/PATH, tcp://HOST:PORT or\n"
	    "      exec:COMMAND ARGS (repeatable; the variable is comma-separated)" },
	{ "--interval", "HEALTHGATE_INTERVAL", OPT_DURATION, F(interval_ms),
	    1, DURATION_MAX, "D", "time between check starts (default 2s)" },
	{ "--timeout", "HEALTHGATE_TIMEOUT", OPT_DURATION, F(timeout_ms),
	    1, DURATION_MAX, "D", "check deadline, below the interval "
	    "(default 1s)" },
	{ "--rise", "HEALTHGATE_RISE", OPT_COUNT, F(rise), 1, 100, "N",
	    "passes before a check is up (default 1)" },
	{ "--fall", "HEALTHGATE_FALL", OPT_COUNT, F(fall), 1, 100, "N",
	    "failures before a check is down (default 1)" },
	{ "--drain-timeout", "HEALTHGATE_DRAIN_TIMEOUT", OPT_DURATION,
	    F(drain_timeout_ms), 0, DURATION_MAX, "D",
	    "hard cap on the drain (default 30s)" },
	{ "--drain-fall", "HEALTHGATE_DRAIN_FALL", OPT_COUNT, F(drain_fall),
	    1, 1000, "N", "503s each watched prober must be served before\n"
	    "      the drain ends (default 2)" },
	{ "--drain-window", "HEALTHGATE_DRAIN_WINDOW", OPT_DURATION,
	    F(drain_window_ms), 1, DURATION_MAX, "D", "a prober seen within this before SIGTERM is\n"
	    "      watched; silent this long, it is gone (default 15s)" },
	{ "--drain-ignore", "HEALTHGATE_DRAIN_IGNORE", OPT_CIDRS, 0, 0, 0,
	    "CIDR,...", "sources never watched, or none\n"
	    "      (default 127.0.0.0/8,::1/128)" },
	{ "--log-format", "HEALTHGATE_LOG_FORMAT", OPT_LOGFMT, 0, 0, 0,
	    "text|json", "log line format (default text)" },
	{ "--max-connections", "HEALTHGATE_MAX_CONNECTIONS", OPT_COUNT,
	    F(max_connections), 1, 100000, "N",
	    "connections open at once, in all (default 1000)" },
	{ "--max-connections-per-ip", "HEALTHGATE_MAX_CONNECTIONS_PER_IP",
	    OPT_COUNT, F(max_per_ip), 1, 100000, "N",
	    "connections open at once from one address (default 32)" },
	{ "--conn-memory", "HEALTHGATE_CONN_MEMORY", OPT_COUNT,
	    F(conn_memory), 2048, 1048576, "BYTES", "memory per connection; "
	    "bounds the request head (default 8192)" },
	{ "--request-timeout", "HEALTHGATE_REQUEST_TIMEOUT", OPT_DURATION,
	    F(request_timeout_ms), 1000, DURATION_MAX, "D", "a new connection "
	    "must deliver its request head within this\n      (default 5s)" },
	{ "--idle-timeout", "HEALTHGATE_IDLE_TIMEOUT", OPT_DURATION,
	    F(idle_timeout_ms), 1000, DURATION_MAX, "D", "a kept-alive "
	    "connection must send its next request within\n      this "
	    "(default 10s)" },
};

#define NOPTS	(sizeof(opts) / sizeof(opts[0]))

void
config_usage(void)
{
	printf("usage: healthgate [options]\n"
	    "       healthgate probe [--timeout D] [URL]\n"
	    "       healthgate plan [options]   (see healthgate plan --help)\n"
	    "       healthgate --help | --version\n\n"
	    "Serves /health, /live and /metrics for a load balancer; drains "
	    "on SIGTERM.\n\noptions, each also from its variable (the flag "
	    "wins):\n");
	for (size_t i = 0; i < NOPTS; i++) {
		char left[48];

		snprintf(left, sizeof(left), "%s %s", opts[i].flag, opts[i].arg);
		printf("  %-26s %s\n      %s\n", left, opts[i].env,
		    opts[i].help);
	}
	printf("\nDurations: 250ms, 2s, 1m; a bare number is seconds.\n");
}

const char *
config_env(char *const envp[], const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

const char *
config_parse_duration(const char *s, unsigned *ms)
{
	unsigned long long v = 0, mult;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return "is not a duration";
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned)(*p - '0');
		if (v > DURATION_MAX)
			return "is too long (at most 24h)";
	}
	if (*p == '\0' || strcmp(p, "s") == 0)
		mult = 1000;
	else if (strcmp(p, "ms") == 0)
		mult = 1;
	else if (strcmp(p, "m") == 0)
		mult = 60 * 1000;
	else if (strcmp(p, "h") == 0)
		mult = 3600 * 1000;
	else
		return "is not a duration";
	if (v * mult > DURATION_MAX)
		return "is too long (at most 24h)";
	*ms = (unsigned)(v * mult);
	return NULL;
}

const char *
config_parse_count(const char *s, unsigned *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return "is not a number";
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return "is not a number";
		v = v * 10 + (unsigned)(*s - '0');
		if (v > 1000000)
			return "is too large";
	}
	*out = (unsigned)v;
	return NULL;
}

static const char *
parse_cidrs(const char *s, struct config *c)
{
	char item[64];
	struct cidr *list = NULL;
	unsigned n = 0;
	const char *p = s;

	if (strcmp(s, "none") == 0) {
		free(c->drain_ignore);
		c->drain_ignore = NULL;
		c->ndrain_ignore = 0;
		return NULL;
	}
	while (1) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		struct cidr *grown;

		if (len == 0 || len >= sizeof(item))
			goto bad;
		memcpy(item, p, len);
		item[len] = '\0';
		if ((grown = realloc(list, (n + 1) * sizeof(*list))) == NULL)
			goto bad;
		list = grown;
		if (cidr_parse(item, &list[n]) != NULL)
			goto bad;
		n++;
		if (end == NULL)
			break;
		p = end + 1;
	}
	free(c->drain_ignore);
	c->drain_ignore = list;
	c->ndrain_ignore = n;
	return NULL;
bad:
	free(list);
	return "is not a list of CIDR blocks (or none)";
}

static const char *
parse_listen(const char *s, struct config *c)
{
	struct sockaddr_storage ss;
	socklen_t len;
	unsigned port;
	char host[ADDR_HOST_MAX];

	if (addr_split_hostport(s, host, &port) != NULL ||
	    addr_to_sockaddr(host, port, &ss, &len) != NULL)
		return "is not ADDR:PORT (127.0.0.1:8081, [::1]:8081, :8081)";
	strcpy(c->listen_host, host);
	c->listen_port = port;
	return NULL;
}

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
			err = config_parse_duration(val, &cs->interval_ms) ?
			    "interval is not a duration" : NULL;
		else if (val && strcmp(kv, "timeout") == 0)
			err = config_parse_duration(val, &cs->timeout_ms) ?
			    "timeout is not a duration" : NULL;
		else if (val && strcmp(kv, "rise") == 0)
			err = config_parse_count(val, &cs->rise) ||
			    cs->rise < 1 || cs->rise > 100 ?
			    "rise is not 1-100" : NULL;
		else if (val && strcmp(kv, "fall") == 0)
			err = config_parse_count(val, &cs->fall) ||
			    cs->fall < 1 || cs->fall > 100 ?
			    "fall is not 1-100" : NULL;
		else if (val && strcmp(kv, "expect") == 0 &&
		    cs->kind == CHECK_HTTP)
			err = parse_expect(val, cs);
		else if (keep_others) {
			if (out[0])
				strcat(out, "&");
			strcat(out, kv);
			if (val) {
				strcat(out, "=");
				strcat(out, val);
			}
		} else
			err = "unknown parameter (interval, timeout, rise, "
			    "fall)";
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

/*
 * [NAME=]SPEC, with the schedule inherited from c. The name is taken only
 * when the text before the first '=' is a plain name, so '=' inside a URL
 * or a command never reads as one.
 */
const char *
config_parse_check(const char *s, const struct config *c,
    struct check_spec *cs)
{
	const char *eq = strchr(s, '='), *spec = s, *err = NULL;
	char buf[ADDR_PATH_MAX + ADDR_HOST_MAX + 16], *q;
	size_t i;

	memset(cs, 0, sizeof(*cs));
	cs->interval_ms = c->interval_ms;
	cs->timeout_ms = c->timeout_ms;
	cs->rise = c->rise;
	cs->fall = c->fall;
	cs->expect_lo = 200;
	cs->expect_hi = 299;

	if (eq) {
		for (i = 0; s + i < eq && is_name_char(s[i]); i++)
			;
		if (s + i == eq && i > 0) {
			if (i >= CONFIG_NAME_MAX)
				return "name is too long";
			memcpy(cs->name, s, i);
			cs->name[i] = '\0';
			spec = eq + 1;
		}
	}
	if (strlen(spec) >= sizeof(buf))
		return "spec is too long";
	strcpy(buf, spec);

	if (strncmp(buf, "http://", 7) == 0) {
		struct url u;

		cs->kind = CHECK_HTTP;
		if ((err = addr_parse_url(buf, &u)) != NULL)
			return err;
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
			default_name(cs, "http-%s-%u", cs->host, cs->port);
	} else if (strncmp(buf, "tcp://", 6) == 0) {
		cs->kind = CHECK_TCP;
		if ((q = strchr(buf, '?')) != NULL) {
			*q = '\0';
			if ((err = take_params(q + 1, cs, false)) != NULL)
				return err;
		}
		if (strchr(buf + 6, '/') != NULL)
			return "tcp:// takes no path";
		if ((err = addr_split_hostport(buf + 6, cs->host,
		    &cs->port)) != NULL)
			return err;
		if (cs->host[0] == '\0' || cs->port == 0)
			return "tcp:// needs HOST:PORT";
		if ((err = check_host(cs->host)) != NULL)
			return err;
		if (cs->name[0] == '\0')
			default_name(cs, "tcp-%s-%u", cs->host, cs->port);
	} else if (strncmp(buf, "exec", 4) == 0 &&
	    (buf[4] == ':' || buf[4] == '?')) {
		char *cmd = strchr(buf, ':');

		cs->kind = CHECK_EXEC;
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
		return "has an unknown scheme (use http://, tcp:// or exec:)";

	if (cs->timeout_ms == 0 || cs->interval_ms == 0)
		err = "interval and timeout must be above zero";
	else if (cs->timeout_ms >= cs->interval_ms)
		err = "timeout must be below the interval";
	/* Derived names may hold characters a name may not. */
	for (char *p = cs->name; *p; p++)
		if (!is_name_char(*p))
			*p = '_';
	if (err)
		config_check_free(cs);
	return err;
}

void
config_check_free(struct check_spec *cs)
{
	free(cs->argv);
	cs->argv = NULL;
}

static void
set_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->listen_port = 8081;
	c->interval_ms = 2000;
	c->timeout_ms = 1000;
	c->rise = 1;
	c->fall = 1;
	c->drain_timeout_ms = 30000;
	c->drain_window_ms = 15000;
	c->drain_fall = 2;
	c->log_format = LOG_TEXT;
	c->max_connections = 1000;
	c->max_per_ip = 32;
	c->conn_memory = 8192;
	c->request_timeout_ms = 5000;
	c->idle_timeout_ms = 10000;
	parse_cidrs("127.0.0.0/8,::1/128", c);
}

/* Applies one value; checks are only collected here, parsed later. */
static const char *
apply(const struct opt *o, const char *v, struct config *c,
    const char **raw, unsigned *nraw)
{
	static char range[64];	/* the message for a value out of bounds */
	unsigned *field = (unsigned *)((char *)c + o->off);
	unsigned n;
	const char *err;

	switch (o->kind) {
	case OPT_LISTEN:
		return parse_listen(v, c);
	case OPT_CHECK:
		if (*nraw >= MAX_CHECKS)
			return "is one check too many (at most 64)";
		raw[(*nraw)++] = v;
		return NULL;
	case OPT_DURATION:
		if ((err = config_parse_duration(v, &n)) != NULL)
			return err;
		if (n < o->min && o->min == 1)
			return "must be above zero";
		if (n < o->min) {
			snprintf(range, sizeof(range), "must be at least %u ms",
			    o->min);
			return range;
		}
		*field = n;
		return NULL;
	case OPT_COUNT:
		if ((err = config_parse_count(v, &n)) != NULL)
			return err;
		if (n < o->min || n > o->max) {
			snprintf(range, sizeof(range), "is not within %u-%u",
			    o->min, o->max);
			return range;
		}
		*field = n;
		return NULL;
	case OPT_CIDRS:
		return parse_cidrs(v, c);
	case OPT_LOGFMT:
		if (strcmp(v, "text") == 0)
			c->log_format = LOG_TEXT;
		else if (strcmp(v, "json") == 0)
			c->log_format = LOG_JSON;
		else
			return "is not text or json";
		return NULL;
	}
	return "is not understood";
}

static const struct opt *
find_flag(const char *arg, const char **inline_val)
{
	for (size_t i = 0; i < NOPTS; i++) {
		size_t n = strlen(opts[i].flag);

		if (strncmp(arg, opts[i].flag, n) != 0)
			continue;
		if (arg[n] == '\0') {
			*inline_val = NULL;
			return &opts[i];
		}
		if (arg[n] == '=') {
			*inline_val = arg + n + 1;
			return &opts[i];
		}
	}
	return NULL;
}

/*
 * Splits HEALTHGATE_CHECKS on commas into env_copy (owned by the caller)
 * and appends the pieces to raw.
 */
static const char *
split_env_checks(const char *v, char **env_copy, const char **raw,
    unsigned *nraw)
{
	char *save = NULL, *item;

	if ((*env_copy = strdup(v)) == NULL)
		return "out of memory";
	for (item = strtok_r(*env_copy, ",", &save); item;
	    item = strtok_r(NULL, ",", &save)) {
		if (*nraw >= MAX_CHECKS)
			return "has one check too many (at most 64)";
		raw[(*nraw)++] = item;
	}
	return NULL;
}

enum config_result
config_load(struct config *c, int argc, char *const argv[],
    char *const envp[], char *err)
{
	const char *raw_env[MAX_CHECKS], *raw_flag[MAX_CHECKS], *e, *v;
	const char **raw;
	unsigned nraw_env = 0, nraw_flag = 0, *nraw;
	char *env_checks = NULL;
	enum config_result rc = CONFIG_ERROR;

	set_defaults(c);
	for (size_t i = 0; i < NOPTS; i++) {
		if ((v = config_env(envp, opts[i].env)) == NULL)
			continue;
		if (opts[i].kind == OPT_CHECK)
			e = split_env_checks(v, &env_checks, raw_env,
			    &nraw_env);
		else
			e = apply(&opts[i], v, c, raw_env, &nraw_env);
		if (e) {
			snprintf(err, CONFIG_ERR_MAX, "%s: \"%s\" %s",
			    opts[i].env, v, e);
			goto out;
		}
	}
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *inl;
		const struct opt *o;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			rc = CONFIG_HELP;
			goto out;
		}
		if (strcmp(arg, "--version") == 0) {
			rc = CONFIG_VERSION;
			goto out;
		}
		if ((o = find_flag(arg, &inl)) == NULL) {
			snprintf(err, CONFIG_ERR_MAX, "unknown option \"%s\" "
			    "(see --help)", arg);
			goto out;
		}
		if (inl == NULL && i + 1 >= argc) {
			snprintf(err, CONFIG_ERR_MAX, "%s: needs a value",
			    o->flag);
			goto out;
		}
		v = inl ? inl : argv[++i];
		if ((e = apply(o, v, c, raw_flag, &nraw_flag)) != NULL) {
			snprintf(err, CONFIG_ERR_MAX, "%s: \"%s\" %s", o->flag,
			    v, e);
			goto out;
		}
	}
	if (c->timeout_ms >= c->interval_ms) {
		snprintf(err, CONFIG_ERR_MAX, "--timeout: %u ms must be below "
		    "--interval (%u ms)", c->timeout_ms, c->interval_ms);
		goto out;
	}

	/* Any --check flag replaces the whole HEALTHGATE_CHECKS list. */
	raw = nraw_flag ? raw_flag : raw_env;
	nraw = nraw_flag ? &nraw_flag : &nraw_env;
	if (*nraw && (c->checks = calloc(*nraw, sizeof(*c->checks))) == NULL) {
		snprintf(err, CONFIG_ERR_MAX, "out of memory");
		goto out;
	}
	for (unsigned i = 0; i < *nraw; i++) {
		struct check_spec *cs = &c->checks[i];

		if ((e = config_parse_check(raw[i], c, cs)) != NULL) {
			snprintf(err, CONFIG_ERR_MAX, "%s: \"%s\" %s",
			    nraw_flag ? "--check" : "HEALTHGATE_CHECKS",
			    raw[i], e);
			goto out;
		}
		c->nchecks++;
		for (unsigned j = 0; j < i; j++)
			if (strcmp(c->checks[j].name, cs->name) == 0) {
				snprintf(err, CONFIG_ERR_MAX, "%s: \"%s\" "
				    "repeats the name \"%s\" (give it NAME=)",
				    nraw_flag ? "--check" : "HEALTHGATE_CHECKS",
				    raw[i], cs->name);
				goto out;
			}
	}
	rc = CONFIG_OK;
out:
	free(env_checks);
	if (rc != CONFIG_OK)
		config_free(c);
	return rc;
}

void
config_free(struct config *c)
{
	for (unsigned i = 0; i < c->nchecks; i++)
		config_check_free(&c->checks[i]);
	free(c->checks);
	free(c->drain_ignore);
	c->checks = NULL;
	c->drain_ignore = NULL;
	c->nchecks = c->ndrain_ignore = 0;
}
