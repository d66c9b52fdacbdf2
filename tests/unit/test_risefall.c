/* Unit tests for risefall.c: up after rise passes, down after fall fails. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "risefall.h"

/*
 * Each case feeds a string of results ('P' pass, 'F' fail) and expects the
 * state after each one ('u' up, 'd' down), with '*' marking a change.
 */
struct rf_case {
	unsigned	 rise, fall;
	const char	*feed;
	const char	*expect;	/* one state per result, '*' = changed */
};

static const struct rf_case cases[] = {
	{ 1, 1, "PFP", "*u*d*u" },
	{ 2, 2, "PPFFP", "d*uu*dd" },
	{ 2, 2, "PFPPFPF", "ddd*uuuu" },		/* streaks reset */
	{ 3, 1, "PPPF", "dd*u*d" },
	{ 1, 3, "PFFPFFF", "*uuuuuu*d" },
	{ 2, 1, "FFFF", "dddd" },			/* starts down */
};

static void
test_risefall_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rf_case *tc = &cases[i];
		struct risefall rf;
		const char *e = tc->expect;

		memset(&rf, 0, sizeof(rf));
		for (const char *r = tc->feed; *r; r++) {
			bool changed = risefall_feed(&rf, *r == 'P', tc->rise,
			    tc->fall);
			bool want_change = *e == '*';

			if (want_change)
				e++;
			if (changed != want_change || rf.up != (*e == 'u'))
				fail_msg("case %zu (%s) at result %zu", i,
				    tc->feed, (size_t)(r - tc->feed));
			e++;
		}
	}
}

static void
test_risefall_starts_down(void **state)
{
	struct risefall rf;

	(void)state;
	memset(&rf, 0, sizeof(rf));
	assert_false(rf.up);
	assert_false(risefall_feed(&rf, false, 1, 1));
	assert_false(rf.up);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_risefall_table),
		cmocka_unit_test(test_risefall_starts_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
