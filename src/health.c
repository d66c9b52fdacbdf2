/*
 * health.c: the /health verdict and body (draft-inadarei-api-health-check).
 */
#include <stdio.h>
#include <string.h>
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

/*
 * Why the status is not "pass", one string each, in the body's order:
 * how many, into notes; down and warned hold the counted ones' text.
 */
static unsigned
health_note_list(const struct health_view *v, unsigned down, unsigned warned,
    const char *notes[5], char *downbuf, char *warnbuf, size_t size)
{
	unsigned n = 0;

	if (v->app_gone)
		notes[n++] = "app exited";
	if (v->draining)
		notes[n++] = "draining";
	if (v->maintenance)
		notes[n++] = "maintenance";
	if (down) {
		snprintf(downbuf, size, "%u of %u checks down", down,
		    v->nchecks);
		notes[n++] = downbuf;
	}
	if (warned) {
		snprintf(warnbuf, size, "%u of %u checks down, severity warn",
		    warned, v->nchecks);
		notes[n++] = warnbuf;
	}
	return n;
}

static void
health_count(const struct health_view *v, unsigned *down, unsigned *warned)
{
	*down = *warned = 0;
	for (unsigned i = 0; i < v->nchecks; i++)
		if (!v->checks[i].up && v->checks[i].warn)
			(*warned)++;
		else if (!v->checks[i].up)
			(*down)++;
}

static void
health_notes(struct sbuf *b, const struct health_view *v, unsigned down,
    unsigned warned)
{
	const char *notes[5];
	char d[64], w[64];
	unsigned n = health_note_list(v, down, warned, notes, d, w, sizeof(d));

	sbuf_printf(b, ",\"notes\":[");
	for (unsigned i = 0; i < n; i++)
		sbuf_printf(b, "%s\"%s\"", i ? "," : "", notes[i]);
	sbuf_printf(b, "]");
}

void
health_why(const struct health_view *v, char *buf, size_t size)
{
	const char *notes[5];
	char d[64], w[64];
	unsigned down, warned, n;

	health_count(v, &down, &warned);
	n = health_note_list(v, down, warned, notes, d, w, sizeof(d));
	buf[0] = '\0';
	for (unsigned i = 0; i < n; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s",
		    i ? ", " : "", notes[i]);
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
	unsigned down, warned, i;
	bool pass;

	health_count(v, &down, &warned);
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
