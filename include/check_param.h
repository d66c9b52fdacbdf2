#ifndef HEALTHGATE_CHECK_PARAM_H
#define HEALTHGATE_CHECK_PARAM_H

/*
 * A check's query parameters ("?interval=5s&send=PING%0D%0A") as a table:
 * one row per parameter, each with the kinds of check it belongs to and a
 * setter. check_spec.c hands each scheme's query here; a new parameter is
 * a new row, never a new branch in the grammar. Pure.
 */

#include <stdbool.h>

#include "check_spec.h"

/* A row's kinds: CHECK_PARAM_KIND(CHECK_SPEC_TCP) | ..., or every one. */
#define CHECK_PARAM_KIND(k)	(1u << (k))
#define CHECK_PARAM_ANY		(~0u)

/* A row's flags. */
#define CHECK_PARAM_REPEAT	0x1	/* may be given more than once */
#define CHECK_PARAM_BARE	0x2	/* may come without "=VALUE" */
#define CHECK_PARAM_TLS		0x4	/* only over TLS (https, not http) */

struct check_param {
	const char	*name;		/* before the '=' */
	unsigned	 kinds;		/* CHECK_PARAM_KIND bits */
	unsigned	 flags;		/* CHECK_PARAM_* */
	/* Sets what val says (NULL for a bare one) into cs; NULL or why not. */
	const char	*(*set)(struct check_spec *cs, const char *val);
};

/*
 * Takes the parameters of cs->kind out of query ("a=1&b=2") in place. With
 * keep_others (http), parameters that are not ours stay, in their order:
 * they are the app's; without, they are refused. NULL, or why, naming the
 * parameter, in cs->error.
 */
const char	*check_param_take(char *query, struct check_spec *cs,
		    bool keep_others);

/*
 * What no one parameter can say alone: run once every parameter is in
 * (interval against timeout, fastinter, body= with HEAD...). NULL or why.
 */
const char	*check_param_agree(struct check_spec *cs);

#endif
