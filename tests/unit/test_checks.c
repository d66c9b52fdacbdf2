/*
 * Unit tests for checks.c, the scheduler, OpenVPN-style: the clock
 * (clock_mono), libev's timer calls and log_kv_write are replaced with
 * -Wl,--wrap= by the shared fake loop (fake_loop.c), and the probe kinds'
 * ops tables are this file's fake ones (defined here, so the linker takes
 * check_http.o and friends from the library only if something else asks
 * for them, and nothing does). A test fires a timer
 * when it says its time has come, and ends a run with check_done() as a
 * probe would.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "checks.h"
#include "clock.h"
#include "fake_loop.h"
#include "metrics.h"

/* --- the fake world ------------------------------------------------ */

static unsigned starts, cancels, changes;
static struct check *started[8];	/* the last run started, per check */

static unsigned
spec_index(struct check *c);

static void
fake_start(struct check *c)
{
	starts++;
	started[spec_index(c)] = c;
}

static void
fake_cancel(struct check *c)
{
	(void)c;
	cancels++;
}

static unsigned setups, teardowns;

/* The tls kind's setup: a check named "refused" cannot run. */
static bool
fake_setup(struct check *c, char *why, size_t whylen)
{
	setups++;
	if (strcmp(c->spec->name, "refused") == 0) {
		snprintf(why, whylen, "check refused: key=/k: Permission "
		    "denied");
		return false;
	}
	return true;
}

static void
fake_teardown(struct check *c)
{
	(void)c;
	teardowns++;
}

static void
fake_late(struct check *c, char *why, size_t whylen)
{
	snprintf(why, whylen, "tls: handshake timeout after %u ms",
	    c->spec->timeout_ms);
}

const struct check_ops check_http_ops = { .kind = "http",
    .start = fake_start, .cancel = fake_cancel };
const struct check_ops check_tcp_ops = { .kind = "tcp",
    .start = fake_start, .cancel = fake_cancel };
const struct check_ops check_exec_ops = { .kind = "exec",
    .start = fake_start, .cancel = fake_cancel };
const struct check_ops check_tls_ops = { .kind = "tls",
    .start = fake_start, .cancel = fake_cancel, .setup = fake_setup,
    .teardown = fake_teardown, .late = fake_late };
const struct check_ops check_grpc_ops = { .kind = "grpc",
    .start = fake_start, .cancel = fake_cancel };

static struct check_spec specs[8];

static unsigned
spec_index(struct check *c)
{
	return (unsigned)(c->spec - specs);
}

static void
on_changed(void *arg)
{
	(void)arg;
	changes++;
}

/*
 * The slot's timers, found by what checks_start and a run arm: checks_start
 * arms check k's "every" k-th, before any run; a timer seen after those is
 * a run's deadline.
 */
static unsigned nevery;		/* timers checks_start armed */

static ev_timer *
every_of(unsigned k)
{
	if (k >= nevery)
		fail_msg("no every timer %u", k);
	return fake_loop_timers[k].w;
}

static ev_timer *
deadline_armed(void)
{
	for (unsigned i = nevery; i < fake_loop_ntimers; i++)
		if (fake_loop_timers[i].armed)
			return fake_loop_timers[i].w;
	return NULL;
}

/* checks_start, noting which timers are the "every" ones. */
static void
start_all(struct checks *cs)
{
	checks_start(cs);
	nevery = fake_loop_ntimers;
}

/* The random source, -Wl,--wrap=jitter_random: the test sets the draw. */
static double fake_random = 0.5;

double	__wrap_jitter_random(void);

double
__wrap_jitter_random(void)
{
	return fake_random;
}

/* The checks' part of /metrics, as main.c renders it. */
static void
render_metrics(struct checks *cs, struct sbuf *b)
{
	const struct metrics_check *f;
	unsigned n;

	checks_figures(cs, &f, &n);
	metrics_render_checks(b, f, n);
}

static struct checks *
make(unsigned n, unsigned interval_ms, unsigned timeout_ms, unsigned rise,
    unsigned fall)
{
	struct checks *cs;
	char why[128];

	memset(specs, 0, sizeof(specs));
	for (unsigned i = 0; i < n; i++) {
		snprintf(specs[i].name, sizeof(specs[i].name), "c%u", i);
		specs[i].kind = (enum check_spec_kind)(i % 5);
		specs[i].interval_ms = interval_ms;
		specs[i].timeout_ms = timeout_ms;
		specs[i].rise = rise;
		specs[i].fall = fall;
	}
	cs = checks_new(NULL, specs, n, on_changed, NULL, why, sizeof(why));
	assert_non_null(cs);
	start_all(cs);
	return cs;
}

static int
setup(void **state)
{
	(void)state;
	fake_loop_reset(500.0);
	fake_random = 0.5;
	nevery = 0;
	starts = cancels = changes = 0;
	setups = teardowns = 0;
	memset(started, 0, sizeof(started));
	return 0;
}

/* One run of check 0, ending in code after `ms` on the fake clock. */
static void
run(struct checks *cs, enum check_code code, const char *why,
    const char *output, double ms)
{
	(void)cs;
	fake_loop_fire(every_of(0));
	assert_non_null(started[0]);
	if (output)
		snprintf(started[0]->output, sizeof(started[0]->output), "%s",
		    output);
	fake_loop_now += ms / 1000.0;
	check_done(started[0], code, why);
}

/* --- the tests ----------------------------------------------------- */

static void
test_checks_start_jitter_spreads_first_runs(void **state)
{
	struct checks *cs = make(3, 2000, 1000, 1, 1);

	(void)state;
	for (unsigned k = 0; k < 3; k++) {
		assert_true(fake_loop_armed(every_of(k)));
		assert_float_equal(fake_loop_timer(every_of(k))->after,
		    k * 0.010, 1e-9);
		/* One-shot: each run arms the next. */
		assert_float_equal(fake_loop_timer(every_of(k))->repeat,
		    0.0, 1e-9);
	}
	assert_int_equal(starts, 0);	/* nothing runs before the loop */
	checks_free(cs);
}

/* Many checks: the first runs stay within half an interval. */
static void
test_checks_start_jitter_is_bounded_by_half_an_interval(void **state)
{
	struct check_spec many[200];
	struct checks *cs;
	char why[128];

	(void)state;
	memset(many, 0, sizeof(many));
	for (unsigned i = 0; i < 200; i++) {
		snprintf(many[i].name, sizeof(many[i].name), "m%u", i);
		many[i].kind = CHECK_SPEC_TCP;
		many[i].interval_ms = 1000;
		many[i].timeout_ms = 500;
		many[i].rise = many[i].fall = 1;
	}
	cs = checks_new(NULL, many, 200, on_changed, NULL, why,
	    sizeof(why));
	assert_non_null(cs);
	start_all(cs);
	assert_int_equal(fake_loop_ntimers, 200);
	for (unsigned i = 0; i < fake_loop_ntimers; i++) {
		assert_true(fake_loop_timers[i].after >= 0);
		assert_true(fake_loop_timers[i].after <= 0.5 + 1e-9);
		assert_float_equal(fake_loop_timers[i].repeat, 0.0, 1e-9);
	}
	checks_free(cs);
}

static void
test_checks_a_check_never_overlaps_itself(void **state)
{
	struct checks *cs = make(1, 200, 100, 1, 1);

	(void)state;
	fake_loop_fire(every_of(0));
	assert_int_equal(starts, 1);
	/* The next start is armed only when the run ends. */
	assert_false(fake_loop_armed(every_of(0)));
	every_of(0)->cb(NULL, every_of(0), EV_TIMER);	/* even if fired */
	assert_int_equal(starts, 1);
	check_done(started[0], CHECK_PASS, "");
	assert_true(fake_loop_armed(every_of(0)));
	fake_loop_fire(every_of(0));
	assert_int_equal(starts, 2);
	checks_free(cs);		/* cancels the run still going */
	assert_int_equal(cancels, 1);
}

static void
test_checks_deadline_ends_a_run_as_timeout(void **state)
{
	struct checks *cs = make(1, 2000, 150, 1, 1);
	const struct health_check *v;
	struct sbuf b;
	unsigned n;

	(void)state;
	fake_loop_fire(every_of(0));
	assert_non_null(deadline_armed());
	assert_float_equal(fake_loop_timer(deadline_armed())->after, 0.150,
	    1e-9);
	fake_loop_now += 0.150;
	fake_loop_fire(deadline_armed());
	assert_int_equal(cancels, 1);
	assert_null(deadline_armed());
	checks_view(cs, &v, &n);
	assert_int_equal(n, 1);
	assert_false(v[0].up);
	assert_true(v[0].ran);
	assert_string_equal(v[0].output, "timeout after 150 ms");
	assert_float_equal(v[0].duration_ms, 150.0, 1e-6);
	/* The probe's own late verdict after the cancel is ignored. */
	check_done(started[0], CHECK_PASS, "");
	checks_view(cs, &v, &n);
	assert_false(v[0].up);
	sbuf_init(&b);
	render_metrics(cs, &b);
	assert_non_null(strstr(b.data, "healthgate_check_results_total"
	    "{check=\"c0\",result=\"timeout\"} 1\n"));
	/* The others of its kind are there at 0 from the start. */
	assert_non_null(strstr(b.data, "healthgate_check_results_total"
	    "{check=\"c0\",result=\"pass\"} 0\n"));
	sbuf_free(&b);
	checks_free(cs);
}

/* A pass ends the deadline: it never fires into the next run. */
static void
test_checks_a_finished_run_disarms_its_deadline(void **state)
{
	struct checks *cs = make(1, 2000, 150, 1, 1);

	(void)state;
	run(cs, CHECK_PASS, "", NULL, 20);
	assert_null(deadline_armed());
	assert_int_equal(cancels, 0);
	checks_free(cs);
	assert_int_equal(cancels, 0);	/* nothing running to cancel */
}

/* Durations come from clock_mono, whatever else happens meanwhile. */
static void
test_checks_duration_is_read_from_the_monotonic_clock(void **state)
{
	struct checks *cs = make(1, 2000, 1000, 1, 1);
	const struct health_check *v;
	struct sbuf b;
	unsigned n;

	(void)state;
	run(cs, CHECK_PASS, "", NULL, 250);
	checks_view(cs, &v, &n);
	assert_float_equal(v[0].duration_ms, 250.0, 1e-6);
	assert_true(v[0].up);
	sbuf_init(&b);
	render_metrics(cs, &b);
	assert_non_null(strstr(b.data, "healthgate_check_duration_seconds"
	    "{check=\"c0\"} 0.250000\n"));
	sbuf_free(&b);
	checks_free(cs);
}

static void
test_checks_rise_and_fall_are_logged_once_each(void **state)
{
	struct checks *cs = make(1, 2000, 1000, 2, 2);
	const struct health_check *v;
	unsigned n;

	(void)state;
	run(cs, CHECK_PASS, "", NULL, 5);
	assert_int_equal(fake_loop_count_logged("1 check_up"), 0);	/* rising */
	run(cs, CHECK_PASS, "", NULL, 5);
	assert_int_equal(fake_loop_count_logged("1 check_up name=c0 ms=5.0"), 1);
	run(cs, CHECK_PASS, "", NULL, 5);
	run(cs, CHECK_EXIT, "exit status 1", NULL, 5);	/* one: still up */
	checks_view(cs, &v, &n);
	assert_true(v[0].up);
	assert_int_equal(fake_loop_count_logged("2 check_down"), 0);
	run(cs, CHECK_EXIT, "exit status 1", NULL, 5);
	assert_int_equal(fake_loop_count_logged("2 check_down name=c0 result=exit "
	    "reason=\"exit status 1\" severity=fail"), 1);
	for (int i = 0; i < 5; i++)
		run(cs, CHECK_EXIT, "exit status 1", NULL, 5);
	run(cs, CHECK_PASS, "", NULL, 5);
	run(cs, CHECK_PASS, "", NULL, 5);
	assert_int_equal(fake_loop_count_logged("1 check_up"), 2);
	assert_int_equal(fake_loop_count_logged("2 check_down"), 1);
	assert_int_equal(fake_loop_nlogged, 3);
	assert_int_equal(changes, 12);		/* every run re-renders */
	checks_free(cs);
}

/* A command's output keeps its UTF-8 in the log; controls and bytes
 * that are not UTF-8 are escaped (\xHH), so a text line stays one clean
 * line and loses nothing. */
static void
test_checks_log_reason_escapes_controls_and_bad_utf8(void **state)
{
	struct checks *cs = make(1, 2000, 1000, 1, 1);

	(void)state;
	run(cs, CHECK_EXIT, "exit status 1", "\x1b[31m caf\xc3\xa9 \xff\xe2\x82 "
	    "\"a\\b\"", 5);
	assert_int_equal(fake_loop_nlogged, 1);
	assert_string_equal(fake_loop_logged[0], "2 check_down name=c0 "
	    "result=exit reason=\"exit status 1: \\x1b[31m caf\xc3\xa9 "
	    "\\xff\\xe2\\x82 \\\"a\\\\b\\\"\" severity=fail");
	checks_free(cs);
}

/* The armed start of check 0, in seconds from now. */
static double
next_after(void)
{
	assert_true(fake_loop_armed(every_of(0)));
	return fake_loop_timer(every_of(0))->after;
}

/* The next start: the interval from this one's, spread +-10 %. */
static void
test_checks_next_start_is_the_interval_spread_by_jitter(void **state)
{
	struct checks *cs = make(1, 2000, 1000, 1, 1);

	(void)state;
	fake_random = 0.0;		/* the earliest: 90 % */
	run(cs, CHECK_PASS, "", NULL, 5);
	assert_float_equal(next_after(), 1.800 - 0.005, 1e-9);
	fake_random = 0.5;		/* the middle: the interval */
	run(cs, CHECK_PASS, "", NULL, 5);
	assert_float_equal(next_after(), 2.000 - 0.005, 1e-9);
	fake_random = 0.999999;		/* the latest: 110 % */
	run(cs, CHECK_PASS, "", NULL, 5);
	assert_float_equal(next_after(), 2.200 - 0.005, 1e-5);
	/* A run that took longer than the gap: the next starts at once. */
	fake_random = 0.0;
	run(cs, CHECK_PASS, "", NULL, 1900);
	assert_float_equal(next_after(), 0.0, 1e-9);
	checks_free(cs);
}

/* fastinter while failures (or passes) are fewer than fall (or rise). */
static void
test_checks_fastinter_while_the_verdict_changes(void **state)
{
	struct checks *cs = make(1, 2000, 100, 2, 3);
	const struct health_check *v;
	unsigned n;

	(void)state;
	specs[0].fastinter_ms = 200;
	run(cs, CHECK_PASS, "", NULL, 1);	/* rising: 1 of 2 */
	assert_float_equal(next_after(), 0.200 - 0.001, 1e-9);
	run(cs, CHECK_PASS, "", NULL, 1);	/* up */
	assert_float_equal(next_after(), 2.000 - 0.001, 1e-9);
	run(cs, CHECK_REFUSED, "refused", NULL, 1);	/* falling: 1 of 3 */
	assert_float_equal(next_after(), 0.200 - 0.001, 1e-9);
	run(cs, CHECK_REFUSED, "refused", NULL, 1);	/* 2 of 3 */
	assert_float_equal(next_after(), 0.200 - 0.001, 1e-9);
	checks_view(cs, &v, &n);
	assert_true(v[0].up);
	run(cs, CHECK_REFUSED, "refused", NULL, 1);	/* down: settled */
	checks_view(cs, &v, &n);
	assert_false(v[0].up);
	assert_float_equal(next_after(), 2.000 - 0.001, 1e-9);
	run(cs, CHECK_REFUSED, "refused", NULL, 1);	/* still down */
	assert_float_equal(next_after(), 2.000 - 0.001, 1e-9);
	/* Without fastinter, changing or not, the interval. */
	specs[0].fastinter_ms = 0;
	run(cs, CHECK_PASS, "", NULL, 1);
	assert_float_equal(next_after(), 2.000 - 0.001, 1e-9);
	checks_free(cs);
}

/* A warn check: its check_down says so; the view and metrics carry it. */
static void
test_checks_warn_check_is_logged_and_shown_as_warn(void **state)
{
	struct checks *cs;
	const struct health_check *v;
	struct sbuf b;
	unsigned n;
	char why[128];

	(void)state;
	memset(specs, 0, sizeof(specs));
	snprintf(specs[0].name, sizeof(specs[0].name), "db");
	specs[0].kind = CHECK_SPEC_TCP;
	specs[0].interval_ms = 2000;
	specs[0].timeout_ms = 1000;
	specs[0].rise = specs[0].fall = 1;
	specs[0].severity = CHECK_SPEC_SEVERITY_WARN;
	cs = checks_new(NULL, specs, 1, on_changed, NULL, why, sizeof(why));
	assert_non_null(cs);
	start_all(cs);
	run(cs, CHECK_REFUSED, "connect: Connection refused", NULL, 1);
	assert_int_equal(fake_loop_count_logged("2 check_down name=db result=refused "
	    "reason=\"connect: Connection refused\" severity=warn"), 1);
	checks_view(cs, &v, &n);
	assert_true(v[0].warn);
	assert_false(v[0].up);
	sbuf_init(&b);
	render_metrics(cs, &b);
	assert_non_null(strstr(b.data, "healthgate_check_up{check=\"db\","
	    "severity=\"warn\"} 0\n"));
	sbuf_free(&b);
	checks_free(cs);
}

/* Starts down and stays down: its first failure is its first verdict. */
static void
test_checks_down_from_the_first_run_is_logged_once(void **state)
{
	struct checks *cs = make(1, 2000, 1000, 1, 1);

	(void)state;
	run(cs, CHECK_EXIT, "exit status 2", "psql: \"db\" refused\\\n"
	    "second line", 5);
	assert_int_equal(fake_loop_nlogged, 1);
	/* Escaped by log.c, not altered: \" \\ and \n. */
	assert_string_equal(fake_loop_logged[0], "2 check_down name=c0 "
	    "result=exit reason=\"exit status 2: psql: \\\"db\\\" "
	    "refused\\\\\\nsecond line\" severity=fail");
	for (int i = 0; i < 4; i++)
		run(cs, CHECK_REFUSED, "connection refused", NULL, 5);
	assert_int_equal(fake_loop_nlogged, 1);
	run(cs, CHECK_PASS, "", NULL, 5);
	assert_int_equal(fake_loop_count_logged("1 check_up name=c0"), 1);
	assert_int_equal(fake_loop_nlogged, 2);
	checks_free(cs);
}

/* Rising from the start is not a verdict yet: nothing until it rises. */
static void
test_checks_a_rising_check_is_logged_when_it_rises(void **state)
{
	struct checks *cs = make(1, 2000, 1000, 3, 1);

	(void)state;
	run(cs, CHECK_PASS, "", NULL, 5);
	run(cs, CHECK_PASS, "", NULL, 5);
	assert_int_equal(fake_loop_nlogged, 0);
	run(cs, CHECK_PASS, "", NULL, 5);
	assert_int_equal(fake_loop_count_logged("1 check_up name=c0"), 1);
	assert_int_equal(fake_loop_nlogged, 1);
	checks_free(cs);
}

/* tls specs named as given, the checks' usual schedule. */
static void
tls_specs(struct check_spec *sp, const char *const *names, unsigned n)
{
	memset(sp, 0, n * sizeof(*sp));
	for (unsigned i = 0; i < n; i++) {
		snprintf(sp[i].name, sizeof(sp[i].name), "%s", names[i]);
		sp[i].kind = CHECK_SPEC_TLS;
		sp[i].interval_ms = 2000;
		sp[i].timeout_ms = 300;
		sp[i].rise = sp[i].fall = 1;
	}
}

/* A check that cannot run refuses the start, with its reason; the checks
 * set up before it are undone. */
static void
test_checks_a_refused_setup_refuses_the_start(void **state)
{
	static const char *const names[] = { "a", "b", "refused", "d" };
	struct check_spec *sp = specs;
	char why[128] = "";

	(void)state;
	tls_specs(sp, names, 4);
	assert_null(checks_new(NULL, sp, 4, on_changed, NULL, why,
	    sizeof(why)));
	assert_string_equal(why, "check refused: key=/k: Permission denied");
	assert_int_equal(setups, 3);
	assert_int_equal(teardowns, 2);
}

/* A deadline inside a kind's step is named in the kind's words. */
static void
test_checks_deadline_takes_the_kinds_words(void **state)
{
	static const char *const names[] = { "t" };
	struct check_spec *sp = specs;	/* fake_start's index */
	const struct health_check *v;
	struct checks *cs;
	char why[128];
	unsigned n;

	(void)state;
	tls_specs(sp, names, 1);
	assert_non_null(cs = checks_new(NULL, sp, 1, on_changed, NULL, why,
	    sizeof(why)));
	start_all(cs);
	fake_loop_fire(every_of(0));
	fake_loop_now += 0.300;
	fake_loop_fire(deadline_armed());
	checks_view(cs, &v, &n);
	assert_string_equal(v[0].output, "tls: handshake timeout after 300 ms");
	assert_int_equal(fake_loop_count_logged("2 check_down name=t result=timeout "
	    "reason=\"tls: handshake timeout after 300 ms\""), 1);
	checks_free(cs);
	assert_int_equal(teardowns, 1);
}

/* The expiry figure counts down from the date the probe kept; none
 * before a chain has been seen. */
static void
test_checks_tls_expiry_is_seconds_from_now(void **state)
{
	static const char *const names[] = { "t" };
	struct check_spec *sp = specs;	/* fake_start's index */
	struct checks *cs;
	struct timespec wall;
	struct sbuf b;
	char why[128];
	const char *at;

	(void)state;
	tls_specs(sp, names, 1);
	assert_non_null(cs = checks_new(NULL, sp, 1, on_changed, NULL, why,
	    sizeof(why)));
	start_all(cs);
	sbuf_init(&b);
	render_metrics(cs, &b);
	assert_null(strstr(b.data, "tls_expiry"));
	sbuf_free(&b);
	fake_loop_fire(every_of(0));
	clock_wall(&wall);
	started[0]->tls_seen = true;
	started[0]->tls_not_after = (double)wall.tv_sec + 86400.0 * 10;
	check_done(started[0], CHECK_PASS, "");
	sbuf_init(&b);
	render_metrics(cs, &b);
	at = strstr(b.data, "healthgate_check_tls_expiry_seconds{check=\"t\"} ");
	assert_non_null(at);
	/* 864000 s, less the moment since wall was read. */
	assert_true(strncmp(at + 47, "864000\n", 7) == 0 ||
	    strncmp(at + 47, "863999\n", 7) == 0);
	sbuf_free(&b);
	checks_free(cs);
}

/*
 * Issue 29: a run healthgate could not make (its own memory or
 * descriptors) keeps the verdict: before, it was a CHECK_CONNECT "out of
 * memory" and, with fall 1, /health said 503 while the app was fine.
 */
static void
test_checks_a_skipped_run_keeps_the_verdict(void **state)
{
	struct checks *cs = make(1, 1000, 500, 1, 1);
	const struct health_check *v;
	unsigned n, changed;
	struct sbuf b;

	(void)state;
	fake_loop_fire(every_of(0));
	check_done(started[0], CHECK_PASS, "");
	checks_view(cs, &v, &n);
	assert_true(v[0].up);
	changed = changes;
	for (unsigned i = 0; i < 3; i++) {
		fake_loop_fire(every_of(0));
		check_skip(started[0], "out of memory");
		assert_null(deadline_armed());
		/* The next run is tried as usual. */
		assert_true(fake_loop_armed(every_of(0)));
	}
	checks_view(cs, &v, &n);
	assert_true(v[0].up);
	assert_int_equal(changes, changed);
	assert_int_equal(fake_loop_count_logged("2 check_skipped name=c0 "
	    "reason=\"out of memory\" kept=up"), 1);
	assert_int_equal(fake_loop_count_logged("2 check_down"), 0);
	sbuf_init(&b);
	render_metrics(cs, &b);
	assert_non_null(strstr(b.data, "healthgate_check_skipped_total"
	    "{check=\"c0\"} 3\n"));
	assert_non_null(strstr(b.data, "healthgate_check_results_total"
	    "{check=\"c0\",result=\"connect\"} 0\n"));
	sbuf_free(&b);
	/* A real run ends the spell: the next skip is logged again. */
	fake_loop_fire(every_of(0));
	check_done(started[0], CHECK_PASS, "");
	fake_loop_fire(every_of(0));
	check_skip(started[0], "connect: Too many open files");
	assert_int_equal(fake_loop_count_logged("2 check_skipped"), 2);
	assert_true(check_errno_is_own(EMFILE));
	assert_false(check_errno_is_own(ECONNREFUSED));
	checks_free(cs);
}

/*
 * Issue 29: every result a check's kind can have is a series at 0 before
 * any run (kinds: http, tcp, exec, grpc, tls by make()'s i % 5); none it
 * cannot have. grpc's status (an answer not 200) and tls (grpcs) are set
 * by grpc_call.c and check_grpc.c: their series were missing.
 */
static void
test_checks_results_of_its_kind_exist_at_zero(void **state)
{
	static const char *const has[][12] = {
		{ "pass", "timeout", "refused", "connect", "status",
		    "malformed", "resolve", "tls", "body", NULL },
		{ "pass", "timeout", "refused", "connect", "resolve", "reply",
		    NULL },
		{ "pass", "timeout", "exit", "spawn", NULL },
		{ "pass", "timeout", "refused", "connect", "status",
		    "malformed", "resolve", "grpc_status", "not_serving",
		    "reset", "tls", NULL },
		{ "pass", "timeout", "refused", "connect", "resolve", "tls",
		    NULL },
	};
	static const char *const lacks[][4] = {
		{ "exit", "spawn", "reply", NULL },
		{ "status", "malformed", "exit", NULL },
		{ "refused", "connect", "status", NULL },
		{ "exit", "body", "reply", NULL },
		{ "status", "malformed", "not_serving", NULL },
	};
	struct checks *cs = make(5, 1000, 500, 1, 1);
	char want[128];
	struct sbuf b;

	(void)state;
	sbuf_init(&b);
	render_metrics(cs, &b);
	for (unsigned k = 0; k < 5; k++) {
		for (unsigned i = 0; has[k][i]; i++) {
			snprintf(want, sizeof(want), "healthgate_check_results_"
			    "total{check=\"c%u\",result=\"%s\"} 0\n", k,
			    has[k][i]);
			assert_non_null(strstr(b.data, want));
		}
		for (unsigned i = 0; lacks[k][i]; i++) {
			snprintf(want, sizeof(want), "{check=\"c%u\",result="
			    "\"%s\"}", k, lacks[k][i]);
			assert_null(strstr(b.data, want));
		}
	}
	sbuf_free(&b);
	checks_free(cs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup(f, setup)
		T(test_checks_start_jitter_spreads_first_runs),
		T(test_checks_start_jitter_is_bounded_by_half_an_interval),
		T(test_checks_a_check_never_overlaps_itself),
		T(test_checks_deadline_ends_a_run_as_timeout),
		T(test_checks_results_of_its_kind_exist_at_zero),
		T(test_checks_a_skipped_run_keeps_the_verdict),
		T(test_checks_a_finished_run_disarms_its_deadline),
		T(test_checks_duration_is_read_from_the_monotonic_clock),
		T(test_checks_rise_and_fall_are_logged_once_each),
		T(test_checks_warn_check_is_logged_and_shown_as_warn),
		T(test_checks_next_start_is_the_interval_spread_by_jitter),
		T(test_checks_log_reason_escapes_controls_and_bad_utf8),
		T(test_checks_fastinter_while_the_verdict_changes),
		T(test_checks_down_from_the_first_run_is_logged_once),
		T(test_checks_a_rising_check_is_logged_when_it_rises),
		T(test_checks_a_refused_setup_refuses_the_start),
		T(test_checks_deadline_takes_the_kinds_words),
		T(test_checks_tls_expiry_is_seconds_from_now),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
