/*
 * Unit tests for stop.c, the drain's loop glue, OpenVPN-style: clock_mono,
 * the two libev timer calls and log_kv_write are replaced with -Wl,--wrap= by
 * the shared fake loop (fake_loop.c), so "now" is whatever the test says
 * and the timer fires when the test fires it. drain.c is the real one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "fake_loop.h"
#include "quiet.h"
#include "stop.h"
#include "traffic.h"

/* The drain's one timer, as the fake loop saw it last started. */
static bool
timer_armed(void)
{
	return fake_loop_last && fake_loop_armed(fake_loop_last);
}

static double
timer_after(void)
{
	assert_non_null(fake_loop_last);
	return fake_loop_timer(fake_loop_last)->after;
}

/*
 * The app's traffic, faked: traffic_start says whether it is seen and
 * hands stop.c a real quiet.c fed by the test; traffic_halt is counted.
 */
static bool traffic_visible;
static struct quiet *fake_quiet;
static unsigned halts;

bool	__wrap_traffic_start(struct traffic *, double);
void	__wrap_traffic_halt(struct traffic *);
const struct quiet *__wrap_traffic_quiet(const struct traffic *);

bool
__wrap_traffic_start(struct traffic *t, double now)
{
	(void)t;
	if (traffic_visible)
		quiet_start(fake_quiet, now);
	return traffic_visible;
}

void
__wrap_traffic_halt(struct traffic *t)
{
	(void)t;
	halts++;
}

const struct quiet *
__wrap_traffic_quiet(const struct traffic *t)
{
	(void)t;
	return fake_quiet;
}

/* What the owner saw through its hooks. */
struct owner {
	struct stop	*s;
	unsigned	 inflight;
	unsigned	 begins;
	unsigned	 logged_at_begin;	/* log lines before begin() */
	bool		 draining_at_begin;
	unsigned	 dones;
	enum stop_end	 how;
	enum drain_state reason;
	double		 done_at;
};

static void
on_begin(void *arg)
{
	struct owner *o = arg;

	o->begins++;
	o->logged_at_begin = fake_loop_nlogged;
	o->draining_at_begin = stop_draining(o->s);
}

static unsigned
on_inflight(void *arg)
{
	return ((struct owner *)arg)->inflight;
}

static void
on_done(void *arg, enum stop_end how, enum drain_state reason)
{
	struct owner *o = arg;

	o->dones++;
	o->how = how;
	o->reason = reason;
	o->done_at = fake_loop_now;
}

static struct cidr no_ignore[1];

/* window 1 s, cap 3 s, nothing ignored; the fall given. */
static void
remake_with(struct owner *o, unsigned fall, struct traffic *traffic)
{
	struct stop_params p = { .traffic = traffic,
	    .ignore = no_ignore, .nignore = 0,
	    .window_ms = 1000, .fall = fall, .cap_ms = 3000 };
	struct stop_hooks h = { .begin = on_begin, .inflight = on_inflight,
	    .done = on_done, .arg = o };

	stop_free(o->s);
	o->s = stop_new(NULL, &p, &h);
	assert_non_null(o->s);
}

static void
remake(struct owner *o, unsigned fall)
{
	remake_with(o, fall, NULL);
}

/* fall 2. */
static int
setup(void **state)
{
	struct owner *o = test_calloc(1, sizeof(*o));

	fake_loop_reset(1000.0);
	traffic_visible = false;
	halts = 0;
	remake(o, 2);
	*state = o;
	return 0;
}

static int
teardown(void **state)
{
	struct owner *o = *state;

	stop_free(o->s);
	test_free(o);
	return 0;
}

static struct addr
ip(const char *s)
{
	struct addr a;

	assert_null(addr_parse_ip(s, &a));
	return a;
}

/* Fires the timer as libev would once its time has come. */
static void
fire(void)
{
	assert_non_null(fake_loop_last);
	fake_loop_fire(fake_loop_last);
}

static bool
was_logged(const char *prefix)
{
	if (fake_loop_count_logged(prefix) > 0)
		return true;
	for (unsigned i = 0; i < fake_loop_nlogged; i++)
		print_message("logged: %s\n", fake_loop_logged[i]);
	return false;
}

static void
test_stop_nobody_watching_ends_at_once(void **state)
{
	struct owner *o = *state;

	assert_false(stop_draining(o->s));
	stop_signal(o->s, "SIGTERM");
	assert_int_equal(o->begins, 1);
	assert_int_equal(o->dones, 1);
	assert_int_equal(o->how, STOP_END_DRAINED);
	assert_int_equal(o->reason, DRAIN_DONE_IDLE);
	assert_false(timer_armed());
	assert_true(was_logged("1 drain_start signal=SIGTERM watched=0 "
	    "nonrouting=0 fall=2 window_ms=1000 cap_ms=3000 traffic=none"));
	assert_true(was_logged("1 drain_end reason=idle watched=0"));
}

/* The 503 is in place (begin) before drain_start is logged. */
static void
test_stop_begin_comes_before_the_start_line(void **state)
{
	struct owner *o = *state;

	stop_signal(o->s, "SIGINT");
	assert_int_equal(o->logged_at_begin, 0);
	assert_true(o->draining_at_begin);
	assert_true(was_logged("1 drain_start signal=SIGINT"));
}

static void
test_stop_evidence_ends_it_when_the_last_request_ends(void **state)
{
	struct owner *o = *state;
	struct addr a = ip("10.0.0.7");
	struct drain_stats st;
	unsigned long long n503;

	stop_served(o->s, &a, AGENT_ROUTER, 200);
	fake_loop_now += 0.2;
	stop_signal(o->s, "SIGTERM");
	assert_int_equal(o->dones, 0);
	assert_true(timer_armed());
	stop_served(o->s, &a, AGENT_ROUTER, 503);
	o->inflight = 1;
	stop_poll(o->s);
	stop_served(o->s, &a, AGENT_ROUTER, 503);
	assert_true(was_logged("1 prober_done addr=10.0.0.7 failures=2"));
	stop_poll(o->s);		/* a request still in flight */
	assert_int_equal(o->dones, 0);
	o->inflight = 0;
	stop_poll(o->s);
	assert_int_equal(o->dones, 1);
	assert_int_equal(o->reason, DRAIN_DONE_EVIDENCE);
	assert_false(timer_armed());
	stop_stats(o->s, &st, &n503);
	assert_int_equal(st.watched, 1);
	assert_int_equal(st.served, 1);
	assert_int_equal(n503, 2);
	assert_true(was_logged("1 drain_end reason=evidence watched=1 served=1 "
	    "silent=0 503s=2"));
}

/* A prober that never sees enough 503s: the cap, 3 s on clock_mono. */
static void
test_stop_cap_runs_on_the_monotonic_clock(void **state)
{
	struct owner *o = *state;
	struct addr a = ip("10.0.0.7");

	remake(o, 50);
	stop_served(o->s, &a, AGENT_ROUTER, 200);
	stop_signal(o->s, "SIGTERM");
	for (int i = 0; i < 14; i++) {		/* 503s every 0.2 s to 2.8 s */
		fake_loop_now += 0.2;
		stop_served(o->s, &a, AGENT_ROUTER, 503);
		stop_poll(o->s);
		assert_true(timer_armed());
		assert_true(timer_after() > 0 && timer_after() <= 1.0 + 1e-9);
	}
	o->inflight = 1;	/* a stuck request does not hold the cap */
	fake_loop_now += 0.2;
	fire();
	assert_int_equal(o->dones, 1);
	assert_int_equal(o->reason, DRAIN_CAPPED);
	assert_true(o->done_at - 1000.0 >= 3.0 - 1e-9);
	assert_true(was_logged("2 drain_capped reason=cap watched=1"));
}

/* The timer is armed for the moment a silent prober's window ends. */
static void
test_stop_silence_wakes_at_the_window(void **state)
{
	struct owner *o = *state;
	struct addr a = ip("10.0.0.7");

	stop_served(o->s, &a, AGENT_ROUTER, 200);
	fake_loop_now += 0.4;
	stop_signal(o->s, "SIGTERM");
	assert_true(timer_armed());
	assert_float_equal(timer_after(), 0.6, 1e-9);
	fake_loop_now += 0.6;
	fire();
	assert_int_equal(o->dones, 1);
	assert_int_equal(o->reason, DRAIN_DONE_SILENCE);
}

static void
test_stop_second_signal_aborts_once(void **state)
{
	struct owner *o = *state;
	struct addr a = ip("10.0.0.7");

	stop_served(o->s, &a, AGENT_ROUTER, 200);
	stop_signal(o->s, "SIGTERM");
	assert_int_equal(o->dones, 0);
	stop_signal(o->s, "SIGINT");
	assert_int_equal(o->dones, 1);
	assert_int_equal(o->how, STOP_END_ABORTED);
	assert_false(timer_armed());
	assert_true(was_logged("2 drain_abort signal=SIGINT"));
	stop_signal(o->s, "SIGTERM");
	stop_poll(o->s);
	assert_int_equal(o->dones, 1);
	assert_int_equal(o->begins, 1);
}

/* 503s before the signal (maintenance) are not the drain's. */
static void
test_stop_counts_only_503s_while_draining(void **state)
{
	struct owner *o = *state;
	struct addr a = ip("10.0.0.7");
	struct drain_stats st;
	unsigned long long n503;

	stop_served(o->s, &a, AGENT_ROUTER, 503);
	stop_served(o->s, &a, AGENT_ROUTER, 503);
	stop_stats(o->s, &st, &n503);
	assert_int_equal(n503, 0);
	assert_int_equal(st.watched, 0);
}

/* A traffic handle the fakes never look into. */
static struct traffic *const some_traffic = (struct traffic *)&halts;

/* One scan of the fake app: n connections, their last bytes, pending. */
static void
scan(unsigned n, const double *last, bool pending)
{
	quiet_scan_begin(fake_quiet);
	for (unsigned i = 0; i < n; i++)
		quiet_conn(fake_quiet, i + 1, last[i], pending);
	quiet_scan_end(fake_quiet, fake_loop_now);
}

/* Traffic seen, nobody watching: the drain ends on its quiet, once. */
static void
test_stop_traffic_quiet_ends_it(void **state)
{
	struct owner *o = *state;
	double last[10];

	for (unsigned i = 0; i < 10; i++)
		last[i] = 999.55 + 0.05 * i;
	fake_quiet = quiet_new(0);
	traffic_visible = true;
	remake_with(o, 2, some_traffic);
	scan(10, last, false);
	stop_signal(o->s, "SIGTERM");
	assert_int_equal(o->dones, 0);
	assert_true(was_logged("1 drain_start signal=SIGTERM watched=0 "
	    "nonrouting=0 fall=2 window_ms=1000 cap_ms=3000 traffic=seen"));
	/* 9 gaps in 0.45 s, the last at 1000: 6 x 0.9 / chi2(0.05, 18),
	 * 0.575 s. */
	fake_loop_now = 1000.5;
	stop_poll(o->s);
	assert_int_equal(o->dones, 0);
	fake_loop_now = 1000.6;
	stop_poll(o->s);
	assert_int_equal(o->dones, 1);
	assert_int_equal(o->reason, DRAIN_DONE_QUIET);
	assert_int_equal(halts, 1);
	assert_true(was_logged("1 drain_end reason=quiet watched=0 served=0 "
	    "silent=0 503s=0 conns=10 pending=0 last_byte_ms=600 "
	    "quiet_ms=575 arrivals=10"));
	quiet_free(fake_quiet);
}

/* A connection that owes an answer holds the drain up to the cap. */
static void
test_stop_traffic_pending_holds_to_the_cap(void **state)
{
	struct owner *o = *state;
	double last[1] = { 999.0 };

	fake_quiet = quiet_new(0);
	traffic_visible = true;
	remake_with(o, 2, some_traffic);
	scan(1, last, true);
	stop_signal(o->s, "SIGTERM");
	fake_loop_now = 1002.9;
	stop_poll(o->s);
	assert_int_equal(o->dones, 0);
	fake_loop_now = 1003.0;
	fire();
	assert_int_equal(o->dones, 1);
	assert_int_equal(o->reason, DRAIN_CAPPED);
	assert_true(was_logged("2 drain_capped reason=cap watched=0 served=0 "
	    "silent=0 503s=0 conns=1 pending=1"));
	quiet_free(fake_quiet);
}

/* Not seen: the drain is today's (nobody watched: at once). */
static void
test_stop_traffic_unseen_falls_back(void **state)
{
	struct owner *o = *state;

	fake_quiet = quiet_new(0);
	remake_with(o, 2, some_traffic);
	stop_signal(o->s, "SIGTERM");
	assert_int_equal(o->dones, 1);
	assert_int_equal(o->reason, DRAIN_DONE_IDLE);
	assert_true(was_logged("1 drain_start signal=SIGTERM watched=0 "
	    "nonrouting=0 fall=2 window_ms=1000 cap_ms=3000 traffic=unseen"));
	quiet_free(fake_quiet);
}

/* The kubelet is named and counted, never waited for. */
static void
test_stop_kubelet_is_named_not_watched(void **state)
{
	struct owner *o = *state;
	struct addr node = ip("10.0.0.1");
	struct drain_stats st;
	unsigned long long n503;

	stop_served(o->s, &node, AGENT_KUBELET, 200);
	stop_signal(o->s, "SIGTERM");
	assert_int_equal(o->reason, DRAIN_DONE_IDLE);
	assert_true(was_logged("1 drain_not_waiting probers=10.0.0.1/"
	    "kube-probe"));
	stop_stats(o->s, &st, &n503);
	assert_int_equal(st.nonrouting, 1);
}

/*
 * A request's drain (/admin/prestop, /admin/drain): logged with its path;
 * a second request aborts nothing; a signal after it is a second signal
 * to stop.c (main.c decides whether to send it). The timing the status
 * shows runs on the monotonic clock.
 */
static void
test_stop_request_starts_once_and_never_aborts(void **state)
{
	struct owner *o = *state;
	struct addr a = ip("10.0.0.7");
	double elapsed, left;

	stop_served(o->s, &a, AGENT_ROUTER, 200);
	assert_true(stop_begin(o->s, "/admin/prestop"));
	assert_true(was_logged("1 drain_start request=/admin/prestop "
	    "watched=1"));
	assert_int_equal(o->begins, 1);
	assert_false(stop_over(o->s));
	fake_loop_now += 1.25;
	stop_timing(o->s, &elapsed, &left);
	assert_true(elapsed == 1.25);
	assert_true(left == 1.75);
	assert_false(stop_begin(o->s, "/admin/drain"));
	assert_int_equal(o->dones, 0);
	assert_int_equal(o->begins, 1);
	stop_served(o->s, &a, AGENT_ROUTER, 503);
	stop_served(o->s, &a, AGENT_ROUTER, 503);
	stop_poll(o->s);
	assert_int_equal(o->dones, 1);
	assert_int_equal(o->reason, DRAIN_DONE_EVIDENCE);
	assert_true(stop_over(o->s));
	/* Over: neither a request nor a signal does anything more. */
	assert_false(stop_begin(o->s, "/admin/prestop"));
	stop_signal(o->s, "SIGTERM");
	assert_int_equal(o->dones, 1);
}

/* The status's probers: watched ones once the drain has begun. */
static void
test_stop_probers_are_the_drains(void **state)
{
	struct owner *o = *state;
	struct addr a = ip("10.0.0.7"), b = ip("10.0.0.8");
	struct drain_prober p[4];

	stop_served(o->s, &a, AGENT_ROUTER, 200);
	fake_loop_now += 2;		/* a is past the 1 s window now */
	stop_served(o->s, &b, AGENT_ROUTER, 200);
	assert_int_equal(stop_probers(o->s, p, 4), 1);
	assert_int_equal(p[0].state, DRAIN_PROBER_SEEN);
	stop_begin(o->s, "/admin/prestop");
	assert_int_equal(stop_probers(o->s, p, 4), 1);
	assert_int_equal(p[0].state, DRAIN_PROBER_WAITING);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_stop_nobody_watching_ends_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_stop_begin_comes_before_the_start_line, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_stop_evidence_ends_it_when_the_last_request_ends,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_stop_cap_runs_on_the_monotonic_clock, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_stop_silence_wakes_at_the_window, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_stop_second_signal_aborts_once, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_stop_counts_only_503s_while_draining, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_stop_traffic_quiet_ends_it, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_stop_traffic_pending_holds_to_the_cap, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_stop_traffic_unseen_falls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_stop_kubelet_is_named_not_watched, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_stop_request_starts_once_and_never_aborts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_stop_probers_are_the_drains, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
