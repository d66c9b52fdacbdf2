/*
 * plan_cli.c: the "healthgate plan" command around plan.c's arithmetic.
 *
 * plan takes its own flags (the ALB, ECS and output ones) out of argv and
 * hands everything else to config_load, so healthgate's check and drain
 * settings are read by the very code the daemon uses, flags and
 * HEALTHGATE_* variables alike, with the same refusals. argv[0] is "plan".
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "opts.h"
#include "plan.h"
#include "version.h"

#define WRAP_COLS	78

enum plan_format {
	FORMAT_TEXT,
	FORMAT_JSON,
};

/* --format: the output, kept in the context's user pointer. */
static const char *
set_format(const struct opts_def *o, const char *v, struct opts_ctx *ctx)
{
	enum plan_format *fmt = ctx->user;

	(void)o;
	if (strcmp(v, "text") == 0)
		*fmt = FORMAT_TEXT;
	else if (strcmp(v, "json") == 0)
		*fmt = FORMAT_JSON;
	else
		return "is not text or json";
	return NULL;
}

#define P(field)	offsetof(struct plan_input, field)

/* Durations are whole seconds: the ALB and ECS take seconds. */
static const struct opts_def popts[] = {
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
	{ "--stop-timeout", NULL, opts_set_duration, P(stop_timeout_ms), 1000,
	    OPTS_DURATION_MAX, true, "D", "ECS stopTimeout of the task's "
	    "containers" },
	{ "--tasks", NULL, opts_set_count, P(tasks), 1, 5000, false, "N",
	    "the service's desired count, 1-5000" },
	{ "--format", NULL, set_format, 0, 0, 0, false, "text|json",
	    "output (default text)" },
};

#define NPOPTS	(sizeof(popts) / sizeof(popts[0]))

static void
plan_usage(void)
{
	struct plan_input def;

	plan_defaults(&def);
	printf("usage: healthgate plan [options] [daemon options]\n\n"
	    "What ALB, ECS and healthgate settings cost in time, and where "
	    "they\ncontradict each other. Pure arithmetic, no network. Exit 0 "
	    "when there is\nno contradiction, 1 when there is, 2 on a bad "
	    "option.\n\noptions:\n");
	opts_usage(popts, NPOPTS, 28, &def);
	printf("\nhealthgate's own options and HEALTHGATE_* variables "
	    "(--interval, --timeout,\n--rise, --fall, --drain-timeout, "
	    "--drain-fall, --drain-window, --check, ...)\nare read as the "
	    "daemon reads them; with several --check, the slowest\nsettings "
	    "count. Durations: 250ms, 1.5s, 1m30s; a bare number is seconds.\n");
}

/*
 * Long messages read better wrapped; the caller has already printed the
 * first line's indent (col), later lines get ind.
 */
static void
wrap(const char *s, unsigned col, unsigned ind)
{
	while (*s) {
		size_t room = WRAP_COLS > col ? WRAP_COLS - col : 20;
		size_t len = strlen(s), cut = len;

		if (len > room) {
			for (cut = room; cut > 0 && s[cut] != ' '; cut--)
				;
			if (cut == 0)
				for (cut = room; s[cut] && s[cut] != ' '; cut++)
					;
		}
		printf("%.*s\n", (int)cut, s);
		s += cut;
		while (*s == ' ')
			s++;
		if (*s)
			printf("%*s", (int)ind, "");
		col = ind;
	}
}

static void
print_text(const struct plan_input *in, const struct plan_result *r)
{
	char w[32], t[32], a[32], b[32], c[32];

	plan_format_setting(in->alb_interval_ms, a, sizeof(a));
	plan_format_setting(in->alb_timeout_ms, b, sizeof(b));
	plan_format_setting(in->dereg_delay_ms, c, sizeof(c));
	printf("healthgate plan\n  ALB:        checks every %s, timeout %s, "
	    "healthy %u, unhealthy %u;\n              deregistration delay "
	    "%s\n", a, b, in->alb_healthy, in->alb_unhealthy, c);
	plan_format_setting(in->stop_timeout_ms, a, sizeof(a));
	printf("  ECS:        stop timeout %s; %u tasks, rolling at minimum "
	    "100%% and maximum\n              200%% (%u at the peak)\n", a,
	    in->tasks, r->peak_tasks);
	plan_format_setting(in->interval_ms, a, sizeof(a));
	plan_format_setting(in->timeout_ms, b, sizeof(b));
	printf("  healthgate: checks every %s, timeout %s, rise %u, fall %u;\n",
	    a, b, in->rise, in->fall);
	plan_format_setting(in->drain_timeout_ms, a, sizeof(a));
	plan_format_setting(in->drain_window_ms, b, sizeof(b));
	printf("              drain cap %s, drain-fall %u, drain-window %s\n\n",
	    a, in->drain_fall, b);

	printf("%-31s %7s %8s  %s\n", "", "worst", "typical",
	    "formula: worst | typical");
	for (unsigned k = 0; k < PLAN_NFIGURES; k++) {
		const struct plan_figure *f = &r->fig[k];
		char label[64];

		if (k == PLAN_DEPLOY)
			snprintf(label, sizeof(label), "%s, %u tasks",
			    f->label, in->tasks);
		else
			snprintf(label, sizeof(label), "%s%s",
			    k == PLAN_FAIL_TO_503 ? "  " : "", f->label);
		plan_format_ms(f->worst_ms, w, sizeof(w));
		plan_format_ms(f->typical_ms, t, sizeof(t));
		if (strcmp(f->worst_formula, f->typical_formula) == 0)
			printf("%-31s %7s %8s  %s\n", label, w, t,
			    f->worst_formula);
		else
			printf("%-31s %7s %8s  %s | %s\n", label, w, t,
			    f->worst_formula, f->typical_formula);
	}
	printf("\n");
	for (unsigned k = 0; plan_symbols[k]; k++)
		printf("  %s\n", plan_symbols[k]);
	printf("  exit, start, replacement: the rows above.\n  ");
	wrap("Worst: each periodic check a whole interval out of phase, each "
	    "healthgate check at its timeout, the app stopped only by SIGKILL "
	    "at S. Typical: half an interval of phase, checks answered at "
	    "once, the app gone on SIGTERM. Not counted: the app's start-up, "
	    "task launch (placement, image pull), the ALB's registration lag. "
	    "ECS deregisters a task before its SIGTERM; \"SIGTERM -> ALB not "
	    "routing\" is for a SIGTERM without that (Fargate Spot, docker "
	    "stop, systemd).", 2, 2);
	printf("\n");

	if (r->ncontra == 0) {
		printf("no contradictions\n");
		return;
	}
	printf("%u contradiction%s:\n", r->ncontra, r->ncontra == 1 ? "" :
	    "s");
	for (unsigned k = 0; k < r->ncontra; k++) {
		printf("  - ");
		wrap(r->contra[k].problem, 4, 4);
		printf("    fix: ");
		wrap(r->contra[k].fix, 9, 9);
	}
}

/* A JSON string; plan's own text is ASCII, but quote it properly anyway. */
static void
json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

/* Milliseconds are whole or halves: print them exactly. */
static void
json_ms(double ms)
{
	if (ms == (double)(unsigned long long)ms)
		printf("%.0f", ms);
	else
		printf("%.1f", ms);
}

static void
print_json(const struct plan_input *in, const struct plan_result *r)
{
	printf("{\"inputs\":{\"alb_interval_ms\":%u,\"alb_timeout_ms\":%u,"
	    "\"alb_healthy\":%u,\"alb_unhealthy\":%u,"
	    "\"deregistration_delay_ms\":%u,\"stop_timeout_ms\":%u,"
	    "\"tasks\":%u,\"interval_ms\":%u,\"timeout_ms\":%u,\"rise\":%u,"
	    "\"fall\":%u,\"drain_timeout_ms\":%u,\"drain_fall\":%u,"
	    "\"drain_window_ms\":%u},\n \"peak_tasks\":%u,\n \"figures\":[",
	    in->alb_interval_ms, in->alb_timeout_ms, in->alb_healthy,
	    in->alb_unhealthy, in->dereg_delay_ms, in->stop_timeout_ms,
	    in->tasks, in->interval_ms, in->timeout_ms, in->rise, in->fall,
	    in->drain_timeout_ms, in->drain_fall, in->drain_window_ms,
	    r->peak_tasks);
	for (unsigned k = 0; k < PLAN_NFIGURES; k++) {
		const struct plan_figure *f = &r->fig[k];

		printf("%s\n  {\"key\":", k ? "," : "");
		json_str(f->key);
		printf(",\"label\":");
		json_str(f->label);
		printf(",\"worst_ms\":");
		json_ms(f->worst_ms);
		printf(",\"typical_ms\":");
		json_ms(f->typical_ms);
		printf(",\"worst_formula\":");
		json_str(f->worst_formula);
		printf(",\"typical_formula\":");
		json_str(f->typical_formula);
		printf("}");
	}
	printf("],\n \"contradictions\":[");
	for (unsigned k = 0; k < r->ncontra; k++) {
		printf("%s\n  {\"key\":", k ? "," : "");
		json_str(r->contra[k].key);
		printf(",\"problem\":");
		json_str(r->contra[k].problem);
		printf(",\"fix\":");
		json_str(r->contra[k].fix);
		printf("}");
	}
	printf("],\n \"ok\":%s}\n", r->ncontra ? "false" : "true");
}

int
plan_main(int argc, char *const argv[], char *const envp[])
{
	struct plan_input in;
	struct plan_result res;
	struct config cfg;
	enum plan_format fmt = FORMAT_TEXT;
	struct opts_ctx ctx = { .fields = &in, .user = &fmt };
	char err[CONFIG_ERR_MAX];
	char **rest;
	int nrest = 1, rc = 2;

	plan_defaults(&in);
	/* The daemon's options, for config_load; argv[0] stays first. */
	if ((rest = calloc((size_t)argc + 1, sizeof(*rest))) == NULL) {
		fprintf(stderr, "healthgate: out of memory\n");
		return 2;
	}
	rest[0] = argc > 0 ? argv[0] : (char *)"plan";
	for (int k = 1; k < argc; k++) {
		const char *arg = argv[k];

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			plan_usage();
			rc = 0;
			goto out;
		}
		switch (opts_take(popts, NPOPTS, argc, argv, &k, &ctx, err,
		    sizeof(err))) {
		case OPTS_TAKEN:
			break;
		case OPTS_UNKNOWN:
			rest[nrest++] = argv[k];
			break;
		case OPTS_ERROR:
			fprintf(stderr, "healthgate: %s\n", err);
			goto out;
		}
	}

	switch (config_load(&cfg, nrest, rest, envp, err)) {
	case CONFIG_OK:
		break;
	case CONFIG_HELP:
		plan_usage();
		rc = 0;
		goto out;
	case CONFIG_VERSION:
		printf("healthgate %s\n", HEALTHGATE_VERSION);
		rc = 0;
		goto out;
	case CONFIG_ERROR:
		fprintf(stderr, "healthgate: %s\n", err);
		goto out;
	}
	plan_from_config(&in, &cfg);
	config_free(&cfg);

	plan_compute(&in, &res);
	if (fmt == FORMAT_JSON)
		print_json(&in, &res);
	else
		print_text(&in, &res);
	rc = res.ncontra ? 1 : 0;
out:
	free(rest);
	return rc;
}
