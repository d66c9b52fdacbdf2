/*
 * Unit tests for mem_budget_plan: what fits under an address-space limit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "mem_budget.h"

static void
test_mem_budget_table(void **state)
{
	static const struct {
		unsigned long long limit, used;
		unsigned	 per, want, room;
		unsigned	 conns, head;
		int		 lowered;
	} cases[] = {
		/* No limit, or room for all: nothing changes. */
		{ 0, 10000000, 3072, 1000, 256, 1000, 256, 0 },
		{ 1ull << 32, 10000000, 3072, 1000, 256, 1000, 256, 0 },
		/* The issue's: 10.5 MB over about 10.2 MB in use. */
		{ 10500000, 10219520, 3072, 1000, 256, 36, 12, 1 },
		/* At or over the limit already: one each, never wraps. */
		{ 10000000, 10000000, 3072, 1000, 256, 1, 1, 1 },
		{ 10000000, 12000000, 3072, 1000, 256, 1, 1, 1 },
		/* A small wish that fits is kept; the headroom still shrinks. */
		{ 10500000, 10219520, 3072, 10, 256, 10, 12, 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mem_budget b;

		mem_budget_plan(cases[i].limit, cases[i].used, cases[i].per,
		    cases[i].want, cases[i].room, &b);
		assert_int_equal(b.max_connections, cases[i].conns);
		assert_int_equal(b.headroom, cases[i].head);
		assert_int_equal(b.lowered, cases[i].lowered);
		if (b.lowered && b.avail >= 2ull * cases[i].per)
			assert_true((unsigned long long)(b.max_connections +
			    b.headroom) * cases[i].per <= b.avail);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem_budget_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
