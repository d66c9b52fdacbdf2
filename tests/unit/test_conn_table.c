/*
 * Unit tests for conn_table.c: admission, per-address counts and the sweep,
 * driven by a fake clock ("now" is whatever the test says it is).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>

#include "conn_table.h"

/* calloc, failing on demand (-Wl,--wrap=calloc): memory running out. */
void	*__wrap_calloc(size_t, size_t);
void	*__real_calloc(size_t, size_t);
static bool calloc_fails;

void *
__wrap_calloc(size_t n, size_t size)
{
	return calloc_fails ? NULL : __real_calloc(n, size);
}

static struct addr
ip(const char *s)
{
	struct addr a;

	assert_null(addr_parse_ip(s, &a));
	return a;
}

/* 4 slots and 2 reserved for probers, 2 per address, request timeout 10 s, idle timeout 60 s. */
static int
setup(void **state)
{
	struct conn_limits l = {
		.max_open = 4, .reserve = 2, .max_per_ip = 2,
		.request_timeout = 10, .idle_timeout = 60,
	};

	*state = conn_table_new(&l);
	assert_non_null(*state);
	return 0;
}

/* Removes every connection, cut or not, as MHD's CLOSED notices would. */
static struct conn *all[64];
static unsigned nall;

static struct conn *
admit(struct conn_table *t, const char *a, bool prober, double now)
{
	struct addr client = ip(a);
	struct conn *c, *victim;
	enum conn_refusal why;

	c = conn_table_admit(t, &client, prober, now, &victim, &why);
	if (c)
		all[nall++] = c;
	return c;
}

static int
teardown(void **state)
{
	for (unsigned i = 0; i < nall; i++)
		conn_table_remove(*state, all[i]);
	nall = 0;
	conn_table_free(*state);
	return 0;
}

static void
forget(struct conn_table *t, struct conn *c)
{
	for (unsigned i = 0; i < nall; i++)
		if (all[i] == c) {
			all[i] = all[--nall];
			conn_table_remove(t, c);
			return;
		}
	fail();
}

static void
test_conn_table_per_address_limit(void **state)
{
	struct conn_table *t = *state;
	struct conn_stats st;
	struct conn *c;

	assert_non_null(admit(t, "10.0.0.1", false, 0));
	assert_non_null(c = admit(t, "10.0.0.1", false, 0));
	assert_null(admit(t, "10.0.0.1", false, 0));
	/* Another address is counted apart. */
	assert_non_null(admit(t, "10.0.0.2", false, 0));
	conn_table_stats(t, &st);
	assert_int_equal(st.refused[CONN_REFUSED_PER_IP], 1);
	assert_int_equal(st.open, 3);
	/* A closed connection gives its address room again. */
	forget(t, c);
	assert_non_null(admit(t, "10.0.0.1", false, 0));
}

static void
test_conn_table_full_refuses_when_nothing_is_evictable(void **state)
{
	struct conn_table *t = *state;
	struct conn_stats st;
	struct conn *c[4];

	for (unsigned i = 0; i < 4; i++) {
		char a[16];

		snprintf(a, sizeof(a), "10.0.1.%u", i);
		assert_non_null(c[i] = admit(t, a, false, i));
		conn_table_busy(t, c[i]);	/* a request in flight each */
	}
	assert_null(admit(t, "10.0.2.1", false, 5));
	conn_table_stats(t, &st);
	assert_int_equal(st.refused[CONN_REFUSED_FULL], 1);
	assert_int_equal(st.open, 4);
}

static void
test_conn_table_sweep_cuts_late_heads_oldest_first(void **state)
{
	struct conn_table *t = *state;
	struct conn *a, *b, *c;
	struct conn_stats st;

	a = admit(t, "10.0.0.1", false, 0);
	b = admit(t, "10.0.0.2", false, 3);
	c = admit(t, "10.0.0.3", false, 4);
	conn_table_busy(t, c);			/* busy: never swept */
	assert_null(conn_table_expired(t, 9.99));
	assert_ptr_equal(conn_table_expired(t, 10), a);
	assert_int_equal(a->state, CONN_STATE_CUT);
	assert_null(conn_table_expired(t, 12.9));
	assert_ptr_equal(conn_table_expired(t, 13), b);
	assert_null(conn_table_expired(t, 1000));
	conn_table_stats(t, &st);
	assert_int_equal(st.cut[CONN_CUT_REQUEST_TIMEOUT], 2);
	assert_int_equal(st.open, 1);
	/* A cut connection holds no slot, nor its address's. */
	assert_non_null(admit(t, "10.0.0.1", false, 1000));
	assert_non_null(admit(t, "10.0.0.1", false, 1000));
}

static void
test_conn_table_idle_timeout_runs_from_the_last_answer(void **state)
{
	struct conn_table *t = *state;
	struct conn *a;
	struct conn_stats st;

	a = admit(t, "10.0.0.1", false, 0);
	conn_table_busy(t, a);
	conn_table_idle(t, a, 5);
	/* The request timeout no longer applies; the idle one does. */
	assert_null(conn_table_expired(t, 64.9));
	conn_table_busy(t, a);
	conn_table_idle(t, a, 30);
	assert_null(conn_table_expired(t, 89.9));
	assert_ptr_equal(conn_table_expired(t, 90), a);
	conn_table_stats(t, &st);
	assert_int_equal(st.cut[CONN_CUT_IDLE_TIMEOUT], 1);
}

static void
test_conn_table_full_evicts_the_oldest_without_a_head(void **state)
{
	struct conn_table *t = *state;
	struct addr client = ip("10.0.9.9");
	struct conn *c[4], *n, *victim;
	enum conn_refusal why;
	struct conn_stats st;

	c[0] = admit(t, "10.0.1.0", true, 0);	/* a known prober's */
	c[1] = admit(t, "10.0.1.1", false, 1);
	c[2] = admit(t, "10.0.1.2", false, 2);
	c[3] = admit(t, "10.0.1.3", false, 3);
	conn_table_busy(t, c[2]);
	conn_table_idle(t, c[2], 2.5);		/* delivered a head */
	n = conn_table_admit(t, &client, false, 4, &victim, &why);
	assert_non_null(n);
	all[nall++] = n;
	/* Not the prober's, older as it is: the oldest headless other one. */
	assert_ptr_equal(victim, c[1]);
	assert_int_equal(c[1]->state, CONN_STATE_CUT);
	conn_table_stats(t, &st);
	assert_int_equal(st.cut[CONN_CUT_EVICTED_NO_HEAD], 1);
	assert_int_equal(st.open, 4);
	/* Next the newest headless, then the idle one, never the prober. */
	n = conn_table_admit(t, &client, false, 5, &victim, &why);
	all[nall++] = n;
	assert_ptr_equal(victim, c[3]);
	conn_table_busy(t, all[nall - 1]);
	conn_table_busy(t, all[nall - 2]);
	n = conn_table_admit(t, &(struct addr){ .family = AF_INET,
	    .bytes = { 10, 0, 9, 8 } }, false, 6, &victim, &why);
	all[nall++] = n;
	assert_ptr_equal(victim, c[2]);
	conn_table_stats(t, &st);
	assert_int_equal(st.cut[CONN_CUT_EVICTED_IDLE], 1);
	assert_int_equal(c[0]->state, CONN_STATE_WAITING);
}

static void
test_conn_table_known_prober_gets_the_reserve(void **state)
{
	struct conn_table *t = *state;
	struct conn_stats st;
	struct conn *c;

	for (unsigned i = 0; i < 4; i++) {
		char a[16];

		snprintf(a, sizeof(a), "10.0.1.%u", i);
		conn_table_busy(t, admit(t, a, false, i));
	}
	/* Nothing evictable: anyone else is refused, a prober is not. */
	assert_null(admit(t, "10.0.2.1", false, 5));
	assert_non_null(c = admit(t, "10.0.3.1", true, 5));
	conn_table_busy(t, c);
	assert_non_null(admit(t, "10.0.3.2", true, 5));
	/* The reserve (2) is used up. */
	assert_null(admit(t, "10.0.3.3", true, 5));
	conn_table_stats(t, &st);
	assert_int_equal(st.open, 6);
	assert_int_equal(st.refused[CONN_REFUSED_FULL], 2);
	/* Its own waiting connection is no victim for another prober. */
	assert_null(admit(t, "10.0.3.4", true, 6));
}

/*
 * Issue 29: the table was full and the newcomer's entry could not be
 * allocated. Before, the oldest waiting connection was evicted first and
 * the newcomer refused anyway, counted as "full": two lost for one.
 */
static void
test_conn_table_no_memory_evicts_nobody(void **state)
{
	struct conn_table *t = *state;
	struct conn_stats st;
	struct addr client = ip("10.0.3.9");
	struct conn *c, *victim;
	enum conn_refusal why;

	for (unsigned i = 0; i < 4; i++) {
		char a[16];

		snprintf(a, sizeof(a), "10.0.3.%u", i);
		assert_non_null(admit(t, a, false, i));	/* no head: evictable */
	}
	calloc_fails = true;
	c = conn_table_admit(t, &client, false, 5, &victim, &why);
	calloc_fails = false;
	assert_null(c);
	assert_null(victim);
	assert_int_equal(why, CONN_REFUSED_MEMORY);
	conn_table_stats(t, &st);
	assert_int_equal(st.open, 4);
	assert_int_equal(st.cut[CONN_CUT_EVICTED_NO_HEAD], 0);
	assert_int_equal(st.refused[CONN_REFUSED_MEMORY], 1);
	assert_int_equal(st.refused[CONN_REFUSED_FULL], 0);
	assert_string_equal(conn_refusal_name(CONN_REFUSED_MEMORY), "memory");
	/* The server lost one for want of memory: the oldest goes. */
	assert_non_null(victim = conn_table_shed(t));
	assert_int_equal(victim->state, CONN_STATE_CUT);
	conn_table_stats(t, &st);
	assert_int_equal(st.refused[CONN_REFUSED_MEMORY], 2);
	assert_int_equal(st.open, 3);
	/* With memory back, the oldest is evicted for it as before. */
	assert_non_null(admit(t, "10.0.3.9", false, 6));
	assert_non_null(admit(t, "10.0.3.10", false, 6));
	conn_table_stats(t, &st);
	assert_int_equal(st.cut[CONN_CUT_EVICTED_NO_HEAD], 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_conn_table_per_address_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_conn_table_full_refuses_when_nothing_is_evictable,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_conn_table_sweep_cuts_late_heads_oldest_first, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_conn_table_idle_timeout_runs_from_the_last_answer,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_conn_table_full_evicts_the_oldest_without_a_head,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_conn_table_known_prober_gets_the_reserve, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_conn_table_no_memory_evicts_nobody, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
