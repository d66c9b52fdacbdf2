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

#include <stddef.h>
#include <time.h>

/* Seconds on CLOCK_MONOTONIC, from an arbitrary start. */
double	clock_mono(void);

/* Milliseconds on CLOCK_MONOTONIC, for integer bookkeeping. */
unsigned long long clock_mono_ms(void);

/* The wall clock, for printed timestamps only. */
void	clock_wall(struct timespec *);

/*
 * A wall time as every printed timestamp shows it (log lines, the /health
 * body): ISO 8601 in UTC with milliseconds, "2026-11-26T08:35:35.794Z".
 */
void	clock_format_wall(time_t sec, unsigned ms, char *buf, size_t size);

#endif
