/*
 * plan_json.c: a task definition and a target group, as AWS writes them,
 * into the numbers plan works with.
 *
 * jansson parses and keeps the document; this file only walks it. Every
 * field plan reads is checked for its type and its range, and an error
 * names the file and the field's path in the document, e.g.
 * "td.json: taskDefinition.containerDefinitions[1].stopTimeout: "45" is
 * not a whole number". Fields plan does not use are left alone, so a full
 * describe output (with its ARNs, revisions and registeredAt) reads as
 * well as the file a pipeline registers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "plan/plan_json.h"

#define MAX_WORDS	256	/* entryPoint + command, more is not a daemon */

/*
 * One error line: "NAME: PATH: what", or "NAME: what" without a path. What
 * it quotes of the document (jansson's "near '...'", a bad string value)
 * may hold newlines or other control bytes: they become '?', so the error
 * stays one line (the fuzz target found jansson quoting a newline).
 */
static int
fail(char *err, size_t errlen, const char *name, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
fail(char *err, size_t errlen, const char *name, const char *path,
    const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(err, errlen, "%s: ", name);
	if (path && *path && n >= 0 && (size_t)n < errlen)
		n += snprintf(err + n, errlen - (size_t)n, "%s: ", path);
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	for (char *p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -1;
}

static json_t *
load(const char *text, size_t len, const char *name, char *err,
    size_t errlen)
{
	json_error_t je;
	json_t *root;

	/* Duplicate keys would let two values of one setting disagree. */
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		fail(err, errlen, name, NULL, "line %d, column %d: %s",
		    je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		fail(err, errlen, name, NULL, "is not a JSON object");
		return NULL;
	}
	return root;
}

/* A short text of what a value is, for "... is not a whole number". */
static void
show(const json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		snprintf(buf, len, "\"%.40s\"", json_string_value(v));
	else if (json_is_array(v))
		snprintf(buf, len, "an array");
	else if (json_is_object(v))
		snprintf(buf, len, "an object");
	else if (json_is_real(v))
		snprintf(buf, len, "%g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
	else if (json_is_null(v))
		snprintf(buf, len, "null");
	else
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
}

/*
 * A whole number within lo..hi: 1 when there, 0 when absent, -1 on error.
 * as_text: AWS writes target group attributes as strings ("300").
 */
static int
whole(const json_t *v, bool as_text, long long lo, long long hi,
    long long *out, const char *name, const char *path, char *err,
    size_t errlen)
{
	char what[64];
	long long n;

	if (v == NULL)
		return 0;
	if (as_text && json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;

		n = strtoll(s, &end, 10);
		if (*s < '0' || *s > '9' || *end != '\0' || strlen(s) > 12)
			return fail(err, errlen, name, path, "\"%.40s\" is not "
			    "a whole number", s);
	} else if (json_is_integer(v)) {
		n = json_integer_value(v);
	} else {
		show(v, what, sizeof(what));
		return fail(err, errlen, name, path, "%s is not a whole "
		    "number", what);
	}
	if (n < lo || n > hi)
		return fail(err, errlen, name, path, "%lld is not within "
		    "%lld-%lld", n, lo, hi);
	*out = n;
	return 1;
}

/* --- target groups ----------------------------------------------------- */

struct tg_field {
	const char	*key;
	long long	 lo, hi;	/* as the ELB API allows */
	bool		 seconds;	/* else a count */
	size_t		 off;		/* in struct plan_input */
	unsigned	 bit;
};

#define TG(field)	offsetof(struct plan_input, field)

static const struct tg_field tg_fields[] = {
	{ "HealthCheckIntervalSeconds", 5, 300, true, TG(alb_interval_ms),
	    PLAN_TG_INTERVAL },
	{ "HealthCheckTimeoutSeconds", 2, 120, true, TG(alb_timeout_ms),
	    PLAN_TG_TIMEOUT },
	{ "HealthyThresholdCount", 2, 10, false, TG(alb_healthy),
	    PLAN_TG_HEALTHY },
	{ "UnhealthyThresholdCount", 2, 10, false, TG(alb_unhealthy),
	    PLAN_TG_UNHEALTHY },
};

#define NTG	(sizeof(tg_fields) / sizeof(tg_fields[0]))

/* A string field of g, into buf (size bytes); 0 absent, -1 not one. */
static int
tg_string(const json_t *g, const char *gpath, const char *key,
    const char *name, char *buf, size_t size, char *err, size_t errlen)
{
	const json_t *v = json_object_get(g, key);
	char path[160];

	if (v == NULL || json_is_null(v))
		return 0;
	snprintf(path, sizeof(path), "%s%s%s", gpath, *gpath ? "." : "", key);
	if (!json_is_string(v) || json_string_length(v) >= size)
		return fail(err, errlen, name, path, "is not a string of at "
		    "most %zu characters", size - 1);
	snprintf(buf, size, "%s", json_string_value(v));
	return 1;
}

/*
 * A gRPC target group: ProtocolVersion GRPC, its Matcher's GrpcCode (as
 * AWS writes it, "12", "0,12", "0-99") and its HealthCheckPath.
 */
static int
read_grpc(const json_t *g, const char *gpath, const char *name,
    struct plan_input *in, unsigned *mask, char *err, size_t errlen)
{
	char proto[16] = "", mpath[160];
	const json_t *m = json_object_get(g, "Matcher");
	int rc;

	if ((rc = tg_string(g, gpath, "ProtocolVersion", name, proto,
	    sizeof(proto), err, errlen)) < 0)
		return -1;
	if (rc == 0 || strcmp(proto, "GRPC") != 0)
		return 0;
	in->tg_grpc = true;
	*mask |= PLAN_TG_GRPC;
	if (tg_string(g, gpath, "HealthCheckPath", name, in->tg_path,
	    sizeof(in->tg_path), err, errlen) < 0)
		return -1;
	if (m == NULL)
		return 0;
	snprintf(mpath, sizeof(mpath), "%s%sMatcher", gpath, *gpath ? "." :
	    "");
	if (!json_is_object(m))
		return fail(err, errlen, name, mpath, "is not an object");
	if ((rc = tg_string(m, mpath, "GrpcCode", name, in->tg_grpc_codes,
	    sizeof(in->tg_grpc_codes), err, errlen)) < 0)
		return -1;
	if (rc > 0 && plan_grpc_code_in(in->tg_grpc_codes, 0) < 0)
		return fail(err, errlen, name, mpath, "GrpcCode \"%s\" is not "
		    "gRPC codes 0-99 (\"12\", \"0,12\", \"0-99\")",
		    in->tg_grpc_codes);
	return 0;
}

static int
read_group(const json_t *g, const char *gpath, const char *name,
    struct plan_input *in, unsigned *mask, char *err, size_t errlen)
{
	char path[160];
	long long n;
	int rc;

	if (!json_is_object(g))
		return fail(err, errlen, name, gpath, "is not an object");
	for (size_t k = 0; k < NTG; k++) {
		const struct tg_field *f = &tg_fields[k];

		snprintf(path, sizeof(path), "%s%s%s", gpath, *gpath ? "." :
		    "", f->key);
		rc = whole(json_object_get(g, f->key), false, f->lo, f->hi, &n,
		    name, path, err, errlen);
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		*(unsigned *)((char *)in + f->off) = (unsigned)n *
		    (f->seconds ? 1000u : 1u);
		*mask |= f->bit;
	}
	return read_grpc(g, gpath, name, in, mask, err, errlen);
}

static int
read_attributes(const json_t *a, const char *name, struct plan_input *in,
    unsigned *mask, char *err, size_t errlen)
{
	char path[96];
	size_t k;
	json_t *item;

	if (!json_is_array(a))
		return fail(err, errlen, name, "Attributes", "is not an array");
	json_array_foreach(a, k, item) {
		const json_t *key = json_object_get(item, "Key");
		long long n;

		snprintf(path, sizeof(path), "Attributes[%zu]", k);
		if (!json_is_object(item) || !json_is_string(key))
			return fail(err, errlen, name, path, "is not "
			    "{\"Key\": ..., \"Value\": ...}");
		if (strcmp(json_string_value(key),
		    "deregistration_delay.timeout_seconds") != 0)
			continue;
		snprintf(path, sizeof(path), "Attributes[%zu].Value "
		    "(deregistration_delay.timeout_seconds)", k);
		if (whole(json_object_get(item, "Value"), true, 0, 3600, &n,
		    name, path, err, errlen) <= 0) {
			if (json_object_get(item, "Value") == NULL)
				fail(err, errlen, name, path, "is missing");
			return -1;
		}
		in->dereg_delay_ms = (unsigned)n * 1000u;
		*mask |= PLAN_TG_DEREG;
	}
	return 0;
}

int
plan_json_target_group(const char *text, size_t len, const char *name,
    struct plan_input *in, unsigned *mask, char *err, size_t errlen)
{
	struct plan_input work = *in;
	unsigned got = 0;
	json_t *root, *groups, *attrs;
	int rc = -1;

	if ((root = load(text, len, name, err, errlen)) == NULL)
		return -1;
	groups = json_object_get(root, "TargetGroups");
	attrs = json_object_get(root, "Attributes");
	if (groups) {
		if (!json_is_array(groups)) {
			fail(err, errlen, name, "TargetGroups", "is not an "
			    "array");
			goto out;
		}
		if (json_array_size(groups) != 1) {
			fail(err, errlen, name, "TargetGroups", "has %zu "
			    "target groups; plan takes one (aws elbv2 "
			    "describe-target-groups --names NAME)",
			    json_array_size(groups));
			goto out;
		}
		if (read_group(json_array_get(groups, 0), "TargetGroups[0]",
		    name, &work, &got, err, errlen) < 0)
			goto out;
	} else if (json_object_get(root, "HealthCheckIntervalSeconds")) {
		/* One target group object on its own, as jq '.[0]' gives. */
		if (read_group(root, "", name, &work, &got, err, errlen) < 0)
			goto out;
	}
	if (attrs && read_attributes(attrs, name, &work, &got, err,
	    errlen) < 0)
		goto out;
	if (got == 0) {
		fail(err, errlen, name, NULL, "has neither TargetGroups nor "
		    "Attributes (deregistration_delay.timeout_seconds): not "
		    "the output of aws elbv2 describe-target-groups or "
		    "describe-target-group-attributes");
		goto out;
	}
	*in = work;
	*mask |= got;
	rc = 0;
out:
	json_decref(root);
	return rc;
}

/* --- task definitions -------------------------------------------------- */

/*
 * The strings of an array field (entryPoint, command, healthCheck.command)
 * appended to words; 0 when absent, -1 on a non-string.
 */
static int
strings(const json_t *c, const char *key, const char *cpath,
    const char **words, size_t *nwords, const char *name, char *err,
    size_t errlen)
{
	const json_t *a = json_object_get(c, key), *w;
	char path[160];
	size_t k;

	if (a == NULL || json_is_null(a))
		return 0;
	snprintf(path, sizeof(path), "%s.%s", cpath, key);
	if (!json_is_array(a))
		return fail(err, errlen, name, path, "is not an array of "
		    "strings");
	json_array_foreach(a, k, w) {
		if (!json_is_string(w)) {
			snprintf(path, sizeof(path), "%s.%s[%zu]", cpath, key,
			    k);
			return fail(err, errlen, name, path, "is not a string");
		}
		if (*nwords >= MAX_WORDS)
			return fail(err, errlen, name, path, "has more than "
			    "%d words", MAX_WORDS);
		words[(*nwords)++] = json_string_value(w);
	}
	return 0;
}

static bool
has_hg_env(const json_t *c)
{
	const json_t *env = json_object_get(c, "environment"), *e;
	size_t k;

	json_array_foreach(env, k, e) {
		const json_t *n = json_object_get(e, "name");

		if (json_is_string(n) &&
		    plan_cmdline_hg_var(json_string_value(n)))
			return true;
	}
	return false;
}

/*
 * Which container is healthgate: the one that runs it, else the one named
 * so, else the one with HEALTHGATE_* variables. -1 with err if none.
 */
static long
find_container(const json_t *defs, const char *dpath, const char *name,
    char *err, size_t errlen)
{
	const char *words[MAX_WORDS];
	const json_t *c;
	char path[128];
	size_t k;

	json_array_foreach(defs, k, c) {
		size_t n = 0;

		snprintf(path, sizeof(path), "%s[%zu]", dpath, k);
		if (!json_is_object(c))
			return fail(err, errlen, name, path, "is not an "
			    "object");
		if (strings(c, "entryPoint", path, words, &n, name, err,
		    errlen) < 0 || strings(c, "command", path, words, &n, name,
		    err, errlen) < 0)
			return -1;
		if (plan_cmdline_healthgate_word(words, n) >= 0)
			return (long)k;
	}
	json_array_foreach(defs, k, c) {
		const json_t *n = json_object_get(c, "name");

		if (json_is_string(n) && strcmp(json_string_value(n),
		    "healthgate") == 0)
			return (long)k;
	}
	json_array_foreach(defs, k, c)
		if (has_hg_env(c))
			return (long)k;
	return fail(err, errlen, name, dpath, "no healthgate container (none "
	    "runs healthgate, is named healthgate or has HEALTHGATE_* "
	    "variables)");
}

/*
 * The container's options for config_load, and whether "--" follows:
 * entryPoint and command, as the manifest reader reads command and args.
 */
static int
command_line(const json_t *c, const char *cpath, struct plan_taskdef *td,
    const char *name, char *err, size_t errlen)
{
	const char *words[MAX_WORDS];
	const json_t *entry = json_object_get(c, "entryPoint");
	size_t n = 0;

	if (strings(c, "entryPoint", cpath, words, &n, name, err, errlen) < 0 ||
	    strings(c, "command", cpath, words, &n, name, err, errlen) < 0)
		return -1;
	if (plan_cmdline_split(&td->cmd, words, n, entry != NULL &&
	    !json_is_null(entry)) < 0)
		return fail(err, errlen, name, cpath, "out of memory");
	return 0;
}

static int
environment(const json_t *c, const char *cpath, struct plan_taskdef *td,
    const char *name, char *err, size_t errlen)
{
	const json_t *env = json_object_get(c, "environment"), *e;
	char path[160];
	size_t k;

	if (env != NULL && !json_is_array(env)) {
		snprintf(path, sizeof(path), "%s.environment", cpath);
		return fail(err, errlen, name, path, "is not an array");
	}
	json_array_foreach(env, k, e) {
		const json_t *nm = json_object_get(e, "name");
		const json_t *v = json_object_get(e, "value");

		snprintf(path, sizeof(path), "%s.environment[%zu]", cpath, k);
		if (!json_is_object(e) || !json_is_string(nm) ||
		    !json_is_string(v))
			return fail(err, errlen, name, path, "is not {\"name\": "
			    "\"...\", \"value\": \"...\"} with strings");
		if (plan_cmdline_env(&td->cmd, json_string_value(nm),
		    json_string_value(v)) < 0)
			return fail(err, errlen, name, path, "out of memory");
	}
	return 0;
}

/* Does the container health check ask healthgate's /live? */
static int
health_check(const json_t *c, const char *cpath, struct plan_taskdef *td,
    const char *name, char *err, size_t errlen)
{
	const json_t *hc = json_object_get(c, "healthCheck");
	const char *words[MAX_WORDS], *target = NULL;
	char path[160], shell[1024];
	size_t n = 0, k;
	bool probe = false;

	td->check_uses_live = PLAN_KNOWN_UNSET;
	if (hc == NULL || json_is_null(hc))
		return 0;
	snprintf(path, sizeof(path), "%s.healthCheck", cpath);
	if (!json_is_object(hc))
		return fail(err, errlen, name, path, "is not an object");
	if (strings(hc, "command", path, words, &n, name, err, errlen) < 0)
		return -1;
	if (n >= 2 && strcmp(words[0], "CMD-SHELL") == 0) {
		char *save = NULL, *w;

		/* A shell line: its words, well enough to find probe's. */
		snprintf(shell, sizeof(shell), "%s", words[1]);
		n = 0;
		for (w = strtok_r(shell, " \t", &save); w && n < MAX_WORDS;
		    w = strtok_r(NULL, " \t", &save))
			words[n++] = w;
	}
	for (k = 1; k < n; k++)
		if (strcmp(words[k], "probe") == 0 &&
		    strcmp(plan_cmdline_base(words[k - 1]), "healthgate") == 0)
			break;
	if (k < n) {
		probe = true;
		for (k++; k < n; k++) {
			if (strcmp(words[k], "--timeout") == 0) {
				k++;
				continue;
			}
			if (strncmp(words[k], "--timeout=", 10) == 0)
				continue;
			target = words[k];
			break;
		}
	}
	if (probe) {
		/* probe's default is /health: no target asks /health. */
		const char *q = target ? strstr(target, "/live") : NULL;

		td->check_uses_live = q && (q[5] == '\0' || q[5] == '?') ?
		    PLAN_KNOWN_YES : PLAN_KNOWN_NO;
		return 0;
	}
	for (k = 0; k < n; k++) {
		if (strstr(words[k], "/live"))
			td->check_uses_live = PLAN_KNOWN_YES;
		else if (strstr(words[k], "/health") &&
		    td->check_uses_live == PLAN_KNOWN_UNSET)
			td->check_uses_live = PLAN_KNOWN_NO;
	}
	return 0;
}

/* Whether the container dependsOn another container of the task. */
static int
depends_on(const json_t *defs, const json_t *c, const char *cpath,
    struct plan_taskdef *td, const char *name, char *err, size_t errlen)
{
	const json_t *deps = json_object_get(c, "dependsOn"), *d, *o;
	char path[160];
	size_t k, j;

	td->depends_on_app = json_array_size(defs) > 1 ? PLAN_KNOWN_NO :
	    PLAN_KNOWN_UNSET;
	if (deps == NULL || json_is_null(deps))
		return 0;
	snprintf(path, sizeof(path), "%s.dependsOn", cpath);
	if (!json_is_array(deps))
		return fail(err, errlen, name, path, "is not an array");
	json_array_foreach(deps, k, d) {
		const json_t *cn = json_object_get(d, "containerName");

		snprintf(path, sizeof(path), "%s.dependsOn[%zu].containerName",
		    cpath, k);
		if (!json_is_string(cn))
			return fail(err, errlen, name, path, "is not a string");
		json_array_foreach(defs, j, o) {
			const json_t *on = json_object_get(o, "name");

			if (o != c && json_is_string(on) &&
			    strcmp(json_string_value(on),
			    json_string_value(cn)) == 0)
				td->depends_on_app = PLAN_KNOWN_YES;
		}
	}
	return 0;
}

static int
launch(const json_t *t, const char *tpath, struct plan_taskdef *td,
    const char *name, char *err, size_t errlen)
{
	const json_t *rc = json_object_get(t, "requiresCompatibilities"), *v;
	char path[128];
	size_t k;
	bool ec2 = false;

	if (rc == NULL || json_is_null(rc))
		return 0;
	snprintf(path, sizeof(path), "%srequiresCompatibilities", tpath);
	if (!json_is_array(rc))
		return fail(err, errlen, name, path, "is not an array");
	json_array_foreach(rc, k, v) {
		if (!json_is_string(v))
			return fail(err, errlen, name, path, "has a value "
			    "that is not a string");
		if (strcmp(json_string_value(v), "FARGATE") == 0) {
			td->launch_set = true;
			td->launch = PLAN_LAUNCH_FARGATE;
			return 0;
		}
		if (strcmp(json_string_value(v), "EC2") == 0)
			ec2 = true;
	}
	if (ec2) {
		td->launch_set = true;
		td->launch = PLAN_LAUNCH_EC2;
	}
	return 0;
}

int
plan_json_taskdef(const char *text, size_t len, const char *name,
    struct plan_taskdef *td, char *err, size_t errlen)
{
	json_t *root, *t, *defs, *c;
	char tpath[32], dpath[64], cpath[96];
	const json_t *cname;
	long long st = 0;	/* lint: scan-build: whole() sets it when 1 */
	long idx;
	int rc = -1;

	memset(td, 0, sizeof(*td));
	if ((root = load(text, len, name, err, errlen)) == NULL)
		return -1;
	/* describe-task-definition wraps it; a registered file does not. */
	t = json_object_get(root, "taskDefinition");
	if (t != NULL && !json_is_object(t)) {
		fail(err, errlen, name, "taskDefinition", "is not an object");
		goto out;
	}
	snprintf(tpath, sizeof(tpath), "%s", t ? "taskDefinition." : "");
	if (t == NULL)
		t = root;
	snprintf(dpath, sizeof(dpath), "%scontainerDefinitions", tpath);
	defs = json_object_get(t, "containerDefinitions");
	if (defs == NULL) {
		fail(err, errlen, name, dpath, "is missing: not a task "
		    "definition (nor aws ecs describe-task-definition output)");
		goto out;
	}
	if (!json_is_array(defs) || json_array_size(defs) == 0) {
		fail(err, errlen, name, dpath, "is not a non-empty array");
		goto out;
	}
	if (launch(t, tpath, td, name, err, errlen) < 0)
		goto out;
	if ((idx = find_container(defs, dpath, name, err, errlen)) < 0)
		goto out;
	c = json_array_get(defs, (size_t)idx);
	snprintf(cpath, sizeof(cpath), "%s[%ld]", dpath, idx);
	cname = json_object_get(c, "name");
	snprintf(td->container, sizeof(td->container), "%s",
	    json_is_string(cname) ? json_string_value(cname) : "");
	{
		char path[128];

		snprintf(path, sizeof(path), "%s.stopTimeout", cpath);
		switch (whole(json_object_get(c, "stopTimeout"), false, 0,
		    86400, &st, name, path, err, errlen)) {
		case -1:
			goto out;
		case 1:
			td->stop_timeout_set = true;
			td->stop_timeout_ms = (unsigned)st * 1000u;
			break;
		}
	}
	if (command_line(c, cpath, td, name, err, errlen) < 0 ||
	    environment(c, cpath, td, name, err, errlen) < 0 ||
	    health_check(c, cpath, td, name, err, errlen) < 0 ||
	    depends_on(defs, c, cpath, td, name, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	json_decref(root);
	if (rc != 0)
		plan_json_taskdef_free(td);
	return rc;
}

void
plan_json_taskdef_free(struct plan_taskdef *td)
{
	plan_cmdline_free(&td->cmd);
}
