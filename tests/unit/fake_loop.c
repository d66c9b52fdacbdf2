/*
 * fake_loop.c: the --wrap= replacements for clock_mono, ev_timer_start,
 * ev_timer_stop and log_kv_write that the loop glue's unit tests share (see
 * fake_loop.h). It lives in its own archive, so only a test that wraps
 * those calls links it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "clock.h"
#include "fake_loop.h"
#include "log.h"

double fake_loop_now;
struct fake_timer fake_loop_timers[FAKE_LOOP_TIMERS];
unsigned fake_loop_ntimers;
ev_timer *fake_loop_last;
char fake_loop_logged[FAKE_LOOP_LINES][FAKE_LOOP_LINE];
unsigned fake_loop_nlogged;

double	__wrap_clock_mono(void);
void	__wrap_ev_timer_start(struct ev_loop *, ev_timer *);
void	__wrap_ev_timer_stop(struct ev_loop *, ev_timer *);
void	__wrap_log_kv_write(enum log_level, const char *,
	    const struct log_kv *);

void
fake_loop_reset(double now)
{
	fake_loop_now = now;
	memset(fake_loop_timers, 0, sizeof(fake_loop_timers));
	fake_loop_ntimers = 0;
	fake_loop_last = NULL;
	fake_loop_nlogged = 0;
}

struct fake_timer *
fake_loop_timer(ev_timer *w)
{
	for (unsigned i = 0; i < fake_loop_ntimers; i++)
		if (fake_loop_timers[i].w == w)
			return &fake_loop_timers[i];
	assert_true(fake_loop_ntimers < FAKE_LOOP_TIMERS);
	fake_loop_timers[fake_loop_ntimers].w = w;
	return &fake_loop_timers[fake_loop_ntimers++];
}

bool
fake_loop_armed(ev_timer *w)
{
	return fake_loop_timer(w)->armed;
}

void
fake_loop_fire(ev_timer *w)
{
	struct fake_timer *t = fake_loop_timer(w);

	assert_true(t->armed);
	t->armed = t->repeat > 0;
	w->cb(NULL, w, EV_TIMER);
}

unsigned
fake_loop_count_logged(const char *prefix)
{
	unsigned n = 0;

	for (unsigned i = 0; i < fake_loop_nlogged; i++)
		n += strncmp(fake_loop_logged[i], prefix, strlen(prefix)) == 0;
	return n;
}

double
__wrap_clock_mono(void)
{
	return fake_loop_now;
}

void
__wrap_ev_timer_start(struct ev_loop *loop, ev_timer *w)
{
	struct fake_timer *t = fake_loop_timer(w);

	(void)loop;
	t->armed = true;
	t->after = ((ev_watcher_time *)w)->at;
	t->repeat = w->repeat;
	fake_loop_last = w;
}

void
__wrap_ev_timer_stop(struct ev_loop *loop, ev_timer *w)
{
	(void)loop;
	fake_loop_timer(w)->armed = false;
}

/* Kept as "LEVEL EVENT FIELDS", the fields as log.c writes them in text. */
void
__wrap_log_kv_write(enum log_level lv, const char *event,
    const struct log_kv *kv)
{
	char line[FAKE_LOOP_LINE];
	const char *rest;

	log_format_kv(line, sizeof(line), LOG_FORMAT_TEXT, "T", lv, event, kv);
	rest = strchr(line + 2, ' ');		/* past "T LEVEL" */
	assert_non_null(rest);
	assert_true(fake_loop_nlogged < FAKE_LOOP_LINES);
	snprintf(fake_loop_logged[fake_loop_nlogged++], FAKE_LOOP_LINE,
	    "%d %s", (int)lv, rest + 1);
}
