/*
 * Unit tests for plan_json.c: task definitions and target groups as AWS
 * writes them, and what plan reads from each; bad documents and the one
 * line that names the file and the field.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "plan/plan_json.h"

#define S(x)	((x) * 1000u)

static int
taskdef(const char *json, struct plan_taskdef *td, char *err)
{
	return plan_json_taskdef(json, strlen(json), "td.json", td, err,
	    PLAN_JSON_ERR_MAX);
}

/* The deploy kit's shape: the app, and healthgate beside it. */
static const char sidecar[] =
    "{\"family\": \"shop\", \"requiresCompatibilities\": [\"FARGATE\"],"
    " \"containerDefinitions\": ["
    "  {\"name\": \"app\", \"image\": \"shop\", \"stopTimeout\": 45},"
    "  {\"name\": \"healthgate\", \"image\": \"hg\", \"stopTimeout\": 45,"
    "   \"dependsOn\": [{\"containerName\": \"app\", \"condition\": \"START\"}],"
    "   \"environment\": [{\"name\": \"HEALTHGATE_DRAIN_FALL\", \"value\": \"3\"},"
    "    {\"name\": \"PORT\", \"value\": \"8081\"}],"
    "   \"healthCheck\": {\"command\": [\"CMD\", \"/healthgate\", \"probe\","
    "    \"http://127.0.0.1:8081/live\"], \"interval\": 10}}]}";

static void
test_plan_json_reads_the_sidecar_task_definition(void **state)
{
	struct plan_taskdef td;
	char err[PLAN_JSON_ERR_MAX];

	(void)state;
	assert_int_equal(taskdef(sidecar, &td, err), 0);
	assert_string_equal(td.container, "healthgate");
	assert_true(td.stop_timeout_set);
	assert_int_equal(td.stop_timeout_ms, S(45));
	assert_true(td.launch_set);
	assert_int_equal(td.launch, PLAN_LAUNCH_FARGATE);
	assert_int_equal(td.depends_on_app, PLAN_KNOWN_YES);
	assert_int_equal(td.check_uses_live, PLAN_KNOWN_YES);
	assert_false(td.cmd.supervisor);
	assert_int_equal(td.cmd.argc, 1);
	assert_string_equal(td.cmd.argv[0], "plan");
	assert_null(td.cmd.argv[1]);
	assert_string_equal(td.cmd.envp[0], "HEALTHGATE_DRAIN_FALL=3");
	assert_string_equal(td.cmd.envp[1], "PORT=8081");
	assert_null(td.cmd.envp[2]);
	plan_json_taskdef_free(&td);
}

/* describe-task-definition wraps the same under "taskDefinition". */
static void
test_plan_json_reads_describe_output_the_same(void **state)
{
	char doc[2048];
	struct plan_taskdef td;
	char err[PLAN_JSON_ERR_MAX];

	(void)state;
	snprintf(doc, sizeof(doc), "{\"taskDefinition\": %s, \"tags\": []}",
	    sidecar);
	assert_int_equal(taskdef(doc, &td, err), 0);
	assert_int_equal(td.stop_timeout_ms, S(45));
	assert_int_equal(td.depends_on_app, PLAN_KNOWN_YES);
	plan_json_taskdef_free(&td);
}

/* One container, healthgate in front of the app, options on its line. */
static void
test_plan_json_reads_the_supervisor_command_line(void **state)
{
	static const char doc[] =
	    "{\"containerDefinitions\": [{\"name\": \"web\","
	    " \"entryPoint\": [\"/usr/local/bin/healthgate\", \"--check\","
	    " \"http://127.0.0.1:8000/\", \"--drain-timeout=20s\", \"--\"],"
	    " \"command\": [\"uvicorn\", \"app:app\"],"
	    " \"healthCheck\": {\"command\": [\"CMD\", \"healthgate\", \"probe\","
	    " \"--timeout\", \"2s\", \"/live\"]}}]}";
	struct plan_taskdef td;
	char err[PLAN_JSON_ERR_MAX];

	(void)state;
	assert_int_equal(taskdef(doc, &td, err), 0);
	assert_string_equal(td.container, "web");
	assert_true(td.cmd.supervisor);
	assert_false(td.stop_timeout_set);
	assert_false(td.launch_set);
	assert_int_equal(td.depends_on_app, PLAN_KNOWN_UNSET);
	assert_int_equal(td.check_uses_live, PLAN_KNOWN_YES);
	assert_int_equal(td.cmd.argc, 4);
	assert_string_equal(td.cmd.argv[1], "--check");
	assert_string_equal(td.cmd.argv[2], "http://127.0.0.1:8000/");
	assert_string_equal(td.cmd.argv[3], "--drain-timeout=20s");
	assert_null(td.cmd.argv[4]);
	plan_json_taskdef_free(&td);
}

/* The recipe's image: ENTRYPOINT healthgate ... --, the app as command. */
static void
test_plan_json_app_command_under_the_images_entry_point(void **state)
{
	static const char doc[] =
	    "{\"containerDefinitions\": [{\"name\": \"web\","
	    " \"command\": [\"uvicorn\", \"app:app\"], \"environment\":"
	    " [{\"name\": \"HEALTHGATE_DRAIN_LINGER\", \"value\": \"3s\"}]}]}";
	static const char opts_doc[] =
	    "{\"containerDefinitions\": [{\"name\": \"healthgate\","
	    " \"command\": [\"--drain-fall\", \"3\"]}]}";
	struct plan_taskdef td;
	char err[PLAN_JSON_ERR_MAX];

	(void)state;
	assert_int_equal(taskdef(doc, &td, err), 0);
	assert_true(td.cmd.supervisor);
	assert_int_equal(td.cmd.argc, 1);
	plan_json_taskdef_free(&td);
	/* Options as command: the image's ENTRYPOINT is healthgate itself. */
	assert_int_equal(taskdef(opts_doc, &td, err), 0);
	assert_false(td.cmd.supervisor);
	assert_int_equal(td.cmd.argc, 3);
	assert_string_equal(td.cmd.argv[1], "--drain-fall");
	plan_json_taskdef_free(&td);
}

/* What the container health check asks, case by case. */
static void
test_plan_json_container_check_table(void **state)
{
	static const struct {
		const char	*command;
		enum plan_known	 want;
	} cases[] = {
		{ "[\"CMD\", \"/healthgate\", \"probe\", \"/live\"]", PLAN_KNOWN_YES },
		{ "[\"CMD\", \"/healthgate\", \"probe\"]", PLAN_KNOWN_NO },
		{ "[\"CMD\", \"/healthgate\", \"probe\", \"/health\"]", PLAN_KNOWN_NO },
		{ "[\"CMD\", \"/healthgate\", \"probe\", \"/lively\"]", PLAN_KNOWN_NO },
		{ "[\"CMD\", \"/healthgate\", \"probe\", \"--timeout=1s\","
		    " \"http://[::1]:8081/live?x=1\"]", PLAN_KNOWN_YES },
		{ "[\"CMD-SHELL\", \"/healthgate probe /live || exit 1\"]",
		    PLAN_KNOWN_YES },
		{ "[\"CMD-SHELL\", \"curl -f http://localhost:8081/health\"]",
		    PLAN_KNOWN_NO },
		{ "[\"CMD-SHELL\", \"true\"]", PLAN_KNOWN_UNSET },
	};

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		char doc[512], err[PLAN_JSON_ERR_MAX];
		struct plan_taskdef td;

		snprintf(doc, sizeof(doc), "{\"containerDefinitions\": "
		    "[{\"name\": \"healthgate\", \"healthCheck\": "
		    "{\"command\": %s}}]}", cases[k].command);
		if (taskdef(doc, &td, err) != 0)
			fail_msg("%s: %s", cases[k].command, err);
		if (td.check_uses_live != cases[k].want)
			fail_msg("%s: %d, want %d", cases[k].command,
			    td.check_uses_live, cases[k].want);
		plan_json_taskdef_free(&td);
	}
}

/* Bad documents: each error is one line naming the file and the field. */
static void
test_plan_json_taskdef_errors_name_the_field(void **state)
{
	static const struct {
		const char	*doc;
		const char	*want;
	} cases[] = {
		{ "{\"containerDefinitions\": [ {\"name\": \"healthgate\",}",
		    "td.json: line 1, column " },
		{ "[1, 2]", "td.json: is not a JSON object" },
		{ "{\"family\": \"x\"}", "td.json: containerDefinitions: is "
		    "missing" },
		{ "{\"taskDefinition\": {}}", "td.json: "
		    "taskDefinition.containerDefinitions: is missing" },
		{ "{\"containerDefinitions\": []}", "td.json: "
		    "containerDefinitions: is not a non-empty array" },
		{ "{\"containerDefinitions\": [{\"name\": \"app\"}]}",
		    "td.json: containerDefinitions: no healthgate container" },
		{ "{\"containerDefinitions\": [{\"name\": \"healthgate\","
		    " \"stopTimeout\": \"45\"}]}", "td.json: "
		    "containerDefinitions[0].stopTimeout: \"45\" is not a whole "
		    "number" },
		{ "{\"containerDefinitions\": [{\"name\": \"healthgate\","
		    " \"stopTimeout\": -1}]}", "td.json: "
		    "containerDefinitions[0].stopTimeout: -1 is not within "
		    "0-86400" },
		{ "{\"containerDefinitions\": [{\"name\": \"x\"}, {\"name\": "
		    "\"healthgate\", \"environment\": [{\"name\": \"A\", "
		    "\"value\": 1}]}]}", "td.json: "
		    "containerDefinitions[1].environment[0]: is not" },
		{ "{\"containerDefinitions\": [{\"name\": \"healthgate\","
		    " \"command\": [\"--interval\", 2]}]}", "td.json: "
		    "containerDefinitions[0].command[1]: is not a string" },
		{ "{\"containerDefinitions\": [{\"name\": \"healthgate\","
		    " \"dependsOn\": [{\"condition\": \"START\"}]}]}", "td.json: "
		    "containerDefinitions[0].dependsOn[0].containerName: is not "
		    "a string" },
		{ "{\"requiresCompatibilities\": \"FARGATE\","
		    " \"containerDefinitions\": [{\"name\": \"healthgate\"}]}",
		    "td.json: requiresCompatibilities: is not an array" },
		{ "{\"containerDefinitions\": [{\"name\": \"healthgate\"}],"
		    " \"containerDefinitions\": []}", "td.json: line 1" },
		/* Found by fuzz_plan_json: jansson quotes the newline. */
		{ "{\n    \"TargetGrou   \\\n}\n", "td.json: line 3, column 0: "
		    "invalid escape near '\"TargetGrou   \\?'" },
		{ "{\"containerDefinitions\": [{\"name\": \"healthgate\","
		    " \"stopTimeout\": \"4\\n5\"}]}", "td.json: "
		    "containerDefinitions[0].stopTimeout: \"4?5\" is not" },
	};

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		struct plan_taskdef td;
		char err[PLAN_JSON_ERR_MAX];

		if (taskdef(cases[k].doc, &td, err) == 0)
			fail_msg("accepted: %s", cases[k].doc);
		if (strncmp(err, cases[k].want, strlen(cases[k].want)) != 0)
			fail_msg("%s: \"%s\", want \"%s...\"", cases[k].doc,
			    err, cases[k].want);
		assert_null(strchr(err, '\n'));
		assert_null(td.cmd.argv);
		assert_null(td.cmd.envp);
	}
}

static int
tg(const char *json, struct plan_input *in, unsigned *mask, char *err)
{
	return plan_json_target_group(json, strlen(json), "tg.json", in, mask,
	    err, PLAN_JSON_ERR_MAX);
}

static void
test_plan_json_reads_groups_and_attributes(void **state)
{
	struct plan_input in;
	unsigned mask = 0;
	char err[PLAN_JSON_ERR_MAX];

	(void)state;
	plan_defaults(&in);
	assert_int_equal(tg("{\"TargetGroups\": [{\"TargetGroupName\": \"a\","
	    " \"HealthCheckIntervalSeconds\": 10, \"HealthCheckTimeoutSeconds\":"
	    " 4, \"HealthyThresholdCount\": 3, \"UnhealthyThresholdCount\": 4,"
	    " \"Matcher\": {\"HttpCode\": \"200\"}}]}", &in, &mask, err), 0);
	assert_int_equal(mask, PLAN_TG_INTERVAL | PLAN_TG_TIMEOUT |
	    PLAN_TG_HEALTHY | PLAN_TG_UNHEALTHY);
	assert_int_equal(in.alb_interval_ms, S(10));
	assert_int_equal(in.alb_timeout_ms, S(4));
	assert_int_equal(in.alb_healthy, 3);
	assert_int_equal(in.alb_unhealthy, 4);
	assert_int_equal(in.dereg_delay_ms, S(300));	/* untouched */
	assert_int_equal(tg("{\"Attributes\": [{\"Key\": \"stickiness.enabled\","
	    " \"Value\": \"false\"}, {\"Key\": "
	    "\"deregistration_delay.timeout_seconds\", \"Value\": \"45\"}]}",
	    &in, &mask, err), 0);
	assert_true(mask & PLAN_TG_DEREG);
	assert_int_equal(in.dereg_delay_ms, S(45));
	/* Both in one object, as jq -s add makes of the two outputs. */
	mask = 0;
	assert_int_equal(tg("{\"TargetGroups\": [{\"HealthyThresholdCount\": 2}],"
	    " \"Attributes\": [{\"Key\": \"deregistration_delay.timeout_seconds\","
	    " \"Value\": \"0\"}]}", &in, &mask, err), 0);
	assert_int_equal(mask, PLAN_TG_HEALTHY | PLAN_TG_DEREG);
	assert_int_equal(in.alb_healthy, 2);
	assert_int_equal(in.dereg_delay_ms, 0);
}

static void
test_plan_json_target_group_errors_name_the_field(void **state)
{
	static const struct {
		const char	*doc;
		const char	*want;
	} cases[] = {
		{ "{\"TargetGroups\": [", "tg.json: line 1, column " },
		{ "{\"LoadBalancers\": []}", "tg.json: has neither "
		    "TargetGroups nor Attributes" },
		{ "{\"TargetGroups\": []}", "tg.json: TargetGroups: has 0 "
		    "target groups" },
		{ "{\"TargetGroups\": [{}, {}]}", "tg.json: TargetGroups: has 2 "
		    "target groups" },
		{ "{\"TargetGroups\": {}}", "tg.json: TargetGroups: is not an "
		    "array" },
		{ "{\"TargetGroups\": [{\"HealthCheckIntervalSeconds\": 3}]}",
		    "tg.json: TargetGroups[0].HealthCheckIntervalSeconds: 3 is "
		    "not within 5-300" },
		{ "{\"TargetGroups\": [{\"HealthyThresholdCount\": 2.5}]}",
		    "tg.json: TargetGroups[0].HealthyThresholdCount: 2.5 is not "
		    "a whole number" },
		{ "{\"TargetGroups\": [{\"UnhealthyThresholdCount\": 11}]}",
		    "tg.json: TargetGroups[0].UnhealthyThresholdCount: 11 is not "
		    "within 2-10" },
		{ "{\"Attributes\": [{\"Key\": "
		    "\"deregistration_delay.timeout_seconds\", \"Value\": "
		    "\"30s\"}]}", "tg.json: Attributes[0].Value "
		    "(deregistration_delay.timeout_seconds): \"30s\" is not a "
		    "whole number" },
		{ "{\"Attributes\": [{\"Key\": "
		    "\"deregistration_delay.timeout_seconds\", \"Value\": "
		    "\"4000\"}]}", "tg.json: Attributes[0].Value "
		    "(deregistration_delay.timeout_seconds): 4000 is not within "
		    "0-3600" },
		{ "{\"Attributes\": [{\"Key\": "
		    "\"deregistration_delay.timeout_seconds\"}]}", "tg.json: "
		    "Attributes[0].Value (deregistration_delay.timeout_seconds): "
		    "is missing" },
		{ "{\"Attributes\": [\"x\"]}", "tg.json: Attributes[0]: is not" },
	};

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		struct plan_input in, before;
		unsigned mask = 0;
		char err[PLAN_JSON_ERR_MAX];

		plan_defaults(&in);
		before = in;
		if (tg(cases[k].doc, &in, &mask, err) == 0)
			fail_msg("accepted: %s", cases[k].doc);
		if (strncmp(err, cases[k].want, strlen(cases[k].want)) != 0)
			fail_msg("%s: \"%s\", want \"%s...\"", cases[k].doc,
			    err, cases[k].want);
		assert_null(strchr(err, '\n'));
		assert_memory_equal(&in, &before, sizeof(in));
		assert_int_equal(mask, 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_plan_json_reads_the_sidecar_task_definition),
		cmocka_unit_test(test_plan_json_reads_describe_output_the_same),
		cmocka_unit_test(
		    test_plan_json_reads_the_supervisor_command_line),
		cmocka_unit_test(
		    test_plan_json_app_command_under_the_images_entry_point),
		cmocka_unit_test(test_plan_json_container_check_table),
		cmocka_unit_test(test_plan_json_taskdef_errors_name_the_field),
		cmocka_unit_test(test_plan_json_reads_groups_and_attributes),
		cmocka_unit_test(
		    test_plan_json_target_group_errors_name_the_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
