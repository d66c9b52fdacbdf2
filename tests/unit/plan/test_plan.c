/*
 * Unit tests for plan.c: tables of settings and the figures and
 * contradictions they must give. healthgate's own settings come from
 * config_load with nothing set, so the tests follow the daemon's defaults
 * rather than a copy of them.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "plan/plan.h"
#include "plan/plan_rules.h"

#define S(x)	((x) * 1000u)		/* seconds, in the ms plan takes */
#define END	{ (size_t)-1, 0, 0 }

/* One setting to change from the defaults. */
struct set {
	size_t		off;		/* in struct plan_input; -1 ends a list */
	unsigned	v;
	size_t		size;		/* a bool's or an unsigned's (or enum's) */
};

#define SET(field, val)	{ offsetof(struct plan_input, field), (val), \
			    sizeof(((struct plan_input *)0)->field) }

/* AWS's ALB and ECS defaults with the daemon's own defaults. */
static void
aws_defaults(struct plan_input *in)
{
	struct config c;
	char err[CONFIG_ERR_MAX];
	char *const argv[] = { (char *)"plan", NULL };
	char *const envp[] = { NULL };

	plan_defaults(in);
	assert_int_equal(config_load(&c, 1, argv, envp, err), CONFIG_OK);
	plan_from_config(in, &c);
	config_free(&c);
}

/* The deploy kit's settings: deploy/alb and deploy/ecs. */
static void
defaults(struct plan_input *in)
{
	aws_defaults(in);
	in->alb_interval_ms = S(10);
	in->alb_healthy = 2;
	in->dereg_delay_ms = S(30);
	in->stop_timeout_ms = S(45);
	in->stop_timeout_set = true;
}

static void
with(struct plan_input *in, const struct set *sets)
{
	defaults(in);
	for (; sets->off != (size_t)-1; sets++) {
		char *field = (char *)in + sets->off;

		if (sets->size == sizeof(bool)) {
			bool b = sets->v != 0;

			memcpy(field, &b, sizeof(b));
		} else {
			assert_int_equal(sets->size, sizeof(unsigned));
			memcpy(field, &sets->v, sizeof(unsigned));
		}
	}
}

/* Which findings of one level the result has, as a mask of their ids. */
static unsigned
level_mask(const struct plan_result *r, enum plan_level lv)
{
	unsigned m = 0;

	for (unsigned k = 0; k < r->nfindings; k++)
		if (r->finding[k].level == lv)
			m |= 1u << r->finding[k].id;
	return m;
}

static unsigned
contra_mask(const struct plan_result *r)
{
	return level_mask(r, PLAN_LEVEL_CONTRADICTION);
}

static const struct plan_finding *
find_finding(const struct plan_result *r, enum plan_finding_id id)
{
	for (unsigned k = 0; k < r->nfindings; k++)
		if (r->finding[k].id == id)
			return &r->finding[k];
	return NULL;
}

/* The tables are in decimal seconds, which binary cannot hold exactly. */
static void
assert_ms(double got, double want, const char *what)
{
	double d = got - want;

	if (d < -0.01 || d > 0.01)
		fail_msg("%s: got %.1f ms, want %.1f ms", what, got, want);
}

static void
test_plan_defaults_are_aws_and_the_daemons(void **state)
{
	struct plan_input in;

	(void)state;
	aws_defaults(&in);
	assert_int_equal(in.alb_interval_ms, S(30));
	assert_int_equal(in.alb_timeout_ms, S(5));
	assert_int_equal(in.alb_healthy, 5);
	assert_int_equal(in.alb_unhealthy, 2);
	assert_int_equal(in.dereg_delay_ms, S(300));
	/* No stopTimeout: ECS's 30 s, and plan knows it was not set. */
	assert_int_equal(in.stop_timeout_ms, S(30));
	assert_false(in.stop_timeout_set);
	assert_int_equal(in.launch, PLAN_LAUNCH_FARGATE);
	assert_true(in.wait_stability);
	assert_int_equal(in.tasks, 4);
	assert_int_equal(in.interval_ms, S(2));
	assert_int_equal(in.timeout_ms, S(1));
	assert_int_equal(in.rise, 1);
	assert_int_equal(in.fall, 1);
	assert_int_equal(in.drain_timeout_ms, S(30));
	assert_int_equal(in.drain_fall, 2);
	assert_int_equal(in.drain_window_ms, S(15));
	assert_false(in.supervisor);
	/* The supervisor mode's, for the cases that turn it on. */
	assert_int_equal(in.linger_ms, S(2));
	assert_int_equal(in.app_stop_timeout_ms, S(10));
}

static void
test_plan_kit_has_no_contradiction_and_no_slow_setting(void **state)
{
	struct plan_input in;
	struct plan_result r;

	(void)state;
	defaults(&in);
	plan_compute(&in, &r);
	for (unsigned k = 0; k < r.nfindings; k++)
		if (r.finding[k].level != PLAN_LEVEL_NOTE)
			print_error("unexpected: %s\n", r.finding[k].problem);
	assert_int_equal(r.ncontra, 0);
	assert_int_equal(level_mask(&r, PLAN_LEVEL_SLOW), 0);
}

struct figure_case {
	const char	*name;
	struct set	 sets[10];
	double		 worst[PLAN_FIGURE_COUNT];	/* seconds, in enum order */
	double		 typical[PLAN_FIGURE_COUNT];
};

/*
 * Order: start->routing, fail->unrouted, fail->503; ECS: deregistered->
 * SIGTERM, SIGTERM->drain end, replacement, deploy, deploy step; routed:
 * SIGTERM->unrouted, ->drain end, ->app signal, ->gone.
 */
static const struct figure_case figure_cases[] = {
	{ "kit: no drain after the deregistration delay", { END },
	    /* 2+1+20, 1.1*2+1+20; 30, 0, 30+0+45, 23+75, +15; 20, 20,
	     * 20, 20+45 */
	    { 23, 23.2, 3.2, 30, 0, 75, 98, 113, 20, 20, 20, 65 },
	    /* 1+15; 30, 0, 30 + 0: the delay alone; 16+30, +7.5; 15... */
	    { 16, 16, 1, 30, 0, 30, 46, 53.5, 15, 15, 15, 15 } },
	{ "the seed: AWS's defaults, no stopTimeout",
	    { SET(dereg_delay_ms, S(300)), SET(alb_interval_ms, S(30)),
	    SET(alb_healthy, 5), SET(stop_timeout_ms, S(30)), END },
	    /* 3+150, 3.2+60; 300, 0, 300+0+30, 153+330; 60, 30, 30, 30+30 */
	    { 153, 63.2, 3.2, 300, 0, 330, 483, 498, 60, 30, 30, 60 },
	    /* 1+135, 1+45; 300, 0, 300, 136+300; 45, min(30,45) ... */
	    { 136, 46, 1, 300, 0, 300, 436, 443.5, 45, 30, 30, 30 } },
	{ "a window that outlasts the delay holds each ECS stop",
	    { SET(dereg_delay_ms, S(10)), SET(drain_window_ms, S(25)), END },
	    /* W-D = 15; 10+15+45; 23+70; routed max(20, 25) = 25 */
	    { 23, 23.2, 3.2, 10, 15, 70, 93, 108, 20, 25, 25, 70 },
	    /* W-D-I/2 = 10; 10+10; 16+20 */
	    { 16, 16, 1, 10, 10, 20, 36, 43.5, 15, 15, 15, 15 } },
	{ "supervisor mode: linger 2 s, the app's stop timeout 10 s",
	    { SET(supervisor, 1), END },
	    /* ECS: 30 + min(0+2+10, 45); routed: 20+2, min(20+2+10, 45) */
	    { 23, 23.2, 3.2, 30, 0, 42, 65, 80, 20, 20, 22, 32 },
	    /* ECS: 30 + 0 + 2; routed: 15+2 */
	    { 16, 16, 1, 30, 0, 32, 48, 55.5, 15, 15, 17, 17 } },
	{ "supervisor mode: SIGKILL at the stop timeout bounds it all",
	    { SET(supervisor, 1), SET(stop_timeout_ms, S(25)),
	    SET(drain_timeout_ms, S(20)), END },
	    /* routed: min(20+2+10, 25) = 25; ECS 30 + min(12, 25) */
	    { 23, 23.2, 3.2, 30, 0, 42, 65, 80, 20, 20, 22, 25 },
	    { 16, 16, 1, 30, 0, 32, 48, 55.5, 15, 15, 17, 17 } },
	{ "slow checks: rise 3, fall 2, 500 ms / 200 ms",
	    { SET(interval_ms, 500), SET(timeout_ms, 200), SET(rise, 3),
	    SET(fall, 2), END },
	    /* 0.5 + 2*1.1*0.5 + 0.2; 1.1*2*0.5 + 0.2 */
	    { 1.8 + 20, 1.3 + 20, 1.3, 30, 0, 75, 21.8 + 75, 21.8 + 90,
	    20, 20, 20, 65 },
	    { 1.25 + 15, 0.75 + 15, 0.75, 30, 0, 30, 46.25, 53.75,
	    15, 15, 15, 15 } },
	{ "fastinter: 10 s checks, 1 s while changing, rise 2, fall 3",
	    { SET(interval_ms, S(10)), SET(timeout_ms, S(1)), SET(rise, 2),
	    SET(fall, 3), SET(fastinter_ms, S(1)), END },
	    /* 10 + 1.1*1 + 1 + 20; 1.1*10 + 2*1.1*1 + 1 (+20); 30, 0,
	     * 75, 32.1+75, +15; routed as the kit */
	    { 32.1, 34.2, 14.2, 30, 0, 75, 107.1, 122.1, 20, 20, 20, 65 },
	    /* 5 + 1 + 15; 5 + 2*1 (+15); 30, 0, 30, 21+30, +7.5 */
	    { 21, 22, 7, 30, 0, 30, 51, 58.5, 15, 15, 15, 15 } },
	{ "no deregistration delay, fast ALB",
	    { SET(dereg_delay_ms, 0), SET(alb_interval_ms, S(5)),
	    SET(alb_timeout_ms, S(2)), SET(alb_unhealthy, 3), END },
	    /* ECS: W-D = 15 held; routed min(30, max(15, 15)) */
	    { 13, 18.2, 3.2, 0, 15, 60, 73, 88, 15, 15, 15, 60 },
	    /* ECS: 15 - 2.5; routed (2-1/2)*5 */
	    { 8.5, 13.5, 1, 0, 12.5, 12.5, 21, 28.5, 12.5, 7.5, 7.5, 7.5 } },
};

static void
test_plan_figures_follow_the_formulas(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(figure_cases) / sizeof(*figure_cases);
	    k++) {
		const struct figure_case *fc = &figure_cases[k];
		struct plan_input in;
		struct plan_result r;
		char what[160];

		with(&in, fc->sets);
		plan_compute(&in, &r);
		for (unsigned f = 0; f < PLAN_FIGURE_COUNT; f++) {
			snprintf(what, sizeof(what), "%s: %s worst", fc->name,
			    r.fig[f].key);
			assert_ms(r.fig[f].worst_ms, fc->worst[f] * 1000.0,
			    what);
			snprintf(what, sizeof(what), "%s: %s typical",
			    fc->name, r.fig[f].key);
			assert_ms(r.fig[f].typical_ms, fc->typical[f] * 1000.0,
			    what);
		}
	}
}

/* Issue 16: ECS sends SIGTERM after the delay; no drain is counted then. */
static void
test_plan_ecs_replacement_is_the_delay_when_the_window_is_shorter(
    void **state)
{
	struct plan_input in;
	struct plan_result r;

	(void)state;
	defaults(&in);
	plan_compute(&in, &r);
	assert_ms(r.fig[PLAN_FIGURE_ECS_REPLACEMENT].typical_ms, in.dereg_delay_ms,
	    "ECS replacement, typical");
	assert_ms(r.fig[PLAN_FIGURE_ECS_TO_EXIT].worst_ms, 0, "ECS drain, worst");
}

static void
test_plan_figures_have_keys_platforms_labels_and_formulas(void **state)
{
	static const struct {
		const char		*key;
		enum plan_platform	 platform;
	} want[PLAN_FIGURE_K8S_UNROUTED] = {
		{ "start_to_routing", PLAN_PLATFORM_ANY },
		{ "fail_to_unrouted", PLAN_PLATFORM_ANY },
		{ "fail_to_503", PLAN_PLATFORM_ANY },
		{ "ecs_deregistered_to_sigterm", PLAN_PLATFORM_ECS },
		{ "ecs_sigterm_to_drain_end", PLAN_PLATFORM_ECS },
		{ "ecs_task_replacement", PLAN_PLATFORM_ECS },
		{ "ecs_whole_deploy", PLAN_PLATFORM_ECS },
		{ "ecs_deploy_step_waited", PLAN_PLATFORM_ECS },
		{ "routed_sigterm_to_unrouted", PLAN_PLATFORM_ROUTED },
		{ "routed_sigterm_to_drain_end", PLAN_PLATFORM_ROUTED },
		{ "routed_sigterm_to_app_signal", PLAN_PLATFORM_ROUTED },
		{ "routed_sigterm_to_gone", PLAN_PLATFORM_ROUTED },
	};
	struct plan_input in;
	struct plan_result r;

	(void)state;
	defaults(&in);
	plan_compute(&in, &r);
	/* A pod's figures are there only for manifests (test_plan_k8s_model). */
	for (unsigned f = PLAN_FIGURE_K8S_UNROUTED; f < PLAN_FIGURE_COUNT; f++)
		assert_null(r.fig[f].key);
	for (unsigned f = 0; f < PLAN_FIGURE_K8S_UNROUTED; f++) {
		assert_string_equal(r.fig[f].key, want[f].key);
		assert_int_equal(r.fig[f].platform, want[f].platform);
		assert_true(strlen(r.fig[f].label) > 0);
		assert_true(strlen(r.fig[f].worst_formula) > 0);
		assert_true(strlen(r.fig[f].typical_formula) > 0);
		assert_true(r.fig[f].typical_ms <= r.fig[f].worst_ms);
	}
}

static void
test_plan_deploy_is_one_wave_whatever_the_task_count(void **state)
{
	struct plan_input in;
	struct plan_result one, many;

	(void)state;
	defaults(&in);
	in.tasks = 1;
	plan_compute(&in, &one);
	in.tasks = 500;
	plan_compute(&in, &many);
	assert_ms(many.fig[PLAN_FIGURE_ECS_DEPLOY].worst_ms,
	    one.fig[PLAN_FIGURE_ECS_DEPLOY].worst_ms, "deploy worst");
	assert_int_equal(one.peak_tasks, 2);
	assert_int_equal(many.peak_tasks, 1000);
}

#define BIT(id)	(1u << (id))

struct mask_case {
	const char	*name;
	struct set	 sets[10];
	unsigned	 want;		/* BIT() of every finding of the level */
};

static const struct mask_case contra_cases[] = {
	{ "kit", { END }, 0 },
	{ "ALB timeout equal to its interval",
	    { SET(alb_timeout_ms, S(10)), END }, BIT(PLAN_FINDING_ALB_TIMEOUT) },
	{ "ALB timeout above its interval",
	    { SET(alb_timeout_ms, S(20)), SET(alb_interval_ms, S(12)), END },
	    BIT(PLAN_FINDING_ALB_TIMEOUT) },
	{ "ALB timeout just below its interval",
	    { SET(alb_timeout_ms, S(9)), END }, 0 },
	{ "healthgate timeout equal to its interval",
	    { SET(timeout_ms, S(2)), END }, BIT(PLAN_FINDING_CHECK_TIMEOUT) },
	{ "drain cap above the stop timeout, and stop at the delay",
	    { SET(drain_timeout_ms, S(40)), SET(stop_timeout_ms, S(30)), END },
	    BIT(PLAN_FINDING_SIGKILL) | BIT(PLAN_FINDING_STOP_BELOW_DEREG) },
	{ "drain cap equal to the stop timeout",
	    { SET(drain_timeout_ms, S(45)), END }, BIT(PLAN_FINDING_SIGKILL) },
	{ "no stopTimeout: ECS's 30 s against a 30 s cap, delay 20 s",
	    { SET(stop_timeout_ms, S(30)), SET(stop_timeout_set, 0),
	    SET(dereg_delay_ms, S(20)), END }, BIT(PLAN_FINDING_SIGKILL) },
	{ "stop timeout a second above both", { SET(stop_timeout_ms, S(31)),
	    END }, 0 },
	{ "stopTimeout 200 s on Fargate",
	    { SET(stop_timeout_ms, S(200)), END },
	    BIT(PLAN_FINDING_FARGATE_STOP_MAX) },
	{ "stopTimeout 120 s on Fargate", { SET(stop_timeout_ms, S(120)),
	    END }, 0 },
	{ "stopTimeout 200 s on EC2",
	    { SET(stop_timeout_ms, S(200)), SET(launch, PLAN_LAUNCH_EC2),
	    END }, 0 },
	{ "stop timeout below the delay, drain cap lowered",
	    { SET(stop_timeout_ms, S(25)), SET(drain_timeout_ms, S(20)),
	    END }, BIT(PLAN_FINDING_STOP_BELOW_DEREG) },
	{ "supervisor: cap 30 + linger 2 + app 10 within 45",
	    { SET(supervisor, 1), END }, 0 },
	{ "supervisor: cap 30 + linger 2 + app 13 = 45, not below 45",
	    { SET(supervisor, 1), SET(app_stop_timeout_ms, S(13)), END },
	    BIT(PLAN_FINDING_SIGKILL) },
	{ "supervisor: a long linger alone",
	    { SET(supervisor, 1), SET(linger_ms, S(20)), END },
	    BIT(PLAN_FINDING_SIGKILL) },
	{ "drain cap shorter than unhealthy x interval",
	    { SET(drain_timeout_ms, S(19)), END }, BIT(PLAN_FINDING_CAP_BELOW_DETECT) },
	{ "drain cap exactly unhealthy x interval",
	    { SET(drain_timeout_ms, S(20)), END }, 0 },
	{ "drain-fall below the unhealthy threshold",
	    { SET(drain_fall, 1), END }, BIT(PLAN_FINDING_DRAIN_FALL) },
	{ "drain-fall below a raised unhealthy threshold, cap too short",
	    { SET(alb_unhealthy, 4), END },
	    BIT(PLAN_FINDING_DRAIN_FALL) | BIT(PLAN_FINDING_CAP_BELOW_DETECT) },
	{ "drain window equal to the ALB interval",
	    { SET(drain_window_ms, S(10)), END }, BIT(PLAN_FINDING_WINDOW) },
	{ "sidecar that does not dependsOn the app",
	    { SET(depends_on_app, PLAN_KNOWN_NO), END }, BIT(PLAN_FINDING_NO_DEPENDS_ON) },
	{ "...which supervisor mode does not need",
	    { SET(depends_on_app, PLAN_KNOWN_NO), SET(supervisor, 1), END }, 0 },
	{ "container health check on /health",
	    { SET(check_uses_live, PLAN_KNOWN_NO), END }, BIT(PLAN_FINDING_CHECK_NOT_LIVE) },
	{ "container health check on /live",
	    { SET(check_uses_live, PLAN_KNOWN_YES), SET(depends_on_app, PLAN_KNOWN_YES),
	    END }, 0 },
	{ "the seed",
	    { SET(dereg_delay_ms, S(300)), SET(alb_interval_ms, S(30)),
	    SET(alb_healthy, 5), SET(stop_timeout_ms, S(30)),
	    SET(stop_timeout_set, 0), END },
	    BIT(PLAN_FINDING_SIGKILL) | BIT(PLAN_FINDING_STOP_BELOW_DEREG) |
	    BIT(PLAN_FINDING_CAP_BELOW_DETECT) | BIT(PLAN_FINDING_WINDOW) },
	{ "everything at once",
	    { SET(alb_timeout_ms, S(10)), SET(timeout_ms, S(3)),
	    SET(drain_timeout_ms, S(50)), SET(dereg_delay_ms, S(300)),
	    SET(drain_fall, 1), SET(drain_window_ms, S(5)),
	    SET(alb_unhealthy, 6), SET(stop_timeout_ms, S(130)), END },
	    /* with depends_on_app and check_uses_live set below */
	    BIT(PLAN_FINDING_ALB_TIMEOUT) | BIT(PLAN_FINDING_CHECK_TIMEOUT) |
	    BIT(PLAN_FINDING_FARGATE_STOP_MAX) | BIT(PLAN_FINDING_STOP_BELOW_DEREG) |
	    BIT(PLAN_FINDING_CAP_BELOW_DETECT) | BIT(PLAN_FINDING_DRAIN_FALL) |
	    BIT(PLAN_FINDING_WINDOW) | BIT(PLAN_FINDING_NO_DEPENDS_ON) |
	    BIT(PLAN_FINDING_CHECK_NOT_LIVE) },
};

static const struct mask_case slow_cases[] = {
	{ "kit", { END }, 0 },
	{ "the seed",
	    { SET(dereg_delay_ms, S(300)), SET(alb_interval_ms, S(30)),
	    SET(alb_healthy, 5), END },
	    BIT(PLAN_FINDING_SLOW_DEREG) | BIT(PLAN_FINDING_SLOW_INTERVAL) |
	    BIT(PLAN_FINDING_SLOW_HEALTHY) },
	{ "every fix but the healthy threshold",
	    { SET(alb_healthy, 5), END }, BIT(PLAN_FINDING_SLOW_HEALTHY) },
	{ "delay 60 s", { SET(dereg_delay_ms, S(60)), END }, 0 },
	{ "delay 61 s", { SET(dereg_delay_ms, S(61)), SET(stop_timeout_ms,
	    S(80)), END }, BIT(PLAN_FINDING_SLOW_DEREG) },
	{ "interval 11 s", { SET(alb_interval_ms, S(11)), SET(drain_window_ms,
	    S(17)), END }, BIT(PLAN_FINDING_SLOW_INTERVAL) },
	{ "unhealthy 3", { SET(alb_unhealthy, 3), SET(drain_fall, 3), END },
	    BIT(PLAN_FINDING_SLOW_UNHEALTHY) },
	{ "ALB timeout 6 s", { SET(alb_timeout_ms, S(6)), END },
	    BIT(PLAN_FINDING_SLOW_ALB_TIMEOUT) },
	{ "window above the delay",
	    { SET(dereg_delay_ms, S(10)), SET(drain_window_ms, S(25)), END },
	    BIT(PLAN_FINDING_WINDOW_OVER_DEREG) },
	{ "window equal to the delay",
	    { SET(dereg_delay_ms, S(15)), END }, 0 },
};

static void
run_mask_cases(const struct mask_case *cases, size_t n, enum plan_level lv)
{
	for (size_t k = 0; k < n; k++) {
		const struct mask_case *cc = &cases[k];
		struct plan_input in;
		struct plan_result r;
		unsigned got;

		with(&in, cc->sets);
		if (strcmp(cc->name, "everything at once") == 0) {
			in.depends_on_app = PLAN_KNOWN_NO;
			in.check_uses_live = PLAN_KNOWN_NO;
		}
		plan_compute(&in, &r);
		got = level_mask(&r, lv);
		if (got != cc->want)
			fail_msg("%s: %s 0x%x, want 0x%x", cc->name,
			    plan_level_key(lv), got, cc->want);
		for (unsigned c = 0; c < r.nfindings; c++) {
			assert_true(strlen(r.finding[c].key) > 0);
			assert_true(strlen(r.finding[c].problem) > 0);
			assert_true(strlen(r.finding[c].fix) > 0);
		}
	}
}

static void
test_plan_contradictions_table(void **state)
{
	(void)state;
	run_mask_cases(contra_cases, sizeof(contra_cases) /
	    sizeof(*contra_cases), PLAN_LEVEL_CONTRADICTION);
}

static void
test_plan_grpc_code_lists(void **state)
{
	static const struct {
		const char	*list;
		unsigned	 code;
		int		 want;
	} cases[] = {
		{ "12", 12, 1 }, { "12", 14, 0 }, { "0,12", 0, 1 },
		{ "0-99", 14, 1 }, { "0-13", 14, 0 }, { "5,10-12", 11, 1 },
		{ "", 0, -1 }, { "x", 0, -1 }, { "100", 0, -1 }, { "1-", 1, -1 },
		{ "12,", 12, -1 }, { "-1", 1, -1 }, { "9-3", 4, -1 },
		{ " 12", 12, -1 }, { "+1", 1, -1 },
	};

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(*cases); k++)
		if (plan_grpc_code_in(cases[k].list, cases[k].code) !=
		    cases[k].want)
			fail_msg("\"%s\" %u: want %d", cases[k].list,
			    cases[k].code, cases[k].want);
}

/* A gRPC target group against --grpc-listen and its matcher. */
static void
test_plan_grpc_target_group_table(void **state)
{
	static const struct {
		const char	*name;
		bool		 listen;
		const char	*codes, *path;
		unsigned	 want;
	} cases[] = {
		{ "AWS's defaults, listening", true, "", "", 0 },
		{ "12 on the ALB's path", true, "12", "/AWS.ALB/healthcheck",
		    0 },
		{ "0 on Health/Check", true, "0",
		    "/grpc.health.v1.Health/Check", 0 },
		{ "no --grpc-listen", false, "", "",
		    BIT(PLAN_FINDING_GRPC_NO_LISTEN) },
		{ "0-99 takes 14 for success", true, "0-99", "",
		    BIT(PLAN_FINDING_GRPC_MATCHER) },
		{ "0 on the ALB's path: never healthy", true, "0", "",
		    BIT(PLAN_FINDING_GRPC_MATCHER) },
		{ "12 on Health/Check: never healthy", true, "12",
		    "/grpc.health.v1.Health/Check",
		    BIT(PLAN_FINDING_GRPC_MATCHER) },
		{ "Watch", true, "12", "/grpc.health.v1.Health/Watch",
		    BIT(PLAN_FINDING_GRPC_MATCHER) },
		{ "both", false, "12,14", "",
		    BIT(PLAN_FINDING_GRPC_NO_LISTEN) |
		    BIT(PLAN_FINDING_GRPC_MATCHER) },
	};

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		struct plan_input in;
		struct plan_result r;
		unsigned got;

		defaults(&in);
		in.tg_grpc = true;
		in.grpc_listen = cases[k].listen;
		snprintf(in.tg_grpc_codes, sizeof(in.tg_grpc_codes), "%s",
		    cases[k].codes);
		snprintf(in.tg_path, sizeof(in.tg_path), "%s", cases[k].path);
		plan_compute(&in, &r);
		got = level_mask(&r, PLAN_LEVEL_CONTRADICTION);
		if (got != cases[k].want)
			fail_msg("%s: 0x%x, want 0x%x", cases[k].name, got,
			    cases[k].want);
	}
}

static void
test_plan_slow_settings_table(void **state)
{
	(void)state;
	run_mask_cases(slow_cases, sizeof(slow_cases) / sizeof(*slow_cases),
	    PLAN_LEVEL_SLOW);
}

static void
test_plan_notes_say_what_the_figures_assume(void **state)
{
	struct plan_input in;
	struct plan_result r;

	(void)state;
	defaults(&in);
	plan_compute(&in, &r);
	assert_int_equal(level_mask(&r, PLAN_LEVEL_NOTE), BIT(PLAN_FINDING_ECS_DRAIN_MOOT) |
	    BIT(PLAN_FINDING_SIDECAR_ROUTED) | BIT(PLAN_FINDING_WAIT_STABILITY));
	assert_non_null(strstr(find_finding(&r, PLAN_FINDING_ECS_DRAIN_MOOT)->problem,
	    "does not document"));
	in.stop_timeout_set = false;
	in.supervisor = true;
	plan_compute(&in, &r);
	assert_int_equal(level_mask(&r, PLAN_LEVEL_NOTE), BIT(PLAN_FINDING_ECS_DRAIN_MOOT) |
	    BIT(PLAN_FINDING_STOP_DEFAULTED) | BIT(PLAN_FINDING_WAIT_STABILITY));
}

/* What a user reads must name the cause and the numbers. */
struct message_case {
	const char	*name;
	struct set	 sets[10];
	enum plan_finding_id id;
	const char	*problem_has[3];
	const char	*fix_has[2];
};

static const struct message_case message_cases[] = {
	{ "SIGKILL", { SET(drain_timeout_ms, S(40)),
	    SET(stop_timeout_ms, S(30)), END }, PLAN_FINDING_SIGKILL,
	    { "SIGKILL", "40s", "30s" }, { "stopTimeout", "55s" } },
	{ "SIGKILL at ECS's default", { SET(stop_timeout_ms, S(30)),
	    SET(stop_timeout_set, 0), SET(dereg_delay_ms, S(20)), END },
	    PLAN_FINDING_SIGKILL, { "30s", "no stopTimeout", "ECS's default" },
	    { "45s", NULL } },
	{ "SIGKILL in supervisor mode", { SET(supervisor, 1),
	    SET(app_stop_timeout_ms, S(20)), END }, PLAN_FINDING_SIGKILL,
	    { "linger 2s", "stop timeout 20s", "= 52s" },
	    { "67s", NULL } },
	{ "Fargate's 120 s", { SET(stop_timeout_ms, S(200)), END },
	    PLAN_FINDING_FARGATE_STOP_MAX, { "200s", "120s", NULL },
	    { "at most 120", NULL } },
	{ "300 s delay", { SET(dereg_delay_ms, S(300)), SET(stop_timeout_ms,
	    S(100)), END }, PLAN_FINDING_SLOW_DEREG,
	    /* the typical replacement is the delay alone */
	    { "300s", "5 minutes", "5m00s one task" }, { "30", "5 when" } },
	{ "healthy threshold", { SET(alb_healthy, 5), SET(alb_interval_ms,
	    S(30)), SET(drain_window_ms, S(45)), SET(dereg_delay_ms, S(45)),
	    SET(drain_timeout_ms, S(60)), SET(stop_timeout_ms, S(75)), END },
	    PLAN_FINDING_SLOW_HEALTHY, { "threshold 5", "2m15s", NULL },
	    { "HealthyThresholdCount to 2", "90s" } },
	{ "ALB interval", { SET(alb_interval_ms, S(30)),
	    SET(drain_window_ms, S(45)), SET(dereg_delay_ms, S(45)), END },
	    PLAN_FINDING_SLOW_INTERVAL, { "30s", "45s", NULL }, { "10", "15s" } },
	{ "ALB timeout", { SET(alb_timeout_ms, S(10)), END }, PLAN_FINDING_ALB_TIMEOUT,
	    { "10s", NULL, NULL }, { "5s", NULL } },
	{ "drain cap vs detection", { SET(alb_interval_ms, S(30)), END },
	    PLAN_FINDING_CAP_BELOW_DETECT, { "30s", "60s", NULL },
	    { "--drain-timeout to 60s", "15s" } },
	{ "drain-fall", { SET(drain_fall, 1), END }, PLAN_FINDING_DRAIN_FALL,
	    { "--drain-fall 1", "threshold 2", NULL },
	    { "--drain-fall", "to 2" } },
	{ "window", { SET(alb_interval_ms, S(20)), SET(drain_timeout_ms,
	    S(40)), SET(stop_timeout_ms, S(60)), END }, PLAN_FINDING_WINDOW,
	    { "15s", "20s", NULL }, { "30s", NULL } },
	{ "window fix, with the delay below it", { SET(alb_interval_ms,
	    S(30)), END }, PLAN_FINDING_WINDOW, { "15s", "30s", NULL },
	    { "45s", "every ECS stop wait" } },
	{ "window over the delay", { SET(dereg_delay_ms, S(10)),
	    SET(drain_window_ms, S(25)), END }, PLAN_FINDING_WINDOW_OVER_DEREG,
	    { "25s", "10s", "15s" }, { "25s", NULL } },
	{ "stop below a delay Fargate cannot match",
	    { SET(dereg_delay_ms, S(300)), END }, PLAN_FINDING_STOP_BELOW_DEREG,
	    { "45s", "300s", NULL }, { "120s", NULL } },
	{ "wait-for-service-stability off", { SET(wait_stability, 0), END },
	    PLAN_FINDING_WAIT_STABILITY, { "not wait", "never turn healthy", NULL },
	    { "53.5s", "113s" } },
};

static void
test_plan_messages_name_cause_and_numbers(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(message_cases) / sizeof(*message_cases);
	    k++) {
		const struct message_case *mc = &message_cases[k];
		const struct plan_finding *c;
		struct plan_input in;
		struct plan_result r;

		with(&in, mc->sets);
		plan_compute(&in, &r);
		if ((c = find_finding(&r, mc->id)) == NULL)
			fail_msg("%s: finding %d missing", mc->name, mc->id);
		for (unsigned w = 0; w < 3; w++)
			if (mc->problem_has[w] &&
			    strstr(c->problem, mc->problem_has[w]) == NULL)
				fail_msg("%s: \"%s\" lacks \"%s\"", mc->name,
				    c->problem, mc->problem_has[w]);
		for (unsigned w = 0; w < 2; w++)
			if (mc->fix_has[w] &&
			    strstr(c->fix, mc->fix_has[w]) == NULL)
				fail_msg("%s: \"%s\" lacks \"%s\"", mc->name,
				    c->fix, mc->fix_has[w]);
	}
}

/* A fix must fix: apply the suggested value, and the contradiction goes. */
static void
test_plan_suggested_stop_timeout_clears_both_stop_contradictions(
    void **state)
{
	struct plan_input in;
	struct plan_result r;

	(void)state;
	defaults(&in);
	in.drain_timeout_ms = S(40);
	in.stop_timeout_ms = S(30);
	plan_compute(&in, &r);
	assert_int_equal(contra_mask(&r), BIT(PLAN_FINDING_SIGKILL) |
	    BIT(PLAN_FINDING_STOP_BELOW_DEREG));
	in.stop_timeout_ms = S(55);	/* what the fix says */
	plan_compute(&in, &r);
	assert_int_equal(r.ncontra, 0);
}

/* The seed's fixes, applied as printed, leave no slow setting behind. */
static void
test_plan_seed_fixes_applied_leave_nothing_slow(void **state)
{
	struct plan_input in;
	struct plan_result r;

	(void)state;
	aws_defaults(&in);
	plan_compute(&in, &r);
	assert_int_equal(level_mask(&r, PLAN_LEVEL_SLOW), BIT(PLAN_FINDING_SLOW_DEREG) |
	    BIT(PLAN_FINDING_SLOW_INTERVAL) | BIT(PLAN_FINDING_SLOW_HEALTHY));
	in.dereg_delay_ms = S(30);
	in.alb_interval_ms = S(10);
	in.alb_healthy = 2;
	in.stop_timeout_ms = S(45);	/* the SIGKILL fix */
	in.stop_timeout_set = true;
	plan_compute(&in, &r);
	assert_int_equal(level_mask(&r, PLAN_LEVEL_SLOW), 0);
	assert_int_equal(r.ncontra, 0);
}

static void
test_plan_from_config_takes_the_slowest_check(void **state)
{
	struct plan_input in;
	struct config c;
	char err[CONFIG_ERR_MAX];
	char *const argv[] = { (char *)"plan",
	    (char *)"--check", (char *)"a=http://127.0.0.1:8080/?interval=5s",
	    (char *)"--check", (char *)"b=tcp://127.0.0.1:5432?timeout=1500ms"
	    "&rise=3", (char *)"--check", (char *)"c=exec?fall=4:/bin/true",
	    (char *)"--drain-fall", (char *)"3", NULL };
	char *const envp[] = { (char *)"HEALTHGATE_DRAIN_WINDOW=20s", NULL };

	(void)state;
	plan_defaults(&in);
	assert_int_equal(config_load(&c, 9, argv, envp, err), CONFIG_OK);
	plan_from_config(&in, &c);
	config_free(&c);
	assert_int_equal(in.interval_ms, S(5));
	assert_int_equal(in.timeout_ms, 1500);
	assert_int_equal(in.rise, 3);
	assert_int_equal(in.fall, 4);
	assert_int_equal(in.drain_fall, 3);
	assert_int_equal(in.drain_window_ms, S(20));
	/* ALB and ECS settings are not config's business. */
	assert_int_equal(in.alb_interval_ms, S(30));
	assert_int_equal(in.stop_timeout_ms, S(30));
	assert_int_equal(in.fastinter_ms, 0);	/* no check has one */
}

/*
 * fastinter counts once a check has one; a check without changes at its
 * interval, so the slowest of those bounds the figures.
 */
static void
test_plan_from_config_takes_the_slowest_fastinter(void **state)
{
	struct plan_input in;
	struct config c;
	char err[CONFIG_ERR_MAX];
	char *const fast[] = { (char *)"plan",
	    (char *)"--check", (char *)"a=tcp://127.0.0.1:1?interval=10s&"
	    "fastinter=1s", (char *)"--check", (char *)"b=tcp://127.0.0.1:2?"
	    "interval=5s&fastinter=1500ms", NULL };
	char *const mixed[] = { (char *)"plan",
	    (char *)"--check", (char *)"a=tcp://127.0.0.1:1?interval=10s&"
	    "fastinter=1s", (char *)"--check", (char *)"b=tcp://127.0.0.1:2?"
	    "interval=3s", NULL };
	char *const envp[] = { NULL };

	(void)state;
	plan_defaults(&in);
	assert_int_equal(config_load(&c, 5, fast, envp, err), CONFIG_OK);
	plan_from_config(&in, &c);
	config_free(&c);
	assert_int_equal(in.interval_ms, S(10));
	assert_int_equal(in.fastinter_ms, 1500);
	plan_defaults(&in);
	assert_int_equal(config_load(&c, 5, mixed, envp, err), CONFIG_OK);
	plan_from_config(&in, &c);
	config_free(&c);
	assert_int_equal(in.fastinter_ms, S(3));
}

static void
test_plan_format_ms_table(void **state)
{
	static const struct {
		double		 ms;
		const char	*figure, *setting;
	} cases[] = {
		{ 0, "0s", "0s" },
		{ 250, "250ms", "250ms" },
		{ 1000, "1s", "1s" },
		{ 1500, "1.5s", "1.5s" },
		{ 1250, "1.25s", "1.25s" },
		{ 100.5, "100ms", "100ms" },
		{ 23000, "23s", "23s" },
		{ 119000, "119s", "119s" },
		{ 120000, "2m00s", "120s" },
		{ 300000, "5m00s", "300s" },
		{ 528000, "8m48s", "528s" },
		{ 3600000, "60m00s", "3600s" },
	};

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		char buf[32];

		plan_format_ms(cases[k].ms, buf, sizeof(buf));
		assert_string_equal(buf, cases[k].figure);
		plan_format_setting((unsigned)cases[k].ms, buf, sizeof(buf));
		assert_string_equal(buf, cases[k].setting);
	}
}

/*
 * The findings table: one row per finding id, in id order (the order plan
 * lists them), each with its own key and a function.
 */
/* The quiet period both models wait out: unseen, set, or auto. */
static void
test_plan_quiet_table(void **state)
{
	static const struct {
		bool		 traffic;
		unsigned	 set;		/* --drain-quiet; 0: auto */
		double		 worst, typical;
	} cases[] = {
		{ false, 0, 0, 0 },		/* unseen: not waited for */
		{ false, S(3), 0, 0 },		/* ...even when set */
		{ true, 0, S(10), S(1) },	/* auto: ceiling, a busy app's */
		{ true, 250, 250, 250 },	/* set: that, worst and typical */
	};
	struct plan_input in;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		plan_defaults(&in);
		in.traffic = cases[i].traffic;
		in.drain_quiet_ms = cases[i].set;
		if (plan_quiet(&in, true) != cases[i].worst ||
		    plan_quiet(&in, false) != cases[i].typical)
			fail_msg("case %zu: %g, %g", i, plan_quiet(&in, true),
			    plan_quiet(&in, false));
	}
}

static void
test_plan_rules_one_row_per_finding_in_order(void **state)
{
	(void)state;
	assert_int_equal(plan_nrules, PLAN_FINDING_COUNT);
	for (size_t k = 0; k < plan_nrules; k++) {
		assert_int_equal(plan_rules[k].id, k);
		assert_non_null(plan_rules[k].decide);
		assert_non_null(plan_rules[k].key);
		for (size_t j = 0; j < k; j++)
			assert_string_not_equal(plan_rules[j].key,
			    plan_rules[k].key);
	}
}

/* A finding carries its row's level, platform and key. */
static void
test_plan_findings_carry_their_rows(void **state)
{
	struct plan_input in;
	struct plan_result r;
	unsigned ncontra = 0;

	(void)state;
	aws_defaults(&in);
	in.drain_fall = 1;
	in.stop_timeout_ms = S(200);
	in.stop_timeout_set = true;
	plan_compute(&in, &r);
	assert_true(r.nfindings > 3);
	for (unsigned k = 0; k < r.nfindings; k++) {
		const struct plan_finding *f = &r.finding[k];
		const struct plan_rule *row = &plan_rules[f->id];

		assert_int_equal(f->level, row->level);
		assert_int_equal(f->platform, row->platform);
		assert_string_equal(f->key, row->key);
		assert_true(f->problem[0] != '\0' && f->fix[0] != '\0');
		if (k > 0)
			assert_true(f->id > r.finding[k - 1].id);
		ncontra += f->level == PLAN_LEVEL_CONTRADICTION;
	}
	assert_int_equal(r.ncontra, ncontra);
	assert_true(ncontra >= 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_defaults_are_aws_and_the_daemons),
		cmocka_unit_test(
		    test_plan_kit_has_no_contradiction_and_no_slow_setting),
		cmocka_unit_test(test_plan_figures_follow_the_formulas),
		cmocka_unit_test(
		 test_plan_ecs_replacement_is_the_delay_when_the_window_is_shorter),
		cmocka_unit_test(
		 test_plan_figures_have_keys_platforms_labels_and_formulas),
		cmocka_unit_test(
		    test_plan_deploy_is_one_wave_whatever_the_task_count),
		cmocka_unit_test(test_plan_contradictions_table),
		cmocka_unit_test(test_plan_grpc_code_lists),
		cmocka_unit_test(test_plan_grpc_target_group_table),
		cmocka_unit_test(test_plan_slow_settings_table),
		cmocka_unit_test(test_plan_notes_say_what_the_figures_assume),
		cmocka_unit_test(test_plan_messages_name_cause_and_numbers),
		cmocka_unit_test(
		 test_plan_suggested_stop_timeout_clears_both_stop_contradictions),
		cmocka_unit_test(test_plan_seed_fixes_applied_leave_nothing_slow),
		cmocka_unit_test(test_plan_from_config_takes_the_slowest_check),
		cmocka_unit_test(
		    test_plan_from_config_takes_the_slowest_fastinter),
		cmocka_unit_test(test_plan_format_ms_table),
		cmocka_unit_test(test_plan_quiet_table),
		cmocka_unit_test(test_plan_rules_one_row_per_finding_in_order),
		cmocka_unit_test(test_plan_findings_carry_their_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
