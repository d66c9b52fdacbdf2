/*
 * fake_loop: the clock, libev's timers and the log, faked for the unit
 * tests of the loop glue (checks.c, stop.c), OpenVPN-style. A test links
 * with
 *	-Wl,--wrap=clock_mono -Wl,--wrap=ev_timer_start
 *	-Wl,--wrap=ev_timer_stop -Wl,--wrap=log_kv_write
 * so "now" is fake_loop_now, a timer is armed when the code under test
 * starts it and fires only when the test fires it, and every log line is
 * kept as "level event fields" for the test to look for.
 */
#ifndef HEALTHGATE_FAKE_LOOP_H
#define HEALTHGATE_FAKE_LOOP_H

#include <stdbool.h>

#include <ev.h>

#define FAKE_LOOP_TIMERS	512
#define FAKE_LOOP_LINES		32
#define FAKE_LOOP_LINE		512

/* One watcher the code under test has started at least once. */
struct fake_timer {
	ev_timer	*w;
	bool		 armed;		/* started and not stopped or fired */
	double		 after;		/* s from arming (ev_timer_set) */
	double		 repeat;	/* s; 0: fires once */
};

extern double fake_loop_now;			/* what clock_mono returns */
extern struct fake_timer fake_loop_timers[FAKE_LOOP_TIMERS];
extern unsigned fake_loop_ntimers;		/* in order of first start */
extern ev_timer *fake_loop_last;		/* the last timer started */
extern char fake_loop_logged[FAKE_LOOP_LINES][FAKE_LOOP_LINE];
extern unsigned fake_loop_nlogged;

/* Forgets every timer and log line; the clock reads now. */
void	fake_loop_reset(double now);

/* w's slot, taken on first sight. */
struct fake_timer *fake_loop_timer(ev_timer *w);

bool	fake_loop_armed(ev_timer *w);

/* Fires w as libev would once its time has come: it must be armed; one
 * with a repeat stays armed. */
void	fake_loop_fire(ev_timer *w);

/* How many log lines begin with prefix ("2 check_down name=c0"). */
unsigned fake_loop_count_logged(const char *prefix);

#endif
