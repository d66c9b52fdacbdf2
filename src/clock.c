/*
 * clock.c: the one place healthgate reads the time (see clock.h).
 */
#include <stdio.h>

#include "clock.h"

double
clock_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

unsigned long long
clock_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000ULL +
	    (unsigned long long)ts.tv_nsec / 1000000ULL;
}

void
clock_wall(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
}

void
clock_format_wall(time_t sec, unsigned ms, char *buf, size_t size)
{
	struct tm tm;

	gmtime_r(&sec, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ms % 1000u);
}
