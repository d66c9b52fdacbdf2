#ifndef HEALTHGATE_CHECK_SPEC_H
#define HEALTHGATE_CHECK_SPEC_H

/*
 * One check as the user writes it, "[NAME=]SPEC", parsed into a struct
 * check_spec. Pure: text in, a spec or a reason out.
 */

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

#define CHECK_SPEC_NAME_MAX	64	/* longest check name, with its NUL */
#define CHECK_SPEC_ERROR_MAX	256	/* a reason naming the parameter */

enum check_spec_kind {
	CHECK_SPEC_HTTP,		/* GET a URL, up on an expected status */
	CHECK_SPEC_TCP,		/* up when a connect completes */
	CHECK_SPEC_EXEC,		/* run a command, up on exit status 0 */
};

/* One --check, parsed; the schedule fields are filled from the defaults. */
struct check_spec {
	char		 name[CHECK_SPEC_NAME_MAX];	/* unique among checks */
	enum check_spec_kind	 kind;
	char		 host[ADDR_HOST_MAX];	/* http, tcp */
	unsigned	 port;			/* http, tcp */
	char		 path[ADDR_PATH_MAX];	/* http: path and app's query */
	unsigned	 expect_lo, expect_hi;	/* http: statuses that are up */
	char		**argv;			/* exec: NULL-terminated, owned */
	unsigned	 interval_ms;
	unsigned	 timeout_ms;
	unsigned	 rise;			/* passes to go up */
	unsigned	 fall;			/* failures to go down */
	char		 error[CHECK_SPEC_ERROR_MAX];	/* a refusal's words */
};

/*
 * [NAME=]SPEC into cs, its schedule (interval, timeout, rise, fall) taken
 * from sched unless the spec's parameters say otherwise. The name is taken
 * only when the text before the first '=' is a plain name, so '=' inside a
 * URL or a command never reads as one. NULL, or why s is refused (then cs
 * owns nothing). On success cs owns its argv: check_spec_free.
 */
const char	*check_spec_parse(const char *s, const struct check_spec *sched,
		    struct check_spec *cs);
void		 check_spec_free(struct check_spec *);

#endif
