/*
 * Unit tests for evalloc.c, libev's allocator: a failed allocation is
 * tried again (realloc and nanosleep wrapped), size 0 frees.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include "evalloc.h"

void	*__wrap_realloc(void *, size_t);
void	*__real_realloc(void *, size_t);
int	 __wrap_nanosleep(const struct timespec *, struct timespec *);

static unsigned failures, calls, sleeps;

void *
__wrap_realloc(void *p, size_t n)
{
	calls++;
	if (failures > 0) {
		failures--;
		return NULL;
	}
	return __real_realloc(p, n);
}

int
__wrap_nanosleep(const struct timespec *t, struct timespec *left)
{
	(void)left;
	assert_int_equal(t->tv_sec, 0);
	assert_int_equal(t->tv_nsec, EVALLOC_WAIT_MS * 1000000L);
	sleeps++;
	return 0;
}

static void
test_evalloc_retries_then_succeeds(void **state)
{
	void *p;

	(void)state;
	failures = EVALLOC_TRIES - 1;
	calls = sleeps = 0;
	p = evalloc(NULL, 288);
	assert_non_null(p);
	assert_int_equal(calls, EVALLOC_TRIES);
	assert_int_equal(sleeps, EVALLOC_TRIES - 1);
	/* Grows in place or moves, as realloc does. */
	p = evalloc(p, 4096);
	assert_non_null(p);
	/* Size 0 frees and returns NULL, as libev asks. */
	assert_null(evalloc(p, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_evalloc_retries_then_succeeds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
