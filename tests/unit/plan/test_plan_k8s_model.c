/*
 * Unit tests for a pod's stop in plan: the Kubernetes figures
 * (plan_k8s_model.c) and rows (plan_rules_k8s.c), from settings set
 * field by field, each finding with the object and field it names; and
 * which of the other rows a pod is shown.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "plan/plan.h"

#define S(x)	((x) * 1000u)

/*
 * The kit: supervisor form, 45s grace, the EKS Ingress's ALB; its check
 * is on loopback, so healthgate sees the app's traffic.
 */
static void
kit(struct plan_input *in)
{
	struct plan_k8s_in *k = &in->k8s;

	plan_defaults(in);
	in->alb_interval_ms = S(10);
	in->alb_healthy = 2;
	in->dereg_delay_ms = S(30);
	in->interval_ms = S(2);
	in->timeout_ms = S(1);
	in->rise = in->fall = 1;
	in->drain_timeout_ms = S(30);
	in->drain_fall = 2;
	in->drain_window_ms = S(15);
	in->linger_ms = S(2);
	in->app_stop_timeout_ms = S(10);
	in->supervisor = true;
	in->traffic = true;
	k->on = true;
	k->form = PLAN_K8S_FORM_SUPERVISOR;
	snprintf(k->object, sizeof(k->object), "Deployment/web");
	snprintf(k->spec, sizeof(k->spec), "spec.template.spec");
	snprintf(k->ns, sizeof(k->ns), "shop");
	k->grace_set = true;
	k->grace_ms = S(45);
	in->stop_timeout_ms = k->grace_ms;
	in->stop_timeout_set = true;
	snprintf(k->prestop_field, sizeof(k->prestop_field),
	    "spec.template.spec.containers[0].lifecycle.preStop");
	k->readiness.set = k->liveness.set = true;
	snprintf(k->readiness.path, sizeof(k->readiness.path), "/health");
	snprintf(k->readiness.field, sizeof(k->readiness.field),
	    "spec.template.spec.containers[0].readinessProbe");
	k->readiness.period_ms = S(5);
	k->readiness.failure = 2;
	snprintf(k->liveness.path, sizeof(k->liveness.path), "/live");
	snprintf(k->liveness.field, sizeof(k->liveness.field),
	    "spec.template.spec.containers[0].livenessProbe");
	k->liveness.period_ms = S(10);
	k->liveness.failure = 3;
	k->alb = k->ip_mode = k->gate = k->dereg_set = true;
	snprintf(k->alb_object, sizeof(k->alb_object), "Ingress/web");
	k->listen_port = 8081;
}

static const struct plan_finding *
find(const struct plan_result *r, const char *key)
{
	for (unsigned i = 0; i < r->nfindings; i++)
		if (strcmp(r->finding[i].key, key) == 0)
			return &r->finding[i];
	return NULL;
}

static const struct plan_figure *
fig(const struct plan_result *r, enum plan_figure_id id)
{
	return &r->fig[id];
}

static void
test_plan_k8s_kit_has_no_contradiction_and_its_figures(void **state)
{
	struct plan_input in;
	struct plan_result r;

	(void)state;
	kit(&in);
	plan_compute(&in, &r);
	for (unsigned i = 0; i < r.nfindings; i++)
		if (r.finding[i].level != PLAN_LEVEL_NOTE)
			fail_msg("%s: %s", r.finding[i].key, r.finding[i].problem);
	assert_int_equal(r.ncontra, 0);
	/* The ALB's nodes hold the drain: max(F*I, W) = 20s, (F-1/2)*I. */
	assert_float_equal(fig(&r, PLAN_FIGURE_K8S_DRAIN_END)->worst_ms, S(20),
	    0.1);
	assert_float_equal(fig(&r, PLAN_FIGURE_K8S_DRAIN_END)->typical_ms,
	    S(15), 0.1);
	assert_float_equal(fig(&r, PLAN_FIGURE_K8S_APP_SIGNAL)->worst_ms, S(22),
	    0.1);
	assert_float_equal(fig(&r, PLAN_FIGURE_K8S_GONE)->worst_ms, S(32), 0.1);
	/* readiness: f*i + t + n*p = 2 + 1 + 10. */
	assert_float_equal(fig(&r, PLAN_FIGURE_K8S_NOT_READY)->worst_ms, S(13),
	    0.1);
	/* Nothing of ECS's: no figure shown, no finding. */
	assert_false(plan_platform_shown(&in, PLAN_PLATFORM_ECS));
	assert_false(plan_platform_shown(&in, PLAN_PLATFORM_ROUTED));
	for (unsigned i = 0; i < r.nfindings; i++)
		assert_true(r.finding[i].platform == PLAN_PLATFORM_K8S ||
		    r.finding[i].platform == PLAN_PLATFORM_ANY ||
		    r.finding[i].platform == PLAN_PLATFORM_ROUTED);
	assert_null(find(&r, "ecs_drain_after_deregistration"));
	assert_null(find(&r, "stop_timeout_defaulted"));
}

/* No ALB: only the routers' lag and the app's quiet traffic. */
static void
test_plan_k8s_without_alb_the_drain_is_lag_and_quiet(void **state)
{
	struct plan_input in;
	struct plan_result r;

	(void)state;
	kit(&in);
	in.k8s.alb = in.k8s.ip_mode = false;
	plan_compute(&in, &r);
	/* E + Q: 2s + 10s worst (the ceiling), 2s + 1s typical (a busy app). */
	assert_float_equal(fig(&r, PLAN_FIGURE_K8S_DRAIN_END)->worst_ms, S(12),
	    0.1);
	assert_float_equal(fig(&r, PLAN_FIGURE_K8S_DRAIN_END)->typical_ms,
	    S(3), 0.1);
	in.drain_quiet_ms = S(1);
	plan_compute(&in, &r);
	assert_float_equal(fig(&r, PLAN_FIGURE_K8S_DRAIN_END)->worst_ms, S(3),
	    0.1);
	/* A preStop sleep delays the drain's start: E is counted from it. */
	in.k8s.prestop = PLAN_K8S_HOOK_SLEEP;
	in.k8s.prestop_ms = S(5);
	in.k8s.grace_ms = S(60);	/* above 5 + 30 + 2 + 10 */
	plan_compute(&in, &r);
	assert_float_equal(fig(&r, PLAN_FIGURE_K8S_DRAIN_END)->worst_ms, S(6),
	    0.1);
	assert_false(plan_platform_shown(&in, PLAN_PLATFORM_ANY));
	assert_int_equal(r.ncontra, 0);
	assert_non_null(find(&r, "k8s_prestop_sleep"));
}

/*
 * Traffic healthgate cannot see is not waited for (docs/drain.md): neither
 * the routers' lag nor a quiet period holds the drain, which is the
 * watched probers' alone, and with none it ends at once.
 */
static void
test_plan_k8s_unseen_traffic_adds_no_quiet_period(void **state)
{
	struct plan_input in;
	struct plan_result r;

	(void)state;
	kit(&in);
	in.traffic = false;
	in.k8s.alb = in.k8s.ip_mode = false;
	plan_compute(&in, &r);
	assert_float_equal(fig(&r, PLAN_FIGURE_K8S_DRAIN_END)->worst_ms, 0, 0.1);
	assert_float_equal(fig(&r, PLAN_FIGURE_K8S_DRAIN_END)->typical_ms, 0,
	    0.1);
	/* A --drain-quiet set is not waited for either. */
	in.drain_quiet_ms = S(25);
	plan_compute(&in, &r);
	assert_float_equal(fig(&r, PLAN_FIGURE_K8S_DRAIN_END)->worst_ms, 0, 0.1);
	/* The ALB's nodes alone: max(F*I, W) = 20s, (F-1/2)*I = 15s, where */
	/* E + Q would be 27s. */
	kit(&in);
	in.traffic = false;
	in.drain_quiet_ms = S(25);
	plan_compute(&in, &r);
	assert_float_equal(fig(&r, PLAN_FIGURE_K8S_DRAIN_END)->worst_ms, S(20),
	    0.1);
	assert_float_equal(fig(&r, PLAN_FIGURE_K8S_DRAIN_END)->typical_ms,
	    S(15), 0.1);
}

/*
 * One typical quiet period for auto, whichever platform: what the routed
 * drain's app signal adds to its end (ECS model) is what the pod's drain
 * adds to the routers' lag (Kubernetes model).
 */
static void
test_plan_k8s_quiet_typical_as_the_routed_drain(void **state)
{
	struct plan_input ecs, pod;
	struct plan_result re, rp;
	double q_ecs, q_pod;

	(void)state;
	kit(&pod);
	pod.k8s.alb = pod.k8s.ip_mode = false;
	plan_compute(&pod, &rp);
	plan_defaults(&ecs);
	ecs.drain_timeout_ms = S(30);
	ecs.drain_fall = 2;
	ecs.drain_window_ms = S(15);
	ecs.supervisor = ecs.traffic = true;
	plan_compute(&ecs, &re);
	q_ecs = fig(&re, PLAN_FIGURE_ROUTED_APP_SIGNAL)->typical_ms -
	    fig(&re, PLAN_FIGURE_ROUTED_TO_EXIT)->typical_ms;
	q_pod = fig(&rp, PLAN_FIGURE_K8S_DRAIN_END)->typical_ms -
	    pod.k8s.lag_ms;
	assert_float_equal(q_ecs, S(1), 0.1);
	assert_float_equal(q_pod, q_ecs, 0.1);
}

/*
 * A supervisor that cannot see the traffic lingers after the watched
 * nodes' evidence, typically too; with no node watched the drain is idle
 * and the app is signalled at once.
 */
static void
test_plan_k8s_unseen_traffic_lingers_after_the_nodes(void **state)
{
	struct plan_input in;
	struct plan_result r;

	(void)state;
	kit(&in);
	in.traffic = false;
	plan_compute(&in, &r);
	/* (F-1/2)*I + L = 15 + 2 */
	assert_float_equal(fig(&r, PLAN_FIGURE_K8S_APP_SIGNAL)->typical_ms,
	    S(17), 0.1);
	assert_float_equal(fig(&r, PLAN_FIGURE_K8S_GONE)->typical_ms, S(17),
	    0.1);
	assert_string_equal(fig(&r, PLAN_FIGURE_K8S_APP_SIGNAL)->typical_formula,
	    "x + L");
	in.k8s.alb = in.k8s.ip_mode = false;
	plan_compute(&in, &r);
	assert_float_equal(fig(&r, PLAN_FIGURE_K8S_APP_SIGNAL)->typical_ms, 0,
	    0.1);
	/* The traffic seen: a quiet end, no linger. */
	kit(&in);
	plan_compute(&in, &r);
	assert_float_equal(fig(&r, PLAN_FIGURE_K8S_APP_SIGNAL)->typical_ms,
	    S(15), 0.1);
}

static void
test_plan_k8s_grace_below_what_must_fit(void **state)
{
	struct plan_input in;
	struct plan_result r;
	const struct plan_finding *f;

	(void)state;
	kit(&in);
	in.k8s.grace_ms = in.stop_timeout_ms = S(42);	/* 30 + 2 + 10 */
	plan_compute(&in, &r);
	assert_non_null(f = find(&r, "k8s_grace_period_below_stop"));
	assert_int_equal(f->level, PLAN_LEVEL_CONTRADICTION);
	assert_non_null(strstr(f->problem, "Deployment/web spec.template.spec."
	    "terminationGracePeriodSeconds 42s"));
	assert_non_null(strstr(f->problem, "= 42s"));
	assert_non_null(strstr(f->fix, "terminationGracePeriodSeconds to 57"));
	in.k8s.grace_ms = S(43);
	plan_compute(&in, &r);
	assert_null(find(&r, "k8s_grace_period_below_stop"));
	/* A sidecar's preStop waits up to the cap. */
	in.k8s.form = PLAN_K8S_FORM_NATIVE_SIDECAR;
	in.supervisor = false;
	in.k8s.prestop = PLAN_K8S_HOOK_DRAIN;
	in.k8s.grace_ms = S(30);
	plan_compute(&in, &r);
	assert_non_null(f = find(&r, "k8s_grace_period_below_stop"));
	assert_non_null(strstr(f->problem, "may wait 30s (the drain cap)"));
}

static void
test_plan_k8s_sidecar_prestop_table(void **state)
{
	static const struct {
		enum plan_k8s_form form;
		enum plan_k8s_hook hook;
		const char *key;	/* what plan finds, or NULL */
	} cases[] = {
		{ PLAN_K8S_FORM_NATIVE_SIDECAR, PLAN_K8S_HOOK_NONE,
		    "k8s_sidecar_prestop_does_not_wait" },
		{ PLAN_K8S_FORM_SIDECAR, PLAN_K8S_HOOK_OTHER,
		    "k8s_sidecar_prestop_does_not_wait" },
		{ PLAN_K8S_FORM_NATIVE_SIDECAR, PLAN_K8S_HOOK_DRAIN, NULL },
		{ PLAN_K8S_FORM_SIDECAR, PLAN_K8S_HOOK_SLEEP,
		    "k8s_prestop_sleep" },
		{ PLAN_K8S_FORM_SUPERVISOR, PLAN_K8S_HOOK_NONE, NULL },
		{ PLAN_K8S_FORM_SUPERVISOR, PLAN_K8S_HOOK_SLEEP,
		    "k8s_prestop_sleep" },
	};
	struct plan_input in;
	struct plan_result r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		kit(&in);
		in.k8s.form = cases[i].form;
		in.supervisor = cases[i].form == PLAN_K8S_FORM_SUPERVISOR;
		in.k8s.prestop = cases[i].hook;
		in.k8s.prestop_ms = S(5);
		in.k8s.grace_ms = S(60);
		plan_compute(&in, &r);
		if (cases[i].key == NULL) {
			if (r.ncontra || find(&r, "k8s_prestop_sleep"))
				fail_msg("case %zu: %s", i, r.finding[0].key);
			continue;
		}
		if (find(&r, cases[i].key) == NULL)
			fail_msg("case %zu: no %s", i, cases[i].key);
		if (strstr(find(&r, cases[i].key)->problem,
		    "Deployment/web spec.template.spec.containers[0]."
		    "lifecycle.preStop") == NULL)
			fail_msg("case %zu: %s", i,
			    find(&r, cases[i].key)->problem);
	}
}

static void
test_plan_k8s_probes_on_the_wrong_path(void **state)
{
	struct plan_input in;
	struct plan_result r;
	const struct plan_finding *f;

	(void)state;
	kit(&in);
	snprintf(in.k8s.liveness.path, sizeof(in.k8s.liveness.path), "/health");
	snprintf(in.k8s.readiness.path, sizeof(in.k8s.readiness.path), "/live");
	plan_compute(&in, &r);
	assert_non_null(f = find(&r, "k8s_liveness_on_health"));
	assert_non_null(strstr(f->problem, "Deployment/web spec.template.spec."
	    "containers[0].livenessProbe.httpGet.path"));
	assert_non_null(f = find(&r, "k8s_readiness_on_live"));
	assert_non_null(strstr(f->problem, "readinessProbe.httpGet.path"));
	assert_int_equal(r.ncontra, 2);
	/* Kubernetes' default readiness, 10s x 3: slow, named. */
	kit(&in);
	in.k8s.readiness.period_ms = S(10);
	in.k8s.readiness.failure = 3;
	plan_compute(&in, &r);
	assert_non_null(f = find(&r, "k8s_readiness_slow"));
	assert_int_equal(f->level, PLAN_LEVEL_SLOW);
	assert_non_null(strstr(f->problem, "33s"));	/* 2 + 1 + 30 */
}

static void
test_plan_k8s_eks_gate_and_delay(void **state)
{
	struct plan_input in;
	struct plan_result r;
	const struct plan_finding *f;

	(void)state;
	kit(&in);
	in.k8s.gate = false;
	in.dereg_delay_ms = S(45);
	plan_compute(&in, &r);
	assert_non_null(f = find(&r, "eks_no_readiness_gate"));
	assert_non_null(strstr(f->problem,
	    "Deployment/web spec.template.spec.readinessGates"));
	assert_non_null(strstr(f->fix, "kubectl label namespace shop "
	    "elbv2.k8s.aws/pod-readiness-gate-inject=enabled"));
	assert_non_null(f = find(&r,
	    "eks_deregistration_delay_not_below_grace"));
	assert_non_null(strstr(f->problem, "Ingress/web metadata.annotations"
	    "[alb.ingress.kubernetes.io/target-group-attributes]"));
	assert_int_equal(r.ncontra, 2);
	/* Instance targets: the ALB is not in front of the pod. */
	kit(&in);
	in.k8s.ip_mode = false;
	in.k8s.gate = false;
	plan_compute(&in, &r);
	assert_null(find(&r, "eks_no_readiness_gate"));
	assert_non_null(find(&r, "eks_target_type_instance"));
}

/*
 * The same ALB values give the same slow settings, from a target group
 * (ECS) or from a pod's Ingress: the ALB's own rows, or their pod twins
 * under the same keys.
 */
static void
test_plan_k8s_slow_alb_settings_match_the_target_groups(void **state)
{
	struct plan_input ecs, pod;
	struct plan_result re, rp;
	unsigned n_ecs = 0, n_pod = 0;

	(void)state;
	plan_defaults(&ecs);
	ecs.alb_interval_ms = S(15);
	kit(&pod);
	pod.alb_interval_ms = S(15);
	pod.alb_healthy = 5;
	pod.alb_unhealthy = 2;
	pod.dereg_delay_ms = S(300);
	pod.k8s.grace_ms = S(400);
	plan_compute(&ecs, &re);
	plan_compute(&pod, &rp);
	for (unsigned i = 0; i < re.nfindings; i++) {
		if (re.finding[i].level != PLAN_LEVEL_SLOW)
			continue;
		n_ecs++;
		if (find(&rp, re.finding[i].key) == NULL ||
		    find(&rp, re.finding[i].key)->level != PLAN_LEVEL_SLOW)
			fail_msg("the pod lacks %s", re.finding[i].key);
	}
	for (unsigned i = 0; i < rp.nfindings; i++)
		n_pod += rp.finding[i].level == PLAN_LEVEL_SLOW;
	assert_int_equal(n_ecs, 3);
	assert_int_equal(n_pod, n_ecs);
	/* The same words, after the annotation that sets the interval. */
	{
		const char *words = find(&rp, "alb_interval_slow")->problem;
		const char *tg = find(&re, "alb_interval_slow")->problem;
		const char *at = "Ingress/web metadata.annotations[alb.ingress."
		    "kubernetes.io/healthcheck-interval-seconds]: ";

		assert_memory_equal(words, at, strlen(at));
		assert_string_equal(words + strlen(at), tg);
		assert_string_equal(find(&rp, "alb_interval_slow")->fix,
		    find(&re, "alb_interval_slow")->fix);
	}
}

/* An ECS plan shows no pod row, and a pod no ECS row. */
static void
test_plan_k8s_rows_stay_on_their_platform(void **state)
{
	struct plan_input in;
	struct plan_result r;

	(void)state;
	plan_defaults(&in);
	in.drain_timeout_ms = S(30);
	in.drain_fall = 2;
	in.drain_window_ms = S(15);
	plan_compute(&in, &r);
	for (unsigned i = 0; i < r.nfindings; i++)
		assert_int_not_equal(r.finding[i].platform, PLAN_PLATFORM_K8S);
	assert_null(r.fig[PLAN_FIGURE_K8S_GONE].key);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_plan_k8s_kit_has_no_contradiction_and_its_figures),
		cmocka_unit_test(
		    test_plan_k8s_without_alb_the_drain_is_lag_and_quiet),
		cmocka_unit_test(
		    test_plan_k8s_unseen_traffic_adds_no_quiet_period),
		cmocka_unit_test(
		    test_plan_k8s_quiet_typical_as_the_routed_drain),
		cmocka_unit_test(
		    test_plan_k8s_unseen_traffic_lingers_after_the_nodes),
		cmocka_unit_test(test_plan_k8s_grace_below_what_must_fit),
		cmocka_unit_test(test_plan_k8s_sidecar_prestop_table),
		cmocka_unit_test(test_plan_k8s_probes_on_the_wrong_path),
		cmocka_unit_test(test_plan_k8s_eks_gate_and_delay),
		cmocka_unit_test(
		    test_plan_k8s_slow_alb_settings_match_the_target_groups),
		cmocka_unit_test(test_plan_k8s_rows_stay_on_their_platform),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
