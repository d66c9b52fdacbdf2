/*
 * version.c: the line --version prints, the daemon's and its subcommands'
 * alike. The commit comes from $(BUILD)/gen/commit.h, which the Makefile
 * rewrites only when the checkout's commit changes (so this file is
 * recompiled then, and never names a stale commit); outside a checkout
 * (the image's build) it is empty.
 */
#include "version.h"
#include "commit.h"

const char *
version_line(void)
{
	return "healthgate " HEALTHGATE_VERSION HEALTHGATE_COMMIT;
}
