#ifndef HEALTHGATE_PLAN_H
#define HEALTHGATE_PLAN_H

/*
 * "healthgate plan": what a set of ALB, ECS and healthgate settings costs in
 * time, and where they contradict each other. The arithmetic (plan_*) is
 * pure: numbers in, numbers and text out, no I/O, so a unit test pins every
 * formula: plan.c the figures, plan_rules.c the findings as a table of
 * rows. plan_cli.c is the command around it, plan_json.c reads a task
 * definition and a target group into the same numbers.
 *
 * All durations are milliseconds. "Worst" is the most the settings allow;
 * "typical" puts each wait for the next periodic check at half an interval
 * and a passing or failing check at no time at all.
 *
 * Two platforms are modelled apart, and every figure says which it is for:
 * an ECS service behind an ALB, which deregisters a task and waits out the
 * deregistration delay before its SIGTERM, and a SIGTERM that comes while
 * the load balancer still routes to the task (a Fargate Spot interruption,
 * docker stop, systemd, healthgate's supervisor mode on any of them).
 */

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/*
 * Unless told, plan assumes what AWS assumes: a target group's defaults for
 * HTTP targets and ECS's stopTimeout when a container sets none. Sources in
 * plan.c's opening comment.
 */
#define PLAN_ALB_INTERVAL_MS	30000u
#define PLAN_ALB_TIMEOUT_MS	5000u
#define PLAN_ALB_HEALTHY	5u
#define PLAN_ALB_UNHEALTHY	2u
#define PLAN_DEREG_DELAY_MS	300000u
#define PLAN_STOP_TIMEOUT_MS	30000u	/* ECS, when stopTimeout is missing */
#define PLAN_FARGATE_STOP_MAX_MS 120000u
#define PLAN_TASKS		4u
#define PLAN_WAITER_POLL_MS	15000u	/* aws ecs wait services-stable */
#define PLAN_K8S_LAG_MS		2000u	/* --endpoint-lag: routers let go */

/*
 * What --drain-quiet auto derives for a busy app, ~10 requests a second
 * (quiet.h: about 0.85s once some thirty gaps of 100ms are seen): the
 * typical quiet period of both platforms' models.
 */
#define PLAN_QUIET_TYPICAL_MS	1000u

enum plan_launch {
	PLAN_LAUNCH_FARGATE,	/* stopTimeout at most 120 s */
	PLAN_LAUNCH_EC2,	/* no maximum; the agent's default when unset */
};

/* How healthgate runs in a Kubernetes pod. */
enum plan_k8s_form {
	PLAN_K8S_FORM_SUPERVISOR,	/* the app container runs healthgate -- APP */
	PLAN_K8S_FORM_NATIVE_SIDECAR,	/* initContainer, restartPolicy: Always */
	PLAN_K8S_FORM_SIDECAR,		/* a plain second container */
};

/* What a container's lifecycle.preStop does. */
enum plan_k8s_hook {
	PLAN_K8S_HOOK_NONE,
	PLAN_K8S_HOOK_SLEEP,		/* sleep.seconds, or exec sleep N */
	PLAN_K8S_HOOK_DRAIN,		/* httpGet /admin/prestop, ctl drain --wait */
	PLAN_K8S_HOOK_OTHER,		/* some other command or request */
};

#define PLAN_K8S_FIELD_MAX	160	/* "spec.template.spec.containers[1]..." */

/* A kubelet probe of healthgate's own port. */
struct plan_k8s_probe_in {
	bool		 set;
	char		 path[64];		/* httpGet.path */
	char		 field[PLAN_K8S_FIELD_MAX];	/* ...readinessProbe */
	unsigned	 period_ms;		/* periodSeconds */
	unsigned	 timeout_ms;		/* timeoutSeconds */
	unsigned	 failure;		/* failureThreshold */
};

/*
 * What Kubernetes manifests say about a pod's stop (plan --manifest,
 * plan_k8s_model_input): names as the manifest spells them, for findings
 * that name the object and the field.
 */
struct plan_k8s_in {
	bool		 on;		/* plan read manifests */
	enum plan_k8s_form form;
	char		 object[128];	/* "Deployment/web" */
	char		 spec[24];	/* "spec.template.spec", "spec" */
	char		 ns[64];	/* its namespace */
	bool		 grace_set;	/* terminationGracePeriodSeconds */
	unsigned	 grace_ms;
	enum plan_k8s_hook prestop;	/* sidecar: the app's; supervisor: its */
	unsigned	 prestop_ms;	/* the hook's sleep */
	char		 prestop_field[PLAN_K8S_FIELD_MAX];
	char		 hg_field[PLAN_K8S_FIELD_MAX];	/* its container */
	struct plan_k8s_probe_in readiness, liveness;
	bool		 alb;		/* the controller's ALB, or a binding */
	bool		 ip_mode;	/* ...with the pods as its targets */
	bool		 gate;		/* the controller's readiness gate */
	bool		 dereg_set;	/* target-group-attributes set the delay */
	char		 alb_object[128];	/* "Ingress/web" */
	unsigned	 lag_ms;	/* --endpoint-lag */
	unsigned	 listen_port;	/* healthgate's, the probes' target */
};

/* What a task definition says, when plan read one; else unknown. */
enum plan_known {
	PLAN_KNOWN_UNSET,
	PLAN_KNOWN_NO,
	PLAN_KNOWN_YES,
};

struct plan_input {
	unsigned	alb_interval_ms;	/* HealthCheckIntervalSeconds */
	unsigned	alb_timeout_ms;		/* HealthCheckTimeoutSeconds */
	unsigned	alb_healthy;		/* HealthyThresholdCount */
	unsigned	alb_unhealthy;		/* UnhealthyThresholdCount */
	unsigned	dereg_delay_ms;		/* deregistration_delay */
	unsigned	stop_timeout_ms;	/* ECS stopTimeout (or docker -t, */
						/* systemd TimeoutStopSec) */
	bool		stop_timeout_set;	/* false: ECS's default applies */
	enum plan_launch launch;
	unsigned	tasks;			/* the service's desired count */
	bool		wait_stability;		/* wait-for-service-stability */
	unsigned	interval_ms;		/* healthgate's checks */
	unsigned	timeout_ms;
	unsigned	rise;
	unsigned	fall;
	unsigned	fastinter_ms;		/* ?fastinter; 0: none */
	unsigned	drain_timeout_ms;	/* healthgate's drain cap */
	unsigned	drain_fall;
	unsigned	drain_window_ms;
	bool		supervisor;		/* healthgate [opts] -- APP */
	unsigned	linger_ms;		/* --drain-linger */
	bool		traffic;		/* the app's ports are known */
	unsigned	drain_quiet_ms;		/* --drain-quiet; 0: auto */
	int		stop_signal;		/* --stop-signal, for the table */
	unsigned	app_stop_timeout_ms;	/* the daemon's --stop-timeout */
	enum plan_known	depends_on_app;		/* sidecar: dependsOn the app */
	enum plan_known	check_uses_live;	/* container check asks /live */
	struct plan_k8s_in k8s;			/* plan --manifest */
	bool		tg_grpc;		/* ProtocolVersion GRPC */
	char		tg_grpc_codes[64];	/* Matcher.GrpcCode; "": AWS's 12 */
	char		tg_path[128];		/* HealthCheckPath; "": AWS's */
	bool		grpc_listen;		/* healthgate --grpc-listen */
};

/* A gRPC target group's defaults (AWS): where it asks and what is OK. */
#define PLAN_GRPC_PATH		"/AWS.ALB/healthcheck"
#define PLAN_GRPC_CODES		"12"

/*
 * Whether code is in a Matcher.GrpcCode list ("12", "0,12", "0-99"):
 * 1 yes, 0 no, -1 when list is not one (codes 0-99).
 */
int	plan_grpc_code_in(const char *list, unsigned code);

/* Which platform a figure or a finding is for. */
enum plan_platform {
	PLAN_PLATFORM_ANY,		/* wherever the ALB checks healthgate */
	PLAN_PLATFORM_ECS,		/* an ECS service: deregistered, then SIGTERM */
	PLAN_PLATFORM_ROUTED,		/* SIGTERM while the load balancer routes */
	PLAN_PLATFORM_K8S,		/* a Kubernetes pod's stop */
	PLAN_PLATFORM_COUNT
};

enum plan_figure_id {
	PLAN_FIGURE_START_TO_ROUTING,	/* app ready -> the ALB routes to the task */
	PLAN_FIGURE_FAIL_TO_UNROUTED,	/* app fails -> the ALB stops routing */
	PLAN_FIGURE_FAIL_TO_503,	/* ...of which healthgate's own part */
	PLAN_FIGURE_ECS_TO_SIGTERM,	/* deregistration -> SIGTERM: the delay */
	PLAN_FIGURE_ECS_TO_EXIT,	/* SIGTERM -> healthgate's drain ends */
	PLAN_FIGURE_ECS_REPLACEMENT,	/* one old task: deregistration + stop */
	PLAN_FIGURE_ECS_DEPLOY,	/* a whole rolling deploy */
	PLAN_FIGURE_ECS_DEPLOY_STEP,	/* ...as wait-for-service-stability waits */
	PLAN_FIGURE_ROUTED_UNROUTED,	/* SIGTERM -> the ALB stops routing */
	PLAN_FIGURE_ROUTED_TO_EXIT,	/* SIGTERM -> the drain ends */
	PLAN_FIGURE_ROUTED_APP_SIGNAL,	/* SIGTERM -> the app is told to stop */
	PLAN_FIGURE_ROUTED_GONE,	/* SIGTERM -> the task is gone */
	PLAN_FIGURE_K8S_UNROUTED,	/* deleted -> the routers let go */
	PLAN_FIGURE_K8S_DRAIN_END,	/* deleted -> the drain ends */
	PLAN_FIGURE_K8S_APP_SIGNAL,	/* deleted -> the app is told to stop */
	PLAN_FIGURE_K8S_GONE,		/* deleted -> the pod is gone */
	PLAN_FIGURE_K8S_NOT_READY,	/* app fails -> the pod not ready */
	PLAN_FIGURE_COUNT
};

struct plan_figure {
	const char	*key;		/* stable name, for JSON and tests */
	enum plan_platform platform;
	const char	*label;		/* for people */
	double		 worst_ms;
	double		 typical_ms;
	const char	*worst_formula;	/* in the symbols plan_symbols lists */
	const char	*typical_formula;
};

/* How much a finding weighs: only contradictions make plan exit 1. */
enum plan_level {
	PLAN_LEVEL_CONTRADICTION,	/* settings that defeat each other */
	PLAN_LEVEL_SLOW,		/* a setting that costs time, and its fix */
	PLAN_LEVEL_NOTE,		/* what the figures assume, or a trade-off */
};

enum plan_finding_id {
	PLAN_FINDING_ALB_TIMEOUT,	/* ALB timeout not below its interval */
	PLAN_FINDING_CHECK_TIMEOUT,	/* healthgate timeout not below its interval */
	PLAN_FINDING_FARGATE_STOP_MAX,	/* stopTimeout above Fargate's 120 s */
	PLAN_FINDING_SIGKILL,		/* drain cap (+ linger + app stop) >= S */
	PLAN_FINDING_STOP_BELOW_DEREG,	/* stop timeout not above the delay */
	PLAN_FINDING_CAP_BELOW_DETECT,	/* drain cap < unhealthy x ALB interval */
	PLAN_FINDING_DRAIN_FALL,	/* drain-fall below the unhealthy threshold */
	PLAN_FINDING_WINDOW,		/* drain window not above the ALB interval */
	PLAN_FINDING_NO_DEPENDS_ON,	/* sidecar without dependsOn the app */
	PLAN_FINDING_CHECK_NOT_LIVE,	/* container health check asks /health */
	PLAN_FINDING_GRPC_NO_LISTEN,	/* gRPC target group, no --grpc-listen */
	PLAN_FINDING_GRPC_MATCHER,	/* GrpcCode misreads healthgate's answers */
	PLAN_FINDING_K8S_GRACE,		/* grace period below what must fit */
	PLAN_FINDING_K8S_SIDECAR_NO_WAIT, /* sidecar: the app's preStop waits not */
	PLAN_FINDING_K8S_LIVENESS_HEALTH, /* liveness asks /health */
	PLAN_FINDING_K8S_READINESS_LIVE, /* readiness asks /live */
	PLAN_FINDING_K8S_NO_GATE,	/* EKS IP targets without the gate */
	PLAN_FINDING_K8S_DEREG_OVER_GRACE, /* delay not below the grace period */
	PLAN_FINDING_SLOW_DEREG,	/* deregistration delay above 60 s */
	PLAN_FINDING_SLOW_INTERVAL,	/* ALB interval above 10 s */
	PLAN_FINDING_SLOW_HEALTHY,	/* healthy threshold above 2 */
	PLAN_FINDING_SLOW_UNHEALTHY,	/* unhealthy threshold above 2 */
	PLAN_FINDING_SLOW_ALB_TIMEOUT,	/* ALB timeout above 5 s */
	PLAN_FINDING_WINDOW_OVER_DEREG,	/* window outlasts the delay: ECS stop waits */
	PLAN_FINDING_K8S_PRESTOP_SLEEP,	/* a preStop sleep beside the drain */
	PLAN_FINDING_K8S_READINESS_SLOW, /* readiness period x failures */
	PLAN_FINDING_STOP_DEFAULTED,	/* no stopTimeout: ECS's 30 s */
	PLAN_FINDING_ECS_DRAIN_MOOT,	/* the drain after deregistration */
	PLAN_FINDING_SIDECAR_ROUTED,	/* sidecar when SIGTERM reaches the app too */
	PLAN_FINDING_WAIT_STABILITY,	/* what the deploy step's wait costs */
	PLAN_FINDING_K8S_LAG,		/* what the endpoint lag assumes */
	PLAN_FINDING_K8S_INSTANCE_MODE,	/* the ALB checks nodes, not pods */
	PLAN_FINDING_K8S_GRACE_DEFAULTED, /* no terminationGracePeriodSeconds */
	PLAN_FINDING_COUNT
};

struct plan_finding {
	enum plan_finding_id id;
	enum plan_level	 level;
	enum plan_platform platform;
	const char	*key;		/* stable name, for JSON and tests */
	char		 problem[448];
	char		 fix[320];
};

struct plan_result {
	struct plan_figure fig[PLAN_FIGURE_COUNT];
	unsigned	 peak_tasks;	/* old and new at once, at 200 % */
	unsigned	 nfindings;
	unsigned	 ncontra;	/* of which contradictions */
	struct plan_finding finding[PLAN_FINDING_COUNT];
};

/* AWS's ALB and ECS defaults; healthgate's are left 0. */
void	plan_defaults(struct plan_input *);

/*
 * Copies healthgate's schedule, drain and supervisor settings out of a
 * loaded config; "--" there (app_argv) means the supervisor mode.
 */
void	plan_from_config(struct plan_input *, const struct config *);

/* Every figure and every finding, in enum order. */
void	plan_compute(const struct plan_input *, struct plan_result *);

/* Sets figure id of r; formulas in the symbols the table lists. */
void	plan_fig(struct plan_result *, enum plan_figure_id,
	    const char *key, enum plan_platform, const char *label,
	    double worst, double typical, const char *wf, const char *tf);

/*
 * The quiet period the drain waits out after the app's last request (ms),
 * for every model: 0 when healthgate cannot see the app's traffic (it
 * does not wait for it then), --drain-quiet when set, else for auto
 * PLAN_QUIET_TYPICAL_MS, or at worst the daemon's ceiling (quiet.h).
 */
double	plan_quiet(const struct plan_input *, bool worst);

/* The Kubernetes figures (plan_k8s_model.c), when in->k8s.on. */
void	plan_k8s_figures(const struct plan_input *, struct plan_result *);

/* Whether figures and findings of platform p are shown for in. */
bool	plan_platform_shown(const struct plan_input *, enum plan_platform);

/* "250ms", "23s", "2.5s", "8m48s": how plan writes a figure. */
void	plan_format_ms(double ms, char *buf, size_t len);

/* The same, but "300s" rather than "5m00s": how plan writes a setting. */
void	plan_format_setting(unsigned ms, char *buf, size_t len);

/* "any", "ecs", "routed", and the heading each has in the table. */
const char *plan_platform_key(enum plan_platform);
const char *plan_platform_title(enum plan_platform);
const char *plan_level_key(enum plan_level);

/* What the letters in the formulas stand for, one per line. */
extern const char *const plan_symbols[];
extern const char *const plan_k8s_symbols[];

/* "healthgate plan [options]"; exit 0 clean, 1 contradictions, 2 bad use. */
int	plan_main(int argc, char *const argv[], char *const envp[]);

#endif
