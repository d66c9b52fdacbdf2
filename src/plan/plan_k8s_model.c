/*
 * plan_k8s_model.c: a pod's stop in numbers, from what plan_k8s.c read.
 *
 * The model (symbols as in plan_k8s_symbols): at the pod's deletion the
 * kubelet runs the preStop, then signals; the routers let go E after the
 * deletion (--endpoint-lag). healthgate's drain starts at its SIGTERM
 * (supervisor form: after the preStop, P when it sleeps) or at the app's
 * preStop (sidecar form, /admin/prestop), and ends (quiet.h; docs/drain.md)
 * once the app's ports have been quiet for Q after the routers let
 * go and, where the ALB probes the pod (IP targets), once the watched ALB
 * nodes have had their F 503s or gone silent for W; C caps it. Q is
 * plan_quiet's, as in the ECS model: --drain-quiet, or for auto a busy
 * app's derived period typically and the ceiling QUIET_MAX at worst.
 * Where healthgate cannot see the app's traffic (no --app-port, no check
 * on this host) it waits neither for the routers nor for a quiet period:
 * the watched nodes alone end the drain, and with none it ends at once.
 * In supervisor form healthgate then signals the app and gives it A: at
 * once after a quiet end or with no watched node, after a linger L when
 * the watched nodes ended the drain (typically so only where it cannot
 * see the traffic) or the cap did (worst). A sidecar's app gets its
 * SIGTERM when its preStop returns, and its own stop is not known: the
 * grace period G bounds it.
 */
#include <stdio.h>
#include <string.h>

#include "plan/plan.h"
#include "plan/plan_json.h"
#include "plan/plan_k8s.h"

const char *const plan_k8s_symbols[] = {
	"I  ALB health check interval   H, U  ALB healthy, unhealthy thresholds",
	"D  deregistration delay        G     terminationGracePeriodSeconds",
	"E  --endpoint-lag: routers let go after the deletion",
	"P  the preStop's sleep         Q     --drain-quiet "
	    "(auto: 1s, 10s worst)",
	"i  healthgate check interval   t     healthgate check timeout",
	"r  --rise                      f     --fall",
	"C  --drain-timeout (the cap)   F, W  --drain-fall, --drain-window",
	"L  --drain-linger              A     the daemon's --stop-timeout "
	    "(the app's)",
	"p, n  readiness periodSeconds, failureThreshold",
	"s  the drain's start: P in supervisor form, else 0; x: \"drain ends\"",
	NULL
};

static double
plan_k8s_min(double a, double b)
{
	return a < b ? a : b;
}

static double
plan_k8s_max(double a, double b)
{
	return a > b ? a : b;
}

/* The kubelet's probe of healthgate's port, or nothing. */
static void
plan_k8s_probe_in(const struct plan_k8s *k, enum plan_k8s_probe_kind kind,
    unsigned port, struct plan_k8s_probe_in *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < k->nprobes; i++) {
		const struct plan_k8s_probe *p = &k->probe[i];

		if (p->kind != kind || !p->http || (p->port != port &&
		    !(p->port == 0 && (strcmp(p->path, "/health") == 0 ||
		    strcmp(p->path, "/live") == 0))))
			continue;
		out->set = true;
		snprintf(out->path, sizeof(out->path), "%s", p->path);
		snprintf(out->field, sizeof(out->field), "%s", p->field);
		out->period_ms = p->period_ms;
		out->timeout_ms = p->timeout_ms;
		out->failure = p->failure;
		return;
	}
}

void
plan_k8s_model_input(const struct plan_k8s *k, unsigned listen_port,
    struct plan_input *in)
{
	struct plan_k8s_in *m = &in->k8s;
	unsigned lag_ms = m->lag_ms;	/* --endpoint-lag, or its default */

	memset(m, 0, sizeof(*m));
	m->on = true;
	m->form = k->form;
	snprintf(m->object, sizeof(m->object), "%s", k->object);
	snprintf(m->spec, sizeof(m->spec), "%s", k->spec);
	snprintf(m->ns, sizeof(m->ns), "%s", k->ns);
	m->grace_set = k->grace_set;
	m->grace_ms = k->grace_ms;
	m->prestop = k->prestop;
	m->prestop_ms = k->prestop_sleep_ms;
	snprintf(m->prestop_field, sizeof(m->prestop_field), "%s",
	    k->prestop_field);
	snprintf(m->hg_field, sizeof(m->hg_field), "%s", k->hg_field);
	plan_k8s_probe_in(k, PLAN_K8S_PROBE_READINESS, listen_port,
	    &m->readiness);
	plan_k8s_probe_in(k, PLAN_K8S_PROBE_LIVENESS, listen_port,
	    &m->liveness);
	m->alb = k->alb;
	m->ip_mode = k->ip_mode;
	m->gate = k->readiness_gate;
	m->dereg_set = (k->alb_mask & PLAN_TG_DEREG) != 0;
	snprintf(m->alb_object, sizeof(m->alb_object), "%s", k->alb_object);
	m->lag_ms = lag_ms;
	m->listen_port = listen_port;
	/* The pod's stop is the kubelet's: its grace period is the limit. */
	in->supervisor = k->form == PLAN_K8S_FORM_SUPERVISOR;
	in->stop_timeout_ms = k->grace_ms;
	in->stop_timeout_set = true;
}

/* When the drain starts, after the deletion. */
static double
plan_k8s_drain_start(const struct plan_input *in)
{
	const struct plan_k8s_in *k = &in->k8s;

	if (k->form == PLAN_K8S_FORM_SUPERVISOR &&
	    k->prestop == PLAN_K8S_HOOK_SLEEP)
		return k->prestop_ms;
	return 0;
}

/*
 * The drain's length x, worst and typical, from its start s. The routers'
 * lag counts only through the traffic it carries: unseen, it holds
 * nothing.
 */
static void
plan_k8s_drain(const struct plan_input *in, double s, double *xw, double *xt)
{
	double C = in->drain_timeout_ms, E = in->k8s.lag_ms;
	double I = in->alb_interval_ms, F = in->drain_fall;
	double W = in->drain_window_ms;
	double after = in->traffic ? plan_k8s_max(0, E - s) : 0;

	*xw = after + plan_quiet(in, true);
	*xt = after + plan_quiet(in, false);
	if (in->k8s.alb && in->k8s.ip_mode) {
		*xw = plan_k8s_max(*xw, plan_k8s_max(F * I, W));
		*xt = plan_k8s_max(*xt, (F - 0.5) * I);
	}
	*xw = plan_k8s_min(C, *xw);
	*xt = plan_k8s_min(C, *xt);
}

/*
 * Whether a typical drain ends on the watched ALB nodes' evidence, which
 * the supervisor follows with its linger; a quiet end (the traffic seen)
 * or an idle one (no node watched) signals the app at once (main.c,
 * drain_finish).
 */
static bool
plan_k8s_typical_linger(const struct plan_input *in)
{
	return !in->traffic && in->k8s.alb && in->k8s.ip_mode;
}

/* When the app is told to stop, after the deletion. */
static void
plan_k8s_app_signal(const struct plan_input *in, double endw, double endt,
    double *w, double *t)
{
	const struct plan_k8s_in *k = &in->k8s;

	if (k->form == PLAN_K8S_FORM_SUPERVISOR) {
		*w = endw + in->linger_ms;
		*t = endt + (plan_k8s_typical_linger(in) ? in->linger_ms : 0);
	} else if (k->prestop == PLAN_K8S_HOOK_DRAIN) {
		*w = endw;
		*t = endt;
	} else if (k->prestop == PLAN_K8S_HOOK_SLEEP) {
		*w = *t = k->prestop_ms;
	} else {
		*w = *t = 0;
	}
}

static const char *
plan_k8s_x_formula(const struct plan_input *in, bool worst)
{
	bool alb = in->k8s.alb && in->k8s.ip_mode;

	if (!in->traffic)
		return !alb ? "s" : worst ? "s + min(C, max(F*I, W))" :
		    "s + min(C, (F-1/2)*I)";
	if (alb)
		return worst ? "s + min(C, max(E-s+Q, F*I, W))" :
		    "s + min(C, max(E-s+Q, (F-1/2)*I))";
	return "s + min(C, E-s+Q)";
}

void
plan_k8s_figures(const struct plan_input *in, struct plan_result *r)
{
	const struct plan_k8s_in *k = &in->k8s;
	const struct plan_k8s_probe_in *rp = &k->readiness;
	double s = plan_k8s_drain_start(in), xw, xt, aw, at, G = k->grace_ms;
	bool sup = k->form == PLAN_K8S_FORM_SUPERVISOR;
	const char *sup_t = plan_k8s_typical_linger(in) ? "x + L" : "x";

	plan_fig(r, PLAN_FIGURE_K8S_UNROUTED, "k8s_deleted_to_unrouted",
	    PLAN_PLATFORM_K8S, "deleted -> routers let go", k->lag_ms,
	    k->lag_ms, "E", "E");
	plan_k8s_drain(in, s, &xw, &xt);
	plan_fig(r, PLAN_FIGURE_K8S_DRAIN_END,
	    "k8s_deleted_to_drain_end", PLAN_PLATFORM_K8S,
	    "deleted -> drain ends", s + xw, s + xt,
	    plan_k8s_x_formula(in, true), plan_k8s_x_formula(in, false));
	plan_k8s_app_signal(in, s + xw, s + xt, &aw, &at);
	plan_fig(r, PLAN_FIGURE_K8S_APP_SIGNAL,
	    "k8s_deleted_to_app_signal", PLAN_PLATFORM_K8S,
	    sup ? "deleted -> app's stop signal" : "deleted -> app's SIGTERM",
	    aw, at, sup ? "x + L" : k->prestop == PLAN_K8S_HOOK_DRAIN ? "x" :
	    k->prestop == PLAN_K8S_HOOK_SLEEP ? "P" : "0",
	    sup ? sup_t : k->prestop == PLAN_K8S_HOOK_DRAIN ? "x" :
	    k->prestop == PLAN_K8S_HOOK_SLEEP ? "P" : "0");
	plan_fig(r, PLAN_FIGURE_K8S_GONE, "k8s_deleted_to_gone",
	    PLAN_PLATFORM_K8S, "deleted -> pod gone",
	    sup ? plan_k8s_min(aw + in->app_stop_timeout_ms, G) : G, at,
	    sup ? "min(x+L+A, G)" : "G", sup ? sup_t : "the app's signal");
	if (rp->set && strcmp(rp->path, "/health") == 0) {
		double i = in->interval_ms, t = in->timeout_ms, f = in->fall;
		double p = rp->period_ms, n = rp->failure;

		plan_fig(r, PLAN_FIGURE_K8S_NOT_READY,
		    "k8s_fail_to_not_ready", PLAN_PLATFORM_K8S,
		    "app failing -> pod not ready", f * i + t + n * p,
		    (f - 0.5) * i + (n - 0.5) * p, "f*i + t + n*p",
		    "(f-1/2)*i + (n-1/2)*p");
	}
}
