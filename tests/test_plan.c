/*
 * Unit tests for plan.c: tables of settings and the figures and
 * contradictions they must give. healthgate's own settings come from
 * config_load with nothing set, so the tests follow the daemon's defaults
 * rather than a copy of them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "plan.h"

#define S(x)	((x) * 1000u)		/* seconds, in the ms plan takes */
#define END	{ (size_t)-1, 0 }

/* One setting to change from the defaults. */
struct set {
	size_t		off;		/* in struct plan_input; -1 ends a list */
	unsigned	v;
};

#define SET(field, val)	{ offsetof(struct plan_input, field), (val) }

/* The kit's ALB and ECS settings with the daemon's own defaults. */
static void
defaults(struct plan_input *in)
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

static void
with(struct plan_input *in, const struct set *sets)
{
	defaults(in);
	for (; sets->off != (size_t)-1; sets++)
		*(unsigned *)((char *)in + sets->off) = sets->v;
}

static unsigned
contra_mask(const struct plan_result *r)
{
	unsigned m = 0;

	for (unsigned k = 0; k < r->ncontra; k++)
		m |= 1u << r->contra[k].id;
	return m;
}

static const struct plan_contradiction *
find_contra(const struct plan_result *r, enum plan_contra_id id)
{
	for (unsigned k = 0; k < r->ncontra; k++)
		if (r->contra[k].id == id)
			return &r->contra[k];
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
test_plan_defaults_are_the_daemons(void **state)
{
	struct plan_input in;

	(void)state;
	defaults(&in);
	assert_int_equal(in.alb_interval_ms, S(10));
	assert_int_equal(in.alb_timeout_ms, S(5));
	assert_int_equal(in.alb_healthy, 2);
	assert_int_equal(in.alb_unhealthy, 2);
	assert_int_equal(in.dereg_delay_ms, S(30));
	assert_int_equal(in.stop_timeout_ms, S(45));
	assert_int_equal(in.tasks, 4);
	assert_int_equal(in.interval_ms, S(2));
	assert_int_equal(in.timeout_ms, S(1));
	assert_int_equal(in.rise, 1);
	assert_int_equal(in.fall, 1);
	assert_int_equal(in.drain_timeout_ms, S(30));
	assert_int_equal(in.drain_fall, 2);
	assert_int_equal(in.drain_window_ms, S(15));
}

static void
test_plan_defaults_have_no_contradiction(void **state)
{
	struct plan_input in;
	struct plan_result r;

	(void)state;
	defaults(&in);
	plan_compute(&in, &r);
	for (unsigned k = 0; k < r.ncontra; k++)
		print_error("unexpected: %s\n", r.contra[k].problem);
	assert_int_equal(r.ncontra, 0);
}

struct figure_case {
	const char	*name;
	struct set	 sets[8];
	double		 worst[PLAN_NFIGURES];	/* seconds, in enum order */
	double		 typical[PLAN_NFIGURES];
};

/*
 * Order: start->routing, fail->unrouted, fail->503, SIGTERM->unrouted,
 * SIGTERM->exit, replacement, deploy.
 */
static const struct figure_case figure_cases[] = {
	{ "kit defaults", { END },
	    /* 2+1+20, 3+20, 3, 20, min(30,max(20,15)), 30+20+45, 23+95 */
	    { 23, 23, 3, 20, 20, 95, 118 },
	    /* 1+15, 1+15, 1, 15, 15, 30+15, 16+45 */
	    { 16, 16, 1, 15, 15, 45, 61 } },
	{ "the six-minute deploy: 300 s delay, ALB default checks",
	    { SET(dereg_delay_ms, S(300)), SET(alb_interval_ms, S(30)),
	    SET(alb_healthy, 5), END },
	    /* 3+150, 3+60, 3, 60, capped 30, 300+30+45, 153+375 */
	    { 153, 63, 3, 60, 30, 375, 528 },
	    /* 1+135, 1+45, 1, 45, min(30,45), 300+30, 136+330 */
	    { 136, 46, 1, 45, 30, 330, 466 } },
	{ "slow checks: rise 3, fall 2, 500 ms / 200 ms",
	    { SET(interval_ms, 500), SET(timeout_ms, 200), SET(rise, 3),
	    SET(fall, 2), END },
	    { 1.7 + 20, 1.2 + 20, 1.2, 20, 20, 95, 21.7 + 95 },
	    { 1.25 + 15, 0.75 + 15, 0.75, 15, 15, 45, 16.25 + 45 } },
	{ "a silent window longer than F x I sets the worst exit",
	    { SET(drain_window_ms, S(25)), END },
	    { 23, 23, 3, 20, 25, 100, 123 },
	    { 16, 16, 1, 15, 15, 45, 61 } },
	{ "SIGKILL at a stop timeout below the exit bounds the stop",
	    { SET(drain_fall, 5), SET(drain_timeout_ms, S(60)),
	    SET(stop_timeout_ms, S(40)), END },
	    /* exit min(60, max(50, 15)) = 50, killed at 40: 30+40+40 */
	    { 23, 23, 3, 20, 50, 110, 133 },
	    /* exit (5-1/2)*10 = 45: 30+45 */
	    { 16, 16, 1, 15, 45, 75, 91 } },
	{ "no deregistration delay, fast ALB",
	    { SET(dereg_delay_ms, 0), SET(alb_interval_ms, S(5)),
	    SET(alb_timeout_ms, S(2)), SET(alb_unhealthy, 3), END },
	    /* exit min(30, max(10, 15)) = 15; 0+15+45 */
	    { 13, 18, 3, 15, 15, 60, 73 },
	    /* 1+7.5, 1+12.5, 1, 12.5, 7.5, 7.5 */
	    { 8.5, 13.5, 1, 12.5, 7.5, 7.5, 16 } },
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
		for (unsigned f = 0; f < PLAN_NFIGURES; f++) {
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

static void
test_plan_figures_have_keys_labels_and_formulas(void **state)
{
	static const char *const keys[PLAN_NFIGURES] = {
		"start_to_routing", "fail_to_unrouted", "fail_to_503",
		"sigterm_to_unrouted", "sigterm_to_exit", "task_replacement",
		"whole_deploy",
	};
	struct plan_input in;
	struct plan_result r;

	(void)state;
	defaults(&in);
	plan_compute(&in, &r);
	for (unsigned f = 0; f < PLAN_NFIGURES; f++) {
		assert_string_equal(r.fig[f].key, keys[f]);
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
	assert_ms(many.fig[PLAN_DEPLOY].worst_ms, one.fig[PLAN_DEPLOY].worst_ms,
	    "deploy worst");
	assert_int_equal(one.peak_tasks, 2);
	assert_int_equal(many.peak_tasks, 1000);
}

#define BIT(id)	(1u << (id))

struct contra_case {
	const char	*name;
	struct set	 sets[8];
	unsigned	 want;		/* BIT() of every contradiction */
};

static const struct contra_case contra_cases[] = {
	{ "kit defaults", { END }, 0 },
	{ "ALB timeout equal to its interval",
	    { SET(alb_timeout_ms, S(10)), END }, BIT(PLAN_ALB_TIMEOUT) },
	{ "ALB timeout above its interval",
	    { SET(alb_timeout_ms, S(20)), SET(alb_interval_ms, S(12)), END },
	    BIT(PLAN_ALB_TIMEOUT) },
	{ "ALB timeout just below its interval",
	    { SET(alb_timeout_ms, S(9)), END }, 0 },
	{ "healthgate timeout equal to its interval",
	    { SET(timeout_ms, S(2)), END }, BIT(PLAN_CHECK_TIMEOUT) },
	{ "drain cap above the stop timeout, and stop at the delay",
	    { SET(drain_timeout_ms, S(40)), SET(stop_timeout_ms, S(30)), END },
	    BIT(PLAN_SIGKILL) | BIT(PLAN_STOP_BELOW_DEREG) },
	{ "drain cap equal to the stop timeout",
	    { SET(drain_timeout_ms, S(45)), END }, BIT(PLAN_SIGKILL) },
	{ "stop timeout a second above both", { SET(stop_timeout_ms, S(31)),
	    END }, 0 },
	{ "stop timeout below the delay, drain cap lowered",
	    { SET(stop_timeout_ms, S(25)), SET(drain_timeout_ms, S(20)),
	    END }, BIT(PLAN_STOP_BELOW_DEREG) },
	{ "drain cap shorter than unhealthy x interval",
	    { SET(drain_timeout_ms, S(19)), END }, BIT(PLAN_CAP_BELOW_DETECT) },
	{ "drain cap exactly unhealthy x interval",
	    { SET(drain_timeout_ms, S(20)), END }, 0 },
	{ "drain-fall below the unhealthy threshold",
	    { SET(drain_fall, 1), END }, BIT(PLAN_DRAIN_FALL) },
	{ "drain-fall below a raised unhealthy threshold, cap too short",
	    { SET(alb_unhealthy, 4), END },
	    BIT(PLAN_DRAIN_FALL) | BIT(PLAN_CAP_BELOW_DETECT) },
	{ "drain window equal to the ALB interval",
	    { SET(drain_window_ms, S(10)), END }, BIT(PLAN_WINDOW) },
	{ "deregistration delay 300 s, stop timeout raised past it",
	    { SET(dereg_delay_ms, S(300)), SET(stop_timeout_ms, S(320)), END },
	    BIT(PLAN_SLOW_DEREG) },
	{ "deregistration delay just under 300 s",
	    { SET(dereg_delay_ms, S(299)), SET(stop_timeout_ms, S(320)), END },
	    0 },
	{ "the six-minute deploy",
	    { SET(dereg_delay_ms, S(300)), SET(alb_interval_ms, S(30)),
	    SET(alb_healthy, 5), END },
	    BIT(PLAN_SLOW_DEREG) | BIT(PLAN_STOP_BELOW_DEREG) |
	    BIT(PLAN_CAP_BELOW_DETECT) | BIT(PLAN_WINDOW) },
	{ "everything at once",
	    { SET(alb_timeout_ms, S(10)), SET(timeout_ms, S(3)),
	    SET(drain_timeout_ms, S(50)), SET(dereg_delay_ms, S(300)),
	    SET(drain_fall, 1), SET(drain_window_ms, S(5)),
	    SET(alb_unhealthy, 6), END },
	    (1u << PLAN_NCONTRA) - 1 },
};

static void
test_plan_contradictions_table(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(contra_cases) / sizeof(*contra_cases);
	    k++) {
		const struct contra_case *cc = &contra_cases[k];
		struct plan_input in;
		struct plan_result r;
		unsigned got;

		with(&in, cc->sets);
		plan_compute(&in, &r);
		got = contra_mask(&r);
		if (got != cc->want)
			fail_msg("%s: contradictions 0x%x, want 0x%x",
			    cc->name, got, cc->want);
		for (unsigned c = 0; c < r.ncontra; c++) {
			assert_true(strlen(r.contra[c].key) > 0);
			assert_true(strlen(r.contra[c].problem) > 0);
			assert_true(strlen(r.contra[c].fix) > 0);
		}
	}
}

/* What a user reads must name the cause and the numbers. */
struct message_case {
	const char	*name;
	struct set	 sets[8];
	enum plan_contra_id id;
	const char	*problem_has[3];
	const char	*fix_has[2];
};

static const struct message_case message_cases[] = {
	{ "SIGKILL", { SET(drain_timeout_ms, S(40)),
	    SET(stop_timeout_ms, S(30)), END }, PLAN_SIGKILL,
	    { "SIGKILL", "40s", "30s" }, { "stopTimeout", "55s" } },
	{ "300 s delay", { SET(dereg_delay_ms, S(300)), END }, PLAN_SLOW_DEREG,
	    /* 300 + the typical exit, (2 - 1/2) x 10 s */
	    { "300s", "5 minutes", "315s" }, { "30", NULL } },
	{ "ALB timeout", { SET(alb_timeout_ms, S(10)), END }, PLAN_ALB_TIMEOUT,
	    { "10s", NULL, NULL }, { "5s", NULL } },
	{ "drain cap vs detection", { SET(alb_interval_ms, S(30)), END },
	    PLAN_CAP_BELOW_DETECT, { "30s", "60s", NULL },
	    { "--drain-timeout to 60s", "15s" } },
	{ "drain-fall", { SET(drain_fall, 1), END }, PLAN_DRAIN_FALL,
	    { "--drain-fall 1", "threshold 2", NULL },
	    { "--drain-fall", "to 2" } },
	{ "window", { SET(alb_interval_ms, S(20)), SET(drain_timeout_ms,
	    S(40)), SET(stop_timeout_ms, S(60)), END }, PLAN_WINDOW,
	    { "15s", "20s", NULL }, { "30s", NULL } },
	{ "stop below a delay Fargate cannot match",
	    { SET(dereg_delay_ms, S(300)), END }, PLAN_STOP_BELOW_DEREG,
	    { "45s", "300s", NULL }, { "120s", NULL } },
};

static void
test_plan_messages_name_cause_and_numbers(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(message_cases) / sizeof(*message_cases);
	    k++) {
		const struct message_case *mc = &message_cases[k];
		const struct plan_contradiction *c;
		struct plan_input in;
		struct plan_result r;

		with(&in, mc->sets);
		plan_compute(&in, &r);
		if ((c = find_contra(&r, mc->id)) == NULL)
			fail_msg("%s: contradiction %d missing", mc->name,
			    mc->id);
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
	assert_int_equal(contra_mask(&r), BIT(PLAN_SIGKILL) |
	    BIT(PLAN_STOP_BELOW_DEREG));
	in.stop_timeout_ms = S(55);	/* what the fix says */
	plan_compute(&in, &r);
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
	assert_int_equal(in.alb_interval_ms, S(10));
	assert_int_equal(in.stop_timeout_ms, S(45));
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_defaults_are_the_daemons),
		cmocka_unit_test(test_plan_defaults_have_no_contradiction),
		cmocka_unit_test(test_plan_figures_follow_the_formulas),
		cmocka_unit_test(
		    test_plan_figures_have_keys_labels_and_formulas),
		cmocka_unit_test(
		    test_plan_deploy_is_one_wave_whatever_the_task_count),
		cmocka_unit_test(test_plan_contradictions_table),
		cmocka_unit_test(test_plan_messages_name_cause_and_numbers),
		cmocka_unit_test(
		 test_plan_suggested_stop_timeout_clears_both_stop_contradictions),
		cmocka_unit_test(test_plan_from_config_takes_the_slowest_check),
		cmocka_unit_test(test_plan_format_ms_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
