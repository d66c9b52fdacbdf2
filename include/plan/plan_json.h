#ifndef HEALTHGATE_PLAN_JSON_H
#define HEALTHGATE_PLAN_JSON_H

/*
 * The user's real configuration for "healthgate plan": an ECS task
 * definition (the file given to register-task-definition, or the output of
 * aws ecs describe-task-definition) and a target group (the output of aws
 * elbv2 describe-target-groups and/or describe-target-group-attributes).
 * jansson parses; this module finds the fields plan needs and checks them.
 * Text in, values out, no I/O: the caller reads the file. Every error is
 * one line naming the file and the field.
 */

#include <stddef.h>

#include "plan/plan.h"
#include "plan/plan_cmdline.h"

#define PLAN_JSON_ERR_MAX	384

/* What a task definition says about healthgate's container. */
struct plan_taskdef {
	char		 container[128];	/* its name */
	bool		 stop_timeout_set;	/* its stopTimeout, if any */
	unsigned	 stop_timeout_ms;
	bool		 launch_set;		/* requiresCompatibilities */
	enum plan_launch launch;
	enum plan_known	 depends_on_app;	/* dependsOn another container */
	enum plan_known	 check_uses_live;	/* healthCheck asks /live */
	struct plan_cmdline cmd;		/* its options and environment */
};

/* Which target group settings a file gave; the values go in plan_input. */
enum {
	PLAN_TG_INTERVAL	= 1u << 0,
	PLAN_TG_TIMEOUT		= 1u << 1,
	PLAN_TG_HEALTHY		= 1u << 2,
	PLAN_TG_UNHEALTHY	= 1u << 3,
	PLAN_TG_DEREG		= 1u << 4,
	PLAN_TG_GRPC		= 1u << 5,	/* ProtocolVersion, Matcher */
};

/*
 * Fills *td from the JSON in text[0..len). name is the file's name for
 * errors. 0 on success; -1 with err filled (and nothing to free).
 */
int	plan_json_taskdef(const char *text, size_t len, const char *name,
	    struct plan_taskdef *td, char *err, size_t errlen);
void	plan_json_taskdef_free(struct plan_taskdef *);

/*
 * Sets the target group's settings in *in and ors what it set into *mask.
 * 0 on success; -1 with err filled and *in as it was.
 */
int	plan_json_target_group(const char *text, size_t len, const char *name,
	    struct plan_input *in, unsigned *mask, char *err, size_t errlen);

#endif
