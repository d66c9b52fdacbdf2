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
#include "opts.h"
#include "plan/plan.h"

#define SEC		1000.0
#define STOP_MARGIN_MS	15000u	/* stopTimeout above the longer wait */
#define SLOW_DEREG_MS	60000u	/* above this, the delay is the deploy */
#define SLOW_INTERVAL_MS 10000u
#define SLOW_ALB_TIMEOUT_MS 5000u
#define FAST_THRESHOLD	2u	/* the ALB's minimum for both thresholds */
#define PLAN_QUIET_TYPICAL_MS 1000u	/* auto, ~10 requests a second */

const char *const plan_symbols[] = {
	"I  ALB health check interval   H, U  ALB healthy, unhealthy thresholds",
	"D  deregistration delay        S     stopTimeout (ECS), docker -t, "
	    "TimeoutStopSec",
	"i  healthgate check interval   t     healthgate check timeout",
	"r  --rise                      f     --fall",
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
}

static unsigned
umax(unsigned a, unsigned b)
{
	return a > b ? a : b;
}

static double
dmin(double a, double b)
{
	return a < b ? a : b;
}

static double
dmax(double a, double b)
{
	return a > b ? a : b;
}

/*
 * With several checks, /health is only as quick as the slowest, so each
 * setting is the largest any check has: a bound, never an underestimate.
 * Each check's timeout is below its own interval, so the pair stays valid.
 */
void
plan_from_config(struct plan_input *in, const struct config *c)
{
	in->interval_ms = c->interval_ms;
	in->timeout_ms = c->timeout_ms;
	in->rise = c->rise;
	in->fall = c->fall;
	if (c->nchecks > 0) {
		in->interval_ms = in->timeout_ms = in->rise = in->fall = 0;
		for (unsigned k = 0; k < c->nchecks; k++) {
			const struct check_spec *cs = &c->checks[k];

			in->interval_ms = umax(in->interval_ms, cs->interval_ms);
			in->timeout_ms = umax(in->timeout_ms, cs->timeout_ms);
			in->rise = umax(in->rise, cs->rise);
			in->fall = umax(in->fall, cs->fall);
		}
	}
	in->drain_timeout_ms = c->drain_timeout_ms;
	in->drain_fall = c->drain_fall;
	in->drain_window_ms = c->drain_window_ms;
	in->linger_ms = c->drain_linger_ms;
	in->quiet_ms = c->drain_quiet_ms;
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

/* Whole seconds, at least lo, for suggested values the ALB accepts. */
static unsigned
whole_s(double ms, unsigned lo_ms)
{
	unsigned v = (unsigned)(ms / SEC) * 1000u;

	return v < lo_ms ? lo_ms : v;
}

static void
figure(struct plan_result *r, enum plan_figure_id id, const char *key,
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
/* What follows a typical drain's end: the linger, or the quiet period. */
static double
typical_after(const struct plan_input *in)
{
	if (!in->traffic)
		return in->linger_ms;
	return in->quiet_ms ? in->quiet_ms : PLAN_QUIET_TYPICAL_MS;
}

static struct stop_cost
after_drain(const struct plan_input *in, double xw, double xt)
{
	double S = in->stop_timeout_ms, L = in->linger_ms;
	double A = in->app_stop_timeout_ms;
	struct stop_cost c;

	if (in->supervisor) {
		c.worst = dmin(xw + L + A, S);
		c.typical = dmin(xt + typical_after(in), S);
	} else {
		c.worst = dmin(xw, S) + S;
		c.typical = xt;
	}
	return c;
}

static void
figures(const struct plan_input *in, struct plan_result *r)
{
	double I = in->alb_interval_ms, D = in->dereg_delay_ms;
	double i = in->interval_ms, t = in->timeout_ms;
	double C = in->drain_timeout_ms, W = in->drain_window_ms;
	double H = in->alb_healthy, U = in->alb_unhealthy;
	double rr = in->rise, f = in->fall, F = in->drain_fall;
	double L = in->linger_ms, P = PLAN_WAITER_POLL_MS;
	double xw, xt;
	struct stop_cost sc;
	bool sup = in->supervisor;

	figure(r, PLAN_FIGURE_START_TO_ROUTING, "start_to_routing", PLAN_PLATFORM_ANY,
	    "task start -> ALB routing",
	    rr * i + t + H * I, (rr - 0.5) * i + (H - 0.5) * I,
	    "r*i + t + H*I", "(r-1/2)*i + (H-1/2)*I");
	figure(r, PLAN_FIGURE_FAIL_TO_UNROUTED, "fail_to_unrouted", PLAN_PLATFORM_ANY,
	    "app failing -> ALB not routing",
	    f * i + t + U * I, (f - 0.5) * i + (U - 0.5) * I,
	    "f*i + t + U*I", "(f-1/2)*i + (U-1/2)*I");
	figure(r, PLAN_FIGURE_FAIL_TO_503, "fail_to_503", PLAN_PLATFORM_ANY,
	    "of which healthgate (to 503)",
	    f * i + t, (f - 0.5) * i,
	    "f*i + t", "(f-1/2)*i");

	/* ECS: the ALB's last probe came before the deregistration. */
	figure(r, PLAN_FIGURE_ECS_TO_SIGTERM, "ecs_deregistered_to_sigterm", PLAN_PLATFORM_ECS,
	    "deregistered -> SIGTERM", D, D, "D", "D");
	xw = dmin(C, dmax(0, W - D));
	xt = dmin(C, dmax(0, W - D - I / 2));
	figure(r, PLAN_FIGURE_ECS_TO_EXIT, "ecs_sigterm_to_drain_end", PLAN_PLATFORM_ECS,
	    "SIGTERM -> drain ends", xw, xt,
	    "min(C, max(0, W-D))", "min(C, max(0, W-D-I/2))");
	sc = after_drain(in, xw, xt);
	figure(r, PLAN_FIGURE_ECS_REPLACEMENT, "ecs_task_replacement", PLAN_PLATFORM_ECS,
	    "one task replacement", D + sc.worst, D + sc.typical,
	    sup ? "D + min(x+L+A, S)" : "D + min(x, S) + S",
	    !sup ? "D + x" : in->traffic ? "D + x + Q" : "D + x + L");
	figure(r, PLAN_FIGURE_ECS_DEPLOY, "ecs_whole_deploy", PLAN_PLATFORM_ECS,
	    "whole rolling deploy",
	    r->fig[PLAN_FIGURE_START_TO_ROUTING].worst_ms +
	    r->fig[PLAN_FIGURE_ECS_REPLACEMENT].worst_ms,
	    r->fig[PLAN_FIGURE_START_TO_ROUTING].typical_ms +
	    r->fig[PLAN_FIGURE_ECS_REPLACEMENT].typical_ms,
	    "start + replacement", "start + replacement");
	figure(r, PLAN_FIGURE_ECS_DEPLOY_STEP, "ecs_deploy_step_waited", PLAN_PLATFORM_ECS,
	    "deploy step, waiting for stability",
	    r->fig[PLAN_FIGURE_ECS_DEPLOY].worst_ms + P,
	    r->fig[PLAN_FIGURE_ECS_DEPLOY].typical_ms + P / 2,
	    "deploy + P", "deploy + P/2");

	/* Routed: the ALB must see the 503s itself. */
	figure(r, PLAN_FIGURE_ROUTED_UNROUTED, "routed_sigterm_to_unrouted",
	    PLAN_PLATFORM_ROUTED, "SIGTERM -> ALB not routing",
	    U * I, (U - 0.5) * I, "U*I", "(U-1/2)*I");
	xw = dmin(C, dmax(F * I, W));
	xt = dmin(C, (F - 0.5) * I);
	figure(r, PLAN_FIGURE_ROUTED_TO_EXIT, "routed_sigterm_to_drain_end",
	    PLAN_PLATFORM_ROUTED, "SIGTERM -> drain ends", xw, xt,
	    "min(C, max(F*I, W))", "min(C, (F-1/2)*I)");
	figure(r, PLAN_FIGURE_ROUTED_APP_SIGNAL, "routed_sigterm_to_app_signal",
	    PLAN_PLATFORM_ROUTED, sup ? "SIGTERM -> app's stop signal" :
	    "SIGTERM -> app stopped (dependsOn)",
	    xw + (sup ? L : 0), xt + (sup ? typical_after(in) : 0),
	    sup ? "x + L" : "x", !sup ? "x" : in->traffic ? "x + Q" : "x + L");
	sc = after_drain(in, xw, xt);
	figure(r, PLAN_FIGURE_ROUTED_GONE, "routed_sigterm_to_gone", PLAN_PLATFORM_ROUTED,
	    "SIGTERM -> task gone", sc.worst, sc.typical,
	    sup ? "min(x+L+A, S)" : "min(x, S) + S",
	    !sup ? "x" : in->traffic ? "x + Q" : "x + L");
	r->peak_tasks = 2 * in->tasks;
}

static struct plan_finding *
finding(struct plan_result *r, enum plan_finding_id id, enum plan_level lv,
    enum plan_platform p, const char *key)
{
	struct plan_finding *c = &r->finding[r->nfindings++];

	c->id = id;
	c->level = lv;
	c->platform = p;
	c->key = key;
	if (lv == PLAN_LEVEL_CONTRADICTION)
		r->ncontra++;
	return c;
}

/* Durations for messages: a handful of formatted slots per call site. */
#define FMT(slot, ms)	(plan_format_setting((unsigned)(ms), b[slot], \
			    sizeof(b[slot])), b[slot])
#define FIG(slot, ms)	(plan_format_ms((ms), b[slot], sizeof(b[slot])), \
			    b[slot])

/* The stopTimeout, and where it came from. */
static const char *
stop_origin(const struct plan_input *in)
{
	if (in->stop_timeout_set)
		return "";
	return in->launch == PLAN_LAUNCH_EC2 ? " (no stopTimeout: the ECS "
	    "agent's ECS_CONTAINER_STOP_TIMEOUT, 30s unless set)" :
	    " (no stopTimeout: ECS's default)";
}

static void
contradictions(const struct plan_input *in, struct plan_result *r)
{
	char b[6][24];
	unsigned I = in->alb_interval_ms, C = in->drain_timeout_ms;
	unsigned S = in->stop_timeout_ms, D = in->dereg_delay_ms;
	unsigned U = in->alb_unhealthy, stop_fix, budget;
	bool fargate = in->launch == PLAN_LAUNCH_FARGATE;
	struct plan_finding *c;

	/* What must fit in S: the cap, and in supervisor mode the app's. */
	budget = C + (in->supervisor ? in->linger_ms + in->app_stop_timeout_ms
	    : 0);
	/* A stop timeout that outlasts both that and the delay... */
	stop_fix = umax(budget, D) + STOP_MARGIN_MS;
	/* ...or, where Fargate cannot go that far, just the budget. */
	if (fargate && stop_fix > PLAN_FARGATE_STOP_MAX_MS)
		stop_fix = budget + STOP_MARGIN_MS;

	if (in->alb_timeout_ms >= I) {
		c = finding(r, PLAN_FINDING_ALB_TIMEOUT, PLAN_LEVEL_CONTRADICTION, PLAN_PLATFORM_ANY,
		    "alb_timeout_not_below_interval");
		snprintf(c->problem, sizeof(c->problem), "ALB health check "
		    "timeout %s is not below its interval %s: the target "
		    "group refuses it", FMT(0, in->alb_timeout_ms), FMT(1, I));
		snprintf(c->fix, sizeof(c->fix), "set HealthCheckTimeoutSeconds "
		    "(--alb-timeout) below the interval, e.g. %s",
		    FMT(0, whole_s(I / 2.0, 2000)));
	}
	if (in->timeout_ms >= in->interval_ms) {
		c = finding(r, PLAN_FINDING_CHECK_TIMEOUT, PLAN_LEVEL_CONTRADICTION, PLAN_PLATFORM_ANY,
		    "check_timeout_not_below_interval");
		snprintf(c->problem, sizeof(c->problem), "healthgate's check "
		    "timeout %s is not below its interval %s: a check would "
		    "still be running when the next is due",
		    FMT(0, in->timeout_ms), FMT(1, in->interval_ms));
		snprintf(c->fix, sizeof(c->fix), "set --timeout below "
		    "--interval, e.g. %s", FMT(0, in->interval_ms / 2.0));
	}
	if (fargate && S > PLAN_FARGATE_STOP_MAX_MS) {
		c = finding(r, PLAN_FINDING_FARGATE_STOP_MAX, PLAN_LEVEL_CONTRADICTION,
		    PLAN_PLATFORM_ANY, "stop_timeout_above_fargate_max");
		snprintf(c->problem, sizeof(c->problem), "stopTimeout %s is "
		    "above Fargate's maximum of 120s: ECS will not give a "
		    "Fargate container longer, and a Spot task is stopped two "
		    "minutes after its warning", FMT(0, S));
		snprintf(c->fix, sizeof(c->fix), "set stopTimeout "
		    "(--stop-timeout) to at most 120, above %s; or, on EC2, "
		    "say --launch-type ec2", FMT(0, budget));
	}
	if (budget >= S) {
		c = finding(r, PLAN_FINDING_SIGKILL, PLAN_LEVEL_CONTRADICTION, PLAN_PLATFORM_ROUTED,
		    "drain_cap_not_below_stop_timeout");
		if (in->supervisor)
			snprintf(c->problem, sizeof(c->problem), "drain cap "
			    "%s + linger %s + the app's stop timeout %s = %s "
			    "is not below the stop timeout %s%s: SIGKILL comes "
			    "before the app has had its time to stop",
			    FMT(0, C), FMT(1, in->linger_ms),
			    FMT(2, in->app_stop_timeout_ms), FMT(3, budget),
			    FMT(4, S), stop_origin(in));
		else
			snprintf(c->problem, sizeof(c->problem), "drain cap "
			    "%s is not below the stop timeout %s%s: SIGKILL "
			    "comes at %s and cuts the drain short, while the "
			    "ALB may still route to the task", FMT(0, C),
			    FMT(1, S), stop_origin(in), FMT(2, S));
		if (fargate && budget + 1000u > PLAN_FARGATE_STOP_MAX_MS)
			snprintf(c->fix, sizeof(c->fix), "lower %s: Fargate's "
			    "stopTimeout cannot exceed 120s",
			    in->supervisor ? "--drain-timeout, --drain-linger "
			    "or the daemon's --stop-timeout (plan's "
			    "--app-stop-timeout)" : "--drain-timeout");
		else
			snprintf(c->fix, sizeof(c->fix), "set stopTimeout "
			    "(--stop-timeout) in every container to %s, or "
			    "lower %s below %s", FMT(0, stop_fix),
			    in->supervisor ? "the sum" : "--drain-timeout",
			    FMT(1, S));
	}
	if (S <= D) {
		c = finding(r, PLAN_FINDING_STOP_BELOW_DEREG, PLAN_LEVEL_CONTRADICTION,
		    PLAN_PLATFORM_ROUTED, "stop_timeout_not_above_deregistration_delay");
		snprintf(c->problem, sizeof(c->problem), "stop timeout %s%s is "
		    "not above the deregistration delay %s: a task stopped "
		    "without being deregistered first (Fargate Spot, a stop "
		    "outside the service) is killed before a request the "
		    "delay allows for can finish", FMT(0, S), stop_origin(in),
		    FMT(1, D));
		if (!fargate || umax(budget, D) + STOP_MARGIN_MS <=
		    PLAN_FARGATE_STOP_MAX_MS)
			snprintf(c->fix, sizeof(c->fix), "raise --stop-timeout "
			    "(stopTimeout) to %s, or lower the deregistration "
			    "delay to what your slowest request needs",
			    FMT(0, umax(budget, D) + STOP_MARGIN_MS));
		else
			snprintf(c->fix, sizeof(c->fix), "lower the "
			    "deregistration delay to what your slowest request "
			    "needs (Fargate allows a stop timeout of at most "
			    "120s)");
	}
	if ((double)C < (double)U * I) {
		c = finding(r, PLAN_FINDING_CAP_BELOW_DETECT, PLAN_LEVEL_CONTRADICTION,
		    PLAN_PLATFORM_ROUTED, "drain_cap_below_alb_detection");
		snprintf(c->problem, sizeof(c->problem), "drain cap %s is "
		    "shorter than the ALB's worst time to see the 503s, "
		    "unhealthy %u x interval %s = %s: healthgate may end its "
		    "drain, and the app be stopped, while the ALB still routes "
		    "to it", FMT(0, C), U, FMT(1, I), FMT(2, (double)U * I));
		if (C / U >= 5000u)
			snprintf(c->fix, sizeof(c->fix), "raise --drain-timeout "
			    "to %s (and the stop timeout above it), or shorten "
			    "the ALB interval to %s", FMT(0, (double)U * I),
			    FMT(1, whole_s((double)C / U, 5000)));
		else
			snprintf(c->fix, sizeof(c->fix), "raise --drain-timeout "
			    "to %s (and the stop timeout above it)",
			    FMT(0, (double)U * I));
	}
	if (in->drain_fall < U) {
		c = finding(r, PLAN_FINDING_DRAIN_FALL, PLAN_LEVEL_CONTRADICTION, PLAN_PLATFORM_ROUTED,
		    "drain_fall_below_alb_unhealthy");
		snprintf(c->problem, sizeof(c->problem), "--drain-fall %u is "
		    "below the ALB unhealthy threshold %u: healthgate may end "
		    "its drain after serving a prober %u 503s, before that ALB "
		    "node has marked the target unhealthy", in->drain_fall, U,
		    in->drain_fall);
		snprintf(c->fix, sizeof(c->fix), "set --drain-fall "
		    "(HEALTHGATE_DRAIN_FALL) to %u, the ALB's unhealthy "
		    "threshold", U);
	}
	if (in->drain_window_ms <= I) {
		c = finding(r, PLAN_FINDING_WINDOW, PLAN_LEVEL_CONTRADICTION, PLAN_PLATFORM_ROUTED,
		    "drain_window_not_above_alb_interval");
		snprintf(c->problem, sizeof(c->problem), "--drain-window %s is "
		    "not above the ALB interval %s: an ALB node polling every "
		    "%s may not have asked within the window before SIGTERM, "
		    "so the drain does not wait for it",
		    FMT(0, in->drain_window_ms), FMT(1, I), FMT(2, I));
		snprintf(c->fix, sizeof(c->fix), "set --drain-window to at "
		    "least %s (1.5 x the ALB interval), or shorten the ALB "
		    "interval below %s%s", FMT(0, I * 1.5),
		    FMT(1, in->drain_window_ms), I * 1.5 > D ? "; a window "
		    "above the deregistration delay makes every ECS stop wait "
		    "W - D for probers that are gone" : "");
	}
	if (!in->supervisor && in->depends_on_app == PLAN_KNOWN_NO) {
		c = finding(r, PLAN_FINDING_NO_DEPENDS_ON, PLAN_LEVEL_CONTRADICTION,
		    PLAN_PLATFORM_ROUTED, "sidecar_without_depends_on_app");
		snprintf(c->problem, sizeof(c->problem), "the healthgate "
		    "container does not dependsOn the app: ECS stops "
		    "containers in the reverse of their dependency order, so "
		    "without one it stops the app together with healthgate, "
		    "while the ALB may still route to it");
		snprintf(c->fix, sizeof(c->fix), "give the healthgate "
		    "container \"dependsOn\": [{\"containerName\": APP, "
		    "\"condition\": \"START\"}], or run the app under "
		    "healthgate (healthgate [options] -- APP)");
	}
	if (in->check_uses_live == PLAN_KNOWN_NO) {
		c = finding(r, PLAN_FINDING_CHECK_NOT_LIVE, PLAN_LEVEL_CONTRADICTION,
		    PLAN_PLATFORM_ANY, "container_check_not_live");
		snprintf(c->problem, sizeof(c->problem), "the container health "
		    "check asks healthgate's /health (probe's default), which "
		    "is 503 while the app is down and through every drain: ECS "
		    "marks the container unhealthy and replaces the task for "
		    "what the ALB should see");
		snprintf(c->fix, sizeof(c->fix), "use [\"CMD\", "
		    "\"/healthgate\", \"probe\", \"/live\"]: /live is 200 as "
		    "long as healthgate runs");
	}
}

static void
slow_settings(const struct plan_input *in, struct plan_result *r)
{
	char b[6][24];
	double I = in->alb_interval_ms, H = in->alb_healthy;
	double U = in->alb_unhealthy, D = in->dereg_delay_ms;
	double W = in->drain_window_ms;
	struct plan_finding *c;

	if (D > SLOW_DEREG_MS) {
		char wait[32];

		if ((unsigned)D % 60000u == 0)
			snprintf(wait, sizeof(wait), "%u minute%s",
			    (unsigned)D / 60000u, D == 60000 ? "" : "s");
		else
			plan_format_ms(D, wait, sizeof(wait));
		c = finding(r, PLAN_FINDING_SLOW_DEREG, PLAN_LEVEL_SLOW, PLAN_PLATFORM_ECS,
		    "deregistration_delay_slow");
		snprintf(c->problem, sizeof(c->problem), "deregistration delay "
		    "%s%s: ECS sends SIGTERM only when the target is unused, "
		    "which the ALB reports when the whole delay is over, so "
		    "each task stop waits %s: %s of the %s one task "
		    "replacement typically takes", FMT(0, D),
		    D == PLAN_DEREG_DELAY_MS ? " (the ALB default)" : "", wait,
		    FMT(1, D), FIG(2, r->fig[PLAN_FIGURE_ECS_REPLACEMENT].typical_ms));
		snprintf(c->fix, sizeof(c->fix), "set "
		    "deregistration_delay.timeout_seconds to your slowest "
		    "request plus a margin: 30 when requests take seconds, 5 "
		    "when they take under one (AWS's advice)");
	}
	if (I > SLOW_INTERVAL_MS) {
		c = finding(r, PLAN_FINDING_SLOW_INTERVAL, PLAN_LEVEL_SLOW, PLAN_PLATFORM_ANY,
		    "alb_interval_slow");
		snprintf(c->problem, sizeof(c->problem), "ALB interval %s: a "
		    "new task waits (H-1/2) x I = %s typically before the ALB "
		    "routes to it, and a failing or signalled one keeps its "
		    "traffic for (U-1/2) x I = %s", FMT(0, I),
		    FIG(1, (H - 0.5) * I), FIG(2, (U - 0.5) * I));
		snprintf(c->fix, sizeof(c->fix), "set "
		    "HealthCheckIntervalSeconds to 10 (--alb-interval 10s; 5 "
		    "is the least): healthgate answers the probes from memory, "
		    "so more of them cost it nothing; at 10s those are %s and "
		    "%s",
		    FIG(3, (H - 0.5) * 10000.0), FIG(4, (U - 0.5) * 10000.0));
	}
	if (H > FAST_THRESHOLD) {
		c = finding(r, PLAN_FINDING_SLOW_HEALTHY, PLAN_LEVEL_SLOW, PLAN_PLATFORM_ANY,
		    "alb_healthy_threshold_slow");
		snprintf(c->problem, sizeof(c->problem), "ALB healthy threshold "
		    "%.0f: a new task needs %.0f passing checks, (H-1/2) x I = "
		    "%s typically, before the ALB routes to it, and every "
		    "deploy waits for that: %s of the %s a whole deploy "
		    "typically takes", H, H, FIG(0, (H - 0.5) * I),
		    FIG(1, (H - 0.5) * I),
		    FIG(2, r->fig[PLAN_FIGURE_ECS_DEPLOY].typical_ms));
		snprintf(c->fix, sizeof(c->fix), "set HealthyThresholdCount to "
		    "2 (--alb-healthy 2, the least): healthgate's --rise "
		    "already decides when the app is up; saves (H-2) x I = %s "
		    "per deploy", FIG(3, (H - 2) * I));
	}
	if (U > FAST_THRESHOLD) {
		c = finding(r, PLAN_FINDING_SLOW_UNHEALTHY, PLAN_LEVEL_SLOW, PLAN_PLATFORM_ROUTED,
		    "alb_unhealthy_threshold_slow");
		snprintf(c->problem, sizeof(c->problem), "ALB unhealthy "
		    "threshold %.0f: a failing or signalled task keeps its "
		    "traffic for up to U x I = %s, and the drain must last as "
		    "long", U, FIG(0, U * I));
		snprintf(c->fix, sizeof(c->fix), "set UnhealthyThresholdCount "
		    "to 2 (--alb-unhealthy 2, the least) and --drain-fall to "
		    "match: healthgate's --fall already absorbs blips");
	}
	if (in->alb_timeout_ms > SLOW_ALB_TIMEOUT_MS &&
	    in->alb_timeout_ms < in->alb_interval_ms) {
		c = finding(r, PLAN_FINDING_SLOW_ALB_TIMEOUT, PLAN_LEVEL_SLOW, PLAN_PLATFORM_ANY,
		    "alb_timeout_slow");
		snprintf(c->problem, sizeof(c->problem), "ALB timeout %s: "
		    "healthgate answers in milliseconds, so a longer timeout "
		    "only matters for a hung task, which the ALB then sees %s "
		    "later on each of its U checks", FMT(0,
		    in->alb_timeout_ms), FMT(1, in->alb_timeout_ms));
		snprintf(c->fix, sizeof(c->fix), "set "
		    "HealthCheckTimeoutSeconds to 5 (--alb-timeout 5s) or "
		    "less, 2 at the least");
	}
	if (W > D) {
		c = finding(r, PLAN_FINDING_WINDOW_OVER_DEREG, PLAN_LEVEL_SLOW, PLAN_PLATFORM_ECS,
		    "drain_window_outlasts_deregistration_delay");
		snprintf(c->problem, sizeof(c->problem), "--drain-window %s "
		    "outlasts the deregistration delay %s: at ECS's SIGTERM "
		    "the ALB's last probes are still within the window, so "
		    "healthgate waits up to W - D = %s for their silence on "
		    "every ECS stop", FMT(0, W), FMT(1, D),
		    FIG(2, r->fig[PLAN_FIGURE_ECS_TO_EXIT].worst_ms));
		snprintf(c->fix, sizeof(c->fix), "make the deregistration "
		    "delay at least the window (%s), or the window shorter "
		    "than the delay (but above the ALB interval)", FMT(0, W));
	}
}

static void
notes(const struct plan_input *in, struct plan_result *r)
{
	char b[6][24];
	double I = in->alb_interval_ms, C = in->drain_timeout_ms;
	double F = in->drain_fall, W = in->drain_window_ms;
	struct plan_finding *c;

	if (!in->stop_timeout_set) {
		c = finding(r, PLAN_FINDING_STOP_DEFAULTED, PLAN_LEVEL_NOTE, PLAN_PLATFORM_ANY,
		    "stop_timeout_defaulted");
		snprintf(c->problem, sizeof(c->problem), "no stopTimeout is "
		    "set: %s, and the figures use %s",
		    in->launch == PLAN_LAUNCH_EC2 ? "ECS uses the agent's "
		    "ECS_CONTAINER_STOP_TIMEOUT, 30s unless set" : "ECS gives "
		    "each container 30s", FMT(0, in->stop_timeout_ms));
		snprintf(c->fix, sizeof(c->fix), "set stopTimeout in every "
		    "container definition (Fargate: at most 120), above the "
		    "drain cap; --stop-timeout tells plan");
	}
	c = finding(r, PLAN_FINDING_ECS_DRAIN_MOOT, PLAN_LEVEL_NOTE, PLAN_PLATFORM_ECS,
	    "ecs_drain_after_deregistration");
	snprintf(c->problem, sizeof(c->problem), "the ECS figures take the "
	    "ALB to stop probing a target once it is draining, which AWS "
	    "does not document either way; if it keeps probing, each ECS "
	    "stop also waits out the drain, up to min(C, max(F*I, W)) = %s, "
	    "which protects nothing: a draining target gets no new requests",
	    FIG(0, dmin(C, dmax(F * I, W))));
	snprintf(c->fix, sizeof(c->fix), "healthgate's drain_end log line "
	    "tells which: watched=0 (reason idle) means the ALB had stopped "
	    "probing; the cap bounds the cost either way");
	if (!in->supervisor) {
		c = finding(r, PLAN_FINDING_SIDECAR_ROUTED, PLAN_LEVEL_NOTE, PLAN_PLATFORM_ROUTED,
		    "sidecar_app_stopped_by_orchestrator");
		snprintf(c->problem, sizeof(c->problem), "healthgate runs as a "
		    "sidecar: the app must keep serving until healthgate "
		    "exits. ECS does that through dependsOn; docker stop, "
		    "Compose and systemd signal the app at once, while the ALB "
		    "routes to it for up to %s", FIG(0,
		    r->fig[PLAN_FIGURE_ROUTED_UNROUTED].worst_ms));
		snprintf(c->fix, sizeof(c->fix), "there, run the app under "
		    "healthgate: healthgate [options] -- APP stops it only "
		    "after the drain (and --drain-linger)");
	}
	c = finding(r, PLAN_FINDING_WAIT_STABILITY, PLAN_LEVEL_NOTE, PLAN_PLATFORM_ECS,
	    "wait_for_service_stability");
	if (in->wait_stability) {
		snprintf(c->problem, sizeof(c->problem), "a deploy step with "
		    "wait-for-service-stability: true holds the pipeline for "
		    "the whole deploy plus the waiter's 15s polling, %s "
		    "typically, %s at worst (and task launch)",
		    FIG(0, r->fig[PLAN_FIGURE_ECS_DEPLOY_STEP].typical_ms),
		    FIG(1, r->fig[PLAN_FIGURE_ECS_DEPLOY_STEP].worst_ms));
		snprintf(c->fix, sizeof(c->fix), "keep it: with it off the step "
		    "ends in seconds, but the pipeline passes a deploy whose "
		    "new tasks never turn healthy (ECS keeps retrying or rolls "
		    "back unseen); shorten the deploy instead");
	} else {
		snprintf(c->problem, sizeof(c->problem), "the deploy step does "
		    "not wait for service stability: it ends in seconds, and "
		    "the pipeline passes a deploy whose new tasks never turn "
		    "healthy");
		snprintf(c->fix, sizeof(c->fix), "set "
		    "wait-for-service-stability: true; with these settings "
		    "the wait costs %s typically, %s at worst",
		    FIG(0, r->fig[PLAN_FIGURE_ECS_DEPLOY_STEP].typical_ms),
		    FIG(1, r->fig[PLAN_FIGURE_ECS_DEPLOY_STEP].worst_ms));
	}
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
 * A gRPC target group asks healthgate's gRPC port: only --grpc-listen
 * answers it, and its matcher must take healthgate's healthy answer on
 * that path (0 on Health/Check, 12 elsewhere) and never its failed one
 * (14), or the ALB misreads every verdict and every drain.
 */
static void
grpc_contradictions(const struct plan_input *in, struct plan_result *r)
{
	const char *path = in->tg_path[0] ? in->tg_path : PLAN_GRPC_PATH;
	const char *codes = in->tg_grpc_codes[0] ? in->tg_grpc_codes :
	    PLAN_GRPC_CODES;
	bool check = strcmp(path, "/grpc.health.v1.Health/Check") == 0;
	bool watch = strcmp(path, "/grpc.health.v1.Health/Watch") == 0;
	unsigned ok = check ? 0 : 12;
	struct plan_finding *c;

	if (!in->tg_grpc)
		return;
	if (!in->grpc_listen) {
		c = finding(r, PLAN_FINDING_GRPC_NO_LISTEN,
		    PLAN_LEVEL_CONTRADICTION, PLAN_PLATFORM_ANY,
		    "grpc_target_group_without_grpc_listen");
		snprintf(c->problem, sizeof(c->problem), "the target group "
		    "checks its targets with gRPC (ProtocolVersion GRPC), and "
		    "healthgate has no --grpc-listen: /health speaks HTTP/1.1 "
		    "and cannot answer a gRPC health check, so no target is "
		    "ever healthy");
		snprintf(c->fix, sizeof(c->fix), "run healthgate with "
		    "--grpc-listen :PORT (HEALTHGATE_GRPC_LISTEN) and set the "
		    "target group's HealthCheckPort to PORT");
	}
	if (watch || plan_grpc_code_in(codes, 14) == 1 ||
	    plan_grpc_code_in(codes, ok) != 1) {
		c = finding(r, PLAN_FINDING_GRPC_MATCHER,
		    PLAN_LEVEL_CONTRADICTION, PLAN_PLATFORM_ANY,
		    "grpc_matcher_misreads_healthgate");
		if (watch)
			snprintf(c->problem, sizeof(c->problem), "the target "
			    "group asks %s, which healthgate answers 12 "
			    "(UNIMPLEMENTED) whatever its verdict: the ALB "
			    "cannot see a failure or a drain", path);
		else if (plan_grpc_code_in(codes, 14) == 1)
			snprintf(c->problem, sizeof(c->problem), "Matcher "
			    "GrpcCode %s includes 14 (UNAVAILABLE), healthgate's "
			    "failed answer: the ALB reads a failing, maintained "
			    "or draining target as healthy, and the drain never "
			    "takes it out", codes);
		else
			snprintf(c->problem, sizeof(c->problem), "Matcher "
			    "GrpcCode %s leaves out %u, healthgate's healthy "
			    "answer on %s: no target is ever healthy", codes,
			    ok, path);
		snprintf(c->fix, sizeof(c->fix), "GrpcCode 12 with "
		    "HealthCheckPath /AWS.ALB/healthcheck (AWS's defaults), "
		    "or GrpcCode 0 with /grpc.health.v1.Health/Check");
	}
}

void
plan_compute(const struct plan_input *in, struct plan_result *r)
{
	memset(r, 0, sizeof(*r));
	figures(in, r);
	contradictions(in, r);
	grpc_contradictions(in, r);
	slow_settings(in, r);
	notes(in, r);
}
