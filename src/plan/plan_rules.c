/*
 * plan_rules.c: plan's findings, one row each (see plan_rules.h): the
 * contradictions first (settings that defeat each other: plan exits 1),
 * then the slow settings with their fixes, then the notes on what the
 * figures assume. Each row's function reads the settings and the figures
 * plan.c computed, and says why and how in numbers. Sources for the AWS
 * limits quoted here are in plan.c's opening comment.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "plan/plan.h"
#include "plan/plan_rules.h"

#define SEC		1000.0
#define STOP_MARGIN_MS	15000u	/* stopTimeout above the longer wait */
#define SLOW_DEREG_MS	60000u	/* above this, the delay is the deploy */
#define SLOW_INTERVAL_MS 10000u
#define SLOW_ALB_TIMEOUT_MS 5000u
#define FAST_THRESHOLD	2u	/* the ALB's minimum for both thresholds */

void
plan_rules_say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static unsigned
plan_rules_umax(unsigned a, unsigned b)
{
	return a > b ? a : b;
}

/* Whole seconds, at least lo, for suggested values the ALB accepts. */
static unsigned
plan_rules_whole_s(double ms, unsigned lo_ms)
{
	unsigned v = (unsigned)(ms / SEC) * 1000u;

	return v < lo_ms ? lo_ms : v;
}

static bool
plan_rules_fargate(const struct plan_input *in)
{
	return in->launch == PLAN_LAUNCH_FARGATE;
}

/* What must fit in S: the cap, and in supervisor mode the app's. */
static unsigned
plan_rules_budget(const struct plan_input *in)
{
	return in->drain_timeout_ms + (in->supervisor ? in->linger_ms +
	    in->app_stop_timeout_ms : 0);
}

/*
 * A stop timeout that outlasts both the budget and the delay; or, where
 * Fargate cannot go that far, just the budget.
 */
static unsigned
plan_rules_stop_fix(const struct plan_input *in)
{
	unsigned budget = plan_rules_budget(in);
	unsigned fix = plan_rules_umax(budget, in->dereg_delay_ms) +
	    STOP_MARGIN_MS;

	if (plan_rules_fargate(in) && fix > PLAN_FARGATE_STOP_MAX_MS)
		fix = budget + STOP_MARGIN_MS;
	return fix;
}

/* The stopTimeout, and where it came from. */
static const char *
plan_rules_stop_origin(const struct plan_input *in)
{
	if (in->stop_timeout_set)
		return "";
	return in->launch == PLAN_LAUNCH_EC2 ? " (no stopTimeout: the ECS "
	    "agent's ECS_CONTAINER_STOP_TIMEOUT, 30s unless set)" :
	    " (no stopTimeout: ECS's default)";
}

/* --- contradictions ------------------------------------------------ */

static bool
plan_rules_alb_timeout(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	char b[2][24];
	unsigned I = in->alb_interval_ms;

	(void)r;
	if (in->alb_timeout_ms < I)
		return false;
	PROBLEM(f, "ALB health check timeout %s is not below its interval %s: "
	    "the target group refuses it", FMT(0, in->alb_timeout_ms),
	    FMT(1, I));
	FIX(f, "set HealthCheckTimeoutSeconds (--alb-timeout) below the "
	    "interval, e.g. %s", FMT(0, plan_rules_whole_s(I / 2.0, 2000)));
	return true;
}

static bool
plan_rules_check_timeout(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	char b[2][24];

	(void)r;
	if (in->timeout_ms < in->interval_ms)
		return false;
	PROBLEM(f, "healthgate's check timeout %s is not below its interval "
	    "%s: a check would still be running when the next is due",
	    FMT(0, in->timeout_ms), FMT(1, in->interval_ms));
	FIX(f, "set --timeout below --interval, e.g. %s",
	    FMT(0, in->interval_ms / 2.0));
	return true;
}

static bool
plan_rules_fargate_stop_max(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	char b[1][24];

	(void)r;
	if (!plan_rules_fargate(in) ||
	    in->stop_timeout_ms <= PLAN_FARGATE_STOP_MAX_MS)
		return false;
	PROBLEM(f, "stopTimeout %s is above Fargate's maximum of 120s: ECS "
	    "will not give a Fargate container longer, and a Spot task is "
	    "stopped two minutes after its warning",
	    FMT(0, in->stop_timeout_ms));
	FIX(f, "set stopTimeout (--stop-timeout) to at most 120, above %s; "
	    "or, on EC2, say --launch-type ec2",
	    FMT(0, plan_rules_budget(in)));
	return true;
}

static bool
plan_rules_sigkill(const struct plan_input *in, const struct plan_result *r,
    struct plan_finding *f)
{
	char b[5][24];
	unsigned C = in->drain_timeout_ms, S = in->stop_timeout_ms;
	unsigned budget = plan_rules_budget(in);

	(void)r;
	if (budget < S)
		return false;
	if (in->supervisor)
		PROBLEM(f, "drain cap %s + linger %s + the app's stop timeout "
		    "%s = %s is not below the stop timeout %s%s: SIGKILL comes "
		    "before the app has had its time to stop", FMT(0, C),
		    FMT(1, in->linger_ms), FMT(2, in->app_stop_timeout_ms),
		    FMT(3, budget), FMT(4, S), plan_rules_stop_origin(in));
	else
		PROBLEM(f, "drain cap %s is not below the stop timeout %s%s: "
		    "SIGKILL comes at %s and cuts the drain short, while the "
		    "ALB may still route to the task", FMT(0, C), FMT(1, S),
		    plan_rules_stop_origin(in), FMT(2, S));
	if (plan_rules_fargate(in) && budget + 1000u > PLAN_FARGATE_STOP_MAX_MS)
		FIX(f, "lower %s: Fargate's stopTimeout cannot exceed 120s",
		    in->supervisor ? "--drain-timeout, --drain-linger or the "
		    "daemon's --stop-timeout (plan's --app-stop-timeout)" :
		    "--drain-timeout");
	else
		FIX(f, "set stopTimeout (--stop-timeout) in every container to "
		    "%s, or lower %s below %s", FMT(0, plan_rules_stop_fix(in)),
		    in->supervisor ? "the sum" : "--drain-timeout", FMT(1, S));
	return true;
}

static bool
plan_rules_stop_below_dereg(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	char b[2][24];
	unsigned S = in->stop_timeout_ms, D = in->dereg_delay_ms;
	unsigned want = plan_rules_umax(plan_rules_budget(in), D) +
	    STOP_MARGIN_MS;

	(void)r;
	if (S > D)
		return false;
	PROBLEM(f, "stop timeout %s%s is not above the deregistration delay "
	    "%s: a task stopped without being deregistered first (Fargate "
	    "Spot, a stop outside the service) is killed before a request the "
	    "delay allows for can finish", FMT(0, S),
	    plan_rules_stop_origin(in), FMT(1, D));
	if (!plan_rules_fargate(in) || want <= PLAN_FARGATE_STOP_MAX_MS)
		FIX(f, "raise --stop-timeout (stopTimeout) to %s, or lower the "
		    "deregistration delay to what your slowest request needs",
		    FMT(0, want));
	else
		FIX(f, "lower the deregistration delay to what your slowest "
		    "request needs (Fargate allows a stop timeout of at most "
		    "120s)");
	return true;
}

static bool
plan_rules_cap_below_detect(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	char b[3][24];
	unsigned I = in->alb_interval_ms, C = in->drain_timeout_ms;
	unsigned U = in->alb_unhealthy;

	(void)r;
	if ((double)C >= (double)U * I)
		return false;
	PROBLEM(f, "drain cap %s is shorter than the ALB's worst time to see "
	    "the 503s, unhealthy %u x interval %s = %s: healthgate may end its "
	    "drain, and the app be stopped, while the ALB still routes to it",
	    FMT(0, C), U, FMT(1, I), FMT(2, (double)U * I));
	if (C / U >= 5000u)
		FIX(f, "raise --drain-timeout to %s (and the stop timeout "
		    "above it), or shorten the ALB interval to %s",
		    FMT(0, (double)U * I),
		    FMT(1, plan_rules_whole_s((double)C / U, 5000)));
	else
		FIX(f, "raise --drain-timeout to %s (and the stop timeout "
		    "above it)", FMT(0, (double)U * I));
	return true;
}

static bool
plan_rules_drain_fall(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	unsigned U = in->alb_unhealthy;

	(void)r;
	if (in->drain_fall >= U)
		return false;
	PROBLEM(f, "--drain-fall %u is below the ALB unhealthy threshold %u: "
	    "healthgate may end its drain after serving a prober %u 503s, "
	    "before that ALB node has marked the target unhealthy",
	    in->drain_fall, U, in->drain_fall);
	FIX(f, "set --drain-fall (HEALTHGATE_DRAIN_FALL) to %u, the ALB's "
	    "unhealthy threshold", U);
	return true;
}

static bool
plan_rules_window(const struct plan_input *in, const struct plan_result *r,
    struct plan_finding *f)
{
	char b[3][24];
	unsigned I = in->alb_interval_ms, W = in->drain_window_ms;

	(void)r;
	if (W > I)
		return false;
	PROBLEM(f, "--drain-window %s is not above the ALB interval %s: an ALB "
	    "node polling every %s may not have asked within the window "
	    "before SIGTERM, so the drain does not wait for it", FMT(0, W),
	    FMT(1, I), FMT(2, I));
	FIX(f, "set --drain-window to at least %s (1.5 x the ALB interval), "
	    "or shorten the ALB interval below %s%s", FMT(0, I * 1.5),
	    FMT(1, W), I * 1.5 > in->dereg_delay_ms ? "; a window above the "
	    "deregistration delay makes every ECS stop wait W - D for probers "
	    "that are gone" : "");
	return true;
}

static bool
plan_rules_no_depends_on(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	(void)r;
	if (in->supervisor || in->depends_on_app != PLAN_KNOWN_NO)
		return false;
	PROBLEM(f, "the healthgate container does not dependsOn the app: ECS "
	    "stops containers in the reverse of their dependency order, so "
	    "without one it stops the app together with healthgate, while "
	    "the ALB may still route to it");
	FIX(f, "give the healthgate container \"dependsOn\": "
	    "[{\"containerName\": APP, \"condition\": \"START\"}], or run the "
	    "app under healthgate (healthgate [options] -- APP)");
	return true;
}

static bool
plan_rules_check_not_live(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	(void)r;
	if (in->check_uses_live != PLAN_KNOWN_NO)
		return false;
	PROBLEM(f, "the container health check asks healthgate's /health "
	    "(probe's default), which is 503 while the app is down and "
	    "through every drain: ECS marks the container unhealthy and "
	    "replaces the task for what the ALB should see");
	FIX(f, "use [\"CMD\", \"/healthgate\", \"probe\", \"/live\"]: /live "
	    "is 200 as long as healthgate runs");
	return true;
}

/*
 * A gRPC target group asks healthgate's gRPC port: only --grpc-listen
 * answers it, and its matcher must take healthgate's healthy answer on
 * that path (0 on Health/Check, 12 elsewhere) and never its failed one
 * (14), or the ALB misreads every verdict and every drain.
 */
static bool
plan_rules_grpc_no_listen(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	(void)r;
	if (!in->tg_grpc || in->grpc_listen)
		return false;
	PROBLEM(f, "the target group checks its targets with gRPC "
	    "(ProtocolVersion GRPC), and healthgate has no --grpc-listen: "
	    "/health speaks HTTP/1.1 and cannot answer a gRPC health check, "
	    "so no target is ever healthy");
	FIX(f, "run healthgate with --grpc-listen :PORT "
	    "(HEALTHGATE_GRPC_LISTEN) and set the target group's "
	    "HealthCheckPort to PORT");
	return true;
}

static bool
plan_rules_grpc_matcher(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	const char *path = in->tg_path[0] ? in->tg_path : PLAN_GRPC_PATH;
	const char *codes = in->tg_grpc_codes[0] ? in->tg_grpc_codes :
	    PLAN_GRPC_CODES;
	bool check = strcmp(path, "/grpc.health.v1.Health/Check") == 0;
	bool watch = strcmp(path, "/grpc.health.v1.Health/Watch") == 0;
	unsigned ok = check ? 0 : 12;

	(void)r;
	if (!in->tg_grpc || !(watch || plan_grpc_code_in(codes, 14) == 1 ||
	    plan_grpc_code_in(codes, ok) != 1))
		return false;
	if (watch)
		PROBLEM(f, "the target group asks %s, which healthgate answers "
		    "12 (UNIMPLEMENTED) whatever its verdict: the ALB cannot "
		    "see a failure or a drain", path);
	else if (plan_grpc_code_in(codes, 14) == 1)
		PROBLEM(f, "Matcher GrpcCode %s includes 14 (UNAVAILABLE), "
		    "healthgate's failed answer: the ALB reads a failing, "
		    "maintained or draining target as healthy, and the drain "
		    "never takes it out", codes);
	else
		PROBLEM(f, "Matcher GrpcCode %s leaves out %u, healthgate's "
		    "healthy answer on %s: no target is ever healthy", codes,
		    ok, path);
	FIX(f, "GrpcCode 12 with HealthCheckPath /AWS.ALB/healthcheck (AWS's "
	    "defaults), or GrpcCode 0 with /grpc.health.v1.Health/Check");
	return true;
}

/* --- slow settings ------------------------------------------------- */

static bool
plan_rules_slow_dereg(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	char b[3][24], wait[32];
	double D = in->dereg_delay_ms;

	if (in->k8s.on)		/* no ECS stop waits for it there */
		return plan_rules_k8s_slow_dereg(in, r, f);
	if (D <= SLOW_DEREG_MS)
		return false;
	if ((unsigned)D % 60000u == 0)
		snprintf(wait, sizeof(wait), "%u minute%s",
		    (unsigned)D / 60000u, D == 60000 ? "" : "s");
	else
		plan_format_ms(D, wait, sizeof(wait));
	PROBLEM(f, "deregistration delay %s%s: ECS sends SIGTERM only when the "
	    "target is unused, which the ALB reports when the whole delay is "
	    "over, so each task stop waits %s: %s of the %s one task "
	    "replacement typically takes", FMT(0, D),
	    D == PLAN_DEREG_DELAY_MS ? " (the ALB default)" : "", wait,
	    FMT(1, D), FIG(2, r->fig[PLAN_FIGURE_ECS_REPLACEMENT].typical_ms));
	FIX(f, "set deregistration_delay.timeout_seconds to your slowest "
	    "request plus a margin: 30 when requests take seconds, 5 when they "
	    "take under one (AWS's advice)");
	return true;
}

static bool
plan_rules_slow_interval(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	char b[5][24];
	double I = in->alb_interval_ms, H = in->alb_healthy;
	double U = in->alb_unhealthy;

	(void)r;
	if (I <= SLOW_INTERVAL_MS)
		return false;
	PROBLEM(f, "ALB interval %s: a new task waits (H-1/2) x I = %s "
	    "typically before the ALB routes to it, and a failing or "
	    "signalled one keeps its traffic for (U-1/2) x I = %s", FMT(0, I),
	    FIG(1, (H - 0.5) * I), FIG(2, (U - 0.5) * I));
	FIX(f, "set HealthCheckIntervalSeconds to 10 (--alb-interval 10s; 5 "
	    "is the least): healthgate answers the probes from memory, so "
	    "more of them cost it nothing; at 10s those are %s and %s",
	    FIG(3, (H - 0.5) * 10000.0), FIG(4, (U - 0.5) * 10000.0));
	return true;
}

static bool
plan_rules_slow_healthy(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	char b[4][24];
	double I = in->alb_interval_ms, H = in->alb_healthy;

	if (in->k8s.on)		/* a rollout waits per pod, not per deploy */
		return plan_rules_k8s_slow_healthy(in, r, f);
	if (H <= FAST_THRESHOLD)
		return false;
	PROBLEM(f, "ALB healthy threshold %.0f: a new task needs %.0f passing "
	    "checks, (H-1/2) x I = %s typically, before the ALB routes to it, "
	    "and every deploy waits for that: %s of the %s a whole deploy "
	    "typically takes", H, H, FIG(0, (H - 0.5) * I),
	    FIG(1, (H - 0.5) * I),
	    FIG(2, r->fig[PLAN_FIGURE_ECS_DEPLOY].typical_ms));
	FIX(f, "set HealthyThresholdCount to 2 (--alb-healthy 2, the least): "
	    "healthgate's --rise already decides when the app is up; saves "
	    "(H-2) x I = %s per deploy", FIG(3, (H - 2) * I));
	return true;
}

static bool
plan_rules_slow_unhealthy(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	char b[1][24];
	double I = in->alb_interval_ms, U = in->alb_unhealthy;

	(void)r;
	if (U <= FAST_THRESHOLD)
		return false;
	PROBLEM(f, "ALB unhealthy threshold %.0f: a failing or signalled task "
	    "keeps its traffic for up to U x I = %s, and the drain must last "
	    "as long", U, FIG(0, U * I));
	FIX(f, "set UnhealthyThresholdCount to 2 (--alb-unhealthy 2, the "
	    "least) and --drain-fall to match: healthgate's --fall already "
	    "absorbs blips");
	return true;
}

static bool
plan_rules_slow_alb_timeout(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	char b[2][24];

	(void)r;
	if (in->alb_timeout_ms <= SLOW_ALB_TIMEOUT_MS ||
	    in->alb_timeout_ms >= in->alb_interval_ms)
		return false;
	PROBLEM(f, "ALB timeout %s: healthgate answers in milliseconds, so a "
	    "longer timeout only matters for a hung task, which the ALB then "
	    "sees %s later on each of its U checks",
	    FMT(0, in->alb_timeout_ms), FMT(1, in->alb_timeout_ms));
	FIX(f, "set HealthCheckTimeoutSeconds to 5 (--alb-timeout 5s) or "
	    "less, 2 at the least");
	return true;
}

static bool
plan_rules_window_over_dereg(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	char b[3][24];
	double D = in->dereg_delay_ms, W = in->drain_window_ms;

	if (W <= D)
		return false;
	PROBLEM(f, "--drain-window %s outlasts the deregistration delay %s: at "
	    "ECS's SIGTERM the ALB's last probes are still within the window, "
	    "so healthgate waits up to W - D = %s for their silence on every "
	    "ECS stop", FMT(0, W), FMT(1, D),
	    FIG(2, r->fig[PLAN_FIGURE_ECS_TO_EXIT].worst_ms));
	FIX(f, "make the deregistration delay at least the window (%s), or the "
	    "window shorter than the delay (but above the ALB interval)",
	    FMT(0, W));
	return true;
}

/* --- notes --------------------------------------------------------- */

static bool
plan_rules_stop_defaulted(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	char b[1][24];

	(void)r;
	if (in->stop_timeout_set)
		return false;
	PROBLEM(f, "no stopTimeout is set: %s, and the figures use %s",
	    in->launch == PLAN_LAUNCH_EC2 ? "ECS uses the agent's "
	    "ECS_CONTAINER_STOP_TIMEOUT, 30s unless set" : "ECS gives each "
	    "container 30s", FMT(0, in->stop_timeout_ms));
	FIX(f, "set stopTimeout in every container definition (Fargate: at "
	    "most 120), above the drain cap; --stop-timeout tells plan");
	return true;
}

/* Always: the routed drain, min(C, max(F*I, W)), is what it would cost. */
static bool
plan_rules_ecs_drain_moot(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	char b[1][24];

	(void)in;
	PROBLEM(f, "the ECS figures take the ALB to stop probing a target once "
	    "it is draining, which AWS does not document either way; if it "
	    "keeps probing, each ECS stop also waits out the drain, up to "
	    "min(C, max(F*I, W)) = %s, which protects nothing: a draining "
	    "target gets no new requests",
	    FIG(0, r->fig[PLAN_FIGURE_ROUTED_TO_EXIT].worst_ms));
	FIX(f, "healthgate's drain_end log line tells which: watched=0 (reason "
	    "idle) means the ALB had stopped probing; the cap bounds the cost "
	    "either way");
	return true;
}

static bool
plan_rules_sidecar_routed(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	char b[1][24];

	if (in->supervisor)
		return false;
	PROBLEM(f, "healthgate runs as a sidecar: the app must keep serving "
	    "until healthgate exits. ECS does that through dependsOn; docker "
	    "stop, Compose and systemd signal the app at once, while the ALB "
	    "routes to it for up to %s",
	    FIG(0, r->fig[PLAN_FIGURE_ROUTED_UNROUTED].worst_ms));
	FIX(f, "there, run the app under healthgate: healthgate [options] -- "
	    "APP stops it only after the drain (and --drain-linger)");
	return true;
}

/* Always: with the wait, what it costs; without, what it lets through. */
static bool
plan_rules_wait_stability(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f)
{
	char b[2][24];
	const struct plan_figure *step = &r->fig[PLAN_FIGURE_ECS_DEPLOY_STEP];

	if (in->wait_stability) {
		PROBLEM(f, "a deploy step with wait-for-service-stability: "
		    "true holds the pipeline for the whole deploy plus the "
		    "waiter's 15s polling, %s typically, %s at worst (and "
		    "task launch)",
		    FIG(0, step->typical_ms), FIG(1, step->worst_ms));
		FIX(f, "keep it: with it off the step ends in seconds, but the "
		    "pipeline passes a deploy whose new tasks never turn "
		    "healthy (ECS keeps retrying or rolls back unseen); "
		    "shorten the deploy instead");
	} else {
		PROBLEM(f, "the deploy step does not wait for service "
		    "stability: it ends in seconds, and the pipeline passes a "
		    "deploy whose new tasks never turn healthy");
		FIX(f, "set wait-for-service-stability: true; with these "
		    "settings the wait costs %s typically, %s at worst",
		    FIG(0, step->typical_ms), FIG(1, step->worst_ms));
	}
	return true;
}

/* --- the table ----------------------------------------------------- */

#define CONTRA		PLAN_LEVEL_CONTRADICTION
#define SLOW		PLAN_LEVEL_SLOW
#define NOTE		PLAN_LEVEL_NOTE
#define ANY		PLAN_PLATFORM_ANY
#define ECS		PLAN_PLATFORM_ECS
#define ROUTED		PLAN_PLATFORM_ROUTED
#define K8S		PLAN_PLATFORM_K8S

const struct plan_rule plan_rules[] = {
	{ PLAN_FINDING_ALB_TIMEOUT, CONTRA, ANY,
	    "alb_timeout_not_below_interval", plan_rules_alb_timeout },
	{ PLAN_FINDING_CHECK_TIMEOUT, CONTRA, ANY,
	    "check_timeout_not_below_interval", plan_rules_check_timeout },
	{ PLAN_FINDING_FARGATE_STOP_MAX, CONTRA, ANY,
	    "stop_timeout_above_fargate_max", plan_rules_fargate_stop_max },
	{ PLAN_FINDING_SIGKILL, CONTRA, ROUTED,
	    "drain_cap_not_below_stop_timeout", plan_rules_sigkill },
	{ PLAN_FINDING_STOP_BELOW_DEREG, CONTRA, ROUTED,
	    "stop_timeout_not_above_deregistration_delay",
	    plan_rules_stop_below_dereg },
	{ PLAN_FINDING_CAP_BELOW_DETECT, CONTRA, ROUTED,
	    "drain_cap_below_alb_detection", plan_rules_cap_below_detect },
	{ PLAN_FINDING_DRAIN_FALL, CONTRA, ROUTED,
	    "drain_fall_below_alb_unhealthy", plan_rules_drain_fall },
	{ PLAN_FINDING_WINDOW, CONTRA, ROUTED,
	    "drain_window_not_above_alb_interval", plan_rules_window },
	{ PLAN_FINDING_NO_DEPENDS_ON, CONTRA, ROUTED,
	    "sidecar_without_depends_on_app", plan_rules_no_depends_on },
	{ PLAN_FINDING_CHECK_NOT_LIVE, CONTRA, ANY,
	    "container_check_not_live", plan_rules_check_not_live },
	{ PLAN_FINDING_GRPC_NO_LISTEN, CONTRA, ANY,
	    "grpc_target_group_without_grpc_listen",
	    plan_rules_grpc_no_listen },
	{ PLAN_FINDING_GRPC_MATCHER, CONTRA, ANY,
	    "grpc_matcher_misreads_healthgate", plan_rules_grpc_matcher },
	{ PLAN_FINDING_K8S_GRACE, CONTRA, K8S,
	    "k8s_grace_period_below_stop", plan_rules_k8s_grace },
	{ PLAN_FINDING_K8S_SIDECAR_NO_WAIT, CONTRA, K8S,
	    "k8s_sidecar_prestop_does_not_wait", plan_rules_k8s_sidecar_no_wait },
	{ PLAN_FINDING_K8S_LIVENESS_HEALTH, CONTRA, K8S,
	    "k8s_liveness_on_health", plan_rules_k8s_liveness_health },
	{ PLAN_FINDING_K8S_READINESS_LIVE, CONTRA, K8S,
	    "k8s_readiness_on_live", plan_rules_k8s_readiness_live },
	{ PLAN_FINDING_K8S_NO_GATE, CONTRA, K8S,
	    "eks_no_readiness_gate", plan_rules_k8s_no_gate },
	{ PLAN_FINDING_K8S_DEREG_OVER_GRACE, CONTRA, K8S,
	    "eks_deregistration_delay_not_below_grace",
	    plan_rules_k8s_dereg_over_grace },
	{ PLAN_FINDING_SLOW_DEREG, SLOW, ECS,
	    "deregistration_delay_slow", plan_rules_slow_dereg },
	{ PLAN_FINDING_SLOW_INTERVAL, SLOW, ANY,
	    "alb_interval_slow", plan_rules_slow_interval },
	{ PLAN_FINDING_SLOW_HEALTHY, SLOW, ANY,
	    "alb_healthy_threshold_slow", plan_rules_slow_healthy },
	{ PLAN_FINDING_SLOW_UNHEALTHY, SLOW, ROUTED,
	    "alb_unhealthy_threshold_slow", plan_rules_slow_unhealthy },
	{ PLAN_FINDING_SLOW_ALB_TIMEOUT, SLOW, ANY,
	    "alb_timeout_slow", plan_rules_slow_alb_timeout },
	{ PLAN_FINDING_WINDOW_OVER_DEREG, SLOW, ECS,
	    "drain_window_outlasts_deregistration_delay",
	    plan_rules_window_over_dereg },
	{ PLAN_FINDING_K8S_PRESTOP_SLEEP, SLOW, K8S,
	    "k8s_prestop_sleep", plan_rules_k8s_prestop_sleep },
	{ PLAN_FINDING_K8S_READINESS_SLOW, SLOW, K8S,
	    "k8s_readiness_slow", plan_rules_k8s_readiness_slow },
	{ PLAN_FINDING_STOP_DEFAULTED, NOTE, ANY,
	    "stop_timeout_defaulted", plan_rules_stop_defaulted },
	{ PLAN_FINDING_ECS_DRAIN_MOOT, NOTE, ECS,
	    "ecs_drain_after_deregistration", plan_rules_ecs_drain_moot },
	{ PLAN_FINDING_SIDECAR_ROUTED, NOTE, ROUTED,
	    "sidecar_app_stopped_by_orchestrator", plan_rules_sidecar_routed },
	{ PLAN_FINDING_WAIT_STABILITY, NOTE, ECS,
	    "wait_for_service_stability", plan_rules_wait_stability },
	{ PLAN_FINDING_K8S_LAG, NOTE, K8S,
	    "k8s_endpoint_lag", plan_rules_k8s_lag },
	{ PLAN_FINDING_K8S_INSTANCE_MODE, NOTE, K8S,
	    "eks_target_type_instance", plan_rules_k8s_instance_mode },
	{ PLAN_FINDING_K8S_GRACE_DEFAULTED, NOTE, K8S,
	    "k8s_grace_period_defaulted", plan_rules_k8s_grace_defaulted },
};

const size_t plan_nrules = sizeof(plan_rules) / sizeof(plan_rules[0]);

/* One row per finding: a result holds PLAN_FINDING_COUNT of them. */
_Static_assert(sizeof(plan_rules) / sizeof(plan_rules[0]) ==
    PLAN_FINDING_COUNT, "one row in plan_rules[] per plan_finding_id");

void
plan_rules_apply(const struct plan_input *in, struct plan_result *r)
{
	for (size_t k = 0; k < plan_nrules; k++) {
		const struct plan_rule *row = &plan_rules[k];
		struct plan_finding *f = &r->finding[r->nfindings];

		memset(f, 0, sizeof(*f));
		/* A pod's rows for a pod, with the others that hold for it. */
		if (in->k8s.on ? !plan_rules_k8s_shows(in, row) :
		    row->platform == PLAN_PLATFORM_K8S)
			continue;
		if (!row->decide(in, r, f))
			continue;
		f->id = row->id;
		f->level = row->level;
		/* An ECS or routed row that holds for a pod is the pod's. */
		f->platform = in->k8s.on && row->platform != PLAN_PLATFORM_ANY ?
		    PLAN_PLATFORM_K8S : row->platform;
		f->key = row->key;
		if (in->k8s.on && row->platform != PLAN_PLATFORM_K8S)
			plan_rules_k8s_name(in, f);
		r->nfindings++;
		if (row->level == PLAN_LEVEL_CONTRADICTION)
			r->ncontra++;
	}
}
