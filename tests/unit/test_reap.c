/*
 * Unit tests for reap.c's rule: which environment carries a check's mark,
 * and which reparented process is a stray in each mode.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "reap.h"

static void
test_reap_mark_is_found_anywhere_in_the_block(void **state)
{
	static const struct {
		const char	*env;
		size_t		 len;
		const char	*name;		/* NULL: unmarked */
	} cases[] = {
#define E(s)	s, sizeof(s)		/* with the block's last NUL */
		{ E("PATH=/bin\0HEALTHGATE_CHECK=db\0HOME=/"), "db" },
		{ E("HEALTHGATE_CHECK=lag-1\0"), "lag-1" },
		{ E("PATH=/bin\0HOME=/\0"), NULL },
		{ E("HEALTHGATE_CHECKS=a=tcp://x\0"), NULL },
		{ E("XHEALTHGATE_CHECK=db\0"), NULL },
		{ E("HEALTHGATE_CHECK=\0"), "" },
		{ "", 0, NULL },
		/* Cut mid-entry (a short read): what is there is used. */
		{ "A=1\0HEALTHGATE_CHECK=ab", 24, "ab" },
#undef E
	};
	char name[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = reap_mark_of(cases[i].env, cases[i].len, name,
		    sizeof(name));

		assert_int_equal(got, cases[i].name != NULL);
		if (got)
			assert_string_equal(name, cases[i].name);
	}
}

static void
test_reap_sidecar_kills_all_but_a_running_checks(void **state)
{
	(void)state;
	assert_true(reap_is_stray(REAP_SIDECAR, NULL, false));
	assert_true(reap_is_stray(REAP_SIDECAR, "db", false));
	assert_false(reap_is_stray(REAP_SIDECAR, "db", true));
}

/* healthgate -- APP: the app's orphans are reaped, never killed. */
static void
test_reap_supervisor_kills_only_marked_strays(void **state)
{
	(void)state;
	assert_false(reap_is_stray(REAP_SUPERVISOR, NULL, false));
	assert_true(reap_is_stray(REAP_SUPERVISOR, "db", false));
	assert_false(reap_is_stray(REAP_SUPERVISOR, "db", true));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reap_mark_is_found_anywhere_in_the_block),
		cmocka_unit_test(test_reap_sidecar_kills_all_but_a_running_checks),
		cmocka_unit_test(test_reap_supervisor_kills_only_marked_strays),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
