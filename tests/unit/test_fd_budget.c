/*
 * Unit tests for fd_budget_plan: what fits under an open-file limit,
 * including limits so low the old arithmetic wrapped (300: lowered_to
 * 4294967276).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fd_budget.h"

static void
test_fd_budget_table(void **state)
{
	static const struct {
		rlim_t		 cur, max;
		unsigned	 want, headroom;
		rlim_t		 soft;
		unsigned	 conns, room;
		int		 lowered;
	} cases[] = {
		/* Enough already: nothing changes. */
		{ 65536, 65536, 1000, 256, 65536, 1000, 256, 0 },
		/* Soft too low, hard enough: raised to exactly the need. */
		{ 1024, 524288, 1000, 256, 1320, 1000, 256, 0 },
		{ 1024, RLIM_INFINITY, 1000, 256, 1320, 1000, 256, 0 },
		{ RLIM_INFINITY, RLIM_INFINITY, 1000, 256, RLIM_INFINITY,
		    1000, 256, 0 },
		/* Hard too low: 3/4 of what is over the reserve, 1/4 room. */
		{ 1024, 1024, 1000, 256, 1024, 720, 240, 1 },
		{ 300, 300, 1000, 256, 300, 177, 59, 1 },
		{ 256, 300, 1000, 256, 300, 177, 59, 1 },
		/* Below the reserve: never wraps, one connection. */
		{ 64, 64, 1000, 256, 64, 1, 1, 1 },
		{ 20, 20, 1000, 256, 20, 1, 1, 1 },
		{ 66, 66, 1000, 256, 66, 1, 1, 1 },
		/* A small wish that fits a small limit is kept. */
		{ 300, 300, 10, 256, 300, 10, 59, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fd_budget b;

		fd_budget_plan(cases[i].cur, cases[i].max, cases[i].want,
		    cases[i].headroom, &b);
		assert_int_equal(b.soft, cases[i].soft);
		assert_int_equal(b.max_connections, cases[i].conns);
		assert_int_equal(b.headroom, cases[i].room);
		assert_int_equal(b.lowered, cases[i].lowered);
		if (b.soft != RLIM_INFINITY && b.soft > FD_BUDGET_RESERVE + 1)
			assert_true(b.max_connections + b.headroom +
			    FD_BUDGET_RESERVE <= b.soft);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_budget_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
