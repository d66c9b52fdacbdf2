/*
 * ctl.c: `healthgate ctl`, the command line over the admin API (ctl.h).
 *
 * Each verb is one request through probe.c's client, in order, each
 * answered after its change: so a script's last call decides the state,
 * which signals could not promise. The daemon is found as `probe` finds
 * it, from HEALTHGATE_LISTEN (an any-address through loopback).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_token.h"
#include "ctl.h"
#include "opts.h"
#include "probe.h"

#define CTL_TIMEOUT_MS		2000		/* one quick call */
#define CTL_WAIT_MS		(60u * 60 * 1000) /* drain --wait, at most */
#define CTL_URL_MAX		(ADDR_HOST_MAX + ADDR_PATH_MAX + 32)

/* What the command line asked for. */
struct ctl_args {
	const char	*verb;		/* maintenance, drain, status */
	const char	*arg;		/* on|off for maintenance */
	bool		 wait;		/* drain --wait */
	const char	*url;		/* --url: the daemon's base URL */
	const char	*token_file;	/* --admin-token-file */
	unsigned	 timeout_ms;	/* 0: the verb's default */
};

static void
ctl_usage(FILE *f)
{
	fprintf(f, "usage: healthgate ctl [--url URL] [--timeout D] "
	    "[--admin-token-file FILE] VERB\n\n"
	    "  maintenance on|off  /health answers 503 (on) or the checks' "
	    "verdict (off)\n"
	    "  drain [--wait]      start the drain, as SIGTERM; --wait: until "
	    "it has ended\n"
	    "  status              the daemon's state as JSON\n\n"
	    "The daemon is http://127.0.0.1:PORT, PORT from HEALTHGATE_LISTEN "
	    "(else 8081);\n--url http://HOST:PORT names another. From outside "
	    "loopback the daemon wants\nits token: --admin-token-file "
	    "(HEALTHGATE_ADMIN_TOKEN_FILE), the daemon's own.\n"
	    "Exit 0 on success, 1 on a refusal or failure, 2 on bad usage.\n");
}

/* Bad usage: one line naming what, exit 2. */
static int
ctl_bad(const char *what, const char *value)
{
	fprintf(stderr, "healthgate ctl: %s%s%s%s (see healthgate ctl "
	    "--help)\n", what, value ? " \"" : "", value ? value : "",
	    value ? "\"" : "");
	return 2;
}

/* A flag's value: --flag=v or --flag v. NULL when a is not the flag. */
static const char *
ctl_flag(const char *flag, int argc, char *const argv[], int *i,
    bool *missing)
{
	size_t n = strlen(flag);
	const char *a = argv[*i];

	/* lint: argv[*i] below argc is never NULL; scan-build cannot tell. */
	if (a == NULL || strncmp(a, flag, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

/* Returns -1 when parsed, else the exit status (0 for --help). */
static int
ctl_parse(int argc, char *const argv[], struct ctl_args *c)
{
	const char *v, *err;
	bool missing = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			ctl_usage(stdout);
			return 0;
		}
		if ((v = ctl_flag("--url", argc, argv, &i, &missing)))
			c->url = v;
		else if ((v = ctl_flag("--admin-token-file", argc, argv, &i,
		    &missing)))
			c->token_file = v;
		else if ((v = ctl_flag("--timeout", argc, argv, &i,
		    &missing))) {
			if ((err = opts_parse_duration(v, &c->timeout_ms)) ||
			    c->timeout_ms == 0)
				return ctl_bad(err ? "--timeout: not a "
				    "duration:" : "--timeout: must be above "
				    "zero:", v);
		} else if (missing)
			return ctl_bad("needs a value:", a);
		else if (strcmp(a, "--wait") == 0)
			c->wait = true;
		else if (a[0] == '-')
			return ctl_bad("unknown option", a);
		else if (c->verb == NULL)
			c->verb = a;
		else if (c->arg == NULL)
			c->arg = a;
		else
			return ctl_bad("unexpected", a);
	}
	if (c->verb == NULL)
		return ctl_bad("needs a verb: maintenance on|off, drain, "
		    "status", NULL);
	if (strcmp(c->verb, "maintenance") == 0) {
		if (c->arg == NULL || (strcmp(c->arg, "on") != 0 &&
		    strcmp(c->arg, "off") != 0))
			return ctl_bad("maintenance takes on or off:",
			    c->arg ? c->arg : "");
	} else if (strcmp(c->verb, "drain") != 0 &&
	    strcmp(c->verb, "status") != 0)
		return ctl_bad("unknown verb", c->verb);
	else if (c->arg)
		return ctl_bad("unexpected", c->arg);
	if (c->wait && strcmp(c->verb, "drain") != 0)
		return ctl_bad("--wait is drain's", NULL);
	return -1;
}

/* The URL of path on the daemon: --url's host and port, else the env's. */
static const char *
ctl_url(const struct ctl_args *c, char *const envp[], const char *path,
    char *buf, struct url *u)
{
	const char *err;

	if (c->url == NULL) {
		probe_default_url(opts_env(envp, "HEALTHGATE_LISTEN"), path,
		    buf, CTL_URL_MAX);
	} else {
		if ((err = addr_parse_url(c->url, u)) != NULL)
			return err;
		snprintf(buf, CTL_URL_MAX, strchr(u->host, ':') ?
		    "http://[%s]:%u%s" : "http://%s:%u%s", u->host, u->port,
		    path);
	}
	return addr_parse_url(buf, u);
}

/*
 * One call: its status, with the body printed to out on a 2xx. 0 when
 * there was no answer (the reason is printed, unless quiet).
 */
static unsigned
ctl_call(const struct ctl_args *c, char *const envp[], const char *method,
    const char *path, const char *token, unsigned timeout_ms, bool quiet)
{
	char buf[CTL_URL_MAX], why[256] = "";
	struct probe_body body = { 0 };
	struct url u;
	const char *err;
	unsigned code;

	if ((err = ctl_url(c, envp, path, buf, &u)) != NULL) {
		fprintf(stderr, "healthgate ctl: --url: \"%s\" %s\n", c->url,
		    err);
		return 0;
	}
	code = probe_call(&(struct probe_req){ .url = &u, .method = method,
	    .token = token, .timeout_ms = timeout_ms }, &body, why,
	    sizeof(why));
	if (code == 0 && !quiet)
		fprintf(stderr, "healthgate ctl: %s %s: %s\n", method, buf,
		    why);
	else if (code >= 200 && code <= 299)
		fputs(body.data ? body.data : "", stdout);
	else if (code && !quiet)
		fprintf(stderr, "healthgate ctl: %s %s: %u %s", method, buf,
		    code, body.data ? body.data : "\n");
	free(body.data);
	return code;
}

/*
 * drain --wait: the drain is started, then /admin/prestop answers when it
 * ends. A drain that ended at once may have ended the process too: no
 * answer, or the 503 of its last moment, after the 202, is that end.
 */
static int
ctl_drain_wait(const struct ctl_args *c, char *const envp[],
    const char *token)
{
	unsigned code;

	code = ctl_call(c, envp, "GET", "/admin/prestop", token,
	    c->timeout_ms ? c->timeout_ms : CTL_WAIT_MS, true);
	if (code == 200)
		return 0;
	if (code == 0 || code == 503) {
		printf("{\"drain\":\"ended\",\"detail\":\"healthgate has "
		    "exited\"}\n");
		return 0;
	}
	fprintf(stderr, "healthgate ctl: waiting for the drain: %u\n", code);
	return 1;
}

static int
ctl_run(const struct ctl_args *c, char *const envp[], const char *token)
{
	unsigned timeout = c->timeout_ms ? c->timeout_ms : CTL_TIMEOUT_MS;
	unsigned code;

	if (strcmp(c->verb, "status") == 0)
		code = ctl_call(c, envp, "GET", "/admin/status", token, timeout,
		    false);
	else if (strcmp(c->verb, "maintenance") == 0)
		/* lint: parsing made sure of arg (scan-build cannot tell). */
		code = ctl_call(c, envp, "POST", c->arg &&
		    strcmp(c->arg, "on") == 0 ?
		    "/admin/maintenance/on" : "/admin/maintenance/off", token,
		    timeout, false);
	else {
		code = ctl_call(c, envp, "POST", "/admin/drain", token,
		    timeout, false);
		if (code == 202 && c->wait)
			return ctl_drain_wait(c, envp, token);
	}
	return code >= 200 && code <= 299 ? 0 : 1;
}

int
ctl_main(int argc, char *const argv[], char *const envp[])
{
	struct ctl_args c = { .verb = NULL };
	char err[256], *token = NULL;
	int rc;

	if ((rc = ctl_parse(argc, argv, &c)) >= 0)
		return rc;
	if (c.token_file == NULL)
		c.token_file = opts_env(envp, "HEALTHGATE_ADMIN_TOKEN_FILE");
	if (c.token_file && (token = admin_token_read(c.token_file, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "healthgate ctl: --admin-token-file "
		    "(HEALTHGATE_ADMIN_TOKEN_FILE): \"%s\" %s\n", c.token_file,
		    err);
		return 2;
	}
	rc = ctl_run(&c, envp, token);
	if (token)
		explicit_bzero(token, strlen(token));
	free(token);
	return rc;
}
