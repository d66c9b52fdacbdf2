/*
 * plan_out.c: plan's result as a table for people and as JSON for
 * machines. The table groups the figures by the platform they are for and
 * the findings by weight; the JSON carries the same, with stable keys.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "plan/plan_out.h"
#include "plan/plan_k8s.h"
#include "signame.h"

#define WRAP_COLS	78

/*
 * Long messages read better wrapped; the caller has already printed the
 * first line's indent (col), later lines get ind.
 */
static void
wrap(FILE *o, const char *s, unsigned col, unsigned ind)
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
		fprintf(o, "%.*s\n", (int)cut, s);
		s += cut;
		while (*s == ' ')
			s++;
		if (*s)
			fprintf(o, "%*s", (int)ind, "");
		col = ind;
	}
}

/* A kubelet probe of healthgate, as "readiness /health every 5s x 2". */
static void
plan_out_probe(FILE *o, const char *what, const struct plan_k8s_probe_in *p,
    const char *sep)
{
	char a[32];

	if (!p->set)
		return;
	plan_format_setting(p->period_ms, a, sizeof(a));
	fprintf(o, "%s%s %s every %s x %u", sep, what, p->path, a, p->failure);
}

/* The pod's settings, where an ECS task's would be. */
static void
plan_out_k8s(FILE *o, const struct plan_input *in)
{
	const struct plan_k8s_in *k = &in->k8s;
	char a[32], b[32];

	if (k->alb)
		fprintf(o, "              %s: target-type %s, %s\n",
		    k->alb_object, k->ip_mode ? "ip" : "instance", k->gate ?
		    "the pods' readiness gate" : "no readiness gate");
	plan_format_setting(k->grace_ms, a, sizeof(a));
	fprintf(o, "  Kubernetes: %s, %s form; grace period %s%s;\n", k->object,
	    plan_k8s_form_name(k->form), a, k->grace_set ? "" :
	    " (not set: the default)");
	plan_format_setting(k->prestop_ms, b, sizeof(b));
	plan_format_setting(k->lag_ms, a, sizeof(a));
	fprintf(o, "              preStop %s%s; endpoint lag %s "
	    "(--endpoint-lag)", k->prestop == PLAN_K8S_HOOK_DRAIN ?
	    "waits for the drain" : k->prestop == PLAN_K8S_HOOK_SLEEP ?
	    "sleeps " : plan_k8s_hook_name(k->prestop),
	    k->prestop == PLAN_K8S_HOOK_SLEEP ? b : "", a);
	if (k->readiness.set || k->liveness.set) {
		fprintf(o, ";\n              kubelet: ");
		plan_out_probe(o, "readiness", &k->readiness, "");
		plan_out_probe(o, "liveness", &k->liveness,
		    k->readiness.set ? ",\n                       " : "");
	}
	fprintf(o, "\n");
}

static void
print_settings(FILE *o, const struct plan_input *in,
    const struct plan_result *r, const char *sources)
{
	char a[32], b[32], c[32];

	fprintf(o, "healthgate plan\n");
	if (sources) {
		fprintf(o, "  read:       ");
		wrap(o, sources, 14, 14);
	}
	if (!in->k8s.on || in->k8s.alb) {
		plan_format_setting(in->alb_interval_ms, a, sizeof(a));
		plan_format_setting(in->alb_timeout_ms, b, sizeof(b));
		plan_format_setting(in->dereg_delay_ms, c, sizeof(c));
		fprintf(o, "  ALB:        checks every %s, timeout %s, healthy "
		    "%u, unhealthy %u;\n              deregistration delay %s\n",
		    a, b, in->alb_healthy, in->alb_unhealthy, c);
	}
	if (in->k8s.on) {
		plan_out_k8s(o, in);
		goto healthgate;
	}
	plan_format_setting(in->stop_timeout_ms, a, sizeof(a));
	fprintf(o, "  ECS:        %s, stopTimeout %s%s;\n              %u "
	    "tasks, rolling at 100%%-200%% (%u at the peak);\n"
	    "              wait-for-service-stability %s\n",
	    in->launch == PLAN_LAUNCH_EC2 ? "EC2" : "Fargate", a,
	    in->stop_timeout_set ? "" : " (not set: ECS's default)",
	    in->tasks, r->peak_tasks, in->wait_stability ? "true" : "false");
healthgate:
	plan_format_setting(in->interval_ms, a, sizeof(a));
	plan_format_setting(in->timeout_ms, b, sizeof(b));
	fprintf(o, "  healthgate: %s; checks every %s, timeout %s, rise %u, "
	    "fall %u", in->supervisor ? "supervisor (-- APP)" : "sidecar",
	    a, b, in->rise, in->fall);
	if (in->fastinter_ms) {
		plan_format_setting(in->fastinter_ms, a, sizeof(a));
		fprintf(o, ", fastinter %s", a);
	}
	fprintf(o, ";\n");
	plan_format_setting(in->drain_timeout_ms, a, sizeof(a));
	plan_format_setting(in->drain_window_ms, b, sizeof(b));
	fprintf(o, "              drain cap %s, drain-fall %u, drain-window "
	    "%s", a, in->drain_fall, b);
	if (in->supervisor) {
		plan_format_setting(in->linger_ms, a, sizeof(a));
		plan_format_setting(in->app_stop_timeout_ms, b, sizeof(b));
		fprintf(o, ";\n              linger %s, then %s, the app's stop "
		    "timeout %s", a, signame_name(in->stop_signal) ?
		    signame_name(in->stop_signal) : "its stop signal", b);
	}
	if (in->traffic && in->drain_quiet_ms)
		plan_format_setting(in->drain_quiet_ms, a, sizeof(a));
	fprintf(o, ";\n              the app's traffic: %s", !in->traffic ?
	    "not seen (no --app-port, no check on loopback)" :
	    in->drain_quiet_ms ? a : "quiet auto");
	fprintf(o, "\n\n");
}

static void
print_figures(FILE *o, const struct plan_input *in,
    const struct plan_result *r)
{
	char w[32], t[32];

	fprintf(o, "%-37s %7s %8s  %s\n", "", "worst", "typical",
	    "formula: worst | typical");
	for (unsigned p = 0; p < PLAN_PLATFORM_COUNT; p++) {
		if (!plan_platform_shown(in, p))
			continue;
		fprintf(o, "%s:\n", plan_platform_title(p));
		for (unsigned k = 0; k < PLAN_FIGURE_COUNT; k++) {
			const struct plan_figure *f = &r->fig[k];
			char label[64];

			if (f->key == NULL || f->platform != p)
				continue;
			if (k == PLAN_FIGURE_ECS_DEPLOY)
				snprintf(label, sizeof(label), "  %s, %u tasks",
				    f->label, in->tasks);
			else
				snprintf(label, sizeof(label), "%s%s",
				    k == PLAN_FIGURE_FAIL_TO_503 ? "    " : "  ",
				    f->label);
			plan_format_ms(f->worst_ms, w, sizeof(w));
			plan_format_ms(f->typical_ms, t, sizeof(t));
			if (strcmp(f->worst_formula, f->typical_formula) == 0)
				fprintf(o, "%-37s %7s %8s  %s\n", label, w, t,
				    f->worst_formula);
			else
				fprintf(o, "%-37s %7s %8s  %s | %s\n", label,
				    w, t, f->worst_formula,
				    f->typical_formula);
		}
	}
	fprintf(o, "\n");
	for (const char *const *sym = in->k8s.on ? plan_k8s_symbols :
	    plan_symbols; *sym; sym++)
		fprintf(o, "  %s\n", *sym);
	fprintf(o, "  ");
	if (in->k8s.on) {
		wrap(o, "Worst: each periodic check a whole interval out of "
		    "phase, the quiet period at its ceiling, the app stopped "
		    "only by SIGKILL. Typical: half an interval of phase, a "
		    "busy app's quiet period, the app gone on its signal. "
		    "The routers' lag E is assumed, not known: --endpoint-lag "
		    "sets it. Not counted: image pulls, scheduling, the app's "
		    "start-up.", 2, 2);
		fprintf(o, "\n");
		return;
	}
	wrap(o, "Worst: each periodic check a whole interval out of phase, "
	    "each healthgate check at its timeout, the app stopped only by "
	    "SIGKILL. Typical: half an interval of phase, checks answered at "
	    "once, the app gone on its signal. Not counted: the app's start-up, "
	    "task launch (placement, image pull), the ALB's registration lag. "
	    "ECS deregisters a service's task and waits out the delay before "
	    "its SIGTERM, so the ALB no longer routes to it; the last rows are "
	    "for a SIGTERM without that.", 2, 2);
	fprintf(o, "\n");
}

static void
print_findings(FILE *o, const struct plan_result *r)
{
	static const char *const heading[] = {
		[PLAN_LEVEL_CONTRADICTION] = "contradiction",
		[PLAN_LEVEL_SLOW] = "slow setting",
		[PLAN_LEVEL_NOTE] = "note",
	};

	for (unsigned lv = PLAN_LEVEL_CONTRADICTION; lv <= PLAN_LEVEL_NOTE; lv++) {
		unsigned n = 0;

		for (unsigned k = 0; k < r->nfindings; k++)
			n += r->finding[k].level == lv;
		if (n == 0)
			continue;
		fprintf(o, "%u %s%s:\n", n, heading[lv], n == 1 ? "" : "s");
		for (unsigned k = 0; k < r->nfindings; k++) {
			const struct plan_finding *f = &r->finding[k];

			if (f->level != lv)
				continue;
			fprintf(o, "  - [%s] ", plan_platform_key(f->platform));
			wrap(o, f->problem, 7 +
			    (unsigned)strlen(plan_platform_key(f->platform)),
			    4);
			fprintf(o, "    fix: ");
			wrap(o, f->fix, 9, 9);
		}
	}
	if (r->ncontra == 0)
		fprintf(o, "no contradictions\n");
}

void
plan_print_text(FILE *o, const struct plan_input *in,
    const struct plan_result *r, const char *sources)
{
	print_settings(o, in, r, sources);
	print_figures(o, in, r);
	print_findings(o, r);
}

/* Milliseconds are whole or halves; keep whole ones integers in JSON. */
static json_t *
ms_value(double ms)
{
	if (ms == (double)(long long)ms)
		return json_integer((json_int_t)ms);
	return json_real(ms);
}

static const char *
known(enum plan_known k)
{
	return k == PLAN_KNOWN_YES ? "yes" : k == PLAN_KNOWN_NO ? "no" : "unknown";
}

static json_t *plan_out_inputs(const struct plan_input *);

static json_t *
plan_out_probe_json(const struct plan_k8s_probe_in *p)
{
	if (!p->set)
		return json_null();
	return json_pack("{s:s, s:s, s:I, s:I}", "path", p->path, "field",
	    p->field, "period_ms", (json_int_t)p->period_ms, "failure",
	    (json_int_t)p->failure);
}

static json_t *
plan_out_k8s_json(const struct plan_k8s_in *k)
{
	return json_pack("{s:s, s:s, s:b, s:I, s:s, s:I, s:o, s:o, s:b, s:b, "
	    "s:b, s:s, s:I}",
	    "object", k->object, "form", plan_k8s_form_name(k->form),
	    "grace_period_set", k->grace_set,
	    "grace_period_ms", (json_int_t)k->grace_ms,
	    "prestop", plan_k8s_hook_name(k->prestop),
	    "prestop_sleep_ms", (json_int_t)k->prestop_ms,
	    "readiness", plan_out_probe_json(&k->readiness),
	    "liveness", plan_out_probe_json(&k->liveness),
	    "alb", k->alb, "ip_mode", k->ip_mode, "readiness_gate", k->gate,
	    "alb_object", k->alb_object,
	    "endpoint_lag_ms", (json_int_t)k->lag_ms);
}

static json_t *
inputs(const struct plan_input *in)
{
	json_t *doc = plan_out_inputs(in);

	if (doc && in->k8s.on && json_object_set_new(doc, "kubernetes",
	    plan_out_k8s_json(&in->k8s)) != 0) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

static json_t *
plan_out_inputs(const struct plan_input *in)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:s, s:I, s:b,"
	    " s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:I, s:b, s:I, s:s,"
	    " s:I, s:s, s:s}",
	    "alb_interval_ms", (json_int_t)in->alb_interval_ms,
	    "alb_timeout_ms", (json_int_t)in->alb_timeout_ms,
	    "alb_healthy", (json_int_t)in->alb_healthy,
	    "alb_unhealthy", (json_int_t)in->alb_unhealthy,
	    "deregistration_delay_ms", (json_int_t)in->dereg_delay_ms,
	    "stop_timeout_ms", (json_int_t)in->stop_timeout_ms,
	    "stop_timeout_set", in->stop_timeout_set,
	    "launch_type", in->launch == PLAN_LAUNCH_EC2 ? "ec2" : "fargate",
	    "tasks", (json_int_t)in->tasks,
	    "wait_for_service_stability", in->wait_stability,
	    "interval_ms", (json_int_t)in->interval_ms,
	    "timeout_ms", (json_int_t)in->timeout_ms,
	    "rise", (json_int_t)in->rise,
	    "fall", (json_int_t)in->fall,
	    "fastinter_ms", (json_int_t)in->fastinter_ms,
	    "drain_timeout_ms", (json_int_t)in->drain_timeout_ms,
	    "drain_fall", (json_int_t)in->drain_fall,
	    "drain_window_ms", (json_int_t)in->drain_window_ms,
	    "supervisor", in->supervisor,
	    "drain_linger_ms", (json_int_t)in->linger_ms,
	    "app_traffic", in->traffic,
	    "drain_quiet_ms", (json_int_t)in->drain_quiet_ms,
	    "stop_signal", signame_name(in->stop_signal) ?
	    signame_name(in->stop_signal) : "?",
	    "app_stop_timeout_ms", (json_int_t)in->app_stop_timeout_ms,
	    "depends_on_app", known(in->depends_on_app),
	    "container_check_uses_live", known(in->check_uses_live));
}

static json_t *
figures(const struct plan_input *in, const struct plan_result *r)
{
	json_t *a = json_array(), *f;

	for (unsigned k = 0; a && k < PLAN_FIGURE_COUNT; k++) {
		const struct plan_figure *g = &r->fig[k];

		if (g->key == NULL || !plan_platform_shown(in, g->platform))
			continue;
		f = json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:s}",
		    "key", g->key, "platform", plan_platform_key(g->platform),
		    "label", g->label, "worst_ms", ms_value(g->worst_ms),
		    "typical_ms", ms_value(g->typical_ms),
		    "worst_formula", g->worst_formula,
		    "typical_formula", g->typical_formula);
		if (f == NULL || json_array_append_new(a, f) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* Every finding, or (only_contra) the contradictions alone. */
static json_t *
findings(const struct plan_result *r, bool only_contra)
{
	json_t *a = json_array(), *f;

	for (unsigned k = 0; a && k < r->nfindings; k++) {
		const struct plan_finding *g = &r->finding[k];

		if (only_contra && g->level != PLAN_LEVEL_CONTRADICTION)
			continue;
		f = json_pack("{s:s, s:s, s:s, s:s, s:s}", "key", g->key,
		    "level", plan_level_key(g->level),
		    "platform", plan_platform_key(g->platform),
		    "problem", g->problem, "fix", g->fix);
		if (f == NULL || json_array_append_new(a, f) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

int
plan_print_json(FILE *o, const struct plan_input *in,
    const struct plan_result *r, const char *sources)
{
	json_t *doc;
	int rc;

	/*
	 * "o" steals each reference, also when packing fails (jansson 2.11 and
	 * later); a NULL among them fails the whole document.
	 */
	doc = json_pack("{s:s*, s:o, s:I, s:o, s:o, s:o, s:b}",
	    "read", sources, "inputs", inputs(in),
	    "peak_tasks", (json_int_t)r->peak_tasks,
	    "figures", figures(in, r), "findings", findings(r, false),
	    "contradictions", findings(r, true), "ok", r->ncontra == 0);
	if (doc == NULL)
		return -1;
	rc = json_dumpf(doc, o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	if (rc == 0 && fputc('\n', o) == EOF)
		rc = -1;
	json_decref(doc);
	return rc;
}
