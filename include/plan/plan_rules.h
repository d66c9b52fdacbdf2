#ifndef HEALTHGATE_PLAN_RULES_H
#define HEALTHGATE_PLAN_RULES_H

/*
 * plan's findings as rows of one const table, sniproxy's struct Protocol
 * style: what a finding is (id, level, platform, key) is data, and the one
 * function of a row decides whether it applies and writes its words. A new
 * finding (a new platform's, say) is a new enum value and a new row, in
 * the order plan prints them; no branch elsewhere changes.
 */

#include <stdbool.h>
#include <stddef.h>

#include "plan/plan.h"

/*
 * Fills f->problem and f->fix and returns true when the finding applies to
 * these settings; returns false, writing nothing, when it does not. The
 * figures in r are computed already; the other findings are not.
 */
typedef bool plan_rule_fn(const struct plan_input *in,
    const struct plan_result *r, struct plan_finding *f);

struct plan_rule {
	enum plan_finding_id id;
	enum plan_level	 level;
	enum plan_platform platform;
	const char	*key;		/* stable name, for JSON and tests */
	plan_rule_fn	*decide;
};

/* Every row, in the order the findings are listed. */
extern const struct plan_rule plan_rules[];
extern const size_t plan_nrules;

/* Appends every finding that applies to r, in table order. */
void	plan_rules_apply(const struct plan_input *, struct plan_result *);

#endif
