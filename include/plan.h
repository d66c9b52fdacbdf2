#ifndef HEALTHGATE_PLAN_H
#define HEALTHGATE_PLAN_H

/*
 * "healthgate plan": what a set of ALB, ECS and healthgate settings costs in
 * time, and where they contradict each other. The arithmetic (plan_*) is
 * pure: numbers in, numbers and text out, no I/O, so a unit test pins every
 * formula. plan_main is the command around it.
 *
 * All durations are milliseconds. "Worst" is the most the settings allow;
 * "typical" puts each wait for the next periodic check at half an interval
 * and a passing or failing check at no time at all.
 */

#include <stddef.h>

#include "config.h"

/* What the deploy kit uses; plan reports against these unless told. */
#define PLAN_ALB_INTERVAL_MS	10000u	/* the ALB default is 30 s */
#define PLAN_ALB_TIMEOUT_MS	5000u
#define PLAN_ALB_HEALTHY	2u	/* the ALB default is 5 */
#define PLAN_ALB_UNHEALTHY	2u
#define PLAN_DEREG_DELAY_MS	30000u	/* the ALB default is 300 s */
#define PLAN_STOP_TIMEOUT_MS	45000u	/* deploy/ecs/task-definition.json */
#define PLAN_TASKS		4u

#define PLAN_SLOW_DEREG_MS	300000u	/* the ALB default, and too slow */

struct plan_input {
	unsigned	alb_interval_ms;	/* HealthCheckIntervalSeconds */
	unsigned	alb_timeout_ms;		/* HealthCheckTimeoutSeconds */
	unsigned	alb_healthy;		/* HealthyThresholdCount */
	unsigned	alb_unhealthy;		/* UnhealthyThresholdCount */
	unsigned	dereg_delay_ms;		/* deregistration_delay */
	unsigned	stop_timeout_ms;	/* ECS stopTimeout, each container */
	unsigned	tasks;			/* the service's desired count */
	unsigned	interval_ms;		/* healthgate's checks */
	unsigned	timeout_ms;
	unsigned	rise;
	unsigned	fall;
	unsigned	drain_timeout_ms;	/* healthgate's drain cap */
	unsigned	drain_fall;
	unsigned	drain_window_ms;
};

enum plan_figure_id {
	PLAN_START_TO_ROUTING,	/* app ready -> the ALB routes to the task */
	PLAN_FAIL_TO_UNROUTED,	/* app fails -> the ALB stops routing */
	PLAN_FAIL_TO_503,	/* ...of which healthgate's own part */
	PLAN_TERM_TO_UNROUTED,	/* SIGTERM -> the ALB stops routing */
	PLAN_TERM_TO_EXIT,	/* SIGTERM -> healthgate exits */
	PLAN_REPLACEMENT,	/* one old task: deregistration + stop */
	PLAN_DEPLOY,		/* a whole rolling deploy */
	PLAN_NFIGURES
};

struct plan_figure {
	const char	*key;		/* stable name, for JSON and tests */
	const char	*label;		/* for people */
	double		 worst_ms;
	double		 typical_ms;
	const char	*worst_formula;	/* in the symbols plan_symbols lists */
	const char	*typical_formula;
};

enum plan_contra_id {
	PLAN_SLOW_DEREG,	/* deregistration delay of 300 s or more */
	PLAN_ALB_TIMEOUT,	/* ALB timeout not below its interval */
	PLAN_CHECK_TIMEOUT,	/* healthgate timeout not below its interval */
	PLAN_SIGKILL,		/* drain cap not below the stop timeout */
	PLAN_STOP_BELOW_DEREG,	/* stop timeout not above the delay */
	PLAN_CAP_BELOW_DETECT,	/* drain cap < unhealthy x ALB interval */
	PLAN_DRAIN_FALL,	/* drain-fall below the unhealthy threshold */
	PLAN_WINDOW,		/* drain window not above the ALB interval */
	PLAN_NCONTRA
};

struct plan_contradiction {
	enum plan_contra_id id;
	const char	*key;		/* stable name, for JSON and tests */
	char		 problem[384];
	char		 fix[256];
};

struct plan_result {
	struct plan_figure fig[PLAN_NFIGURES];
	unsigned	 peak_tasks;	/* old and new at once, at 200 % */
	unsigned	 ncontra;
	struct plan_contradiction contra[PLAN_NCONTRA];
};

/* The ALB and ECS settings the deploy kit uses; healthgate's are left 0. */
void	plan_defaults(struct plan_input *);

/* Copies healthgate's schedule and drain settings out of a loaded config. */
void	plan_from_config(struct plan_input *, const struct config *);

/* Every figure and every contradiction, in enum order. */
void	plan_compute(const struct plan_input *, struct plan_result *);

/* "250ms", "23s", "2.5s", "8m48s": how plan writes a figure. */
void	plan_format_ms(double ms, char *buf, size_t len);

/* The same, but "300s" rather than "5m00s": how plan writes a setting. */
void	plan_format_setting(unsigned ms, char *buf, size_t len);

/* What the letters in the formulas stand for, one per line. */
extern const char *const plan_symbols[];

/* "healthgate plan [options]"; exit 0 clean, 1 contradictions, 2 bad use. */
int	plan_main(int argc, char *const argv[], char *const envp[]);

#endif
