#ifndef HEALTHGATE_LINT_H
#define HEALTHGATE_LINT_H

/*
 * A false positive of `make lint`'s gcc -fanalyzer, silenced at its line:
 *	/ * lint: why it is false * /
 *	LINT_IGNORE("-Wanalyzer-...")
 *	the line
 *	LINT_END
 * Nothing for other compilers (clang would call the option unknown). A
 * scan-build false positive is written around with __clang_analyzer__,
 * with the reason beside it.
 */

#if defined(__GNUC__) && !defined(__clang__)
#define LINT_PRAGMA(x)		_Pragma(#x)
#define LINT_IGNORE(w)		_Pragma("GCC diagnostic push") \
				LINT_PRAGMA(GCC diagnostic ignored w)
#define LINT_END		_Pragma("GCC diagnostic pop")
#else
#define LINT_IGNORE(w)
#define LINT_END
#endif

#endif
