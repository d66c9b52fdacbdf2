/*
 * config.c: the daemon's options, flags and environment, to struct config.
 *
 * One table (read by opts.c) lists every daemon option with its flag, its
 * variable, its setter and its bounds; defaults are set first, then the
 * environment, then the flags, so the flag wins. Check specs (check_spec.c)
 * are parsed last, once the schedule defaults they inherit are final.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "decimal.h"
#include "opts.h"
#include "signame.h"

#define MAX_CHECKS	64

/* What one config_load collects besides struct config itself. */
struct load {
	const char	*raw_env[MAX_CHECKS];	/* HEALTHGATE_CHECKS items */
	const char	*raw_flag[MAX_CHECKS];	/* --check values */
	unsigned	 nraw_env, nraw_flag;
	char		*env_checks;		/* owned: raw_env points in */
};

static opts_set_fn set_listen, set_grpc_listen, set_check, set_cidrs,
    set_log_format, set_signal, set_app_ports, set_quiet, set_text, set_file;

static void set_defaults(struct config *);

#define F(field)	offsetof(struct config, field)
#define D		OPTS_DURATION_MAX

static const struct opts_def opts[] = {
	{ "--listen", "HEALTHGATE_LISTEN", set_listen, 0, 0, 0, false,
	    "ADDR:PORT", "where to serve /health" },
	{ "--grpc-listen", "HEALTHGATE_GRPC_LISTEN", set_grpc_listen, 0, 0, 0,
	    false, "ADDR:PORT", "also answer grpc.health.v1 Check there "
	    "(h2c), from the\n      verdict /health serves (default off)" },
	{ "--check", "HEALTHGATE_CHECKS", set_check, 0, 0, 0, false,
	    "[NAME=]SPEC", "check the app: http[s]://HOST:PORT/PATH, "
	    "tcp://HOST:PORT,\n      tls://HOST:PORT, grpc[s]://HOST:PORT[/SERVICE] "
	    "or exec:COMMAND ARGS\n      (repeatable; the variable is "
	    "comma-separated)" },
	{ "--interval", "HEALTHGATE_INTERVAL", opts_set_duration,
	    F(interval_ms), 1, D, false, "D",
	    "time between check starts" },
	{ "--timeout", "HEALTHGATE_TIMEOUT", opts_set_duration, F(timeout_ms),
	    1, D, false, "D", "check deadline, below the interval" },
	{ "--rise", "HEALTHGATE_RISE", opts_set_count, F(rise), 1, 100, false,
	    "N", "passes before a check is up" },
	{ "--fall", "HEALTHGATE_FALL", opts_set_count, F(fall), 1, 100, false,
	    "N", "failures before a check is down" },
	{ "--drain-timeout", "HEALTHGATE_DRAIN_TIMEOUT", opts_set_duration,
	    F(drain_timeout_ms), 0, D, false, "D",
	    "hard cap on the drain" },
	{ "--drain-fall", "HEALTHGATE_DRAIN_FALL", opts_set_count,
	    F(drain_fall), 1, 1000, false, "N", "503s each watched prober "
	    "must be served before\n      the drain ends" },
	{ "--drain-window", "HEALTHGATE_DRAIN_WINDOW", opts_set_duration,
	    F(drain_window_ms), 1, D, false, "D", "a prober seen within this "
	    "before SIGTERM is\n      watched; silent this long, it is gone" },
	{ "--drain-quiet", "HEALTHGATE_DRAIN_QUIET", set_quiet,
	    F(drain_quiet_ms), 1, D, false, "D", "the app's ports quiet "
	    "this long end the drain, or auto:\n      from the gaps between "
	    "its requests, 0.5s-10s (default auto)" },
	{ "--app-port", "HEALTHGATE_APP_PORTS", set_app_ports, 0, 0, 0, false,
	    "PORT,...", "the app's ports, whose traffic the drain reads, or "
	    "none\n      (default from the checks; those of http, tcp and tls "
	    "checks\n      on this host)" },
	{ "--drain-ignore", "HEALTHGATE_DRAIN_IGNORE", set_cidrs, 0, 0, 0,
	    false, "CIDR,...", "sources never watched, or none (default none;\n"
	    "      healthgate probe and /live never count)" },
	{ "--log-format", "HEALTHGATE_LOG_FORMAT", set_log_format, 0, 0, 0,
	    false, "text|json", "log line format" },
	{ "--service-version", "HEALTHGATE_SERVICE_VERSION", set_text,
	    F(service_version), 0, 0, false, "TEXT", "the app's public "
	    "version: /health's \"version\" (default none)" },
	{ "--release-id", "HEALTHGATE_RELEASE_ID", set_text, F(release_id), 0,
	    0, false, "TEXT", "the app's release: /health's \"releaseId\" "
	    "(default none)" },
	{ "--service-id", "HEALTHGATE_SERVICE_ID", set_text, F(service_id), 0,
	    0, false, "TEXT", "/health's \"serviceId\" (default none)" },
	{ "--description", "HEALTHGATE_DESCRIPTION", set_text, F(description),
	    0, 0, false, "TEXT", "/health's \"description\" (default none)" },
	{ "--max-connections", "HEALTHGATE_MAX_CONNECTIONS", opts_set_count,
	    F(max_connections), 1, 100000, false, "N",
	    "connections open at once, in all" },
	{ "--max-connections-per-ip", "HEALTHGATE_MAX_CONNECTIONS_PER_IP",
	    opts_set_count, F(max_per_ip), 1, 100000, false, "N",
	    "connections open at once from one address" },
	{ "--conn-memory", "HEALTHGATE_CONN_MEMORY", opts_set_count,
	    F(conn_memory), 2048, 1048576, false, "BYTES", "memory per "
	    "connection; bounds the request head" },
	{ "--request-timeout", "HEALTHGATE_REQUEST_TIMEOUT", opts_set_duration,
	    F(request_timeout_ms), 1000, D, false, "D", "a new connection "
	    "must deliver its request head within this" },
	{ "--idle-timeout", "HEALTHGATE_IDLE_TIMEOUT", opts_set_duration,
	    F(idle_timeout_ms), 1000, D, false, "D", "a kept-alive "
	    "connection must send its next request within\n      this" },
	{ "--drain-linger", "HEALTHGATE_DRAIN_LINGER", opts_set_duration,
	    F(drain_linger_ms), 0, D, false, "D", "with -- COMMAND: from the "
	    "drain's end to the stop\n      signal, for requests already "
	    "routed, when the app's traffic\n      cannot be seen" },
	{ "--stop-signal", "HEALTHGATE_STOP_SIGNAL", set_signal,
	    F(stop_signal), 0, 0, false, "SIG", "with -- COMMAND: what stops "
	    "the app" },
	{ "--stop-timeout", "HEALTHGATE_STOP_TIMEOUT", opts_set_duration,
	    F(stop_timeout_ms), 0, D, false, "D", "with -- COMMAND: from the "
	    "stop signal to SIGKILL" },
	{ "--admin-token-file", "HEALTHGATE_ADMIN_TOKEN_FILE", set_file,
	    F(admin_token_file), 0, 0, false, "FILE", "the bearer token that "
	    "opens /admin/ to callers\n      outside loopback (default none; "
	    "/admin/ from loopback only)" },
};

#define NOPTS	(sizeof(opts) / sizeof(opts[0]))

/*
 * The default's words in --help for the rows with setters of their own,
 * from set_defaults' values: the help never repeats a default.
 */
static bool
config_show_default(const struct opts_def *o, const void *defaults,
    char *buf, size_t len)
{
	const struct config *c = defaults;
	const char *h = c->listen_host[0] ? c->listen_host : "::";

	if (o->set == set_listen)
		snprintf(buf, len, strchr(h, ':') ? "[%s]:%u" : "%s:%u", h,
		    c->listen_port);
	else if (o->set == set_signal)
		snprintf(buf, len, "%s", signame_name(c->stop_signal));
	else if (o->set == set_log_format)
		snprintf(buf, len, "%s", c->log_format == LOG_FORMAT_JSON ?
		    "json" : "text");
	else
		return false;
	return true;
}

void
config_usage(void)
{
	struct config d;

	printf("usage: healthgate [options] [-- COMMAND [ARGS...]]\n"
	    "       healthgate probe [--timeout D] [URL]\n"
	    "       healthgate ctl maintenance on|off | drain [--wait] | "
	    "status\n"
	    "       healthgate plan [options]   (see healthgate plan --help)\n"
	    "       healthgate --help | --version\n\n"
	    "Serves /health, /live and /metrics for a load balancer; drains "
	    "on SIGTERM.\nWith -- COMMAND, runs the app as its child and "
	    "stops it only after the drain.\n\noptions, each also from its variable (the flag "
	    "wins):\n");
	set_defaults(&d);	/* each "(default X)" from the value itself */
	opts_usage(opts, NOPTS, 26, &d, config_show_default);
	printf("\nDurations: 250ms, 1.5s, 1m30s, 1h; a bare number is seconds (0.5).\n");
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

		/* "10.0.0.0/8, fd00::/8": spaces around an item mean nothing. */
		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
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
set_cidrs(const struct opts_def *o, const char *v, struct opts_ctx *ctx)
{
	(void)o;
	return parse_cidrs(v, ctx->fields);
}

/* ADDR:PORT into host (ADDR_HOST_MAX bytes) and port. */
static const char *
parse_listen(const char *s, char *host, unsigned *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char h[ADDR_HOST_MAX];
	unsigned p;

	if (addr_split_hostport(s, h, &p) != NULL ||
	    addr_to_sockaddr(h, p, &ss, &len) != NULL)
		return "is not ADDR:PORT (127.0.0.1:8081, [::1]:8081, :8081)";
	strcpy(host, h);
	*port = p;
	return NULL;
}

static const char *
set_quiet(const struct opts_def *o, const char *v, struct opts_ctx *ctx)
{
	if (strcmp(v, "auto") == 0) {
		((struct config *)ctx->fields)->drain_quiet_ms = 0;
		return NULL;
	}
	return opts_set_duration(o, v, ctx);
}

/* "8080", "8080,8443" or none; spaces around an item mean nothing. */
static const char *
set_app_ports(const struct opts_def *o, const char *v, struct opts_ctx *ctx)
{
	struct config *c = ctx->fields;
	const char *p = v;
	unsigned long long port;
	size_t len;

	(void)o;
	c->app_ports_set = true;
	c->napp_ports = 0;
	if (strcmp(v, "none") == 0)
		return NULL;
	for (;;) {
		p += strspn(p, " \t");
		len = decimal_span(p, strlen(p));
		if (c->napp_ports == CONFIG_APP_PORTS_MAX)
			return "has more than 16 ports";
		if (len == 0 || !decimal_parse(p, len, 65535, &port) ||
		    port == 0)
			return "is not a list of ports 1-65535 (or none)";
		c->app_ports[c->napp_ports++] = (unsigned)port;
		p += len;
		p += strspn(p, " \t");
		if (*p == '\0')
			return NULL;
		if (*p++ != ',')
			return "is not a list of ports 1-65535 (or none)";
	}
}

static const char *
set_listen(const struct opts_def *o, const char *s, struct opts_ctx *ctx)
{
	struct config *c = ctx->fields;

	(void)o;
	return parse_listen(s, c->listen_host, &c->listen_port);
}

static const char *
set_grpc_listen(const struct opts_def *o, const char *s,
    struct opts_ctx *ctx)
{
	struct config *c = ctx->fields;
	const char *err;

	(void)o;
	if ((err = parse_listen(s, c->grpc_listen_host, &c->grpc_listen_port)))
		return err;
	c->grpc_listen = true;
	return NULL;
}

/* A file named here is read at start by its user (main.c), not here. */
static const char *
set_file(const struct opts_def *o, const char *v, struct opts_ctx *ctx)
{
	if (v[0] == '\0')
		return "is empty (give a file name)";
	*(const char **)(void *)((char *)ctx->fields + o->off) = v;
	return NULL;
}

static const char *
set_signal(const struct opts_def *o, const char *v, struct opts_ctx *ctx)
{
	return signame_parse(v, (int *)(void *)((char *)ctx->fields +
	    o->off));
}

static const char *
set_log_format(const struct opts_def *o, const char *v, struct opts_ctx *ctx)
{
	struct config *c = ctx->fields;

	(void)o;
	if (strcmp(v, "text") == 0)
		c->log_format = LOG_FORMAT_TEXT;
	else if (strcmp(v, "json") == 0)
		c->log_format = LOG_FORMAT_JSON;
	else
		return "is not text or json";
	return NULL;
}

/*
 * A text for the /health body, kept as given (argv and envp outlive the
 * config). JSON escaping is the body's; a line break or other control
 * byte is refused, since a typo is likelier than a wish for one.
 */
static const char *
set_text(const struct opts_def *o, const char *v, struct opts_ctx *ctx)
{
	const char **field = (const char **)(void *)((char *)ctx->fields +
	    o->off);

	if (strlen(v) > 256)
		return "is longer than 256 bytes";
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return "has a control character";
	*field = v;
	return NULL;
}

/*
 * Checks are only collected here, parsed once the schedule defaults they
 * inherit are final. HEALTHGATE_CHECKS is split on commas into a copy the
 * load owns.
 */
static const char *
set_check(const struct opts_def *o, const char *v, struct opts_ctx *ctx)
{
	struct load *ld = ctx->user;
	char *save = NULL, *item;

	(void)o;
	if (!ctx->from_env) {
		if (ld->nraw_flag >= MAX_CHECKS)
			return "is one check too many (at most 64)";
		ld->raw_flag[ld->nraw_flag++] = v;
		return NULL;
	}
	if ((ld->env_checks = strdup(v)) == NULL)
		return "out of memory";
	for (item = strtok_r(ld->env_checks, ",", &save); item;
	    item = strtok_r(NULL, ",", &save)) {
		if (item[strspn(item, " \t")] == '\0')
			continue;	/* "a=..., " ends in nothing */
		if (ld->nraw_env >= MAX_CHECKS)
			return "has one check too many (at most 64)";
		ld->raw_env[ld->nraw_env++] = item;
	}
	return NULL;
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
	c->log_format = LOG_FORMAT_TEXT;
	c->max_connections = 1000;
	c->max_per_ip = 32;
	c->conn_memory = 2048;
	c->request_timeout_ms = 5000;
	c->idle_timeout_ms = 10000;
	/*
	 * Nothing is ignored by default: a load balancer on the same host
	 * probes from loopback too. Local health checks that must not hold
	 * the drain use /live or healthgate probe, which never count.
	 */
	c->drain_linger_ms = 2000;
	c->stop_signal = SIGTERM;
	c->stop_timeout_ms = 10000;
}

/*
 * The command line over what the environment set: CONFIG_OK to go on,
 * CONFIG_HELP or CONFIG_VERSION, or CONFIG_ERROR with err. "--" ends the
 * options: what follows is the app's command line (supervisor mode).
 */
static enum config_result
config_flags(struct config *c, int argc, char *const argv[],
    struct opts_ctx *ctx, char *err)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
			return CONFIG_HELP;
		if (strcmp(arg, "--") == 0) {
			if (i + 1 >= argc || argv[i + 1][0] == '\0') {
				snprintf(err, CONFIG_ERR_MAX, "--: needs a "
				    "command after it (healthgate [options] -- "
				    "COMMAND [ARGS...])");
				return CONFIG_ERROR;
			}
			c->app_argv = argv + i + 1;
			break;
		}
		if (strcmp(arg, "--version") == 0)
			return CONFIG_VERSION;
		switch (opts_take(opts, NOPTS, argc, argv, &i, ctx, err,
		    CONFIG_ERR_MAX)) {
		case OPTS_TAKEN:
			break;
		case OPTS_UNKNOWN:
			snprintf(err, CONFIG_ERR_MAX, "unknown option \"%s\" "
			    "(see --help)", arg);
			return CONFIG_ERROR;
		case OPTS_ERROR:
			return CONFIG_ERROR;
		}
	}
	return CONFIG_OK;
}

/*
 * The checks, on the global schedule unless a check says otherwise; any
 * --check flag replaces the whole HEALTHGATE_CHECKS list. Names are
 * unique.
 */
static bool
config_checks(struct config *c, const struct load *ld, char *err)
{
	const char *const *raw = ld->nraw_flag ? ld->raw_flag : ld->raw_env;
	unsigned nraw = ld->nraw_flag ? ld->nraw_flag : ld->nraw_env;
	const char *src = ld->nraw_flag ? "--check" : "HEALTHGATE_CHECKS", *e;
	struct check_spec sched;

	if (nraw && (c->checks = calloc(nraw, sizeof(*c->checks))) == NULL) {
		snprintf(err, CONFIG_ERR_MAX, "out of memory");
		return false;
	}
	memset(&sched, 0, sizeof(sched));
	sched.interval_ms = c->interval_ms;
	sched.timeout_ms = c->timeout_ms;
	sched.rise = c->rise;
	sched.fall = c->fall;
	for (unsigned i = 0; i < nraw; i++) {
		struct check_spec *cs = &c->checks[i];

		if ((e = check_spec_parse(raw[i], &sched, cs)) != NULL) {
			snprintf(err, CONFIG_ERR_MAX, "%s: \"%s\" %s", src,
			    raw[i], e);
			return false;
		}
		c->nchecks++;
		for (unsigned j = 0; j < i; j++)
			if (strcmp(c->checks[j].name, cs->name) == 0) {
				snprintf(err, CONFIG_ERR_MAX, "%s: \"%s\" "
				    "repeats the name \"%s\" (give it NAME=)",
				    src, raw[i], cs->name);
				return false;
			}
	}
	return true;
}

enum config_result
config_load(struct config *c, int argc, char *const argv[],
    char *const envp[], char *err)
{
	struct load ld = { .nraw_env = 0 };
	struct opts_ctx ctx = { .fields = c, .user = &ld };
	enum config_result rc = CONFIG_ERROR;

	set_defaults(c);
	if (!opts_from_env(opts, NOPTS, envp, &ctx, err, CONFIG_ERR_MAX))
		goto out;
	if ((rc = config_flags(c, argc, argv, &ctx, err)) != CONFIG_OK)
		goto out;
	rc = CONFIG_ERROR;
	if (c->timeout_ms >= c->interval_ms) {
		char t[OPTS_DURATION_LEN], iv[OPTS_DURATION_LEN];

		opts_format_duration(c->timeout_ms, t, sizeof(t));
		opts_format_duration(c->interval_ms, iv, sizeof(iv));
		snprintf(err, CONFIG_ERR_MAX, "--timeout: %s must be below "
		    "--interval (%s)", t, iv);
		goto out;
	}
	if (config_checks(c, &ld, err))
		rc = CONFIG_OK;
out:
	free(ld.env_checks);
	if (rc != CONFIG_OK)
		config_free(c);
	return rc;
}

/*
 * Read apart from config_load, which stops at the first refusal and may
 * never reach --log-format, or be refusing its very value. The variable,
 * then each --log-format flag in turn: the last valid one wins, a bad one
 * is passed over (its own refusal then goes out in the format the others
 * asked for, or as text).
 */
enum log_format
config_log_format_asked(int argc, char *const argv[], char *const envp[])
{
	struct config tmp = { .log_format = LOG_FORMAT_TEXT };
	struct opts_ctx ctx = { .fields = &tmp };
	const struct opts_def *o;
	const char *v;

	if ((v = opts_env(envp, "HEALTHGATE_LOG_FORMAT")) != NULL)
		(void)set_log_format(NULL, v, &ctx);
	for (int i = 1; i < argc; i++) {
		if ((o = opts_find(opts, NOPTS, argv[i], &v)) == NULL)
			continue;
		/* Every option takes a value: skip it as config_load does. */
		if (v == NULL && (v = i + 1 < argc ? argv[++i] : NULL) == NULL)
			break;
		if (o->set == set_log_format)
			(void)set_log_format(o, v, &ctx);
	}
	return tmp.log_format;
}

void
config_free(struct config *c)
{
	for (unsigned i = 0; i < c->nchecks; i++)
		check_spec_free(&c->checks[i]);
	free(c->checks);
	free(c->drain_ignore);
	c->checks = NULL;
	c->drain_ignore = NULL;
	c->nchecks = c->ndrain_ignore = 0;
}
