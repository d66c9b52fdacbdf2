/*
 * plan.c: the timing arithmetic behind "healthgate plan".
 *
 * The model, one step at a time (symbols as in plan_symbols):
 *
 * - A periodic check is never in phase with the event it is waiting for:
 *   the first check after the event comes up to one interval later (worst)
 *   or half an interval later (typical). So n checks in a row take n
 *   intervals at worst and n - 1/2 typically.
 * - healthgate answers the ALB from memory, so an ALB check passes or fails
 *   the moment it arrives: the ALB's own timeout adds nothing unless
 *   healthgate itself hangs. A healthgate check against the app takes up to
 *   its timeout t at worst, nothing typically.
 *
 * Platform "ecs", an ECS service behind an ALB. ECS deregisters the task,
 * and the ALB stops sending it new requests while it is "draining"; ECS
 * waits until the target is "unused" and only then sends SIGTERM (SIGKILL
 * after stopTimeout). The ALB reports "unused" only when the whole
 * deregistration delay is over, even when the target's connections closed
 * sooner, so the delay D is waited in full: AWS, "Optimize load balancer
 * connection draining parameters for Amazon ECS"
 * (docs.aws.amazon.com/AmazonECS/latest/developerguide/
 * load-balancer-connection-draining.html) and "Edit target group attributes:
 * Deregistration delay" (docs.aws.amazon.com/elasticloadbalancing/latest/
 * application/edit-target-group-attributes.html). By then the ALB has not
 * probed for D, so no prober is still within healthgate's window and it
 * exits at once; only a window longer than D holds it, for W - D. Whether
 * the ALB keeps health-checking a draining target AWS does not document; if
 * it does, the drain after SIGTERM costs up to min(C, max(F*I, W)) and
 * protects nothing (a draining target gets no new requests): a note says
 * so. ECS stops healthgate first when it dependsOn the app (containers stop
 * in the reverse of their dependency order), then the app.
 *
 * Platform "routed", a SIGTERM while the load balancer still routes:
 * Fargate Spot (the two-minute warning is a SIGTERM, and a Spot task may
 * not be deregistered before it is STOPPED: AWS re:Post knowledge center,
 * "How do I handle Spot termination notices in AWS Fargate Spot tasks?"),
 * docker stop, systemd, the supervisor mode. The ALB stops routing when it
 * has seen U 503s; each watched ALB node must be served F of them, at most
 * F intervals away; a node that stopped asking is let go after W of
 * silence; C caps it all. In supervisor mode (healthgate [opts] -- APP),
 * healthgate then lingers L and sends the app its stop signal, SIGKILL
 * after A: C + L + A must fit in the orchestrator's stop timeout S. When
 * healthgate sees the app's traffic (--app-port, or a check on a loopback
 * host), the drain also waits for the app's ports to be quiet for Q after
 * the ALB stops routing, and the app is signalled then, without the
 * linger (which remains at the cap); Q is --drain-quiet, or for auto
 * PLAN_QUIET_TYPICAL_MS, what it derives for a busy app.
 *
 * Stop timeouts: a container without stopTimeout gets 30 s; Fargate allows
 * at most 120 s; on EC2 a missing stopTimeout takes the agent's
 * ECS_CONTAINER_STOP_TIMEOUT, itself 30 s unless set (ContainerDefinition
 * stopTimeout, Amazon ECS API reference).
 *
 * Target group defaults, for HTTP targets of type instance or ip: interval
 * 30 s (5-300), timeout 5 s (2-120), healthy 5 and unhealthy 2 (2-10),
 * deregistration delay 300 s (0-3600): "Health checks for Application Load
 * Balancer target groups" and the TargetGroupAttribute API reference.
 *
 * Rolling deploy at ECS's defaults (minimum 100 %, maximum 200 %): all N
 * new tasks start at once, and all N old ones are deregistered and stopped
 * together once the new ones are healthy, so N sets the peak (2N tasks),
 * not the time. The deploy step of a pipeline that waits for service
 * stability polls every 15 s (aws ecs wait services-stable). Task launch
 * (placement, image pull) and the ALB's registration lag come on top and
 * are not counted.
 */
#include <stdio.h>
#include <string.h>

#include "app_ports.h"
#include "jitter.h"
#include "opts.h"
#include "plan/plan.h"
#include "plan/plan_rules.h"
#include "quiet.h"

#define SEC		1000.0

const char *const plan_symbols[] = {
	"I  ALB health check interval   H, U  ALB healthy, unhealthy thresholds",
	"D  deregistration delay        S     stopTimeout (ECS), docker -t, "
	    "TimeoutStopSec",
	"i  healthgate check interval   t     healthgate check timeout",
	"r  --rise                      f     --fall",
	"q  ?fastinter (i without)      j     1.1: the jitter's longest gap",
	"C  --drain-timeout (the cap)   F, W  --drain-fall, --drain-window",
	"L  --drain-linger              A     the daemon's --stop-timeout "
	    "(the app's)",
	"Q  --drain-quiet (auto: 1s, a busy app's; with the app's traffic seen)",
	"P  the stability waiter's poll, 15s; x: the \"drain ends\" row above",
	NULL
};

void
plan_defaults(struct plan_input *in)
{
	memset(in, 0, sizeof(*in));
	in->alb_interval_ms = PLAN_ALB_INTERVAL_MS;
	in->alb_timeout_ms = PLAN_ALB_TIMEOUT_MS;
	in->alb_healthy = PLAN_ALB_HEALTHY;
	in->alb_unhealthy = PLAN_ALB_UNHEALTHY;
	in->dereg_delay_ms = PLAN_DEREG_DELAY_MS;
	in->stop_timeout_ms = PLAN_STOP_TIMEOUT_MS;
	in->stop_timeout_set = false;
	in->launch = PLAN_LAUNCH_FARGATE;
	in->tasks = PLAN_TASKS;
	in->wait_stability = true;
	in->k8s.lag_ms = PLAN_K8S_LAG_MS;
}

static unsigned
plan_umax(unsigned a, unsigned b)
{
	return a > b ? a : b;
}

static double
plan_dmin(double a, double b)
{
	return a < b ? a : b;
}

static double
plan_dmax(double a, double b)
{
	return a > b ? a : b;
}

/*
 * With several checks, /health is only as quick as the slowest, so each
 * setting is the largest any check has: a bound, never an underestimate.
 * Each check's timeout is below its own interval, so the pair stays valid.
 * fastinter counts when a check has one; then a check without one changes
 * at its interval, so the largest of those is taken too.
 */
void
plan_from_config(struct plan_input *in, const struct config *c)
{
	in->interval_ms = c->interval_ms;
	in->timeout_ms = c->timeout_ms;
	in->rise = c->rise;
	in->fall = c->fall;
	in->fastinter_ms = 0;
	if (c->nchecks > 0) {
		unsigned changing = 0;
		bool fast = false;

		in->interval_ms = in->timeout_ms = in->rise = in->fall = 0;
		for (unsigned k = 0; k < c->nchecks; k++) {
			const struct check_spec *cs = &c->checks[k];

			in->interval_ms = plan_umax(in->interval_ms,
			    cs->interval_ms);
			in->timeout_ms = plan_umax(in->timeout_ms,
			    cs->timeout_ms);
			in->rise = plan_umax(in->rise, cs->rise);
			in->fall = plan_umax(in->fall, cs->fall);
			fast |= cs->fastinter_ms > 0;
			changing = plan_umax(changing, cs->fastinter_ms ?
			    cs->fastinter_ms : cs->interval_ms);
		}
		if (fast)
			in->fastinter_ms = changing;
	}
	in->drain_timeout_ms = c->drain_timeout_ms;
	in->drain_fall = c->drain_fall;
	in->drain_window_ms = c->drain_window_ms;
	in->drain_quiet_ms = c->drain_quiet_ms;
	in->linger_ms = c->drain_linger_ms;
	{
		unsigned ports[CONFIG_APP_PORTS_MAX];

		in->traffic = c->app_ports_set ? c->napp_ports > 0 :
		    app_ports_from_checks(c->checks, c->nchecks,
		    app_ports_is_loopback, NULL, ports,
		    CONFIG_APP_PORTS_MAX) > 0;
	}
	in->stop_signal = c->stop_signal;
	in->app_stop_timeout_ms = c->stop_timeout_ms;
	if (c->app_argv != NULL)
		in->supervisor = true;
	in->grpc_listen = c->grpc_listen;
}

void
plan_format_ms(double ms, char *buf, size_t len)
{
	unsigned long long whole;

	if (ms < 0)
		ms = 0;
	whole = (unsigned long long)(ms + 0.5);
	if (ms > 0 && ms < SEC)
		snprintf(buf, len, "%.0fms", ms);
	else if (ms < 120 * SEC) {
		if (whole % 1000 == 0)
			snprintf(buf, len, "%llus", whole / 1000);
		else if (whole % 100 == 0)
			snprintf(buf, len, "%.1fs", ms / SEC);
		else
			snprintf(buf, len, "%.2fs", ms / SEC);
	} else {
		whole = (unsigned long long)(ms / SEC + 0.5);
		snprintf(buf, len, "%llum%02llus", whole / 60, whole % 60);
	}
}

/*
 * Settings in seconds as the ALB and ECS take them; others (healthgate's
 * own can be 1234ms) exactly, in a form the flags read back.
 */
void
plan_format_setting(unsigned ms, char *buf, size_t len)
{
	if (ms % 1000u == 0)
		snprintf(buf, len, "%us", ms / 1000u);
	else
		opts_format_duration(ms, buf, len);
}

const char *
plan_platform_key(enum plan_platform p)
{
	switch (p) {
	case PLAN_PLATFORM_ANY:		return "any";
	case PLAN_PLATFORM_ECS:		return "ecs";
	case PLAN_PLATFORM_ROUTED:	return "routed";
	case PLAN_PLATFORM_K8S:		return "kubernetes";
	case PLAN_PLATFORM_COUNT:	break;
	}
	return "?";
}

const char *
plan_platform_title(enum plan_platform p)
{
	switch (p) {
	case PLAN_PLATFORM_ANY:
		return "wherever the ALB checks healthgate";
	case PLAN_PLATFORM_ECS:
		return "ECS service behind the ALB (deregistered, then SIGTERM)";
	case PLAN_PLATFORM_ROUTED:
		return "SIGTERM while the ALB still routes (Fargate Spot, "
		    "docker stop, systemd)";
	case PLAN_PLATFORM_K8S:
		return "Kubernetes pod, deleted (the endpoint leaves, the "
		    "kubelet stops it)";
	case PLAN_PLATFORM_COUNT:
		break;
	}
	return "?";
}

const char *
plan_level_key(enum plan_level l)
{
	switch (l) {
	case PLAN_LEVEL_CONTRADICTION:	return "contradiction";
	case PLAN_LEVEL_SLOW:			return "slow";
	case PLAN_LEVEL_NOTE:			return "note";
	}
	return "?";
}

void
plan_fig(struct plan_result *r, enum plan_figure_id id, const char *key,
    enum plan_platform p, const char *label, double worst, double typical,
    const char *wf, const char *tf)
{
	struct plan_figure *f = &r->fig[id];

	f->key = key;
	f->platform = p;
	f->label = label;
	f->worst_ms = worst;
	f->typical_ms = typical;
	f->worst_formula = wf;
	f->typical_formula = tf;
}

/* What healthgate and its app take once the drain is over. */
struct stop_cost {
	double	worst, typical;
};

/*
 * From the end of the drain x to the task being gone. A sidecar's app is
 * the orchestrator's to stop: gone at once on its SIGTERM typically,
 * SIGKILLed at S at worst. Under supervisor mode healthgate lingers L and
 * gives the app up to A, all within S.
 */
double
plan_quiet(const struct plan_input *in, bool worst)
{
	if (!in->traffic)
		return 0;
	if (in->drain_quiet_ms)
		return in->drain_quiet_ms;
	return worst ? QUIET_MAX * SEC : PLAN_QUIET_TYPICAL_MS;
}

/* What follows a typical drain's end: the linger, or the quiet period. */
static double
plan_typical_after(const struct plan_input *in)
{
	return in->traffic ? plan_quiet(in, false) : in->linger_ms;
}

static struct stop_cost
plan_after_drain(const struct plan_input *in, double xw, double xt)
{
	double S = in->stop_timeout_ms, L = in->linger_ms;
	double A = in->app_stop_timeout_ms;
	struct stop_cost c;

	if (in->supervisor) {
		c.worst = plan_dmin(xw + L + A, S);
		c.typical = plan_dmin(xt + plan_typical_after(in), S);
	} else {
		c.worst = plan_dmin(xw, S) + S;
		c.typical = xt;
	}
	return c;
}

/*
 * Where the ALB checks healthgate: start, failure, healthgate's part. A
 * check starts down and runs first within the interval; each pass after
 * that comes a gap later: q while rising (fastinter, else the interval),
 * j = 1.1 times it at the jitter's longest. A failure comes up to a gap
 * of the interval before the first failing run, then f-1 gaps of q.
 */
static void
plan_figures_any(const struct plan_input *in, struct plan_result *r)
{
	double I = in->alb_interval_ms;
	double i = in->interval_ms, t = in->timeout_ms;
	double H = in->alb_healthy, U = in->alb_unhealthy;
	double rr = in->rise, f = in->fall;
	bool fast = in->fastinter_ms > 0;
	double q = fast ? in->fastinter_ms : i, j = 1 + JITTER_SPREAD;

	plan_fig(r, PLAN_FIGURE_START_TO_ROUTING, "start_to_routing",
	    PLAN_PLATFORM_ANY, "task start -> ALB routing",
	    i + (rr - 1) * j * q + t + H * I,
	    i / 2 + (rr - 1) * q + (H - 0.5) * I,
	    fast ? "i + (r-1)*j*q + t + H*I" : "i + (r-1)*j*i + t + H*I",
	    fast ? "i/2 + (r-1)*q + (H-1/2)*I" : "(r-1/2)*i + (H-1/2)*I");
	plan_fig(r, PLAN_FIGURE_FAIL_TO_UNROUTED, "fail_to_unrouted",
	    PLAN_PLATFORM_ANY, "app failing -> ALB not routing",
	    j * i + (f - 1) * j * q + t + U * I,
	    i / 2 + (f - 1) * q + (U - 0.5) * I,
	    fast ? "j*i + (f-1)*j*q + t + U*I" : "j*f*i + t + U*I",
	    fast ? "i/2 + (f-1)*q + (U-1/2)*I" : "(f-1/2)*i + (U-1/2)*I");
	plan_fig(r, PLAN_FIGURE_FAIL_TO_503, "fail_to_503", PLAN_PLATFORM_ANY,
	    "of which healthgate (to 503)",
	    j * i + (f - 1) * j * q + t, i / 2 + (f - 1) * q,
	    fast ? "j*i + (f-1)*j*q + t" : "j*f*i + t",
	    fast ? "i/2 + (f-1)*q" : "(f-1/2)*i");
}

/*
 * ECS: the ALB's last probe came before the deregistration. Needs the
 * start figure (plan_figures_any) for the deploy.
 */
static void
plan_figures_ecs(const struct plan_input *in, struct plan_result *r)
{
	double I = in->alb_interval_ms, D = in->dereg_delay_ms;
	double C = in->drain_timeout_ms, W = in->drain_window_ms;
	double P = PLAN_WAITER_POLL_MS;
	double xw, xt;
	struct stop_cost sc;
	bool sup = in->supervisor;

	plan_fig(r, PLAN_FIGURE_ECS_TO_SIGTERM, "ecs_deregistered_to_sigterm",
	    PLAN_PLATFORM_ECS, "deregistered -> SIGTERM", D, D, "D", "D");
	xw = plan_dmin(C, plan_dmax(0, W - D));
	xt = plan_dmin(C, plan_dmax(0, W - D - I / 2));
	plan_fig(r, PLAN_FIGURE_ECS_TO_EXIT, "ecs_sigterm_to_drain_end",
	    PLAN_PLATFORM_ECS, "SIGTERM -> drain ends", xw, xt,
	    "min(C, max(0, W-D))", "min(C, max(0, W-D-I/2))");
	sc = plan_after_drain(in, xw, xt);
	plan_fig(r, PLAN_FIGURE_ECS_REPLACEMENT, "ecs_task_replacement",
	    PLAN_PLATFORM_ECS, "one task replacement", D + sc.worst,
	    D + sc.typical, sup ? "D + min(x+L+A, S)" : "D + min(x, S) + S",
	    !sup ? "D + x" : in->traffic ? "D + x + Q" : "D + x + L");
	plan_fig(r, PLAN_FIGURE_ECS_DEPLOY, "ecs_whole_deploy",
	    PLAN_PLATFORM_ECS, "whole rolling deploy",
	    r->fig[PLAN_FIGURE_START_TO_ROUTING].worst_ms +
	    r->fig[PLAN_FIGURE_ECS_REPLACEMENT].worst_ms,
	    r->fig[PLAN_FIGURE_START_TO_ROUTING].typical_ms +
	    r->fig[PLAN_FIGURE_ECS_REPLACEMENT].typical_ms,
	    "start + replacement", "start + replacement");
	plan_fig(r, PLAN_FIGURE_ECS_DEPLOY_STEP, "ecs_deploy_step_waited",
	    PLAN_PLATFORM_ECS, "deploy step, waiting for stability",
	    r->fig[PLAN_FIGURE_ECS_DEPLOY].worst_ms + P,
	    r->fig[PLAN_FIGURE_ECS_DEPLOY].typical_ms + P / 2,
	    "deploy + P", "deploy + P/2");
}

/* Routed: the ALB must see the 503s itself. */
static void
plan_figures_routed(const struct plan_input *in, struct plan_result *r)
{
	double I = in->alb_interval_ms, U = in->alb_unhealthy;
	double C = in->drain_timeout_ms, W = in->drain_window_ms;
	double F = in->drain_fall, L = in->linger_ms;
	double xw, xt;
	struct stop_cost sc;
	bool sup = in->supervisor;

	plan_fig(r, PLAN_FIGURE_ROUTED_UNROUTED, "routed_sigterm_to_unrouted",
	    PLAN_PLATFORM_ROUTED, "SIGTERM -> ALB not routing",
	    U * I, (U - 0.5) * I, "U*I", "(U-1/2)*I");
	xw = plan_dmin(C, plan_dmax(F * I, W));
	xt = plan_dmin(C, (F - 0.5) * I);
	plan_fig(r, PLAN_FIGURE_ROUTED_TO_EXIT, "routed_sigterm_to_drain_end",
	    PLAN_PLATFORM_ROUTED, "SIGTERM -> drain ends", xw, xt,
	    "min(C, max(F*I, W))", "min(C, (F-1/2)*I)");
	plan_fig(r, PLAN_FIGURE_ROUTED_APP_SIGNAL,
	    "routed_sigterm_to_app_signal", PLAN_PLATFORM_ROUTED,
	    sup ? "SIGTERM -> app's stop signal" :
	    "SIGTERM -> app stopped (dependsOn)",
	    xw + (sup ? L : 0), xt + (sup ? plan_typical_after(in) : 0),
	    sup ? "x + L" : "x", !sup ? "x" : in->traffic ? "x + Q" : "x + L");
	sc = plan_after_drain(in, xw, xt);
	plan_fig(r, PLAN_FIGURE_ROUTED_GONE, "routed_sigterm_to_gone",
	    PLAN_PLATFORM_ROUTED, "SIGTERM -> task gone", sc.worst, sc.typical,
	    sup ? "min(x+L+A, S)" : "min(x, S) + S",
	    !sup ? "x" : in->traffic ? "x + Q" : "x + L");
}

int
plan_grpc_code_in(const char *list, unsigned code)
{
	const char *p = list;
	bool in = false;

	if (*p == '\0')
		return -1;
	for (;;) {
		unsigned lo = 0, hi;
		int n = 0;

		if (sscanf(p, "%2u%n", &lo, &n) != 1 || n == 0 ||
		    p[0] < '0' || p[0] > '9')
			return -1;
		p += n;
		hi = lo;
		if (*p == '-') {
			p++;
			if (*p < '0' || *p > '9' ||
			    sscanf(p, "%2u%n", &hi, &n) != 1 || hi < lo)
				return -1;
			p += n;
		}
		in |= code >= lo && code <= hi;
		if (*p == '\0')
			return in;
		if (*p++ != ',')
			return -1;
	}
}

/*
 * A pod's stop is the kubelet's, not ECS's: with manifests, the figures
 * for the ALB where it checks the pods, and the pod's own; else all but
 * the pod's.
 */
bool
plan_platform_shown(const struct plan_input *in, enum plan_platform p)
{
	if (!in->k8s.on)
		return p != PLAN_PLATFORM_K8S;
	if (p == PLAN_PLATFORM_ANY)
		return in->k8s.alb && in->k8s.ip_mode;
	return p == PLAN_PLATFORM_K8S;
}

void
plan_compute(const struct plan_input *in, struct plan_result *r)
{
	memset(r, 0, sizeof(*r));
	plan_figures_any(in, r);
	plan_figures_ecs(in, r);
	plan_figures_routed(in, r);
	if (in->k8s.on)
		plan_k8s_figures(in, r);
	r->peak_tasks = 2 * in->tasks;
	plan_rules_apply(in, r);
}
