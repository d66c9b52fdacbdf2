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

#define RESERVE	64	/* the reserve these cases were worked out for */

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
		    cases[i].headroom, RESERVE, &b);
		assert_int_equal(b.soft, cases[i].soft);
		assert_int_equal(b.max_connections, cases[i].conns);
		assert_int_equal(b.headroom, cases[i].room);
		assert_int_equal(b.lowered, cases[i].lowered);
		if (b.soft != RLIM_INFINITY && b.soft > RESERVE + 1)
			assert_true(b.max_connections + b.headroom +
			    RESERVE <= b.soft);
	}
}

/*
 * The case: 64 http checks under --nofile=72 had 6 connections
 * and 2 of headroom planned over a reserve of 64, though the daemon held
 * about 8 descriptors besides its checks: more than the limit.
 */
static void
test_fd_budget_reserve_counts_own_and_checks(void **state)
{
	struct check_spec checks[65] = { 0 };
	struct fd_budget b;
	unsigned r;

	(void)state;
	for (unsigned i = 0; i < 64; i++)
		checks[i].kind = CHECK_SPEC_HTTP;
	checks[64].kind = CHECK_SPEC_EXEC;
	assert_int_equal(fd_budget_reserve(5, checks, 0), 5 + FD_BUDGET_OWN);
	r = fd_budget_reserve(5, checks, 64);
	assert_int_equal(r, 5 + FD_BUDGET_OWN + 64);
	assert_int_equal(fd_budget_reserve(5, checks, 65), r + 2);
	/* Over the limit already: one connection, one of headroom, lowered. */
	fd_budget_plan(72, 72, 1000, 256, r, &b);
	assert_int_equal(b.max_connections, 1);
	assert_int_equal(b.headroom, 1);
	assert_int_equal(b.reserve, r);
	assert_true(b.lowered);
	/* Just above it: what is left, shared. */
	fd_budget_plan(r + 16, r + 16, 1000, 256, r, &b);
	assert_int_equal(b.max_connections + b.headroom, 16);
	assert_int_equal(b.headroom, 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_budget_table),
		cmocka_unit_test(test_fd_budget_reserve_counts_own_and_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
