/*
 * plan_k8s.c: Kubernetes manifests, as kubectl applies them, into what
 * plan models: healthgate's container and form, its options, the preStop
 * that holds the app's signal, the probes, the grace period, the readiness
 * gate, and the AWS Load Balancer Controller's ALB settings.
 *
 * libyaml loads each document of the stream (yaml_parser_load); this file
 * only walks the nodes it knows, by path, never the whole tree, so an alias
 * that points back into its own node costs nothing. Types are checked as
 * the API server checks them after kubectl's YAML-to-JSON step (go-yaml,
 * YAML 1.1): a plain 30 is a number, "30" a string, a plain yes a boolean;
 * an int field given a string, or a string field (env values, annotations,
 * command words) given a number, is refused, as kubectl refuses it. A
 * null value is an absent one. Keys plan reads may not appear twice.
 *
 * Defaults are Kubernetes' (terminationGracePeriodSeconds 30, a probe's
 * periodSeconds 10, timeoutSeconds 1, failureThreshold 3: the Pod and
 * Probe API references) and the AWS Load Balancer Controller's for an ALB
 * it makes (healthcheck-interval-seconds 15, -timeout-seconds 5,
 * healthy- and unhealthy-threshold-count 2, target-type instance: its
 * Ingress annotations reference); the deregistration delay is the target
 * group's own 300s unless target-group-attributes sets it. Annotations on
 * a Service win over the same on an Ingress, as the controller has it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "opts.h"
#include "plan/plan_json.h"
#include "plan/plan_k8s.h"

#define K8S_WORDS_MAX	256	/* command + args, more is not a daemon */
#define K8S_GRACE_MS	30000u
#define K8S_SECONDS_MAX	86400	/* a day: what plan reads of a duration */
#define LBC_INTERVAL_MS	15000u
#define LBC_TIMEOUT_MS	5000u
#define LBC_THRESHOLD	2u
#define ALB_ANN		"alb.ingress.kubernetes.io/"
#define GATE_PREFIX	"target-health.elbv2.k8s.aws/"
#define GATE_LABEL	"elbv2.k8s.aws/pod-readiness-gate-inject"

/* One document being read: where errors point. */
struct k8s_doc {
	yaml_document_t	*d;
	const char	*name;		/* the file's */
	unsigned	 no;		/* the document's, from 1 */
	char		 pre[32];	/* "items[3]." inside a List, else "" */
	char		*err;
	size_t		 errlen;
};

/* What a plain scalar is, as go-yaml resolves it. */
enum k8s_type {
	K8S_TYPE_NULL,
	K8S_TYPE_BOOL,
	K8S_TYPE_INT,
	K8S_TYPE_FLOAT,
	K8S_TYPE_STRING,
	K8S_TYPE_MAP,
	K8S_TYPE_SEQ,
};

static void
k8s_say(const struct k8s_doc *x, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * A failure: the error written, and -1. An expression rather than a
 * function returning -1, so that clang's analyser (which does not follow
 * variadic calls) sees the -1 and no path where a failure reads as found.
 */
#define k8s_fail(...)	(k8s_say(__VA_ARGS__), -1)

/* "FILE: document N: PATH: what", one line whatever the document quotes. */
static void
k8s_say(const struct k8s_doc *x, const char *path, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(x->err, x->errlen, "%s: document %u: ", x->name, x->no);
	if (path && *path && n >= 0 && (size_t)n < x->errlen)
		n += snprintf(x->err + n, x->errlen - (size_t)n, "%s%s: ",
		    x->pre, path);
	if (n >= 0 && (size_t)n < x->errlen) {
		va_start(ap, fmt);
		vsnprintf(x->err + n, x->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	for (char *p = x->err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

static bool
k8s_is(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

static bool
k8s_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* YAML 1.1's numbers, as go-yaml reads a plain scalar; roughly enough. */
static enum k8s_type
k8s_plain_type(const char *s)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL",
	    NULL };
	static const char *const bools[] = { "true", "True", "TRUE", "false",
	    "False", "FALSE", "yes", "Yes", "YES", "no", "No", "NO", "on",
	    "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N", NULL };
	static const char *const specials[] = { ".inf", ".Inf", ".INF",
	    "-.inf", "+.inf", ".nan", ".NaN", ".NAN", NULL };
	const char *p = s;
	bool dot = false, digit = false;

	if (k8s_is(s, nulls))
		return K8S_TYPE_NULL;
	if (k8s_is(s, bools))
		return K8S_TYPE_BOOL;
	if (k8s_is(s, specials))
		return K8S_TYPE_FLOAT;
	if (*p == '-' || *p == '+')
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'o'))
		return p[2] ? K8S_TYPE_INT : K8S_TYPE_STRING;
	for (; *p && *p != 'e' && *p != 'E'; p++) {
		if (*p >= '0' && *p <= '9')
			digit = true;
		else if (*p == '.' && !dot)
			dot = true;
		else if (*p != '_')
			return K8S_TYPE_STRING;
	}
	if (!digit)
		return K8S_TYPE_STRING;
	if (*p && !(p[1] && (k8s_digits(p + 1) || ((p[1] == '-' ||
	    p[1] == '+') && k8s_digits(p + 2)))))
		return K8S_TYPE_STRING;
	return dot || *p ? K8S_TYPE_FLOAT : K8S_TYPE_INT;
}

static enum k8s_type
k8s_type(const yaml_node_t *n)
{
	if (n->type == YAML_MAPPING_NODE)
		return K8S_TYPE_MAP;
	if (n->type == YAML_SEQUENCE_NODE)
		return K8S_TYPE_SEQ;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return K8S_TYPE_STRING;
	return k8s_plain_type((const char *)n->data.scalar.value);
}

static const char *
k8s_type_name(enum k8s_type t)
{
	switch (t) {
	case K8S_TYPE_NULL:	return "null";
	case K8S_TYPE_BOOL:	return "a boolean";
	case K8S_TYPE_INT:	return "a whole number";
	case K8S_TYPE_FLOAT:	return "a number";
	case K8S_TYPE_STRING:	return "a string";
	case K8S_TYPE_MAP:	return "a mapping";
	case K8S_TYPE_SEQ:	return "a list";
	}
	return "?";
}

/*
 * The value under key in the mapping map: 1 and *out when there and not
 * null, 0 when absent or null, -1 when map is no mapping or has key twice.
 */
static int
k8s_get(const struct k8s_doc *x, const yaml_node_t *map, const char *path,
    const char *key, yaml_node_t **out)
{
	size_t klen = strlen(key);
	yaml_node_t *found = NULL;

	*out = NULL;
	if (map->type != YAML_MAPPING_NODE)
		return k8s_fail(x, path, "is %s, not a mapping",
		    k8s_type_name(k8s_type(map)));
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(x->d, p->key);

		if (kn == NULL || kn->type != YAML_SCALAR_NODE ||
		    kn->data.scalar.length != klen ||
		    memcmp(kn->data.scalar.value, key, klen) != 0)
			continue;
		if (found)
			return k8s_fail(x, path, "has %s twice", key);
		found = yaml_document_get_node(x->d, p->value);
	}
	if (found == NULL || k8s_type(found) == K8S_TYPE_NULL)
		return 0;
	*out = found;
	return 1;
}

/* path.key into buf, for the errors of what is under it; cut to fit. */
static const char *
k8s_path(char *buf, size_t len, const char *path, const char *key)
{
	if (snprintf(buf, len, "%s%s%s", path, *path ? "." : "", key) >=
	    (int)len && len > 4)
		memcpy(buf + len - 4, "...", 4);
	return buf;
}

/* A string: a quoted scalar, or a plain one that is no number or bool. */
static int
k8s_string(const struct k8s_doc *x, const yaml_node_t *n, const char *path,
    const char **out)
{
	enum k8s_type t = k8s_type(n);

	if (t != K8S_TYPE_STRING) {
		if (n->type == YAML_SCALAR_NODE)
			return k8s_fail(x, path, "%.40s is %s, not a string "
			    "(quote it)", (const char *)n->data.scalar.value,
			    k8s_type_name(t));
		return k8s_fail(x, path, "is %s, not a string",
		    k8s_type_name(t));
	}
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
		return k8s_fail(x, path, "holds a NUL byte");
	*out = (const char *)n->data.scalar.value;
	return 0;
}

/* The string under key: 1, 0 when absent, -1 on error. */
static int
k8s_get_string(const struct k8s_doc *x, const yaml_node_t *map,
    const char *path, const char *key, const char **out)
{
	char sub[PLAN_K8S_FIELD_MAX];
	yaml_node_t *v;
	int rc;

	*out = NULL;
	if ((rc = k8s_get(x, map, path, key, &v)) <= 0)
		return rc;
	if (k8s_string(x, v, k8s_path(sub, sizeof(sub), path, key), out) < 0)
		return -1;
	return 1;
}

/* A whole number within lo..hi, given as one (not as a string). */
static int
k8s_whole(const struct k8s_doc *x, const yaml_node_t *n, const char *path,
    long long lo, long long hi, long long *out)
{
	enum k8s_type t = k8s_type(n);
	const char *s;
	char *end;
	long long v;

	if (t != K8S_TYPE_INT) {
		if (n->type == YAML_SCALAR_NODE)
			return k8s_fail(x, path, "%s%.40s%s is %s, not a whole "
			    "number", t == K8S_TYPE_STRING ? "\"" : "",
			    (const char *)n->data.scalar.value,
			    t == K8S_TYPE_STRING ? "\"" : "", k8s_type_name(t));
		return k8s_fail(x, path, "is %s, not a whole number",
		    k8s_type_name(t));
	}
	s = (const char *)n->data.scalar.value;
	v = strtoll(s, &end, 0);
	if (*end != '\0' || strlen(s) > 15)
		return k8s_fail(x, path, "%.40s is not a whole number plan "
		    "reads", s);
	if (v < lo || v > hi)
		return k8s_fail(x, path, "%lld is not within %lld-%lld", v, lo,
		    hi);
	*out = v;
	return 0;
}

/* The number under key, in *out as given times scale; 1, 0, -1. */
static int
k8s_get_whole(const struct k8s_doc *x, const yaml_node_t *map,
    const char *path, const char *key, long long lo, long long hi,
    unsigned scale, unsigned *out)
{
	char sub[PLAN_K8S_FIELD_MAX];
	yaml_node_t *v;
	long long n;
	int rc;

	if ((rc = k8s_get(x, map, path, key, &v)) <= 0)
		return rc;
	if (k8s_whole(x, v, k8s_path(sub, sizeof(sub), path, key), lo, hi,
	    &n) < 0)
		return -1;
	*out = (unsigned)n * scale;
	return 1;
}

/* The node under key when it is a mapping (or absent: 0). */
static int
k8s_get_map(const struct k8s_doc *x, const yaml_node_t *map,
    const char *path, const char *key, yaml_node_t **out)
{
	char sub[PLAN_K8S_FIELD_MAX];
	int rc;

	if ((rc = k8s_get(x, map, path, key, out)) <= 0)
		return rc;
	if ((*out)->type != YAML_MAPPING_NODE)
		return k8s_fail(x, k8s_path(sub, sizeof(sub), path, key),
		    "is %s, not a mapping", k8s_type_name(k8s_type(*out)));
	return 1;
}

static int
k8s_get_seq(const struct k8s_doc *x, const yaml_node_t *map,
    const char *path, const char *key, yaml_node_t **out)
{
	char sub[PLAN_K8S_FIELD_MAX];
	int rc;

	if ((rc = k8s_get(x, map, path, key, out)) <= 0)
		return rc;
	if ((*out)->type != YAML_SEQUENCE_NODE)
		return k8s_fail(x, k8s_path(sub, sizeof(sub), path, key),
		    "is %s, not a list", k8s_type_name(k8s_type(*out)));
	return 1;
}

static size_t
k8s_len(const yaml_node_t *seq)
{
	return (size_t)(seq->data.sequence.items.top -
	    seq->data.sequence.items.start);
}

static yaml_node_t *
k8s_item(const struct k8s_doc *x, const yaml_node_t *seq, size_t i)
{
	return yaml_document_get_node(x->d, seq->data.sequence.items.start[i]);
}

/* The strings of a list field (command, args) appended to words. */
static int
k8s_words(const struct k8s_doc *x, const yaml_node_t *c, const char *path,
    const char *key, const char **words, size_t *n)
{
	char sub[PLAN_K8S_FIELD_MAX];
	yaml_node_t *seq;
	int rc;

	if ((rc = k8s_get_seq(x, c, path, key, &seq)) <= 0)
		return rc;
	for (size_t i = 0; i < k8s_len(seq); i++) {
		snprintf(sub, sizeof(sub), "%s.%s[%zu]", path, key, i);
		if (*n >= K8S_WORDS_MAX)
			return k8s_fail(x, sub, "more than %d words",
			    K8S_WORDS_MAX);
		if (k8s_string(x, k8s_item(x, seq, i), sub, &words[*n]) < 0)
			return -1;
		(*n)++;
	}
	return 1;
}

/* --- the ALB: annotations and TargetGroupBindings ---------------------- */

struct k8s_ann {
	const char	*key;		/* after "alb.ingress.kubernetes.io/" */
	long long	 lo, hi;	/* as the ELB API allows */
	unsigned	 scale;		/* seconds to ms, or a count */
	size_t		 off;		/* in struct plan_input */
	unsigned	 bit;
};

#define IN(field)	offsetof(struct plan_input, field)

static const struct k8s_ann k8s_anns[] = {
	{ "healthcheck-interval-seconds", 5, 300, 1000, IN(alb_interval_ms),
	    PLAN_TG_INTERVAL },
	{ "healthcheck-timeout-seconds", 2, 120, 1000, IN(alb_timeout_ms),
	    PLAN_TG_TIMEOUT },
	{ "healthy-threshold-count", 2, 10, 1, IN(alb_healthy),
	    PLAN_TG_HEALTHY },
	{ "unhealthy-threshold-count", 2, 10, 1, IN(alb_unhealthy),
	    PLAN_TG_UNHEALTHY },
};

#define K8S_NANNS	(sizeof(k8s_anns) / sizeof(k8s_anns[0]))

/* A whole number written as an annotation's text. */
static int
k8s_ann_number(const struct k8s_doc *x, const char *path, const char *s,
    long long lo, long long hi, long long *out)
{
	long long v;

	if (!k8s_digits(s) || strlen(s) > 9)
		return k8s_fail(x, path, "\"%.40s\" is not a whole number", s);
	v = strtoll(s, NULL, 10);
	if (v < lo || v > hi)
		return k8s_fail(x, path, "%lld is not within %lld-%lld", v, lo,
		    hi);
	*out = v;
	return 0;
}

/*
 * target-group-attributes: "key=value,key=value"; only the deregistration
 * delay is plan's. 1 when it was there.
 */
static int
k8s_tg_attributes(const struct k8s_doc *x, const char *path, const char *s,
    unsigned *delay_ms)
{
	static const char key[] = "deregistration_delay.timeout_seconds";
	char buf[512], *save = NULL, *kv;
	long long v;
	int found = 0;

	if (strlen(s) >= sizeof(buf))
		return k8s_fail(x, path, "longer than %zu bytes", sizeof(buf));
	memcpy(buf, s, strlen(s) + 1);
	for (kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",",
	    &save)) {
		char *eq = strchr(kv, '=');

		while (*kv == ' ')
			kv++;
		if (eq == NULL)
			return k8s_fail(x, path, "\"%.40s\" is not key=value",
			    kv);
		*eq = '\0';
		for (char *e = eq - 1; e >= kv && *e == ' '; e--)
			*e = '\0';
		if (strcmp(kv, key) != 0)
			continue;
		if (k8s_ann_number(x, path, eq + 1, 0, 3600, &v) < 0)
			return -1;
		*delay_ms = (unsigned)v * 1000u;
		found = 1;
	}
	return found;
}

/* One alb.ingress.kubernetes.io/ annotation: 1 read, 0 not plan's, -1. */
static int
k8s_alb_annotation(const struct k8s_doc *x, const char *path,
    const char *key, const char *v, struct plan_k8s *k,
    struct plan_input *work, unsigned *got)
{
	long long n;
	int rc;

	for (size_t i = 0; i < K8S_NANNS; i++) {
		const struct k8s_ann *a = &k8s_anns[i];

		if (strcmp(key, a->key) != 0)
			continue;
		if (k8s_ann_number(x, path, v, a->lo, a->hi, &n) < 0)
			return -1;
		*(unsigned *)((char *)work + a->off) = (unsigned)n * a->scale;
		*got |= a->bit;
		return 1;
	}
	if (strcmp(key, "target-group-attributes") == 0) {
		if ((rc = k8s_tg_attributes(x, path, v,
		    &work->dereg_delay_ms)) > 0)
			*got |= PLAN_TG_DEREG;
		return rc;
	}
	if (strcmp(key, "healthcheck-path") == 0) {
		snprintf(k->hc_path, sizeof(k->hc_path), "%s", v);
		return 1;
	}
	if (strcmp(key, "target-type") == 0) {
		if (strcmp(v, "ip") != 0 && strcmp(v, "instance") != 0)
			return k8s_fail(x, path, "\"%.40s\" is not ip or "
			    "instance", v);
		k->ip_mode = strcmp(v, "ip") == 0;
		return 1;
	}
	return 0;
}

/*
 * The annotations of an Ingress or a Service. An Ingress's do not override
 * what a Service already set (the controller takes the Service's).
 */
static int
k8s_annotations(const struct k8s_doc *x, const yaml_node_t *obj,
    bool service, struct plan_k8s *k, struct plan_input *in, bool *any)
{
	char path[PLAN_K8S_FIELD_MAX];
	struct plan_input work = *in;
	yaml_node_t *meta, *ann;
	unsigned got = 0;
	int rc;

	*any = false;
	if ((rc = k8s_get_map(x, obj, "", "metadata", &meta)) <= 0 ||
	    (rc = k8s_get_map(x, meta, "metadata", "annotations", &ann)) <= 0)
		return rc;
	for (yaml_node_pair_t *p = ann->data.mapping.pairs.start;
	    p < ann->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(x->d, p->key);
		yaml_node_t *vn = yaml_document_get_node(x->d, p->value);
		const char *key, *v;

		if (kn == NULL || vn == NULL || kn->type != YAML_SCALAR_NODE)
			continue;
		key = (const char *)kn->data.scalar.value;
		if (strncmp(key, ALB_ANN, strlen(ALB_ANN)) != 0)
			continue;
		*any = true;
		snprintf(path, sizeof(path), "metadata.annotations[%.80s]", key);
		if (k8s_string(x, vn, path, &v) < 0 ||
		    k8s_alb_annotation(x, path, key + strlen(ALB_ANN), v, k,
		    &work, &got) < 0)
			return -1;
	}
	for (size_t i = 0; i < K8S_NANNS; i++) {
		const struct k8s_ann *a = &k8s_anns[i];
		unsigned *dst = (unsigned *)((char *)in + a->off);

		if ((got & a->bit) && (service || !(k->svc_mask & a->bit)))
			*dst = *(unsigned *)((char *)&work + a->off);
	}
	if ((got & PLAN_TG_DEREG) && (service ||
	    !(k->svc_mask & PLAN_TG_DEREG)))
		in->dereg_delay_ms = work.dereg_delay_ms;
	k->alb_mask |= got;
	if (service)
		k->svc_mask |= got;
	return 0;
}

static void
k8s_name_object(char *buf, size_t len, const char *kind, const char *name)
{
	snprintf(buf, len, "%s/%s", kind, name ? name : "?");
}

static int
k8s_metadata_name(const struct k8s_doc *x, const yaml_node_t *obj,
    const char **name)
{
	yaml_node_t *meta;
	int rc;

	*name = NULL;
	if ((rc = k8s_get_map(x, obj, "", "metadata", &meta)) < 0)
		return -1;
	if (rc == 0)
		return k8s_fail(x, "metadata", "is missing");
	if ((rc = k8s_get_string(x, meta, "metadata", "name", name)) < 0)
		return -1;
	if (rc == 0)
		return k8s_fail(x, "metadata.name", "is missing");
	return 0;
}

/* An Ingress: the controller's when its class (or an annotation) says. */
static int
k8s_ingress(const struct k8s_doc *x, const yaml_node_t *obj,
    struct plan_k8s *k, struct plan_input *in)
{
	yaml_node_t *spec, *meta, *ann;
	const char *name, *cls = NULL;
	bool any;

	if (k8s_metadata_name(x, obj, &name) < 0 ||
	    k8s_get_map(x, obj, "", "spec", &spec) < 0 ||
	    (spec && k8s_get_string(x, spec, "spec", "ingressClassName",
	    &cls) < 0))
		return -1;
	if (cls == NULL && k8s_get_map(x, obj, "", "metadata", &meta) > 0 &&
	    k8s_get_map(x, meta, "metadata", "annotations", &ann) > 0 &&
	    k8s_get_string(x, ann, "metadata.annotations",
	    "kubernetes.io/ingress.class", &cls) < 0)
		return -1;
	if (k8s_annotations(x, obj, false, k, in, &any) < 0)
		return -1;
	if (!any && (cls == NULL || strcmp(cls, "alb") != 0))
		return 0;	/* another controller's Ingress */
	k->alb = k->lbc_ingress = true;
	k8s_name_object(k->alb_object, sizeof(k->alb_object), "Ingress", name);
	snprintf(k->alb_file, sizeof(k->alb_file), "%s", x->name);
	snprintf(k->alb_doc, sizeof(k->alb_doc), "document %u", x->no);
	return 0;
}

static int
k8s_service(const struct k8s_doc *x, const yaml_node_t *obj,
    struct plan_k8s *k, struct plan_input *in)
{
	const char *name;
	bool any;

	if (k8s_metadata_name(x, obj, &name) < 0)
		return -1;
	return k8s_annotations(x, obj, true, k, in, &any);
}

static int
k8s_target_group_binding(const struct k8s_doc *x, const yaml_node_t *obj,
    struct plan_k8s *k)
{
	yaml_node_t *spec;
	const char *name, *type = NULL;

	if (k8s_metadata_name(x, obj, &name) < 0 ||
	    k8s_get_map(x, obj, "", "spec", &spec) < 0 ||
	    (spec && k8s_get_string(x, spec, "spec", "targetType", &type) < 0))
		return -1;
	if (type && strcmp(type, "ip") != 0 && strcmp(type, "instance") != 0)
		return k8s_fail(x, "spec.targetType", "\"%.40s\" is not ip or "
		    "instance", type);
	k->alb = true;
	k->ip_mode = k->ip_mode || (type && strcmp(type, "ip") == 0);
	if (!k->lbc_ingress) {
		k8s_name_object(k->alb_object, sizeof(k->alb_object),
		    "TargetGroupBinding", name);
		snprintf(k->alb_file, sizeof(k->alb_file), "%s", x->name);
		snprintf(k->alb_doc, sizeof(k->alb_doc), "document %u", x->no);
	}
	return 0;
}

static int
k8s_namespace(const struct k8s_doc *x, const yaml_node_t *obj,
    struct plan_k8s *k)
{
	yaml_node_t *meta, *labels;
	const char *name, *v = NULL;

	if (k8s_metadata_name(x, obj, &name) < 0 ||
	    k8s_get_map(x, obj, "", "metadata", &meta) < 0 ||
	    k8s_get_map(x, meta, "metadata", "labels", &labels) < 0 ||
	    (labels && k8s_get_string(x, labels, "metadata.labels",
	    GATE_LABEL, &v) < 0))
		return -1;
	if (v && strcmp(v, "enabled") == 0) {
		k->gate_inject = true;
		snprintf(k->gate_ns, sizeof(k->gate_ns), "%s", name);
	}
	return 0;
}

/* --- the workload ------------------------------------------------------ */

/* One container of the pod spec, as plan looks at it. */
struct k8s_container {
	yaml_node_t	*node;
	char		 field[96];	/* spec.template.spec.containers[1] */
	const char	*name;
	bool		 init;		/* under initContainers */
	int		 score;		/* how surely it is healthgate's */
};

static bool
k8s_has_hg_env(const struct k8s_doc *x, const yaml_node_t *c)
{
	yaml_node_t *env, *e, *n;

	if (c->type != YAML_MAPPING_NODE || k8s_get(x, c, "", "env", &env) <= 0 ||
	    env->type != YAML_SEQUENCE_NODE)
		return false;
	for (size_t i = 0; i < k8s_len(env); i++) {
		e = k8s_item(x, env, i);
		if (e && e->type == YAML_MAPPING_NODE &&
		    k8s_get(x, e, "", "name", &n) > 0 &&
		    n->type == YAML_SCALAR_NODE &&
		    plan_cmdline_hg_var((const char *)n->data.scalar.value))
			return true;
	}
	return false;
}

/*
 * 3: it runs healthgate; 2: its image is healthgate's; 1: it is named
 * healthgate or has HEALTHGATE_* variables; 0: none of these.
 */
static int
k8s_score(const struct k8s_doc *x, struct k8s_container *c)
{
	const char *words[K8S_WORDS_MAX], *image = NULL;
	size_t n = 0;

	if (c->node->type != YAML_MAPPING_NODE)
		return k8s_fail(x, c->field, "is %s, not a mapping",
		    k8s_type_name(k8s_type(c->node)));
	if (k8s_get_string(x, c->node, c->field, "name", &c->name) < 0 ||
	    k8s_get_string(x, c->node, c->field, "image", &image) < 0 ||
	    k8s_words(x, c->node, c->field, "command", words, &n) < 0 ||
	    k8s_words(x, c->node, c->field, "args", words, &n) < 0)
		return -1;
	if (image)
		image = plan_cmdline_base(image);	/* "healthgate:0.2.0" */
	if (plan_cmdline_healthgate_word(words, n) >= 0)
		c->score = 3;
	else if (image && strncmp(image, "healthgate", 10) == 0 &&
	    (image[10] == '\0' || image[10] == ':' || image[10] == '@'))
		c->score = 2;
	else if ((c->name && strcmp(c->name, "healthgate") == 0) ||
	    k8s_has_hg_env(x, c->node))
		c->score = 1;
	return 0;
}

/*
 * The containers of the pod spec into cs (initContainers first), scored.
 * Returns how many, or -1.
 */
static int
k8s_containers(const struct k8s_doc *x, const yaml_node_t *pod,
    const char *spec, struct k8s_container *cs, size_t max)
{
	static const char *const keys[] = { "initContainers", "containers" };
	char path[PLAN_K8S_FIELD_MAX];
	yaml_node_t *seq;
	size_t n = 0;
	int rc;

	for (size_t j = 0; j < 2; j++) {
		if ((rc = k8s_get_seq(x, pod, spec, keys[j], &seq)) < 0)
			return -1;
		if (rc == 0 && j == 1)
			return k8s_fail(x, k8s_path(path, sizeof(path), spec,
			    keys[j]), "is missing");
		for (size_t i = 0; rc > 0 && i < k8s_len(seq); i++) {
			struct k8s_container *c = &cs[n];

			if (n >= max)
				return k8s_fail(x, spec, "more than %zu "
				    "containers", max);
			memset(c, 0, sizeof(*c));
			c->node = k8s_item(x, seq, i);
			c->init = j == 0;
			snprintf(c->field, sizeof(c->field), "%s.%s[%zu]", spec,
			    keys[j], i);
			if (k8s_score(x, c) < 0)
				return -1;
			n++;
		}
	}
	return (int)n;
}

/*
 * healthgate's options from command and args, read as plan_json.c reads a
 * task definition's entryPoint and command (plan_cmdline_split): command
 * is the container's own entry point, args alone run under the image's.
 */
static int
k8s_command_line(const struct k8s_doc *x, const struct k8s_container *c,
    struct plan_k8s *k)
{
	const char *words[K8S_WORDS_MAX];
	yaml_node_t *cmd;
	size_t n = 0;

	if (k8s_words(x, c->node, c->field, "command", words, &n) < 0 ||
	    k8s_words(x, c->node, c->field, "args", words, &n) < 0)
		return -1;
	if (plan_cmdline_split(&k->cmd, words, n, k8s_get(x, c->node,
	    c->field, "command", &cmd) > 0) < 0)
		return k8s_fail(x, c->field, "out of memory");
	return 0;
}

/* env[] into NAME=VALUE; valueFrom (a Secret, a ConfigMap) is unknown. */
static int
k8s_env(const struct k8s_doc *x, const struct k8s_container *c,
    struct plan_k8s *k)
{
	char path[PLAN_K8S_FIELD_MAX];
	yaml_node_t *env;
	int rc;

	if ((rc = k8s_get_seq(x, c->node, c->field, "env", &env)) < 0)
		return -1;
	for (size_t i = 0; rc > 0 && i < k8s_len(env); i++) {
		yaml_node_t *e = k8s_item(x, env, i);
		const char *name, *value;

		snprintf(path, sizeof(path), "%s.env[%zu]", c->field, i);
		if (k8s_get_string(x, e, path, "name", &name) < 0 ||
		    k8s_get_string(x, e, path, "value", &value) < 0)
			return -1;
		if (name == NULL)
			return k8s_fail(x, path, "has no name");
		if (value == NULL)
			continue;
		if (plan_cmdline_env(&k->cmd, name, value) < 0)
			return k8s_fail(x, path, "out of memory");
	}
	return 0;
}

/* A port of the container by its name, or 0. */
static unsigned
k8s_named_port(const struct k8s_doc *x, const yaml_node_t *c,
    const char *name)
{
	yaml_node_t *ports, *p, *v;

	if (k8s_get(x, c, "", "ports", &ports) <= 0 ||
	    ports->type != YAML_SEQUENCE_NODE)
		return 0;
	for (size_t i = 0; i < k8s_len(ports); i++) {
		p = k8s_item(x, ports, i);
		if (p->type != YAML_MAPPING_NODE ||
		    k8s_get(x, p, "", "name", &v) <= 0 ||
		    v->type != YAML_SCALAR_NODE ||
		    strcmp((const char *)v->data.scalar.value, name) != 0 ||
		    k8s_get(x, p, "", "containerPort", &v) <= 0 ||
		    k8s_type(v) != K8S_TYPE_INT)
			continue;
		return (unsigned)strtoul((const char *)v->data.scalar.value,
		    NULL, 10) & 0xffffu;
	}
	return 0;
}

/* httpGet.port: an int-or-string, a name resolved in the container. */
static int
k8s_port(const struct k8s_doc *x, const yaml_node_t *c,
    const yaml_node_t *get, const char *path, unsigned *port)
{
	char sub[PLAN_K8S_FIELD_MAX];
	yaml_node_t *v;
	long long n;
	int rc;

	*port = 0;
	if ((rc = k8s_get(x, get, path, "port", &v)) < 0)
		return -1;
	k8s_path(sub, sizeof(sub), path, "port");
	if (rc == 0)
		return k8s_fail(x, sub, "is missing");
	if (k8s_type(v) == K8S_TYPE_STRING) {
		*port = k8s_named_port(x, c, (const char *)v->data.scalar.value);
		return 0;
	}
	if (k8s_whole(x, v, sub, 1, 65535, &n) < 0)
		return -1;
	*port = (unsigned)n;
	return 0;
}

static int
k8s_probe(const struct k8s_doc *x, const struct k8s_container *c,
    enum plan_k8s_probe_kind kind, const char *key, struct plan_k8s *k)
{
	struct plan_k8s_probe *p;
	yaml_node_t *pr, *get;
	const char *path = NULL;
	char field[PLAN_K8S_FIELD_MAX], sub[PLAN_K8S_FIELD_MAX];
	int rc;

	if ((rc = k8s_get_map(x, c->node, c->field, key, &pr)) <= 0)
		return rc;
	if (k->nprobes >= PLAN_K8S_PROBES_MAX)
		return 0;
	p = &k->probe[k->nprobes];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	k8s_path(field, sizeof(field), c->field, key);
	snprintf(p->field, sizeof(p->field), "%s", field);
	p->period_ms = 10000;
	p->timeout_ms = 1000;
	p->failure = 3;
	p->success = 1;
	if (k8s_get_whole(x, pr, field, "periodSeconds", 1, K8S_SECONDS_MAX,
	    1000, &p->period_ms) < 0 ||
	    k8s_get_whole(x, pr, field, "timeoutSeconds", 1, K8S_SECONDS_MAX,
	    1000, &p->timeout_ms) < 0 ||
	    k8s_get_whole(x, pr, field, "failureThreshold", 1, 1000000, 1,
	    &p->failure) < 0 ||
	    k8s_get_whole(x, pr, field, "successThreshold", 1, 1000000, 1,
	    &p->success) < 0 ||
	    (rc = k8s_get_map(x, pr, field, "httpGet", &get)) < 0)
		return -1;
	if (rc > 0) {
		k8s_path(sub, sizeof(sub), field, "httpGet");
		if (k8s_get_string(x, get, sub, "path", &path) < 0 ||
		    k8s_port(x, c->node, get, sub, &p->port) < 0)
			return -1;
		p->http = true;
		snprintf(p->path, sizeof(p->path), "%s", path ? path : "/");
	}
	k->nprobes++;
	return 0;
}

static int
k8s_probes(const struct k8s_doc *x, const struct k8s_container *c,
    struct plan_k8s *k)
{
	if (k8s_probe(x, c, PLAN_K8S_PROBE_READINESS, "readinessProbe", k) < 0 ||
	    k8s_probe(x, c, PLAN_K8S_PROBE_LIVENESS, "livenessProbe", k) < 0 ||
	    k8s_probe(x, c, PLAN_K8S_PROBE_STARTUP, "startupProbe", k) < 0)
		return -1;
	return 0;
}

/* "sleep N" among words, or inside a shell line: N in ms, else 0. */
static unsigned
k8s_sleep_words(const char *const *words, size_t n)
{
	char line[512], *save = NULL, *w, *prev = NULL;
	size_t at = 0;
	unsigned ms;

	for (size_t i = 0; i < n && at < sizeof(line) - 1; i++)
		at += (size_t)snprintf(line + at, sizeof(line) - at, "%s ",
		    words[i]);
	for (w = strtok_r(line, " \t;&|", &save); w; prev = w,
	    w = strtok_r(NULL, " \t;&|", &save))
		if (prev && strcmp(plan_cmdline_base(prev), "sleep") == 0 &&
		    opts_parse_duration(w, &ms) == NULL)
			return ms;
	return 0;
}

static enum plan_k8s_hook
k8s_exec_hook(const char *const *words, size_t n, unsigned *sleep_ms)
{
	bool ctl = false, drain = false, wait = false;

	for (size_t i = 0; i < n; i++) {
		if (strstr(words[i], "/admin/prestop"))
			return PLAN_K8S_HOOK_DRAIN;
		ctl = ctl || strcmp(words[i], "ctl") == 0;
		drain = drain || strcmp(words[i], "drain") == 0;
		wait = wait || strcmp(words[i], "--wait") == 0;
	}
	if (ctl && drain && wait)
		return PLAN_K8S_HOOK_DRAIN;
	if ((*sleep_ms = k8s_sleep_words(words, n)) > 0)
		return PLAN_K8S_HOOK_SLEEP;
	return PLAN_K8S_HOOK_OTHER;
}

/* lifecycle.preStop of the container c: what it does. */
static int
k8s_prestop(const struct k8s_doc *x, const struct k8s_container *c,
    struct plan_k8s *k)
{
	const char *words[K8S_WORDS_MAX], *path = NULL;
	char lfield[PLAN_K8S_FIELD_MAX], field[PLAN_K8S_FIELD_MAX];
	char sub[PLAN_K8S_FIELD_MAX];
	yaml_node_t *lc, *ps, *h;
	size_t n = 0;
	int rc;

	k->prestop = PLAN_K8S_HOOK_NONE;
	snprintf(k->prestop_field, sizeof(k->prestop_field),
	    "%s.lifecycle.preStop", c->field);
	k8s_path(lfield, sizeof(lfield), c->field, "lifecycle");
	if ((rc = k8s_get_map(x, c->node, c->field, "lifecycle", &lc)) <= 0 ||
	    (rc = k8s_get_map(x, lc, lfield, "preStop", &ps)) <= 0)
		return rc;
	k8s_path(field, sizeof(field), lfield, "preStop");
	k->prestop = PLAN_K8S_HOOK_OTHER;
	if ((rc = k8s_get_map(x, ps, field, "sleep", &h)) < 0)
		return -1;
	if (rc > 0) {
		k8s_path(sub, sizeof(sub), field, "sleep");
		if ((rc = k8s_get_whole(x, h, sub, "seconds", 0,
		    K8S_SECONDS_MAX, 1000, &k->prestop_sleep_ms)) < 0)
			return -1;
		if (rc == 0)
			return k8s_fail(x, k8s_path(field, sizeof(field), sub,
			    "seconds"), "is missing");
		k->prestop = PLAN_K8S_HOOK_SLEEP;
		return 0;
	}
	if ((rc = k8s_get_map(x, ps, field, "httpGet", &h)) < 0)
		return -1;
	if (rc > 0) {
		k8s_path(sub, sizeof(sub), field, "httpGet");
		if (k8s_get_string(x, h, sub, "path", &path) < 0)
			return -1;
		if (path && strncmp(path, "/admin/prestop", 14) == 0)
			k->prestop = PLAN_K8S_HOOK_DRAIN;
		return 0;
	}
	if ((rc = k8s_get_map(x, ps, field, "exec", &h)) < 0)
		return -1;
	k8s_path(sub, sizeof(sub), field, "exec");
	if (rc > 0 && k8s_words(x, h, sub, "command", words, &n) < 0)
		return -1;
	k->prestop = k8s_exec_hook(words, n, &k->prestop_sleep_ms);
	return 0;
}

static int
k8s_readiness_gates(const struct k8s_doc *x, const yaml_node_t *pod,
    const char *spec, struct plan_k8s *k)
{
	char path[PLAN_K8S_FIELD_MAX];
	yaml_node_t *gates;
	const char *type;
	int rc;

	if ((rc = k8s_get_seq(x, pod, spec, "readinessGates", &gates)) <= 0)
		return rc;
	for (size_t i = 0; i < k8s_len(gates); i++) {
		snprintf(path, sizeof(path), "%s.readinessGates[%zu]", spec, i);
		if (k8s_get_string(x, k8s_item(x, gates, i), path,
		    "conditionType", &type) < 0)
			return -1;
		if (type && strncmp(type, GATE_PREFIX, strlen(GATE_PREFIX)) == 0)
			k->readiness_gate = true;
	}
	return 0;
}

/* The container most surely healthgate's, and the app's beside it. */
static int
k8s_pick(const struct k8s_doc *x, const char *spec, struct k8s_container *cs,
    int n, int *hg, int *app)
{
	*hg = *app = -1;
	for (int i = 0; i < n; i++)
		if (cs[i].score > 0 && (*hg < 0 || cs[i].score > cs[*hg].score))
			*hg = i;
	if (*hg < 0)
		return k8s_fail(x, spec, "no healthgate container (none runs "
		    "healthgate, has a healthgate image, is named healthgate or "
		    "has HEALTHGATE_* variables)");
	for (int i = 0; i < n; i++)
		if (i != *hg && !cs[i].init && *app < 0)
			*app = i;
	return 0;
}

/* The form, from where healthgate is and what its command line says. */
static int
k8s_form(const struct k8s_doc *x, const struct k8s_container *hg,
    struct plan_k8s *k)
{
	char path[PLAN_K8S_FIELD_MAX];
	const char *policy = NULL;

	if (k->cmd.supervisor) {
		k->form = PLAN_K8S_FORM_SUPERVISOR;
		return 0;
	}
	if (!hg->init) {
		k->form = PLAN_K8S_FORM_SIDECAR;
		return 0;
	}
	if (k8s_get_string(x, hg->node, hg->field, "restartPolicy",
	    &policy) < 0)
		return -1;
	if (policy == NULL || strcmp(policy, "Always") != 0)
		return k8s_fail(x, k8s_path(path, sizeof(path), hg->field,
		    "restartPolicy"), "healthgate as an init container must be "
		    "a native sidecar (restartPolicy: Always): else the pod "
		    "waits for it to exit before its app starts");
	k->form = PLAN_K8S_FORM_NATIVE_SIDECAR;
	return 0;
}

/* The pod spec: healthgate, the app, their hooks and probes, the gates. */
static int
k8s_pod(const struct k8s_doc *x, const yaml_node_t *pod, struct plan_k8s *k)
{
	struct k8s_container cs[32];
	int n, hg, app;

	if ((n = k8s_containers(x, pod, k->spec, cs, 32)) < 0 ||
	    k8s_pick(x, k->spec, cs, n, &hg, &app) < 0 ||
	    k8s_command_line(x, &cs[hg], k) < 0 ||
	    k8s_env(x, &cs[hg], k) < 0 || k8s_form(x, &cs[hg], k) < 0)
		return -1;
	snprintf(k->hg_field, sizeof(k->hg_field), "%s", cs[hg].field);
	snprintf(k->hg_container, sizeof(k->hg_container), "%s",
	    cs[hg].name ? cs[hg].name : "?");
	if (k->form != PLAN_K8S_FORM_SUPERVISOR && app < 0)
		return k8s_fail(x, k->spec, "healthgate runs as a sidecar, but "
		    "no other container is there for it to stand for");
	if (k->form == PLAN_K8S_FORM_SUPERVISOR)
		app = hg;
	snprintf(k->app_field, sizeof(k->app_field), "%s", cs[app].field);
	snprintf(k->app_container, sizeof(k->app_container), "%s",
	    cs[app].name ? cs[app].name : "?");
	if (k8s_prestop(x, &cs[app], k) < 0 || k8s_probes(x, &cs[hg], k) < 0 ||
	    (app != hg && k8s_probes(x, &cs[app], k) < 0))
		return -1;
	return k8s_readiness_gates(x, pod, k->spec, k);
}

static int
k8s_workload(const struct k8s_doc *x, const yaml_node_t *obj,
    const char *kind, struct plan_k8s *k)
{
	yaml_node_t *meta, *spec, *tmpl, *pod;
	const char *name, *ns = NULL;
	int rc;

	if (k8s_metadata_name(x, obj, &name) < 0)
		return -1;
	if (k->object[0])
		return k8s_fail(x, "metadata.name", "a second workload, %s/%s, "
		    "beside %s; plan takes one at a time", kind, name,
		    k->object);
	k8s_name_object(k->object, sizeof(k->object), kind, name);
	snprintf(k->file, sizeof(k->file), "%s", x->name);
	if (k8s_get_map(x, obj, "", "metadata", &meta) < 0 ||
	    k8s_get_string(x, meta, "metadata", "namespace", &ns) < 0)
		return -1;
	snprintf(k->ns, sizeof(k->ns), "%s", ns ? ns : "default");
	snprintf(k->spec, sizeof(k->spec), "%s", strcmp(kind, "Pod") ?
	    "spec.template.spec" : "spec");
	if ((rc = k8s_get_map(x, obj, "", "spec", &spec)) <= 0)
		return rc < 0 ? -1 : k8s_fail(x, "spec", "is missing");
	pod = spec;
	if (strcmp(kind, "Pod") != 0) {
		if ((rc = k8s_get_map(x, spec, "spec", "template", &tmpl)) <= 0)
			return rc < 0 ? -1 : k8s_fail(x, "spec.template",
			    "is missing");
		if ((rc = k8s_get_map(x, tmpl, "spec.template", "spec",
		    &pod)) <= 0)
			return rc < 0 ? -1 : k8s_fail(x, "spec.template.spec",
			    "is missing");
	}
	k->grace_ms = K8S_GRACE_MS;
	if ((rc = k8s_get_whole(x, pod, k->spec,
	    "terminationGracePeriodSeconds", 0, K8S_SECONDS_MAX, 1000,
	    &k->grace_ms)) < 0)
		return -1;
	k->grace_set = rc > 0;
	return k8s_pod(x, pod, k);
}

/* --- documents --------------------------------------------------------- */

static const char *const k8s_workloads[] = { "Deployment", "StatefulSet",
    "DaemonSet", "ReplicaSet", "Pod", NULL };

static int
k8s_object(struct k8s_doc *x, const yaml_node_t *obj, struct plan_k8s *k,
    struct plan_input *in)
{
	const char *kind;
	int rc;

	if (obj->type != YAML_MAPPING_NODE)
		return k8s_fail(x, "", "is %s, not an object (a mapping with "
		    "apiVersion and kind)", k8s_type_name(k8s_type(obj)));
	if ((rc = k8s_get_string(x, obj, "", "kind", &kind)) < 0)
		return -1;
	if (rc == 0)
		return k8s_fail(x, "kind", "is missing: not a Kubernetes "
		    "object");
	if (k8s_is(kind, k8s_workloads))
		return k8s_workload(x, obj, kind, k);
	if (strcmp(kind, "Service") == 0)
		return k8s_service(x, obj, k, in);
	if (strcmp(kind, "Ingress") == 0)
		return k8s_ingress(x, obj, k, in);
	if (strcmp(kind, "TargetGroupBinding") == 0)
		return k8s_target_group_binding(x, obj, k);
	if (strcmp(kind, "Namespace") == 0)
		return k8s_namespace(x, obj, k);
	return 0;	/* ConfigMaps, PodDisruptionBudgets, ...: not timing */
}

/* One document: nothing, an object, or a List of objects. */
static int
k8s_document(struct k8s_doc *x, const yaml_node_t *root, struct plan_k8s *k,
    struct plan_input *in)
{
	yaml_node_t *items;
	const char *kind;

	x->pre[0] = '\0';
	if (k8s_type(root) == K8S_TYPE_NULL)
		return 0;	/* an empty document, as kubectl skips it */
	if (root->type != YAML_MAPPING_NODE)
		return k8s_object(x, root, k, in);
	if (k8s_get_string(x, root, "", "kind", &kind) < 0)
		return -1;
	if (kind == NULL || strcmp(kind, "List") != 0)
		return k8s_object(x, root, k, in);
	if (k8s_get_seq(x, root, "", "items", &items) < 0)
		return -1;
	for (size_t i = 0; items && i < k8s_len(items); i++) {
		snprintf(x->pre, sizeof(x->pre), "items[%zu].", i);
		if (k8s_object(x, k8s_item(x, items, i), k, in) < 0)
			return -1;
	}
	return 0;
}

static int
k8s_syntax(struct k8s_doc *x, const yaml_parser_t *p)
{
	return k8s_fail(x, "", "line %zu, column %zu: %s%s%s",
	    p->problem_mark.line + 1, p->problem_mark.column + 1,
	    p->problem ? p->problem : "not YAML",
	    p->context ? " " : "", p->context ? p->context : "");
}

int
plan_k8s_read(const char *text, size_t len, const char *name,
    struct plan_k8s *k, struct plan_input *in, char *err, size_t errlen)
{
	struct k8s_doc x = { .name = name, .err = err, .errlen = errlen };
	yaml_parser_t p;
	yaml_document_t d;
	yaml_node_t *root;
	int rc = -1;

	err[0] = '\0';
	if (!yaml_parser_initialize(&p))
		return k8s_fail(&x, "", "out of memory");
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	for (x.no = 1;; x.no++) {
		if (!yaml_parser_load(&p, &d)) {
			rc = k8s_syntax(&x, &p);
			goto out;
		}
		x.d = &d;
		if ((root = yaml_document_get_root_node(&d)) == NULL) {
			yaml_document_delete(&d);
			break;	/* the end of the stream */
		}
		k->ndocs++;
		rc = k8s_document(&x, root, k, in);
		yaml_document_delete(&d);
		if (rc < 0)
			goto out;
	}
	rc = 0;
out:
	yaml_parser_delete(&p);
	return rc;
}

int
plan_k8s_done(struct plan_k8s *k, struct plan_input *in, char *err,
    size_t errlen)
{
	if (k->object[0] == '\0') {
		snprintf(err, errlen, "no Deployment, StatefulSet, DaemonSet or "
		    "Pod in the manifests (%u documents read)", k->ndocs);
		return -1;
	}
	if (k->lbc_ingress) {
		if (!(k->alb_mask & PLAN_TG_INTERVAL))
			in->alb_interval_ms = LBC_INTERVAL_MS;
		if (!(k->alb_mask & PLAN_TG_TIMEOUT))
			in->alb_timeout_ms = LBC_TIMEOUT_MS;
		if (!(k->alb_mask & PLAN_TG_HEALTHY))
			in->alb_healthy = LBC_THRESHOLD;
		if (!(k->alb_mask & PLAN_TG_UNHEALTHY))
			in->alb_unhealthy = LBC_THRESHOLD;
	}
	if (k->gate_inject && strcmp(k->gate_ns, k->ns) == 0)
		k->readiness_gate = true;
	return 0;
}

void
plan_k8s_free(struct plan_k8s *k)
{
	plan_cmdline_free(&k->cmd);
}

const char *
plan_k8s_form_name(enum plan_k8s_form f)
{
	switch (f) {
	case PLAN_K8S_FORM_SUPERVISOR:		return "supervisor";
	case PLAN_K8S_FORM_NATIVE_SIDECAR:	return "native sidecar";
	case PLAN_K8S_FORM_SIDECAR:		return "sidecar";
	}
	return "?";
}

const char *
plan_k8s_hook_name(enum plan_k8s_hook h)
{
	switch (h) {
	case PLAN_K8S_HOOK_NONE:	return "none";
	case PLAN_K8S_HOOK_SLEEP:	return "sleep";
	case PLAN_K8S_HOOK_DRAIN:	return "drain";
	case PLAN_K8S_HOOK_OTHER:	return "other";
	}
	return "?";
}

const char *
plan_k8s_probe_name(enum plan_k8s_probe_kind p)
{
	switch (p) {
	case PLAN_K8S_PROBE_READINESS:	return "readiness";
	case PLAN_K8S_PROBE_LIVENESS:	return "liveness";
	case PLAN_K8S_PROBE_STARTUP:	return "startup";
	}
	return "?";
}
