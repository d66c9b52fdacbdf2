/*
 * Unit tests for plan_k8s.c: Kubernetes manifests as users write them,
 * what plan reads from each (both forms, hooks, probes, gates, the AWS
 * Load Balancer Controller's annotations and defaults), and the one line
 * that names the file, the document and the field when a manifest is bad.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "plan/plan_json.h"
#include "plan/plan_k8s.h"

#define S(x)	((x) * 1000u)

/* Reads docs as one file, then finishes; the result of the two. */
static int
k8s(const char *docs, struct plan_k8s *k, struct plan_input *in, char *err)
{
	memset(k, 0, sizeof(*k));
	plan_defaults(in);
	if (plan_k8s_read(docs, strlen(docs), "web.yaml", k, in, err,
	    PLAN_K8S_ERR_MAX) < 0)
		return -1;
	return plan_k8s_done(k, in, err, PLAN_K8S_ERR_MAX);
}

/* Supervisor form: healthgate is the app container's entry point. */
static const char supervisor[] =
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata: {name: web, namespace: shop}\n"
    "spec:\n"
    "  template:\n"
    "    spec:\n"
    "      terminationGracePeriodSeconds: 60\n"
    "      containers:\n"
    "        - name: web\n"
    "          image: shop/web:1\n"
    "          command: [/healthgate, --check,\n"
    "                    'app=http://127.0.0.1:8080/healthz', --]\n"
    "          args: [python, app.py]\n"
    "          env:\n"
    "            - {name: HEALTHGATE_DRAIN_TIMEOUT, value: \"30s\"}\n"
    "            - name: TOKEN\n"
    "              valueFrom: {secretKeyRef: {name: t, key: t}}\n"
    "          ports:\n"
    "            - {name: healthgate, containerPort: 8081}\n"
    "          readinessProbe:\n"
    "            httpGet: {path: /health, port: healthgate}\n"
    "            periodSeconds: 2\n"
    "            failureThreshold: 2\n"
    "          livenessProbe:\n"
    "            httpGet: {path: /live, port: 8081}\n";

static void
test_plan_k8s_reads_the_supervisor_form(void **state)
{
	struct plan_k8s k;
	struct plan_input in;
	char err[PLAN_K8S_ERR_MAX];

	(void)state;
	assert_int_equal(k8s(supervisor, &k, &in, err), 0);
	assert_string_equal(k.object, "Deployment/web");
	assert_string_equal(k.ns, "shop");
	assert_string_equal(k.spec, "spec.template.spec");
	assert_true(k.grace_set);
	assert_int_equal(k.grace_ms, S(60));
	assert_int_equal(k.form, PLAN_K8S_FORM_SUPERVISOR);
	assert_true(k.cmd.supervisor);
	assert_string_equal(k.hg_field, "spec.template.spec.containers[0]");
	assert_string_equal(k.app_field, k.hg_field);
	assert_int_equal(k.prestop, PLAN_K8S_HOOK_NONE);
	assert_int_equal(k.cmd.argc, 3);
	assert_string_equal(k.cmd.argv[0], "plan");
	assert_string_equal(k.cmd.argv[1], "--check");
	assert_string_equal(k.cmd.argv[2], "app=http://127.0.0.1:8080/healthz");
	assert_null(k.cmd.argv[3]);
	/* A value from a Secret is not known: left out, not made up. */
	assert_string_equal(k.cmd.envp[0], "HEALTHGATE_DRAIN_TIMEOUT=30s");
	assert_null(k.cmd.envp[1]);
	assert_int_equal(k.nprobes, 2);
	assert_int_equal(k.probe[0].kind, PLAN_K8S_PROBE_READINESS);
	assert_string_equal(k.probe[0].path, "/health");
	assert_int_equal(k.probe[0].port, 8081);	/* named, resolved */
	assert_int_equal(k.probe[0].period_ms, S(2));
	assert_int_equal(k.probe[0].failure, 2);
	assert_int_equal(k.probe[1].kind, PLAN_K8S_PROBE_LIVENESS);
	assert_string_equal(k.probe[1].field,
	    "spec.template.spec.containers[0].livenessProbe");
	assert_int_equal(k.probe[1].period_ms, S(10));	/* Kubernetes' */
	assert_int_equal(k.probe[1].failure, 3);
	assert_false(k.alb);
	assert_false(k.readiness_gate);
	plan_k8s_free(&k);
}

/* Sidecar form: a native sidecar, the app's preStop asks for the drain. */
static const char native[] =
    "kind: Pod\n"
    "metadata: {name: web}\n"
    "spec:\n"
    "  initContainers:\n"
    "    - name: healthgate\n"
    "      image: ghcr.io/example/healthgate:0.1.0\n"
    "      restartPolicy: Always\n"
    "      args: [--drain-timeout, 20s]\n"
    "  containers:\n"
    "    - name: app\n"
    "      image: shop/app:1\n"
    "      lifecycle:\n"
    "        preStop:\n"
    "          httpGet: {path: /admin/prestop, port: 8081}\n";

static void
test_plan_k8s_reads_the_native_sidecar_form(void **state)
{
	struct plan_k8s k;
	struct plan_input in;
	char err[PLAN_K8S_ERR_MAX];

	(void)state;
	assert_int_equal(k8s(native, &k, &in, err), 0);
	assert_string_equal(k.object, "Pod/web");
	assert_string_equal(k.spec, "spec");
	assert_false(k.grace_set);
	assert_int_equal(k.grace_ms, S(30));
	assert_int_equal(k.form, PLAN_K8S_FORM_NATIVE_SIDECAR);
	assert_false(k.cmd.supervisor);
	assert_string_equal(k.hg_field, "spec.initContainers[0]");
	assert_string_equal(k.app_field, "spec.containers[0]");
	assert_string_equal(k.app_container, "app");
	assert_int_equal(k.prestop, PLAN_K8S_HOOK_DRAIN);
	assert_string_equal(k.prestop_field,
	    "spec.containers[0].lifecycle.preStop");
	assert_int_equal(k.cmd.argc, 3);
	assert_string_equal(k.cmd.argv[2], "20s");
	assert_null(k.cmd.envp[0]);
	plan_k8s_free(&k);
}

/* What each preStop is taken for. */
static void
test_plan_k8s_prestop_table(void **state)
{
	static const struct {
		const char *hook;
		enum plan_k8s_hook want;
		unsigned sleep_ms;
	} cases[] = {
		{ "{sleep: {seconds: 15}}", PLAN_K8S_HOOK_SLEEP, 15000 },
		{ "{exec: {command: [sleep, '10']}}", PLAN_K8S_HOOK_SLEEP,
		    10000 },
		{ "{exec: {command: [/bin/sh, -c, 'echo bye; sleep 5']}}",
		    PLAN_K8S_HOOK_SLEEP, 5000 },
		{ "{httpGet: {path: /admin/prestop, port: 8081}}",
		    PLAN_K8S_HOOK_DRAIN, 0 },
		{ "{exec: {command: [/healthgate, ctl, drain, --wait]}}",
		    PLAN_K8S_HOOK_DRAIN, 0 },
		{ "{exec: {command: [sh, -c, 'curl -s localhost:8081/admin/"
		    "prestop']}}", PLAN_K8S_HOOK_DRAIN, 0 },
		{ "{httpGet: {path: /shutdown, port: 8080}}",
		    PLAN_K8S_HOOK_OTHER, 0 },
		{ "{exec: {command: [nginx, -s, quit]}}", PLAN_K8S_HOOK_OTHER,
		    0 },
	};
	char doc[1024], err[PLAN_K8S_ERR_MAX];
	struct plan_k8s k;
	struct plan_input in;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(doc, sizeof(doc), "kind: Pod\nmetadata: {name: p}\n"
		    "spec:\n  containers:\n  - name: app\n"
		    "    lifecycle: {preStop: %s}\n"
		    "  - {name: hg, command: [healthgate]}\n", cases[i].hook);
		if (k8s(doc, &k, &in, err) != 0)
			fail_msg("%s: %s", cases[i].hook, err);
		if (k.prestop != cases[i].want ||
		    (cases[i].sleep_ms && k.prestop_sleep_ms !=
		    cases[i].sleep_ms))
			fail_msg("%s: hook %d (%u ms), want %d", cases[i].hook,
			    k.prestop, k.prestop_sleep_ms, cases[i].want);
		assert_int_equal(k.form, PLAN_K8S_FORM_SIDECAR);
		plan_k8s_free(&k);
	}
}

/* The EKS kit's shape: an Ingress of the controller, its annotations. */
static const char eks[] =
    "apiVersion: v1\n"
    "kind: Namespace\n"
    "metadata:\n"
    "  name: shop\n"
    "  labels: {elbv2.k8s.aws/pod-readiness-gate-inject: enabled}\n"
    "---\n"
    "apiVersion: networking.k8s.io/v1\n"
    "kind: Ingress\n"
    "metadata:\n"
    "  name: web\n"
    "  namespace: shop\n"
    "  annotations:\n"
    "    alb.ingress.kubernetes.io/target-type: ip\n"
    "    alb.ingress.kubernetes.io/healthcheck-path: /health\n"
    "    alb.ingress.kubernetes.io/healthcheck-interval-seconds: '10'\n"
    "    alb.ingress.kubernetes.io/target-group-attributes: >-\n"
    "      deregistration_delay.timeout_seconds=30,\n"
    "      slow_start.duration_seconds=0\n"
    "spec: {ingressClassName: alb}\n";

static void
test_plan_k8s_reads_the_controllers_annotations_and_defaults(void **state)
{
	char doc[4096], err[PLAN_K8S_ERR_MAX];
	struct plan_k8s k;
	struct plan_input in;

	(void)state;
	snprintf(doc, sizeof(doc), "%s---\n%s", supervisor, eks);
	assert_int_equal(k8s(doc, &k, &in, err), 0);
	assert_true(k.alb);
	assert_true(k.lbc_ingress);
	assert_true(k.ip_mode);
	assert_string_equal(k.alb_object, "Ingress/web");
	assert_string_equal(k.alb_doc, "document 3");
	assert_string_equal(k.hc_path, "/health");
	assert_int_equal(in.alb_interval_ms, S(10));
	assert_int_equal(in.dereg_delay_ms, S(30));
	/* What no annotation sets is the controller's, not the API's. */
	assert_int_equal(in.alb_timeout_ms, S(5));
	assert_int_equal(in.alb_healthy, 2);
	assert_int_equal(in.alb_unhealthy, 2);
	assert_int_equal(k.alb_mask, PLAN_TG_INTERVAL | PLAN_TG_DEREG);
	/* The namespace's label injects the gate into the workload's pods. */
	assert_true(k.readiness_gate);
	plan_k8s_free(&k);
}

/* A Service's annotation wins over the Ingress's, in either order. */
static void
test_plan_k8s_service_annotations_win(void **state)
{
	static const char svc[] =
	    "kind: Service\nmetadata:\n  name: web\n  annotations:\n"
	    "    alb.ingress.kubernetes.io/healthy-threshold-count: '3'\n";
	static const char ing[] =
	    "kind: Ingress\nmetadata:\n  name: web\n  annotations:\n"
	    "    alb.ingress.kubernetes.io/healthy-threshold-count: '4'\n"
	    "spec: {ingressClassName: alb}\n";
	char doc[4096], err[PLAN_K8S_ERR_MAX];
	struct plan_k8s k;
	struct plan_input in;

	(void)state;
	snprintf(doc, sizeof(doc), "%s---\n%s---\n%s", native, svc, ing);
	assert_int_equal(k8s(doc, &k, &in, err), 0);
	assert_int_equal(in.alb_healthy, 3);
	assert_false(k.ip_mode);	/* the controller's default: instance */
	plan_k8s_free(&k);
	snprintf(doc, sizeof(doc), "%s---\n%s---\n%s", native, ing, svc);
	assert_int_equal(k8s(doc, &k, &in, err), 0);
	assert_int_equal(in.alb_healthy, 3);
	plan_k8s_free(&k);
}

/* A TargetGroupBinding: IP mode, the target group's own settings. */
static void
test_plan_k8s_target_group_binding(void **state)
{
	static const char tgb[] =
	    "apiVersion: elbv2.k8s.aws/v1beta1\nkind: TargetGroupBinding\n"
	    "metadata: {name: web}\n"
	    "spec: {targetType: ip, serviceRef: {name: web, port: 80}}\n";
	char doc[4096], err[PLAN_K8S_ERR_MAX];
	struct plan_k8s k;
	struct plan_input in;

	(void)state;
	snprintf(doc, sizeof(doc), "%s---\n%s", native, tgb);
	assert_int_equal(k8s(doc, &k, &in, err), 0);
	assert_true(k.alb);
	assert_true(k.ip_mode);
	assert_false(k.lbc_ingress);
	assert_string_equal(k.alb_object, "TargetGroupBinding/web");
	/* Not the controller's target group: the API's defaults stand. */
	assert_int_equal(in.alb_interval_ms, PLAN_ALB_INTERVAL_MS);
	assert_int_equal(in.alb_healthy, PLAN_ALB_HEALTHY);
	plan_k8s_free(&k);
}

/* kubectl's List, empty documents, other kinds: read or passed over. */
static void
test_plan_k8s_lists_and_empty_documents(void **state)
{
	static const char list[] =
	    "---\n---\n"
	    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n"
	    "apiVersion: v1\nkind: List\nitems:\n"
	    "- kind: Pod\n  metadata: {name: p}\n  spec:\n"
	    "    containers: [{name: hg, command: [healthgate, --, app]}]\n";
	struct plan_k8s k;
	struct plan_input in;
	char err[PLAN_K8S_ERR_MAX];

	(void)state;
	assert_int_equal(k8s(list, &k, &in, err), 0);
	assert_string_equal(k.object, "Pod/p");
	assert_int_equal(k.form, PLAN_K8S_FORM_SUPERVISOR);
	plan_k8s_free(&k);
}

/* Every bad manifest: -1, one line, the file, the document, the field. */
static void
test_plan_k8s_errors_name_file_document_and_field(void **state)
{
	static const struct {
		const char *doc, *want;
	} cases[] = {
		{ "kind: Pod\nmetadata: {name: p\nspec: x\n",
		    "web.yaml: document 1: line 3, column 5: did not find "
		    "expected ',' or '}'" },
		{ "kind: Service\nmetadata: {name: s}\n---\n- a\n- b\n",
		    "web.yaml: document 2: is a list, not an object" },
		{ "---\n---\njust words\n",
		    "web.yaml: document 2: is a string, not an object" },
		{ "metadata: {name: p}\n",
		    "web.yaml: document 1: kind: is missing" },
		{ "kind: 7\n", "web.yaml: document 1: kind: 7 is a whole "
		    "number, not a string" },
		{ "kind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n"
		    "    spec:\n      terminationGracePeriodSeconds: \"45\"\n"
		    "      containers: [{command: [healthgate]}]\n",
		    "web.yaml: document 1: spec.template.spec."
		    "terminationGracePeriodSeconds: \"45\" is a string, not a "
		    "whole number" },
		{ "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
		    "  - {command: [healthgate], env: [{name: HEALTHGATE_LISTEN,"
		    " value: 8081}]}\n",
		    "web.yaml: document 1: spec.containers[0].env[0].value: "
		    "8081 is a whole number, not a string" },
		{ "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
		    "  - {args: [--drain-fall, 2], image: healthgate}\n",
		    "web.yaml: document 1: spec.containers[0].args[1]: 2 is a "
		    "whole number, not a string" },
		{ "kind: Pod\nmetadata: {name: p}\nspec:\n  containers: x\n",
		    "web.yaml: document 1: spec.containers: is a string, not a "
		    "list" },
		{ "kind: Pod\nmetadata: {name: p}\nspec: {}\n",
		    "web.yaml: document 1: spec.containers: is missing" },
		{ "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
		    "  - {name: app, image: nginx}\n",
		    "web.yaml: document 1: spec: no healthgate container" },
		{ "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
		    "  - {name: app, image: nginx}\n  initContainers:\n"
		    "  - {name: healthgate, image: healthgate}\n",
		    "web.yaml: document 1: spec.initContainers[0].restartPolicy:"
		    " healthgate as an init container must be a native sidecar"
		    },
		{ "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
		    "  - {name: healthgate, image: healthgate}\n",
		    "web.yaml: document 1: spec: healthgate runs as a sidecar, "
		    "but no other container" },
		{ "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
		    "  - command: [healthgate, --, app]\n    readinessProbe:\n"
		    "      httpGet: {path: /health, port: 8081}\n"
		    "      periodSeconds: 0\n",
		    "web.yaml: document 1: spec.containers[0].readinessProbe."
		    "periodSeconds: 0 is not within 1-86400" },
		{ "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
		    "  - command: [healthgate, --, app]\n    lifecycle:\n"
		    "      preStop: {sleep: {seconds: 1.5}}\n",
		    "web.yaml: document 1: spec.containers[0].lifecycle.preStop."
		    "sleep.seconds: 1.5 is a number, not a whole number" },
		{ "kind: Pod\nmetadata: {name: p, name: q}\n",
		    "web.yaml: document 1: metadata: has name twice" },
		{ "kind: Ingress\nmetadata:\n  name: i\n  annotations:\n"
		    "    alb.ingress.kubernetes.io/healthcheck-interval-seconds:"
		    " 10\n",
		    "web.yaml: document 1: metadata.annotations[alb.ingress."
		    "kubernetes.io/healthcheck-interval-seconds]: 10 is a whole "
		    "number, not a string" },
		{ "kind: Ingress\nmetadata:\n  name: i\n  annotations:\n"
		    "    alb.ingress.kubernetes.io/unhealthy-threshold-count:"
		    " '11'\n",
		    "web.yaml: document 1: metadata.annotations[alb.ingress."
		    "kubernetes.io/unhealthy-threshold-count]: 11 is not within "
		    "2-10" },
		{ "kind: Ingress\nmetadata:\n  name: i\n  annotations:\n"
		    "    alb.ingress.kubernetes.io/target-group-attributes:"
		    " deregistration_delay.timeout_seconds=thirty\n",
		    "web.yaml: document 1: metadata.annotations[alb.ingress."
		    "kubernetes.io/target-group-attributes]: \"thirty\" is not a "
		    "whole number" },
		{ "kind: Ingress\nmetadata:\n  name: i\n  annotations:\n"
		    "    alb.ingress.kubernetes.io/target-type: pod\n",
		    "web.yaml: document 1: metadata.annotations[alb.ingress."
		    "kubernetes.io/target-type]: \"pod\" is not ip or instance" },
		{ "kind: Pod\nmetadata: {name: a}\nspec:\n  containers: "
		    "[{command: [healthgate, --, a]}]\n---\nkind: Pod\n"
		    "metadata: {name: b}\nspec: {}\n",
		    "web.yaml: document 2: metadata.name: a second workload, "
		    "Pod/b, beside Pod/a" },
		{ "kind: Service\nmetadata: {name: s}\n",
		    "no Deployment, StatefulSet, DaemonSet or Pod in the "
		    "manifests (1 documents read)" },
		{ "\"\\0\"\n", "web.yaml: document 1: is a string, not an "
		    "object" },
	};
	struct plan_k8s k;
	struct plan_input in;
	char err[PLAN_K8S_ERR_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = k8s(cases[i].doc, &k, &in, err);

		plan_k8s_free(&k);
		if (rc == 0)
			fail_msg("accepted: %s", cases[i].doc);
		if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("\"%s\",\nwant \"%s...\"", err, cases[i].want);
		assert_null(strchr(err, '\n'));
	}
}

/* Several files read into one: their documents count on, each named. */
static void
test_plan_k8s_reads_several_files(void **state)
{
	struct plan_k8s k;
	struct plan_input in;
	char err[PLAN_K8S_ERR_MAX];

	(void)state;
	memset(&k, 0, sizeof(k));
	plan_defaults(&in);
	assert_int_equal(plan_k8s_read(supervisor, strlen(supervisor), "a.yaml",
	    &k, &in, err, sizeof(err)), 0);
	assert_int_equal(plan_k8s_read(eks, strlen(eks), "b.yaml", &k, &in, err,
	    sizeof(err)), 0);
	assert_int_equal(plan_k8s_done(&k, &in, err, sizeof(err)), 0);
	assert_string_equal(k.file, "a.yaml");
	assert_string_equal(k.alb_file, "b.yaml");
	assert_string_equal(k.alb_doc, "document 2");
	assert_int_equal(k.ndocs, 3);
	assert_true(k.readiness_gate);
	plan_k8s_free(&k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_k8s_reads_the_supervisor_form),
		cmocka_unit_test(test_plan_k8s_reads_the_native_sidecar_form),
		cmocka_unit_test(test_plan_k8s_prestop_table),
		cmocka_unit_test(
		    test_plan_k8s_reads_the_controllers_annotations_and_defaults),
		cmocka_unit_test(test_plan_k8s_service_annotations_win),
		cmocka_unit_test(test_plan_k8s_target_group_binding),
		cmocka_unit_test(test_plan_k8s_lists_and_empty_documents),
		cmocka_unit_test(
		    test_plan_k8s_errors_name_file_document_and_field),
		cmocka_unit_test(test_plan_k8s_reads_several_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
