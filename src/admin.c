/*
 * admin.c: the admin API's rules and bodies (admin.h). No I/O: the caller
 * hands in the client's address, its Authorization field and the token
 * read at start, and gets a decision or a body back.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "admin.h"
#include "clock.h"

/* Every verb: its path under /admin/, its method, its Allow field. */
static const struct {
	enum admin_verb	 verb;
	const char	*path;
	const char	*allow;
} admin_verbs[] = {
	{ ADMIN_VERB_MAINTENANCE_ON, "/admin/maintenance/on", "POST" },
	{ ADMIN_VERB_MAINTENANCE_OFF, "/admin/maintenance/off", "POST" },
	{ ADMIN_VERB_DRAIN, "/admin/drain", "POST" },
	/* GET only: a HEAD that starts a drain would surprise anyone. */
	{ ADMIN_VERB_PRESTOP, "/admin/prestop", "GET" },
	{ ADMIN_VERB_STATUS, "/admin/status", "GET, HEAD" },
};

#define ADMIN_NVERBS	(sizeof(admin_verbs) / sizeof(admin_verbs[0]))

enum admin_verb
admin_verb_of(const char *url)
{
	for (unsigned i = 0; i < ADMIN_NVERBS; i++)
		if (strcmp(url, admin_verbs[i].path) == 0)
			return admin_verbs[i].verb;
	return ADMIN_VERB_NONE;
}

const char *
admin_verb_path(enum admin_verb v)
{
	for (unsigned i = 0; i < ADMIN_NVERBS; i++)
		if (admin_verbs[i].verb == v)
			return admin_verbs[i].path;
	return "/admin/";
}

const char *
admin_allow(enum admin_verb v)
{
	for (unsigned i = 0; i < ADMIN_NVERBS; i++)
		if (admin_verbs[i].verb == v)
			return admin_verbs[i].allow;
	return "";
}

bool
admin_method_ok(enum admin_verb v, const char *method)
{
	const char *p = admin_allow(v);
	size_t n = strlen(method);

	/* One of the Allow field's words, exactly. */
	while (*p) {
		size_t w = strcspn(p, ",");

		if (w == n && strncmp(p, method, n) == 0)
			return true;
		p += w;
		p += strspn(p, ", ");
	}
	return false;
}

bool
admin_loopback(const struct addr *a)
{
	static const unsigned char v6[16] = { [15] = 1 };

	if (a->family == AF_INET)
		return a->bytes[0] == 127;
	return a->family == AF_INET6 && memcmp(a->bytes, v6, 16) == 0;
}

bool
admin_token_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	volatile unsigned char diff = alen != blen;

	/*
	 * Over b's length whatever a is: a shorter a is read as NULs past
	 * its end, a longer one only to b's length.
	 */
	for (size_t i = 0; i < blen; i++) {
		unsigned char x = i < alen ? (unsigned char)a[i] : 0;

		diff |= x ^ (unsigned char)b[i];
	}
	return diff == 0;
}

enum admin_access
admin_access_check(const struct addr *client, const char *authorization,
    const char *token)
{
	static const char scheme[] = "Bearer";
	size_t n = sizeof(scheme) - 1;
	const char *given;

	if (admin_loopback(client))
		return ADMIN_ACCESS_LOOPBACK;
	if (token == NULL)
		return ADMIN_ACCESS_NOT_ENABLED;
	/* RFC 9110 11.1: the scheme is case-insensitive, then spaces. */
	if (authorization == NULL || strncasecmp(authorization, scheme, n) ||
	    authorization[n] != ' ')
		return ADMIN_ACCESS_NO_TOKEN;
	for (given = authorization + n; *given == ' '; given++)
		;
	if (!admin_token_equal(given, strlen(given), token, strlen(token)))
		return ADMIN_ACCESS_BAD_TOKEN;
	return ADMIN_ACCESS_TOKEN;
}

bool
admin_access_ok(enum admin_access a)
{
	return a == ADMIN_ACCESS_LOOPBACK || a == ADMIN_ACCESS_TOKEN;
}

const char *
admin_access_name(enum admin_access a)
{
	switch (a) {
	case ADMIN_ACCESS_LOOPBACK:	return "loopback";
	case ADMIN_ACCESS_TOKEN:	return "token";
	case ADMIN_ACCESS_NO_TOKEN:	return "no_token";
	case ADMIN_ACCESS_BAD_TOKEN:	return "bad_token";
	case ADMIN_ACCESS_NOT_ENABLED:	return "not_enabled";
	}
	return "?";
}

const char *
admin_token_parse(const char *text, size_t n, size_t *len)
{
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' ||
	    text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	if (n == 0)
		return "is empty";
	if (n > ADMIN_TOKEN_MAX)
		return "holds more than 4096 bytes";
	/* It goes into an HTTP field as one token68 word: no space, no CTL. */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)text[i] <= ' ' || text[i] == 0x7f)
			return "holds a space or a control character in its "
			    "token";
	*len = n;
	return NULL;
}

const char *
admin_state_name(const struct admin_status *st)
{
	if (st->drain != ADMIN_DRAIN_OFF)
		return "draining";
	return st->maintenance ? "maintenance" : "serving";
}

/* A wall time in seconds, printed as log lines print theirs. */
static void
admin_time(struct sbuf *b, const char *key, double when)
{
	char ts[64];
	time_t secs = (time_t)when;

	clock_format_wall(secs, (unsigned)((when - (double)secs) * 1000), ts,
	    sizeof(ts));
	sbuf_printf(b, "\"%s\":\"%s\"", key, ts);
}

static void
admin_end_fields(const struct admin_end *e, struct sbuf *b)
{
	sbuf_printf(b, "\"reason\":");
	sbuf_json_string(b, e->reason);
	sbuf_printf(b, ",\"started_by\":");
	sbuf_json_string(b, e->started_by ? e->started_by : "");
	sbuf_printf(b, ",");
	admin_time(b, "started", e->started);
	sbuf_printf(b, ",");
	admin_time(b, "ended", e->ended);
	sbuf_printf(b, ",\"duration_ms\":%.0f", e->duration * 1000);
}

void
admin_render_end(const struct admin_end *e, struct sbuf *b)
{
	sbuf_printf(b, "{\"drain\":\"ended\",");
	admin_end_fields(e, b);
	sbuf_printf(b, "}\n");
}

static void
admin_render_checks(const struct admin_status *st, struct sbuf *b)
{
	sbuf_printf(b, ",\"checks\":[");
	for (unsigned i = 0; i < st->nchecks; i++) {
		const struct health_check *c = &st->checks[i];

		sbuf_printf(b, "%s{\"name\":", i ? "," : "");
		sbuf_json_string(b, c->name);
		sbuf_printf(b, ",\"verdict\":\"%s\"", !c->ran ? "pending" :
		    c->up ? "up" : "down");
		if (c->output && c->output[0]) {
			sbuf_printf(b, ",\"output\":");
			sbuf_json_string(b, c->output);
		}
		sbuf_printf(b, "}");
	}
	sbuf_printf(b, "]");
}

static void
admin_render_probers(const struct admin_status *st, struct sbuf *b)
{
	char ip[ADDR_STR_MAX];

	sbuf_printf(b, ",\"probers\":[");
	for (unsigned i = 0; i < st->nprobers; i++) {
		const struct drain_prober *p = &st->probers[i];

		addr_format(&p->addr, ip, sizeof(ip));
		sbuf_printf(b, "%s{\"addr\":\"%s\",\"state\":\"%s\","
		    "\"last_seen_ms_ago\":%.0f,\"503s\":%u}", i ? "," : "", ip,
		    drain_prober_state_name(p->state), p->idle * 1000,
		    p->fails);
	}
	sbuf_printf(b, "]");
}

/*
 * The app's traffic, when the drain waits for it to go quiet: answers
 * owed, and how long since the last arrival against the quiet period
 * (null: nothing arrived within the horizon).
 */
static void
admin_render_app(const struct quiet_stats *q, struct sbuf *b)
{
	sbuf_printf(b, ",\"app\":{\"connections\":%u,\"pending\":%u,"
	    "\"last_arrival_ms_ago\":", q->conns, q->pending);
	if (q->since_recv < 0)
		sbuf_printf(b, "null");
	else
		sbuf_printf(b, "%.0f", q->since_recv * 1000);
	sbuf_printf(b, ",\"quiet_period_ms\":%.0f}", q->period * 1000);
}

/* While running: what the drain still waits for. */
static void
admin_render_waiting(const struct admin_status *st, struct sbuf *b)
{
	char ip[ADDR_STR_MAX];
	const char *sep = "";

	sbuf_printf(b, ",\"waiting_for\":{\"probers\":[");
	for (unsigned i = 0; i < st->nprobers; i++) {
		if (st->probers[i].state != DRAIN_PROBER_WAITING)
			continue;
		addr_format(&st->probers[i].addr, ip, sizeof(ip));
		sbuf_printf(b, "%s\"%s\"", sep, ip);
		sep = ",";
	}
	sbuf_printf(b, "],\"inflight\":%u", st->inflight);
	if (st->traffic)
		admin_render_app(&st->app, b);
	sbuf_printf(b, ",\"cap_left_ms\":%.0f}", st->cap_left * 1000);
}

static void
admin_render_drain(const struct admin_status *st, struct sbuf *b)
{
	static const char *const names[] = { "off", "running", "ended" };

	sbuf_printf(b, ",\"drain\":{\"state\":\"%s\"", names[st->drain]);
	if (st->drain != ADMIN_DRAIN_OFF) {
		sbuf_printf(b, ",\"started_by\":");
		sbuf_json_string(b, st->started_by ? st->started_by : "");
		sbuf_printf(b, ",\"then\":\"%s\",\"elapsed_ms\":%.0f",
		    st->exit_when_done ? "exit" : "hold",
		    st->elapsed * 1000);
	}
	if (st->drain == ADMIN_DRAIN_RUNNING)
		admin_render_waiting(st, b);
	if (st->drain == ADMIN_DRAIN_ENDED) {
		sbuf_printf(b, ",");
		admin_end_fields(&st->end, b);
	}
	sbuf_printf(b, ",\"prestop_waiters\":%u}", st->waiters);
}

void
admin_render_status(const struct admin_status *st, struct sbuf *b)
{
	sbuf_printf(b, "{\"state\":\"%s\",\"health\":%u,\"maintenance\":%s",
	    admin_state_name(st), st->health,
	    st->maintenance ? "true" : "false");
	admin_render_checks(st, b);
	admin_render_probers(st, b);
	admin_render_drain(st, b);
	sbuf_printf(b, "}\n");
}

void
admin_render_result(bool ok, const char *state, const char *detail,
    struct sbuf *b)
{
	sbuf_printf(b, "{\"ok\":%s", ok ? "true" : "false");
	if (state) {
		sbuf_printf(b, ",\"state\":");
		sbuf_json_string(b, state);
	}
	if (detail) {
		sbuf_printf(b, ",\"detail\":");
		sbuf_json_string(b, detail);
	}
	sbuf_printf(b, "}\n");
}
