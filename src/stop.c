/*
 * stop.c: the drain on the loop, from the stop signal to done() (stop.h).
 *
 * Every time it reads comes from clock_mono(): a wall-clock step (NTP, a
 * VM resumed, an operator's date -s) neither ends a drain early nor
 * stretches it past the cap. The one timer is relative (ev_timer runs on
 * libev's monotonic time), armed for the next moment drain.c named.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "stop.h"
#include "traffic.h"

struct stop {
	struct ev_loop	*loop;
	struct drain	*drain;		/* owned */
	struct stop_params params;
	struct stop_hooks hooks;
	ev_timer	 timer;		/* the next time the drain may be over */
	bool		 over;		/* done() was called */
	bool		 traffic;	/* the app's traffic is evidence */
	double		 started;	/* clock_mono() at the drain's start */
	unsigned long long n503;	/* 503s served while draining */
};

static void
stop_finish(struct stop *s, enum stop_end how, enum drain_state reason)
{
	s->over = true;
	ev_timer_stop(s->loop, &s->timer);
	if (s->params.traffic)
		traffic_halt(s->params.traffic);
	s->hooks.done(s->hooks.arg, how, reason);
}

/* The drain's end, with the traffic's figures when it was evidence. */
static void
stop_log_end(struct stop *s, enum drain_state ds, double now)
{
	struct drain_stats st;
	struct quiet_stats qs = { 0 };
	bool capped = ds == DRAIN_CAPPED;

	drain_stats(s->drain, now, &st);
	if (s->traffic)
		quiet_stats(traffic_quiet(s->params.traffic), now, &qs);
	log_kv_write(capped ? LOG_WARN : LOG_INFO, capped ? "drain_capped" :
	    "drain_end", (const struct log_kv[]){
	    LOG_S("reason", drain_state_name(ds)),
	    LOG_U("watched", st.watched), LOG_U("served", st.served),
	    LOG_U("silent", st.silent), LOG_U("503s", s->n503),
	    /* The traffic's figures; without it, the list ends here. */
	    s->traffic ? LOG_U("conns", qs.conns) : LOG_END,
	    LOG_U("pending", qs.pending),
	    LOG_I("last_byte_ms", qs.since_recv < 0 ? -1LL :
	    (long long)(qs.since_recv * 1000 + 0.5)),
	    LOG_U("quiet_ms", (unsigned)(qs.period * 1000 + 0.5)),
	    LOG_U("arrivals", qs.arrivals), LOG_END });
}

/* Where the drain stands now: re-arm the timer, or end it. */
static void
check(struct stop *s)
{
	struct drain_traffic dt;
	enum drain_state ds;
	double now, next, at;

	if (s->over || !drain_started(s->drain))
		return;		/* before a read of the clock: once a request */
	now = next = clock_mono();
	if (s->traffic)
		dt.quiet = quiet_poll(traffic_quiet(s->params.traffic), now,
		    &at);
	ds = drain_poll(s->drain, now, s->hooks.inflight(s->hooks.arg),
	    s->traffic ? &dt : NULL, &next);
	ev_timer_stop(s->loop, &s->timer);
	if (ds == DRAIN_RUNNING) {
		ev_timer_set(&s->timer, next > now ? next - now : 0., 0.);
		ev_timer_start(s->loop, &s->timer);
		return;
	}
	stop_log_end(s, ds, now);
	stop_finish(s, STOP_END_DRAINED, ds);
}

static void
stop_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	check(w->data);
}

struct stop *
stop_new(struct ev_loop *loop, const struct stop_params *p,
    const struct stop_hooks *h)
{
	struct stop *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->drain = drain_new(p->ignore, p->nignore, p->window_ms / 1000.0,
	    p->fall, p->cap_ms / 1000.0);
	if (s->drain == NULL) {
		free(s);
		return NULL;
	}
	s->loop = loop;
	s->params = *p;
	s->hooks = *h;
	ev_init(&s->timer, stop_timer_cb);
	s->timer.data = s;
	return s;
}

void
stop_free(struct stop *s)
{
	if (s == NULL)
		return;
	ev_timer_stop(s->loop, &s->timer);
	drain_free(s->drain);
	free(s);
}

/*
 * Sources the drain ignores although they asked for /health just before
 * it: if one is the load balancer, the drain is not waiting for it.
 */
static void
warn_ignored(struct stop *s, double now)
{
	struct addr seen[DRAIN_MAX_IGNORED];
	char list[DRAIN_MAX_IGNORED * (ADDR_STR_MAX + 1)] = "";
	char one[ADDR_STR_MAX];
	unsigned n;

	n = drain_ignored(s->drain, now, seen, DRAIN_MAX_IGNORED);
	if (n == 0)
		return;
	for (unsigned i = 0; i < n && i < DRAIN_MAX_IGNORED; i++) {
		addr_format(&seen[i], one, sizeof(one));
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
		    "%s%s", i ? "," : "", one);
	}
	log_kv(LOG_WARN, "drain_ignoring", LOG_S("sources", list),
	    LOG_Q("reason", "they asked for /health within the window but "
	    "match --drain-ignore; the drain does not wait for them"));
}

/*
 * The probers that asked within the window but route nothing (the
 * kubelet, monitoring, curl): named once, so that nobody wonders why the
 * drain did not wait for them.
 */
static void
stop_log_nonrouting(struct stop *s, double now)
{
	struct addr seen[DRAIN_MAX_IGNORED];
	enum agent_kind kinds[DRAIN_MAX_IGNORED];
	char list[DRAIN_MAX_IGNORED * (ADDR_STR_MAX + 24)] = "";
	char one[ADDR_STR_MAX];
	unsigned n;

	n = drain_nonrouting(s->drain, now, seen, kinds, DRAIN_MAX_IGNORED);
	for (unsigned i = 0; i < n && i < DRAIN_MAX_IGNORED; i++) {
		addr_format(&seen[i], one, sizeof(one));
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
		    "%s%s/%s", i ? "," : "", one, agent_name(kinds[i]));
	}
	if (n)
		log_kv(LOG_INFO, "drain_not_waiting", LOG_S("probers", list),
		    LOG_Q("reason", "their verdict routes nothing"));
}

/* The drain begins, by a signal or a request (key=cause in the log). */
static void
stop_start(struct stop *s, const char *key, const char *cause)
{
	struct drain_stats st;
	double now;

	now = s->started = clock_mono();
	drain_start(s->drain, now);
	/* The 503 is in place before anything says the drain began. */
	s->hooks.begin(s->hooks.arg);
	/* The history before the stop: the app's sockets as they are now. */
	s->traffic = s->params.traffic && traffic_start(s->params.traffic,
	    now);
	drain_stats(s->drain, now, &st);
	log_kv(LOG_INFO, "drain_start", LOG_S(key, cause),
	    LOG_U("watched", st.watched), LOG_U("nonrouting", st.nonrouting),
	    LOG_U("fall", s->params.fall),
	    LOG_U("window_ms", s->params.window_ms),
	    LOG_U("cap_ms", s->params.cap_ms), LOG_S("traffic", s->traffic ?
	    "seen" : s->params.traffic ? "unseen" : "none"));
	warn_ignored(s, now);
	stop_log_nonrouting(s, now);
	check(s);
}

void
stop_signal(struct stop *s, const char *signame)
{
	if (s->over)
		return;
	if (drain_started(s->drain)) {
		log_kv(LOG_WARN, "drain_abort", LOG_S("signal", signame));
		stop_finish(s, STOP_END_ABORTED, DRAIN_RUNNING);
		return;
	}
	stop_start(s, "signal", signame);
}

bool
stop_begin(struct stop *s, const char *request)
{
	if (s->over || drain_started(s->drain))
		return false;
	stop_start(s, "request", request);
	return true;
}

bool
stop_over(const struct stop *s)
{
	return s->over;
}

void
stop_timing(const struct stop *s, double *elapsed, double *cap_left)
{
	double now = clock_mono();

	*elapsed = drain_started(s->drain) ? now - s->started : 0;
	*cap_left = s->params.cap_ms / 1000.0 - *elapsed;
	if (*cap_left < 0)
		*cap_left = 0;
}

unsigned
stop_probers(const struct stop *s, struct drain_prober *out, unsigned max)
{
	return drain_probers(s->drain, clock_mono(), out, max);
}

void
stop_served(struct stop *s, const struct addr *client, enum agent_kind agent,
    unsigned status)
{
	char ip[ADDR_STR_MAX];
	bool failed = status == 503;

	if (drain_started(s->drain) && failed)
		s->n503++;
	if (drain_note(s->drain, client, agent, failed, clock_mono())) {
		addr_format(client, ip, sizeof(ip));
		log_kv(LOG_INFO, "prober_done", LOG_S("addr", ip),
		    LOG_U("failures", s->params.fall));
	}
}

void
stop_poll(struct stop *s)
{
	check(s);
}

bool
stop_draining(const struct stop *s)
{
	return drain_started(s->drain);
}

bool
stop_known_prober(const struct stop *s, const struct addr *client,
    double within)
{
	return drain_recent(s->drain, client, within, clock_mono());
}

void
stop_stats(const struct stop *s, struct drain_stats *st,
    unsigned long long *n503)
{
	drain_stats(s->drain, clock_mono(), st);
	*n503 = s->n503;
}

bool
stop_traffic(const struct stop *s, struct quiet_stats *qs)
{
	if (!s->traffic || s->over)
		return false;
	quiet_stats(traffic_quiet(s->params.traffic), clock_mono(), qs);
	return true;
}
