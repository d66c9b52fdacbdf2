/*
 * drain.c: when a draining healthgate may exit.
 *
 * Before the drain, every /health request from a source outside the ignore
 * list refreshes that source's last_seen. At SIGTERM the sources seen within
 * the window whose User-Agent may route become the watched probers. The
 * drain is done when no request is in flight, each watched prober has been
 * served "fall" 503s or has been silent for the window, and, when the
 * app's traffic can be seen, it has gone quiet — or when the cap runs out,
 * whatever else.
 */
#include <stdlib.h>
#include <string.h>

#include "drain.h"

struct prober {
	struct addr	addr;
	double		last_seen;	/* last /health served to it */
	unsigned	fails;		/* 503s served since the drain began */
	bool		watched;	/* seen within the window at SIGTERM */
	enum agent_kind	agent;		/* who asks, by User-Agent */
};

struct drain {
	const struct cidr *ignore;	/* not owned; outlives the drain */
	unsigned	 nignore;
	double		 window;	/* seconds */
	double		 cap;		/* seconds */
	unsigned	 fall;
	double		 started;	/* < 0 until drain_start */
	unsigned	 nprobers;
	struct prober	 probers[DRAIN_MAX_PROBERS];
	unsigned	 nignored;	/* ignored sources seen, to warn of */
	struct prober	 ignored[DRAIN_MAX_IGNORED];
};

struct drain *
drain_new(const struct cidr *ignore, unsigned nignore, double window,
    unsigned fall, double cap)
{
	struct drain *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->ignore = ignore;
	d->nignore = nignore;
	d->window = window;
	d->fall = fall;
	d->cap = cap;
	d->started = -1;
	return d;
}

void
drain_free(struct drain *d)
{
	free(d);
}

bool
drain_started(const struct drain *d)
{
	return d->started >= 0;
}

static bool
ignored(const struct drain *d, const struct addr *a)
{
	for (unsigned i = 0; i < d->nignore; i++)
		if (cidr_match(&d->ignore[i], a))
			return true;
	return false;
}

static struct prober *
drain_find(struct drain *d, const struct addr *a, enum agent_kind agent)
{
	for (unsigned i = 0; i < d->nprobers; i++)
		if (d->probers[i].addr.family == a->family &&
		    agent_routes(d->probers[i].agent) == agent_routes(agent) &&
		    memcmp(d->probers[i].addr.bytes, a->bytes, 16) == 0)
			return &d->probers[i];
	return NULL;
}

/*
 * A slot for a new source in list (n used of max): a free one, else the
 * one heard from longest ago.
 */
static struct prober *
slot(struct prober *list, unsigned *n, unsigned max)
{
	struct prober *oldest;

	if (*n < max)
		return &list[(*n)++];
	oldest = &list[0];
	for (unsigned i = 1; i < *n; i++)
		if (list[i].last_seen < oldest->last_seen)
			oldest = &list[i];
	return oldest;
}

/* Remembers an ignored source, so that the drain can name it. */
static void
note_ignored(struct drain *d, const struct addr *a, double now)
{
	struct prober *p = NULL;

	for (unsigned i = 0; i < d->nignored && p == NULL; i++)
		if (d->ignored[i].addr.family == a->family &&
		    memcmp(d->ignored[i].addr.bytes, a->bytes, 16) == 0)
			p = &d->ignored[i];
	if (p == NULL) {
		p = slot(d->ignored, &d->nignored, DRAIN_MAX_IGNORED);
		memset(p, 0, sizeof(*p));
		p->addr = *a;
	}
	p->last_seen = now;
}

unsigned
drain_ignored(const struct drain *d, double now, struct addr *out,
    unsigned max)
{
	double at = drain_started(d) ? d->started : now;
	unsigned n = 0;

	for (unsigned i = 0; i < d->nignored; i++) {
		if (d->ignored[i].last_seen > at ||
		    at - d->ignored[i].last_seen > d->window)
			continue;
		if (n < max)
			out[n] = d->ignored[i].addr;
		n++;
	}
	return n;
}

bool
drain_note(struct drain *d, const struct addr *a, enum agent_kind agent,
    bool failed, double now)
{
	struct prober *p;

	if (ignored(d, a)) {
		if (!drain_started(d))
			note_ignored(d, a, now);
		return false;
	}
	p = drain_find(d, a, agent);
	if (!drain_started(d)) {
		if (p == NULL) {
			p = slot(d->probers, &d->nprobers,
			    DRAIN_MAX_PROBERS);
			memset(p, 0, sizeof(*p));
			p->addr = *a;
		}
		p->last_seen = now;
		p->agent = agent;
		return false;
	}
	/* A source that appears only after SIGTERM was never routing to us. */
	if (p == NULL || !p->watched)
		return false;
	p->last_seen = now;
	/* A 200 queued just before SIGTERM is no evidence of the drain. */
	return failed && ++p->fails == d->fall;
}

bool
drain_recent(const struct drain *d, const struct addr *a, double within,
    double now)
{
	for (unsigned i = 0; i < d->nprobers; i++)
		if (d->probers[i].addr.family == a->family &&
		    memcmp(d->probers[i].addr.bytes, a->bytes, 16) == 0 &&
		    now - d->probers[i].last_seen <= within)
			return true;
	return false;
}

void
drain_start(struct drain *d, double now)
{
	if (drain_started(d))
		return;
	d->started = now;
	for (unsigned i = 0; i < d->nprobers; i++) {
		struct prober *p = &d->probers[i];

		p->watched = agent_routes(p->agent) &&
		    now - p->last_seen <= d->window;
		p->fails = 0;
	}
}

/* A prober that routes nothing and asked within the window before at. */
static bool
nonrouting_recent(const struct drain *d, const struct prober *p, double now)
{
	double at = drain_started(d) ? d->started : now;

	return !agent_routes(p->agent) && p->last_seen <= at &&
	    at - p->last_seen <= d->window;
}

unsigned
drain_nonrouting(const struct drain *d, double now, struct addr *out,
    enum agent_kind *kinds, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < d->nprobers && n < DRAIN_MAX_IGNORED; i++) {
		if (!nonrouting_recent(d, &d->probers[i], now))
			continue;
		if (n < max) {
			out[n] = d->probers[i].addr;
			kinds[n] = d->probers[i].agent;
		}
		n++;
	}
	return n;
}

void
drain_stats(const struct drain *d, double now, struct drain_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (unsigned i = 0; i < d->nprobers; i++) {
		const struct prober *p = &d->probers[i];

		st->nonrouting += nonrouting_recent(d, p, now);
		if (!p->watched)
			continue;
		st->watched++;
		if (p->fails >= d->fall)
			st->served++;
		else if (now - p->last_seen >= d->window)
			st->silent++;
	}
}

enum drain_state
drain_poll(struct drain *d, double now, unsigned inflight,
    const struct drain_traffic *traffic, double *next)
{
	struct drain_stats st;
	double deadline;

	if (!drain_started(d))
		return DRAIN_OFF;
	deadline = d->started + d->cap;
	if (now >= deadline)
		return DRAIN_CAPPED;
	drain_stats(d, now, &st);
	if (inflight == 0 && st.served + st.silent == st.watched && traffic) {
		if (traffic->quiet)
			return DRAIN_DONE_QUIET;
	} else if (inflight == 0 && st.served + st.silent == st.watched) {
		if (st.watched == 0)
			return DRAIN_DONE_IDLE;
		return st.silent ? DRAIN_DONE_SILENCE : DRAIN_DONE_EVIDENCE;
	}
	/* Wake when the first pending prober would fall silent. */
	for (unsigned i = 0; i < d->nprobers; i++) {
		const struct prober *p = &d->probers[i];

		if (p->watched && p->fails < d->fall &&
		    p->last_seen + d->window > now &&
		    p->last_seen + d->window < deadline)
			deadline = p->last_seen + d->window;
	}
	*next = deadline;
	return DRAIN_RUNNING;
}

const char *
drain_state_name(enum drain_state s)
{
	switch (s) {
	case DRAIN_OFF:		return "off";
	case DRAIN_RUNNING:		return "running";
	case DRAIN_DONE_EVIDENCE:	return "evidence";
	case DRAIN_DONE_SILENCE:	return "silence";
	case DRAIN_DONE_IDLE:		return "idle";
	case DRAIN_DONE_QUIET:		return "quiet";
	case DRAIN_CAPPED:		return "cap";
	}
	return "?";
}

static enum drain_prober_state
drain_prober_state(const struct drain *d, const struct prober *p, double now)
{
	if (!drain_started(d))
		return DRAIN_PROBER_SEEN;
	if (p->fails >= d->fall)
		return DRAIN_PROBER_SERVED;
	if (now - p->last_seen >= d->window)
		return DRAIN_PROBER_SILENT;
	return DRAIN_PROBER_WAITING;
}

unsigned
drain_probers(const struct drain *d, double now, struct drain_prober *out,
    unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < d->nprobers; i++) {
		const struct prober *p = &d->probers[i];

		/* One that routes nothing is never watched (drain_nonrouting). */
		if (drain_started(d) ? !p->watched :
		    now - p->last_seen > d->window || !agent_routes(p->agent))
			continue;
		if (n < max)
			out[n] = (struct drain_prober){ .addr = p->addr,
			    .idle = now - p->last_seen, .fails = p->fails,
			    .state = drain_prober_state(d, p, now) };
		n++;
	}
	return n;
}

const char *
drain_prober_state_name(enum drain_prober_state s)
{
	switch (s) {
	case DRAIN_PROBER_SEEN:		return "seen";
	case DRAIN_PROBER_WAITING:	return "waiting";
	case DRAIN_PROBER_SERVED:	return "served";
	case DRAIN_PROBER_SILENT:	return "silent";
	}
	return "?";
}
