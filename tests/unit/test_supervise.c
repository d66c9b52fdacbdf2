/*
 * Unit tests for supervise.c: the exit-status mapping (pure), and the stop
 * sequence driven on a real libev loop with real /bin/sh children, short
 * durations and a bounded loop.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <ev.h>

#include "clock.h"
#include "supervise.h"

extern char **environ;

struct run {
	struct ev_loop	*loop;
	int		 wstatus;
	int		 calls;
	ev_timer	 guard;		/* bounds every test's loop */
};

static void
exited(void *arg, int wstatus)
{
	struct run *r = arg;

	r->wstatus = wstatus;
	r->calls++;
	ev_break(r->loop, EVBREAK_ALL);
}

static void
guard_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static struct supervise *
start(struct run *r, const char *script)
{
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)script,
	    NULL };
	struct supervise *s;
	int errnum = 0;

	r->loop = EV_DEFAULT;
	r->calls = 0;
	r->wstatus = -1;
	s = supervise_start(r->loop, argv, environ, exited, r, &errnum);
	assert_non_null(s);
	ev_timer_init(&r->guard, guard_cb, 10., 0.);
	ev_timer_start(r->loop, &r->guard);
	return s;
}

/*
 * Waits until the app's shell has set its trap for sig (caught or ignored,
 * as /proc/PID/status shows it), at most 5 s: a fixed sleep was not enough
 * on a busy machine, and a signal sent before the trap kills the shell.
 */
static void
wait_trap(struct supervise *s, int sig)
{
	char path[64], line[256];
	unsigned long long mask, bit = 1ULL << (sig - 1);
	int i;

	snprintf(path, sizeof path, "/proc/%d/status", (int)supervise_pid(s));
	for (i = 0; i < 500; i++) {
		FILE *f = fopen(path, "r");

		assert_non_null(f);
		while (fgets(line, sizeof line, f) != NULL) {
			if ((sscanf(line, "SigCgt: %llx", &mask) == 1 ||
			    sscanf(line, "SigIgn: %llx", &mask) == 1) &&
			    (mask & bit)) {
				fclose(f);
				return;
			}
		}
		fclose(f);
		usleep(10000);
	}
	fail_msg("the app set no trap for signal %d within 5 s", sig);
}

static void
finish(struct run *r, struct supervise *s)
{
	ev_timer_stop(r->loop, &r->guard);
	supervise_free(s);
}

static void
test_supervise_exit_code_mapping(void **state)
{
	(void)state;
	assert_int_equal(supervise_exit_code(0), 0);
	assert_int_equal(supervise_exit_code(7 << 8), 7);
	assert_int_equal(supervise_exit_code(255 << 8), 255);
	assert_int_equal(supervise_exit_code(SIGKILL), 137);
	assert_int_equal(supervise_exit_code(SIGTERM), 143);
	assert_int_equal(supervise_exit_code(SIGSEGV | 0x80), 128 + SIGSEGV);
	assert_int_equal(supervise_spawn_code(ENOENT), 127);
	assert_int_equal(supervise_spawn_code(EACCES), 126);
}

static void
test_supervise_reports_own_exit_status(void **state)
{
	struct run r;
	struct supervise *s = start(&r, "exit 7");

	(void)state;
	ev_run(r.loop, 0);
	assert_int_equal(r.calls, 1);
	assert_int_equal(supervise_exit_code(r.wstatus), 7);
	finish(&r, s);
}

static void
test_supervise_missing_command_is_127(void **state)
{
	char *argv[] = { (char *)"/nonexistent/healthgate-app", NULL };
	struct run r = { .loop = EV_DEFAULT };
	int errnum = 0;

	(void)state;
	assert_null(supervise_start(r.loop, argv, environ, exited, &r,
	    &errnum));
	assert_int_equal(supervise_spawn_code(errnum), 127);
}

/* The stop signal waits for the linger, then ends an obliging app. */
static void
test_supervise_stop_signal_after_linger(void **state)
{
	struct run r;
	struct supervise *s = start(&r, "trap 'exit 3' TERM; "
	    "while :; do sleep 0.05; done");
	double t0;

	(void)state;
	wait_trap(s, SIGTERM);
	t0 = clock_mono();
	supervise_stop(s, 0.3, SIGTERM, 5.);
	ev_run(r.loop, 0);
	assert_int_equal(r.calls, 1);
	assert_int_equal(supervise_exit_code(r.wstatus), 3);
	assert_true(clock_mono() - t0 >= 0.3);
	assert_true(clock_mono() - t0 < 3.);
	finish(&r, s);
}

/* An app that ignores the stop signal is killed after the timeout: 137. */
static void
test_supervise_sigkill_after_stop_timeout(void **state)
{
	struct run r;
	struct supervise *s = start(&r, "trap '' TERM; "
	    "while :; do sleep 0.05; done");
	double t0;

	(void)state;
	wait_trap(s, SIGTERM);
	t0 = clock_mono();
	supervise_stop(s, 0., SIGTERM, 0.4);
	ev_run(r.loop, 0);
	assert_int_equal(r.calls, 1);
	assert_int_equal(supervise_exit_code(r.wstatus), 137);
	assert_true(clock_mono() - t0 >= 0.4);
	assert_true(clock_mono() - t0 < 3.);
	finish(&r, s);
}

/* A second SIGTERM cuts the linger short and goes to the app at once. */
static void
test_supervise_stop_now_skips_linger(void **state)
{
	struct run r;
	struct supervise *s = start(&r, "trap 'exit 5' INT; "
	    "while :; do sleep 0.05; done");
	double t0;

	(void)state;
	wait_trap(s, SIGINT);
	t0 = clock_mono();
	supervise_stop(s, 8., SIGTERM, 5.);
	supervise_stop_now(s, SIGINT, 5.);
	ev_run(r.loop, 0);
	assert_int_equal(r.calls, 1);
	assert_int_equal(supervise_exit_code(r.wstatus), 5);
	assert_true(clock_mono() - t0 < 3.);
	finish(&r, s);
}

/* Forwarded signals reach the app; the app's default action applies. */
static void
test_supervise_forwards_sighup(void **state)
{
	struct run r;
	struct supervise *s = start(&r, "trap 'exit 9' HUP; "
	    "while :; do sleep 0.05; done");

	(void)state;
	wait_trap(s, SIGHUP);
	kill(getpid(), SIGHUP);
	ev_run(r.loop, 0);
	assert_int_equal(r.calls, 1);
	assert_int_equal(supervise_exit_code(r.wstatus), 9);
	finish(&r, s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_supervise_exit_code_mapping),
		cmocka_unit_test(test_supervise_reports_own_exit_status),
		cmocka_unit_test(test_supervise_missing_command_is_127),
		cmocka_unit_test(test_supervise_stop_signal_after_linger),
		cmocka_unit_test(test_supervise_sigkill_after_stop_timeout),
		cmocka_unit_test(test_supervise_stop_now_skips_linger),
		cmocka_unit_test(test_supervise_forwards_sighup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
