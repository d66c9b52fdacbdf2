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
		if (!v->checks[i].up)
			return HEALTH_REASON_CHECKS_DOWN;
	return HEALTH_REASON_PASS;
}

const char *
health_reason_name(enum health_reason r)
{
	static const char *const names[HEALTH_REASON_COUNT] = {
		"pass", "app_exited", "draining", "maintenance", "checks_down",
	};

	return r < HEALTH_REASON_COUNT ? names[r] : "?";
}

unsigned
health_render(const struct health_view *v, struct sbuf *b)
{
	unsigned down = 0, i;
	const char *sep = "";
	char ts[64];

	for (i = 0; i < v->nchecks; i++)
		if (!v->checks[i].up)
			down++;
	bool pass = health_reason(v) == HEALTH_REASON_PASS;

	sbuf_printf(b, "{\"status\":\"%s\"", pass ? "pass" : "fail");
	if (!pass) {
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
		if (down)
			sbuf_printf(b, "%s\"%u of %u checks down\"", sep, down,
			    v->nchecks);
		sbuf_printf(b, "]");
	}
	if (v->nchecks) {
		sbuf_printf(b, ",\"checks\":{");
		for (i = 0; i < v->nchecks; i++) {
			const struct health_check *c = &v->checks[i];
			char key[96];

			snprintf(key, sizeof(key), "%s:responseTime", c->name);
			sbuf_printf(b, "%s", i ? "," : "");
			sbuf_json_string(b, key);
			sbuf_printf(b, ":[{\"status\":\"%s\"",
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
		sbuf_printf(b, "}");
	}
	sbuf_printf(b, "}\n");
	return pass ? 200 : 503;
}
