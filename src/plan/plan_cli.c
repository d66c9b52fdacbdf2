/*
 * plan_cli.c: the "healthgate plan" command around plan.c's arithmetic.
 *
 * Settings come in three layers, each over the one before: AWS's defaults
 * (plan_defaults), the files (--task-definition, --target-group, read by
 * plan_json.c), then plan's own flags. healthgate's own check and drain
 * settings are read by config_load, the very code the daemon uses: from
 * the task definition's healthgate container (its environment and its
 * command line) when one is given, else from this process's environment,
 * and plan's command line adds its daemon options after them, so they win.
 * argv[0] is "plan". Kubernetes manifests (--manifest, read by plan_k8s.c)
 * stand where a task definition would: the pod's healthgate container
 * gives the daemon's options, and the pod's stop is modelled instead of
 * ECS's.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "opts.h"
#include "plan/plan.h"
#include "plan/plan_json.h"
#include "plan/plan_k8s.h"
#include "plan/plan_out.h"
#include "version.h"

#define MAX_TG_FILES	4
#define MAX_MANIFESTS	8
#define FILE_MAX	(16u << 20)	/* no task definition is this big */

enum plan_format {
	PLAN_FORMAT_TEXT,
	PLAN_FORMAT_JSON,
};

/* What plan's flags say beside the plan_input they fill. */
struct plan_cli {
	enum plan_format format;
	const char	*taskdef;		/* --task-definition */
	const char	*tg[MAX_TG_FILES];	/* --target-group */
	unsigned	 ntg;
	const char	*manifest[MAX_MANIFESTS];	/* --manifest */
	unsigned	 nmanifest;
	bool		 collect;		/* first pass: note the files */
	char		 app_stop[64];		/* "--stop-timeout=D", or "" */
};

static const char *
set_format(const struct opts_def *o, const char *v, struct opts_ctx *ctx)
{
	struct plan_cli *cli = ctx->user;

	(void)o;
	if (strcmp(v, "text") == 0)
		cli->format = PLAN_FORMAT_TEXT;
	else if (strcmp(v, "json") == 0)
		cli->format = PLAN_FORMAT_JSON;
	else
		return "is not text or json";
	return NULL;
}

static const char *
set_taskdef(const struct opts_def *o, const char *v, struct opts_ctx *ctx)
{
	struct plan_cli *cli = ctx->user;

	(void)o;
	if (!cli->collect)
		return NULL;
	if (cli->taskdef)
		return "is a second task definition; plan takes one";
	cli->taskdef = v;
	return NULL;
}

static const char *
set_tg(const struct opts_def *o, const char *v, struct opts_ctx *ctx)
{
	struct plan_cli *cli = ctx->user;

	(void)o;
	if (!cli->collect)
		return NULL;
	if (cli->ntg >= MAX_TG_FILES)
		return "is one file too many (at most 4)";
	cli->tg[cli->ntg++] = v;
	return NULL;
}

static const char *
set_manifest(const struct opts_def *o, const char *v, struct opts_ctx *ctx)
{
	struct plan_cli *cli = ctx->user;

	(void)o;
	if (!cli->collect)
		return NULL;
	if (cli->nmanifest >= MAX_MANIFESTS)
		return "is one file too many (at most 8)";
	cli->manifest[cli->nmanifest++] = v;
	return NULL;
}

/* The orchestrator's stop timeout: given, so ECS's default is not used. */
static const char *
set_stop(const struct opts_def *o, const char *v, struct opts_ctx *ctx)
{
	const char *why = opts_set_duration(o, v, ctx);

	if (why == NULL)
		((struct plan_input *)ctx->fields)->stop_timeout_set = true;
	return why;
}

static const char *
set_launch(const struct opts_def *o, const char *v, struct opts_ctx *ctx)
{
	struct plan_input *in = ctx->fields;

	(void)o;
	if (strcmp(v, "fargate") == 0)
		in->launch = PLAN_LAUNCH_FARGATE;
	else if (strcmp(v, "ec2") == 0)
		in->launch = PLAN_LAUNCH_EC2;
	else
		return "is not fargate or ec2";
	return NULL;
}

static const char *
set_wait(const struct opts_def *o, const char *v, struct opts_ctx *ctx)
{
	struct plan_input *in = ctx->fields;

	(void)o;
	if (strcmp(v, "true") == 0)
		in->wait_stability = true;
	else if (strcmp(v, "false") == 0)
		in->wait_stability = false;
	else
		return "is not true or false";
	return NULL;
}

/*
 * --app-stop-timeout D is the daemon's --stop-timeout D: it goes to
 * config_load under that name, after everything else, so it wins there.
 */
static const char *
set_app_stop(const struct opts_def *o, const char *v, struct opts_ctx *ctx)
{
	struct plan_cli *cli = ctx->user;
	int n;

	(void)o;
	n = snprintf(cli->app_stop, sizeof(cli->app_stop), "--stop-timeout=%s",
	    v);
	if (n < 0 || (size_t)n >= sizeof(cli->app_stop))
		return "is too long";
	return NULL;
}

#define P(field)	offsetof(struct plan_input, field)

/*
 * Durations of the ALB and ECS are whole seconds: they take seconds.
 * --stop-timeout is the orchestrator's, as it has always been plan's; the
 * daemon's own --stop-timeout (supervisor mode: the app's, from its stop
 * signal to SIGKILL) is --app-stop-timeout here, or HEALTHGATE_STOP_TIMEOUT
 * and --stop-timeout in a task definition's healthgate command.
 */
static const struct opts_def popts[] = {
	{ "--task-definition", NULL, set_taskdef, 0, 0, 0, false, "FILE|-",
	    "a task definition, or describe-task-definition output" },
	{ "--target-group", NULL, set_tg, 0, 0, 0, false, "FILE|-",
	    "describe-target-groups and/or describe-target-group-attributes\n"
	    "                                   output (repeatable)" },
	{ "--manifest", NULL, set_manifest, 0, 0, 0, false, "FILE|-",
	    "Kubernetes manifests: a Deployment, StatefulSet,\n"
	    "                                   DaemonSet or Pod, its Services, "
	    "Ingresses,\n                                   TargetGroupBindings "
	    "(repeatable)" },
	{ "--endpoint-lag", NULL, opts_set_duration, P(k8s.lag_ms), 0, 600000,
	    false, "D", "Kubernetes: the routers let go this long after\n"
	    "                                   a pod's deletion" },
	{ "--alb-interval", NULL, opts_set_duration, P(alb_interval_ms), 5000,
	    300000, true, "D", "ALB health check interval, 5s-300s" },
	{ "--alb-timeout", NULL, opts_set_duration, P(alb_timeout_ms), 2000,
	    120000, true, "D", "ALB health check timeout, 2s-120s" },
	{ "--alb-healthy", NULL, opts_set_count, P(alb_healthy), 2, 10, false,
	    "N", "ALB healthy threshold, 2-10" },
	{ "--alb-unhealthy", NULL, opts_set_count, P(alb_unhealthy), 2, 10,
	    false, "N", "ALB unhealthy threshold, 2-10" },
	{ "--deregistration-delay", NULL, opts_set_duration, P(dereg_delay_ms),
	    0, 3600000, true, "D", "target group deregistration delay, "
	    "0s-3600s" },
	{ "--stop-timeout", NULL, set_stop, P(stop_timeout_ms), 1000,
	    OPTS_DURATION_MAX, true, "D", "the orchestrator's: ECS stopTimeout,"
	    " docker stop -t,\n                                   systemd "
	    "TimeoutStopSec (unset: ECS's 30s)" },
	{ "--launch-type", NULL, set_launch, 0, 0, 0, false, "fargate|ec2",
	    "Fargate's stopTimeout is at most 120s (default fargate)" },
	{ "--tasks", NULL, opts_set_count, P(tasks), 1, 5000, false, "N",
	    "the service's desired count, 1-5000" },
	{ "--wait-for-service-stability", NULL, set_wait, 0, 0, 0, false,
	    "BOOL", "does the deploy step wait: true|false (default true)" },
	{ "--app-stop-timeout", NULL, set_app_stop, 0, 0, 0, false, "D",
	    "supervisor mode: the daemon's --stop-timeout, its\n"
	    "                                   stop signal to SIGKILL "
	    "(default 10s)" },
	{ "--format", NULL, set_format, 0, 0, 0, false, "text|json",
	    "output (default text)" },
};

#define NPOPTS	(sizeof(popts) / sizeof(popts[0]))

static void
plan_usage(void)
{
	struct plan_input def;

	plan_defaults(&def);
	printf("usage: healthgate plan [options] [daemon options] [-- APP]\n\n"
	    "What ALB, ECS and healthgate settings cost in time, and where "
	    "they\ncontradict each other. Pure arithmetic, no network. Exit 0 "
	    "when there is\nno contradiction, 1 when there is, 2 on a bad "
	    "option or file.\nUnless told, the ALB and ECS settings are AWS's "
	    "defaults; a task definition\nand a target group set them, and "
	    "the flags override both.\n\noptions:\n");
	opts_usage(popts, NPOPTS, 32, &def, NULL);
	printf("\nhealthgate's own options and HEALTHGATE_* variables "
	    "(--interval, --timeout,\n--rise, --fall, --drain-timeout, "
	    "--drain-fall, --drain-window, --drain-linger,\n--stop-signal, "
	    "--check, ...) are read as the daemon reads them: from the task\n"
	    "definition's healthgate container when one is given, else from "
	    "this\nenvironment; with several --check, the slowest settings "
	    "count. A \"--\"\nsays the supervisor mode (healthgate [options] "
	    "-- APP); what follows it is\nnot read. Durations: 250ms, 1.5s, "
	    "1m30s; a bare number is seconds.\n");
}

/* The whole of a file, or of stdin for "-"; NULL with err filled. */
static char *
slurp(const char *path, size_t *len, char *err, size_t errlen)
{
	/* Whether f is ours to close, said once: gcc -fanalyzer could not
	 * tell a fopen()ed f from stdin by "f != stdin" and saw a leak. */
	bool own = strcmp(path, "-") != 0;
	FILE *f = own ? fopen(path, "rb") : stdin;
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open: %m", path);
		return NULL;
	}
	for (;;) {
		char *nb;
		size_t got;

		if (n == cap) {
			if (cap >= FILE_MAX) {
				snprintf(err, errlen, "%s: larger than 16 MiB",
				    path);
				goto fail;
			}
			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(buf, cap)) == NULL) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto fail;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: cannot read: %m", path);
		goto fail;
	}
	if (own)
		fclose(f);
	*len = n;
	return buf;
fail:
	if (own)
		fclose(f);
	free(buf);
	return NULL;
}

static const char *
plan_cli_name(const char *path)
{
	return strcmp(path, "-") ? path : "stdin";
}

/* The file names, for the "read:" line and JSON. */
static void
sources(const struct plan_cli *cli, const struct plan_taskdef *td,
    const struct plan_k8s *k8s, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (cli->taskdef)
		n += (size_t)snprintf(buf, len, "%s (container %s)",
		    strcmp(cli->taskdef, "-") ? cli->taskdef : "stdin",
		    td->container[0] ? td->container : "?");
	for (unsigned k = 0; k < cli->nmanifest && n < len; k++) {
		const char *name = plan_cli_name(cli->manifest[k]);
		bool pod = strcmp(name, k8s->file) == 0;
		bool alb = k8s->alb && strcmp(name, k8s->alb_file) == 0;

		n += (size_t)snprintf(buf + n, len - n, "%s%s%s%s%s%s%s",
		    n ? ", " : "", name, pod || alb ? " (" : "",
		    pod ? td->container : "", pod && alb ? "; " : "",
		    alb ? k8s->alb_object : "", pod || alb ? ")" : "");
	}
	for (unsigned k = 0; k < cli->ntg && n < len; k++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "",
		    strcmp(cli->tg[k], "-") ? cli->tg[k] : "stdin");
}

/*
 * The manifests into *k and the ALB's settings into *in; healthgate's
 * options and environment move to td, where the task definition's would
 * be. 0, or -1 with err filled.
 */
static int
plan_cli_manifests(const struct plan_cli *cli, struct plan_input *in,
    struct plan_k8s *k, struct plan_taskdef *td, char *err, size_t errlen)
{
	size_t len;
	char *text;
	int rc;

	for (unsigned i = 0; i < cli->nmanifest; i++) {
		if ((text = slurp(cli->manifest[i], &len, err, errlen)) == NULL)
			return -1;
		rc = plan_k8s_read(text, len, plan_cli_name(cli->manifest[i]), k,
		    in, err, errlen);
		free(text);
		if (rc < 0)
			return -1;
	}
	if (plan_k8s_done(k, in, err, errlen) < 0)
		return -1;
	if (snprintf(td->container, sizeof(td->container), "%s, container %s",
	    k->object, k->hg_container) >= (int)sizeof(td->container))
		td->container[sizeof(td->container) - 1] = '\0';
	td->cmd = k->cmd;	/* td owns them now */
	memset(&k->cmd, 0, sizeof(k->cmd));
	in->supervisor = td->cmd.supervisor;
	return 0;
}

/* Reads the files into *in; 0, or -1 with the one-line error printed. */
static int
read_files(const struct plan_cli *cli, struct plan_input *in,
    struct plan_taskdef *td, struct plan_k8s *k8s)
{
	char err[PLAN_K8S_ERR_MAX];
	unsigned mask = 0;
	size_t len;
	char *text;
	int rc;

	if (cli->taskdef && cli->nmanifest) {
		snprintf(err, sizeof(err), "--manifest and --task-definition: "
		    "give one or the other (a pod or an ECS task)");
		goto fail;
	}
	if (cli->nmanifest && plan_cli_manifests(cli, in, k8s, td, err,
	    sizeof(err)) < 0)
		goto fail;

	if (cli->taskdef) {
		if ((text = slurp(cli->taskdef, &len, err, sizeof(err))) ==
		    NULL)
			goto fail;
		rc = plan_json_taskdef(text, len, strcmp(cli->taskdef, "-") ?
		    cli->taskdef : "stdin", td, err, sizeof(err));
		free(text);
		if (rc < 0)
			goto fail;
		if (td->launch_set)
			in->launch = td->launch;
		/* A container without stopTimeout: ECS's, which in is at. */
		if (td->stop_timeout_set) {
			in->stop_timeout_ms = td->stop_timeout_ms;
			in->stop_timeout_set = true;
		}
		in->depends_on_app = td->depends_on_app;
		in->check_uses_live = td->check_uses_live;
		in->supervisor = td->cmd.supervisor;
	}
	for (unsigned k = 0; k < cli->ntg; k++) {
		if ((text = slurp(cli->tg[k], &len, err, sizeof(err))) == NULL)
			goto fail;
		rc = plan_json_target_group(text, len, strcmp(cli->tg[k], "-") ?
		    cli->tg[k] : "stdin", in, &mask, err, sizeof(err));
		free(text);
		if (rc < 0)
			goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "healthgate: plan: %s\n", err);
	return -1;
}

/*
 * One pass of plan's flags over argv. With rest, the daemon's options are
 * collected into it (after its first nrest), up to a "--".
 */
static int
take_flags(int argc, char *const argv[], struct opts_ctx *ctx, char **rest,
    int *nrest, bool *dashdash)
{
	char err[CONFIG_ERR_MAX];

	for (int k = 1; k < argc; k++) {
		if (strcmp(argv[k], "--") == 0) {
			*dashdash = true;
			break;
		}
		switch (opts_take(popts, NPOPTS, argc, argv, &k, ctx, err,
		    sizeof(err))) {
		case OPTS_TAKEN:
			break;
		case OPTS_UNKNOWN:
			if (rest)
				rest[(*nrest)++] = argv[k];
			break;
		case OPTS_ERROR:
			fprintf(stderr, "healthgate: %s\n", err);
			return -1;
		}
	}
	return 0;
}

/*
 * The daemon's own options, read as the daemon reads them (rest, in
 * denv), into in, with the Kubernetes model's when manifests were given.
 * Returns -1 to go on, else plan's exit code.
 */
static int
plan_cli_daemon(const struct plan_cli *cli, const struct plan_taskdef *td,
    const struct plan_k8s *k8s, int nrest, char **rest, char *const *denv,
    struct plan_input *in)
{
	struct config cfg;
	char err[CONFIG_ERR_MAX];

	switch (config_load(&cfg, nrest, rest, denv, err)) {
	case CONFIG_OK:
		break;
	case CONFIG_HELP:
		plan_usage();
		return 0;
	case CONFIG_VERSION:
		puts(version_line());
		return 0;
	case CONFIG_ERROR:
		if (cli->taskdef || cli->nmanifest)
			fprintf(stderr, "healthgate: plan: %s: %s%s: %s\n",
			    cli->taskdef ? plan_cli_name(cli->taskdef) :
			    k8s->file, cli->taskdef ? "container " : "",
			    td->container, err);
		else
			fprintf(stderr, "healthgate: %s\n", err);
		return 2;
	}
	plan_from_config(in, &cfg);
	if (cli->nmanifest)
		plan_k8s_model_input(k8s, cfg.listen_port, in);
	config_free(&cfg);
	return -1;
}

/* The figures and findings, printed: exit 1 when one contradicts. */
static int
plan_cli_print(const struct plan_cli *cli, const struct plan_taskdef *td,
    const struct plan_k8s *k8s, const struct plan_input *in)
{
	struct plan_result res;
	char src[512];

	plan_compute(in, &res);
	sources(cli, td, k8s, src, sizeof(src));
	if (cli->format == PLAN_FORMAT_JSON) {
		if (plan_print_json(stdout, in, &res, src[0] ? src : NULL) < 0) {
			fprintf(stderr, "healthgate: plan: cannot write JSON\n");
			return 2;
		}
	} else
		plan_print_text(stdout, in, &res, src[0] ? src : NULL);
	return res.ncontra ? 1 : 0;
}

int
plan_main(int argc, char *const argv[], char *const envp[])
{
	struct plan_input in, scratch;
	struct plan_taskdef td;
	struct plan_k8s k8s;
	struct plan_cli cli = { .format = PLAN_FORMAT_TEXT, .collect = true };
	struct opts_ctx ctx = { .fields = &scratch, .user = &cli };
	char *const *denv;
	char **rest = NULL;
	int nrest = 0, rc = 2;
	bool dashdash = false;

	memset(&td, 0, sizeof(td));
	memset(&k8s, 0, sizeof(k8s));
	for (int k = 1; k < argc; k++)
		if (strcmp(argv[k], "--help") == 0 ||
		    strcmp(argv[k], "-h") == 0) {
			plan_usage();
			return 0;
		} else if (strcmp(argv[k], "--") == 0)
			break;

	/* First pass: check every flag and note the files. */
	plan_defaults(&scratch);
	if (take_flags(argc, argv, &ctx, NULL, NULL, &dashdash) < 0)
		return 2;
	plan_defaults(&in);
	if (read_files(&cli, &in, &td, &k8s) < 0)
		goto out;

	/* The daemon sees the container's environment, or ours. */
	denv = cli.taskdef || cli.nmanifest ? td.cmd.envp : envp;
	ctx.fields = &in;

	/* The container's daemon options first, so ours come after and win. */
	if ((rest = calloc((size_t)(argc + td.cmd.argc) + 3, sizeof(*rest))) ==
	    NULL) {
		fprintf(stderr, "healthgate: out of memory\n");
		goto out;
	}
	rest[nrest++] = argc > 0 ? argv[0] : (char *)"plan";
	for (int k = 1; k < td.cmd.argc; k++)
		rest[nrest++] = td.cmd.argv[k];
	cli.collect = false;
	if (take_flags(argc, argv, &ctx, rest, &nrest, &dashdash) < 0)
		goto out;
	if (cli.app_stop[0])
		rest[nrest++] = cli.app_stop;
	if (dashdash)
		in.supervisor = true;

	if ((rc = plan_cli_daemon(&cli, &td, &k8s, nrest, rest, denv,
	    &in)) < 0)
		rc = plan_cli_print(&cli, &td, &k8s, &in);
out:
	free(rest);
	plan_json_taskdef_free(&td);
	plan_k8s_free(&k8s);
	return rc;
}
