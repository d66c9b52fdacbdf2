#ifndef HEALTHGATE_PLAN_K8S_H
#define HEALTHGATE_PLAN_K8S_H

/*
 * The user's Kubernetes manifests for "healthgate plan": multi-document
 * YAML holding one workload (a Deployment, StatefulSet, DaemonSet or Pod)
 * and any Services, Ingresses, TargetGroupBindings and Namespaces beside
 * it. libyaml parses; this module finds healthgate in the pod spec and the
 * settings that time a pod's stop, and checks each field's type as the API
 * server would. Text in, values out, no I/O: the caller reads the files.
 * Every error is one line naming the file, the document (counted from 1)
 * and the field, e.g. "web.yaml: document 2:
 * spec.template.spec.terminationGracePeriodSeconds: "45" is a string, not
 * a whole number".
 */

#include <stdbool.h>
#include <stddef.h>

#include "plan/plan.h"
#include "plan/plan_cmdline.h"

#define PLAN_K8S_ERR_MAX	448
#define PLAN_K8S_NAME_MAX	128
#define PLAN_K8S_PROBES_MAX	6	/* readiness, liveness, startup x 2 */

enum plan_k8s_probe_kind {
	PLAN_K8S_PROBE_READINESS,
	PLAN_K8S_PROBE_LIVENESS,
	PLAN_K8S_PROBE_STARTUP,
};

/* One probe, with Kubernetes' defaults where the manifest is silent. */
struct plan_k8s_probe {
	enum plan_k8s_probe_kind kind;
	char		 field[PLAN_K8S_FIELD_MAX];	/* ...readinessProbe */
	bool		 http;		/* httpGet; else exec, tcpSocket, grpc */
	char		 path[128];	/* httpGet.path, "/" when unset */
	unsigned	 port;		/* httpGet.port, named ports resolved; */
					/* 0 when a name is not in ports[] */
	unsigned	 period_ms;	/* periodSeconds, default 10 */
	unsigned	 timeout_ms;	/* timeoutSeconds, default 1 */
	unsigned	 failure;	/* failureThreshold, default 3 */
	unsigned	 success;	/* successThreshold, default 1 */
};

/* What the manifests say, beside the ALB settings they put in plan_input. */
struct plan_k8s {
	unsigned	 ndocs;		/* documents read, in all files */
	/* The workload. */
	char		 object[PLAN_K8S_NAME_MAX];	/* "Deployment/web" */
	char		 file[PLAN_K8S_NAME_MAX];	/* where it was */
	char		 ns[64];	/* metadata.namespace, "default" */
	char		 spec[24];	/* "spec.template.spec" or "spec" */
	bool		 grace_set;	/* terminationGracePeriodSeconds */
	unsigned	 grace_ms;	/* Kubernetes' 30s when unset */
	enum plan_k8s_form form;
	char		 hg_field[PLAN_K8S_FIELD_MAX];	/* its container */
	char		 hg_container[64];
	char		 app_field[PLAN_K8S_FIELD_MAX];	/* sidecar: the app's */
	char		 app_container[64];
	/* The preStop that delays the app's signal (sidecar: the app's, */
	/* supervisor: healthgate's own container's). */
	enum plan_k8s_hook prestop;
	unsigned	 prestop_sleep_ms;
	char		 prestop_field[PLAN_K8S_FIELD_MAX];
	struct plan_k8s_probe probe[PLAN_K8S_PROBES_MAX];
	unsigned	 nprobes;
	bool		 readiness_gate;	/* target-health.elbv2.k8s.aws/ */
	/* healthgate's options for config_load, as in plan_taskdef. */
	struct plan_cmdline cmd;
	/* The AWS Load Balancer Controller, when an Ingress, a Service or a */
	/* TargetGroupBinding says it is there. */
	bool		 alb;
	bool		 ip_mode;	/* target-type ip, targetType: ip */
	char		 alb_object[PLAN_K8S_NAME_MAX];	/* "Ingress/web" */
	char		 alb_file[PLAN_K8S_NAME_MAX];
	char		 hc_path[128];	/* healthcheck-path, "" when unset */
	char		 alb_doc[24];	/* "document 3" */
	unsigned	 alb_mask;	/* PLAN_TG_* the annotations set */
	unsigned	 svc_mask;	/* ...of which a Service's, which win */
	bool		 lbc_ingress;	/* an Ingress of class alb */
	bool		 gate_inject;	/* a Namespace labelled for the gate */
	char		 gate_ns[64];	/* ...which one */
};

/*
 * Reads one file's documents into *k (which starts zeroed, or holds what
 * earlier files gave) and the ALB's settings into *in: the AWS Load
 * Balancer Controller's defaults (15s, 5s, 2, 2) as soon as an Ingress or
 * a Service of it appears, then its annotations. name is the file's name
 * for errors. 0 on success; -1 with err filled (*k then still frees).
 */
int	plan_k8s_read(const char *text, size_t len, const char *name,
	    struct plan_k8s *k, struct plan_input *in, char *err,
	    size_t errlen);

/*
 * After every file: the controller's defaults for what no annotation set,
 * and the namespace's readiness gate injection. -1 with err filled when
 * no workload was found.
 */
int	plan_k8s_done(struct plan_k8s *k, struct plan_input *in, char *err,
	    size_t errlen);

void	plan_k8s_free(struct plan_k8s *);

/*
 * The model's view of what was read (plan.h's struct plan_k8s_in) into
 * in->k8s, once config_load has given healthgate's port; the grace period
 * becomes the stop timeout the shared rows compare with.
 */
void	plan_k8s_model_input(const struct plan_k8s *, unsigned listen_port,
	    struct plan_input *);

const char *plan_k8s_form_name(enum plan_k8s_form);
const char *plan_k8s_hook_name(enum plan_k8s_hook);
const char *plan_k8s_probe_name(enum plan_k8s_probe_kind);

#endif
