/*
 * plan_rules_k8s.c: the Kubernetes rows of plan's table (plan_rules.c):
 * a pod's stop as the kubelet runs it, and the ALB of the AWS Load
 * Balancer Controller in front of pods (EKS, IP targets). Every finding
 * names the object and the field it is about, as the manifest spells it
 * ("Deployment/web spec.template.spec.terminationGracePeriodSeconds"),
 * and its fix.
 *
 * What the kubelet does on a pod's deletion (the Pod lifecycle reference,
 * "Termination of Pods"): the endpoint is marked terminating, and at the
 * same moment each container's preStop hook runs, then its SIGTERM; the
 * grace period counts from the deletion, preStop included, and SIGKILL
 * ends whatever still runs at its end (2s more, once, for a preStop still
 * running). A native sidecar (an init container with restartPolicy:
 * Always) is signalled only after the app's containers have exited. The
 * routers (kube-proxy, ingress controllers, the ALB through its
 * controller's deregistration) let go a lag after the deletion: E, plan's
 * --endpoint-lag. With an ALB in IP mode the controller deregisters the
 * pod's address; the ALB lets its requests in flight run for up to the
 * deregistration delay, whatever the pod does.
 */
#include <stdio.h>
#include <string.h>

#include "plan/plan.h"
#include "plan/plan_rules.h"

#define K8S_MARGIN_MS	15000u	/* the grace period above the budget */
#define K8S_SLOW_READY_MS 10000u /* readiness period x failures above this */
#define K8S_SLOW_DEREG_MS 60000u /* as for a target group */

/* What must fit in the grace period: the preStop and what follows it. */
static unsigned
plan_rules_k8s_budget(const struct plan_input *in)
{
	const struct plan_k8s_in *k = &in->k8s;
	unsigned hook = k->prestop == PLAN_K8S_HOOK_SLEEP ? k->prestop_ms : 0;

	if (k->form == PLAN_K8S_FORM_SUPERVISOR)
		return hook + in->drain_timeout_ms + in->linger_ms +
		    in->app_stop_timeout_ms;
	if (k->prestop == PLAN_K8S_HOOK_DRAIN)
		return in->drain_timeout_ms;
	return hook;
}

static const char *
plan_rules_k8s_grace_origin(const struct plan_input *in)
{
	return in->k8s.grace_set ? "" : " (not set: Kubernetes' default)";
}

/* The grace period against what must fit in it. */
bool
plan_rules_k8s_grace(const struct plan_input *in, const struct plan_result *r,
    struct plan_finding *f)
{
	const struct plan_k8s_in *k = &in->k8s;
	unsigned budget = plan_rules_k8s_budget(in);
	bool sleep = k->prestop == PLAN_K8S_HOOK_SLEEP;
	char b[6][24];

	(void)r;
	if (budget < k->grace_ms)
		return false;
	if (k->form == PLAN_K8S_FORM_SUPERVISOR)
		PROBLEM(f, "%s %s.terminationGracePeriodSeconds %s%s is not above "
		    "%s%s%sdrain cap %s + linger %s + the app's stop timeout %s = "
		    "%s: the kubelet's SIGKILL comes before the app has had its "
		    "time to stop", k->object, k->spec, FMT(0, k->grace_ms),
		    plan_rules_k8s_grace_origin(in), sleep ? "preStop sleep " :
		    "", sleep ? FMT(1, k->prestop_ms) : "", sleep ? " + " : "",
		    FMT(2, in->drain_timeout_ms), FMT(3, in->linger_ms),
		    FMT(4, in->app_stop_timeout_ms), FMT(5, budget));
	else
		PROBLEM(f, "%s %s.terminationGracePeriodSeconds %s%s is not above "
		    "the app's preStop, which may wait %s (%s): the kubelet's "
		    "SIGKILL ends the app before it has had its SIGTERM",
		    k->object, k->spec, FMT(0, k->grace_ms),
		    plan_rules_k8s_grace_origin(in), FMT(1, budget),
		    k->prestop == PLAN_K8S_HOOK_DRAIN ? "the drain cap" :
		    "its sleep");
	FIX(f, "set terminationGracePeriodSeconds to %u, or lower %s",
	    (budget + K8S_MARGIN_MS) / 1000u,
	    k->form == PLAN_K8S_FORM_SUPERVISOR ? "--drain-timeout, "
	    "--drain-linger or --stop-timeout" : "--drain-timeout");
	return true;
}

/* A sidecar's app is signalled at once unless its preStop waits. */
bool
plan_rules_k8s_sidecar_no_wait(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	const struct plan_k8s_in *k = &in->k8s;
	char b[1][24];

	(void)r;
	if (k->form == PLAN_K8S_FORM_SUPERVISOR ||
	    k->prestop == PLAN_K8S_HOOK_DRAIN ||
	    k->prestop == PLAN_K8S_HOOK_SLEEP)
		return false;
	PROBLEM(f, "%s %s: %s: the kubelet sends the app SIGTERM at once%s, "
	    "while the routers still send it requests for about %s (the "
	    "endpoint lag)", k->object, k->prestop_field,
	    k->prestop == PLAN_K8S_HOOK_NONE ? "the app's container has no "
	    "preStop" : "the app's preStop neither waits for the drain nor "
	    "sleeps", k->form == PLAN_K8S_FORM_NATIVE_SIDECAR ? ", and "
	    "healthgate, a native sidecar, drains only after the app has "
	    "exited" : "", FMT(0, k->lag_ms));
	FIX(f, "give it lifecycle.preStop.httpGet {path: /admin/prestop, "
	    "port: %u} (it returns when the drain has ended), or run the app "
	    "under healthgate (supervisor form: healthgate [options] -- APP)",
	    k->listen_port);
	return true;
}

bool
plan_rules_k8s_liveness_health(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	const struct plan_k8s_probe_in *p = &in->k8s.liveness;

	(void)r;
	if (!p->set || strcmp(p->path, "/health") != 0)
		return false;
	PROBLEM(f, "%s %s.httpGet.path: the liveness probe asks /health, "
	    "which is 503 while the app is down, in maintenance and through "
	    "every drain: the kubelet restarts healthgate's container for "
	    "what should only take the pod out of the endpoints",
	    in->k8s.object, p->field);
	FIX(f, "set the liveness probe's path to /live (200 as long as "
	    "healthgate runs) and keep /health for readiness");
	return true;
}

bool
plan_rules_k8s_readiness_live(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	const struct plan_k8s_probe_in *p = &in->k8s.readiness;

	(void)r;
	if (!p->set || strcmp(p->path, "/live") != 0)
		return false;
	PROBLEM(f, "%s %s.httpGet.path: the readiness probe asks /live, "
	    "which is 200 whatever the app does: a pod whose app is down, in "
	    "maintenance or draining stays among the Service's endpoints",
	    in->k8s.object, p->field);
	FIX(f, "set the readiness probe's path to /health");
	return true;
}

/* EKS, IP targets: without the gate a rollout outruns the ALB. */
bool
plan_rules_k8s_no_gate(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	const struct plan_k8s_in *k = &in->k8s;

	(void)r;
	if (!k->alb || !k->ip_mode || k->gate)
		return false;
	PROBLEM(f, "%s %s.readinessGates: no readiness gate of the AWS Load "
	    "Balancer Controller: a new pod counts as ready as soon as its "
	    "probes pass, so a rolling update takes old pods away before the "
	    "ALB has seen the new ones healthy (%s's targets)", k->object,
	    k->spec, k->alb_object);
	FIX(f, "label the namespace: kubectl label namespace %s "
	    "elbv2.k8s.aws/pod-readiness-gate-inject=enabled (the controller "
	    "then injects the gate into every new pod)", k->ns);
	return true;
}

/* EKS: the ALB's delay promises what the grace period cannot keep. */
bool
plan_rules_k8s_dereg_over_grace(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	const struct plan_k8s_in *k = &in->k8s;
	char b[2][24];

	(void)r;
	if (!k->alb || in->dereg_delay_ms < k->grace_ms)
		return false;
	PROBLEM(f, "%s %s: the deregistration delay %s%s is not below %s's "
	    "grace period %s: the ALB lets a request on a terminating pod run "
	    "for up to the delay, but the kubelet kills the pod at the grace "
	    "period at the latest", k->alb_object, k->dereg_set ?
	    "metadata.annotations[alb.ingress.kubernetes.io/"
	    "target-group-attributes]" : "(no deregistration_delay in "
	    "target-group-attributes)", FMT(0, in->dereg_delay_ms),
	    k->dereg_set ? "" : " (the target group's default)", k->object,
	    FMT(1, k->grace_ms));
	FIX(f, "set deregistration_delay.timeout_seconds=%u in "
	    "alb.ingress.kubernetes.io/target-group-attributes (your slowest "
	    "request, below the grace period), or raise "
	    "terminationGracePeriodSeconds above %u",
	    k->grace_ms > 5000u ? (k->grace_ms - 5000u) / 1000u : 0u,
	    in->dereg_delay_ms / 1000u);
	return true;
}

/* --- slow settings ---------------------------------------------------- */

bool
plan_rules_k8s_prestop_sleep(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	const struct plan_k8s_in *k = &in->k8s;
	char b[2][24];

	(void)r;
	if (k->prestop != PLAN_K8S_HOOK_SLEEP)
		return false;
	if (k->form == PLAN_K8S_FORM_SUPERVISOR) {
		PROBLEM(f, "%s %s: a preStop sleep of %s holds healthgate's "
		    "SIGTERM, and so the start of a drain that ends on evidence "
		    "(the probers' 503s and the app's quiet ports): every stop "
		    "waits the %s for nothing", k->object, k->prestop_field,
		    FMT(0, k->prestop_ms), FMT(1, k->prestop_ms));
		FIX(f, "remove the preStop: healthgate waits for the routers "
		    "itself, up to --drain-timeout");
		return true;
	}
	PROBLEM(f, "%s %s: a preStop sleep of %s is a guess at the routers' "
	    "lag, too short on a busy cluster and waited in full on a quiet "
	    "one", k->object, k->prestop_field, FMT(0, k->prestop_ms));
	FIX(f, "use lifecycle.preStop.httpGet {path: /admin/prestop, port: "
	    "%u}: it returns when healthgate's drain has ended", k->listen_port);
	return true;
}

bool
plan_rules_k8s_readiness_slow(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	const struct plan_k8s_probe_in *p = &in->k8s.readiness;
	const struct plan_figure *g = &r->fig[PLAN_FIGURE_K8S_NOT_READY];
	char b[2][24];

	if (!p->set || strcmp(p->path, "/health") != 0 ||
	    (double)p->period_ms * p->failure <= K8S_SLOW_READY_MS)
		return false;
	PROBLEM(f, "%s %s: readiness every %s, %u failures: an app that fails "
	    "keeps its share of the Service's traffic for up to %s",
	    in->k8s.object, p->field, FMT(0, p->period_ms), p->failure,
	    FIG(1, g->worst_ms));
	FIX(f, "set periodSeconds: 5 and failureThreshold: 2: healthgate "
	    "answers the kubelet from memory, and its --fall already absorbs "
	    "blips");
	return true;
}

/*
 * The ALB's healthy threshold, as a rollout with the gate waits for it:
 * the words of the target group's row (same key) for a pod.
 */
bool
plan_rules_k8s_slow_healthy(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	double I = in->alb_interval_ms, H = in->alb_healthy;
	char b[2][24];

	(void)r;
	if (!in->k8s.alb || H <= 2)
		return false;
	PROBLEM(f, "ALB healthy threshold %.0f: a new pod needs %.0f passing "
	    "checks, (H-1/2) x I = %s typically, before the ALB routes to it "
	    "(and, with the readiness gate, before the rollout goes on)", H,
	    H, FIG(0, (H - 0.5) * I));
	FIX(f, "set alb.ingress.kubernetes.io/healthy-threshold-count: \"2\" "
	    "(the least): healthgate's --rise already decides when the app is "
	    "up; saves (H-2) x I = %s per new pod", FIG(1, (H - 2) * I));
	return true;
}

bool
plan_rules_k8s_slow_dereg(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	char b[1][24];

	(void)r;
	if (!in->k8s.alb || in->dereg_delay_ms <= K8S_SLOW_DEREG_MS)
		return false;
	PROBLEM(f, "deregistration delay %s%s: the ALB keeps each terminated "
	    "pod's address draining that long, for requests that a pod gone "
	    "at its grace period cannot answer",
	    FMT(0, in->dereg_delay_ms), in->dereg_delay_ms ==
	    PLAN_DEREG_DELAY_MS ? " (the ALB default)" : "");
	FIX(f, "set deregistration_delay.timeout_seconds to your slowest "
	    "request plus a margin: 30 when requests take seconds, 5 when "
	    "they take under one (AWS's advice)");
	return true;
}

/* --- notes ------------------------------------------------------------ */

bool
plan_rules_k8s_lag(const struct plan_input *in, const struct plan_result *r,
    struct plan_finding *f)
{
	char b[1][24];

	(void)r;
	PROBLEM(f, "the Kubernetes figures take the routers to let go of a "
	    "deleted pod %s after its deletion (--endpoint-lag): kube-proxy, "
	    "ingress controllers and the ALB's controller take one to several "
	    "seconds, more on a large cluster", FMT(0, in->k8s.lag_ms));
	FIX(f, "healthgate's drain waits for the app's traffic to go quiet, "
	    "so a longer lag costs time, not requests, up to the drain cap; "
	    "its drain_end line says what ended it");
	return true;
}

bool
plan_rules_k8s_instance_mode(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	(void)r;
	if (!in->k8s.alb || in->k8s.ip_mode)
		return false;
	PROBLEM(f, "%s: target-type instance (the controller's default): the "
	    "ALB sends to and checks the nodes' ports, so neither healthgate's "
	    "/health nor the pod's readiness gate is in its path, and plan "
	    "counts no ALB figure for the pod", in->k8s.alb_object);
	FIX(f, "set alb.ingress.kubernetes.io/target-type: ip");
	return true;
}

bool
plan_rules_k8s_grace_defaulted(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	char b[1][24];

	(void)r;
	if (in->k8s.grace_set)
		return false;
	PROBLEM(f, "%s %s.terminationGracePeriodSeconds is not set: "
	    "Kubernetes gives the pod 30s, and the figures use that",
	    in->k8s.object, in->k8s.spec);
	FIX(f, "set it above what must fit in it (%s here)",
	    FMT(0, plan_rules_k8s_budget(in)));
	return true;
}

/*
 * Which rows a pod is shown: its own; with the controller's ALB in IP
 * mode, those about the ALB's own settings and the drain it watches
 * (their text says task for pod); never those of an ECS stop, a
 * stopTimeout or dependsOn, which the pod's rows stand for.
 */
bool
plan_rules_k8s_shows(const struct plan_input *in, const struct plan_rule *row)
{
	if (row->platform == PLAN_PLATFORM_K8S)
		return true;
	switch (row->id) {
	case PLAN_FINDING_CHECK_TIMEOUT:
		return true;
	case PLAN_FINDING_ALB_TIMEOUT:
	case PLAN_FINDING_CAP_BELOW_DETECT:
	case PLAN_FINDING_DRAIN_FALL:
	case PLAN_FINDING_WINDOW:
	case PLAN_FINDING_GRPC_NO_LISTEN:
	case PLAN_FINDING_GRPC_MATCHER:
	case PLAN_FINDING_SLOW_DEREG:
	case PLAN_FINDING_SLOW_INTERVAL:
	case PLAN_FINDING_SLOW_HEALTHY:
	case PLAN_FINDING_SLOW_UNHEALTHY:
	case PLAN_FINDING_SLOW_ALB_TIMEOUT:
		return in->k8s.alb && in->k8s.ip_mode;
	default:
		return false;
	}
}

/* Where an ALB setting is written: the controller's annotation for it. */
static const char *
plan_rules_k8s_annotation(enum plan_finding_id id)
{
	switch (id) {
	case PLAN_FINDING_ALB_TIMEOUT:
	case PLAN_FINDING_SLOW_ALB_TIMEOUT:
		return "healthcheck-timeout-seconds";
	case PLAN_FINDING_SLOW_INTERVAL:
		return "healthcheck-interval-seconds";
	case PLAN_FINDING_SLOW_HEALTHY:
		return "healthy-threshold-count";
	case PLAN_FINDING_SLOW_UNHEALTHY:
		return "unhealthy-threshold-count";
	case PLAN_FINDING_SLOW_DEREG:
		return "target-group-attributes";
	default:
		return NULL;
	}
}

void
plan_rules_k8s_name(const struct plan_input *in, struct plan_finding *f)
{
	const struct plan_k8s_in *k = &in->k8s;
	const char *ann = plan_rules_k8s_annotation(f->id);
	char where[PLAN_K8S_FIELD_MAX + 160], was[sizeof(f->problem)];

	if (ann && strncmp(k->alb_object, "Ingress/", 8) == 0)
		snprintf(where, sizeof(where), "%s metadata.annotations["
		    "alb.ingress.kubernetes.io/%s]", k->alb_object, ann);
	else if (ann || f->id == PLAN_FINDING_GRPC_NO_LISTEN ||
	    f->id == PLAN_FINDING_GRPC_MATCHER)
		snprintf(where, sizeof(where), "%s (its target group)",
		    k->alb_object);
	else
		snprintf(where, sizeof(where), "%s %s (healthgate's options)",
		    k->object, k->hg_field);
	memcpy(was, f->problem, sizeof(was));
	PROBLEM(f, "%s: %s", where, was);
}
