/*
 * Unit tests for drain.c, driven by a fake clock: "now" is whatever the
 * test says it is.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>

#include "drain.h"

struct fixture {
	struct cidr	 ignore[2];
	struct drain	*d;
};

static struct addr
ip(const char *s)
{
	struct addr a;

	assert_null(addr_parse_ip(s, &a));
	return a;
}

/* window 15 s, fall 2, cap 30 s, loopback ignored: the defaults. */
static int
setup(void **state)
{
	struct fixture *f = test_calloc(1, sizeof(*f));

	assert_null(cidr_parse("127.0.0.0/8", &f->ignore[0]));
	assert_null(cidr_parse("::1/128", &f->ignore[1]));
	f->d = drain_new(f->ignore, 2, 15.0, 2, 30.0);
	assert_non_null(f->d);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	drain_free(f->d);
	test_free(f);
	return 0;
}

static enum drain_state
poll_at(struct drain *d, double now, unsigned inflight, double *next)
{
	double dummy;

	return drain_poll(d, now, inflight, NULL, next ? next : &dummy);
}

static void
test_drain_off_until_started(void **state)
{
	struct fixture *f = *state;

	assert_false(drain_started(f->d));
	assert_int_equal(poll_at(f->d, 1, 0, NULL), DRAIN_OFF);
}

static void
test_drain_ends_at_once_without_probers(void **state)
{
	struct fixture *f = *state;
	struct addr lo = ip("127.0.0.1");

	drain_note(f->d, &lo, AGENT_ROUTER, false, 1);	/* ignored: routes no traffic */
	drain_start(f->d, 2);
	assert_int_equal(poll_at(f->d, 2, 0, NULL), DRAIN_DONE_IDLE);
}

static void
test_drain_waits_for_inflight_requests(void **state)
{
	struct fixture *f = *state;

	drain_start(f->d, 2);
	assert_int_equal(poll_at(f->d, 2, 1, NULL), DRAIN_RUNNING);
	assert_int_equal(poll_at(f->d, 2.1, 0, NULL), DRAIN_DONE_IDLE);
}

static void
test_drain_ends_on_evidence_from_every_prober(void **state)
{
	struct fixture *f = *state;
	struct addr a = ip("10.0.1.5"), b = ip("2001:db8::7");
	double next;

	drain_note(f->d, &a, AGENT_ROUTER, false, 90);
	drain_note(f->d, &b, AGENT_ROUTER, false, 95);
	drain_start(f->d, 100);
	assert_int_equal(poll_at(f->d, 100, 0, &next), DRAIN_RUNNING);
	/* The first wake-up is when a would go silent: 90 + 15. */
	assert_true(next > 104.9 && next < 105.1);
	assert_false(drain_note(f->d, &a, AGENT_ROUTER, true, 101));
	assert_true(drain_note(f->d, &a, AGENT_ROUTER, true, 102));		/* 2nd 503: done */
	assert_false(drain_note(f->d, &a, AGENT_ROUTER, true, 103));	/* logged once */
	assert_int_equal(poll_at(f->d, 103, 0, NULL), DRAIN_RUNNING);
	assert_false(drain_note(f->d, &b, AGENT_ROUTER, true, 104));
	assert_true(drain_note(f->d, &b, AGENT_ROUTER, true, 105));
	assert_int_equal(poll_at(f->d, 105, 0, NULL), DRAIN_DONE_EVIDENCE);
}

static void
test_drain_counts_only_503s_as_evidence(void **state)
{
	struct fixture *f = *state;
	struct addr a = ip("10.0.1.5");

	drain_note(f->d, &a, AGENT_ROUTER, false, 1);
	drain_start(f->d, 2);
	assert_false(drain_note(f->d, &a, AGENT_ROUTER, false, 2.1));	/* a late 200 */
	assert_false(drain_note(f->d, &a, AGENT_ROUTER, true, 3));
	assert_int_equal(poll_at(f->d, 3, 0, NULL), DRAIN_RUNNING);
	assert_true(drain_note(f->d, &a, AGENT_ROUTER, true, 4));
	assert_int_equal(poll_at(f->d, 4, 0, NULL), DRAIN_DONE_EVIDENCE);
}

static void
test_drain_counts_dual_stack_clients_once(void **state)
{
	struct fixture *f = *state;
	struct addr v4 = ip("192.0.2.1"), mapped = ip("::ffff:192.0.2.1");
	struct drain_stats st;

	drain_note(f->d, &v4, AGENT_ROUTER, false, 1);
	drain_note(f->d, &mapped, AGENT_ROUTER, false, 2);
	drain_start(f->d, 3);
	drain_stats(f->d, 3, &st);
	assert_int_equal(st.watched, 1);
}

static void
test_drain_silent_prober_is_gone_after_window(void **state)
{
	struct fixture *f = *state;
	struct addr a = ip("10.0.1.5");
	double next;

	drain_note(f->d, &a, AGENT_ROUTER, false, 100);
	drain_start(f->d, 101);
	assert_int_equal(poll_at(f->d, 114.9, 0, &next), DRAIN_RUNNING);
	assert_true(next > 114.99 && next < 115.01);
	assert_int_equal(poll_at(f->d, 115, 0, NULL), DRAIN_DONE_SILENCE);
}

static void
test_drain_forgets_probers_older_than_window(void **state)
{
	struct fixture *f = *state;
	struct addr old = ip("10.0.0.1"), fresh = ip("10.0.0.2");
	struct drain_stats st;

	drain_note(f->d, &old, AGENT_ROUTER, false, 10);
	drain_note(f->d, &fresh, AGENT_ROUTER, false, 40);
	drain_start(f->d, 50);		/* old was last seen 40 s ago */
	drain_stats(f->d, 50, &st);
	assert_int_equal(st.watched, 1);
}

static void
test_drain_ignores_sources_new_after_sigterm(void **state)
{
	struct fixture *f = *state;
	struct addr late = ip("10.9.9.9");

	drain_start(f->d, 1);
	assert_false(drain_note(f->d, &late, AGENT_ROUTER, true, 2));
	assert_int_equal(poll_at(f->d, 2, 0, NULL), DRAIN_DONE_IDLE);
}

/* The sources a drain ignores although they probe, to warn of by name. */
static void
test_drain_names_ignored_sources_seen_within_window(void **state)
{
	struct fixture *f = *state;
	struct addr lo = ip("127.0.0.1"), six = ip("::1"), old = ip("127.0.0.9");
	struct addr out[DRAIN_MAX_IGNORED], lb = ip("10.0.0.7");

	assert_int_equal(drain_ignored(f->d, 0, out, DRAIN_MAX_IGNORED), 0);
	drain_note(f->d, &old, AGENT_ROUTER, false, 1);	/* too long before SIGTERM */
	drain_note(f->d, &lo, AGENT_ROUTER, false, 20);
	drain_note(f->d, &six, AGENT_ROUTER, false, 21);
	drain_note(f->d, &lo, AGENT_ROUTER, false, 22);
	drain_note(f->d, &lb, AGENT_ROUTER, false, 22);	/* watched, not ignored */
	drain_start(f->d, 23);
	/* After SIGTERM an ignored source changes nothing. */
	drain_note(f->d, &old, AGENT_ROUTER, true, 24);
	assert_int_equal(drain_ignored(f->d, 40, out, DRAIN_MAX_IGNORED), 2);
	assert_memory_equal(out[0].bytes, lo.bytes, 16);
	assert_memory_equal(out[1].bytes, six.bytes, 16);
	/* max bounds what is filled, not what is counted. */
	assert_int_equal(drain_ignored(f->d, 40, out, 1), 2);
}

/* Without an ignore list there is nothing to warn of. */
static void
test_drain_empty_ignore_list_watches_loopback(void **state)
{
	struct fixture *f = *state;
	struct addr lo = ip("127.0.0.1"), out[1];

	drain_free(f->d);
	f->d = drain_new(NULL, 0, 15.0, 2, 30.0);
	drain_note(f->d, &lo, AGENT_ROUTER, false, 1);
	drain_start(f->d, 2);
	assert_int_equal(drain_ignored(f->d, 2, out, 1), 0);
	assert_int_equal(poll_at(f->d, 2, 0, NULL), DRAIN_RUNNING);
	drain_note(f->d, &lo, AGENT_ROUTER, true, 3);
	assert_true(drain_note(f->d, &lo, AGENT_ROUTER, true, 4));
	assert_int_equal(poll_at(f->d, 4, 0, NULL), DRAIN_DONE_EVIDENCE);
}

static void
test_drain_caps_even_with_probers_pending(void **state)
{
	struct fixture *f = *state;
	struct addr a = ip("10.0.1.5");
	double next;

	/* A prober that would need 50 503s, polling every second. */
	drain_free(f->d);
	f->d = drain_new(f->ignore, 2, 15.0, 50, 30.0);
	drain_note(f->d, &a, AGENT_ROUTER, false, 0);
	drain_start(f->d, 0);
	for (double t = 1; t < 30; t += 1) {
		drain_note(f->d, &a, AGENT_ROUTER, true, t);
		assert_int_equal(poll_at(f->d, t, 0, &next), DRAIN_RUNNING);
		assert_true(next <= 30.0);
	}
	/* The cap wins even over a request still in flight. */
	assert_int_equal(poll_at(f->d, 30, 1, NULL), DRAIN_CAPPED);
}

static void
test_drain_with_empty_ignore_list_watches_loopback(void **state)
{
	struct fixture *f = *state;
	struct addr lo = ip("127.0.0.1");
	struct drain_stats st;

	drain_free(f->d);
	f->d = drain_new(NULL, 0, 1.0, 2, 3.0);
	drain_note(f->d, &lo, AGENT_ROUTER, false, 0.5);
	drain_start(f->d, 1);
	drain_stats(f->d, 1, &st);
	assert_int_equal(st.watched, 1);
	assert_int_equal(poll_at(f->d, 1.2, 0, NULL), DRAIN_RUNNING);
	drain_note(f->d, &lo, AGENT_ROUTER, true, 1.2);
	drain_note(f->d, &lo, AGENT_ROUTER, true, 1.4);
	assert_int_equal(poll_at(f->d, 1.4, 0, NULL), DRAIN_DONE_EVIDENCE);
}

static void
test_drain_table_full_forgets_the_oldest(void **state)
{
	struct fixture *f = *state;
	struct drain_stats st;
	char buf[32];

	for (unsigned i = 0; i < DRAIN_MAX_PROBERS + 10; i++) {
		struct addr a;

		snprintf(buf, sizeof(buf), "10.0.%u.%u", i / 256, i % 256);
		a = ip(buf);
		drain_note(f->d, &a, AGENT_ROUTER, false, (double)i / 1000.0);
	}
	drain_start(f->d, 1);
	drain_stats(f->d, 1, &st);
	assert_int_equal(st.watched, DRAIN_MAX_PROBERS);
}

static void
test_drain_state_names_are_the_logged_reasons(void **state)
{
	(void)state;
	assert_string_equal(drain_state_name(DRAIN_DONE_EVIDENCE), "evidence");
	assert_string_equal(drain_state_name(DRAIN_DONE_SILENCE), "silence");
	assert_string_equal(drain_state_name(DRAIN_DONE_IDLE), "idle");
	assert_string_equal(drain_state_name(DRAIN_DONE_QUIET), "quiet");
	assert_string_equal(drain_state_name(DRAIN_CAPPED), "cap");
}

/* The kubelet, monitoring and curl are seen and counted, never watched. */
static void
test_drain_never_watches_probers_that_route_nothing(void **state)
{
	struct fixture *f = *state;
	struct addr node = ip("10.0.0.1"), mon = ip("10.0.0.2");
	struct addr out[4];
	enum agent_kind kinds[4];
	struct drain_stats st;

	drain_note(f->d, &node, AGENT_KUBELET, false, 10);
	drain_note(f->d, &mon, AGENT_BLACKBOX, false, 11);
	drain_start(f->d, 12);
	drain_stats(f->d, 12, &st);
	assert_int_equal(st.watched, 0);
	assert_int_equal(st.nonrouting, 2);
	assert_int_equal(drain_nonrouting(f->d, 12, out, kinds, 4), 2);
	assert_int_equal(kinds[0], AGENT_KUBELET);
	assert_int_equal(kinds[1], AGENT_BLACKBOX);
	/* Their 503s change nothing; nobody is waited for. */
	assert_false(drain_note(f->d, &node, AGENT_KUBELET, true, 13));
	assert_int_equal(poll_at(f->d, 13, 0, NULL), DRAIN_DONE_IDLE);
	/* Still known to the connection table. */
	assert_true(drain_recent(f->d, &node, 300, 13));
}

/* One address, two kinds: the node's kubelet and a router on the node. */
static void
test_drain_one_address_two_kinds_watches_the_router(void **state)
{
	struct fixture *f = *state;
	struct addr node = ip("10.0.0.1");
	struct drain_stats st;

	drain_note(f->d, &node, AGENT_KUBELET, false, 10);
	drain_note(f->d, &node, AGENT_ROUTER, false, 10.5);
	drain_start(f->d, 11);
	drain_stats(f->d, 11, &st);
	assert_int_equal(st.watched, 1);
	assert_int_equal(st.nonrouting, 1);
	/* The kubelet's 503s are not the router's. */
	drain_note(f->d, &node, AGENT_KUBELET, true, 12);
	assert_false(drain_note(f->d, &node, AGENT_KUBELET, true, 13));
	assert_int_equal(poll_at(f->d, 13, 0, NULL), DRAIN_RUNNING);
	drain_note(f->d, &node, AGENT_ROUTER, true, 14);
	assert_true(drain_note(f->d, &node, AGENT_ROUTER, true, 15));
	assert_int_equal(poll_at(f->d, 15, 0, NULL), DRAIN_DONE_EVIDENCE);
}

/* Traffic seen: with no prober watched, its quiet alone ends the drain. */
static void
test_drain_traffic_quiet_alone_without_probers(void **state)
{
	struct fixture *f = *state;
	struct drain_traffic busy = { .quiet = false };
	struct drain_traffic quiet = { .quiet = true };
	double next;

	drain_start(f->d, 1);
	assert_int_equal(drain_poll(f->d, 1, 0, &busy, &next), DRAIN_RUNNING);
	assert_true(next == 31);	/* the cap: the scans ask on their own */
	assert_int_equal(drain_poll(f->d, 2, 1, &quiet, &next), DRAIN_RUNNING);
	assert_int_equal(drain_poll(f->d, 2, 0, &quiet, &next),
	    DRAIN_DONE_QUIET);
}

/* Traffic seen and a router watched: its 503s and the quiet, both. */
static void
test_drain_traffic_and_probers_both_needed(void **state)
{
	struct fixture *f = *state;
	struct addr lb = ip("10.0.0.9");
	struct drain_traffic busy = { .quiet = false };
	struct drain_traffic quiet = { .quiet = true };
	double next;

	drain_note(f->d, &lb, AGENT_ROUTER, false, 0.5);
	drain_start(f->d, 1);
	assert_int_equal(drain_poll(f->d, 1.5, 0, &quiet, &next),
	    DRAIN_RUNNING);
	drain_note(f->d, &lb, AGENT_ROUTER, true, 2);
	drain_note(f->d, &lb, AGENT_ROUTER, true, 3);
	assert_int_equal(drain_poll(f->d, 3, 0, &busy, &next), DRAIN_RUNNING);
	assert_int_equal(drain_poll(f->d, 4, 0, &quiet, &next),
	    DRAIN_DONE_QUIET);
	/* The cap holds over traffic that never goes quiet. */
	assert_int_equal(drain_poll(f->d, 31, 0, &busy, &next), DRAIN_CAPPED);
}

/* A known prober, for the connection table: served /health lately. */
static void
test_drain_recent_knows_served_sources_for_a_while(void **state)
{
	struct fixture *f = *state;
	struct addr p = ip("10.0.0.7"), q = ip("10.0.0.8"), lo = ip("127.0.0.1");

	drain_note(f->d, &p, AGENT_ROUTER, false, 100);
	drain_note(f->d, &lo, AGENT_ROUTER, false, 100);
	assert_true(drain_recent(f->d, &p, 300, 100));
	assert_true(drain_recent(f->d, &p, 300, 400));
	assert_false(drain_recent(f->d, &p, 300, 400.5));
	assert_false(drain_recent(f->d, &q, 300, 100));
	assert_false(drain_recent(f->d, &lo, 300, 100));	/* ignored */
	drain_note(f->d, &p, AGENT_ROUTER, true, 500);
	assert_true(drain_recent(f->d, &p, 300, 501));
}

/* What /admin/status lists: seen probers before, the watched ones after. */
static void
test_drain_probers_lists_who_counts_now(void **state)
{
	struct fixture *f = *state;
	struct addr a = ip("10.0.0.1"), b = ip("10.0.0.2"), c = ip("10.0.0.3");
	struct drain_prober out[4];

	drain_note(f->d, &a, AGENT_ROUTER, false, 1);		/* too old at 20 */
	drain_note(f->d, &b, AGENT_ROUTER, false, 10);
	drain_note(f->d, &c, AGENT_ROUTER, false, 12);
	assert_int_equal(drain_probers(f->d, 20, out, 4), 2);
	assert_int_equal(out[0].state, DRAIN_PROBER_SEEN);
	assert_true(out[0].idle == 10.0);
	/* Room for one: the count is still all of them. */
	assert_int_equal(drain_probers(f->d, 20, out, 1), 2);
	drain_start(f->d, 20);
	drain_note(f->d, &b, AGENT_ROUTER, true, 21);
	drain_note(f->d, &b, AGENT_ROUTER, true, 22);
	drain_note(f->d, &c, AGENT_ROUTER, true, 22);
	drain_note(f->d, &a, AGENT_ROUTER, true, 22);		/* not watched: no count */
	assert_int_equal(drain_probers(f->d, 23, out, 4), 2);
	assert_int_equal(out[0].state, DRAIN_PROBER_SERVED);
	assert_int_equal(out[0].fails, 2);
	assert_int_equal(out[1].state, DRAIN_PROBER_WAITING);
	assert_int_equal(out[1].fails, 1);
	assert_int_equal(drain_probers(f->d, 37, out, 4), 2);
	assert_int_equal(out[1].state, DRAIN_PROBER_SILENT);
	assert_string_equal(drain_prober_state_name(DRAIN_PROBER_WAITING),
	    "waiting");
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_drain_off_until_started),
		T(test_drain_ends_at_once_without_probers),
		T(test_drain_waits_for_inflight_requests),
		T(test_drain_ends_on_evidence_from_every_prober),
		T(test_drain_counts_only_503s_as_evidence),
		T(test_drain_counts_dual_stack_clients_once),
		T(test_drain_silent_prober_is_gone_after_window),
		T(test_drain_forgets_probers_older_than_window),
		T(test_drain_ignores_sources_new_after_sigterm),
		T(test_drain_names_ignored_sources_seen_within_window),
		T(test_drain_empty_ignore_list_watches_loopback),
		T(test_drain_caps_even_with_probers_pending),
		T(test_drain_with_empty_ignore_list_watches_loopback),
		T(test_drain_table_full_forgets_the_oldest),
		T(test_drain_state_names_are_the_logged_reasons),
		T(test_drain_recent_knows_served_sources_for_a_while),
		T(test_drain_never_watches_probers_that_route_nothing),
		T(test_drain_one_address_two_kinds_watches_the_router),
		T(test_drain_traffic_quiet_alone_without_probers),
		T(test_drain_traffic_and_probers_both_needed),
		T(test_drain_probers_lists_who_counts_now),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
