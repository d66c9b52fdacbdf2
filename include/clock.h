#ifndef HEALTHGATE_CLOCK_H
#define HEALTHGATE_CLOCK_H

/*
 * Where time comes from. Every duration healthgate measures (drain window
 * and cap, the request sweep, check runs, intervals, the watchdog) is read
 * with clock_mono(); wall time is only for the timestamps it prints.
 *
 * libev's ev_now() is wall-clock based: never subtract two of them. Its
 * relative timers (ev_timer) run on the monotonic clock and are fine.
 *
 * Unit tests replace clock_mono with -Wl,--wrap=clock_mono.
 */

#include <time.h>

/* Seconds on CLOCK_MONOTONIC, from an arbitrary start. */
double	clock_mono(void);

/* Milliseconds on CLOCK_MONOTONIC, for integer bookkeeping. */
unsigned long long clock_mono_ms(void);

/* The wall clock, for printed timestamps only. */
void	clock_wall(struct timespec *);

#endif
