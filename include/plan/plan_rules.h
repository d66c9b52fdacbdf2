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

/*
 * For the files of rows. A row's words, printf-like, cut at the buffer's
 * end (a manifest's names can be long; a cut message is still one line);
 * durations formatted into a handful of slots, b[slot], per row.
 */
void	plan_rules_say(char *buf, size_t len, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#define FMT(slot, ms)	(plan_format_setting((unsigned)(ms), b[slot], \
			    sizeof(b[slot])), b[slot])
#define FIG(slot, ms)	(plan_format_ms((ms), b[slot], sizeof(b[slot])), \
			    b[slot])
#define PROBLEM(f, ...)	plan_rules_say((f)->problem, sizeof((f)->problem), \
			    __VA_ARGS__)
#define FIX(f, ...)	plan_rules_say((f)->fix, sizeof((f)->fix), __VA_ARGS__)

/* A pod's rows (plan_rules_k8s.c), and which other rows hold for a pod. */
plan_rule_fn	plan_rules_k8s_grace, plan_rules_k8s_sidecar_no_wait,
		plan_rules_k8s_liveness_health, plan_rules_k8s_readiness_live,
		plan_rules_k8s_no_gate, plan_rules_k8s_dereg_over_grace,
		plan_rules_k8s_prestop_sleep, plan_rules_k8s_readiness_slow,
		plan_rules_k8s_slow_healthy, plan_rules_k8s_slow_dereg,
		plan_rules_k8s_lag, plan_rules_k8s_instance_mode,
		plan_rules_k8s_grace_defaulted;
bool	plan_rules_k8s_shows(const struct plan_input *,
	    const struct plan_rule *);

/*
 * For a pod, a shared row's finding is prefixed with the object and the
 * field where its setting is: healthgate's container, or the ALB's
 * annotation.
 */
void	plan_rules_k8s_name(const struct plan_input *, struct plan_finding *);

#endif
