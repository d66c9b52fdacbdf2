/*
 * jitter.c: the checks' random source (see jitter.h). Not for secrets:
 * xorshift64* (Vigna, 2016), seeded once from the kernel, is plenty to
 * keep intervals apart.
 */
#include <stdint.h>
#include <sys/random.h>
#include <unistd.h>

#include "clock.h"
#include "jitter.h"

static uint64_t jitter_state;

/* The kernel's bytes; without them (an old kernel, a seccomp filter) the
 * clock and the pid still differ between sidecars. */
static void
jitter_seed(void)
{
	uint64_t s = 0;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s))
		s = clock_mono_ms() * 0x9e3779b97f4a7c15ULL ^
		    (uint64_t)getpid() << 32;
	jitter_state = s ? s : 0x2545f4914f6cdd1dULL;
}

double
jitter_random(void)
{
	if (jitter_state == 0)
		jitter_seed();
	jitter_state ^= jitter_state >> 12;
	jitter_state ^= jitter_state << 25;
	jitter_state ^= jitter_state >> 27;
	/* The top 53 bits, as a double in [0, 1). */
	return (double)((jitter_state * 0x2545f4914f6cdd1dULL) >> 11) *
	    0x1.0p-53;
}
