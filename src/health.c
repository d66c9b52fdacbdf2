/*
 * health.c: the /health verdict and body (draft-inadarei-api-health-check).
 */
#include <stdio.h>
#include <time.h>

#include "clock.h"
#include "health.h"

/* A wall time in seconds, printed as log lines print theirs. */
static void
iso8601(double when, char *buf, size_t size)
{
	time_t secs = (time_t)when;

	clock_format_wall(secs, (unsigned)((when - (double)secs) * 1000), buf,
	    size);
}

enum health_reason
health_reason(const struct health_view *v)
{
	if (v->app_gone)
		return HEALTH_REASON_APP_EXITED;
	if (v->draining)
		return HEALTH_REASON_DRAINING;
	if (v->maintenance)
		return HEALTH_REASON_MAINTENANCE;
	for (unsigned i = 0; i < v->nchecks; i++)
		if (!v->checks[i].up && !v->checks[i].warn)
			return HEALTH_REASON_CHECKS_DOWN;
	for (unsigned i = 0; i < v->nchecks; i++)
		if (!v->checks[i].up)
			return HEALTH_REASON_WARN;
	return HEALTH_REASON_PASS;
}

const char *
health_reason_name(enum health_reason r)
{
	static const char *const names[HEALTH_REASON_COUNT] = {
		"pass", "warn", "app_exited", "draining", "maintenance",
		"checks_down",
	};

	return r < HEALTH_REASON_COUNT ? names[r] : "?";
}

/* "key":"value" for each draft field of the service that is given. */
static void
health_service(struct sbuf *b, const struct health_service *sv)
{
	const struct {
		const char	*key, *value;
	} f[] = {
		{ "version", sv->version }, { "releaseId", sv->release_id },
		{ "serviceId", sv->service_id },
		{ "description", sv->description },
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (f[i].value) {
			sbuf_printf(b, ",\"%s\":", f[i].key);
			sbuf_json_string(b, f[i].value);
		}
}

/* Why the status is not "pass", one string each. */
static void
health_notes(struct sbuf *b, const struct health_view *v, unsigned down,
    unsigned warned)
{
	const char *sep = "";

	sbuf_printf(b, ",\"notes\":[");
	if (v->app_gone) {
		sbuf_printf(b, "\"app exited\"");
		sep = ",";
	}
	if (v->draining) {
		sbuf_printf(b, "%s\"draining\"", sep);
		sep = ",";
	}
	if (v->maintenance) {
		sbuf_printf(b, "%s\"maintenance\"", sep);
		sep = ",";
	}
	if (down) {
		sbuf_printf(b, "%s\"%u of %u checks down\"", sep, down,
		    v->nchecks);
		sep = ",";
	}
	if (warned)
		sbuf_printf(b, "%s\"%u of %u checks down, severity warn\"", sep,
		    warned, v->nchecks);
	sbuf_printf(b, "]");
}

/* One check as the draft's "NAME:responseTime" member. */
static void
health_member(struct sbuf *b, const struct health_check *c)
{
	char key[96], ts[64];

	snprintf(key, sizeof(key), "%s:responseTime", c->name);
	sbuf_json_string(b, key);
	sbuf_printf(b, ":[{\"componentType\":\"component\",\"status\":\"%s\"",
	    c->up ? "pass" : "fail");
	if (c->ran) {
		iso8601(c->when, ts, sizeof(ts));
		sbuf_printf(b, ",\"observedValue\":%.1f,"
		    "\"observedUnit\":\"ms\",\"time\":\"%s\"",
		    c->duration_ms, ts);
	}
	if (c->output && c->output[0]) {
		sbuf_printf(b, ",\"output\":");
		sbuf_json_string(b, c->output);
	}
	sbuf_printf(b, "}]");
}

unsigned
health_render(const struct health_view *v, struct sbuf *b)
{
	unsigned down = 0, warned = 0, i;
	bool pass;

	for (i = 0; i < v->nchecks; i++)
		if (!v->checks[i].up && v->checks[i].warn)
			warned++;
		else if (!v->checks[i].up)
			down++;
	pass = !v->draining && !v->maintenance && !v->app_gone && down == 0;
	sbuf_printf(b, "{\"status\":\"%s\"", !pass ? "fail" : warned ? "warn" :
	    "pass");
	if (v->service)
		health_service(b, v->service);
	if (!pass || warned)
		health_notes(b, v, down, warned);
	if (v->nchecks) {
		sbuf_printf(b, ",\"checks\":{");
		for (i = 0; i < v->nchecks; i++) {
			sbuf_printf(b, "%s", i ? "," : "");
			health_member(b, &v->checks[i]);
		}
		sbuf_printf(b, "}");
	}
	sbuf_printf(b, "}\n");
	return pass ? 200 : 503;
}
