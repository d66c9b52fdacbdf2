#ifndef HEALTHGATE_JITTER_H
#define HEALTHGATE_JITTER_H

/*
 * The one random source of the checks' schedule, so many sidecars that
 * started together do not check a shared dependency in lockstep. Seeded
 * once from getrandom(2). Unit tests replace it with
 * -Wl,--wrap=jitter_random.
 */

/*
 * Each gap between a check's runs is its interval (or fastinter) times
 * 1 +- JITTER_SPREAD, uniform: checks.c spreads, plan counts the longest.
 */
#define JITTER_SPREAD	0.10

/* A number in [0, 1). */
double	jitter_random(void);

#endif
