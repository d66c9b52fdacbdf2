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
 *   the moment it arrives: the ALB's own timeout adds nothing. A healthgate
 *   check against the app takes up to its timeout t at worst, nothing
 *   typically (a 500 or a refusal comes back at once).
 * - On ECS the service deregisters a task and waits the whole deregistration
 *   delay (the target shows "draining" until it ends) before SIGTERM, then
 *   stops healthgate first (it dependsOn the app), then the app. A SIGTERM
 *   that arrives without a deregistration (a Fargate Spot interruption, a
 *   stop outside the service, docker or systemd) leaves it to the ALB's
 *   health checks to stop routing: that is the SIGTERM -> not routing row.
 * - After SIGTERM each watched ALB node must be served F 503s, at most F
 *   intervals away; a node that stopped asking is let go after W of
 *   silence; C caps it all.
 * - Rolling deploy at ECS's defaults (minimum 100 %, maximum 200 %): all N
 *   new tasks start at once, and all N old ones are deregistered and stopped
 *   together once the new ones are healthy, so N sets the peak (2N tasks),
 *   not the time. Task launch (placement, image pull) and the ALB's
 *   registration lag come on top and are not counted.
 */
#include <stdio.h>
#include <string.h>

#include "opts.h"
#include "plan.h"

#define SEC		1000.0
#define STOP_MARGIN_MS	15000u	/* stopTimeout above the longer wait */
#define FARGATE_STOP_MAX_MS 120000u	/* Fargate's largest stopTimeout */

const char *const plan_symbols[] = {
	"I  ALB health check interval   H, U  ALB healthy, unhealthy thresholds",
	"D  deregistration delay        S     ECS stop timeout",
	"i  healthgate check interval   t     healthgate check timeout",
	"r  --rise                      f     --fall",
	"C  --drain-timeout (the cap)   F, W  --drain-fall, --drain-window",
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
	in->tasks = PLAN_TASKS;
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

/* Whole seconds, at least lo, for suggested values the ALB accepts. */
static unsigned
whole_s(double ms, unsigned lo_ms)
{
	unsigned v = (unsigned)(ms / SEC) * 1000u;

	return v < lo_ms ? lo_ms : v;
}

static void
figure(struct plan_result *r, enum plan_figure_id id, const char *key,
    const char *label, double worst, double typical, const char *wf,
    const char *tf)
{
	struct plan_figure *f = &r->fig[id];

	f->key = key;
	f->label = label;
	f->worst_ms = worst;
	f->typical_ms = typical;
	f->worst_formula = wf;
	f->typical_formula = tf;
}

static void
figures(const struct plan_input *in, struct plan_result *r)
{
	double I = in->alb_interval_ms, D = in->dereg_delay_ms;
	double S = in->stop_timeout_ms, i = in->interval_ms;
	double t = in->timeout_ms, C = in->drain_timeout_ms;
	double W = in->drain_window_ms;
	double H = in->alb_healthy, U = in->alb_unhealthy;
	double rr = in->rise, f = in->fall, F = in->drain_fall;
	double exit_w, exit_t;

	figure(r, PLAN_START_TO_ROUTING, "start_to_routing",
	    "task start -> ALB routing",
	    rr * i + t + H * I, (rr - 0.5) * i + (H - 0.5) * I,
	    "r*i + t + H*I", "(r-1/2)*i + (H-1/2)*I");
	figure(r, PLAN_FAIL_TO_UNROUTED, "fail_to_unrouted",
	    "app failing -> ALB not routing",
	    f * i + t + U * I, (f - 0.5) * i + (U - 0.5) * I,
	    "f*i + t + U*I", "(f-1/2)*i + (U-1/2)*I");
	figure(r, PLAN_FAIL_TO_503, "fail_to_503",
	    "of which healthgate (to 503)",
	    f * i + t, (f - 0.5) * i,
	    "f*i + t", "(f-1/2)*i");
	figure(r, PLAN_TERM_TO_UNROUTED, "sigterm_to_unrouted",
	    "SIGTERM -> ALB not routing",
	    U * I, (U - 0.5) * I,
	    "U*I", "(U-1/2)*I");
	exit_w = dmin(C, dmax(F * I, W));
	exit_t = dmin(C, (F - 0.5) * I);
	figure(r, PLAN_TERM_TO_EXIT, "sigterm_to_exit",
	    "SIGTERM -> healthgate exits",
	    exit_w, exit_t,
	    "min(C, max(F*I, W))", "min(C, (F-1/2)*I)");
	/* Then the app: SIGKILLed at S at worst, gone at once typically. */
	figure(r, PLAN_REPLACEMENT, "task_replacement",
	    "one task replacement",
	    D + dmin(exit_w, S) + S, D + exit_t,
	    "D + min(exit, S) + S", "D + exit");
	figure(r, PLAN_DEPLOY, "whole_deploy",
	    "whole rolling deploy",
	    r->fig[PLAN_START_TO_ROUTING].worst_ms +
	    r->fig[PLAN_REPLACEMENT].worst_ms,
	    r->fig[PLAN_START_TO_ROUTING].typical_ms +
	    r->fig[PLAN_REPLACEMENT].typical_ms,
	    "start + replacement", "start + replacement");
	r->peak_tasks = 2 * in->tasks;
}

static struct plan_contradiction *
contra(struct plan_result *r, enum plan_contra_id id, const char *key)
{
	struct plan_contradiction *c = &r->contra[r->ncontra++];

	c->id = id;
	c->key = key;
	return c;
}

/* Durations for messages: a handful of formatted slots per call site. */
#define FMT(slot, ms)	(plan_format_setting((unsigned)(ms), b[slot], \
			    sizeof(b[slot])), b[slot])

static void
contradictions(const struct plan_input *in, struct plan_result *r)
{
	char b[6][24];
	unsigned I = in->alb_interval_ms, C = in->drain_timeout_ms;
	unsigned S = in->stop_timeout_ms, D = in->dereg_delay_ms;
	unsigned U = in->alb_unhealthy, stop_fix;
	struct plan_contradiction *c;

	/* A stop timeout that outlasts both the drain cap and the delay. */
	stop_fix = umax(C, D) + STOP_MARGIN_MS;

	if (D >= PLAN_SLOW_DEREG_MS) {
		char wait[32];

		if (D % 60000u == 0)
			snprintf(wait, sizeof(wait), "%u minute%s", D / 60000u,
			    D == 60000u ? "" : "s");
		else
			plan_format_ms(D, wait, sizeof(wait));
		c = contra(r, PLAN_SLOW_DEREG, "deregistration_delay_slow");
		snprintf(c->problem, sizeof(c->problem), "deregistration delay "
		    "%.0fs%s: each task stop waits %s for it, %.0fs of the "
		    "%.0fs one task replacement typically takes", D / SEC,
		    D == PLAN_SLOW_DEREG_MS ? " (the ALB default)" : "", wait,
		    D / SEC, r->fig[PLAN_REPLACEMENT].typical_ms / SEC);
		snprintf(c->fix, sizeof(c->fix), "set "
		    "deregistration_delay.timeout_seconds to your slowest "
		    "request plus a margin: 30 when requests take seconds");
	}
	if (in->alb_timeout_ms >= I) {
		c = contra(r, PLAN_ALB_TIMEOUT, "alb_timeout_not_below_interval");
		snprintf(c->problem, sizeof(c->problem), "ALB health check "
		    "timeout %s is not below its interval %s: the target "
		    "group refuses it", FMT(0, in->alb_timeout_ms), FMT(1, I));
		snprintf(c->fix, sizeof(c->fix), "set --alb-timeout "
		    "(HealthCheckTimeoutSeconds) below the interval, e.g. %s",
		    FMT(0, whole_s(I / 2.0, 2000)));
	}
	if (in->timeout_ms >= in->interval_ms) {
		c = contra(r, PLAN_CHECK_TIMEOUT,
		    "check_timeout_not_below_interval");
		snprintf(c->problem, sizeof(c->problem), "healthgate's check "
		    "timeout %s is not below its interval %s: a check would "
		    "still be running when the next is due",
		    FMT(0, in->timeout_ms), FMT(1, in->interval_ms));
		snprintf(c->fix, sizeof(c->fix), "set --timeout below "
		    "--interval, e.g. %s", FMT(0, in->interval_ms / 2.0));
	}
	if (C >= S) {
		c = contra(r, PLAN_SIGKILL, "drain_cap_not_below_stop_timeout");
		snprintf(c->problem, sizeof(c->problem), "drain cap %s is not "
		    "below the stop timeout %s: ECS sends SIGKILL at %s and "
		    "cuts the drain short, while the ALB may still route to "
		    "the task", FMT(0, C), FMT(1, S), FMT(2, S));
		snprintf(c->fix, sizeof(c->fix), "raise the containers' "
		    "stopTimeout (--stop-timeout) to %s, or lower "
		    "--drain-timeout below %s", FMT(0, stop_fix), FMT(1, S));
	}
	if (S <= D) {
		c = contra(r, PLAN_STOP_BELOW_DEREG,
		    "stop_timeout_not_above_deregistration_delay");
		snprintf(c->problem, sizeof(c->problem), "stop timeout %s is "
		    "not above the deregistration delay %s: a task stopped "
		    "without being deregistered first (Fargate Spot, a stop "
		    "outside the service) is killed before a request the "
		    "delay allows for can finish", FMT(0, S), FMT(1, D));
		if (stop_fix <= FARGATE_STOP_MAX_MS)
			snprintf(c->fix, sizeof(c->fix), "raise --stop-timeout "
			    "to %s, or lower the deregistration delay to what "
			    "your slowest request needs", FMT(0, stop_fix));
		else
			snprintf(c->fix, sizeof(c->fix), "lower the "
			    "deregistration delay to what your slowest request "
			    "needs (Fargate allows a stop timeout of at most "
			    "120s)");
	}
	if ((double)C < (double)U * I) {
		c = contra(r, PLAN_CAP_BELOW_DETECT,
		    "drain_cap_below_alb_detection");
		snprintf(c->problem, sizeof(c->problem), "drain cap %s is "
		    "shorter than the ALB's worst time to see the 503s, "
		    "unhealthy %u x interval %s = %s: healthgate may exit, and "
		    "ECS stop the app, while the ALB still routes to it",
		    FMT(0, C), U, FMT(1, I), FMT(2, (double)U * I));
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
		c = contra(r, PLAN_DRAIN_FALL, "drain_fall_below_alb_unhealthy");
		snprintf(c->problem, sizeof(c->problem), "--drain-fall %u is "
		    "below the ALB unhealthy threshold %u: healthgate may exit "
		    "after serving a prober %u 503s, before that ALB node has "
		    "marked the target unhealthy", in->drain_fall, U,
		    in->drain_fall);
		snprintf(c->fix, sizeof(c->fix), "set --drain-fall "
		    "(HEALTHGATE_DRAIN_FALL) to %u, the ALB's unhealthy "
		    "threshold", U);
	}
	if (in->drain_window_ms <= I) {
		c = contra(r, PLAN_WINDOW, "drain_window_not_above_alb_interval");
		snprintf(c->problem, sizeof(c->problem), "--drain-window %s is "
		    "not above the ALB interval %s: an ALB node polling every "
		    "%s may not have asked within the window before SIGTERM, "
		    "so the drain does not wait for it",
		    FMT(0, in->drain_window_ms), FMT(1, I), FMT(2, I));
		snprintf(c->fix, sizeof(c->fix), "set --drain-window to at "
		    "least %s (1.5 x the ALB interval)", FMT(0, I * 1.5));
	}
}

void
plan_compute(const struct plan_input *in, struct plan_result *r)
{
	memset(r, 0, sizeof(*r));
	figures(in, r);
	contradictions(in, r);
}
