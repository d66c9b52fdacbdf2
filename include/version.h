#ifndef HEALTHGATE_VERSION_H
#define HEALTHGATE_VERSION_H

/*
 * The Makefile passes the version (CHANGELOG.md's top entry, through
 * scripts/version.sh); this is for a compile without it.
 */
#ifndef HEALTHGATE_VERSION
#define HEALTHGATE_VERSION "0.0.0"
#endif

/* "healthgate X.Y.Z", and " (commit abc1234)" when built from a checkout:
 * the line every --version prints. */
const char	*version_line(void);

#endif
