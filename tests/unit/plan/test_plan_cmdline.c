/*
 * Unit tests for plan_cmdline.c: which of a container's words are
 * healthgate's options, whether it supervises an app, and its variables.
 * The task definition and manifest readers' own tests (test_plan_json.c,
 * test_plan_k8s.c) pin the same through their documents.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "plan/plan_cmdline.h"

#define WORDS_MAX	6

static void
test_plan_cmdline_split_table(void **state)
{
	static const struct {
		const char	*words[WORDS_MAX];	/* NULL-ended */
		bool		 entry;		/* the container's own */
		const char	*options;	/* argv after "plan", spaced */
		bool		 supervisor;
	} cases[] = {
		/* healthgate by name or path: what follows, up to "--". */
		{ { "healthgate", "--check", "x", NULL }, true, "--check x",
		    false },
		{ { "/usr/local/bin/healthgate", "--drain-fall=3", "--",
		    "app", NULL }, true, "--drain-fall=3", true },
		{ { "tini", "--", "healthgate", "--", NULL }, true, "", true },
		/* Someone else's entry point: no options. */
		{ { "sh", "-c", "healthgate-wrapper", NULL }, true, "", false },
		{ { "--check", "x", NULL }, true, "", false },
		/* Under the image's ENTRYPOINT: options, or the app. */
		{ { "--check", "x", "--", "app", NULL }, false, "--check x",
		    true },
		{ { "--drain-fall", "3", NULL }, false, "--drain-fall 3",
		    false },
		{ { "python3", "app.py", NULL }, false, "", true },
		{ { NULL }, false, "", false },
		{ { NULL }, true, "", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct plan_cmdline cmd;
		char got[128] = "";
		size_t n = 0;

		while (cases[i].words[n])
			n++;
		assert_int_equal(plan_cmdline_split(&cmd, cases[i].words, n,
		    cases[i].entry), 0);
		assert_string_equal(cmd.argv[0], "plan");
		assert_null(cmd.argv[cmd.argc]);
		for (int k = 1; k < cmd.argc; k++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got),
			    "%s%s", k > 1 ? " " : "", cmd.argv[k]);
		if (strcmp(got, cases[i].options) != 0 ||
		    cmd.supervisor != cases[i].supervisor)
			fail_msg("case %zu: \"%s\", supervisor %d", i, got,
			    cmd.supervisor);
		assert_non_null(cmd.envp);
		assert_null(cmd.envp[0]);
		plan_cmdline_free(&cmd);
		assert_null(cmd.argv);
		assert_null(cmd.envp);
	}
}

/* Variables in order, NULL-ended, past the first slots' doubling. */
static void
test_plan_cmdline_env_grows_in_order(void **state)
{
	const char *const words[] = { "healthgate" };
	struct plan_cmdline cmd;
	char name[32], want[48];

	(void)state;
	assert_int_equal(plan_cmdline_split(&cmd, words, 1, true), 0);
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "HEALTHGATE_X%d", i);
		assert_int_equal(plan_cmdline_env(&cmd, name, i % 2 ? "" :
		    "a=b"), 0);
		assert_null(cmd.envp[i + 1]);
	}
	assert_int_equal(cmd.envc, 100);
	for (int i = 0; i < 100; i++) {
		snprintf(want, sizeof(want), "HEALTHGATE_X%d=%s", i,
		    i % 2 ? "" : "a=b");
		assert_string_equal(cmd.envp[i], want);
	}
	plan_cmdline_free(&cmd);
	assert_int_equal(cmd.envc, 0);
}

static void
test_plan_cmdline_words_and_names(void **state)
{
	const char *const words[] = { "sh", "/bin/healthgate", "healthgate" };

	(void)state;
	assert_string_equal(plan_cmdline_base("/usr/bin/healthgate"),
	    "healthgate");
	assert_string_equal(plan_cmdline_base("healthgate"), "healthgate");
	assert_string_equal(plan_cmdline_base("dir/"), "");
	assert_int_equal(plan_cmdline_healthgate_word(words, 3), 1);
	assert_int_equal(plan_cmdline_healthgate_word(words, 1), -1);
	assert_true(plan_cmdline_hg_var("HEALTHGATE_DRAIN_FALL"));
	assert_false(plan_cmdline_hg_var("HEALTHGATE"));
	assert_false(plan_cmdline_hg_var("healthgate_x"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_cmdline_split_table),
		cmocka_unit_test(test_plan_cmdline_env_grows_in_order),
		cmocka_unit_test(test_plan_cmdline_words_and_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
