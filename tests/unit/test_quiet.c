/*
 * Unit tests for quiet.c, driven by a fake clock: every scan and poll says
 * what "now" is.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "quiet.h"

/* One scan of n connections: cookies 1..n, last bytes as given. */
static void
scan(struct quiet *q, double now, unsigned n, const double *last,
    const bool *pending)
{
	quiet_scan_begin(q);
	for (unsigned i = 0; i < n; i++)
		quiet_conn(q, i + 1, last[i], pending ? pending[i] : false);
	quiet_scan_end(q, now);
}

static bool
quiet_at(const struct quiet *q, double now, double *at)
{
	double dummy;

	return quiet_poll(q, now, at ? at : &dummy);
}

/* Nothing on the port at all: quiet after the floor, from the start. */
static void
test_quiet_idle_app_ends_after_the_floor(void **state)
{
	struct quiet *q = quiet_new(0);
	double at;

	(void)state;
	scan(q, 100.0, 0, NULL, NULL);
	quiet_start(q, 100.0);
	assert_false(quiet_at(q, 100.0, &at));
	assert_true(at == 100.0 + QUIET_MIN);
	assert_false(quiet_at(q, 100.0 + QUIET_MIN - 0.01, NULL));
	assert_true(quiet_at(q, 100.0 + QUIET_MIN, NULL));
	quiet_free(q);
}

/* A kept-alive connection silent for longer than the horizon is idle. */
static void
test_quiet_connection_older_than_the_horizon_is_no_traffic(void **state)
{
	struct quiet *q = quiet_new(0);
	double last[] = { 100.0 - QUIET_HORIZON - 1 };

	(void)state;
	scan(q, 100.0, 1, last, NULL);
	quiet_start(q, 100.0);
	assert_true(quiet_period(q, 100.0) == QUIET_MIN);
	assert_true(quiet_at(q, 100.0 + QUIET_MIN, NULL));
	quiet_free(q);
}

/* One request seen says nothing of when the next comes: the ceiling. */
static void
test_quiet_one_arrival_waits_the_ceiling(void **state)
{
	struct quiet *q = quiet_new(0);
	double last[] = { 97.0 };

	(void)state;
	scan(q, 100.0, 1, last, NULL);
	quiet_start(q, 100.0);
	/* 8 x 3 s, over the ceiling; it only grows. */
	assert_true(quiet_period(q, 100.0) == QUIET_MAX);
	/* Counted from the start, not from the request 3 s before it. */
	assert_false(quiet_at(q, 100.0 + QUIET_MAX - 0.1, NULL));
	assert_true(quiet_at(q, 100.0 + QUIET_MAX, NULL));
	quiet_free(q);
}

/*
 * Busy: arrivals every 0.1 s; the period is 6 x the mean gap's 95 % upper
 * bound, which comes down as the arrivals add up.
 */
static void
test_quiet_busy_app_period_follows_the_gaps(void **state)
{
	struct quiet *q = quiet_new(0);
	double last[8];

	(void)state;
	for (unsigned i = 0; i < 8; i++)
		last[i] = 99.3 + 0.1 * i;	/* 99.3 .. 100.0 */
	scan(q, 100.0, 8, last, NULL);
	quiet_start(q, 100.0);
	/* 7 gaps in 0.7 s: 6 x 1.4 / chi2(0.05, 14) = 6 x 1.4 / 6.57. */
	assert_true(quiet_period(q, 100.0) > 1.27 &&
	    quiet_period(q, 100.0) < 1.29);
	/* Traffic goes on for 2 s, a connection each 0.1 s ... */
	for (unsigned k = 1; k <= 20; k++) {
		last[k % 8] = 100.0 + 0.1 * k;
		scan(q, 100.0 + 0.1 * k, 8, last, NULL);
		assert_false(quiet_at(q, 100.0 + 0.1 * k, NULL));
	}
	/*
	 * ... then the router stops at 102.0: 27 gaps in 2.7 s, 6 x 5.4 /
	 * chi2(0.05, 54) = 6 x 5.4 / 38.1 = 0.85 s.
	 */
	scan(q, 102.5, 8, last, NULL);
	assert_false(quiet_at(q, 102.5, NULL));
	scan(q, 102.8, 8, last, NULL);
	assert_false(quiet_at(q, 102.8, NULL));
	scan(q, 102.9, 8, last, NULL);
	assert_true(quiet_at(q, 102.9, NULL));
	quiet_free(q);
}

/* Bursts: ten quick requests every 2 s; twice the longest gap rules. */
static void
test_quiet_bursts_take_twice_the_longest_gap(void **state)
{
	struct quiet *q = quiet_new(0);
	double last[30];

	(void)state;
	for (unsigned b = 0; b < 3; b++)
		for (unsigned i = 0; i < 10; i++)
			last[b * 10 + i] = 95.9 + 2.0 * b + 0.01 * i;
	scan(q, 100.0, 30, last, NULL);
	quiet_start(q, 100.0);
	/* longest gap 1.91 s: 3.82 s; the mean's bound gives 1.6 s. */
	assert_true(quiet_period(q, 100.0) > 3.8 &&
	    quiet_period(q, 100.0) < 3.84);
	quiet_free(q);
}

/* A connection that owes an answer holds the quiet, whatever the time. */
static void
test_quiet_pending_answer_holds(void **state)
{
	struct quiet *q = quiet_new(0);
	double last[] = { 50.0 };
	bool pending[] = { true };
	double at;

	(void)state;
	scan(q, 100.0, 1, last, pending);
	quiet_start(q, 100.0);
	assert_false(quiet_at(q, 120.0, &at));
	assert_true(at == 120.0);
	pending[0] = false;
	scan(q, 120.0, 1, last, pending);
	assert_true(quiet_at(q, 120.0, NULL));
	quiet_free(q);
}

/* Read again, a last byte that moved by jiffies alone is no arrival. */
static void
test_quiet_same_connection_is_not_news(void **state)
{
	struct quiet *q = quiet_new(0);
	double last[] = { 99.0 }, at;

	(void)state;
	scan(q, 100.0, 1, last, NULL);
	quiet_start(q, 100.0);
	last[0] = 99.0 + QUIET_JITTER / 2;
	scan(q, 100.1, 1, last, NULL);
	assert_false(quiet_at(q, 100.1, &at));
	/* Still one arrival: the ceiling, from the start. */
	assert_true(at == 100.0 + QUIET_MAX);
	last[0] = 100.1;
	scan(q, 100.2, 1, last, NULL);
	/* Two arrivals 1.1 s apart: the bound for one gap is 19 x it. */
	assert_true(quiet_period(q, 100.2) == QUIET_MAX);
	quiet_free(q);
}

/* A new cookie is a new connection, an arrival at its last byte. */
static void
test_quiet_new_connection_is_an_arrival(void **state)
{
	struct quiet *q = quiet_new(0);
	double last[] = { 100.0, 100.3 };
	double at;
	struct quiet_stats st;

	(void)state;
	scan(q, 100.0, 1, last, NULL);
	quiet_start(q, 100.0);
	scan(q, 100.4, 2, last, NULL);
	quiet_stats(q, 100.4, &st);
	assert_int_equal(st.conns, 2);
	assert_int_equal(st.arrivals, 2);
	assert_true(st.since_recv > 0.09 && st.since_recv < 0.11);
	assert_false(quiet_at(q, 100.4, &at));
	/* Two, 0.3 s apart: 6 x 0.6 / chi2(0.05, 2), over the ceiling. */
	assert_true(at > 110.29 && at < 110.31);
	/* Gone from the next scan: no longer counted. */
	scan(q, 100.5, 1, last, NULL);
	quiet_stats(q, 100.5, &st);
	assert_int_equal(st.conns, 1);
	quiet_free(q);
}

/* --drain-quiet: the period given, whatever the traffic. */
static void
test_quiet_fixed_period(void **state)
{
	struct quiet *q = quiet_new(3.0);
	double last[] = { 99.9 };

	(void)state;
	scan(q, 100.0, 1, last, NULL);
	quiet_start(q, 100.0);
	assert_true(quiet_period(q, 100.0) == 3.0);
	assert_false(quiet_at(q, 102.8, NULL));
	assert_true(quiet_at(q, 103.0, NULL));
	quiet_free(q);
}

/* More arrivals than kept: the newest stay, so the period is theirs. */
static void
test_quiet_keeps_the_newest_arrivals(void **state)
{
	struct quiet *q = quiet_new(0);
	double last[1];

	(void)state;
	last[0] = 10.0;
	scan(q, 10.0, 1, last, NULL);
	quiet_start(q, 10.0);
	/* A slow start, gaps of 5 s, then 100 quick ones. */
	for (unsigned k = 1; k <= 3; k++) {
		last[0] = 10.0 + 5.0 * k;
		scan(q, last[0], 1, last, NULL);
	}
	for (unsigned k = 1; k <= 100; k++) {
		last[0] = 25.0 + 0.05 * k;
		scan(q, last[0], 1, last, NULL);
	}
	/* 64 arrivals 0.05 s apart: 6 x 0.06 = 0.37, the floor. */
	assert_true(quiet_period(q, 30.0) == QUIET_MIN);
	quiet_free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quiet_idle_app_ends_after_the_floor),
		cmocka_unit_test(
		    test_quiet_connection_older_than_the_horizon_is_no_traffic),
		cmocka_unit_test(test_quiet_one_arrival_waits_the_ceiling),
		cmocka_unit_test(test_quiet_busy_app_period_follows_the_gaps),
		cmocka_unit_test(test_quiet_bursts_take_twice_the_longest_gap),
		cmocka_unit_test(test_quiet_pending_answer_holds),
		cmocka_unit_test(test_quiet_same_connection_is_not_news),
		cmocka_unit_test(test_quiet_new_connection_is_an_arrival),
		cmocka_unit_test(test_quiet_fixed_period),
		cmocka_unit_test(test_quiet_keeps_the_newest_arrivals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
