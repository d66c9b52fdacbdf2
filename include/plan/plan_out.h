#ifndef HEALTHGATE_PLAN_OUT_H
#define HEALTHGATE_PLAN_OUT_H

/*
 * How "healthgate plan" shows its result: a table for people, JSON (built
 * with jansson) for machines. sources names the files the settings came
 * from, or NULL.
 */

#include <stdio.h>

#include "plan/plan.h"

void	plan_print_text(FILE *, const struct plan_input *,
	    const struct plan_result *, const char *sources);

/* 0, or -1 when jansson could not build or write the document. */
int	plan_print_json(FILE *, const struct plan_input *,
	    const struct plan_result *, const char *sources);

#endif
